"""Appointments, contacts and tasks in the window: the records with their link state, the new-record
dialog, the conflicts view and its three resolutions, and the dry-run preview from a mailbox's menu.

Links and conflicts are made the way the engine makes them: the ACT cycle runs against the scripted
Exchange of the UI world's connector factory, on a real SQLite store.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QDialog

from desktop_sync.domain.act import ConflictPolicy
from desktop_sync.domain.errors import PermanentError
from desktop_sync.domain.model import (
    ApprovalState,
    Channel,
    ChannelState,
    ConnectionTestStatus,
    MailboxId,
    ProfileKind,
    RecordType,
    SyncMethod,
)
from desktop_sync.domain.sync_filters import Match, parse_rule
from desktop_sync.engine.act_cycle import ActCycle, ActReport
from desktop_sync.engine.counters import Counters
from desktop_sync.engine.events import CycleFinished
from desktop_sync.engine.throttle import Throttles
from desktop_sync.secrets import KeyringSecrets
from desktop_sync.services.sync_filters import SyncFilterService
from desktop_sync.ui.act_preview_dialog import ActPreviewDialog
from desktop_sync.ui.act_view import ActRecordDialog, ActRecordsPage
from desktop_sync.ui.conflicts_view import ConflictsPage
from desktop_sync.ui.formatting import to_qdatetime
from desktop_sync.ui.mailboxes_view import MailboxesPage
from desktop_sync.ui.main_window import MainWindow, View
from desktop_sync.ui.translation import LANGUAGE_ENV, install_translators
from tests.ui.conftest import UiWorld, save_grab, until

pytestmark = pytest.mark.gui
ALICE = "alice@example.test"
BOB = "bob@example.test"
C, A, T = RecordType.CONTACT, RecordType.APPOINTMENT, RecordType.TASK
SHOTS = Path("/tmp/shots/gui-exchange")


@pytest.fixture(autouse=True)
def english(qapp) -> Iterator[None]:
    """The English catalogue, as the application loads it: counts read "1 field", "2 actions"."""
    language, translators = install_translators(qapp, {LANGUAGE_ENV: "en"})
    assert language == "en"
    yield
    for translator in translators:
        qapp.removeTranslator(translator)


@pytest.fixture
def shots() -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS


async def exchange_mailbox(ui: UiWorld, address: str = ALICE, name: str = "Alice Martin") -> MailboxId:
    """A user with an approved Exchange mailbox whose appointments, contacts and tasks are enabled."""
    if not await ui.context.profiles.list():
        await ui.profile(kind=ProfileKind.EXCHANGE)
    await ui.user(address, name)
    await ui.context.mailboxes.add(address, "Corp", user_email=address, password="pw")
    async with ui.store.transaction() as tx:
        mailbox = await tx.mailboxes.by_address(address)
        assert mailbox is not None and mailbox.id is not None
        on = ChannelState(SyncMethod.SERVER_SIDE, True, ConnectionTestStatus.SUCCESS)
        await tx.mailboxes.update(dataclasses.replace(mailbox, approval=ApprovalState.APPROVED, act=on))
        return mailbox.id


async def contact(ui: UiWorld, owner: str, **values: object) -> int:
    async with ui.store.transaction() as tx:
        user = await tx.users.by_email(owner)
        assert user is not None
        return await tx.crm.create(C, user.id, {"first_name": "Carol", "last_name": "Customer", **values})


async def customers_filter(ui: UiWorld, owner: str = ALICE) -> None:
    await SyncFilterService(ui.store).add(owner, C, "Customers", Match.ALL, [parse_rule("company not_empty")])


async def cycle(ui: UiWorld, mailbox_id: MailboxId) -> ActReport:
    """One real ACT cycle of the mailbox against the scripted Exchange, as the engine runs it."""
    act = ActCycle(
        store=ui.store,
        connectors=ui.connectors,
        secrets=KeyringSecrets(),
        throttles=Throttles(),
        bus=ui.bus,
        counters=Counters(),
        clock=lambda: dt.datetime.now(dt.UTC),
    )
    report = await act.run(mailbox_id)
    assert report.error is None and report.skipped is None, report
    return report


async def conflict_on(ui: UiWorld, mailbox_id: MailboxId, local_id: int, crm: str, exchange: str) -> None:
    """Change a linked contact's company on both sides, then sync: the conflict the engine records."""
    [server_id] = [sid for sid, item in ui.connectors.exchange.live(C).items() if item.origin == local_id]
    async with ui.store.transaction() as tx:
        await tx.crm.update(C, local_id, {"company": crm})
    ui.connectors.exchange.edit(C, server_id, company=exchange)
    await cycle(ui, mailbox_id)


