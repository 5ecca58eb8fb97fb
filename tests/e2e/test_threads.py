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
from sqlalchemy import text
from support.cli_admin import Admin
from support.threads import (
    CrmRoot,
    ThreadedMail,
    expected_correlations,
    threaded_mailbox,
    tracked_under_replies,
)

from desktop_sync.connectors.factory import MailConnectorFactory
from desktop_sync.domain.correlation import tracking_token
from desktop_sync.engine.engine import Engine, EngineSettings
from desktop_sync.secrets import KeyringSecrets
from desktop_sync.store import open_store
from desktop_sync.store.database import make_sync_engine, resolve_url

pytestmark = pytest.mark.dovecot


def sql(db: str, statement: str, **params: object) -> list[tuple[object, ...]]:
    engine = make_sync_engine(resolve_url(db))
    try:
        with engine.begin() as connection:
            result = connection.execute(text(statement), params)
            return [tuple(r) for r in result] if result.returns_rows else []
    finally:
        engine.dispose()


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
    admin("user", "add", user.address, "--name", "Alice Seller")
    admin("user", "tracking", user.address, tracking)
    admin(
        "mailbox", "add", user.address, "--profile", "Corp", "--user", user.address, "--login", user.name,
        "--password-stdin", stdin=user.password,
    )  # fmt: skip
    admin("mailbox", "approve", user.address)
    admin("mailbox", "test-enable", user.address)


def add_crm_roots(db: str, count: int) -> list[CrmRoot]:
    """Mail sent from the CRM earlier, that conversations of the mailbox continue."""
    roots = []
    for n in range(count):
        message_id = f"<crm.{n}@example.test>"
        sql(
            db,
            "INSERT INTO email_activities (direction, status, subject, message_id, send_attempts, created_at,"
            " modified_at) VALUES ('outgoing', 'sent', 'pending', :message_id, 0, :now, :now)",
            message_id=message_id,
            now=dt.datetime(2026, 2, 1, tzinfo=dt.UTC),
        )
        [(activity_id,)] = sql(db, "SELECT id FROM email_activities WHERE message_id = :m", m=message_id)
        assert isinstance(activity_id, int)
        subject = f"Offer {n} {tracking_token('CRM:', activity_id)}"
        sql(db, "UPDATE email_activities SET subject = :s WHERE id = :i", s=subject, i=activity_id)
        roots.append(CrmRoot(activity_id, message_id, subject))
    return roots


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


def correlations(db: str) -> dict[str, tuple[str, str] | None]:
    """Message-ID -> (method, Message-ID of the activity it correlates to) of every incoming activity."""
    rows = sql(
        db,
        "SELECT a.message_id, a.correlation_method, p.message_id FROM email_activities a "
        "LEFT JOIN email_activities p ON p.id = a.correlated_activity_id WHERE a.direction = 'incoming'",
    )
    found: dict[str, tuple[str, str] | None] = {}
    for message_id, method, parent in rows:
        assert isinstance(message_id, str)
        found[message_id] = (str(method), str(parent)) if method is not None else None
    return found


def deliver(dovecot: DovecotServer, user: MailUser, mails: list[ThreadedMail]) -> None:
    for mail in mails:
        dovecot.deliver(user.name, mail.raw)


@pytest.mark.parametrize("batch_size", [4, 50, 500])
def test_a_threaded_mailbox_correlates_its_replies_whatever_the_batch_size(
    tmp_path: Path, dovecot: DovecotServer, mail_user: MailUser, tls_ca: Path, batch_size: int
) -> None:
    db = f"sqlite:///{tmp_path / 'crm.sqlite3'}"
    set_up(db, dovecot, mail_user, tls_ca, "all")
    roots = add_crm_roots(db, 20)
    mailbox = threaded_mailbox(1_000, mail_user.address, seed=batch_size, crm_roots=roots)
    in_server_order = mailbox.in_server_order(seed=batch_size, out_of_order=0.03)
    deliver(dovecot, mail_user, in_server_order)

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
    # nothing is correlated to the wrong mail: a reply that reached the server before its parent may
    # be correlated by References to an earlier mail of its conversation, or not at all
    positions = {mail.message_id: i for i, mail in enumerate(in_server_order)}
    before_parent = 0
    for message_id, wanted in expected.items():
        target = wanted[1] if wanted else None
        if target is None or target not in positions or positions[target] < positions[message_id]:
            assert found[message_id] == wanted, message_id
        else:
            before_parent += 1
            assert found[message_id] in (wanted, None) or found[message_id][0] == "references", message_id
    assert before_parent > 5  # the mailbox did hold replies that reached the server before their parent


@pytest.mark.parametrize("batch_size", [3, 50])
def test_the_replies_choice_tracks_what_continues_a_tracked_conversation(
    tmp_path: Path, dovecot: DovecotServer, mail_user: MailUser, tls_ca: Path, batch_size: int
) -> None:
    db = f"sqlite:///{tmp_path / 'crm.sqlite3'}"
    set_up(db, dovecot, mail_user, tls_ca, "replies")
    roots = add_crm_roots(db, 15)
    mailbox = threaded_mailbox(400, mail_user.address, seed=100 + batch_size, crm_roots=roots)
    deliver(dovecot, mail_user, mailbox.in_server_order(seed=1, out_of_order=0.0))

    asyncio.run(first_import(db, batch_size))

    crm = {root.activity_id: root.message_id for root in roots}
    tracked = tracked_under_replies(mailbox.mails, crm)
    found = correlations(db)
    assert set(found) == tracked - set(crm.values())
    assert 0 < len(found) < 400  # some conversations are the CRM's, some not
    assert found == expected_correlations([m for m in mailbox.mails if m.message_id in found], tracked, crm)
