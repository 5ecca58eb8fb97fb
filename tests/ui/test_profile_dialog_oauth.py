"""The profile editor's OAuth 2.0 part: the authentication choice with provider, client id, tenant,
issuer, scopes and authority host; the Microsoft 365 and Google presets; errors on their fields."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from desktop_sync.domain.model import AuthMethod, CredentialsOn, ProfileKind, Security
from desktop_sync.domain.presets import Preset
from desktop_sync.domain.signin import OAuthProvider
from desktop_sync.ui.profile_dialog import ProfileDialog
from tests.ui.conftest import until

pytestmark = pytest.mark.gui


def select(combo, data) -> None:
    combo.setCurrentIndex(combo.findData(data))


def choose_preset(dialog: ProfileDialog, preset: Preset) -> None:
    index = dialog.preset.findData(preset)
    dialog.preset.setCurrentIndex(index)
    dialog.preset.activated.emit(index)


@pytest.fixture
def dialog(ui, qtbot):
    made = ProfileDialog(ui.context, ui.presenter())
    qtbot.addWidget(made)
    made.show()
    return made


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