async def crm_contacts(ui: UiWorld) -> dict[int, dict[str, object]]:
    async with ui.store.transaction() as tx:
        return dict(await tx.crm.list(C))


def test_records_show_their_link_state_and_follow_type_owner_search_and_cycles(ui, run, qtbot, shots):
    mailbox_id = run(exchange_mailbox(ui))
    run(ui.user(BOB, "Bob Durand"))
    linked = run(contact(ui, ALICE, company="Contoso", email="carol@contoso.test"))
    disputed = run(contact(ui, ALICE, first_name="Dan", last_name="Dealer", company="Tailspin"))
    run(contact(ui, ALICE, first_name="Erin", last_name="Outside"))  # no company: outside the filter
    run(contact(ui, BOB, first_name="Frank", last_name="Other", company="Fabrikam"))
    run(customers_filter(ui))
    run(cycle(ui, mailbox_id))
    run(conflict_on(ui, mailbox_id, disputed, crm="Tailspin Toys", exchange="Tailspin Ltd"))
    pending = run(contact(ui, ALICE, first_name="Gina", last_name="Later", company="Northwind"))
    soon = dt.datetime(2030, 1, 7, 9, 0, tzinfo=dt.UTC)
    ui.connectors.exchange.add(A, {"subject": "Planning", "organizer": ALICE, "starts_at": soon, "ends_at": soon})

    page = ActRecordsPage(ui.context, ui.presenter())
    qtbot.addWidget(page)
    page.show()  # a hidden page reloads when shown, not on every cycle
    page.resize(1200, 500)
    page.show_type(C)
    run(page.refresh())
    by_name = {row["Name"]: row for row in page.rows()}
    assert by_name["Carol Customer"]["Exchange"] == f"Linked in {ALICE}"
    assert by_name["Carol Customer"]["Email"] == "carol@contoso.test"
    assert by_name["Dan Dealer"]["Exchange"] == "In conflict (1 field): see Conflicts"
    assert by_name["Dan Dealer"]["Company"] == "Tailspin Toys"  # the CRM's value was kept
    assert by_name["Erin Outside"]["Exchange"] == "Not linked: no sync filter selects it"
    assert by_name["Frank Other"]["Exchange"] == "Not linked: its owner's mailbox does not sync it"  # Bob has none
    assert by_name["Gina Later"]["Exchange"] == "Waiting: goes to Exchange next cycle"
    assert by_name["Frank Other"]["Owner"] == BOB
    assert linked != pending
    save_grab(page, shots / "act-records-contacts.png")

    page.search.setText("tailspin")
    assert [row["Name"] for row in page.rows()] == ["Dan Dealer"]
    page.search.clear()

    page.user.setCurrentIndex(page.user.findData(BOB))
    run(until(lambda: [row["Name"] for row in page.rows()] == ["Frank Other"], what="Bob's contacts only"))
    page.user.setCurrentIndex(0)
    run(until(lambda: len(page.rows()) == 5, what="every owner's contacts"))

    # the engine's next cycle links Gina; the page hears that the cycle finished and reloads
    run(cycle(ui, mailbox_id))
    ui.bridge.publish(CycleFinished(mailbox_id, ALICE, dt.datetime.now(dt.UTC), 1, 0.1))
    run(
        until(
            lambda: {r["Name"]: r["Exchange"] for r in page.rows()}["Gina Later"] == f"Linked in {ALICE}",
            what="the reload after the cycle",
        )
    )

    page.show_type(A)
    run(until(lambda: "Subject" in (page.rows() or [{}])[0], what="the appointments"))
    assert [(row["Subject"], row["Organizer"], row["Exchange"]) for row in page.rows()] == [
        ("Planning", ALICE, f"Linked in {ALICE}")
    ]
    page.show_type(T)
    run(until(lambda: page.model.columnCount() and page.model.headerData(2, Qt.Orientation.Horizontal) == "Due"))
    assert page.rows() == [] and page.empty.label.text() == "No tasks."
    save_grab(page, shots / "act-records-empty-tasks.png")


