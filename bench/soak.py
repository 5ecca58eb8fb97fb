"""Soak: three engine processes share one PostgreSQL store while mail keeps arriving, and one of them
is SIGKILLed and restarted at random every 20-40 s. At the end: every message imported exactly once,
the worst take-over time of a killed engine's mailboxes, the peak connection slots held per profile,
and each live engine's share of the mailboxes.

    .venv/bin/python bench/soak.py [--mailboxes 300] [--minutes 10] [--lease 15] [--rate 10]

The engines read mail from files (tests/support/file_server.py) with their profile's service account
(credentials on the profile, limit 4), so the connection budget is held in the store for all three;
sending is not part of this run.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

TESTS = Path(__file__).resolve().parents[1] / "tests"
sys.path.insert(0, str(TESTS))

import keyring  # noqa: E402
from servers.postgres import PostgresServer  # noqa: E402
from sqlalchemy import text  # noqa: E402
from support.engine_world import World  # noqa: E402
from support.scripted import message  # noqa: E402

from desktop_sync.store import open_store  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ews_support import MemoryKeyring  # noqa: E402

from desktop_sync.store.database import make_sync_engine, resolve_url  # noqa: E402


def query(url: str, sql: str) -> list[Any]:
    engine = make_sync_engine(resolve_url(url))
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(sql)).all()]
    finally:
        engine.dispose()


def execute(url: str, sql: str) -> None:
    engine = make_sync_engine(resolve_url(url))
    try:
        with engine.begin() as connection:
            connection.execute(text(sql))
    finally:
        engine.dispose()


async def seed(url: str, root: Path, count: int) -> list[str]:
    store = open_store(url)
    try:
        world = World(store, root)
        await world.profile("Service", on_profile=True, max_connections=4)
        addresses = []
        for n in range(count):
            mailbox = await world.mailbox(f"soak{n}@example.test", "Service")
            (root / "mail" / mailbox.address).mkdir(parents=True)
            addresses.append(mailbox.address)
        return addresses
    finally:
        await store.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mailboxes", type=int, default=300)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--lease", type=float, default=15)
    parser.add_argument("--rate", type=float, default=10, help="messages delivered per second")
    args = parser.parse_args()
    random.seed(17)
    keyring.set_keyring(MemoryKeyring())
    with tempfile.TemporaryDirectory() as folder, PostgresServer() as server:
        root = Path(folder)
        url = server.create_database("soak")
        addresses = asyncio.run(seed(url, root, args.mailboxes))
        env = dict(os.environ, ENGINE_TEST_PASSWORD="pw", PYTHONPATH=str(TESTS))
        command = [
            sys.executable,
            "-m",
            "support.engine_process",
            url,
            str(root / "mail"),
            "--lease-ttl",
            str(args.lease),
        ]

        def spawn() -> subprocess.Popen[bytes]:
            return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        engines = [spawn() for _ in range(3)]
        delivered: dict[str, int] = dict.fromkeys(addresses, 0)
        total = kills = 0
        takeovers: list[float] = []
        peak_slots = 0
        end = time.monotonic() + args.minutes * 60
        next_kill = time.monotonic() + random.uniform(20, 40)
        pending: list[tuple[int, float]] = []  # killed pid, when
        last_delivery = time.monotonic()
        while time.monotonic() < end:
            now = time.monotonic()
            for _ in range(int((now - last_delivery) * args.rate)):
                address = random.choice(addresses)
                delivered[address] += 1
                total += 1
                body = message(total, to=address)
                (root / "mail" / address / f"{delivered[address]}.eml").write_bytes(body)
            if int((now - last_delivery) * args.rate):
                last_delivery = now
            if now >= next_kill:
                victim = random.randrange(3)
                engines[victim].send_signal(signal.SIGKILL)
                engines[victim].wait()
                pending.append((engines[victim].pid, now))
                engines[victim] = spawn()
                kills += 1
                next_kill = now + random.uniform(20, 40)
            held = dict(query(url, "SELECT owner, COUNT(*) FROM mailbox_leases WHERE owner IS NOT NULL GROUP BY owner"))
            for pid, since in list(pending):
                if not any(f":{pid}:" in str(owner) for owner in held):
                    takeovers.append(now - since)
                    pending.remove((pid, since))
            slots = query(url, "SELECT COUNT(*) FROM connection_slots WHERE holder IS NOT NULL AND expires_at >= now()")
            peak_slots = max(peak_slots, int(slots[0][0]))
            time.sleep(0.5)
        shares = sorted(
            int(count)
            for _, count in query(
                url,
                "SELECT l.owner, COUNT(*) FROM mailbox_leases l JOIN engine_hosts h ON h.owner = l.owner "
                "WHERE h.expires_at >= now() GROUP BY l.owner",
            )
        )
        # every message in: ask for a last sync of every mailbox, wait until they are all there
        execute(url, "UPDATE mailbox_status SET sync_requested_at = now()")
        execute(url, "SELECT pg_notify('desktop_sync_now', mailbox_id::text) FROM mailbox_status")
        deadline = time.monotonic() + 300
        imported = 0
        while time.monotonic() < deadline:
            imported = int(query(url, "SELECT COUNT(*) FROM email_activities")[0][0])
            if imported >= total:
                break
            time.sleep(1)
        doubles = query(
            url, "SELECT COUNT(*) FROM (SELECT mailbox_id, message_id FROM email_activities "
            "GROUP BY mailbox_id, message_id HAVING COUNT(*) > 1) AS d"
        )[0][0]  # fmt: skip
        for process in engines:
            process.send_signal(signal.SIGTERM)
        for process in engines:
            process.wait(30)
        equal = args.mailboxes / 3
        print(f"mailboxes {args.mailboxes}, {args.minutes:g} min, lease {args.lease:g} s, 3 engines")
        print(f"messages delivered {total}, imported {imported}, imported twice {doubles}")
        print(f"kills {kills}, take-overs measured {len(takeovers)}, worst take-over {max(takeovers, default=0):.1f} s")
        print(f"peak connection slots held (profile limit 4): {peak_slots}")
        spread = [f"{s} ({(s - equal) / equal:+.0%})" for s in shares]
        print(f"final shares per live engine: {', '.join(spread)}")


if __name__ == "__main__":
    main()
