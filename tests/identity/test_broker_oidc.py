"""Signing in at any OpenID Connect provider (authlib), found by its issuer's discovery document: the
same promises as Microsoft's path, against the project's own provider."""

import asyncio
import datetime as dt
import json
import threading
from pathlib import Path

import pytest
from conftest import MemoryKeyring
from oauth.browser import open_sign_in_page
from oauth.provider import APP_SCOPES, OAuthProvider

from desktop_sync.domain.signin import OAuthProvider as ProviderKind
from desktop_sync.domain.signin import OAuthSettings, ProviderUnavailable, SignInNeeded, SignInRefused
from desktop_sync.identity.broker import GRANT_PREFIX, TokenBroker
from desktop_sync.secrets import KeyringSecrets

APP = "desktop-sync"
ALICE = "alice@example.test"
KEY = "mailbox-9"
SCOPES = ("openid", "email", "offline_access", "https://outlook.office.com/IMAP.AccessAsUser.All")


@pytest.fixture
def provider(oauth_provider: OAuthProvider) -> OAuthProvider:
    oauth_provider.add_client(APP)
    oauth_provider.add_user(ALICE)
    oauth_provider.sign_in_as(ALICE)
    return oauth_provider


@pytest.fixture
def settings(provider: OAuthProvider, tls_ca: Path) -> OAuthSettings:
    return OAuthSettings(ProviderKind.OIDC, APP, issuer=provider.issuer, scopes=SCOPES, ca_file=str(tls_ca))


class Clock:
    offset = dt.timedelta()

    def __call__(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC) + self.offset


def sign_in(broker: TokenBroker, settings: OAuthSettings, tls_ca: Path) -> object:
    def open_browser(uri: str) -> None:
        threading.Thread(target=open_sign_in_page, args=(uri, tls_ca), daemon=True).start()

    return asyncio.run(
        broker.sign_in_with_browser(KEY, settings, SCOPES, login_hint=ALICE, open_browser=open_browser, timeout=20)
    )


def test_sign_in_refresh_with_rotation_and_revocation(
    settings: OAuthSettings, tls_ca: Path, provider: OAuthProvider, memory_keyring: MemoryKeyring
) -> None:
    clock = Clock()
    broker = TokenBroker(KeyringSecrets(), now=clock)
    signed = sign_in(broker, settings, tls_ca)
    assert signed.account == ALICE  # type: ignore[attr-defined]
    first = asyncio.run(broker.token(KEY, settings, SCOPES))
    grant = memory_keyring.passwords[("desktop-sync", GRANT_PREFIX + KEY)]
    assert first.token not in grant and json.loads(grant)["account"] == ALICE

    clock.offset = dt.timedelta(minutes=57)
    second = asyncio.run(broker.token(KEY, settings, SCOPES))
    assert second.token != first.token
    assert memory_keyring.passwords[("desktop-sync", GRANT_PREFIX + KEY)] != grant  # rotated, stored at once

    provider.revoke(email=ALICE)
    broker.invalidate(KEY)
    with pytest.raises(SignInNeeded):
        asyncio.run(broker.token(KEY, settings, SCOPES))


def test_declined_and_down(settings: OAuthSettings, tls_ca: Path, provider: OAuthProvider) -> None:
    broker = TokenBroker(KeyringSecrets())
    provider.decline()
    with pytest.raises(SignInRefused) as refused:
        sign_in(broker, settings, tls_ca)
    assert "access_denied" in refused.value.message
    provider.down = True
    with pytest.raises(ProviderUnavailable):
        sign_in(broker, settings, tls_ca)


def test_device_code_and_client_credentials(settings: OAuthSettings, provider: OAuthProvider, tls_ca: Path) -> None:
    broker = TokenBroker(KeyringSecrets())

    async def device() -> object:
        prompt, started = await broker.start_device_sign_in(settings, SCOPES)
        provider.approve_device(prompt.user_code, ALICE)
        return await broker.finish_device_sign_in(KEY, started, SCOPES)

    assert asyncio.run(device()).account == ALICE  # type: ignore[attr-defined]

    provider.add_client("service-app", secret="svc-secret", app_scopes=APP_SCOPES)
    service = OAuthSettings(ProviderKind.OIDC, "service-app", issuer=provider.issuer, ca_file=str(tls_ca))
    app = asyncio.run(broker.app_token("p1", service, "svc-secret", ("https://outlook.office365.com/.default",)))
    assert app.account == "service-app"


def test_an_issuer_without_a_discovery_document_is_refused(tls_ca: Path, provider: OAuthProvider) -> None:
    wrong = OAuthSettings(
        ProviderKind.OIDC, APP, issuer=provider.base_url + "/nowhere", scopes=SCOPES, ca_file=str(tls_ca)
    )
    with pytest.raises(SignInRefused) as refused:
        asyncio.run(TokenBroker(KeyringSecrets()).start_device_sign_in(wrong, SCOPES))
    assert "discovery" in refused.value.message
