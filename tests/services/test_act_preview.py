"""The ACT dry run as the application asks for it (SyncControl.preview) and as the admin reads it
(planned actions, record link states), on a real SQLite store and the scripted Exchange."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from support.scripted import ScriptedFactory, ScriptedServer

from desktop_sync.domain.act import (
    Adopt,
    Conflict,
    ConflictPolicy,
    CopyInCrm,
    CreateInCrm,
    CreateInExchange,
    DeleteInExchange,
    Skip,
    Unlink,
    UpdateInCrm,
    UpdateInExchange,
)
from desktop_sync.domain.errors import DesktopSyncError, NotFoundError, PermanentError
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
from desktop_sync.domain.validation import ProfileInput
from desktop_sync.engine.engine import EngineSettings
from desktop_sync.engine.events import EventBus
from desktop_sync.secrets import KeyringSecrets
from desktop_sync.services.act import ActService, LinkState, PlannedKind, Side, planned_action
from desktop_sync.services.directory import DirectoryService
from desktop_sync.services.mailboxes import MailboxService
from desktop_sync.services.monitoring import MonitoringService
from desktop_sync.services.profiles import ProfileService
from desktop_sync.services.sync_control import SyncControl
from desktop_sync.services.sync_filters import SyncFilterService
from desktop_sync.store import SqlStore, open_store

pytestmark = pytest.mark.asyncio
ALICE = "alice@example.test"
C, A, T = RecordType.CONTACT, RecordType.APPOINTMENT, RecordType.TASK


@pytest_asyncio.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqlStore]:
    opened = open_store(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    yield opened
    await opened.close()


async def alice(store: SqlStore, *, act_enabled: bool) -> MailboxId:
    secrets = KeyringSecrets()
    await ProfileService(store, secrets).add(
        ProfileInput(name="Corp", kind=ProfileKind.EXCHANGE, incoming_host="ex.example.test")
    )
    await DirectoryService(store).add_user(ALICE, "Alice")
    await MailboxService(store, secrets).add(ALICE, "Corp", user_email=ALICE, password="pw")
    async with store.transaction() as tx:
        mailbox = await tx.mailboxes.by_address(ALICE)
        assert mailbox is not None and mailbox.id is not None
        act = ChannelState(SyncMethod.SERVER_SIDE, act_enabled, ConnectionTestStatus.SUCCESS)
        await tx.mailboxes.update(dataclasses.replace(mailbox, approval=ApprovalState.APPROVED, act=act))
        return mailbox.id


def control(store: SqlStore, factory: ScriptedFactory | None) -> SyncControl:
    return SyncControl(
        store=store,
        secrets=KeyringSecrets(),
        connectors=factory,
        bus=EventBus(),
        monitoring=MonitoringService(store),
        settings=EngineSettings(tick_seconds=0.02, refresh_seconds=0.05, request_poll_seconds=0.05, push=False),
    )


async def snapshot(store: SqlStore, mailbox_id: MailboxId) -> tuple[object, ...]:
    async with store.transaction() as tx:
        return (
            [await tx.crm.list(t) for t in (A, C, T)],
            [await tx.act_links.list(mailbox_id, t) for t in (A, C, T)],
            await tx.cursors.get_all(mailbox_id, Channel.ACT),
            len(await tx.alerts.list()),
            len(await tx.failed_items.list()),
            await tx.conflicts.list(include_resolved=True),
        )


async def test_the_preview_plans_with_titles_and_changes_nothing_with_or_without_a_running_engine(
    store: SqlStore,
) -> None:
    mailbox_id = await alice(store, act_enabled=False)  # the running engine leaves ACT alone; a preview may run
    await SyncFilterService(store).add(ALICE, C, "Customers", Match.ALL, [parse_rule("company not_empty")])
    act = ActService(store)
    carol = await act.add(C, ALICE, {"first_name": "Carol", "last_name": "Customer", "company": "Contoso"})
    factory = ScriptedFactory(ScriptedServer())
    factory.exchange.add(T, {"subject": "Send the quote"})
    sync = control(store, factory)
    before = await snapshot(store, mailbox_id)

    for running in (False, True):
        if running:
            await sync.start()
        preview = await sync.preview(ALICE.upper())
        assert preview.address == ALICE and preview.skipped is None and preview.count() == 2
        [create] = preview.actions[C]
        assert (create.kind, create.side, create.title, create.local_id) == (
            PlannedKind.CREATE,
            Side.EXCHANGE,
            "Carol Customer",
            carol.id,
        )
        [incoming] = preview.actions[T]
        assert (incoming.kind, incoming.side, incoming.title, incoming.local_id) == (
            PlannedKind.CREATE,
            Side.CRM,
            "Send the quote",
            None,
        )
        assert preview.actions[A] == ()
        assert await snapshot(store, mailbox_id) == before
        assert factory.exchange.live(C) == {}
    await sync.stop()


async def test_a_preview_that_cannot_run_raises_what_the_presenter_shows(store: SqlStore) -> None:
    mailbox_id = await alice(store, act_enabled=True)
    factory = ScriptedFactory(ScriptedServer())
    sync = control(store, factory)
    with pytest.raises(NotFoundError):
        await sync.preview("nobody@example.test")
    with pytest.raises(DesktopSyncError) as unsupported:
        await control(store, None).preview(ALICE)
    assert unsupported.value.code == "not_supported"

    factory.exchange.fail_next.append(PermanentError("401 Unauthorized", code="auth_failed"))
    before = await snapshot(store, mailbox_id)
    with pytest.raises(DesktopSyncError) as failed:
        await sync.preview(ALICE)
    assert (failed.value.code, str(failed.value)) == ("auth_failed", "401 Unauthorized")
    assert await snapshot(store, mailbox_id) == before  # a dry run disables nothing, raises no alert
    async with store.transaction() as tx:
        mailbox = await tx.mailboxes.get(mailbox_id)
    assert mailbox is not None and mailbox.act.enabled


async def test_a_queue_mailbox_preview_says_why_nothing_would_be_done(store: SqlStore) -> None:
    secrets = KeyringSecrets()
    await ProfileService(store, secrets).add(
        ProfileInput(name="Corp", kind=ProfileKind.EXCHANGE, incoming_host="ex.example.test")
    )
    await DirectoryService(store).add_queue("support@example.test", "Support")
    await MailboxService(store, secrets).add(
        "support@example.test", "Corp", queue_email="support@example.test", password="pw"
    )
    preview = await control(store, ScriptedFactory(ScriptedServer())).preview("support@example.test")
    assert preview.count() == 0
    assert preview.skipped == "only a user's mailbox has appointments, contacts and tasks"


async def test_each_planner_action_reads_as_what_where_and_which_record() -> None:
    titles = {1: "Carol Customer"}
    cases = [
        (CreateInExchange(1, {}, send_invitations=True), PlannedKind.CREATE, Side.EXCHANGE),
        (UpdateInExchange(1, "S1", "ck", {"company": "x", "city": "y"}), PlannedKind.UPDATE, Side.EXCHANGE),
        (DeleteInExchange(1, "S1", "ck"), PlannedKind.DELETE, Side.EXCHANGE),
        (CreateInCrm("S2", "ck", {"full_name": "Dan Dealer"}), PlannedKind.CREATE, Side.CRM),
        (UpdateInCrm(1, "S1", "ck", {"phone": "1"}), PlannedKind.UPDATE, Side.CRM),
        (CopyInCrm(1, {"full_name": "Carol C."}), PlannedKind.COPY, Side.CRM),
        (Adopt(1, "S1", "ck", {}), PlannedKind.LINK, Side.BOTH),
        (Unlink(1, "S1", "left the sync filter; kept in Exchange"), PlannedKind.UNLINK, Side.BOTH),
        (Conflict(1, "S1", "company", "A", "B", ConflictPolicy.KEEP_CRM), PlannedKind.CONFLICT, Side.BOTH),
        (Skip(None, "S3", "no organizer"), PlannedKind.SKIP, Side.EXCHANGE),
        (Skip(1, None, "no organizer"), PlannedKind.SKIP, Side.CRM),
    ]
    read = [planned_action(C, action, titles) for action, _, _ in cases]
    assert [(p.kind, p.side) for p in read] == [(kind, side) for _, kind, side in cases]
    assert read[0].send_invitations and read[0].title == "Carol Customer"
    assert read[1].fields == ("company", "city")
    assert read[3].title == "Dan Dealer" and read[3].local_id is None and read[3].server_id == "S2"
    assert read[5].title == "Carol Customer"  # the record copied, by its CRM title
    assert read[7].reason == "left the sync filter; kept in Exchange"
    assert (read[8].fields, read[8].crm_value, read[8].exchange_value, read[8].kept) == (
        ("company",),
        "A",
        "B",
        ConflictPolicy.KEEP_CRM,
    )
    assert (read[9].title, read[9].server_id, read[9].reason) == ("", "S3", "no organizer")


async def test_records_say_where_they_stand(store: SqlStore) -> None:
    await alice(store, act_enabled=True)
    await SyncFilterService(store).add(ALICE, C, "Customers", Match.ALL, [parse_rule("company not_empty")])
    act = ActService(store, clock=lambda: dt.datetime(2026, 11, 25, tzinfo=dt.UTC))
    await DirectoryService(store).add_user("bob@example.test", "Bob")  # no mailbox
    await SyncFilterService(store).add("bob@example.test", C, "Customers", Match.ALL, [parse_rule("company not_empty")])
    selected = await act.add(C, ALICE, {"last_name": "Selected", "company": "Contoso"})
    outside = await act.add(C, ALICE, {"last_name": "Outside"})
    bobs = await act.add(C, "bob@example.test", {"last_name": "Bob's", "company": "Contoso"})
    states = {v.id: v.link_state for v in await act.records(C)}
    assert states == {
        selected.id: LinkState.PENDING,
        outside.id: LinkState.NOT_SELECTED,
        bobs.id: LinkState.NO_MAILBOX,
    }
    assert [v.title for v in await act.records(C, ALICE)] == ["Selected", "Outside"]
