"""Records are named by what a person knows: an activity's regarding record and the mail it answers."""

from __future__ import annotations

import asyncio

from sqlalchemy import text

from desktop_sync.domain.mail import parse_message
from desktop_sync.domain.model import ProfileKind, RecordType
from desktop_sync.domain.ports import IncomingEmail
from desktop_sync.domain.validation import ProfileInput
from desktop_sync.secrets import KeyringSecrets
from desktop_sync.services.activities import ActivityService
from desktop_sync.services.mailboxes import MailboxService
from desktop_sync.services.profiles import ProfileService
from desktop_sync.store import SqlStore
from desktop_sync.store.database import make_sync_engine, resolve_url

ALICE = "alice@example.test"


def mail(subject: str, message_id: str) -> bytes:
    return (
        f"From: Dan <dan@customer.test>\r\nTo: {ALICE}\r\nSubject: {subject}\r\nMessage-ID: {message_id}\r\n\r\nhi\r\n"
    ).encode()


def test_an_activity_names_its_regarding_record_and_the_mail_it_answers(
    store: SqlStore, secrets: KeyringSecrets, tmp_path
) -> None:
    async def seed() -> int:
        await ProfileService(store, secrets).add(
            ProfileInput(name="Corp", kind=ProfileKind.IMAP, incoming_host="imap.example.test")
        )
        await MailboxService(store, secrets).add(ALICE, "Corp", password="pw")
        async with store.transaction() as tx:
            mailbox = await tx.mailboxes.by_address(ALICE)
            assert mailbox is not None and mailbox.id is not None
            account = (await tx.records.search("contoso", [RecordType.ACCOUNT], 1))[0]
            [first] = await tx.activities.add_incoming_many(
                mailbox.id, [IncomingEmail("INBOX;1;1", "INBOX", parse_message(mail("Offer", "<a@x>")), None, "all")]
            )
            assert first is not None
            [reply] = await tx.activities.add_incoming_many(
                mailbox.id,
                [
                    IncomingEmail(
                        "INBOX;1;2",
                        "INBOX",
                        parse_message(mail("Re: Offer", "<b@x>")),
                        None,
                        "in the tracked folder INBOX/Contoso",
                        correlation_method="in_reply_to",
                        correlated_activity_id=first,
                        regarding=account.ref,
                    )
                ],
            )
            assert reply is not None
            return reply

    engine = make_sync_engine(resolve_url(f"sqlite:///{tmp_path / 'store.sqlite3'}"))
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO accounts (name, email, created_at) "
                "VALUES ('Contoso', 'info@contoso.test', CURRENT_TIMESTAMP)"
            )
        )
    engine.dispose()
    reply = asyncio.run(seed())
    activity = asyncio.run(ActivityService(store).activity(reply))
    assert activity.regarding_name == "Contoso <info@contoso.test>"
    assert activity.correlated_subject == "Offer"
