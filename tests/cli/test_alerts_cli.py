"""``desktop-sync failed ...`` as documented."""

from __future__ import annotations

from support.cli_runner import Cli, add_imap


def test_failed_list_names_items_by_subject_sender_and_date(run: Cli) -> None:
    import asyncio
    import datetime as dt

    from desktop_sync.domain.model import Channel, FailedItem
    from desktop_sync.store import open_store

    add_imap(run)
    run("mailbox", "add", "alice@example.test", "--profile", "Corp")
    when = dt.datetime(2026, 12, 1, 8, 30, tzinfo=dt.UTC)

    async def seed() -> None:
        store = open_store(run.db)
        async with store.transaction() as tx:
            mailbox = await tx.mailboxes.by_address("alice@example.test")
            assert mailbox is not None and mailbox.id is not None
            for ref, subject, sender in (("INBOX;7;4250", "Quarterly figures", "Dan <dan@customer.test>"),):
                await tx.failed_items.record(
                    FailedItem(mailbox.id, Channel.INCOMING, ref, "malformed_message", "bad MIME", "INBOX")
                )
                await tx.failed_items.record(  # a retry that read less keeps what the first failure knew
                    FailedItem(
                        mailbox.id,
                        Channel.INCOMING,
                        ref,
                        "malformed_message",
                        "bad MIME",
                        "INBOX",
                        subject=subject,
                        sender=sender,
                        item_date=when,
                    )
                )
                await tx.failed_items.record(
                    FailedItem(mailbox.id, Channel.INCOMING, ref, "malformed_message", "bad MIME", "INBOX")
                )
            await tx.failed_items.record(FailedItem(mailbox.id, Channel.INCOMING, "INBOX;7;99", "x", "y", "INBOX"))
        await store.close()

    asyncio.run(seed())
    text = run("failed", "list")
    assert text.code == 0, text.err
    header, *_lines = text.out.splitlines()
    assert header.split()[:5] == ["ID", "MAILBOX", "ITEM", "FROM", "DATE"]
    assert "Quarterly figures" in text.out and "Dan <dan@customer.test>" in text.out
    assert "a message in INBOX" in text.out
    assert "4250" not in text.out and "INBOX;7" not in text.out
    items = {i["item"]: i for i in run("failed", "list", "--json").json()}  # type: ignore[union-attr]
    full = items["INBOX;7;4250"]
    assert (full["subject"], full["sender"], full["date"]) == (
        "Quarterly figures",
        "Dan <dan@customer.test>",
        "2026-12-01T08:30:00+00:00",
    )
    assert full["attempts"] == 3
    assert (items["INBOX;7;99"]["subject"], items["INBOX;7;99"]["date"]) == (None, None)
