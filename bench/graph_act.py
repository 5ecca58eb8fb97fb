"""Benchmark: appointments and contacts both ways through the ACT cycle and Microsoft Graph, against the Graph
test server, next to the EWS figure of bench/ews_act.py.

The OAuth test provider and the Graph test server run in a child process (bench/graph_support.py), every
answer still checked against Microsoft's metadata. Two scenarios, app-only (one service application):

- CRM -> Exchange Online: alice owns N contacts and N appointments (within the calendar window) in the CRM,
  all in her sync filters;
- Exchange Online -> CRM: bob's mailbox holds N contacts and N events carrying the tracking category.

For each, the engine's ACT cycle runs until a cycle neither acts nor reads an item: the first sync, the
cycles that read back what changed (after CRM -> Exchange Online, the items we created come back once and
are known by their change key), then the no-change re-sync (one delta request per record type). Prints,
per cycle, the wall time, the actions taken and the Graph requests counted at the server; then, unless
``--no-ews``, runs bench/ews_act.py with the same size.

    .venv/bin/python bench/graph_act.py [--records 1000] [--no-ews]
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import datetime as dt
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import keyring
from ews_act import act_cycles, show  # the same cycles and table as the EWS figure
from ews_support import MemoryKeyring
from graph_import import populate
from graph_support import TESTS, AppTokens, GraphServers

from desktop_sync.domain.model import ChannelState, ConnectionTestStatus, RecordType, SyncMethod
from desktop_sync.domain.sync_filters import Match, parse_rule
from desktop_sync.services.sync_filters import SyncFilterService
from desktop_sync.store import open_store

sys.path.insert(0, str(TESTS))
from graph.engine_kit import BearerFactory  # the tests' factory: the profile's tokens as the bearer

ALICE, BOB = "alice@contoso.test", "bob@contoso.test"
BENCH = Path(__file__).resolve().parent


async def seed_crm(db: str, records: int) -> None:
    """ACT enabled on both mailboxes, alice's filters, and her N contacts and N appointments."""
    store = open_store(db)
    start = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0) + dt.timedelta(days=1)
    on = ChannelState(SyncMethod.SERVER_SIDE, True, ConnectionTestStatus.SUCCESS)
    async with store.transaction() as tx:
        for address in (ALICE, BOB):
            mailbox = await tx.mailboxes.by_address(address)
            assert mailbox is not None
            await tx.mailboxes.update(dataclasses.replace(mailbox, act=on))
        user = await tx.users.by_email(ALICE)
        assert user is not None and user.id is not None
        for n in range(records):
            await tx.crm.create(RecordType.CONTACT, user.id, {
                "first_name": f"First{n}", "last_name": f"Last{n}", "company": f"Company {n % 50}",
                "email": f"contact{n}@customer.test", "phone": f"+44 20 7946 {n:04d}", "city": "London",
            })  # fmt: skip
            begins = start + dt.timedelta(hours=n % 5000)
            await tx.crm.create(RecordType.APPOINTMENT, user.id, {
                "subject": f"Meeting {n}", "starts_at": begins, "ends_at": begins + dt.timedelta(minutes=30),
                "location": f"Room {n % 10}", "body": f"Agenda of meeting {n}", "organizer": ALICE,
            })  # fmt: skip
    filters = SyncFilterService(store)
    await filters.add(ALICE, RecordType.CONTACT, "All", Match.ALL, [parse_rule("last_name not_empty")])
    await filters.add(ALICE, RecordType.APPOINTMENT, "All", Match.ALL, [parse_rule("subject not_empty")])
    await store.close()


async def cycles(db: str, servers: GraphServers, address: str) -> list[dict[str, Any]]:
    def idle(calls: dict[str, int]) -> bool:
        return all(kind.endswith("delta") for kind in calls)  # one delta request per type, nothing read

    factory = BearerFactory(AppTokens(servers.oauth()))
    return await act_cycles(db, factory, address, lambda: servers.call("reset"), lambda: servers.call("calls"), idle)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=1000, help="contacts, and as many appointments, per side")
    parser.add_argument("--no-ews", action="store_true", help="skip the EWS figure")
    args = parser.parse_args()
    keyring.set_keyring(MemoryKeyring())
    with GraphServers([ALICE, BOB]) as servers, tempfile.TemporaryDirectory(prefix="desktop-sync-bench-") as tmp:
        db = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        asyncio.run(populate(db, servers, [ALICE, BOB]))
        asyncio.run(seed_crm(db, args.records))
        servers.call("add_act_items", BOB, args.records)
        print(f"Graph: {args.records} contacts and {args.records} appointments each way, app-only, SQLite store")
        show("CRM -> Exchange Online (alice's sync filters):", asyncio.run(cycles(db, servers, ALICE)))
        show("Exchange Online -> CRM (bob's tracked items):", asyncio.run(cycles(db, servers, BOB)))
        print(f"  answers that broke the metadata: {len(servers.call('invalid'))}")
    if not args.no_ews:
        print("\nEWS, the same size (bench/ews_act.py):", flush=True)
        subprocess.run([sys.executable, str(BENCH / "ews_act.py"), "--records", str(args.records)], check=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
