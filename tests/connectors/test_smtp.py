"""The SMTP sender against the real SMTP server and Dovecot: TLS, AUTH, refusals, Sent folder, connection test."""

from __future__ import annotations

import asyncio
import shutil
import uuid
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from connectors.mailkit import credentials_of, mailbox_admin, make_message
from servers.dovecot import DovecotServer, MailUser
from servers.smtp import SmtpServer, Stage
from servers.tls import make_temp_ca

from desktop_sync.connectors.imap import SentFolder
from desktop_sync.connectors.smtp import SmtpOutgoing
from desktop_sync.domain.errors import PermanentError, TransientError
from desktop_sync.domain.model import Endpoint, Profile, Security
from desktop_sync.domain.ports.connectors import ConnectionTestStep, OutgoingMail, OutgoingMessage, SendOutcome

pytestmark = [pytest.mark.smtp, pytest.mark.dovecot, pytest.mark.asyncio]


@pytest.fixture
def smtp_profile(smtp_server: SmtpServer, imap_profile: Callable[..., Profile]) -> Callable[..., Profile]:
    """An IMAP profile whose outgoing server is the test SMTP server (STARTTLS by default)."""

    def make(security: Security = Security.STARTTLS, *, port: int | None = None, **changes: Any) -> Profile:
        if port is None:
            port = smtp_server.tls_port if security is Security.TLS else smtp_server.port
        return replace(imap_profile(), outgoing=Endpoint("localhost", port, security), **changes)

    return make


def outgoing_message(sender: MailUser, *recipients: str, subject: str | None = None) -> OutgoingMessage:
    message_id = f"<{uuid.uuid4()}@crm.example.test>"
    raw = make_message(
        subject or f"from the CRM {uuid.uuid4()}",
        to=", ".join(recipients),
        sender=sender.address,
        message_id=message_id,
    )
    return OutgoingMessage(message_id, sender.address, tuple(recipients), raw)


