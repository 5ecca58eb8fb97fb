"""The list views: users & queues with their dialog, server profiles, the alerts wall, failed items."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from desktop_sync.domain.messages import LEGACY_TEXT
from desktop_sync.domain.model import (
    Alert,
    AlertScope,
    Channel,
    FailedItem,
    Severity,
)
from desktop_sync.engine.events import AlertRaised
from desktop_sync.ui.alerts_view import AlertsPage
from desktop_sync.ui.directory_view import DirectoryPage, EntryKind
from desktop_sync.ui.errors import ErrorPresenter, NotificationArea
from desktop_sync.ui.failed_items_view import FailedItemsPage
from desktop_sync.ui.formatting import format_when
from desktop_sync.ui.profiles_view import ProfilesPage
from tests.ui.conftest import save_grab, until

pytestmark = pytest.mark.gui
NOW = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)


def rows(model) -> list[list[str]]:
    return [[model.index(r, c).data() for c in range(model.columnCount())] for r in range(model.rowCount())]


def test_users_and_queues_list_and_the_add_dialog_shows_field_errors(ui, run, qtbot, tmp_path):
    run(ui.user("alice@example.test", "Alice"))
    run(ui.profile())
    run(ui.context.mailboxes.add("alice@example.test", "Corp", user_email="alice@example.test"))
    page = DirectoryPage(ui.context, ui.presenter())
    qtbot.addWidget(page)
    run(page.refresh())
    assert rows(page.model) == [
        ["Alice", "alice@example.test", "User", "alice@example.test", "Replies to tracked email"]
    ]

    dialog = page.open_dialog(EntryKind.QUEUE)
    assert dialog is not None
    dialog.email.setText("alice@example.test")  # already a user's address
    dialog.name.setText("")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    run(until(lambda: dialog.fields.has_errors(), what="errors"))
    assert dialog.fields.message("name") == "A name is required."
    assert dialog.email.text() == "alice@example.test"
    save_grab(dialog, tmp_path / "queue-dialog-errors.png")

    dialog.name.setText("Support")
    dialog.email.setText("support@example.test")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    run(until(lambda: page.model.rowCount() == 2, what="the new queue in the list"))
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert rows(page.model)[1][:3] == ["Support", "support@example.test", "Queue"]
    save_grab(page, tmp_path / "users-and-queues.png")


def test_profiles_list_shows_servers_and_usage_and_opens_the_editor(ui, run, qtbot, tmp_path):
    run(ui.profile())
    run(ui.context.mailboxes.add("a@example.test", "Corp"))
    page = ProfilesPage(ui.context, ui.presenter())
    qtbot.addWidget(page)
    run(page.refresh())
    [row] = rows(page.model)
    assert row[0] == "Corp" and row[2] == "imap.example.test:993 (TLS)" and row[5] == "1"
    assert not page.edit_action.isEnabled()
    page.select("Corp")
    assert page.edit_action.isEnabled()
    page.edit_action.trigger()
    run(until(lambda: page.dialog is not None and page.dialog.isVisible(), what="the editor"))
    assert page.dialog.name.text() == "Corp"
    page.dialog.reject()
    new = page.new_profile()
    assert new is not None and new.name.text() == ""
    save_grab(page, tmp_path / "server-profiles.png")


def test_deleting_a_profile_asks_first_and_is_refused_while_mailboxes_use_it(ui, run, qtbot):
    run(ui.profile())
    run(ui.profile("Spare"))
    run(ui.context.mailboxes.add("a@example.test", "Corp"))
    answers: list[bool] = []
    questions: list[str] = []

    async def ask(title: str, text: str) -> bool:
        questions.append(text)
        return answers.pop(0)

    page = ProfilesPage(ui.context, ui.presenter(), ask=ask)
    qtbot.addWidget(page)
    run(page.refresh())
    page.select("Spare")
    answers.append(False)  # No: nothing happens
    page.delete_action.trigger()
    run(until(lambda: not answers, what="the question"))
    run(until(lambda: page.delete_action.isEnabled(), what="the action to come back"))
    assert [r[0] for r in rows(page.model)] == ["Corp", "Spare"]
    assert "Delete the server profile Spare?" in questions[0]

    answers.append(True)  # Yes
    page.delete_action.trigger()
    run(until(lambda: [r[0] for r in rows(page.model)] == ["Corp"], what="Spare to go"))

    page.select("Corp")
    answers.append(True)
    page.delete_action.trigger()
    run(until(lambda: ui.shown, what="the refusal"))
    assert "1 mailbox uses this profile" in ui.shown[0].cause
    assert [r[0] for r in rows(page.model)] == ["Corp"]


async def _seed_alerts_and_failures(ui) -> None:
    await ui.profile()
    await ui.context.mailboxes.add("a@example.test", "Corp")
    await ui.context.mailboxes.add("b@example.test", "Corp")
    async with ui.store.transaction() as tx:
        a = await tx.mailboxes.by_address("a@example.test")
        b = await tx.mailboxes.by_address("b@example.test")
        for mailbox, severity, code in ((a, Severity.ERROR, "auth_failed"), (b, Severity.WARNING, "timeout")):
            await tx.alerts.add(
                Alert(
                    severity,
                    AlertScope.MAILBOX,
                    code,
                    {"title": f"title {code}", "cause": "cause", "fix": "fix"},
                    mailbox.id,
                    mailbox.profile_id,
                    created_at=NOW,
                    says=LEGACY_TEXT,
                )
            )
        await tx.failed_items.record(
            FailedItem(
                a.id,
                Channel.INCOMING,
                "INBOX;7",
                "malformed_message",
                "no From header",
                folder="INBOX",
                subject="Quarterly figures",
                sender="Dan Brown <dan@customer.test>",
                item_date=NOW - dt.timedelta(hours=2),
                last_failed_at=NOW,
            )
        )


def test_the_alerts_wall_filters_clears_and_tells_the_tray(ui, run, qtbot, tmp_path):
    run(_seed_alerts_and_failures(ui))
    page = AlertsPage(ui.context, ui.presenter())
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.error_alerts_changed, timeout=5000) as told:
        run(page.refresh())
    assert told.args[1] is False and len(told.args[0]) == 1
    assert page.proxy.rowCount() == 2

    page.filter_to(severity=Severity.WARNING)
    assert [page.proxy.index(r, 4).data() for r in range(page.proxy.rowCount())] == ["title timeout"]
    page.filter_to(where="mailbox:a@example.test")
    assert [page.proxy.index(r, 2).data() for r in range(page.proxy.rowCount())] == ["a@example.test"]
    page.filter_to()
    page.table.selectRow(0)
    assert "How to fix it:" in page.detail.text() and "cause" in page.detail.text()
    save_grab(page, tmp_path / "alerts.png")

    page.table.selectAll()
    with qtbot.waitSignal(page.error_alerts_changed, timeout=5000) as told:
        page.clear_action.trigger()
        run(until(lambda: page.model.rowCount() == 0, what="cleared alerts gone"))
    assert told.args == [set(), False]


def test_a_live_alert_reloads_the_wall_and_notifies_without_a_dialog(ui, run, qtbot):
    run(_seed_alerts_and_failures(ui))
    notifications = NotificationArea()
    qtbot.addWidget(notifications)
    presenter = ErrorPresenter(None, notifications, show_dialog=ui.shown.append)
    page = AlertsPage(ui.context, presenter)
    qtbot.addWidget(page)
    said = {"title": "Most mailboxes failing", "cause": "3 of 4", "fix": "check"}
    alert = Alert(Severity.ERROR, AlertScope.PROFILE, "profile_failing", said, says=LEGACY_TEXT)
    ui.bus.publish(AlertRaised(dataclasses.replace(alert, id=99)))
    run(until(lambda: page.model.rowCount() == 2, what="the reload"))
    assert notifications.shown() is not None and notifications.shown().title == "Most mailboxes failing"
    assert ui.shown == []  # background news never opens a dialog


def test_failed_items_say_why_and_retry_asks_for_a_cycle(ui, run, qtbot, tmp_path):
    run(_seed_alerts_and_failures(ui))
    page = FailedItemsPage(ui.context, ui.presenter())
    qtbot.addWidget(page)
    run(page.refresh())
    [row] = rows(page.model)
    # named by subject, sender and date; the server's reference only in the tooltip, for support
    assert row[:2] == ["Quarterly figures", "Dan Brown <dan@customer.test>"] and row[3] == "a@example.test"
    assert row[2] == format_when(NOW - dt.timedelta(hours=2))
    assert row[5] == "A message could not be read: no From header"
    assert not any("INBOX;7" in text for text in row)
    assert "Server reference (for support): INBOX;7" in page.model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole)
    cause = page.model.index(0, 5).data(Qt.ItemDataRole.ToolTipRole)
    assert "(Quarterly figures)" in cause and "INBOX;7" not in cause
    assert not page.retry_action.isEnabled()
    page.table.selectRow(0)
    assert page.retry_action.isEnabled()
    page.retry_action.trigger()
    run(until(lambda: page.retry_action.isEnabled(), what="the retry"))
    statuses = {s.mailbox.address: s.status for s in run(ui.context.monitoring.statuses())}
    assert statuses["a@example.test"].sync_requested_at is not None
    save_grab(page, tmp_path / "failed-items.png")


def test_deleting_mailboxes_asks_first_keeps_what_waits_to_be_sent_and_reports_it(ui, run, qtbot):
    from desktop_sync.services.activities import ActivityService
    from desktop_sync.ui.mailboxes_view import MailboxesPage

    run(ui.profile())
    run(ui.user("alice@example.test", "Alice"))
    run(ui.context.mailboxes.add("alice@example.test", "Corp", user_email="alice@example.test", password="pw"))
    run(ui.context.mailboxes.add("b@example.test", "Corp", password="pw"))
    run(ActivityService(ui.store).send_email("alice@example.test", ["carol@customer.test"], "Offer", body_text="x"))
    answers: list[bool] = []

    async def ask(title: str, text: str) -> bool:
        return answers.pop(0)

    page = MailboxesPage(ui.context, ui.presenter(), ask)
    qtbot.addWidget(page)
    run(page.refresh())
    page.select_addresses(["alice@example.test", "b@example.test"])
    assert page.delete_action.isEnabled()
    answers.append(False)
    page.delete_action.trigger()
    run(until(lambda: not answers and page.delete_action.isEnabled(), what="No to be answered"))
    assert page.model.rowCount() == 2

    answers.append(True)
    page.delete_action.trigger()
    run(until(lambda: page.model.rowCount() == 1, what="b to go"))
    assert [v.mailbox.address for v in run(ui.context.mailboxes.list())] == ["alice@example.test"]
    [report] = ui.shown
    assert "alice@example.test" in report.cause and "not sent yet" in report.cause
