"""Exchange (EWS) with OAuth bearer tokens from the product's TokenBroker, against the EWS test server
trusting the test OAuth provider's tokens: a person's own mailbox (delegated, msal sign-in), and a
service account's client credentials reading many mailboxes with one token (ExchangeImpersonation).
exchangelib never asks a token service itself; a revoked grant needs a new sign-in."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from connectors.test_exchange_kit import drain, exchange_profile, factory, mailbox, mime, subjects
from ews.fixtures import ALICE, BOB, running_ews_server
from ews.server import AuthScheme, EwsServer
from oauth.provider import APP_SCOPES, OAuthProvider
from servers.tls import TlsFiles
from support.oauth_mail import browser

from desktop_sync.domain.errors import ErrorScope
from desktop_sync.domain.model import AuthMethod, CredentialsOn, Profile
from desktop_sync.domain.ports.connectors import ConnectionTestStep, Credentials
from desktop_sync.domain.signin import OAuthProvider as ProviderKind
from desktop_sync.domain.signin import OAuthSettings, Protocol, SignInNeeded
from desktop_sync.engine.credentials import GrantTokens
from desktop_sync.identity.broker import TokenBroker
from desktop_sync.secrets import KeyringSecrets

pytestmark = pytest.mark.asyncio

EWS = (Protocol.EXCHANGE,)


@pytest.fixture
def ews(tls_files: TlsFiles, oauth_provider: OAuthProvider) -> Iterator[EwsServer]:
    """The EWS test server on HTTPS taking bearer tokens, trusting those the test provider honours."""
    with running_ews_server(tls=tls_files, auth=(AuthScheme.BEARER,)) as server:

        def holder(token: str) -> tuple[str | None] | None:
            found = oauth_provider.state.live_access_token(token)
            if found is None:
                return None
            return (found.grant.user.email if found.grant.user is not None else None,)

        server.accept_tokens_of(holder)
        yield server


def settings(provider: OAuthProvider, client_id: str, ca: Path) -> OAuthSettings:
    return OAuthSettings(
        ProviderKind.MICROSOFT, client_id, tenant=provider.tenant, authority_host=provider.base_url, ca_file=str(ca)
    )


def oauth_profile(server: EwsServer, oauth: OAuthSettings, ca: Path, **changes: object) -> Profile:
    return exchange_profile(server, auth=AuthMethod.OAUTH2, oauth=oauth, ca_file=str(ca), **changes)


async def test_a_persons_token_reads_their_own_mailbox_and_the_test_shows_the_token_step(
    ews: EwsServer, oauth_provider: OAuthProvider, tls_ca: Path
) -> None:
    oauth_provider.add_client("ews-app")
    oauth_provider.add_user(ALICE)
    oauth_provider.sign_in_as(ALICE)
    oauth = settings(oauth_provider, "ews-app", tls_ca)
    broker = TokenBroker(KeyringSecrets())
    _, _, open_browser = browser(tls_ca)
    key = f"mailbox:{ALICE}"
    await broker.sign_in_with_browser(
        key, oauth, oauth.scopes_for(EWS), login_hint=ALICE, open_browser=open_browser, timeout=20  # type: ignore[arg-type]
    )
    tokens = GrantTokens(broker, KeyringSecrets(), key, oauth, oauth.scopes_for(EWS), app_only=False,
                         scope=ErrorScope.MAILBOX)  # fmt: skip
    ews.deliver(ALICE, mime(1))
    profile = oauth_profile(ews, oauth, tls_ca)
    connectors = factory()
    try:
        connector = connectors.incoming(profile, mailbox(ALICE), Credentials(ALICE, None, tokens))
        try:
            batches, _ = await drain(connector)
            test = await connector.test()
        finally:
            await connector.close()
        assert subjects(batches) == ["Message 1"]
        steps = [step.step for step in test.steps]
        assert test.ok, test
        assert steps.index(ConnectionTestStep.TOKEN) < steps.index(ConnectionTestStep.AUTHENTICATE)
        token = (await broker.token(key, oauth, oauth.scopes_for(EWS))).token
        assert token not in repr(test) + "".join(test.transcript) + test.last_request + test.last_response

        oauth_provider.revoke(email=ALICE)
        connector = connectors.incoming(profile, mailbox(ALICE), Credentials(ALICE, None, tokens))
        try:
            with pytest.raises(SignInNeeded):
                await drain(connector)
        finally:
            await connector.close()
    finally:
        connectors.close()


async def test_a_service_accounts_client_credentials_read_many_mailboxes_with_one_token(
    ews: EwsServer, oauth_provider: OAuthProvider, tls_ca: Path
) -> None:
    oauth_provider.add_client("ews-service", secret="service-secret", app_scopes=APP_SCOPES)
    oauth = settings(oauth_provider, "ews-service", tls_ca)
    secrets = KeyringSecrets()
    await secrets.set_secret("profile:exchange", "service-secret")  # the client secret, where a password would be
    broker = TokenBroker(secrets)
    tokens = GrantTokens(broker, secrets, "profile:exchange", oauth, oauth.app_scopes_for(EWS), app_only=True,
                         scope=ErrorScope.PROFILE)  # fmt: skip
    profile = oauth_profile(ews, oauth, tls_ca, credentials_on=CredentialsOn.PROFILE, login="ews-service")
    for number, address in enumerate((ALICE, BOB), start=1):
        ews.deliver(address, mime(number, to=address))
    connectors = factory()
    try:
        read = []
        for number, address in enumerate((ALICE, BOB), start=1):
            connector = connectors.incoming(profile, mailbox(address, number), Credentials(address, None, tokens))
            try:
                batches, _ = await drain(connector)
            finally:
                await connector.close()
            read.append(subjects(batches))
    finally:
        connectors.close()
    assert read == [["Message 1"], ["Message 2"]]
    assert len(oauth_provider.endpoint_calls("/oauth2/v2.0/token")) == 1  # one token for every mailbox
