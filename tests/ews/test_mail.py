"""Mail through exchangelib: listing, incremental sync with paging, MIME, sending, moving, categories."""

from __future__ import annotations

import email
import email.policy

import pytest
from exchangelib import HTMLBody, Mailbox, Message
from exchangelib.errors import ErrorSchemaValidation
from exchangelib.folders import Folder

from ews.fixtures import ALICE, BOB, AccountFactory
from ews.server import EwsServer


def mime(number: int, *, to: str = ALICE, subject: str | None = None) -> bytes:
    return (
        f"From: Carol Customer <carol@customer.test>\r\nTo: {to}\r\n"
        f"Subject: {subject or f'Message {number}'}\r\nMessage-ID: <m{number}@customer.test>\r\n"
        "Date: Mon, 10 Mar 2025 10:00:00 +0000\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        f"Body of message {number}.\r\n"
    ).encode()


def test_inbox_listing_pages_with_find_item(ews_server: EwsServer, ews_account: AccountFactory):
    ews_server.deliver_many(ALICE, (mime(n) for n in range(25)))
    account = ews_account()

    newest = list(account.inbox.all().order_by("-datetime_received").only("subject", "message_id")[:10])
    assert len(newest) == 10
    everything = list(account.inbox.all().only("subject").order_by("subject"))
    assert len(everything) == 25
    assert everything[0].subject == "Message 0"
    assert account.inbox.all().count() == 25
    found = list(account.inbox.filter(message_id="<m7@customer.test>"))
    assert [m.subject for m in found] == ["Message 7"]
    assert list(account.inbox.filter(subject__contains="essage 1").only("subject").order_by("subject")) != []


def test_sync_items_pages_and_then_returns_only_new_changes(ews_server: EwsServer, ews_account: AccountFactory):
    ids = ews_server.deliver_many(ALICE, (mime(n) for n in range(1200)))
    account = ews_account()
    inbox = account.inbox

    first = list(inbox.sync_items(only_fields=["subject", "message_id"], max_changes_returned=512))
    assert len(first) == 1200
    assert {change for change, _ in first} == {"create"}
    assert ews_server.stats.count("SyncFolderItems") == 3
    state = inbox.item_sync_state

    ews_server.deliver(ALICE, mime(5000))
    ews_server.deliver(ALICE, mime(5001))
    ews_server.mark_read(ids[0])
    ews_server.delete_item(ids[1])
    second = list(inbox.sync_items(sync_state=state, only_fields=["subject", "is_read"], max_changes_returned=512))
    kinds = sorted((change, getattr(item, "subject", None)) for change, item in second)
    assert kinds == [("create", "Message 5000"), ("create", "Message 5001"), ("delete", None), ("update", "Message 0")]
    updated = next(item for change, item in second if change == "update")
    assert updated.is_read is True

    state = inbox.item_sync_state
    assert list(inbox.sync_items(sync_state=state, max_changes_returned=512)) == []
    assert inbox.item_sync_state == state


def test_more_than_512_changes_per_page_is_a_schema_error(ews_server: EwsServer, ews_account: AccountFactory):
    account = ews_account()
    with pytest.raises(ErrorSchemaValidation):
        list(account.inbox.sync_items(max_changes_returned=513))


def test_get_item_returns_the_mime_content_unchanged(ews_server: EwsServer, ews_account: AccountFactory):
    raw = mime(1, subject="Grüße")
    ews_server.deliver(ALICE, raw)
    account = ews_account()
    ((_, item),) = account.inbox.sync_items(only_fields=["subject"])
    fetched = list(account.fetch([item], only_fields=["mime_content", "subject", "sender"]))
    assert fetched[0].mime_content == raw
    assert fetched[0].subject == "Grüße"
    assert fetched[0].sender.email_address == "carol@customer.test"
    assert ews_server.stats.count("GetItem") == 1


def test_send_and_save_copy_keeps_a_copy_and_delivers_locally(ews_server: EwsServer, ews_account: AccountFactory):
    account = ews_account()
    message = Message(
        account=account,
        folder=account.sent,
        subject="Quote 42",
        body=HTMLBody("<p>Here is the quote.</p>"),
        to_recipients=[Mailbox(email_address=BOB), Mailbox(email_address="dan@outside.test")],
    )
    message.send_and_save()

    (sent,) = ews_server.items(ALICE, "sentitems")
    (delivered,) = ews_server.items(BOB, "inbox")
    assert sent.text("Subject") == delivered.text("Subject") == "Quote 42"
    message_id = sent.text("InternetMessageId")
    assert message_id and delivered.text("InternetMessageId") == message_id
    (record,) = ews_server.sent
    assert record.sender == ALICE
    assert record.recipients == (BOB, "dan@outside.test")

    # The never-twice check: find the Message-ID in Sent Items.
    copies = list(account.sent.filter(message_id=message_id).only("subject", "is_read"))
    assert [(c.subject, c.is_read) for c in copies] == [("Quote 42", True)]
    parsed = email.message_from_bytes(copies[0].refresh().mime_content, policy=email.policy.default)
    assert parsed["From"].addresses[0].addr_spec == ALICE
    assert "Here is the quote." in parsed.get_body().get_content()


