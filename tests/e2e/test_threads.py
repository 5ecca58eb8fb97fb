"""Threads imported in one first sync from a real Dovecot correlate as if each parent had come earlier.

A reply whose parent is in the same batch, in an earlier batch of the cycle, or reaches the server
after it, is correlated by In-Reply-To (then the token, then References), whatever the batch size;
and the "replies" choice tracks exactly the mail that continues a tracked conversation.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest
from servers.dovecot import DovecotServer, MailUser
from servers.ports import LOOPBACK
from support.cli_admin import Admin
from support.threads import (
    ThreadedMail,
    add_crm_roots,
    correlations,
    expected_correlations,
    order_on_server,
    threaded_mailbox,
    tracked_under_replies,
)

from desktop_sync.connectors.factory import MailConnectorFactory
from desktop_sync.engine.engine import Engine, EngineSettings
from desktop_sync.secrets import KeyringSecrets
from desktop_sync.store import open_store

pytestmark = pytest.mark.dovecot


def set_up(db: str, dovecot: DovecotServer, user: MailUser, tls_ca: Path, tracking: str) -> None:
    admin = Admin(db)
    admin(
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
        str(tls_ca),
    )
    admin.imap_mailbox(user.address, user.name, user.password, tracking)


async def first_import(db: str, batch_size: int) -> None:
    """The engine's cycles one after the other until the mailbox is imported."""
    store = open_store(db)
    offset = dt.timedelta()

    def clock() -> dt.datetime:
        return dt.datetime.now(dt.UTC) + offset

    engine = Engine(
        store=store,
        connectors=MailConnectorFactory(batch_size=batch_size),
        secrets=KeyringSecrets(),
        settings=EngineSettings(push=False),
        clock=clock,
    )
    await engine.start()
    try:
        while True:
            before = engine.items_committed
            await engine.run_once()
            offset += dt.timedelta(minutes=15)  # due again at once
            if engine.items_committed == before:
                break
    finally:
        await engine.stop()
        await store.close()


def replies_before_their_parent(
    found: dict[str, tuple[str, str] | None],
    expected: dict[str, tuple[str, str] | None],
    in_server_order: list[ThreadedMail],
) -> int:
    """Checks that nothing is correlated to the wrong mail, and says how many mails reached the server
    before what they correlate to. Those may be correlated by References to an earlier mail of their
    conversation, or not at all, when they have no In-Reply-To to be found by later."""
    positions = {mail.message_id: i for i, mail in enumerate(in_server_order)}
    before = 0
    for message_id, wanted in expected.items():
        target = wanted[1] if wanted else None
        if target is None or target not in positions or positions[target] < positions[message_id]:
            assert found[message_id] == wanted, message_id
        else:
            before += 1
            got = found[message_id]
            assert got == wanted or (wanted[0] != "in_reply_to" and (got is None or got[0] == "references")), (
                message_id,
                got,
                wanted,
            )
    return before


def deliver(dovecot: DovecotServer, user: MailUser, mails: list[ThreadedMail]) -> list[ThreadedMail]:
    """Deliver ``mails``; returns them in the server's order (by UID)."""
    for mail in mails:
        dovecot.deliver(user.name, mail.raw)
    return order_on_server(LOOPBACK, dovecot.ports["imap"], user.name, user.password, mails)


@pytest.mark.parametrize("batch_size", [4, 50, 500])
def test_a_threaded_mailbox_correlates_its_replies_whatever_the_batch_size(
    tmp_path: Path, dovecot: DovecotServer, mail_user: MailUser, tls_ca: Path, batch_size: int
) -> None:
    db = f"sqlite:///{tmp_path / 'crm.sqlite3'}"
    set_up(db, dovecot, mail_user, tls_ca, "all")
    roots = add_crm_roots(db, 20)
    mailbox = threaded_mailbox(1_000, mail_user.address, seed=batch_size, crm_roots=roots)
    in_server_order = deliver(dovecot, mail_user, mailbox.in_server_order(seed=batch_size, out_of_order=0.03))

    asyncio.run(first_import(db, batch_size))

    crm = {root.activity_id: root.message_id for root in roots}
    tracked = {mail.message_id for mail in in_server_order} | set(crm.values())
    expected = expected_correlations(mailbox.mails, tracked, crm)
    found = correlations(db)
    assert set(found) == set(expected)  # every mail is tracked ("all"), once

    by_in_reply_to = [m for m, e in expected.items() if e is not None and e[0] == "in_reply_to"]
    right = [m for m in by_in_reply_to if found[m] == expected[m]]
    assert len(by_in_reply_to) > 500
    assert len(right) / len(by_in_reply_to) >= 0.99, f"{len(right)} of {len(by_in_reply_to)}"
    assert replies_before_their_parent(found, expected, in_server_order) > 5


@pytest.mark.parametrize("batch_size", [3, 50])
def test_the_replies_choice_tracks_what_continues_a_tracked_conversation(
    tmp_path: Path, dovecot: DovecotServer, mail_user: MailUser, tls_ca: Path, batch_size: int
) -> None:
    db = f"sqlite:///{tmp_path / 'crm.sqlite3'}"
    set_up(db, dovecot, mail_user, tls_ca, "replies")
    roots = add_crm_roots(db, 15)
    mailbox = threaded_mailbox(400, mail_user.address, seed=100 + batch_size, crm_roots=roots)
    in_server_order = deliver(dovecot, mail_user, mailbox.in_server_order(seed=1, out_of_order=0.15))

    asyncio.run(first_import(db, batch_size))

    crm = {root.activity_id: root.message_id for root in roots}
    tracked = tracked_under_replies(mailbox.mails, crm)
    found = correlations(db)
    assert set(found) == tracked - set(crm.values())
    assert 0 < len(found) < 400  # some conversations are the CRM's, some not
    expected = expected_correlations([m for m in mailbox.mails if m.message_id in found], tracked, crm)
    assert replies_before_their_parent(found, expected, in_server_order) > 5
