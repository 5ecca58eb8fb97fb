"""Benchmark: one full engine cycle over 1,000 idle mailboxes on a scripted connector.

Prints the engine's CPU seconds per 1,000 mailbox polls and the process's peak memory.
Aim: under 1 CPU second per 1,000 idle polls, under 150 MB.

    .venv/bin/python bench/engine_idle.py [--mailboxes 1000] [--cycles 3]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import resource
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from pathlib import Path

import keyring
import keyring.backend

from desktop_sync.domain.errors import PermanentError
from desktop_sync.domain.folders import ServerFolder
from desktop_sync.domain.model import (
    ApprovalState,
    Channel,
    ChannelState,
    ConnectionTestStatus,
    Endpoint,
    Mailbox,
    Profile,
    ProfileKind,
    Security,
    SyncMethod,
)
from desktop_sync.domain.ports.connectors import Batch, ConnectionTest, Credentials, RawMessage
from desktop_sync.engine.engine import Engine, EngineSettings
from desktop_sync.secrets import KeyringSecrets
from desktop_sync.store import open_store


class BenchKeyring(keyring.backend.KeyringBackend):
    """Every mailbox has the same password; nothing leaves the process."""

    priority = 1

    def get_password(self, service: str, username: str) -> str | None:
        return "bench-password"

    def set_password(self, service: str, username: str, password: str) -> None:
        pass

    def delete_password(self, service: str, username: str) -> None:
        pass


class IdleIncoming:
    """A server with no news: each poll answers "nothing new" at once."""

    async def fetch(self, cursors: Mapping[str, str], since: dt.datetime | None, limit: int) -> AsyncIterator[Batch]:
        return
        yield  # an async generator that yields nothing

    async def fetch_item(self, server_id: str) -> RawMessage:
        raise PermanentError("gone", code="item_not_found")

    async def delete_committed(self, items: Sequence[RawMessage]) -> None:
        pass

    async def test(self) -> ConnectionTest:
        return ConnectionTest(())

    async def list_folders(self) -> list[ServerFolder]:
        return [ServerFolder("INBOX", "INBOX", "/")]

    def push(self) -> None:
        return None

    async def close(self) -> None:
        pass


class IdleFactory:
    def __init__(self) -> None:
        self.polls = 0

    def incoming(
        self, profile: Profile, mailbox: Mailbox, credentials: Credentials, folders: Sequence[str] = ()
    ) -> IdleIncoming:
        self.polls += 1
        return IdleIncoming()

    def outgoing(self, profile: Profile, mailbox: Mailbox, credentials: Credentials) -> IdleIncoming:
        raise PermanentError("no outgoing", code="not_supported")

    def act(self, profile: Profile, mailbox: Mailbox, credentials: Credentials) -> IdleIncoming:
        raise PermanentError("no ACT", code="not_supported")

    def supports(self, profile: Profile, channel: Channel) -> bool:
        return channel is Channel.INCOMING


async def populate(url: str, count: int) -> None:
    store = open_store(url)
    on = ChannelState(SyncMethod.SERVER_SIDE, True, ConnectionTestStatus.SUCCESS)
    async with store.transaction() as tx:
        profile = await tx.profiles.add(
            Profile(name="Bench", kind=ProfileKind.IMAP, incoming=Endpoint("imap.bench.test", 993, Security.TLS))
        )
        assert profile.id is not None
        for n in range(count):
            await tx.mailboxes.add(
                Mailbox(
                    address=f"user{n}@bench.test", profile_id=profile.id, approval=ApprovalState.APPROVED, incoming=on
                )
            )
    await store.close()


async def measure(url: str, cycles: int, workers: int) -> None:
    store = open_store(url)
    factory = IdleFactory()
    clock_now = [dt.datetime(2026, 11, 25, tzinfo=dt.UTC)]
    engine = Engine(
        store=store,
        connectors=factory,
        secrets=KeyringSecrets(),
        settings=EngineSettings(mailbox_workers=workers, push=False),
        clock=lambda: clock_now[0],
    )
    await engine.start()
    results = []
    try:
        for cycle in range(cycles):
            polls_before = factory.polls
            cpu, wall = time.process_time(), time.perf_counter()
            await engine.run_once()
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            polls = factory.polls - polls_before
            results.append((cycle + 1, polls, cpu, wall))
            clock_now[0] += dt.timedelta(minutes=13)  # every mailbox is due again
    finally:
        await engine.stop()
        await store.close()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{'cycle':>5} {'polls':>6} {'cpu s':>7} {'wall s':>7} {'cpu s / 1000 polls':>19}")
    for cycle, polls, cpu, wall in results:
        per_thousand = cpu / polls * 1000 if polls else float("nan")
        print(f"{cycle:>5} {polls:>6} {cpu:>7.2f} {wall:>7.2f} {per_thousand:>19.2f}")
    steady = results[1:] or results
    mean = sum(r[2] / r[1] * 1000 for r in steady if r[1]) / len(steady)
    print(f"engine CPU per 1,000 idle polls (steady state): {mean:.2f} s (aim < 1 s)")
    print(f"peak memory (max RSS of the process): {peak_mb:.0f} MB (aim < 150 MB)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mailboxes", type=int, default=1000)
    parser.add_argument("--cycles", type=int, default=3)
    parser.add_argument("--workers", type=int, default=8)
    args = parser.parse_args()
    keyring.set_keyring(BenchKeyring())
    with tempfile.TemporaryDirectory(prefix="desktop-sync-bench-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        started = time.perf_counter()
        asyncio.run(populate(url, args.mailboxes))
        print(f"{args.mailboxes} mailboxes created in {time.perf_counter() - started:.1f} s (not measured)")
        asyncio.run(measure(url, args.cycles, args.workers))
    return 0


if __name__ == "__main__":
    sys.exit(main())
