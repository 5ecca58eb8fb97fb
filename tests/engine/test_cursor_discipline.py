"""Items and the cursor commit together: interrupt a cycle anywhere and nothing is lost or doubled.

Interruptions: an exception at each step of a commit, a cancellation (engine stop) mid-import,
and a process killed with SIGKILL mid-import, several times.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from support.engine_world import World
from support.file_server import FileFactory
from support.scripted import message
from support.waiting import eventually

from desktop_sync.engine.engine import Engine
from desktop_sync.store import SqlStore

pytestmark = pytest.mark.asyncio
TESTS = Path(__file__).resolve().parents[1]


class Boom(Exception):
    pass


class FlakyStore:
    """The real store, except that one repository call raises once, mid-transaction."""

    def __init__(self, store: SqlStore, target: str, call: int):
        self._store = store
        self.target = target  # "cursors.set", "activities.add_incoming", ...
        self.call = call
        self.calls = 0
        self.fired = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Any]:
        async with self._store.transaction() as tx:
            yield _FlakyTx(tx, self)


class _FlakyTx:
    def __init__(self, tx: Any, flaky: FlakyStore):
        self._tx = tx
        self._flaky = flaky

    def __getattr__(self, repo_name: str) -> Any:
        return _FlakyRepo(getattr(self._tx, repo_name), repo_name, self._flaky)


class _FlakyRepo:
    def __init__(self, repo: Any, repo_name: str, flaky: FlakyStore):
        self._repo, self._name, self._flaky = repo, repo_name, flaky

    def __getattr__(self, method: str) -> Any:
        real = getattr(self._repo, method)
        flaky = self._flaky
        if f"{self._name}.{method}" != flaky.target:
            return real

        async def call(*args: Any, **kwargs: Any) -> Any:
            flaky.calls += 1
            if flaky.calls == flaky.call and not flaky.fired:
                flaky.fired = True
                raise Boom(f"injected failure in {flaky.target}")
            return await real(*args, **kwargs)

        return call


async def distinct_and_total(world: World) -> tuple[int, int]:
    url = world.store.label.removeprefix("SQLite: ")
    engine = create_engine(f"sqlite:///{url}")
    try:
        with engine.connect() as connection:
            row = connection.execute(text("SELECT COUNT(DISTINCT message_id), COUNT(*) FROM email_activities")).one()
            return int(row[0]), int(row[1])
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("target", "call"),
    [
        ("activities.linked_server_ids", 2),
        ("activities.activities_by_message_id", 1),
        ("records.find_many_by_email", 2),
        ("activities.add_incoming_many", 1),
        ("activities.add_incoming_many", 3),
        ("failed_items.resolve_many", 2),
        ("cursors.set", 1),
        ("cursors.set", 2),
        ("status.save", 2),
    ],
)
async def test_an_exception_at_any_step_loses_and_doubles_nothing(world: World, target: str, call: int) -> None:
    await world.profile()
    await world.mailbox("support@example.test")
    for n in range(12):
        world.server.deliver("support@example.test", message(n))
    world.server.batch_size = 5
    flaky = FlakyStore(world.store, target, call)
    engine = Engine(store=flaky, connectors=world.factory, secrets=world.secrets, clock=world.clock)  # type: ignore[arg-type]
    await engine.start()
    world.engines.append(engine)
    await engine.run_once()
    assert flaky.fired
    world.clock.advance(3600)
    await engine.run_once()
    assert await distinct_and_total(world) == (12, 12)


async def test_stopping_mid_import_rolls_back_the_open_batch_only(world: World) -> None:
    await world.profile()
    await world.mailbox("support@example.test")
    for n in range(40):
        world.server.deliver("support@example.test", message(n))
    world.server.batch_size = 5
    world.server.pause = 0.05
    engine = await world.engine(tick_seconds=0.01, push=False)
    runner = asyncio.create_task(engine.run())

    async def some_committed() -> bool:
        return await world.activities() >= 5

    await eventually(some_committed, what="a first batch")
    await engine.stop()
    world.engines.remove(engine)
    runner.cancel()
    await asyncio.gather(runner, return_exceptions=True)
    distinct, total = await distinct_and_total(world)
    assert distinct == total and total % 5 == 0 and total < 40  # whole batches only

    world.server.pause = 0
    again = await world.engine()
    world.clock.advance(3600)
    await again.run_once()
    assert await distinct_and_total(world) == (40, 40)


@pytest.mark.slow
async def test_a_killed_engine_process_loses_and_doubles_nothing(world: World, tmp_path: Path) -> None:
    await world.profile()
    mailbox = await world.mailbox("support@example.test")
    root = tmp_path / "mail"
    folder = root / mailbox.address
    folder.mkdir(parents=True)
    total = 120
    for n in range(1, total + 1):
        (folder / f"{n}.eml").write_bytes(message(n))
    db_url = "sqlite:///" + world.store.label.removeprefix("SQLite: ")
    env = dict(os.environ, ENGINE_TEST_PASSWORD="pw", PYTHONPATH=str(TESTS))
    command = [sys.executable, "-m", "support.engine_process", db_url, str(root), "--pause", "0.03"]

    for kill_after in (10, 45, 80):
        process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:

            async def progressed(target: int = kill_after, process: subprocess.Popen[bytes] = process) -> bool:
                if process.poll() is not None:
                    raise AssertionError(process.stderr.read().decode() if process.stderr else "engine exited")
                return (await distinct_and_total(world))[1] >= target

            await eventually(progressed, timeout=60, what=f"{kill_after} items committed")
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait()
            for stream in (process.stdout, process.stderr):
                if stream:
                    stream.close()
        distinct, committed = await distinct_and_total(world)
        assert distinct == committed and committed % 5 == 0

    finisher = Engine(store=world.store, connectors=FileFactory(root), secrets=world.secrets, clock=world.clock)
    await finisher.start()
    world.engines.append(finisher)
    for _ in range(3):
        world.clock.advance(3600)
        await finisher.run_once()
    assert await distinct_and_total(world) == (total, total)
