"""Several engines on one PostgreSQL store share the mailboxes by leases; a dead one's are taken over."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text
from support.engine_world import World
from support.scripted import message
from support.waiting import eventually

from desktop_sync.store import open_store
from desktop_sync.store.database import make_sync_engine, resolve_url

pytestmark = [pytest.mark.asyncio, pytest.mark.postgres, pytest.mark.slow]
TESTS = Path(__file__).resolve().parents[1]


def owners(url: str) -> dict[str | None, int]:
    engine = make_sync_engine(resolve_url(url))
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT owner, COUNT(*) FROM mailbox_leases GROUP BY owner")).all()
            return {owner: int(count) for owner, count in rows}
    finally:
        engine.dispose()


def activity_count(url: str) -> int:
    engine = make_sync_engine(resolve_url(url))
    try:
        with engine.connect() as connection:
            return int(connection.execute(text("SELECT COUNT(*) FROM email_activities")).scalar_one())
    finally:
        engine.dispose()


async def test_two_engines_share_and_a_killed_ones_mailboxes_are_taken_over(pg_url: str, tmp_path: Path) -> None:
    store = open_store(pg_url)
    world = World(store, tmp_path)
    try:
        await world.profile()
        mailboxes = [await world.mailbox(f"m{n}@example.test") for n in range(10)]
    finally:
        await store.close()
    root = tmp_path / "mail"
    for mailbox in mailboxes:
        (root / mailbox.address).mkdir(parents=True)
    env = dict(os.environ, ENGINE_TEST_PASSWORD="pw", PYTHONPATH=str(TESTS))
    command = [sys.executable, "-m", "support.engine_process", pg_url, str(root), "--lease-ttl", "3"]
    first = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    second = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:

        async def shared() -> bool:
            for process in (first, second):
                if process.poll() is not None:
                    raise AssertionError(process.stderr.read().decode() if process.stderr else "an engine exited")
            held = {k: v for k, v in owners(pg_url).items() if k is not None}
            return len(held) == 2 and sorted(held.values()) == [5, 5]

        await eventually(shared, timeout=60, what="both engines holding half of the mailboxes")

        first.send_signal(signal.SIGKILL)
        first.wait()

        async def taken_over() -> bool:
            held = {k: v for k, v in owners(pg_url).items() if k is not None}
            return list(held.values()) == [10]

        await eventually(taken_over, timeout=60, what="the survivor holding every mailbox")

        for n, mailbox in enumerate(mailboxes):  # mail for every mailbox, the dead engine's included
            (root / mailbox.address / "1.eml").write_bytes(message(n))

        # the survivor would poll them within minutes; ask for all of them now, as `sync now` does
        requests = open_store(pg_url)
        try:
            async with requests.transaction() as tx:
                for mailbox in mailboxes:
                    await tx.status.request_sync(mailbox.id, world.clock())  # type: ignore[arg-type]
        finally:
            await requests.close()

        async def all_synced() -> bool:
            return activity_count(pg_url) == 10

        await eventually(all_synced, timeout=60, what="mail of every mailbox synced by the survivor")
    finally:
        for process in (first, second):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            if process.stderr:
                process.stderr.close()
