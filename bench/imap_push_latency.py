"""Benchmark: from delivery to the IMAP server to the email activity committed, with IDLE.

Starts its own Dovecot (tests/servers) and runs the engine as ``desktop-sync engine run`` does
(default settings, IDLE push on) for one mailbox over implicit TLS. Messages are delivered one at
a time (as a delivery agent drops them into the Maildir); each latency runs from the delivery to
the engine's ItemsSynced event, which is published once the transaction holding the new activity
has committed. The next message is delivered a moment after the last one was committed.

Prints p50, p90, p99 and max over 100 messages. Aim: p50 under 2 s.

    .venv/bin/python bench/imap_push_latency.py [--messages 100] [--pause 0.3]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import keyring
import keyring.backend

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from servers.dovecot import DovecotServer
from servers.tls import make_temp_ca

from desktop_sync import cli
from desktop_sync.connectors.factory import MailConnectorFactory
from desktop_sync.engine.engine import Engine
from desktop_sync.engine.events import EventBus, ItemsSynced
from desktop_sync.secrets import KeyringSecrets
from desktop_sync.store import open_store


class MemoryKeyring(keyring.backend.KeyringBackend):
    """Passwords in a dict, for this process only."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.passwords.pop((service, username), None)


_INITIALISED: set[str] = set()


def admin(db: str, *argv: str, stdin: str = "") -> None:
    out, err = io.StringIO(), io.StringIO()
    if db not in _INITIALISED:  # a store named by --db is created by init only
        _INITIALISED.add(db)
        said = io.StringIO()
        if cli.main(["--db", db, "init"], out=said, err=said) != 0:
            raise SystemExit(f"desktop-sync --db {db} init failed: {said.getvalue()}")
    code = cli.main(["--db", db, *argv], out=out, err=err, stdin=io.StringIO(stdin))
    if code != 0:
        raise SystemExit(f"desktop-sync {' '.join(argv)} failed ({code}): {err.getvalue()}")


def mail(n: int, to: str) -> bytes:
    return (
        f"From: Carol <carol@customer.test>\r\nTo: {to}\r\nSubject: pushed {n}\r\n"
        f"Message-ID: <pushed{n}.{random.getrandbits(40):010x}@customer.test>\r\n"
        f"Date: Wed, 25 Nov 2026 10:00:00 +0000\r\n\r\nPlease ship order {n}.\r\n"
    ).encode()


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))]


async def measure(db: str, dovecot: DovecotServer, user: str, address: str, count: int, pause: float) -> list[float]:
    store = open_store(db)
    bus = EventBus()
    committed = asyncio.Event()
    items = [0]

    def on_event(event: object) -> None:
        if isinstance(event, ItemsSynced):
            items[0] += event.count
            committed.set()

    bus.subscribe(on_event)
    engine = Engine(store=store, connectors=MailConnectorFactory(), secrets=KeyringSecrets(), bus=bus)
    await engine.start()
    runner = asyncio.create_task(engine.run())
    latencies: list[float] = []

    async def deliver_and_wait(n: int) -> float:
        committed.clear()
        expected = items[0] + 1
        started = time.perf_counter()
        dovecot.deliver(user, mail(n, address))
        while items[0] < expected:
            await asyncio.wait_for(committed.wait(), timeout=600)
            committed.clear()
        return time.perf_counter() - started

    try:
        # The first cycle (an empty INBOX) and the IDLE listener; a first mail proves the listener is up.
        while engine.cycles_run < 1 or not engine._push_tasks:
            await asyncio.sleep(0.05)
        warm_up = await deliver_and_wait(0)
        print(f"warm-up mail committed {warm_up:.2f} s after delivery (not counted)")
        for n in range(1, count + 1):
            await asyncio.sleep(pause)
            latencies.append(await deliver_and_wait(n))
    finally:
        engine.request_stop()
        await runner
        await engine.stop()
        async with store.transaction() as tx:
            stored = await tx.activities.count()
        await store.close()
    print(f"{stored} activities in the store, {engine.cycles_run} cycles")
    return latencies


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=100)
    parser.add_argument("--pause", type=float, default=0.3, help="seconds between a commit and the next delivery")
    args = parser.parse_args()
    keyring.set_keyring(MemoryKeyring())
    ca_dir, tls = make_temp_ca()
    work = Path(tempfile.mkdtemp(prefix="desktop-sync-bench-"))
    try:
        with DovecotServer(tls) as dovecot:
            account = dovecot.add_user("push.bench", "push-pw")
            db = f"sqlite:///{work / 'push.sqlite3'}"
            admin(
                db,
                "profile",
                "add",
                "Corp",
                "--kind",
                "imap",
                "--incoming-host",
                "localhost",
                "--incoming-port",
                str(dovecot.ports["imaps"]),
                "--ca-file",
                str(tls.ca_cert),
            )
            admin(db, "queue", "add", account.address, "--name", "Sales")
            admin(
                db,
                "mailbox",
                "add",
                account.address,
                "--profile",
                "Corp",
                "--queue",
                account.address,
                "--login",
                account.name,
                "--password-stdin",
                stdin=account.password,
            )
            admin(db, "mailbox", "approve", account.address)
            admin(db, "mailbox", "test-enable", account.address)
            latencies = asyncio.run(measure(db, dovecot, account.name, account.address, args.messages, args.pause))
    finally:
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(ca_dir, ignore_errors=True)
    print(f"\ndelivery -> email activity committed, IDLE push, {len(latencies)} messages one at a time:")
    for label, value in (
        ("p50", statistics.median(latencies)),
        ("p90", percentile(latencies, 0.90)),
        ("p99", percentile(latencies, 0.99)),
        ("max", max(latencies)),
        ("mean", statistics.fmean(latencies)),
    ):
        print(f"   {label:<5} {value * 1000:8.0f} ms")
    print("   aim: p50 < 2,000 ms")
    print(f"process max RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
