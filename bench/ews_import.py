"""Benchmark: the first import of a large Exchange mailbox over EWS (exchangelib against the EWS test server).

The EWS test server runs in a child process (bench/ews_support.py) with N generated messages of a few
kB in alice's Inbox. Two phases, each in a fresh state:

  A. the connector alone: ``ExchangeIncoming.fetch`` from no cursor to the end, 500 at a time as the
     engine asks, each batch dropped once read: how fast EWS is read, and that memory stays flat;
  B. the engine on its own schedule (``Engine.run``, as ``desktop-sync engine run``) into a fresh SQLite
     store, batches committed with their SyncState; alone, the mailbox goes on past the cap of 500
     per cycle without a pause, with the next page read while the last one is parsed and committed.

Prints messages per second and peak memory (the process's resident high-water mark, reset before
each phase), and the resident memory as the import goes on (it must not grow with the mailbox).
Aim: peak memory under 250 MB and flat (exchangelib used naively passes 600 MB at 5,000 items).

    .venv/bin/python bench/ews_import.py [--messages 10000] [--body 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys
import tempfile
import time
from pathlib import Path

import keyring
from ews_support import (
    MemoryKeyring,
    ServerProcess,
    admin,
    enable,
    exchange_profile,
    peak_rss_mb,
    reset_peak_rss,
    rss_mb,
)

from desktop_sync.connectors.factory import MailConnectorFactory
from desktop_sync.domain.model import Endpoint, Mailbox, MailboxId, Profile, ProfileId, ProfileKind, Security
from desktop_sync.domain.ports.connectors import Credentials
from desktop_sync.engine.engine import Engine, EngineSettings
from desktop_sync.secrets import KeyringSecrets
from desktop_sync.store import open_store

ALICE = "alice@example.test"
PASSWORD = "alice-pw"


def samples_line(samples: list[tuple[int, float]]) -> str:
    return "  ".join(f"{count:>6}: {mb:4.0f} MB" for count, mb in samples)


async def connector_phase(url: str, expected: int) -> dict[str, object]:
    profile = Profile(
        "bench",
        ProfileKind.EXCHANGE,
        Endpoint("127.0.0.1", 80, Security.NONE),
        ews_url=url,
        allow_insecure=True,
        id=ProfileId(1),
    )
    factory = MailConnectorFactory()
    connector = factory.incoming(profile, Mailbox(ALICE, ProfileId(1), id=MailboxId(1)), Credentials("alice", PASSWORD))
    cursors: dict[str, str] = {}
    count, next_sample = 0, 0
    samples: list[tuple[int, float]] = []
    gc.collect()
    reset_peak_rss()
    started = time.perf_counter()
    cpu = time.process_time()
    try:
        while True:
            more = False
            got = 0
            async for batch in connector.fetch(cursors, None, 500):
                got += len(batch.items)
                more = batch.more
                if batch.cursor is not None:
                    cursors[batch.cursor.folder] = batch.cursor.value
                del batch
                if count + got >= next_sample:
                    samples.append((count + got, rss_mb()))
                    next_sample += max(1, expected // 5)
            count += got
            if not more:
                break
        wall = time.perf_counter() - started
        cpu = time.process_time() - cpu
    finally:
        await connector.close()
        factory.close()
    return {"imported": count, "wall": wall, "cpu": cpu, "rss": peak_rss_mb(), "samples": samples}


async def engine_phase(db: str, expected: int) -> dict[str, object]:
    """The engine on its own schedule (``Engine.run``, as ``desktop-sync engine run``): a lone mailbox
    goes on past the per-cycle cap without a pause (#16)."""
    store = open_store(db)
    connectors = MailConnectorFactory()
    engine = Engine(
        store=store,
        connectors=connectors,
        secrets=KeyringSecrets(),
        settings=EngineSettings(push=False, tick_seconds=0.1),
    )
    await engine.start()
    samples: list[tuple[int, float]] = []
    gc.collect()
    reset_peak_rss()
    started = time.perf_counter()
    cpu = time.process_time()
    runner = asyncio.create_task(engine.run())
    every = max(1, expected // 5)
    try:
        # until every message is committed and the cycle has ended (not cancelled by the stop)
        while (
            engine.items_committed < expected or engine.mailbox_queue.running
        ) and time.perf_counter() - started < 3600:
            if engine.items_committed >= every * (len(samples) + 1):
                samples.append((int(engine.items_committed), rss_mb()))
            await asyncio.sleep(0.05)
        wall = time.perf_counter() - started
        cpu = time.process_time() - cpu
    finally:
        engine.request_stop()
        await runner
        await engine.stop()
        async with store.transaction() as tx:
            imported = int(await tx.activities.count())
        await store.close()
        connectors.close()
    cycles = engine.cycles_run
    return {"imported": imported, "cycles": cycles, "wall": wall, "cpu": cpu, "rss": peak_rss_mb(), "samples": samples}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--body", type=int, default=2000, help="body bytes per message")
    args = parser.parse_args()
    keyring.set_keyring(MemoryKeyring())
    print(f"baseline RSS before the import: {rss_mb():.0f} MB")
    with ServerProcess([(ALICE, PASSWORD, False)]) as server:
        started = time.perf_counter()
        server.call("seed_messages", ALICE, args.messages, body_size=args.body)
        print(f"{args.messages} messages seeded in {time.perf_counter() - started:.1f} s (not measured)")

        result = asyncio.run(connector_phase(server.url, args.messages))
        rate = result["imported"] / result["wall"]  # type: ignore[operator]
        print("\nA. connector alone (SyncFolderItems pages + GetItem MIME, 50 per request)")
        print(f"   messages        {result['imported']:>8}")
        print(f"   wall            {result['wall']:8.1f} s   ({rate:.0f} messages/s, CPU {result['cpu']:.1f} s)")
        print(f"   peak RSS        {result['rss']:8.0f} MB (aim < 250 MB)")
        print(f"   RSS as it goes  {samples_line(result['samples'])}")  # type: ignore[arg-type]
        requests = server.call("stats")["requests"]
        print(f"   EWS requests    {', '.join(f'{op} {n}' for op, n in sorted(requests.items()))}")

        with tempfile.TemporaryDirectory(prefix="desktop-sync-bench-") as tmp:
            db = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
            exchange_profile(db, server.url)
            admin(db, "user", "add", ALICE, "--name", "Alice Able")
            admin(db, "user", "tracking", ALICE, "all")
            admin(db, "mailbox", "add", ALICE, "--profile", "Exchange", "--user", ALICE, "--login", "alice",
                  "--password-stdin", stdin=PASSWORD)  # fmt: skip
            enable(db, ALICE)
            result = asyncio.run(engine_phase(db, args.messages))
        rate = result["imported"] / result["wall"]  # type: ignore[operator]
        print("\nB. engine on its own schedule into SQLite (parse, track, commit with the SyncState)")
        print(f"   imported        {result['imported']:>8} in {result['cycles']} cycles")
        print(f"   wall            {result['wall']:8.1f} s   ({rate:.0f} messages/s, CPU {result['cpu']:.1f} s)")
        print(f"   peak RSS        {result['rss']:8.0f} MB (aim < 250 MB)")
        print(f"   RSS as it goes  {samples_line(result['samples'])}")  # type: ignore[arg-type]
    return 0


if __name__ == "__main__":
    sys.exit(main())
