"""The engine as a whole: throttling, isolated queues, Sync now, the run loop, metrics, one engine per SQLite."""

from __future__ import annotations

import asyncio

import pytest
from support.engine_world import World
from support.scripted import message
from support.waiting import eventually

from desktop_sync.engine.engine import Engine
from desktop_sync.store import EngineAlreadyRunning

pytestmark = pytest.mark.asyncio


async def test_the_profile_connection_limit_is_never_exceeded(world: World) -> None:
    await world.profile(max_connections=3, on_profile=True)
    for n in range(20):
        address = f"m{n}@example.test"
        await world.mailbox(address)
        world.server.deliver(address, message(n))
    world.server.pause = 0.02
    engine = await world.engine(mailbox_workers=10)
    await engine.run_once()
    assert await world.activities() == 20
    assert world.server.peak == 3  # used to the full, never beyond


async def test_per_mailbox_credentials_limit_each_mailbox(world: World) -> None:
    await world.profile(max_connections=1)
    for n in range(6):
        await world.mailbox(f"m{n}@example.test")
        world.server.deliver(f"m{n}@example.test", message(n))
    world.server.pause = 0.02
    engine = await world.engine(mailbox_workers=6)
    await engine.run_once()
    assert world.server.peak == 6  # one each: the limit is per mailbox when they hold the credentials


async def test_a_flood_of_operations_does_not_stop_mailbox_sync(world: World) -> None:
    await world.profile()
    await world.mailbox("support@example.test")
    engine = await world.engine(tick_seconds=0.01, refresh_seconds=0.05, push=False)
    never = asyncio.Event()

    async def stuck() -> str:
        await never.wait()
        return ""

    for n in range(50):
        engine.submit_operation("bulk", f"job {n}", stuck)
    runner = asyncio.create_task(engine.run())
    world.server.deliver("support@example.test", message(1))
    await eventually(lambda: _count(world, 1), what="mail synced while operations are stuck")
    assert engine.operations.length + engine.operations.running == 50
    engine.request_stop()
    await runner


async def test_a_flood_of_mailboxes_does_not_stop_operations(world: World) -> None:
    await world.profile()
    for n in range(30):
        await world.mailbox(f"m{n}@example.test")
    world.server.gate = asyncio.Event()  # every fetch hangs
    engine = await world.engine(tick_seconds=0.01, refresh_seconds=0.05, push=False, mailbox_workers=2)
    runner = asyncio.create_task(engine.run())
    await eventually(lambda: _true(engine.mailbox_queue.running == 2), what="mailbox workers busy")
    done = asyncio.Event()

    async def quick() -> str:
        done.set()
        return "ok"

    engine.submit_operation("test-enable", "x@example.test", quick)
    await asyncio.wait_for(done.wait(), 10)
    assert engine.mailbox_queue.length >= 20
    world.server.gate.set()
    engine.request_stop()
    await runner


async def test_sync_now_jumps_the_queue(world: World) -> None:
    await world.profile()
    for n in range(10):
        await world.mailbox(f"m{n}@example.test")
    world.server.gate = asyncio.Event()
    engine = await world.engine(tick_seconds=0.01, refresh_seconds=0.05, push=False, mailbox_workers=1)
    order: list[str] = []
    engine.bus.subscribe(lambda e: order.append(e.address) if type(e).__name__ == "CycleStarted" else None)
    runner = asyncio.create_task(engine.run())
    await eventually(lambda: _true(engine.mailbox_queue.length == 9), what="queue filled")
    mailbox_id = next(i for i, m in engine._mailboxes.items() if m.address == "m9@example.test")
    assert engine.sync_now(mailbox_id)
    world.server.gate.set()
    await eventually(lambda: _true(len(order) >= 2), what="two cycles")
    assert order[1] == "m9@example.test"
    engine.request_stop()
    await runner


async def test_sync_now_from_another_process_goes_through_the_store(world: World) -> None:
    await world.profile()
    mailbox = await world.mailbox("support@example.test")
    engine = await world.engine(tick_seconds=0.01, refresh_seconds=0.05, request_poll_seconds=0.02, push=False)
    runner = asyncio.create_task(engine.run())
    await eventually(lambda: _true(world.server.fetches == 1), what="the first cycle")
    world.server.deliver("support@example.test", message(1))
    async with world.store.transaction() as tx:  # what `desktop-sync sync now` does
        await tx.status.request_sync(mailbox.id, world.clock())  # type: ignore[arg-type]
    await eventually(lambda: _count(world, 1), what="the requested cycle")
    engine.request_stop()
    await runner


