"""The factory builds the right connector for each profile kind and channel, and refuses the rest clearly."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest
from connectors.mailkit import credentials_of, make_message
from servers.dovecot import DovecotServer, MailUser

from desktop_sync.connectors.factory import MailConnectorFactory
from desktop_sync.connectors.imap import ImapIncoming
from desktop_sync.connectors.pop3 import Pop3Incoming
from desktop_sync.connectors.smtp import SmtpOutgoing
from desktop_sync.domain.errors import PermanentError
from desktop_sync.domain.model import Channel, Endpoint, Mailbox, Profile, ProfileId, ProfileKind, Security
from desktop_sync.domain.ports.connectors import ConnectorFactory, Credentials

CREDENTIALS = Credentials("user", "secret")
MAILBOX = Mailbox("user@example.test", ProfileId(1))
SMTP = Endpoint("smtp.example.test", 587, Security.STARTTLS)


def profile(kind: ProfileKind, outgoing: Endpoint | None = SMTP) -> Profile:
    return Profile("p", kind, Endpoint("mail.example.test", 993, Security.TLS), outgoing=outgoing)


def test_supports_each_kinds_channels() -> None:
    factory: ConnectorFactory = MailConnectorFactory()
    for kind in (ProfileKind.IMAP, ProfileKind.POP3):
        assert factory.supports(profile(kind), Channel.INCOMING)
        assert factory.supports(profile(kind), Channel.OUTGOING)
        assert not factory.supports(profile(kind, outgoing=None), Channel.OUTGOING)
        assert not factory.supports(profile(kind), Channel.ACT)
    exchange = profile(ProfileKind.EXCHANGE)
    assert factory.supports(exchange, Channel.INCOMING) and factory.supports(exchange, Channel.OUTGOING)
    assert factory.supports(exchange, Channel.ACT)  # appointments, contacts and tasks: Exchange only


@pytest.mark.asyncio
async def test_builds_the_connector_of_each_kind() -> None:
    factory = MailConnectorFactory()
    imap = factory.incoming(profile(ProfileKind.IMAP), MAILBOX, CREDENTIALS)
    pop3 = factory.incoming(profile(ProfileKind.POP3), MAILBOX, CREDENTIALS)
    smtp_imap = factory.outgoing(profile(ProfileKind.IMAP), MAILBOX, CREDENTIALS)
    smtp_pop3 = factory.outgoing(profile(ProfileKind.POP3), MAILBOX, CREDENTIALS)
    assert isinstance(imap, ImapIncoming) and isinstance(pop3, Pop3Incoming)
    assert isinstance(smtp_imap, SmtpOutgoing) and isinstance(smtp_pop3, SmtpOutgoing)
    # A POP3 account has no Sent folder: nothing copied, and Sent cannot be asked.
    assert await smtp_pop3.find_sent("<x@example.test>") is None
    for connector in (imap, pop3, smtp_imap, smtp_pop3):
        await connector.close()


def test_refuses_what_it_cannot_do_with_not_supported() -> None:
    factory = MailConnectorFactory()
    attempts: list[Callable[[], object]] = [
        lambda: factory.act(profile(ProfileKind.IMAP), MAILBOX, CREDENTIALS),
        lambda: factory.act(profile(ProfileKind.POP3), MAILBOX, CREDENTIALS),
        lambda: factory.outgoing(profile(ProfileKind.IMAP, outgoing=None), MAILBOX, CREDENTIALS),
    ]
    for attempt in attempts:
        with pytest.raises(PermanentError) as caught:
            attempt()
        assert caught.value.code == "not_supported"


@pytest.mark.dovecot
@pytest.mark.asyncio
async def test_a_built_imap_connector_fetches(
    dovecot: DovecotServer, mail_user: MailUser, imap_profile: Callable[..., Profile]
) -> None:
    dovecot.deliver(mail_user.name, make_message("via the factory"))
    factory = MailConnectorFactory(batch_size=10, push_renew_seconds=1.0)
    connector = factory.incoming(imap_profile(), replace(MAILBOX, address=mail_user.address), credentials_of(mail_user))
    try:
        batches = [batch async for batch in connector.fetch({}, None, 10)]
    finally:
        await connector.close()
    assert len(batches[0].items) == 1