def test_the_new_record_dialog_shows_errors_on_their_fields_keeps_input_and_adds(ui, run, qtbot, shots):
    run(exchange_mailbox(ui))
    run(ui.user(BOB, "Bob Durand"))
    page = ActRecordsPage(ui.context, ui.presenter())
    qtbot.addWidget(page)
    page.show_type(A)
    run(page.refresh())

    dialog = page.open_dialog()
    assert isinstance(dialog, ActRecordDialog) and dialog.windowTitle() == "New appointment"
    assert dialog.owner.currentData() == ALICE and dialog.organizer.text() == ALICE
    dialog.owner.setCurrentIndex(dialog.owner.findData(BOB))
    assert dialog.organizer.text() == BOB  # the organizer follows the owner...
    dialog.organizer.setText(ALICE)
    dialog.owner.setCurrentIndex(dialog.owner.findData(ALICE))
    dialog.owner.setCurrentIndex(dialog.owner.findData(BOB))
    assert dialog.organizer.text() == ALICE  # ...until the admin types another one
    dialog.owner.setCurrentIndex(dialog.owner.findData(ALICE))
    start = to_qdatetime(dt.datetime(2030, 3, 4, 10, 0, tzinfo=dt.UTC))
    dialog.starts_at.setDateTime(start)
    dialog.ends_at.setDateTime(start.addSecs(-3600))  # before the start
    dialog.location.setText("Room 2")
    dialog.attendees.setText("carol@contoso.test, not an address")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    run(until(dialog.fields.has_errors, what="the attendee error"))
    assert dialog.fields.message("attendees") == "' not an address' is not a valid email address."
    assert dialog.fields.message("end") == ""  # checked by the service, after the form's own checks
    assert dialog.attendees.text() == "carol@contoso.test, not an address"  # kept

    dialog.attendees.setText("carol@contoso.test")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    run(until(lambda: dialog.fields.message("end") != "", what="the end error"))
    assert dialog.fields.message("end") == "The end is before the start."
    save_grab(dialog, shots / "new-appointment-errors.png")

    dialog.ends_at.setDateTime(start.addSecs(3600))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    run(until(lambda: dialog.fields.message("subject") != "", what="the subject error"))
    assert dialog.fields.message("subject") == "An appointment needs a subject."
    assert dialog.fields.message("end") == ""

    dialog.subject.setText("Quarterly review")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    run(until(lambda: dialog.result() == QDialog.DialogCode.Accepted, what="the dialog to close"))
    run(until(lambda: [r["Subject"] for r in page.rows()] == ["Quarterly review"], what="the new appointment"))

    async def stored():
        async with ui.store.transaction() as tx:
            return await tx.crm.list(A)

    [(_, values)] = run(stored())
    assert values["starts_at"] == dt.datetime(2030, 3, 4, 10, 0, tzinfo=dt.UTC)
    assert values["ends_at"] == dt.datetime(2030, 3, 4, 11, 0, tzinfo=dt.UTC)
    assert (values["location"], values["organizer"], values["attendees"], values["owner"]) == (
        "Room 2",
        ALICE,
        ("carol@contoso.test",),
        ALICE,
    )
    assert ui.shown == []

    contact_dialog = page.open_dialog(C)
    assert contact_dialog is not None
    contact_dialog.company.setText("Contoso")
    contact_dialog.email.setText("carol@")
    qtbot.mouseClick(contact_dialog.save_button, Qt.MouseButton.LeftButton)
    run(until(lambda: contact_dialog.fields.message("email") != "", what="the email error"))
    assert contact_dialog.fields.message("email") == "'carol@' is not a valid email address."
    contact_dialog.email.clear()
    qtbot.mouseClick(contact_dialog.save_button, Qt.MouseButton.LeftButton)
    run(until(lambda: contact_dialog.fields.message("last_name") != "", what="the name error"))
    assert contact_dialog.fields.message("last_name") == "A contact needs a name or an email address."
    assert contact_dialog.company.text() == "Contoso"
    save_grab(contact_dialog, shots / "new-contact-errors.png")
    contact_dialog.last_name.setText("Customer")
    qtbot.mouseClick(contact_dialog.save_button, Qt.MouseButton.LeftButton)
    run(until(lambda: contact_dialog.result() == QDialog.DialogCode.Accepted, what="the contact saved"))
    assert [(v["full_name"], v["company"]) for v in run(crm_contacts(ui)).values()] == [("Customer", "Contoso")]

    task_dialog = page.open_dialog(T)
    assert task_dialog is not None
    save_grab(task_dialog, shots / "new-task.png")
    task_dialog.due_at.check.setChecked(True)
    task_dialog.priority.setCurrentIndex(task_dialog.priority.findData("high"))
    task_dialog.percent_complete.setValue(40)
    qtbot.mouseClick(task_dialog.save_button, Qt.MouseButton.LeftButton)
    run(until(lambda: task_dialog.fields.message("subject") != "", what="the task subject error"))
    assert task_dialog.fields.message("subject") == "A task needs a subject."
    task_dialog.subject.setText("Call Carol back")
    qtbot.mouseClick(task_dialog.save_button, Qt.MouseButton.LeftButton)
    run(until(lambda: [r.get("Subject") for r in page.rows()] == ["Call Carol back"], what="the new task"))
    [row] = page.rows()
    assert (row["Priority"], row["% complete"], row["Status"]) == ("High", "40 %", "Not started")
    assert row["Due"] != "—"


