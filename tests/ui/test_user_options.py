"""User options: the Email tab, the sync filter editor round trip (stored and evaluated in the domain),
and tracked folders read from a real Dovecot, with the 25-folder limit and the regarding record."""

from __future__ import annotations

import dataclasses
import datetime as dt
import imaplib
import socket
import ssl
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from servers.dovecot import DovecotServer, MailUser
from sqlalchemy import text

from desktop_sync.connectors.factory import MailConnectorFactory
from desktop_sync.domain.model import ProfileKind, RecordType, TrackingChoice
from desktop_sync.domain.sync_filters import Match, Operator, Rule, selects
from desktop_sync.domain.validation import ProfileInput
from desktop_sync.secrets import KeyringSecrets
from desktop_sync.services.folders import FolderService
from desktop_sync.store.database import make_sync_engine, resolve_url
from desktop_sync.ui.directory_view import DirectoryPage
from desktop_sync.ui.user_options_dialog import UserOptionsDialog, open_user_options
from tests.ui.conftest import Answers, save_grab, until

pytestmark = pytest.mark.gui
ALICE = "alice@example.test"
SHOTS = Path("/tmp/shots/gui-options")
NOW = dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.UTC)


def shot(widget, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    save_grab(widget, SHOTS / name)


def shot_with_popup(window, popup, name: str) -> None:
    """The window with its drop-down list drawn where it shows (a popup is a window of its own)."""
    from PySide6.QtGui import QPainter

    picture = window.grab()
    offset = popup.mapToGlobal(popup.rect().topLeft()) - window.mapToGlobal(window.rect().topLeft())
    painter = QPainter(picture)
    painter.drawPixmap(offset, popup.grab())
    painter.end()
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert picture.save(str(SHOTS / name))


def open_dialog(ui, run, qtbot, email: str = ALICE, answers: Answers | None = None) -> UserOptionsDialog:
    dialog = run(open_user_options(ui.context, ui.presenter(), email, asker=answers or Answers()))
    assert dialog is not None
    qtbot.addWidget(dialog)
    run(dialog._loading)
    return dialog


def test_the_email_tab_round_trip_from_users_and_queues(ui, run, qtbot) -> None:
    run(ui.user(ALICE, "Alice Martin"))
    run(ui.context.directory.add_queue("support@example.test", "Support"))
    page = DirectoryPage(ui.context, ui.presenter())
    qtbot.addWidget(page)
    run(page.refresh())
    queue_row = next(r for r in range(page.model.rowCount()) if page.model.item(r, 1).text().startswith("support"))
    page.table.selectRow(queue_row)
    assert not page.options_action.isEnabled()  # a queue tracks all its mail: no options
    page.table.selectRow(1 - queue_row)
    assert page.options_action.isEnabled()
    page.options_action.trigger()
    run(until(lambda: page.options_dialog is not None and page.options_dialog.isVisible(), what="the dialog"))
    dialog = page.options_dialog
    assert dialog is not None
    run(dialog._loading)
    assert dialog.email_tab.buttons[TrackingChoice.REPLIES].isChecked()
    assert not dialog.email_tab.auto_create.isChecked()
    assert dialog.folders_tab.status.text() == "This user has no mailbox: there are no folders to track."
    shot(dialog, "user-options-email.png")

    dialog.email_tab.buttons[TrackingChoice.KNOWN_SENDERS].click()
    dialog.email_tab.auto_create.click()
    assert run(dialog.save_now())
    user = next(u for u in run(ui.context.directory.users()) if u.email == ALICE)
    assert user.tracking is TrackingChoice.KNOWN_SENDERS and user.auto_create_contacts
    run(until(lambda: "Email from known contacts" in page.model.item(1 - queue_row, 4).text(), what="the list"))

    again = open_dialog(ui, run, qtbot)
    assert again.email_tab.buttons[TrackingChoice.KNOWN_SENDERS].isChecked()
    assert again.email_tab.auto_create.isChecked()
    again.reject()


def test_the_filter_editor_round_trip_is_stored_and_evaluated_in_the_domain(ui, run, qtbot) -> None:
    run(ui.user(ALICE, "Alice Martin"))
    answers = Answers(True)
    dialog = open_dialog(ui, run, qtbot, answers=answers)
    tab = dialog.synchronization_tab
    assert not dialog.save_button.isHidden() and dialog.cancel_button.text() == "Cancel"
    dialog.tabs.setCurrentWidget(tab)
    assert "combine with OR" in tab.note.text()
    # each change here is saved at once: no Save button to wonder about
    assert dialog.save_button.isHidden() and dialog.cancel_button.text() == "Close"
    tab.record_type.setCurrentIndex(tab.record_type.findData(RecordType.TASK))
    assert tab.list.topLevelItemCount() == 0

    editor = tab.new_filter()
    assert editor.windowTitle() == "New filter — Tasks"
    editor.name.setText("Reviews soon")
    editor.match.setCurrentIndex(editor.match.findData(Match.ANY))
    first = editor.rows[0]
    assert [first.field.itemData(i) for i in range(first.field.count())][:3] == ["subject", "body", "due_at"]
    first.field.setCurrentIndex(first.field.findData("subject"))
    first.operator.setCurrentIndex(first.operator.findData(Operator.CONTAINS))
    first.value.setText("review")
    second = editor.add_row(None)
    second.field.setCurrentIndex(second.field.findData("due_at"))
    # a date field offers the date operators, not the text ones
    offered = {second.operator.itemData(i) for i in range(second.operator.count())}
    assert Operator.IN_NEXT_DAYS in offered and Operator.CONTAINS not in offered
    second.operator.setCurrentIndex(second.operator.findData(Operator.IN_NEXT_DAYS))
    second.value.setText("soon")
    third = editor.add_row(None)
    third.field.setCurrentIndex(third.field.findData("owner"))
    third.operator.setCurrentIndex(third.operator.findData(Operator.IS_ME))
    assert not third.value.isEnabled()
    shot(editor, "filter-editor.png")

    editor.save()
    run(until(lambda: second.error.isVisible(), what="the row's error"))
    assert second.error.text() == "'soon' is not a number"
    assert not first.error.isVisible()
    assert run(ui.context.sync_filters.list(ALICE)) == []  # nothing stored
    second.value.setText("7")
    editor.save()
    run(until(lambda: tab.list.topLevelItemCount() == 1, what="the new filter in the list"))

    stored = run(ui.context.sync_filters.list(ALICE))
    assert len(stored) == 1
    saved = stored[0].sync_filter
    assert saved.record_type is RecordType.TASK and saved.name == "Reviews soon" and saved.active
    assert saved.group.match is Match.ANY
    assert saved.group.rules == (
        Rule("subject", Operator.CONTAINS, "review"),
        Rule("due_at", Operator.IN_NEXT_DAYS, "7"),
        Rule("owner", Operator.IS_ME, None),
    )
    review = {"subject": "Budget review", "due_at": NOW + dt.timedelta(days=30), "owner": "bob@example.test"}
    other = {"subject": "Call", "due_at": NOW + dt.timedelta(days=30), "owner": "bob@example.test"}
    filters = [v.sync_filter for v in stored]
    assert selects(filters, RecordType.TASK, review, NOW, ALICE)
    assert not selects(filters, RecordType.TASK, other, NOW, ALICE)
    assert tab.list.topLevelItem(0).text(1) == "Active"
    assert (
        tab.list.topLevelItem(0).text(2)
    ) == "Subject contains “review” OR Due in the next … days “7” OR Owner is the user"
    shot(dialog, "user-options-synchronization.png")

    # reopen, edit: AND instead of OR, the owner rule removed
    tab.list.setCurrentItem(tab.list.topLevelItem(0))
    editor = tab.edit_selected()
    assert editor is not None
    assert editor.name.text() == "Reviews soon" and editor.match.currentData() is Match.ANY
    assert [row.rule() for row in editor.rows] == list(saved.group.rules)
    editor.match.setCurrentIndex(editor.match.findData(Match.ALL))
    editor.remove_row(editor.rows[2])
    editor.save()
    run(until(lambda: "AND" in tab.list.topLevelItem(0).text(2), what="the edited filter"))
    edited = run(ui.context.sync_filters.list(ALICE))[0].sync_filter
    assert edited.group == dataclasses.replace(saved.group, match=Match.ALL, rules=saved.group.rules[:2])
    soon = dict(review, due_at=NOW + dt.timedelta(days=3))
    assert selects([edited], RecordType.TASK, soon, NOW) and not selects([edited], RecordType.TASK, review, NOW)

    # deactivate: stored inactive, selects nothing; activate again
    tab.list.setCurrentItem(tab.list.topLevelItem(0))
    tab.deactivate_button.click()
    run(until(lambda: tab.list.topLevelItem(0).text(1) == "Inactive", what="inactive"))
    inactive = run(ui.context.sync_filters.list(ALICE))[0].sync_filter
    assert not inactive.active and not selects([inactive], RecordType.TASK, soon, NOW)
    tab.list.setCurrentItem(tab.list.topLevelItem(0))
    assert tab.activate_button.isEnabled() and not tab.deactivate_button.isEnabled()
    tab.activate_button.click()
    run(until(lambda: tab.list.topLevelItem(0).text(1) == "Active", what="active again"))

    # another type's list does not show it; delete asks first
    tab.record_type.setCurrentIndex(tab.record_type.findData(RecordType.APPOINTMENT))
    assert tab.list.topLevelItemCount() == 0
    tab.record_type.setCurrentIndex(tab.record_type.findData(RecordType.TASK))
    tab.list.setCurrentItem(tab.list.topLevelItem(0))
    tab.delete_button.click()
    run(until(lambda: tab.list.topLevelItemCount() == 0, what="the deletion"))
    assert answers.asked and "Reviews soon" in answers.asked[0][1]
    assert run(ui.context.sync_filters.list(ALICE)) == []


def test_a_filter_needs_a_name_and_a_rule(ui, run, qtbot) -> None:
    run(ui.user(ALICE, "Alice Martin"))
    dialog = open_dialog(ui, run, qtbot)
    editor = dialog.synchronization_tab.new_filter()
    editor.rows[0].value.setText("x")
    editor.save()
    run(until(lambda: bool(editor.fields.message("name")), what="the name's error"))
    assert editor.isVisible()
    editor.name.setText("Everything")
    editor.remove_row(editor.rows[0])
    editor.save()
    run(until(lambda: editor.fields.message("rule") == "A filter needs at least one rule.", what="the rule error"))
    assert run(ui.context.sync_filters.list(ALICE)) == []


# --- tracked folders on a real Dovecot -----------------------------------------------------------


def imap_folders(dovecot: DovecotServer, user: MailUser, tls_ca: Path, names: list[str]) -> None:
    context = ssl.create_default_context(cafile=str(tls_ca))
    with imaplib.IMAP4_SSL("localhost", dovecot.ports["imaps"], ssl_context=context) as connection:
        connection.login(user.name, user.password)
        for name in names:
            status, answer = connection.create(f'"{name}"')
            assert status == "OK", answer


def with_real_connectors(ui, port: int, tls_ca: Path, user: MailUser | None = None):
    async def setup() -> None:
        await ui.context.profiles.add(
            ProfileInput(
                name="Dovecot",
                kind=ProfileKind.IMAP,
                incoming_host="localhost",
                incoming_port=port,
                ca_file=str(tls_ca),
            )
        )
        await ui.context.directory.add_user(ALICE, "Alice Martin")
        await ui.context.mailboxes.add(
            ALICE,
            "Dovecot",
            user_email=ALICE,
            login=user.name if user else "nobody",
            password=user.password if user else "pw",
        )

    return setup()


@pytest.mark.dovecot
def test_tracked_folders_come_from_dovecot_at_most_25_with_a_regarding(
    ui, run, qtbot, dovecot: DovecotServer, mail_user: MailUser, tls_ca: Path, tmp_path: Path
) -> None:
    run(with_real_connectors(ui, dovecot.ports["imaps"], tls_ca, mail_user))
    names = [f"INBOX/Project-{n:02d}" for n in range(1, 27)]
    imap_folders(dovecot, mail_user, tls_ca, [*names, "Archive"])
    engine = make_sync_engine(resolve_url(f"sqlite:///{tmp_path / 'ui.sqlite3'}"))
    try:
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO accounts (name, created_at) VALUES ('Contoso', CURRENT_TIMESTAMP)"))
            account_id = connection.execute(text("SELECT id FROM accounts WHERE name = 'Contoso'")).scalar_one()
            connection.execute(
                text(
                    "INSERT INTO contacts (full_name, email, created_from_email, modified_at) VALUES "
                    "('Marc Lefèvre', 'marc@contoso.test', 0, CURRENT_TIMESTAMP), "
                    "('Dan Brown', 'dan@customer.test', 0, CURRENT_TIMESTAMP)"
                )
            )
    finally:
        engine.dispose()
    ui.context = dataclasses.replace(
        ui.context, folders=FolderService(ui.store, MailConnectorFactory(), KeyringSecrets())
    )
    dialog = open_dialog(ui, run, qtbot)
    tab = dialog.folders_tab
    dialog.tabs.setCurrentWidget(tab)
    assert tab.loaded, tab.error.text()
    assert tab.status.text().endswith("Check the folders under the Inbox to track.")
    inbox = tab.item("INBOX")
    assert inbox is not None and inbox.text(0) == "Inbox" and inbox.childCount() == 26
    archive = tab.item("Archive")
    assert archive is not None and not archive.flags() & Qt.ItemFlag.ItemIsUserCheckable
    assert not inbox.flags() & Qt.ItemFlag.ItemIsUserCheckable  # the Inbox itself is not a tracked folder

    for name in names[:25]:
        tab.item(name).setCheckState(0, Qt.CheckState.Checked)
    assert not tab.limit_label.isVisible()
    tab.item(names[25]).setCheckState(0, Qt.CheckState.Checked)
    assert tab.item(names[25]).checkState(0) is Qt.CheckState.Unchecked
    assert tab.limit_label.isVisible()
    assert tab.limit_label.text() == "At most 25 folders can be tracked per mailbox: uncheck another folder first."
    assert len(tab.checked()) == 25

    tab.tree.setCurrentItem(tab.item(names[0]))
    assert tab.regarding.isEnabled()
    tab.regarding.setFocus()
    qtbot.keyClicks(tab.regarding, "nobody-matches-this")
    run(until(lambda: tab.regarding.matches.rowCount() == 1, what="the search"))
    assert tab.regarding.matches.index(0, 0).data().startswith("No account, contact or lead matches")
    assert not run(dialog.save_now())  # typed but not picked: said on the field, nothing written
    assert tab.fields.message("regarding").startswith("INBOX/Project-01: pick the record from the list")
    assert dialog.isVisible() and run(ui.context.folders.tracked(ALICE)) == []
    tab.regarding.clear()
    qtbot.keyClicks(tab.regarding, "CONTO")  # any case, part of a name (or of an email)
    run(until(lambda: tab.regarding.matches.rowCount() == 2, what="the matches"))
    texts = [tab.regarding.matches.index(r, 0).data() for r in range(2)]
    assert texts == ["Contoso (Account)", "Marc Lefèvre <marc@contoso.test> (Contact)"]
    popup = tab.regarding.completer.popup()
    run(until(popup.isVisible, what="the list under the field"))
    shot_with_popup(dialog, popup, "user-options-regarding-picker.png")
    popup.setCurrentIndex(tab.regarding.completer.completionModel().index(0, 0))
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    run(until(lambda: tab.regarding.choice() is not None, what="the pick"))
    assert tab.regarding.text() == "Contoso (Account)"
    assert tab.item(names[0]).text(1) == "Contoso (Account)"  # named, never account:12
    shot(dialog, "user-options-tracked-folders.png")
    assert run(dialog.save_now())

    tracked = {f.folder_name: f.regarding for f in run(ui.context.folders.tracked(ALICE))}
    assert set(tracked) == set(names[:25])
    assert tracked[names[0]] == (RecordType.ACCOUNT, account_id) and tracked[names[1]] is None

    again = open_dialog(ui, run, qtbot)
    assert set(again.folders_tab.checked()) == set(names[:25])
    assert again.folders_tab.item(names[0]).text(1) == "Contoso (Account)"
    again.folders_tab.item(names[1]).setCheckState(0, Qt.CheckState.Unchecked)
    again.folders_tab.item(names[25]).setCheckState(0, Qt.CheckState.Checked)
    assert run(again.save_now())
    assert {f.folder_name for f in run(ui.context.folders.tracked(ALICE))} == {names[0], *names[2:26]}


def test_folders_that_cannot_be_read_say_why_and_offer_retry(ui, run, qtbot, tls_ca: Path) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    run(with_real_connectors(ui, closed_port, tls_ca))
    ui.context = dataclasses.replace(
        ui.context, folders=FolderService(ui.store, MailConnectorFactory(), KeyringSecrets())
    )
    dialog = open_dialog(ui, run, qtbot)
    tab = dialog.folders_tab
    dialog.tabs.setCurrentWidget(tab)
    assert not tab.loaded
    assert tab.retry_button.isVisible() and tab.error.isVisible()
    assert tab.status.text() == "The server cannot be reached"
    assert tab.error.text()
    assert not tab.tree.isEnabled()
    shot(dialog, "user-options-folders-unreachable.png")
    # the rest of the dialog still saves
    dialog.tabs.setCurrentWidget(dialog.email_tab)
    dialog.email_tab.buttons[TrackingChoice.ALL].click()
    assert run(dialog.save_now())


def test_a_mailboxs_menu_opens_its_owners_options(ui, run, qtbot) -> None:
    from desktop_sync.ui.mailboxes_view import MailboxesPage

    run(ui.profile())
    run(ui.user(ALICE, "Alice Martin"))
    run(ui.context.mailboxes.add(ALICE, "Corp", user_email=ALICE, password="pw"))
    run(ui.context.mailboxes.add("shared@example.test", "Corp", password="pw"))
    page = MailboxesPage(ui.context, ui.presenter(), Answers())
    qtbot.addWidget(page)
    run(page.refresh())
    page.select_addresses(["shared@example.test"])
    assert not page.owner_options_action.isEnabled()  # nobody owns it
    page.select_addresses([ALICE])
    assert page.owner_options_action.isEnabled()
    page.owner_options_action.trigger()
    run(until(lambda: page.options_dialog is not None and page.options_dialog.isVisible(), what="the dialog"))
    dialog = page.options_dialog
    assert dialog is not None and dialog.user.email == ALICE
    assert dialog.folders_tab.mailbox == ALICE
    run(dialog._loading)
    assert dialog.folders_tab.item("INBOX") is not None  # the scripted server's one folder
    dialog.reject()
