"""The engine as the desktop application drives it: start, pause, resume, Sync now and Test & Enable."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from support.scripted import ScriptedFactory, ScriptedServer, message
from support.waiting import eventually

from desktop_sync.domain.errors import NotFoundError
from desktop_sync.domain.model import ApprovalState, ChannelState, ConnectionTestStatus, ProfileKind, SyncMethod
from desktop_sync.domain.validation import ProfileInput
from desktop_sync.engine.engine import EngineSettings
from desktop_sync.engine.events import CycleFinished, Event, EventBus
from desktop_sync.secrets import KeyringSecrets
from desktop_sync.services.mailboxes import MailboxService
from desktop_sync.services.monitoring import MonitoringService
from desktop_sync.services.profiles import ProfileService
from desktop_sync.services.sync_control import EngineStatus, StatusChange, SyncControl
from desktop_sync.store import SqlStore, open_store

pytestmark = pytest.mark.asyncio


@pytest_asyncio.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqlStore]:  # the store lives on the test's loop
    opened = open_store(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    yield opened
    await opened.close()


async def _world(store: SqlStore) -> MailboxService:
    secrets = KeyringSecrets()
    await ProfileService(store, secrets).add(
        ProfileInput(name="Corp", kind=ProfileKind.IMAP, incoming_host="imap.example.test", outgoing_host="smtp.t")
    )
    mailboxes = MailboxService(store, secrets)
    await mailboxes.add("alice@example.test", "Corp", password="pw")
    await mailboxes.approve("alice@example.test")
    return mailboxes


def _control(store: SqlStore, server: ScriptedServer | None, bus: EventBus) -> SyncControl:
    return SyncControl(
        store=store,
        secrets=KeyringSecrets(),
        connectors=ScriptedFactory(server) if server else None,
        bus=bus,
        monitoring=MonitoringService(store),
        settings=EngineSettings(tick_seconds=0.02, refresh_seconds=0.05, request_poll_seconds=0.05, push=False),
    )


async def test_test_and_enable_then_the_engine_syncs_and_pause_resume_keep_the_bus(store: SqlStore) -> None:
    await _world(store)
    server = ScriptedServer()
    server.deliver("alice@example.test", message(1))
    bus = EventBus()
    seen: list[Event] = []
    bus.subscribe(seen.append)
    control = _control(store, server, bus)
    statuses: list[StatusChange] = []
    control.subscribe(statuses.append)

    [outcome] = await control.test_and_enable(["alice@example.test"])
    assert outcome.report is not None and outcome.report.ok

    await control.start()
    try:
        await eventually(lambda: _finished(seen), what="a first cycle")
        await control.pause()
        assert control.status.status is EngineStatus.PAUSED
        paused = await control.sync_now(["alice@example.test"])
        assert paused.requested == ("alice@example.test",) and not paused.started

        server.deliver("alice@example.test", message(2))
        await control.resume()
        await eventually(lambda: _finished(seen, items=1, count=2), what="a cycle after resuming")
    finally:
        await control.stop()
    assert [s.status for s in statuses] == [
        EngineStatus.RUNNING,
        EngineStatus.PAUSED,
        EngineStatus.RUNNING,
        EngineStatus.STOPPED,
    ]


async def test_without_connectors_the_engine_is_unavailable_and_test_and_enable_says_why(store: SqlStore) -> None:
    await _world(store)
    control = _control(store, None, EventBus())
    await control.start()
    assert control.status.status is EngineStatus.UNAVAILABLE
    [outcome] = await control.test_and_enable(["alice@example.test"])
    assert outcome.report is None and outcome.error is not None
    result = await control.sync_all()
    assert result.started == () and result.requested == ()  # nothing is enabled


async def test_sync_now_in_a_running_engine_jumps_the_queue(store: SqlStore) -> None:
    await _world(store)
    async with store.transaction() as tx:
        mailbox = await tx.mailboxes.by_address("alice@example.test")
        assert mailbox is not None
        on = ChannelState(SyncMethod.SERVER_SIDE, True, ConnectionTestStatus.SUCCESS)
        await tx.mailboxes.update(dataclasses.replace(mailbox, incoming=on, approval=ApprovalState.APPROVED))
    bus = EventBus()
    seen: list[Event] = []
    bus.subscribe(seen.append)
    control = _control(store, ScriptedServer(), bus)
    await control.start()
    try:
        await eventually(lambda: _finished(seen), what="the first cycle")
        result = await control.sync_all()
        assert result.started == ("alice@example.test",)
        await eventually(lambda: _finished(seen, count=2), what="the Sync now cycle")
    finally:
        await control.stop()


async def _finished(seen: list[Event], items: int = 0, count: int = 1) -> bool:
    done = [e for e in seen if isinstance(e, CycleFinished)]
    return len(done) >= count and sum(e.items for e in done) >= items


async def test_as_the_command_line_builds_it_with_no_bus_and_no_engine_test_and_enable_runs(store: SqlStore) -> None:
    mailboxes = await _world(store)
    control = SyncControl(store=store, secrets=KeyringSecrets(), connectors=ScriptedFactory(ScriptedServer()))

    [outcome] = await control.test_and_enable(["alice@example.test"])
    assert outcome.report is not None and outcome.report.ok
    assert (await mailboxes.get("alice@example.test")).incoming.enabled
    assert control.status.status is EngineStatus.STOPPED  # nothing was started to test

    [unknown] = await control.test_and_enable(["nobody@example.test"])
    assert isinstance(unknown.error, NotFoundError) and unknown.error.field == "address"
    for act_run in (control.dry_run_report, control.confirm_report):
        with pytest.raises(NotFoundError) as refused:
            await act_run("nobody@example.test")
        assert refused.value.field == "address" and refused.value.message.endswith("no mailbox nobody@example.test")
