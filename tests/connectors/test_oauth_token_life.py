"""An OAuth mailbox's token over its life, through the connectors against Dovecot and the test provider:
refreshed before it expires, a provider whose clock is five minutes off, a device-code sign-in, and a
profile whose client id is not the one the mailbox signed in with."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from connectors.mailkit import make_message
from oauth.provider import OAuthProvider
from servers.dovecot import DovecotServer
from support.oauth_mail import MAIL, MovableClock, OAuthAccount, bearer, oauth_account, sign_in

from desktop_sync.connectors.imap import ImapIncoming
from desktop_sync.connectors.pop3 import Pop3Incoming
from desktop_sync.domain.errors import PermanentError
from desktop_sync.domain.model import AuthMethod, Profile
from desktop_sync.domain.ports.connectors import Credentials, IncomingMail
from desktop_sync.identity.broker import TokenBroker
from desktop_sync.secrets import KeyringSecrets

pytestmark = [pytest.mark.dovecot, pytest.mark.asyncio]


@pytest.fixture
def account(oauth_provider_session: OAuthProvider, dovecot: DovecotServer, tls_ca: Path) -> OAuthAccount:
    return oauth_account(oauth_provider_session, dovecot, tls_ca, prefix="life")


async def count(connector: IncomingMail) -> int:
    try:
        return sum([len(batch.items) async for batch in connector.fetch({}, None, 100)])
    finally:
        await connector.close()


def oauth(profile: Profile, account: OAuthAccount) -> Profile:
    return replace(profile, auth=AuthMethod.OAUTH2, oauth=account.settings)


def deliver(dovecot: DovecotServer, account: OAuthAccount) -> None:
    dovecot.deliver(account.user.name, make_message("for a token", to=account.user.address))


async def test_a_token_close_to_its_expiry_is_refreshed_before_the_login(
    account: OAuthAccount,
    dovecot: DovecotServer,
    oauth_provider_session: OAuthProvider,
    imap_profile: Callable[..., Profile],
    tls_ca: Path,
) -> None:
    clock = MovableClock()
    broker = TokenBroker(KeyringSecrets(), now=clock)
    await sign_in(broker, account, tls_ca)
    deliver(dovecot, account)
    profile = oauth(imap_profile(), account)
    first = await broker.token(account.key, account.settings, account.settings.scopes_for(MAIL))
    clock.ahead = dt.timedelta(minutes=57)  # three minutes before its expiry: inside the refresh margin
    assert await count(ImapIncoming(profile, Credentials(account.user.name, None, bearer(broker, account)))) == 1
    second = await broker.token(account.key, account.settings, account.settings.scopes_for(MAIL))
    assert second.token != first.token and second.expires_at > first.expires_at


@pytest.mark.parametrize("skew", [300.0, -300.0])
async def test_a_provider_clock_five_minutes_off_changes_nothing(
    skew: float,
    account: OAuthAccount,
    dovecot: DovecotServer,
    oauth_provider_session: OAuthProvider,
    imap_profile: Callable[..., Profile],
    tls_ca: Path,
) -> None:
    broker = TokenBroker(KeyringSecrets())
    oauth_provider_session.clock.skew = skew
    try:
        await sign_in(broker, account, tls_ca)
        deliver(dovecot, account)
        credentials = Credentials(account.user.name, None, bearer(broker, account))
        assert await count(ImapIncoming(oauth(imap_profile(), account), credentials)) == 1
    finally:
        oauth_provider_session.clock.skew = 0.0


async def test_a_device_code_sign_in_then_mail_by_pop3(
    account: OAuthAccount,
    dovecot: DovecotServer,
    oauth_provider_session: OAuthProvider,
    pop3_profile: Callable[..., Profile],
) -> None:
    broker = TokenBroker(KeyringSecrets())
    scopes = account.settings.scopes_for(MAIL)
    prompt, started = await broker.start_device_sign_in(account.settings, scopes)
    oauth_provider_session.approve_device(prompt.user_code, account.user.address)  # the person, on their phone
    signed = await broker.finish_device_sign_in(account.key, started, scopes)
    assert signed.account == account.user.address
    deliver(dovecot, account)
    credentials = Credentials(account.user.name, None, bearer(broker, account))
    assert await count(Pop3Incoming(oauth(pop3_profile(), account), credentials)) == 1


async def test_a_profile_with_another_client_id_than_the_sign_in_is_a_permanent_sign_in_error(
    account: OAuthAccount,
    oauth_provider_session: OAuthProvider,
    imap_profile: Callable[..., Profile],
    tls_ca: Path,
) -> None:
    await sign_in(TokenBroker(KeyringSecrets()), account, tls_ca)
    oauth_provider_session.add_client("an-app-nobody-signed-in-with")
    other = replace(account, settings=replace(account.settings, client_id="an-app-nobody-signed-in-with"))
    # the engine's broker, started after the profile's client id changed: only the grant in the keyring
    credentials = Credentials(account.user.name, None, bearer(TokenBroker(KeyringSecrets()), other))
    with pytest.raises(PermanentError) as caught:
        await count(ImapIncoming(oauth(imap_profile(), other), credentials))
    assert caught.value.code in ("signin_needed", "signin_refused")
