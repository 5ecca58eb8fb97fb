"""The profile editor: errors on the fields they concern with the input kept, save and update, and
Test connection step by step with the raw exchange."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from desktop_sync.domain.model import CredentialsOn, ProfileKind, Security
from desktop_sync.domain.ports.connectors import ConnectionTest, ConnectionTestStep, StepResult
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