async def test_a_second_engine_on_the_same_sqlite_store_is_refused(world: World) -> None:
    await world.engine()
    second = Engine(store=world.store, connectors=world.factory, secrets=world.secrets)
    with pytest.raises(EngineAlreadyRunning, match="already running"):
        await second.start()


async def test_metrics_are_served_in_prometheus_text_on_loopback(world: World) -> None:
    await world.profile()
    await world.mailbox("support@example.test")
    world.server.deliver("support@example.test", message(1))
    engine = Engine(store=world.store, connectors=world.factory, secrets=world.secrets, clock=world.clock)
    await engine.start(metrics_port=0)
    world.engines.append(engine)
    await engine.run_once()
    assert engine._metrics is not None
    reader, writer = await asyncio.open_connection("127.0.0.1", engine._metrics.port)
    writer.write(b"GET /metrics HTTP/1.0\r\nHost: localhost\r\n\r\n")
    await writer.drain()
    response = (await reader.read()).decode()
    writer.close()
    await writer.wait_closed()
    assert response.startswith("HTTP/1.0 200 OK")
    assert "# TYPE desktop_sync_items_total counter" in response
    assert "desktop_sync_items_total 1" in response
    assert 'desktop_sync_queue_length{queue="mailboxes"} 0' in response


async def test_counters_survive_a_restart(world: World) -> None:
    await world.profile()
    await world.mailbox("support@example.test")
    world.server.deliver("support@example.test", message(1))
    engine = await world.engine()
    await engine.run_once()
    await engine.stop()
    world.engines.remove(engine)
    again = await world.engine()
    assert again.counters.flat()["desktop_sync_items_total"] == 1


async def test_the_run_loop_follows_the_schedule(world: World) -> None:
    await world.profile()
    await world.mailbox("support@example.test")
    engine = await world.engine(tick_seconds=0.01, refresh_seconds=0.05, push=False)
    runner = asyncio.create_task(engine.run())
    await eventually(lambda: _true(world.server.fetches == 1), what="the first cycle")
    await asyncio.sleep(0.1)
    assert world.server.fetches == 1  # not due again for minutes
    world.clock.advance(12 * 60 + 1)  # never longer than 12 minutes
    await eventually(lambda: _true(world.server.fetches == 2), what="the next cycle")
    engine.request_stop()
    await runner


async def test_run_for_a_duration_returns(world: World) -> None:
    engine = await world.engine(tick_seconds=0.01)
    await asyncio.wait_for(engine.run(duration=0.2), 30)  # returns by itself (30 s: a hang guard)


async def _count(world: World, n: int) -> bool:
    return await world.activities() >= n


async def _true(value: bool) -> bool:
    return value


async def test_a_push_notification_starts_a_cycle_at_once(world: World) -> None:
    await world.profile()
    await world.mailbox("support@example.test")
    world.server.push_enabled = True
    engine = await world.engine(tick_seconds=0.01, refresh_seconds=0.05)
    runner = asyncio.create_task(engine.run())
    await eventually(lambda: _true(world.server.fetches == 1 and world.server.listeners == 1), what="listening")
    world.server.deliver("support@example.test", message(1))
    world.server.notify()  # the server says: new mail
    await eventually(lambda: _count(world, 1), what="the pushed mail synced")
    assert world.server.fetches == 2  # polling alone would have waited minutes
    engine.request_stop()
    await runner
    await engine.stop()
    assert world.server.listeners == 0  # the listener's connection is closed on stop


async def test_a_paused_engine_starts_no_scheduled_cycle_but_honours_sync_now(world: World) -> None:
    await world.profile()
    await world.mailbox("support@example.test")
    engine = await world.engine(tick_seconds=0.01, refresh_seconds=0.05, push=False)
    engine.pause()
    runner = asyncio.create_task(engine.run())
    await eventually(lambda: _true(bool(engine._mailboxes)), what="the engine to know the mailbox")
    await asyncio.sleep(0.2)  # twenty ticks in which nothing may start (a paused engine)
    assert world.server.fetches == 0
    mailbox_id = next(iter(engine._mailboxes))
    assert engine.sync_now(mailbox_id)
    await eventually(lambda: _true(world.server.fetches == 1), what="the requested cycle")
    engine.resume()
    world.clock.advance(13 * 60)
    await eventually(lambda: _true(world.server.fetches == 2), what="scheduled cycles again")
    engine.request_stop()
    await runner
