"""Sending through EWS: SendAndSaveCopy with our own MIME and Message-ID, Sent Items searched by Message-ID,
refusals, and the failures after which the fate of a mail is unknown."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from connectors.test_exchange_kit import exchange_profile, factory, mailbox, own_credentials, service_credentials
from connectors.test_exchange_kit import service_profile as service_profile_of
from ews.faults import DROP, HTTP_503, SLOW
from ews.fixtures import ALICE, BOB
from ews.server import EwsServer
from support.waiting import eventually

from desktop_sync.connectors.factory import MailConnectorFactory
from desktop_sync.domain.errors import DeliveryUnknown, DesktopSyncError, TransientError
from desktop_sync.domain.ports.connectors import OutgoingMail, OutgoingMessage, SendOutcome

pytestmark = pytest.mark.asyncio


@pytest_asyncio.fixture
async def connectors() -> AsyncIterator[MailConnectorFactory]:
    made = factory()
    yield made
    made.close()


def message(number: int, *, to: tuple[str, ...] = (BOB,), bcc: tuple[str, ...] = ()) -> OutgoingMessage:
    message_id = f"<out-{number}@example.test>"
    headers = f"From: Alice Able <{ALICE}>\r\n" + (f"To: {', '.join(to)}\r\n" if to else "")
    raw = (
        f"{headers}Subject: Quote {number}\r\nMessage-ID: {message_id}\r\n"
        "Date: Mon, 10 Mar 2025 10:00:00 +0000\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\nHere is the quote.\r\n"
    ).encode()
    return OutgoingMessage(message_id, ALICE, to + bcc, raw)


def sender(connectors: MailConnectorFactory, server: EwsServer, **changes: object) -> OutgoingMail:
    return connectors.outgoing(exchange_profile(server, **changes), mailbox(), own_credentials())


async def test_a_mail_goes_out_with_our_message_id_and_its_copy_is_in_sent_items(
    ews_server: EwsServer, connectors: MailConnectorFactory
) -> None:
    outgoing = sender(connectors, ews_server)
    mail = message(1, bcc=("boss@outside.test",))
    result = await outgoing.send(mail)
    assert (result.outcome, result.copied_to_sent) == (SendOutcome.ACCEPTED, True)
    assert await outgoing.copy_to_sent(mail) is True  # nothing more to do

    (delivered,) = ews_server.items(BOB)
    (copy,) = ews_server.items(ALICE, "sentitems")
    assert delivered.text("InternetMessageId") == copy.text("InternetMessageId") == mail.message_id
    assert delivered.mime == mail.raw  # our bytes, as composed
    (record,) = ews_server.sent
    assert (record.sender, record.recipients) == (ALICE, (BOB, "boss@outside.test"))  # Bcc told, not written
    assert b"boss@outside.test" not in delivered.mime
    assert ews_server.stats.operations()[-1] == "CreateItem"  # one request: no folder lookups first

    assert await outgoing.find_sent(mail.message_id) is True
    assert await outgoing.find_sent("<never-sent@example.test>") is False


async def test_a_service_account_sends_as_the_mailbox_owner(
    ews_server: EwsServer, connectors: MailConnectorFactory
) -> None:
    outgoing = connectors.outgoing(service_profile_of(ews_server), mailbox(), service_credentials())
    assert (await outgoing.send(message(2))).outcome is SendOutcome.ACCEPTED
    assert ews_server.sent[0].sender == ALICE
    assert [i.text("Subject") for i in ews_server.items(ALICE, "sentitems")] == ["Quote 2"]


async def test_a_mail_the_server_refuses_is_rejected_not_retried(
    ews_server: EwsServer, connectors: MailConnectorFactory
) -> None:
    result = await sender(connectors, ews_server).send(message(3, to=()))
    assert result.outcome is SendOutcome.REJECTED and "ErrorInvalidRecipients" in result.detail
    assert ews_server.sent == []


async def test_a_busy_or_absent_server_did_not_take_the_mail_it_is_simply_retried(
    ews_server: EwsServer, connectors: MailConnectorFactory
) -> None:
    ews_server.faults.next("CreateItem", "ErrorServerBusy", back_off_ms=3000)
    with pytest.raises(TransientError) as caught:
        await sender(connectors, ews_server).send(message(4))
    assert not isinstance(caught.value, DeliveryUnknown)
    assert (caught.value.code, caught.value.retry_after) == ("server_busy", 3.0)
    ews_server.faults.next("CreateItem", HTTP_503)
    with pytest.raises(TransientError) as caught:
        await sender(connectors, ews_server).send(message(4))
    assert caught.value.code == "server_busy"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(TransientError) as caught:
        await sender(connectors, ews_server, ews_url=f"http://127.0.0.1:{port}/EWS/Exchange.asmx").send(message(4))
    assert caught.value.code == "server_unreachable"
    assert ews_server.sent == []


async def test_a_connection_lost_after_handing_the_mail_over_is_delivery_unknown(
    ews_server: EwsServer, connectors: MailConnectorFactory
) -> None:
    outgoing = sender(connectors, ews_server)
    await outgoing.find_sent("<warm-up@example.test>")  # the connection exists: the next request is sent on it
    ews_server.faults.next("CreateItem", DROP)
    with pytest.raises(DeliveryUnknown):
        await outgoing.send(message(5))
    ews_server.faults.next("CreateItem", SLOW, seconds=1.6)
    with pytest.raises(DeliveryUnknown) as caught:
        await sender(connectors, ews_server, timeout_seconds=1).send(message(6))
    assert isinstance(caught.value, DesktopSyncError) and caught.value.code == "delivery_unknown"
    # Sent Items decides: the slow one went through after all (once the server got to it), the dropped one did not.
    await eventually(lambda: outgoing.find_sent(message(6).message_id), what="the slow mail in Sent Items")
    assert await outgoing.find_sent(message(5).message_id) is False