def test_each_resolution_of_a_conflict_changes_the_store(ui, run, qtbot, shots):
    mailbox_id = run(exchange_mailbox(ui))
    ids = [run(contact(ui, ALICE, last_name=name, company="Contoso")) for name in ("Crm", "Exchange", "Both")]
    run(customers_filter(ui))
    run(cycle(ui, mailbox_id))
    for local_id, name in zip(ids, ("Crm", "Exchange", "Both"), strict=True):
        run(conflict_on(ui, mailbox_id, local_id, crm=f"{name} CRM Inc", exchange=f"{name} EWS Ltd"))

    page = ConflictsPage(ui.context, ui.presenter())
    qtbot.addWidget(page)
    page.resize(1200, 420)
    run(page.refresh())
    assert page.policy_label.text().startswith(
        "Default policy: when the same field changed on both sides, the CRM's value is kept and sent to Exchange"
    )
    rows = {
        page.model.index(r, 0).data(): [page.model.index(r, c).data() for c in range(page.model.columnCount())]
        for r in range(page.model.rowCount())
    }
    assert rows["Carol Crm"][1:7] == ["Contact", "Company", "Crm CRM Inc", "Crm EWS Ltd", "CRM", ALICE]
    assert rows["Carol Crm"][8] == "Open"
    assert not page.keep_crm_action.isEnabled()  # nothing selected
    save_grab(page, shots / "conflicts.png")

    conflict_ids = {
        page.model.index(r, 0).data(): page.model.index(r, 0).data(Qt.ItemDataRole.UserRole) for r in range(3)
    }

    def resolve(name: str, button) -> None:
        page.select_ids([conflict_ids[name]])
        assert button.isEnabled()
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        run(until(lambda: page.model.rowCount() == before - 1, what=f"{name}'s conflict gone"))

    before = 3
    resolve("Carol Crm", page.buttons[page.keep_crm_action])
    before = 2
    resolve("Carol Exchange", page.buttons[page.keep_exchange_action])
    before = 1
    resolve("Carol Both", page.buttons[page.keep_both_action])
    assert page.empty.label.isVisible() or page.model.rowCount() == 0
    assert not page.keep_both_action.isEnabled()

    contacts = run(crm_contacts(ui))
    assert contacts[ids[0]]["company"] == "Crm CRM Inc"  # kept the CRM's
    assert contacts[ids[1]]["company"] == "Exchange EWS Ltd"  # took Exchange's
    assert contacts[ids[2]]["company"] == "Both CRM Inc"  # kept as it was...
    copies = [v for k, v in contacts.items() if k not in ids]
    assert [(v["last_name"], v["company"], v["owner"]) for v in copies] == [("Both", "Both EWS Ltd", ALICE)]
    assert run(ui.context.act.conflicts()) == []

    page.show_resolved.setChecked(True)
    run(until(lambda: page.model.rowCount() == 3, what="the resolved conflicts"))
    resolutions = sorted(page.model.index(r, 8).data() for r in range(3))
    assert resolutions == ["Kept Exchange's", "Kept both (a copy)", "Kept the CRM's"]
    page.select_ids([conflict_ids["Carol Crm"]])
    assert not page.keep_crm_action.isEnabled()  # a resolved conflict is not resolved again
    save_grab(page, shots / "conflicts-resolved.png")

    # the next cycle carries the choices to Exchange: Exchange's value stays, the CRM's goes there
    run(cycle(ui, mailbox_id))
    by_origin = {item.origin: item.values["company"] for item in ui.connectors.exchange.live(C).values()}
    assert by_origin[ids[0]] == "Crm CRM Inc" and by_origin[ids[1]] == "Exchange EWS Ltd"


