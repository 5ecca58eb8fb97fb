"""``desktop-sync engine hosts [--json]``: each engine host on the store, what it holds, and a killed
one shown as lost with the time its mailboxes were taken over."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.cli_runner import Cli
from support.engine_world import World
from support.waiting import stop_processes, until

from desktop_sync.store import open_store

TESTS = Path(__file__).resolve().parents[1]
KEYS = {"id", "machine", "pid", "started_at", "heartbeat_at", "mailboxes", "connections", "state", "taken_over_at"}


def test_an_embedded_store_has_one_engine_and_no_host_list(tmp_path: Path) -> None:
    run = Cli(str(tmp_path / "crm.sqlite3"))
    assert run("init").code == 0
    shown = run("engine", "hosts")
    assert shown.code == 0
    assert "an embedded store runs one engine at a time; no engine is running." in shown.out
    listed = run("engine", "hosts", "--json")
    assert listed.code == 0 and listed.json() == []


@pytest.fixture
def engines(pg_url: str, tmp_path: Path) -> Iterator[list[subprocess.Popen[bytes]]]:
    async def seed() -> list[str]:
        store = open_store(pg_url)
        try:
            world = World(store, tmp_path)
            await world.profile()
            return [(await world.mailbox(f"h{n}@example.test")).address for n in range(9)]
        finally:
            await store.close()

    root = tmp_path / "mail"
    for address in asyncio.run(seed()):
        (root / address).mkdir(parents=True)
    env = dict(os.environ, ENGINE_TEST_PASSWORD="pw", PYTHONPATH=str(TESTS))
    command = [sys.executable, "-m", "support.engine_process", pg_url, str(root), "--lease-ttl", "3"]
    processes = [
        subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _host in range(3)
    ]
    yield processes
    stop_processes(processes)


@pytest.mark.postgres
@pytest.mark.slow
def test_hosts_are_listed_with_their_shares_and_a_killed_one_as_lost(
    pg_url: str, engines: list[subprocess.Popen[bytes]]
) -> None:
    run = Cli(pg_url)

    def hosts() -> list[dict[str, object]]:
        result = run("engine", "hosts", "--json")
        assert result.code == 0, result.err
        listed = result.json()
        assert isinstance(listed, list)
        return listed

    def shared_by_three() -> bool:
        listed = hosts()
        return len(listed) == 3 and sorted(h["mailboxes"] for h in listed) == [3, 3, 3]  # type: ignore[type-var]

    until(shared_by_three, timeout=60, what="three hosts holding three mailboxes each")
    listed = hosts()
    assert all(set(h) == KEYS for h in listed)
    assert all(h["state"] == "running" and h["taken_over_at"] is None for h in listed)
    assert {h["pid"] for h in listed} == {p.pid for p in engines}

    victim = engines[0]
    victim.send_signal(signal.SIGKILL)
    victim.wait()

    def taken_over() -> bool:
        listed = {h["pid"]: h for h in hosts()}
        dead = listed.get(victim.pid)
        alive = [h for pid, h in listed.items() if pid != victim.pid]
        return (
            dead is not None
            and dead["state"] == "lost"
            and dead["taken_over_at"] is not None
            and dead["mailboxes"] == 0
            and sorted(h["mailboxes"] for h in alive) == [4, 5]  # type: ignore[type-var]
        )

    until(taken_over, timeout=60, what="the killed host lost, its mailboxes taken over")
    shown = run("engine", "hosts")
    assert shown.code == 0
    assert "ID" in shown.out and "MAILBOXES" in shown.out
    assert "lost (taken over " in shown.out
    assert "2 running hosts of 3." in shown.out
