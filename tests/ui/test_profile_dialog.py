"""The profile editor: errors on the fields they concern with the input kept, save and update,
Test connection step by step with the raw exchange, and the OAuth 2.0 part: provider, client id,
tenant, issuer, scopes and authority host, the Microsoft 365 and Google presets."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from desktop_sync.domain.model import AuthMethod, CredentialsOn, ProfileKind, Security
from desktop_sync.domain.ports.connectors import ConnectionTest, ConnectionTestStep, StepResult
from desktop_sync.domain.presets import Preset
from desktop_sync.domain.signin import OAuthProvider
from desktop_sync.services.profiles import ProfileService
from desktop_sync.ui.profile_dialog import ProfileDialog
from tests.ui.conftest import save_grab, settle, until

pytestmark = pytest.mark.gui


def select(combo, data) -> None:
    combo.setCurrentIndex(combo.findData(data))


@pytest.fixture
def dialog(ui, qtbot):
    made = ProfileDialog(ui.context, ui.presenter())
    qtbot.addWidget(made)
    made.show()
    return made


def test_errors_appear_on_their_fields_and_the_input_is_kept(dialog, ui, run, qtbot, tmp_path):
    dialog.name.setText("Corp")
    dialog.incoming_host.setText("bad host name")
    select(dialog.incoming_security, Security.NONE)
    dialog.outgoing_port.setValue(587)
    select(dialog.auth, dialog.auth.itemData(1))  # NTLM on an IMAP profile

    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    run(until(lambda: dialog.fields.has_errors(), what="field errors"))

    assert "is not a host name" in dialog.fields.message("incoming_host")
    assert "clear text" in dialog.fields.message("incoming_security")
    assert "without an outgoing host" in dialog.fields.message("outgoing_host")
    assert "Exchange" in dialog.fields.message("auth")
    assert dialog.fields.message("name") == ""
    assert dialog.incoming_host.text() == "bad host name"  # kept for the admin to fix
    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
    assert run(ui.context.profiles.list()) == []
    save_grab(dialog, tmp_path / "profile-dialog-errors.png")

    dialog.incoming_host.setText("imap.example.test")
    run(until(lambda: dialog.fields.message("incoming_host") == "", what="the fixed field to clear"))


def test_save_adds_the_profile_and_an_edit_updates_it(dialog, ui, run, qtbot):
    dialog.name.setText("Corp")
    dialog.incoming_host.setText("imap.example.test")
    dialog.outgoing_host.setText("smtp.example.test")
    select(dialog.outgoing_security, Security.STARTTLS)
    with qtbot.waitSignal(dialog.saved, timeout=5000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
        run(until(lambda: dialog.result() == QDialog.DialogCode.Accepted, what="the dialog to close"))
    profile = run(ui.context.profiles.get("Corp"))
    assert profile.outgoing is not None and profile.outgoing.port == 587

    edit = ProfileDialog(ui.context, ui.presenter(), profile)
    qtbot.addWidget(edit)
    assert edit.outgoing_port.value() == 0  # the default port shows as "Default (587)"
    assert edit.outgoing_port.specialValueText() == "Default (587)"
    edit.max_connections.setValue(25)
    edit.name.setText("Corporate")
    qtbot.mouseClick(edit.save_button, Qt.MouseButton.LeftButton)
    run(until(lambda: edit.result() == QDialog.DialogCode.Accepted, what="the edit to be saved"))
    assert run(ui.context.profiles.get("Corporate")).max_connections == 25


def test_the_service_account_password_is_stored_only_when_saved(ui, run, qtbot):
    dialog = ProfileDialog(ui.context, ui.presenter())
    qtbot.addWidget(dialog)
    dialog.name.setText("Corp")
    dialog.incoming_host.setText("imap.example.test")
    select(dialog.credentials_on, CredentialsOn.PROFILE)
    assert dialog.password.isEnabled()
    dialog.login.setText("svc")
    dialog.password.setText("svc-pw")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    run(until(lambda: dialog.result() == QDialog.DialogCode.Accepted, what="the save"))
    assert run(ProfileService(ui.store, ui.context.profiles._secrets).has_password("Corp")) is True

    profile = run(ui.context.profiles.get("Corp"))
    edit = ProfileDialog(ui.context, ui.presenter(), profile, has_password=True)
    qtbot.addWidget(edit)
    assert edit.password.text() == ""  # write-only: never shown again
    assert "A password is set" in edit.password.placeholderText()


def test_exchange_hides_what_it_does_not_use(dialog):
    select(dialog.kind, ProfileKind.EXCHANGE)
    assert not dialog.outgoing_host.isEnabled()
    assert dialog.ews_url.isVisibleTo(dialog)
    assert not dialog.delete_after_download.isEnabled()
    select(dialog.kind, ProfileKind.POP3)
    assert not dialog.ews_url.isVisibleTo(dialog)
    assert dialog.delete_after_download.isEnabled()
    assert dialog.incoming_port.specialValueText() == "Default (995)"
    assert not dialog.tracked_category.isEnabled() and not dialog.tag_undeliverable.isEnabled()


def test_exchange_categories_are_saved_and_shown_again(dialog, ui, run, qtbot):
    select(dialog.kind, ProfileKind.EXCHANGE)
    assert dialog.tracked_category.text() == "Tracked to CRM"
    dialog.name.setText("Exchange")
    dialog.incoming_host.setText("mail.example.test")
    dialog.tracked_category.setText("In the CRM")
    dialog.tag_undeliverable.setChecked(True)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    run(until(lambda: dialog.result() == QDialog.DialogCode.Accepted, what="the save"))
    profile = run(ui.context.profiles.get("Exchange"))
    assert (profile.tracked_category, profile.tag_undeliverable) == ("In the CRM", True)

    edit = ProfileDialog(ui.context, ui.presenter(), profile)
    qtbot.addWidget(edit)
    assert edit.tracked_category.text() == "In the CRM" and edit.tag_undeliverable.isChecked()
    edit.tracked_category.setText("Bad, category")
    qtbot.mouseClick(edit.save_button, Qt.MouseButton.LeftButton)
    run(until(lambda: edit.fields.has_errors(), what="the category's error"))
    assert "commas" in edit.fields.message("tracked_category")


def test_test_connection_shows_each_step_and_the_raw_exchange(dialog, ui, run, qtbot, tmp_path):
    ui.server.box("alice@example.test").test_result = ConnectionTest(
        (
            StepResult(ConnectionTestStep.RESOLVE, True, elapsed_ms=1.2),
            StepResult(ConnectionTestStep.CONNECT, True, elapsed_ms=3.4),
            StepResult(ConnectionTestStep.TLS, True, elapsed_ms=5.0),
            StepResult(ConnectionTestStep.AUTHENTICATE, False, "the server refused the password", "auth_failed", 7.0),
        ),
        last_request="a1 LOGIN alice ****",
        last_response="a1 NO [AUTHENTICATIONFAILED] Authentication failed.",
    )
    dialog.name.setText("Corp")
    dialog.incoming_host.setText("imap.example.test")
    dialog.outgoing_host.setText("smtp.example.test")
    dialog.test_address.setText("alice@example.test")
    dialog.test_password.setText("wrong")

    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    run(until(lambda: dialog.test_button.isEnabled() and dialog.test_results.topLevelItemCount() == 2, what="results"))

    incoming, outgoing = (dialog.test_results.topLevelItem(i) for i in range(2))
    assert incoming.text(0) == "Incoming email" and incoming.text(2) == "Failed"
    steps = [(incoming.child(i).text(0), incoming.child(i).text(2)) for i in range(incoming.childCount())]
    assert steps[0] == ("Resolve the server's name", "Passed")
    assert steps[-1] == ("Sign in", "The server refused the credentials")
    # what the step found, on its own line under it, spanning the columns
    found = incoming.child(3).child(0)
    assert found.text(0) == "the server refused the password" and found.isFirstColumnSpanned()
    assert outgoing.text(2) == "Passed"
    qtbot.mouseClick(dialog.raw_button, Qt.MouseButton.LeftButton)
    assert dialog.raw.isVisible()
    assert "a1 LOGIN alice ****" in dialog.raw.toPlainText()
    assert "AUTHENTICATIONFAILED" in dialog.raw.toPlainText()
    assert run(ui.context.profiles.list()) == []  # testing saves nothing
    save_grab(dialog, tmp_path / "profile-dialog-test-connection.png")


def test_test_connection_checks_its_own_fields_first(dialog, run, qtbot):
    dialog.name.setText("Corp")
    dialog.incoming_host.setText("imap.example.test")
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    run(until(lambda: dialog.fields.has_errors(), what="errors"))
    assert "email address is required" in dialog.fields.message("test_address")
    assert "not stored" in dialog.fields.message("test_password")
    assert dialog.test_results.topLevelItemCount() == 0
    run(settle())


# --- OAuth 2.0 and the presets


def choose_preset(dialog: ProfileDialog, preset: Preset) -> None:
    index = dialog.preset.findData(preset)
    dialog.preset.setCurrentIndex(index)
    dialog.preset.activated.emit(index)


def test_oauth_rows_show_only_for_oauth_and_follow_the_provider(dialog):
    oauth = dialog.oauth
    assert not oauth.client_id.isVisibleTo(dialog)
    select(dialog.auth, AuthMethod.OAUTH2)
    assert oauth.client_id.isVisibleTo(dialog) and oauth.tenant.isVisibleTo(dialog)
    assert not oauth.issuer.isVisibleTo(dialog)
    assert "IMAP.AccessAsUser.All" in oauth.scopes.placeholderText()
    assert "SMTP.Send" in oauth.scopes.placeholderText()
    assert not oauth.authority_host.isVisibleTo(dialog)
    oauth.advanced.setChecked(True)
    assert oauth.authority_host.isVisibleTo(dialog)

    select(oauth.provider, OAuthProvider.OIDC)
    assert oauth.issuer.isVisibleTo(dialog) and not oauth.tenant.isVisibleTo(dialog)
    assert not oauth.authority_host.isVisibleTo(dialog)
    select(oauth.provider, OAuthProvider.GOOGLE)
    assert "https://mail.google.com/" in oauth.scopes.placeholderText()

    select(dialog.kind, ProfileKind.POP3)
    select(oauth.provider, OAuthProvider.MICROSOFT)
    assert "POP.AccessAsUser.All" in oauth.scopes.placeholderText()
    select(dialog.auth, AuthMethod.BASIC)
    assert not oauth.client_id.isVisibleTo(dialog) and not oauth.provider.isVisibleTo(dialog)


def test_a_service_account_of_an_oauth_profile_has_a_client_secret_and_no_login(dialog):
    select(dialog.auth, AuthMethod.OAUTH2)
    select(dialog.credentials_on, CredentialsOn.PROFILE)
    assert not dialog.login.isVisibleTo(dialog)
    assert dialog.password.isVisibleTo(dialog) and dialog.password.isEnabled()
    assert dialog.password_label.text().replace("&", "") == "Client secret:"
    assert dialog.oauth.scopes.placeholderText().endswith("https://outlook.office365.com/.default")
    select(dialog.auth, AuthMethod.BASIC)
    assert dialog.login.isVisibleTo(dialog)
    assert dialog.password_label.text().replace("&", "") == "Service account password:"


def test_the_microsoft_preset_fills_servers_and_sign_in_and_saves(dialog, ui, run, qtbot):
    dialog.name.setText("M365")
    choose_preset(dialog, Preset.MICROSOFT_365)
    assert dialog.incoming_host.text() == "outlook.office365.com"
    assert dialog.incoming_security.currentData() is Security.TLS
    assert dialog.outgoing_host.text() == "smtp.office365.com"
    assert dialog.outgoing_security.currentData() is Security.STARTTLS
    assert dialog.outgoing_port.specialValueText() == "Default (587)" and dialog.outgoing_port.value() == 0
    assert dialog.auth.currentData() is AuthMethod.OAUTH2
    assert dialog.oauth.provider.currentData() is OAuthProvider.MICROSOFT
    select(dialog.kind, ProfileKind.POP3)  # the preset follows the kind
    assert dialog.incoming_host.text() == "outlook.office365.com"
    assert dialog.incoming_port.specialValueText() == "Default (995)"

    dialog.oauth.client_id.setText("11111111-2222-3333-4444-555555555555")
    dialog.oauth.tenant.setText("contoso.onmicrosoft.com")
    with qtbot.waitSignal(dialog.saved, timeout=5000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
        run(until(lambda: dialog.result() == QDialog.DialogCode.Accepted, what="the save"))
    profile = run(ui.context.profiles.get("M365"))
    assert profile.kind is ProfileKind.POP3 and profile.incoming.port == 995
    assert profile.auth is AuthMethod.OAUTH2 and profile.oauth is not None
    assert profile.oauth.provider is OAuthProvider.MICROSOFT
    assert profile.oauth.tenant == "contoso.onmicrosoft.com"
    assert profile.oauth.scopes == ()  # the provider's defaults

    edit = ProfileDialog(ui.context, ui.presenter(), profile)
    qtbot.addWidget(edit)
    assert edit.auth.currentData() is AuthMethod.OAUTH2
    assert edit.oauth.client_id.text() == "11111111-2222-3333-4444-555555555555"
    assert edit.oauth.tenant.text() == "contoso.onmicrosoft.com"
    assert edit.oauth.client_id.isVisibleTo(edit)


def test_the_google_preset_on_exchange_turns_the_profile_to_imap(dialog):
    select(dialog.kind, ProfileKind.EXCHANGE)
    choose_preset(dialog, Preset.GOOGLE)
    assert dialog.kind.currentData() is ProfileKind.IMAP
    assert (dialog.incoming_host.text(), dialog.outgoing_host.text()) == ("imap.gmail.com", "smtp.gmail.com")
    assert dialog.outgoing_security.currentData() is Security.TLS
    assert dialog.outgoing_port.specialValueText() == "Default (465)"
    assert dialog.oauth.provider.currentData() is OAuthProvider.GOOGLE


def test_oauth_errors_appear_on_their_fields_and_clear_when_fixed(dialog, ui, run, qtbot):
    dialog.name.setText("Corp")
    dialog.incoming_host.setText("imap.example.test")
    select(dialog.auth, AuthMethod.OAUTH2)
    select(dialog.oauth.provider, OAuthProvider.OIDC)
    dialog.oauth.scopes.setText("openid bad\x01scope")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    run(until(lambda: dialog.fields.has_errors(), what="field errors"))
    assert "client" in dialog.fields.message("client_id")
    assert "issuer" in dialog.fields.message("issuer")
    assert "not a scope" in dialog.fields.message("scopes")
    assert run(ui.context.profiles.list()) == []

    dialog.oauth.client_id.setText("desktop-sync")
    dialog.oauth.issuer.setText("https://id.example.test")
    dialog.oauth.scopes.setText("openid email offline_access")
    with qtbot.waitSignal(dialog.saved, timeout=5000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    profile = run(ui.context.profiles.get("Corp"))
    assert profile.oauth is not None and profile.oauth.issuer == "https://id.example.test"
    assert profile.oauth.scopes == ("openid", "email", "offline_access")


def test_a_password_profile_sends_no_oauth_settings(dialog):
    dialog.oauth.client_id.setText("left over")
    data = dialog.profile_input()
    assert data.auth is AuthMethod.BASIC and data.client_id is None and data.oauth_provider is None


def test_an_oauth_profile_is_tested_on_a_signed_in_mailbox_not_here(dialog):
    assert dialog.test_button.isEnabled() and not dialog.test_unavailable.isVisibleTo(dialog)
    select(dialog.auth, AuthMethod.OAUTH2)
    assert not dialog.test_button.isEnabled()
    assert "Test & Enable" in dialog.test_unavailable.text() and dialog.test_unavailable.isVisibleTo(dialog)
    select(dialog.auth, AuthMethod.BASIC)
    assert dialog.test_button.isEnabled() and not dialog.test_unavailable.isVisibleTo(dialog)


def test_an_exchange_online_profile_from_the_microsoft_preset(dialog, ui, run, qtbot):
    select(dialog.kind, ProfileKind.EXCHANGE_ONLINE)
    assert not dialog.outgoing_host.isEnabled() and not dialog.ews_url.isVisibleTo(dialog)
    assert "Microsoft Graph" in dialog.outgoing_host.placeholderText() and dialog.tracked_category.isEnabled()
    dialog.name.setText("Online")
    choose_preset(dialog, Preset.MICROSOFT_365)
    assert dialog.incoming_host.text() == "graph.microsoft.com" and dialog.auth.currentData() is AuthMethod.OAUTH2
    assert "Mail.ReadWrite" in dialog.oauth.scopes.placeholderText()
    dialog.oauth.client_id.setText("11111111-2222-3333-4444-555555555555")
    with qtbot.waitSignal(dialog.saved, timeout=5000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    profile = run(ui.context.profiles.get("Online"))
    assert profile.kind is ProfileKind.EXCHANGE_ONLINE and profile.outgoing is None and profile.oauth is not None
