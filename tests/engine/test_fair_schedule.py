"""The schedule of mailbox cycles is work-conserving and fair, against a real Dovecot: a mailbox at
the per-cycle cap goes on at once when no other waits for its worker, and yields to those that do,
so that with many due mailboxes each gets at most ``items_per_cycle`` before the next is served."""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter
from pathlib import Path

import pytest
from servers.dovecot import DovecotServer, MailUser
from support.cli_admin import Admin, mail
from support.waiting import eventually

from desktop_sync.connectors.factory import MailConnectorFactory
from desktop_sync.engine.cycle import CycleSettings
from desktop_sync.engine.engine import Engine, EngineSettings
from desktop_sync.engine.events import CycleFinished, Event
from desktop_sync.secrets import KeyringSecrets
from desktop_sync.store import open_store

pytestmark = pytest.mark.dovecot

CAP = 20
_accounts = itertools.count(1)


def profile(dovecot: DovecotServer, admin: Admin, tls_ca: Path) -> None:
    admin(
        "profile", "add", "Corp", "--kind", "imap", "--incoming-host", "localhost",
        "--incoming-port", str(dovecot.ports["imaps"]), "--ca-file", str(tls_ca),
    )  # fmt: skip


def account(dovecot: DovecotServer, admin: Admin, messages: int) -> MailUser:
    """A Dovecot account holding ``messages`` mails, and its mailbox set up as an admin would."""
    user = dovecot.add_user(f"fair{next(_accounts)}", "fair-pw")
    for n in range(messages):
        dovecot.deliver(user.name, mail(n, user.address))
    admin.imap_mailbox(user.address, user.name, user.password, "all")
    return user


async def import_all(db: str, total: int) -> list[CycleFinished]:
    """``desktop-sync engine run``'s engine, one mailbox worker, until ``total`` mails are tracked."""
    store = open_store(db)
    engine = Engine(
        store=store,
        connectors=MailConnectorFactory(),
        secrets=KeyringSecrets(),
        settings=EngineSettings(
            mailbox_workers=1, tick_seconds=0.01, push=False, cycle=CycleSettings(items_per_cycle=CAP)
        ),
    )
    cycles: list[CycleFinished] = []

    def seen(event: Event) -> None:
        if isinstance(event, CycleFinished):
            cycles.append(event)

    engine.bus.subscribe(seen)
    await engine.start()
    runner = asyncio.create_task(engine.run())

    async def imported() -> bool:
        async with store.transaction() as tx:
            return await tx.activities.count() >= total and not engine.mailbox_queue.running

    try:
        await eventually(imported, timeout=120, what=f"{total} mails imported and the cycle ended")
    finally:
        engine.request_stop()
        await runner
        await engine.stop()
        await store.close()
    return cycles


def commit_order(admin: Admin) -> list[str]:
    """The mailbox of each tracked mail, in the order they were committed."""
    rows = admin.json("email", "list", "--limit", "10000")
    return [row["mailbox"] for row in sorted(rows, key=lambda row: row["id"])]


def test_a_lone_mailbox_goes_on_past_the_cap_in_one_cycle(tmp_path: Path, dovecot: DovecotServer, tls_ca: Path) -> None:
    db = f"sqlite:///{tmp_path / 'crm.sqlite3'}"
    admin = Admin(db)
    profile(dovecot, admin, tls_ca)
    alone = account(dovecot, admin, 3 * CAP + 7)

    cycles = asyncio.run(import_all(db, 3 * CAP + 7))

    first = cycles[0]
    assert first.address == alone.address
    assert (first.items, first.more_pending) == (3 * CAP + 7, False)  # no pause at the cap: nobody waited
    assert Counter(commit_order(admin)) == {alone.address: 3 * CAP + 7}


def test_a_flood_yields_to_a_trickle_of_many_round_robin(tmp_path: Path, dovecot: DovecotServer, tls_ca: Path) -> None:
    db = f"sqlite:///{tmp_path / 'crm.sqlite3'}"
    admin = Admin(db)
    profile(dovecot, admin, tls_ca)
    floods = [account(dovecot, admin, 4 * CAP).address for _ in range(2)]
    trickles = [account(dovecot, admin, 2).address for _ in range(5)]
    total = 2 * 4 * CAP + 5 * 2

    asyncio.run(import_all(db, total))

    order = commit_order(admin)
    assert Counter(order) == {**{flood: 4 * CAP for flood in floods}, **{trickle: 2 for trickle in trickles}}
    # every trickle is served before either flood has had more than one turn of the cap
    last_trickle = max(position for position, mailbox in enumerate(order) if mailbox in trickles)
    assert all(order[: last_trickle + 1].count(flood) <= CAP for flood in floods), order
    # the floods take turns while both wait: never more than the cap in a row before the other is served
    other_done = {
        flood: max(position for position, mailbox in enumerate(order) if mailbox != flood) for flood in floods
    }
    for mailbox, run in itertools.groupby(enumerate(order), key=lambda entry: entry[1]):
        positions = [position for position, _ in run]
        if mailbox in floods and positions[-1] < other_done[mailbox]:
            assert len(positions) <= CAP, (mailbox, len(positions), order)
