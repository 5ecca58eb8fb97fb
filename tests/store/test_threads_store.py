"""Replies recorded with their parent in one call, or before it, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import dataclasses

from sqlalchemy import text

from desktop_sync.domain.mail import parse_message
from desktop_sync.domain.model import Endpoint, Mailbox, MailboxId, Profile, ProfileKind, Security
from desktop_sync.domain.ports import IncomingEmail
from desktop_sync.store import SqlStore
from desktop_sync.store.database import make_sync_engine, resolve_url


def mail(n: int, in_reply_to: str | None = None, **correlation: object) -> IncomingEmail:
    header = f"In-Reply-To: {in_reply_to}\r\n" if in_reply_to else ""
    raw = f"From: carol@customer.test\r\nSubject: s{n}\r\nMessage-ID: <m{n}@x.test>\r\n{header}\r\nbody\r\n"
    email = IncomingEmail(str(n), "INBOX", parse_message(raw.encode()), None, "the user tracks all mail")
    return dataclasses.replace(email, **correlation)  # type: ignore[arg-type]


def record(store: SqlStore, *batches: list[IncomingEmail]) -> None:
    async def scenario() -> None:
        async with store.transaction() as tx:
            p = await tx.profiles.add(
                Profile(name="Corp", kind=ProfileKind.IMAP, incoming=Endpoint("h", 993, Security.TLS))
            )
            assert p.id is not None
            added = await tx.mailboxes.add(Mailbox(address="alice@example.test", profile_id=p.id))
            assert added.id is not None
            box = MailboxId(added.id)
        for batch in batches:
            async with store.transaction() as tx:
                await tx.activities.add_incoming_many(box, batch)
                await tx.activities.correlate_waiting_replies([email.parsed.message_id for email in batch])

    asyncio.run(scenario())


def correlations(store_url: str) -> dict[str, tuple[object, object]]:
    engine = make_sync_engine(resolve_url(store_url))
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT a.message_id, a.correlation_method, p.message_id FROM email_activities a "
                    "LEFT JOIN email_activities p ON p.id = a.correlated_activity_id"
                )
            )
            return {str(m): (method, parent) for m, method, parent in rows}
    finally:
        engine.dispose()


def test_a_reply_recorded_with_its_parent_is_correlated_to_it(store: SqlStore, store_url: str) -> None:
    reply = mail(2, "<m1@x.test>", correlation_method="in_reply_to", correlated_message_id="<m1@x.test>")
    record(store, [reply, mail(1), mail(3)])
    assert correlations(store_url) == {
        "<m1@x.test>": (None, None),
        "<m2@x.test>": ("in_reply_to", "<m1@x.test>"),
        "<m3@x.test>": (None, None),
    }


def test_replies_recorded_before_their_parent_are_correlated_when_it_is(store: SqlStore, store_url: str) -> None:
    early = mail(2, "<m1@x.test>")  # its parent comes in the next batch
    by_references = mail(3, "<m1@x.test>", correlation_method="references")  # correlated further up, for now
    loop = mail(4, "<m4@x.test>")  # answers itself: never correlated to itself
    record(store, [early, by_references, loop, mail(5)], [mail(1)])
    found = correlations(store_url)
    assert found["<m2@x.test>"] == ("in_reply_to", "<m1@x.test>")
    assert found["<m3@x.test>"] == ("in_reply_to", "<m1@x.test>")
    assert found["<m4@x.test>"] == (None, None)
    assert found["<m5@x.test>"] == (None, None)
