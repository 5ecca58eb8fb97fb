"""Benchmark: from an item created on the Exchange server to the email activity committed, with streaming push.

The EWS test server runs in a child process (bench/ews_support.py). The engine runs as
``desktop-sync engine run`` does, with push on: a streaming subscription on the mailbox's Inbox wakes
it, a cycle fetches the new mail, and the activity is committed. Each of N messages is delivered on
the server only after the previous one was committed; the latency is from just before the delivery to
the engine's ItemsSynced event (published after the commit).

Prints p50, p90, p99 and the maximum. Aim: p50 under 2 s (polling alone: minutes).

    .venv/bin/python bench/ews_push.py [--messages 100]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

import keyring
from ews_support import MemoryKeyring, ServerProcess, admin, enable, exchange_profile, percentile

from desktop_sync.connectors.factory import MailConnectorFactory
from desktop_sync.engine.engine import Engine, EngineSettings
from desktop_sync.engine.events import Event, ItemsSynced
from desktop_sync.secrets import KeyringSecrets
from desktop_sync.store import open_store

ALICE = "alice@example.test"
PASSWORD = "alice-pw"


def message(number: int) -> bytes:
    return (
        f"From: Carol <carol@customer.test>\r\nTo: {ALICE}\r\nSubject: pushed {number}\r\n"
        f"Message-ID: <pushed-{number}@customer.test>\r\nDate: Mon, 10 Mar 2025 10:00:00 +0000\r\n\r\n"
        f"Message {number}.\r\n"
    ).encode()


async def measure(db: str, server: ServerProcess, count: int) -> list[float]:
    store = open_store(db)
    connectors = MailConnectorFactory()
    engine = Engine(
        store=store,
        connectors=connectors,
        secrets=KeyringSecrets(),
        settings=EngineSettings(tick_seconds=0.05, refresh_seconds=0.5),
    )
    synced = asyncio.Queue[float]()

    def on_event(event: Event) -> None:
        if isinstance(event, ItemsSynced):
            for _ in range(event.count):
                synced.put_nowait(time.perf_counter())

    engine.bus.subscribe(on_event)
    await engine.start()
    runner = asyncio.create_task(engine.run())
    latencies: list[float] = []
    try:
        deadline = time.monotonic() + 30
        while not server.call("stats")["requests"].get("GetStreamingEvents") or engine.cycles_run < 1:
            if time.monotonic() > deadline:
                raise SystemExit("the engine did not start its streaming subscription")
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)
        for number in range(count):
            started = time.perf_counter()
            await asyncio.to_thread(server.call, "deliver", ALICE, message(number))
            committed = await asyncio.wait_for(synced.get(), 60)
            latencies.append(committed - started)
            await asyncio.sleep(0.05)
    finally:
        engine.request_stop()
        await runner
        await engine.stop()
        await store.close()
        connectors.close()
    return latencies


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=100)
    args = parser.parse_args()
    keyring.set_keyring(MemoryKeyring())
    with ServerProcess([(ALICE, PASSWORD, False)]) as server, tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        db = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        exchange_profile(db, server.url)
        admin(db, "user", "add", ALICE, "--name", "Alice Able")
        admin(db, "user", "tracking", ALICE, "all")
        admin(db, "mailbox", "add", ALICE, "--profile", "Exchange", "--user", ALICE, "--login", "alice",
              "--password-stdin", stdin=PASSWORD)  # fmt: skip
        enable(db, ALICE)
        latencies = asyncio.run(measure(db, server, args.messages))
    print(f"{len(latencies)} messages, created on the server -> email activity committed (streaming push):")
    for label, fraction in (("p50", 0.5), ("p90", 0.9), ("p99", 0.99), ("max", 1.0)):
        print(f"   {label}  {percentile(latencies, fraction) * 1000:7.0f} ms")
    print(f"aim: p50 < 2000 ms -> {'met' if percentile(latencies, 0.5) < 2 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
