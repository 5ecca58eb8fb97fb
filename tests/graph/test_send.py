"""Sending through Microsoft Graph: our MIME and Message-ID in sendMail, the copy in Sent Items found by
internetMessageId, Bcc, refusals, a connection lost after the server took the mail, and the channel test."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from oauth.provider import OAuthProvider

from desktop_sync.connectors.factory import MailConnectorFactory
from desktop_sync.connectors.graph.send import GraphOutgoing, with_bcc
from desktop_sync.domain.errors import DeliveryUnknown
from desktop_sync.domain.ports.connectors import ConnectionTestStep, OutgoingMessage, SendOutcome

from .client import ALICE, BOB
from .kit import bearer, graph_mailbox, graph_profile
from .server import GraphServer
from .tokens import service_app

pytestmark = pytest.mark.asyncio

CAROL = "carol@contoso.test"


def message(number: int, *, to: tuple[str, ...] = (BOB,), bcc: tuple[str, ...] = ()) -> OutgoingMessage:
    message_id = f"<out-{number}@contoso.test>"
    raw = (
        f"From: Alice Able <{ALICE}>\r\nTo: {', '.join(to)}\r\nSubject: Quote {number}\r\n"
        f"Message-ID: {message_id}\r\nDate: Tue, 08 Dec 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\nHere is the quote.\r\n"
    ).encode()
    return OutgoingMessage(message_id, ALICE, to + bcc, raw)


@pytest_asyncio.fixture
async def outgoing(
    graph_server: GraphServer, oauth_provider: OAuthProvider, tls_ca: Path
) -> AsyncIterator[GraphOutgoing]:
    for address in (ALICE, BOB, CAROL):
        graph_server.store.add_mailbox(address)
    tokens = service_app(graph_server, oauth_provider, tls_ca)
    factory = MailConnectorFactory()
    made = factory.outgoing(graph_profile(graph_server, oauth_provider, tls_ca), graph_mailbox(), bearer(tokens))
    assert isinstance(made, GraphOutgoing)
    yield made
    await made.close()
    factory.close()


def sent_items(server: GraphServer, address: str = ALICE) -> list[str]:
    mailbox = server.store.mailbox(address)
    assert mailbox is not None
    sent = mailbox.folder("sentitems")
    assert sent is not None
    return [m.resource()["internetMessageId"] for m in mailbox.messages.values() if m.folder_id == sent.id]


def inbox_of(server: GraphServer, address: str) -> list[bytes]:
    mailbox = server.store.mailbox(address)
    assert mailbox is not None
    return [m.mime for m in mailbox.messages.values()]


async def test_our_mime_goes_out_once_and_is_found_in_sent_items(
    outgoing: GraphOutgoing, graph_server: GraphServer
) -> None:
    mail = message(1, bcc=(CAROL,))
    result = await outgoing.send(mail)
    assert (result.outcome, result.copied_to_sent) == (SendOutcome.ACCEPTED, True)
    assert await outgoing.copy_to_sent(mail) is True
    assert sent_items(graph_server) == [mail.message_id]
    (to_bob,) = inbox_of(graph_server, BOB)
    (to_carol,) = inbox_of(graph_server, CAROL)
    assert b"Here is the quote." in to_bob and CAROL.encode() not in to_bob and b"Bcc" not in to_carol
    assert await outgoing.find_sent(mail.message_id) is True
    assert await outgoing.find_sent("<never-sent@contoso.test>") is False
    assert await outgoing.find_sent("<it's quoted@contoso.test>") is False


async def test_a_mail_the_server_refuses_is_rejected(outgoing: GraphOutgoing, graph_server: GraphServer) -> None:
    broken = OutgoingMessage("<broken@contoso.test>", ALICE, (BOB,), b"no headers and no body")
    result = await outgoing.send(broken)
    assert result.outcome is SendOutcome.REJECTED and "ErrorMimeContentInvalid" in result.detail
    assert sent_items(graph_server) == []


async def test_a_connection_lost_after_the_server_took_it_is_unknown_and_found_in_sent(
    outgoing: GraphOutgoing, graph_server: GraphServer
) -> None:
    mail = message(2)
    graph_server.faults.drop_after(1)
    with pytest.raises(DeliveryUnknown):
        await outgoing.send(mail)
    assert await outgoing.find_sent(mail.message_id) is True  # what the journal asks before any retry
    assert sent_items(graph_server) == [mail.message_id]


async def test_throttled_sends_wait_and_go_once(outgoing: GraphOutgoing, graph_server: GraphServer) -> None:
    graph_server.faults.throttle(2, retry_after=0)
    assert (await outgoing.send(message(3))).outcome is SendOutcome.ACCEPTED
    assert sent_items(graph_server) == [message(3).message_id]


async def test_the_channel_test_checks_the_send_permission_without_sending(
    outgoing: GraphOutgoing, graph_server: GraphServer
) -> None:
    result = await outgoing.test()
    assert result.ok, result
    assert [s.step for s in result.steps] == [
        ConnectionTestStep.AUTHENTICATE, ConnectionTestStep.ACCESS, ConnectionTestStep.SEND]  # fmt: skip
    assert sent_items(graph_server) == [] and graph_server.sent == []


async def test_bcc_names_only_the_recipients_the_headers_do_not() -> None:
    raw = message(4, to=(BOB,)).raw
    assert with_bcc(raw, (BOB,)) == raw
    assert with_bcc(raw, (BOB, CAROL, CAROL.upper())).startswith(f"Bcc: {CAROL}\r\n".encode())
