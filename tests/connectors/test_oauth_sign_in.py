"""The IMAP, POP3 and SMTP connectors sign in with OAuth access tokens against the real servers:
Dovecot (its oauth2 passdb asks the test provider) and the SMTP server (which asks it the same way).

The token comes from the product's TokenBroker, signed in at the test provider through msal. The
mechanism follows what the server offers; a refused token is refreshed once; a grant the provider
revoked needs a new sign-in; the connection test shows the token step and never the token.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from connectors.mailkit import make_message
from oauth.provider import OAuthProvider
from servers.dovecot import DovecotServer
from servers.smtp import SmtpServer
from servers.tls import TlsFiles
from support.oauth_mail import OAuthAccount, bearer, oauth_account, sign_in

from desktop_sync.connectors.imap import ImapIncoming
from desktop_sync.connectors.pop3 import Pop3Incoming
from desktop_sync.connectors.smtp import SmtpOutgoing
from desktop_sync.domain.errors import DesktopSyncError, TransientError
from desktop_sync.domain.model import AuthMethod, Endpoint, Profile, Security
from desktop_sync.domain.ports.connectors import (
    ConnectionTest,
    ConnectionTestStep,
    Credentials,
    IncomingMail,
    OutgoingMessage,
    RawMessage,
    SendOutcome,
)
from desktop_sync.domain.signin import SIGNIN_NEEDED, SignInNeeded
from desktop_sync.identity.broker import TokenBroker
from desktop_sync.secrets import KeyringSecrets

pytestmark = [pytest.mark.dovecot, pytest.mark.smtp, pytest.mark.asyncio]


@pytest.fixture
def broker() -> TokenBroker:
    return TokenBroker(KeyringSecrets())


@pytest.fixture
def account(oauth_provider_session: OAuthProvider, dovecot: DovecotServer, tls_ca: Path) -> OAuthAccount:
    return oauth_account(oauth_provider_session, dovecot, tls_ca)


def credentials(broker: TokenBroker, account: OAuthAccount, login: str | None = None) -> Credentials:
    return Credentials(login or account.user.name, None, bearer(broker, account))


def oauth(profile: Profile, account: OAuthAccount) -> Profile:
    return replace(profile, auth=AuthMethod.OAUTH2, oauth=account.settings)


async def fetch_everything(connector: IncomingMail) -> list[RawMessage]:
    items: list[RawMessage] = []
    async for batch in connector.fetch({}, None, 100):
        items.extend(batch.items)
    return items


def deliver(dovecot: DovecotServer, account: OAuthAccount, *subjects: str) -> None:
    for subject in subjects:
        dovecot.deliver(account.user.name, make_message(subject, to=account.user.address))


def shows_the_token_step_and_never_the_token(test: ConnectionTest, account: OAuthAccount, token: str) -> None:
    steps = [step.step for step in test.steps]
    assert steps.index(ConnectionTestStep.TOKEN) < steps.index(ConnectionTestStep.AUTHENTICATE), steps
    [token_step] = [step for step in test.steps if step.step is ConnectionTestStep.TOKEN]
    assert token_step.ok and account.user.address in token_step.detail and "microsoft" in token_step.detail
    assert "IMAP.AccessAsUser.All" in token_step.detail and "valid until" in token_step.detail
    everything = repr(test) + "".join(test.transcript) + test.last_request + test.last_response
    assert token not in everything


@pytest.mark.parametrize("protocol", ["imap", "pop3"])
async def test_incoming_mail_with_a_token_and_the_tests_token_step(
    protocol: str,
    broker: TokenBroker,
    account: OAuthAccount,
    dovecot: DovecotServer,
    tls_ca: Path,
    request: pytest.FixtureRequest,
) -> None:
    await sign_in(broker, account, tls_ca)
    deliver(dovecot, account, "first by token", "second by token")
    profile = oauth(request.getfixturevalue(f"{protocol}_profile")(), account)
    connector_class = ImapIncoming if protocol == "imap" else Pop3Incoming
    connector: IncomingMail = connector_class(profile, credentials(broker, account))
    try:
        items = await fetch_everything(connector)
        test = await connector.test()
    finally:
        await connector.close()
    assert len(items) == 2
    assert test.ok, test
    token = (await broker.token(account.key, account.settings, ())).token
    shows_the_token_step_and_never_the_token(test, account, token)
    [authenticate] = [step for step in test.steps if step.step is ConnectionTestStep.AUTHENTICATE]
    assert "XOAUTH2" in authenticate.detail  # Dovecot offers both; XOAUTH2 is what Microsoft 365 speaks


def outgoing(account: OAuthAccount, to: str) -> OutgoingMessage:
    message_id = f"<{uuid.uuid4()}@crm.example.test>"
    raw = make_message("sent with a token", to=to, sender=account.user.address, message_id=message_id)
    return OutgoingMessage(message_id, account.user.address, (to,), raw)


def smtp_profile(imap_profile: Callable[..., Profile], account: OAuthAccount, port: int) -> Profile:
    return oauth(replace(imap_profile(), outgoing=Endpoint("localhost", port, Security.STARTTLS)), account)


async def test_smtp_sends_through_xoauth2(
    broker: TokenBroker,
    account: OAuthAccount,
    smtp_server: SmtpServer,
    imap_profile: Callable[..., Profile],
    tls_ca: Path,
) -> None:
    await sign_in(broker, account, tls_ca)
    connector = SmtpOutgoing(smtp_profile(imap_profile, account, smtp_server.port), credentials(broker, account))
    try:
        result = await connector.send(outgoing(account, "someone@example.test"))
    finally:
        await connector.close()
    assert result.outcome is SendOutcome.ACCEPTED
    assert smtp_server.messages[0].login == account.user.name and smtp_server.messages[0].tls


async def test_smtp_speaks_oauthbearer_to_a_server_that_offers_only_that(
    broker: TokenBroker,
    account: OAuthAccount,
    tls_files: TlsFiles,
    dovecot: DovecotServer,
    oauth_provider_session: OAuthProvider,
    imap_profile: Callable[..., Profile],
    tls_ca: Path,
) -> None:
    await sign_in(broker, account, tls_ca)
    introspection = oauth_provider_session.introspection_for(f"smtp-{uuid.uuid4().hex[:8]}")
    with SmtpServer(tls_files, dovecot.users, introspection=introspection, without=("XOAUTH2",)) as server:
        connector = SmtpOutgoing(smtp_profile(imap_profile, account, server.port), credentials(broker, account))
        try:
            test = await connector.test()
            result = await connector.send(outgoing(account, "someone@example.test"))
        finally:
            await connector.close()
        assert result.outcome is SendOutcome.ACCEPTED and server.messages[0].login == account.user.name
    [authenticate] = [step for step in test.steps if step.step is ConnectionTestStep.AUTHENTICATE]
    assert authenticate.ok and "OAUTHBEARER" in authenticate.detail


async def test_a_server_without_oauth_sign_in_is_said_so(
    broker: TokenBroker,
    account: OAuthAccount,
    tls_files: TlsFiles,
    dovecot: DovecotServer,
    imap_profile: Callable[..., Profile],
    tls_ca: Path,
) -> None:
    await sign_in(broker, account, tls_ca)
    with SmtpServer(tls_files, dovecot.users, without=("XOAUTH2", "OAUTHBEARER")) as server:
        connector = SmtpOutgoing(smtp_profile(imap_profile, account, server.port), credentials(broker, account))
        try:
            test = await connector.test()
        finally:
            await connector.close()
    assert not test.ok
    assert test.steps[-1].step is ConnectionTestStep.AUTHENTICATE and test.steps[-1].error_code == "not_supported"
    assert "XOAUTH2 or OAUTHBEARER" in test.steps[-1].detail


async def test_a_token_the_server_refuses_is_refreshed_once_and_the_mail_still_comes(
    broker: TokenBroker,
    account: OAuthAccount,
    dovecot: DovecotServer,
    oauth_provider_session: OAuthProvider,
    imap_profile: Callable[..., Profile],
    tls_ca: Path,
) -> None:
    await sign_in(broker, account, tls_ca)
    before = await broker.token(account.key, account.settings, ())
    oauth_provider_session.expire_access_tokens()  # the broker still thinks its token fresh; Dovecot does not
    deliver(dovecot, account, "after a refused token")
    connector = ImapIncoming(oauth(imap_profile(), account), credentials(broker, account))
    try:
        items = await fetch_everything(connector)
    finally:
        await connector.close()
    assert len(items) == 1
    assert (await broker.token(account.key, account.settings, ())).token != before.token


async def test_a_revoked_grant_needs_a_sign_in_and_a_new_sign_in_works_again(
    broker: TokenBroker,
    account: OAuthAccount,
    dovecot: DovecotServer,
    oauth_provider_session: OAuthProvider,
    pop3_profile: Callable[..., Profile],
    tls_ca: Path,
) -> None:
    await sign_in(broker, account, tls_ca)
    profile = oauth(pop3_profile(), account)
    oauth_provider_session.revoke(email=account.user.address)
    connector = Pop3Incoming(profile, credentials(broker, account))
    try:
        with pytest.raises(SignInNeeded) as caught:
            await fetch_everything(connector)
        assert caught.value.code == SIGNIN_NEEDED
        test = await connector.test()
        assert not test.ok and test.steps[-1].error_code == SIGNIN_NEEDED
    finally:
        await connector.close()
    oauth_provider_session.sign_in_as(account.user.address)
    await sign_in(broker, account, tls_ca)
    deliver(dovecot, account, "after signing in again")
    connector = Pop3Incoming(profile, credentials(broker, account))
    try:
        assert len(await fetch_everything(connector)) == 1
    finally:
        await connector.close()


async def test_a_token_for_another_account_is_refused_twice_then_needs_a_sign_in(
    broker: TokenBroker,
    account: OAuthAccount,
    dovecot: DovecotServer,
    imap_profile: Callable[..., Profile],
    tls_ca: Path,
) -> None:
    await sign_in(broker, account, tls_ca)
    someone_else = dovecot.add_user(f"other{uuid.uuid4().hex[:6]}", "pw")
    connector = ImapIncoming(oauth(imap_profile(), account), credentials(broker, account, login=someone_else.name))
    try:
        with pytest.raises(SignInNeeded, match="refused the access token"):
            await fetch_everything(connector)
    finally:
        await connector.close()


async def test_a_provider_that_is_down_is_transient(
    broker: TokenBroker,
    account: OAuthAccount,
    oauth_provider_session: OAuthProvider,
    imap_profile: Callable[..., Profile],
    tls_ca: Path,
) -> None:
    await sign_in(broker, account, tls_ca)
    oauth_provider_session.expire_access_tokens()
    broker.invalidate(account.key)  # the next connection needs a refresh, and the provider is down
    oauth_provider_session.down = True
    connector = ImapIncoming(oauth(imap_profile(), account), credentials(broker, account))
    try:
        with pytest.raises(TransientError) as caught:
            await fetch_everything(connector)
    finally:
        oauth_provider_session.down = False
        await connector.close()
    assert caught.value.code == "identity_provider_unavailable"
    assert isinstance(caught.value, DesktopSyncError)
