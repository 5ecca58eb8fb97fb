"""Several engine hosts on one PostgreSQL store: each holds its fair share of the mailboxes within a
lease period of a host joining or leaving, a host stopping cleanly frees its leases at once, and the
store lists each host with what it holds."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from support.engine_world import World
from support.file_server import FileFactory
from support.waiting import eventually

from desktop_sync.domain.hosts import HostState
from desktop_sync.domain.ports.clock import utcnow
from desktop_sync.engine.engine import Engine, EngineSettings
from desktop_sync.secrets import KeyringSecrets
from desktop_sync.services.hosts import HostsService
from desktop_sync.services.monitoring import MonitoringService
from desktop_sync.store import SqlStore, open_store

pytestmark = [pytest.mark.asyncio, pytest.mark.postgres]
LEASE = 3.0  # seconds: a beat every half second


class Hosts:
    """In-process engines, each with a store of its own (its own connections), as separate hosts have."""

    def __init__(self, url: str, root: Path, **settings: float) -> None:
        self.url = url
        self.root = root
        self.settings = settings
        self.engines: dict[str, tuple[Engine, SqlStore, asyncio.Task[None]]] = {}

    async def start(self, name: str) -> Engine:
        store = open_store(self.url)
        engine = Engine(
            store=store,
            connectors=FileFactory(self.root),
            secrets=KeyringSecrets(),
            settings=EngineSettings(tick_seconds=0.05, lease_ttl_seconds=LEASE, push=False, **self.settings),  # type: ignore[arg-type]
            owner=name,
        )
        await engine.start()
        self.engines[name] = (engine, store, asyncio.create_task(engine.run()))
        return engine

    async def stop(self, name: str) -> None:
        engine, store, running = self.engines.pop(name)
        engine.request_stop()
        await running
        await engine.stop()
        await store.close()

    async def held(self, service: HostsService) -> dict[str, int]:
        report = await service.hosts()
        return {v.host.owner: v.host.mailboxes for v in report.hosts if v.state is HostState.RUNNING}


@pytest_asyncio.fixture
async def world(pg_url: str, tmp_path: Path) -> AsyncIterator[World]:
    store = open_store(pg_url)
    world = World(store, tmp_path)
    await world.profile()
    yield world
    await store.close()


async def test_hosts_hold_fair_shares_and_a_clean_stop_frees_its_leases_at_once(
    world: World, pg_url: str, tmp_path: Path
) -> None:
    mailboxes = [await world.mailbox(f"m{n}@example.test") for n in range(12)]
    for mailbox in mailboxes:
        (tmp_path / "mail" / mailbox.address).mkdir(parents=True)
    hosts = Hosts(pg_url, tmp_path / "mail")
    service = HostsService(world.store, utcnow)

    async def shares(expected: list[int]) -> None:
        async def check() -> bool:
            return sorted((await hosts.held(service)).values()) == expected

        await eventually(check, timeout=60, what=f"shares {expected}")

    try:
        first = await hosts.start("a")
        assert first.hosts.held is not None and len(first.hosts.held) == 12  # the first beat took them all
        await hosts.start("b")
        await shares([6, 6])
        await hosts.start("c")
        await shares([4, 4, 4])

        await hosts.stop("c")  # SIGINT/SIGTERM end the same way
        report = await service.hosts()
        assert [v.host.owner for v in report.hosts] == ["a", "b"]
        assert sum(v.host.mailboxes for v in report.hosts) == 8  # c's four are free at once
        await shares([6, 6])
        running = [v for v in report.hosts if v.state is HostState.RUNNING]
        assert {v.host.hostname for v in running} and all(v.host.taken_over_at is None for v in running)
    finally:
        for name in list(hosts.engines):
            await hosts.stop(name)
    assert (await service.hosts()).hosts == []


async def test_a_host_never_takes_a_mailbox_another_host_holds(world: World, pg_url: str, tmp_path: Path) -> None:
    """Claims are FOR UPDATE SKIP LOCKED: every mailbox is held by exactly one host, however they race."""
    mailboxes = [await world.mailbox(f"r{n}@example.test") for n in range(30)]
    for mailbox in mailboxes:
        (tmp_path / "mail" / mailbox.address).mkdir(parents=True)
    hosts = Hosts(pg_url, tmp_path / "mail")
    try:
        engines = [await hosts.start(name) for name in ("a", "b", "c", "d")]

        async def balanced() -> bool:
            held = [engine.hosts.held or set() for engine in engines]
            return sorted(len(h) for h in held) == [7, 7, 8, 8]

        await eventually(balanced, timeout=60, what="30 mailboxes shared 8, 8, 7, 7")
        held = [engine.hosts.held or set() for engine in engines]
        every = [m for h in held for m in h]
        assert len(every) == len(set(every)) == 30
    finally:
        for name in list(hosts.engines):
            await hosts.stop(name)


async def test_sync_now_reaches_the_host_holding_the_mailbox_at_once(world: World, pg_url: str, tmp_path: Path) -> None:
    """The engines here never look at the requests by themselves (once an hour): only PostgreSQL's
    NOTIFY can bring `sync now` to the host that holds the mailbox."""
    mailboxes = [await world.mailbox(f"n{n}@example.test") for n in range(4)]
    for mailbox in mailboxes:
        (tmp_path / "mail" / mailbox.address).mkdir(parents=True)
    hosts = Hosts(pg_url, tmp_path / "mail", request_poll_seconds=3600)
    try:
        engines = [await hosts.start(name) for name in ("a", "b")]

        async def first_cycles_done() -> bool:
            async with world.store.transaction() as tx:
                statuses = await tx.status.list()
            held = [len(engine.hosts.held or ()) for engine in engines]
            return held == [2, 2] and len(statuses) == 4 and all(s.last_sync_at for s in statuses)

        await eventually(first_cycles_done, timeout=60, what="each host's first cycles")
        target = mailboxes[3]
        assert target.id is not None
        async with world.store.transaction() as tx:
            before = (await tx.status.get(target.id)).last_sync_at
        assert before is not None
        await MonitoringService(world.store).request_sync(target.address)

        async def synced_again() -> bool:
            async with world.store.transaction() as tx:
                status = await tx.status.get(target.id)  # type: ignore[arg-type]
            return status.last_sync_at is not None and status.last_sync_at > before

        await eventually(synced_again, timeout=60, what="a cycle of the mailbox asked to sync now")
    finally:
        for name in list(hosts.engines):
            await hosts.stop(name)
