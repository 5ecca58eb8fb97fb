"""Benchmark: appointments and contacts both ways through the ACT cycle and exchangelib, against the EWS test server.

The EWS test server runs in a child process (bench/ews_support.py). Two scenarios, each on a mailbox of
its own behind the profile's service account (impersonation):

- CRM -> Exchange: alice owns N contacts and N future appointments in the CRM, all in her sync filters;
- Exchange -> CRM: bob's mailbox holds N contacts and N appointments carrying the tracking category.

For each, the ACT cycle (engine/act_cycle.py, the engine's own) runs until a cycle neither acts nor
reads an item: the first sync, the cycles that read back the server's change log (at most 512 changes
a type and cycle; after CRM -> Exchange, the items we created come back once, and are recognised by
their change key), then the no-change re-sync (one SyncFolderItems per type). Prints, per cycle, the
wall time, the actions taken and the EWS requests counted at the server.

    .venv/bin/python bench/ews_act.py [--records 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import keyring
from ews_support import MemoryKeyring, ServerProcess, admin, exchange_profile

from desktop_sync.connectors.factory import MailConnectorFactory
from desktop_sync.domain.model import RecordType
from desktop_sync.engine.engine import Engine, EngineSettings
from desktop_sync.secrets import KeyringSecrets
from desktop_sync.store import open_store

PASSWORD = "bench-pw"
ALICE, BOB, SERVICE = "alice@example.test", "bob@example.test", "svc@example.test"
TRACKED = "Tracked to CRM"
MAX_CYCLES = 40


def setup(db: str, url: str) -> None:
    exchange_profile(db, url, "--credentials-on", "profile", "--login", "svc", "--password-stdin", stdin=PASSWORD)
    for address in (ALICE, BOB):
        admin(db, "user", "add", address, "--name", address.split("@")[0])
        admin(db, "mailbox", "add", address, "--profile", "Exchange", "--user", address)
        admin(db, "mailbox", "approve", address)
        admin(db, "mailbox", "test-enable", address)
    admin(db, "filter", "add", ALICE, "--type", "contact", "--name", "All", "--rule", "last_name not_empty")
    admin(db, "filter", "add", ALICE, "--type", "appointment", "--name", "All", "--rule", "subject not_empty")


async def seed_crm(db: str, records: int) -> None:
    store = open_store(db)
    start = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0) + dt.timedelta(days=1)
    async with store.transaction() as tx:
        user = await tx.users.by_email(ALICE)
        assert user is not None and user.id is not None
        for n in range(records):
            await tx.crm.create(
                RecordType.CONTACT,
                user.id,
                {
                    "first_name": f"First{n}",
                    "last_name": f"Last{n}",
                    "company": f"Company {n % 50}",
                    "email": f"contact{n}@customer.test",
                    "phone": f"+44 20 7946 {n:04d}",
                    "city": "London",
                },
            )
            begins = start + dt.timedelta(hours=n)
            await tx.crm.create(
                RecordType.APPOINTMENT,
                user.id,
                {
                    "subject": f"Meeting {n}",
                    "starts_at": begins,
                    "ends_at": begins + dt.timedelta(minutes=30),
                    "location": f"Room {n % 10}",
                    "body": f"Agenda of meeting {n}",
                    "organizer": ALICE,
                },
            )
    await store.close()


def seed_exchange(server: ServerProcess, records: int) -> None:
    start = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0) + dt.timedelta(days=1)
    for n in range(records):
        server.call(
            "create_item",
            BOB,
            "Contact",
            {
                "DisplayName": f"Exchange {n}",
                "GivenName": f"Exchange{n}",
                "Surname": f"Contact{n}",
                "CompanyName": f"Company {n % 50}",
                "Categories": [TRACKED],
            },
        )
        begins = start + dt.timedelta(hours=n)
        server.call(
            "create_item",
            BOB,
            "CalendarItem",
            {
                "Subject": f"Visit {n}",
                "Start": begins.isoformat(),
                "End": (begins + dt.timedelta(minutes=30)).isoformat(),
                "Categories": [TRACKED],
            },
        )


async def cycles(db: str, server: ServerProcess, address: str) -> list[dict[str, Any]]:
    def requests() -> dict[str, int]:
        found: dict[str, int] = server.call("stats")["requests"]
        return found

    def idle(found: dict[str, int]) -> bool:
        return set(found) == {"SyncFolderItems"}

    return await act_cycles(db, MailConnectorFactory(), address, lambda: server.call("reset"), requests, idle)


async def act_cycles(
    db: str,
    connectors: Any,
    address: str,
    reset: Callable[[], object],
    requests: Callable[[], dict[str, int]],
    idle: Callable[[dict[str, int]], bool],
) -> list[dict[str, Any]]:
    """The ACT cycles of ``address`` until one neither acts nor reads an item (``idle`` says so of the
    requests counted at the server since ``reset``); shared with bench/graph_act.py."""
    store = open_store(db)
    engine = Engine(store=store, connectors=connectors, secrets=KeyringSecrets(), settings=EngineSettings(push=False))
    results: list[dict[str, Any]] = []
    try:
        async with store.transaction() as tx:
            mailbox = await tx.mailboxes.by_address(address)
        assert mailbox is not None and mailbox.id is not None
        for _ in range(MAX_CYCLES):
            reset()
            started = time.perf_counter()
            report = await engine.act.run(mailbox.id)
            wall = time.perf_counter() - started
            if report.error or report.skipped:
                raise SystemExit(f"{address}: {report.error or report.skipped}")
            found = requests()
            results.append({"wall": wall, "counts": dict(report.counts), "requests": found})
            if not report.counts and not report.more and idle(found):
                break  # nothing to do, nothing read back: the no-change re-sync
    finally:
        await store.close()
        connectors.close()
    return results


def show(title: str, results: list[dict[str, Any]]) -> None:
    print(title)
    print(f"{'cycle':>6} {'wall s':>7} {'requests':>8}  actions / requests by operation")
    for number, result in enumerate(results):
        requests: dict[str, int] = result["requests"]
        label = "first" if number == 0 else str(number + 1)
        actions = ", ".join(f"{name} {n}" for name, n in sorted(result["counts"].items())) or "nothing to do"
        print(
            f"{label:>6} {result['wall']:7.2f} {sum(requests.values()):>8}  {actions}; "
            + ", ".join(f"{op} {n}" for op, n in sorted(requests.items()))
        )
    total = sum(r["wall"] for r in results)
    print(f"  until the no-change re-sync: {total:.2f} s in {len(results)} cycles")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=1000, help="contacts, and as many appointments, per side")
    args = parser.parse_args()
    keyring.set_keyring(MemoryKeyring())
    accounts = [(ALICE, PASSWORD, False), (BOB, PASSWORD, False), (SERVICE, PASSWORD, True)]
    with ServerProcess(accounts) as server, tempfile.TemporaryDirectory(prefix="desktop-sync-bench-") as tmp:
        db = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        setup(db, server.url)
        asyncio.run(seed_crm(db, args.records))
        seed_exchange(server, args.records)
        print(f"{args.records} contacts and {args.records} appointments each way, service account, SQLite store")
        show("CRM -> Exchange (alice's sync filters):", asyncio.run(cycles(db, server, ALICE)))
        show("Exchange -> CRM (bob's tracked items):", asyncio.run(cycles(db, server, BOB)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