def test_the_preview_from_a_mailbox_menu_lists_planned_actions_and_writes_nothing(ui, run, qtbot, shots):
    mailbox_id = run(exchange_mailbox(ui))
    run(customers_filter(ui))
    linked = run(contact(ui, ALICE, last_name="Linked", company="Contoso"))
    run(cycle(ui, mailbox_id))
    run(contact(ui, ALICE, last_name="New", company="Northwind"))  # will be created in Exchange

    async def edit() -> None:
        async with ui.store.transaction() as tx:
            await tx.crm.update(C, linked, {"job_title": "Buyer"})  # will be updated in Exchange

    run(edit())
    ui.connectors.exchange.add(T, {"subject": "Send the quote", "status": "in_progress"})  # comes to the CRM
    ui.connectors.exchange.add(  # skipped, with its reason
        A, {"subject": "No organizer", "starts_at": dt.datetime(2030, 1, 7, 9, 0, tzinfo=dt.UTC)}
    )

    async def snapshot():
        async with ui.store.transaction() as tx:
            return (
                [await tx.crm.list(t) for t in (A, C, T)],
                [await tx.act_links.list(mailbox_id, t) for t in (A, C, T)],
                await tx.cursors.get_all(mailbox_id, Channel.ACT),
                len(await tx.alerts.list()),
                len(await tx.failed_items.list()),
            )

    before = run(snapshot())
    exchange_before = {t: {k: dict(v.values) for k, v in ui.connectors.exchange.live(t).items()} for t in (A, C, T)}

    page = MailboxesPage(ui.context, ui.presenter())
    qtbot.addWidget(page)
    page.resize(1100, 400)
    page.show()
    run(page.refresh())
    page.select_addresses([ALICE])
    assert page.preview_action.isEnabled()
    page._context_menu(QPoint(40, 40))
    assert page.context_menu is not None and page.preview_action in page.context_menu.actions()
    page.context_menu.close()
    page.preview_action.trigger()
    run(until(lambda: isinstance(page.dialog, ActPreviewDialog), what="the preview dialog"))
    dialog = page.dialog
    assert isinstance(dialog, ActPreviewDialog)
    qtbot.addWidget(dialog)
    groups = {
        dialog.tree.topLevelItem(i).text(0): [
            [dialog.tree.topLevelItem(i).child(j).text(c) for c in range(4)]
            for j in range(dialog.tree.topLevelItem(i).childCount())
        ]
        for i in range(dialog.tree.topLevelItemCount())
    }
    assert groups["Contacts: 2 actions"] == [
        ["Update", "Exchange", "Carol Linked", "Fields: Job title"],  # named, without record ids
        ["Create", "Exchange", "Carol New", ""],
    ]
    assert groups["Tasks: 1 action"] == [["Create", "CRM", "Send the quote", ""]]
    assert groups["Appointments: 1 action"] == [
        [
            "Skip",
            "Exchange",
            "No organizer",
            "An appointment without an organizer is not synchronized",
        ]
    ]
    assert dialog.summary.text().startswith(f"The next synchronization of {ALICE} would take 4 actions.")
    assert "nothing has been changed" in dialog.summary.text()
    save_grab(dialog, shots / "preview.png")

    assert run(snapshot()) == before
    assert {t: {k: dict(v.values) for k, v in ui.connectors.exchange.live(t).items()} for t in (A, C, T)} == (
        exchange_before
    )
    assert ui.shown == []


def test_a_preview_that_cannot_reach_exchange_goes_to_the_error_presenter(ui, run, qtbot):
    mailbox_id = run(exchange_mailbox(ui))
    ui.connectors.exchange.fail_next.append(PermanentError("401 Unauthorized", code="auth_failed"))
    page = MailboxesPage(ui.context, ui.presenter())
    qtbot.addWidget(page)
    run(page.refresh())
    page.select_addresses([ALICE])
    page.preview_action.trigger()
    run(until(lambda: bool(ui.shown), what="the error report"))
    assert not isinstance(page.dialog, ActPreviewDialog)
    assert "auth_failed" in ui.shown[0].details

    async def state():
        async with ui.store.transaction() as tx:
            mailbox = await tx.mailboxes.get(mailbox_id)
            return mailbox.act.enabled if mailbox else None, len(await tx.alerts.list())

    assert run(state()) == (True, 0)  # a dry run disables nothing and raises no alert


