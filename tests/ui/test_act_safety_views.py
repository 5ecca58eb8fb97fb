"""The safety stop in the application: the alert's Confirm changes button, and the preview's."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from desktop_sync.domain.model import MailboxId
from desktop_sync.ui.act_preview_dialog import ActPreviewDialog
from desktop_sync.ui.act_view import ActRecordsPage
from desktop_sync.ui.alerts_view import AlertsPage
from desktop_sync.ui.mailboxes_view import MailboxesPage
from desktop_sync.ui.translation import LANGUAGE_ENV, install_translators
from tests.ui.conftest import UiWorld, until
from tests.ui.test_act_views import ALICE, C, conflict_on, contact, customers_filter, cycle, exchange_mailbox

pytestmark = pytest.mark.gui


@pytest.fixture(autouse=True)
def english(qapp) -> Iterator[None]:
    language, translators = install_translators(qapp, {LANGUAGE_ENV: "en"})
    assert language == "en"
    yield
    for translator in translators:
        qapp.removeTranslator(translator)


async def linked_then_leaving(ui: UiWorld, leaving: int = 6, count: int = 8) -> tuple[MailboxId, list[int]]:
    """``count`` linked contacts, of which ``leaving`` then leave the sync filter at once."""
    mailbox_id = await exchange_mailbox(ui)
    await customers_filter(ui)
    ids = [await contact(ui, ALICE, first_name=f"Carol {n}", company="Contoso") for n in range(count)]
    await cycle(ui, mailbox_id)
    async with ui.store.transaction() as tx:
        for record_id in ids[:leaving]:
            await tx.crm.update(C, record_id, {"company": None})
    return mailbox_id, ids


async def linked(ui: UiWorld, mailbox_id: MailboxId) -> int:
    async with ui.store.transaction() as tx:
        return len(await tx.act_links.list(mailbox_id, C))


def test_confirm_changes_on_the_alert_runs_the_held_plan_once(ui, run, qtbot):
    mailbox_id, _ = run(linked_then_leaving(ui))
    report = run(cycle(ui, mailbox_id))
    assert [t.held is not None for t in report.types if t.record_type is C] == [True]
    assert run(linked(ui, mailbox_id)) == 8

    page = AlertsPage(ui.context, ui.presenter())
    qtbot.addWidget(page)
    page.show()
    run(page.refresh())
    assert page.proxy.rowCount() == 1
    assert not page.confirm_action.isEnabled()  # nothing chosen yet
    page.table.setCurrentIndex(page.proxy.index(0, 0))
    assert page.held_plan() == (ALICE, "contact")
    assert page.confirm_action.isEnabled() and page.confirm_button.isEnabled()
    assert "unlink 6" in page.detail.text()
    messages: list[str] = []
    page.message.connect(messages.append)
    page.confirm_button.click()
    run(until(lambda: bool(messages), what="the confirmation's message"))
    assert messages == [f"The held changes of {ALICE} were applied once."]
    assert run(linked(ui, mailbox_id)) == 2
    assert len(ui.connectors.exchange.live(C)) == 8  # unlinked, kept in Exchange
    run(until(lambda: page.proxy.rowCount() == 0, what="the alert cleared"))
    assert not page.confirm_action.isEnabled()
    assert ui.shown == []


def test_other_alerts_offer_no_confirmation(ui, run, qtbot):
    mailbox_id, ids = run(linked_then_leaving(ui, leaving=0))
    run(conflict_on(ui, mailbox_id, ids[0], crm="Contoso Ltd", exchange="Contoso Inc"))  # an act_conflict alert
    page = AlertsPage(ui.context, ui.presenter())
    qtbot.addWidget(page)
    run(page.refresh())
    assert page.proxy.rowCount() == 1
    page.table.setCurrentIndex(page.proxy.index(0, 0))
    assert page.held_plan() is None and not page.confirm_action.isEnabled()


def test_the_preview_shows_a_held_plan_and_confirms_what_it_showed(ui, run, qtbot):
    mailbox_id, _ = run(linked_then_leaving(ui))
    page = MailboxesPage(ui.context, ui.presenter())
    qtbot.addWidget(page)
    page.show()
    run(page.refresh())
    page.select_addresses([ALICE])
    page.preview_action.trigger()
    run(until(lambda: isinstance(page.dialog, ActPreviewDialog), what="the preview dialog"))
    dialog = page.dialog
    assert isinstance(dialog, ActPreviewDialog)
    # the page owns the dialog, which deletes itself once the confirmation has run
    groups = [dialog.tree.topLevelItem(i).text(0) for i in range(dialog.tree.topLevelItemCount())]
    assert (
        "Contacts: 6 actions — held by the safety stop: too many links removed because of changes in the CRM" in groups
    )
    assert dialog.summary.text().startswith(f"The safety stop holds changes of {ALICE}")
    assert dialog.confirm_button.isVisible()
    assert run(linked(ui, mailbox_id)) == 8  # the preview wrote nothing
    messages: list[str] = []
    page.message.connect(messages.append)
    dialog.confirm_button.click()
    run(until(lambda: bool(messages), what="the confirmation's message"))
    assert messages == [f"The held changes of {ALICE} were applied once."]
    assert run(linked(ui, mailbox_id)) == 2
    assert ui.shown == []


def test_a_preview_without_a_held_plan_has_no_confirm_button(ui, run, qtbot):
    run(linked_then_leaving(ui, leaving=1))
    page = MailboxesPage(ui.context, ui.presenter())
    qtbot.addWidget(page)
    page.show()
    run(page.refresh())
    page.select_addresses([ALICE])
    page.preview_action.trigger()
    run(until(lambda: isinstance(page.dialog, ActPreviewDialog), what="the preview dialog"))
    dialog = page.dialog
    assert isinstance(dialog, ActPreviewDialog)
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.confirm_button.isVisible()


def test_deleting_a_record_in_the_application_deletes_its_exchange_item_at_the_next_cycle(ui, run, qtbot):
    mailbox_id, ids = run(linked_then_leaving(ui, leaving=0, count=3))
    asked: list[tuple[str, str]] = []
    answers = [False, True]

    async def ask(title: str, text: str) -> bool:
        asked.append((title, text))
        return answers.pop(0)

    page = ActRecordsPage(ui.context, ui.presenter(), asker=ask)
    qtbot.addWidget(page)
    page.show()
    page.show_type(C)
    page._reload.stop()  # the type's own reload would replace the rows (and the selection) mid-test
    run(page.refresh())
    assert not page.delete_action.isEnabled()  # nothing selected
    row = next(r for r in range(page.proxy.rowCount()) if page.proxy.index(r, 0).data() == "Carol 1 Customer")
    page.table.selectRow(row)
    assert page.selected_record() == (ids[1], "Carol 1 Customer")
    assert page.delete_action.isEnabled()
    page.delete_action.trigger()  # answered No: nothing happens
    run(until(lambda: len(asked) == 1, what="the question"))
    assert asked[0][0] == "Delete Contact" and "Carol 1 Customer" in asked[0][1]
    messages: list[str] = []
    page.message.connect(messages.append)
    page.delete_action.trigger()
    run(until(lambda: bool(messages) or bool(ui.shown), what="the deletion's message"))
    assert ui.shown == [] and len(asked) == 2
    assert messages == ["Contact deleted: Carol 1 Customer."]
    run(until(lambda: len(page.rows()) == 2, what="the list without it"))
    assert sorted(r["Name"] for r in page.rows()) == ["Carol 0 Customer", "Carol 2 Customer"]
    run(cycle(ui, mailbox_id))
    assert sorted(i.values["first_name"] for i in ui.connectors.exchange.live(C).values()) == ["Carol 0", "Carol 2"]
    assert ui.shown == []