def inbox_subjects(dovecot: DovecotServer, user: MailUser) -> list[bytes]:
    with mailbox_admin(dovecot, user) as imap:
        imap.select("INBOX", readonly=True)
        status, data = imap.fetch("1:*", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        if status != "OK" or data == [None]:
            return []
        return [part[1].strip() for part in data if isinstance(part, tuple)]


async def test_starttls_and_auth_send_reaches_the_recipients_mailbox(
    dovecot: DovecotServer,
    smtp_server: SmtpServer,
    mail_user: MailUser,
    smtp_profile: Callable[..., Profile],
) -> None:
    recipient = dovecot.add_user(f"rcpt-{uuid.uuid4().hex[:8]}", "pw")
    connector: OutgoingMail = SmtpOutgoing(smtp_profile(), credentials_of(mail_user))
    message = outgoing_message(mail_user, recipient.address, subject="hello over starttls")
    try:
        result = await connector.send(message)
        again = await connector.send(outgoing_message(mail_user, recipient.address, subject="second on the same line"))
    finally:
        await connector.close()
    assert result.outcome is SendOutcome.ACCEPTED and result.detail.startswith("250")
    assert again.outcome is SendOutcome.ACCEPTED
    first = smtp_server.messages[0]
    assert first.login == mail_user.name and first.tls
    assert first.mail_from == mail_user.address and first.rcpt_tos == (recipient.address,)
    assert inbox_subjects(dovecot, recipient) == [b"Subject: hello over starttls", b"Subject: second on the same line"]


async def test_implicit_tls_send(
    smtp_server: SmtpServer, mail_user: MailUser, smtp_profile: Callable[..., Profile]
) -> None:
    connector = SmtpOutgoing(smtp_profile(Security.TLS), credentials_of(mail_user))
    try:
        result = await connector.send(outgoing_message(mail_user, "someone@example.test"))
    finally:
        await connector.close()
    assert result.outcome is SendOutcome.ACCEPTED
    assert smtp_server.messages[0].tls


@pytest.mark.parametrize("stage", [Stage.MAIL, Stage.RCPT, Stage.DATA])
async def test_a_5xx_is_rejected_with_the_servers_words(
    stage: Stage, smtp_server: SmtpServer, mail_user: MailUser, smtp_profile: Callable[..., Profile]
) -> None:
    smtp_server.reject_next("550 5.7.1 No thank you", at=stage)
    connector = SmtpOutgoing(smtp_profile(), credentials_of(mail_user))
    try:
        result = await connector.send(outgoing_message(mail_user, "someone@example.test"))
        # The connection is still good for the next mail.
        after = await connector.send(outgoing_message(mail_user, "someone@example.test"))
    finally:
        await connector.close()
    assert result.outcome is SendOutcome.REJECTED
    assert "550" in result.detail and "No thank you" in result.detail
    assert after.outcome is SendOutcome.ACCEPTED
    assert len(smtp_server.messages) == 1


@pytest.mark.parametrize("stage", [Stage.MAIL, Stage.RCPT, Stage.DATA])
async def test_a_4xx_is_a_transient_error(
    stage: Stage, smtp_server: SmtpServer, mail_user: MailUser, smtp_profile: Callable[..., Profile]
) -> None:
    smtp_server.reject_next("451 4.3.0 Try again later", at=stage)
    connector = SmtpOutgoing(smtp_profile(), credentials_of(mail_user))
    try:
        with pytest.raises(TransientError) as caught:
            await connector.send(outgoing_message(mail_user, "someone@example.test"))
        assert caught.value.code == "smtp_temporary" and "Try again later" in caught.value.message
        assert (await connector.send(outgoing_message(mail_user, "someone@example.test"))).outcome is (
            SendOutcome.ACCEPTED
        )
    finally:
        await connector.close()
    assert smtp_server.messages == smtp_server.messages[:1]


async def test_one_refused_recipient_among_several_still_sends_once(
    smtp_server: SmtpServer, mail_user: MailUser, smtp_profile: Callable[..., Profile]
) -> None:
    smtp_server.reject_next("550 5.1.1 No such user", at=Stage.RCPT)
    connector = SmtpOutgoing(smtp_profile(), credentials_of(mail_user))
    try:
        result = await connector.send(outgoing_message(mail_user, "gone@example.test", "here@example.test"))
    finally:
        await connector.close()
    assert result.outcome is SendOutcome.ACCEPTED
    assert "gone@example.test" in result.detail and "No such user" in result.detail
    [received] = smtp_server.messages
    assert received.rcpt_tos == ("here@example.test",)


async def test_a_wrong_password_is_auth_failed_and_the_test_hides_it(
    smtp_server: SmtpServer, mail_user: MailUser, smtp_profile: Callable[..., Profile]
) -> None:
    secret = "smtp-wrong-password"
    connector = SmtpOutgoing(smtp_profile(), credentials_of(mail_user, secret))
    try:
        with pytest.raises(PermanentError) as caught:
            await connector.send(outgoing_message(mail_user, "someone@example.test"))
        assert caught.value.code == "auth_failed"
        result = await connector.test()
    finally:
        await connector.close()
    assert result.failed_step is ConnectionTestStep.AUTHENTICATE
    assert [step.ok for step in result.steps] == [True, True, True, False]
    assert "AUTH" in result.last_request and secret not in repr(result)
    assert "535" in result.last_response
    assert smtp_server.messages == []


async def test_connection_test_offers_a_sender_and_sends_nothing(
    smtp_server: SmtpServer, mail_user: MailUser, smtp_profile: Callable[..., Profile]
) -> None:
    for security in (Security.STARTTLS, Security.TLS):
        connector = SmtpOutgoing(smtp_profile(security), credentials_of(mail_user), sender_address=mail_user.address)
        try:
            result = await connector.test()
        finally:
            await connector.close()
        assert result.ok, result
        assert [step.step for step in result.steps] == [
            ConnectionTestStep.RESOLVE,
            ConnectionTestStep.CONNECT,
            ConnectionTestStep.TLS,
            ConnectionTestStep.AUTHENTICATE,
            ConnectionTestStep.SEND,
        ]
        tls = result.steps[2].detail
        # the certificate's subject, issuer and expiry, as the admin checks them against the server's
        assert "certificate verified: localhost, issued by Desktop Sync Test CA, valid until 20" in tls, tls
        assert result.steps[4].detail == f"the server accepts {mail_user.address} as sender (nothing was sent)"
        assert result.last_request == "RSET"
        # the whole exchange, in order, for the admin to read: never the password
        sent = [line for line in result.transcript if line.startswith("> ")]
        expected = ["> STARTTLS"] if security is Security.STARTTLS else []
        expected += [f"> AUTH {mail_user.name} ********", f"> MAIL FROM:<{mail_user.address}>", "> RSET"]
        assert [line for line in sent if not line.startswith("> EHLO")] == expected, result.transcript
        assert result.transcript[0].startswith("< 220")
        assert mail_user.password not in "\n".join(result.transcript)
    assert smtp_server.messages == []


async def test_a_certificate_from_another_ca_is_refused(
    smtp_server: SmtpServer, mail_user: MailUser, smtp_profile: Callable[..., Profile]
) -> None:
    directory, other = make_temp_ca()
    try:
        for security in (Security.STARTTLS, Security.TLS):
            connector = SmtpOutgoing(smtp_profile(security, ca_file=str(other.ca_cert)), credentials_of(mail_user))
            try:
                with pytest.raises(PermanentError) as caught:
                    await connector.send(outgoing_message(mail_user, "someone@example.test"))
                assert caught.value.code == "certificate_invalid"
                result = await connector.test()
                assert result.failed_step is ConnectionTestStep.TLS
            finally:
                await connector.close()
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    assert smtp_server.messages == []


async def test_a_dropped_kept_connection_is_replaced_before_sending(
    smtp_server: SmtpServer,
    mail_user: MailUser,
    smtp_profile: Callable[..., Profile],
    tcp_proxy: Callable[..., Any],
) -> None:
    proxy = await tcp_proxy(smtp_server.tls_port)
    connector = SmtpOutgoing(smtp_profile(Security.TLS, port=proxy.port), credentials_of(mail_user))
    try:
        assert (await connector.send(outgoing_message(mail_user, "a@example.test"))).outcome is SendOutcome.ACCEPTED
        proxy.drop_all()
        await asyncio.sleep(0.1)
        assert (await connector.send(outgoing_message(mail_user, "b@example.test"))).outcome is SendOutcome.ACCEPTED
    finally:
        await connector.close()
    assert [message.rcpt_tos for message in smtp_server.messages] == [("a@example.test",), ("b@example.test",)]
    assert proxy.connections == 2


async def test_a_connection_lost_after_the_content_went_out_is_delivery_unknown(
    mail_user: MailUser, smtp_profile: Callable[..., Profile], scripted_server: Callable[..., Any]
) -> None:
    def reply(line: bytes) -> bytes | None:
        command = line[:4].upper()
        if command == b"EHLO":
            return b"250-fake\r\n250 8BITMIME\r\n"
        if command in (b"MAIL", b"RCPT"):
            return b"250 OK\r\n"
        if command == b"DATA":
            return b"354 go ahead\r\n"
        if line == b".\r\n":
            return None  # hang up instead of answering 250
        if command == b"QUIT":
            return b"221 bye\r\n"
        return b""

    server = await scripted_server(b"220 fake ESMTP\r\n", reply)
    profile = smtp_profile(Security.NONE, port=server.port, allow_insecure=True)
    connector = SmtpOutgoing(profile, replace(credentials_of(mail_user), secret=None))
    try:
        with pytest.raises(TransientError) as caught:
            await connector.send(outgoing_message(mail_user, "someone@example.test"))
    finally:
        await connector.close()
    assert caught.value.code == "delivery_unknown"


async def test_starttls_configured_but_not_offered_is_tls_unavailable(
    mail_user: MailUser, smtp_profile: Callable[..., Profile], scripted_server: Callable[..., Any]
) -> None:
    def reply(line: bytes) -> bytes | None:
        if line[:4].upper() == b"EHLO":
            return b"250-fake\r\n250 AUTH PLAIN\r\n"
        if line[:4].upper() == b"AUTH":
            raise AssertionError("credentials must never go out in clear text")
        return b"221 bye\r\n"

    server = await scripted_server(b"220 fake ESMTP\r\n", reply)
    connector = SmtpOutgoing(smtp_profile(Security.STARTTLS, port=server.port), credentials_of(mail_user))
    try:
        with pytest.raises(PermanentError) as caught:
            await connector.send(outgoing_message(mail_user, "someone@example.test"))
        assert caught.value.code == "tls_unavailable"
    finally:
        await connector.close()


async def test_nobody_listening_is_server_unreachable(
    mail_user: MailUser, smtp_profile: Callable[..., Profile], scripted_server: Callable[..., Any]
) -> None:
    server = await scripted_server(None)
    port = server.port
    await server.close()
    connector = SmtpOutgoing(smtp_profile(port=port), credentials_of(mail_user))
    try:
        with pytest.raises(TransientError) as caught:
            await connector.send(outgoing_message(mail_user, "someone@example.test"))
        assert caught.value.code == "server_unreachable"
        result = await connector.test()
        assert result.failed_step is ConnectionTestStep.CONNECT
        # said as a person would, not "[Errno 111] Connection refused"
        assert result.steps[-1].detail.endswith(f"refused the connection on port {port}: nothing listens there")
        assert "Errno" not in result.steps[-1].detail
    finally:
        await connector.close()


async def test_copy_to_sent_then_find_sent_by_message_id(
    dovecot: DovecotServer, mail_user: MailUser, smtp_profile: Callable[..., Profile]
) -> None:
    profile = smtp_profile()
    credentials = credentials_of(mail_user)
    connector = SmtpOutgoing(profile, credentials, sent_folder=SentFolder(profile, credentials))
    message = outgoing_message(mail_user, "someone@example.test", subject="keep a copy")
    try:
        assert await connector.find_sent(message.message_id) is False
        assert await connector.copy_to_sent(message) is True
        assert await connector.find_sent(message.message_id) is True
        assert await connector.find_sent(f"<{uuid.uuid4()}@crm.example.test>") is False
    finally:
        await connector.close()
    with mailbox_admin(dovecot, mail_user) as imap:
        imap.select("Sent", readonly=True)
        status, data = imap.fetch("1", "(FLAGS BODY.PEEK[])")
        assert status == "OK"
        assert isinstance(data[0], tuple) and data[0][1] == message.raw
        assert b"\\Seen" in data[0][0]


async def test_without_a_sent_folder_helper_nothing_is_copied_and_nothing_can_be_told(
    mail_user: MailUser, smtp_profile: Callable[..., Profile]
) -> None:
    connector = SmtpOutgoing(smtp_profile(), credentials_of(mail_user))
    message = outgoing_message(mail_user, "someone@example.test")
    try:
        assert await connector.copy_to_sent(message) is False
        assert await connector.find_sent(message.message_id) is None
    finally:
        await connector.close()


async def test_an_account_without_a_sent_folder_cannot_tell(
    mail_user: MailUser, smtp_profile: Callable[..., Profile], scripted_server: Callable[..., Any]
) -> None:
    # Dovecot re-creates its Sent folder at every login, so an IMAP server without one is scripted.
    def reply(line: bytes) -> bytes | None:
        tag, _, rest = line.strip().partition(b" ")
        command = rest.split(b" ", 1)[0].upper()
        answers = {
            b"CAPABILITY": b"* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n",
            b"LIST": b'* LIST (\\HasNoChildren) "/" INBOX\r\n* LIST (\\HasNoChildren \\Archive) "/" Old\r\n',
            b"LOGOUT": b"* BYE bye\r\n",
        }
        return answers.get(command, b"") + tag + b" OK done\r\n"

    server = await scripted_server(b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] no sent folder here\r\n", reply)
    profile = smtp_profile(incoming=Endpoint("localhost", server.port, Security.NONE), allow_insecure=True)
    connector = SmtpOutgoing(
        profile, credentials_of(mail_user), sent_folder=SentFolder(profile, credentials_of(mail_user))
    )
    message = outgoing_message(mail_user, "someone@example.test")
    try:
        assert await connector.copy_to_sent(message) is False
        assert await connector.find_sent(message.message_id) is None
    finally:
        await connector.close()