def test_the_window_offers_both_views_and_refreshes_them(ui, run, qtbot, shots):
    mailbox_id = run(exchange_mailbox(ui))
    run(customers_filter(ui))
    local_id = run(contact(ui, ALICE, company="Contoso"))
    run(cycle(ui, mailbox_id))
    run(conflict_on(ui, mailbox_id, local_id, crm="Fabrikam", exchange="Northwind"))
    window = MainWindow(database_label="sqlite:///test", has_profiles=True, context=ui.context)
    qtbot.addWidget(window)
    window.show()
    run(window.refresh_all())
    assert window.navigation_item(View.ACT_RECORDS).text() == "Appointments, contacts & tasks"
    assert window.navigation_item(View.CONFLICTS).text() == "Conflicts"
    window.show_view(View.ACT_RECORDS)
    window.act_page.show_type(C)
    run(until(lambda: len(window.act_page.rows()) == 1, what="the contact"))
    save_grab(window, shots / "window-act-records.png")
    window.show_view(View.CONFLICTS)
    assert window.conflicts_page.model.rowCount() == 1
    save_grab(window, shots / "window-conflicts.png")

    # resolved elsewhere (the CLI): coming back to a view shows the store as it is now
    [conflict] = run(ui.context.act.conflicts())
    run(ui.context.act.resolve(conflict["id"], ConflictPolicy.KEEP_CRM))
    window.show_view(View.ACT_RECORDS)
    run(until(lambda: window.act_page.rows()[0]["Exchange"] == f"Linked in {ALICE}", what="the record linked"))
    window.show_view(View.CONFLICTS)
    run(until(lambda: window.conflicts_page.model.rowCount() == 0, what="the conflict gone"))
    assert ui.shown == []


def test_the_new_views_and_dialogs_speak_french(ui, run, qtbot, qapp, shots):
    language, translators = install_translators(qapp, {LANGUAGE_ENV: "fr"})  # installed last, asked first
    assert language == "fr"
    try:
        mailbox_id = run(exchange_mailbox(ui))
        run(customers_filter(ui))
        local_id = run(contact(ui, ALICE, company="Contoso"))
        run(cycle(ui, mailbox_id))
        run(conflict_on(ui, mailbox_id, local_id, crm="Fabrikam", exchange="Northwind"))
        run(contact(ui, ALICE, last_name="Nouveau", company="Tailspin"))

        page = ActRecordsPage(ui.context, ui.presenter())
        qtbot.addWidget(page)
        page.resize(1200, 360)
        page.show_type(C)
        run(page.refresh())
        assert page.title_label.text() == "Rendez-vous, contacts et tâches"
        assert {row["Nom"]: row["Exchange"] for row in page.rows()} == {
            "Carol Customer": "En conflit (1 champ) : voir Conflits",
            "Carol Nouveau": "En attente : va dans Exchange au prochain cycle",
        }
        save_grab(page, shots / "act-records-fr.png")
        dialog = page.open_dialog(T)
        assert dialog is not None and dialog.windowTitle() == "Nouvelle tâche"
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
        run(until(lambda: dialog.fields.message("subject") != "", what="the subject error"))
        assert dialog.fields.message("subject") == "Une tâche doit avoir un objet."
        save_grab(dialog, shots / "new-task-fr.png")
        dialog.reject()

        conflicts = ConflictsPage(ui.context, ui.presenter())
        qtbot.addWidget(conflicts)
        conflicts.resize(1200, 300)
        run(conflicts.refresh())
        assert conflicts.keep_both_action.text() == "Garder les &deux"
        assert conflicts.model.index(0, 2).data() == "Société"
        save_grab(conflicts, shots / "conflicts-fr.png")

        preview = run(ui.context.sync.preview(ALICE))
        preview_dialog = ActPreviewDialog(preview)
        qtbot.addWidget(preview_dialog)
        assert preview_dialog.tree.topLevelItem(1).text(0) == "Contacts : 1 action"
        assert preview_dialog.tree.topLevelItem(1).child(0).text(0) == "Créer"
        save_grab(preview_dialog, shots / "preview-fr.png")
    finally:
        for translator in translators:
            qapp.removeTranslator(translator)
