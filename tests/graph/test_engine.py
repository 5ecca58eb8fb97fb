"""The engine with Exchange Online mailboxes against the Graph test server: an import where each message
lands once, idle cycles of one delta request per folder, a sent mail once in Sent Items even when the
connection breaks after the server took it, and a 429 storm that slows the engine without losing or
failing anything."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from oauth.provider import OAuthProvider

from desktop_sync.domain.model import ActivityStatus
from desktop_sync.engine.cycle_context import CycleSettings
from desktop_sync.engine.engine import Engine
from desktop_sync.services.activities import ActivityService
from desktop_sync.store import open_store

from .client import ALICE, BOB, mime
from .engine_kit import GraphWorld
from .server import GraphServer

pytestmark = pytest.mark.asyncio


@pytest_asyncio.fixture
async def world(
    tmp_path: Path, graph_server: GraphServer, oauth_provider: OAuthProvider, tls_ca: Path
) -> AsyncIterator[GraphWorld]:
    store = open_store(f"sqlite:///{tmp_path / 'graph.sqlite3'}")
    made = GraphWorld(store, graph_server, oauth_provider, tls_ca)
    try:
        yield made
    finally:
        await made.close()
        await store.close()


def deliver(server: GraphServer, count: int, prefix: str = "import") -> None:
    for n in range(count):
        server.store.deliver(ALICE, mime(f"{prefix} {n}", message_id=f"<{prefix}-{n}@contoso.test>"))


async def import_all(world: GraphWorld, engine: Engine, expected: int) -> int:
    cycles = 0
    while engine.items_committed < expected:
        before = engine.items_committed
        await world.cycle(engine)
        cycles += 1
        assert engine.items_committed > before, "a cycle imported nothing"
    return cycles


async def imported(world: GraphWorld) -> list[str]:
    async with world.store.transaction() as tx:
        return [a.message_id or "" for a in await tx.activities.list(limit=100_000)]


async def problems(world: GraphWorld) -> tuple[list[str], list[str]]:
    async with world.store.transaction() as tx:
        failed = [f"{f.code}: {f.reason}" for f in await tx.failed_items.list()]
        alerts = [a.code for a in await tx.alerts.list()]
    return failed, alerts


def calls_after(server: GraphServer, start: int) -> list[str]:
    return [f"{c.method} {c.path.split('/users/')[-1]}" for c in server.calls[start:]]


@pytest.mark.slow
async def test_a_large_mailbox_is_imported_once_and_then_costs_one_request_per_cycle(
    world: GraphWorld, graph_server: GraphServer
) -> None:
    await world.profile()
    await world.mailbox(ALICE)
    deliver(graph_server, 10_000)
    engine = await world.engine(cycle=CycleSettings(items_per_cycle=2_500))
    await import_all(world, engine, 10_000)
    ids = await imported(world)
    assert len(ids) == 10_000 and len(set(ids)) == 10_000  # each exactly once
    assert await problems(world) == ([], [])
    mailbox = graph_server.store.mailbox(ALICE)
    assert mailbox is not None and all(m.categories == ["Tracked to CRM"] for m in mailbox.messages.values())

    await world.cycle(engine)  # the categories we wrote come back once as changes: listed, not read again
    start = len(graph_server.calls)
    await world.cycle(engine)
    assert calls_after(graph_server, start) == ["GET alice@contoso.test/mailFolders/inbox/messages/delta"]
    assert len(await imported(world)) == 10_000


async def test_without_a_category_the_second_cycle_is_one_request(world: GraphWorld, graph_server: GraphServer) -> None:
    await world.profile(tracked_category="")
    await world.mailbox(ALICE)
    deliver(graph_server, 30)
    engine = await world.engine()
    await world.cycle(engine)
    assert len(await imported(world)) == 30
    start = len(graph_server.calls)
    await world.cycle(engine)
    assert calls_after(graph_server, start) == ["GET alice@contoso.test/mailFolders/inbox/messages/delta"]
    graph_server.store.deliver(ALICE, mime("one more", message_id="<one-more@contoso.test>"))
    await world.cycle(engine)
    assert len(await imported(world)) == 31


async def test_a_sent_mail_is_once_in_sent_items_even_when_the_answer_is_lost(
    world: GraphWorld, graph_server: GraphServer
) -> None:
    await world.profile()
    await world.mailbox(ALICE)
    graph_server.store.add_mailbox(BOB)
    activities = ActivityService(world.store)
    email = await activities.send_email(ALICE, [BOB], "Quote", body_text="Here is the quote.")
    graph_server.faults.drop_after(1, path="/sendMail")  # the server sends it; the engine never hears
    engine = await world.engine()
    await world.cycle(engine)
    async with world.store.transaction() as tx:
        found = await tx.outgoing.get(email.id)
    assert found is not None and found.status is ActivityStatus.SENT
    await world.cycle(engine)
    assert len(graph_server.sent) == 1
    mailbox = graph_server.store.mailbox(ALICE)
    assert mailbox is not None
    copies = [m for m in mailbox.messages.values() if m.resource()["internetMessageId"] == email.message_id]
    assert len(copies) == 1 and mailbox.folders[copies[0].folder_id].well_known == "sentitems"


async def test_a_throttling_storm_slows_the_engine_without_losing_or_failing_anything(
    world: GraphWorld, graph_server: GraphServer
) -> None:
    await world.profile()
    await world.mailbox(ALICE)
    deliver(graph_server, 400, prefix="storm")
    graph_server.faults.throttle(60, retry_after=0)
    engine = await world.engine()
    cycles = 0
    while len(await imported(world)) < 400:
        await world.cycle(engine)
        cycles += 1
        assert cycles < 40, "the storm never let the import through"
    throttled = sum(1 for c in graph_server.calls if c.status == 429)
    assert throttled == 60 and graph_server.faults.pending() == 0
    ids = await imported(world)
    assert len(set(ids)) == 400 and len(ids) == 400
    failed, alerts = await problems(world)
    assert failed == [] and alerts == []


async def test_a_mailbox_outside_the_access_policy_is_stopped_with_the_permission_named(
    world: GraphWorld, graph_server: GraphServer
) -> None:
    await world.profile()
    await world.mailbox(ALICE)
    graph_server.allow_application("graph-service-app", {BOB})  # the policy leaves Alice out
    engine = await world.engine()
    await world.cycle(engine)
    async with world.store.transaction() as tx:
        alerts = await tx.alerts.list()
        mailbox = await tx.mailboxes.by_address(ALICE)
    assert [a.code for a in alerts] == ["graph_permission_denied"]
    assert any("Mail.ReadWrite" in str(value) for value in alerts[0].facts.values())
    assert mailbox is not None and not mailbox.incoming.enabled