def test_send_prepared_mime_without_bcc_in_the_delivered_copy(ews_server: EwsServer, ews_account: AccountFactory):
    account = ews_account()
    raw = (
        f"From: Alice Able <{ALICE}>\r\nTo: {BOB}\r\nBcc: boss@outside.test\r\nSubject: Prepared\r\n"
        "Message-ID: <prepared-1@example.test>\r\n\r\nPrepared body\r\n"
    ).encode()
    Message(
        account=account,
        folder=account.sent,
        mime_content=raw,
        to_recipients=[Mailbox(email_address=BOB)],
        bcc_recipients=[Mailbox(email_address="boss@outside.test")],
    ).send_and_save()
    (delivered,) = ews_server.items(BOB)
    assert b"Bcc:" not in delivered.mime
    assert delivered.text("InternetMessageId") == "<prepared-1@example.test>"
    assert ews_server.sent[0].recipients == (BOB, "boss@outside.test")


def test_draft_saved_then_sent(ews_server: EwsServer, ews_account: AccountFactory):
    account = ews_account()
    draft = Message(account=account, folder=account.drafts, subject="Draft", body="text", to_recipients=[BOB])
    draft.save()
    assert [i.text("Subject") for i in ews_server.items(ALICE, "drafts")] == ["Draft"]
    draft.send()
    assert ews_server.items(ALICE, "drafts") == []
    assert [i.text("Subject") for i in ews_server.items(ALICE, "sentitems")] == ["Draft"]
    assert [i.text("Subject") for i in ews_server.items(BOB)] == ["Draft"]


def test_move_to_a_subfolder_gives_a_new_item_id(ews_server: EwsServer, ews_account: AccountFactory):
    ews_server.create_folder(ALICE, "Customers")
    ews_server.deliver(ALICE, mime(1))
    account = ews_account()
    customers = account.inbox / "Customers"
    assert isinstance(customers, Folder)
    (item,) = account.inbox.all()
    old_id = item.id
    item.move(customers)
    assert item.id != old_id
    assert [i.subject for i in customers.all()] == ["Message 1"]
    assert account.inbox.all().count() == 0


def test_category_written_back_changes_the_change_key(ews_server: EwsServer, ews_account: AccountFactory):
    item_id = ews_server.deliver(ALICE, mime(1))
    account = ews_account()
    (item,) = account.inbox.all()
    old_key = item.changekey
    item.categories = ["Tracked to CRM"]
    item.save(update_fields=["categories"])
    assert item.changekey != old_key
    stored = ews_server.item(item_id)
    assert [s.text for s in stored.props["Categories"]] == ["Tracked to CRM"]
    (tracked,) = account.inbox.filter(categories__contains="Tracked to CRM").only("subject")
    assert tracked.subject == "Message 1"


def test_attachments_are_numbered_and_sent(ews_server: EwsServer, ews_account: AccountFactory):
    from exchangelib import FileAttachment

    account = ews_account()
    message = Message(account=account, folder=account.sent, subject="With file", body="see file", to_recipients=[BOB])
    message.attach(FileAttachment(name="a.txt", content=b"hello"))
    message.send_and_save()
    (delivered,) = ews_server.items(BOB)
    parsed = email.message_from_bytes(delivered.mime, policy=email.policy.default)
    (attachment,) = parsed.iter_attachments()
    assert (attachment.get_filename(), attachment.get_payload(decode=True)) == ("a.txt", b"hello")
    (sent,) = account.sent.all()
    assert sent.has_attachments is True


def test_mark_read_through_exchangelib(ews_server: EwsServer, ews_account: AccountFactory):
    item_id = ews_server.deliver(ALICE, mime(1))
    account = ews_account()
    (item,) = account.inbox.all()
    assert item.is_read is False
    item.is_read = True
    item.save(update_fields=["is_read"])
    assert ews_server.item(item_id).is_read
    account.inbox.refresh()
    assert account.inbox.unread_count == 0
