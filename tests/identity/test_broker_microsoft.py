"""Signing mailboxes in at Microsoft's identity platform (msal) and handing out their tokens, against the
project's own OAuth provider: browser sign-in with PKCE, refresh before expiry and on a refused token,
rotation, revocation, a declined sign-in, a scope not granted, a provider that is down, a skewed clock,
the device code and client credentials. The grants live in the keyring (the test's in-memory backend)
and never hold an access token.
"""

import asyncio
import datetime as dt
import json
import threading
from pathlib import Path

import pytest
from conftest import MemoryKeyring
from oauth.browser import open_sign_in_page
from oauth.provider import APP_SCOPES, OAuthProvider

from desktop_sync.domain.signin import (
    AccessToken,
    OAuthSettings,
    Protocol,
    ProviderUnavailable,
    SignInNeeded,
    SignInRefused,
)
from desktop_sync.domain.signin import (
    OAuthProvider as ProviderKind,
)
from desktop_sync.identity.broker import GRANT_PREFIX, TokenBroker
from desktop_sync.secrets import KeyringSecrets

APP = "desktop-sync"
ALICE = "alice@example.test"
KEY = "mailbox-1"
IMAP = (Protocol.IMAP,)


class Clock:
    def __init__(self) -> None:
        self.offset = dt.timedelta()

    def __call__(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC) + self.offset


@pytest.fixture
def provider(oauth_provider: OAuthProvider) -> OAuthProvider:
    oauth_provider.add_client(APP)
    oauth_provider.add_user(ALICE)
    oauth_provider.sign_in_as(ALICE)
    return oauth_provider


@pytest.fixture
def settings(provider: OAuthProvider, tls_ca: Path) -> OAuthSettings:
    host = provider.base_url
    return OAuthSettings(ProviderKind.MICROSOFT, APP, tenant=provider.tenant, authority_host=host, ca_file=str(tls_ca))


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def broker(clock: Clock) -> TokenBroker:
    return TokenBroker(KeyringSecrets(), now=clock)


def browser(tls_ca: Path) -> tuple[list[int], "callable"]:  # type: ignore[valid-type]
    answers: list[int] = []

    def open_browser(uri: str) -> None:
        threading.Thread(target=lambda: answers.append(open_sign_in_page(uri, tls_ca)), daemon=True).start()

    return answers, open_browser


def sign_in(broker: TokenBroker, settings: OAuthSettings, tls_ca: Path, timeout: float = 20.0) -> object:
    _, open_browser = browser(tls_ca)
    scopes = settings.scopes_for(IMAP)
    return asyncio.run(
        broker.sign_in_with_browser(KEY, settings, scopes, login_hint=ALICE, open_browser=open_browser, timeout=timeout)
    )


def token(broker: TokenBroker, settings: OAuthSettings) -> AccessToken:
    return asyncio.run(broker.token(KEY, settings, settings.scopes_for(IMAP)))


def stored_grant(keyring: MemoryKeyring) -> str:
    [value] = [v for (_, name), v in keyring.passwords.items() if name == GRANT_PREFIX + KEY]
    return value


def test_browser_sign_in_keeps_the_grant_in_the_keyring_without_its_access_token(
    broker: TokenBroker, settings: OAuthSettings, tls_ca: Path, provider: OAuthProvider, memory_keyring: MemoryKeyring
) -> None:
    signed = sign_in(broker, settings, tls_ca)
    assert signed.account == ALICE  # type: ignore[attr-defined]
    assert "https://outlook.office.com/IMAP.AccessAsUser.All" in signed.scopes  # type: ignore[attr-defined]
    first = token(broker, settings)
    grant = stored_grant(memory_keyring)
    assert first.token not in grant and "RefreshToken" in json.loads(grant)
    assert first.token not in repr(first) and first.token not in repr(broker)
    assert provider.endpoint_calls("/oauth2/v2.0/token") == provider.endpoint_calls("/oauth2/v2.0/token")[:1]


def test_a_token_is_refreshed_before_it_expires_and_the_rotated_refresh_token_is_stored_at_once(
    broker: TokenBroker,
    settings: OAuthSettings,
    tls_ca: Path,
    provider: OAuthProvider,
    clock: Clock,
    memory_keyring: MemoryKeyring,
) -> None:
    sign_in(broker, settings, tls_ca)
    first = token(broker, settings)
    grant_before = stored_grant(memory_keyring)
    assert token(broker, settings) is first  # fresh: from memory, no call to the provider

    clock.offset = dt.timedelta(minutes=56)  # less than five minutes left on a one-hour token
    second = token(broker, settings)
    assert second.token != first.token
    assert stored_grant(memory_keyring) != grant_before  # the provider rotated the refresh token
    assert len(provider.endpoint_calls("/oauth2/v2.0/token")) == 2


def test_a_token_a_server_refused_is_refreshed_on_the_next_request(
    broker: TokenBroker, settings: OAuthSettings, tls_ca: Path, provider: OAuthProvider
) -> None:
    sign_in(broker, settings, tls_ca)
    first = token(broker, settings)
    provider.expire_access_tokens()  # the mail server would now answer "invalid token"
    broker.invalidate(KEY)
    second = token(broker, settings)
    assert second.token != first.token and provider.live_access_tokens() == 1


def test_a_revoked_grant_needs_a_sign_in_and_signing_in_again_resumes(
    broker: TokenBroker, settings: OAuthSettings, tls_ca: Path, provider: OAuthProvider
) -> None:
    sign_in(broker, settings, tls_ca)
    token(broker, settings)
    provider.revoke(email=ALICE)
    broker.invalidate(KEY)
    with pytest.raises(SignInNeeded) as needed:
        token(broker, settings)
    assert needed.value.code == "signin_needed" and "invalid_grant" in needed.value.message

    sign_in(broker, settings, tls_ca)
    assert token(broker, settings).account == ALICE


def test_no_grant_at_all_needs_a_sign_in(broker: TokenBroker, settings: OAuthSettings) -> None:
    with pytest.raises(SignInNeeded):
        token(broker, settings)


def test_a_declined_sign_in_is_refused_and_stores_nothing(
    broker: TokenBroker, settings: OAuthSettings, tls_ca: Path, provider: OAuthProvider, memory_keyring: MemoryKeyring
) -> None:
    provider.decline()
    with pytest.raises(SignInRefused) as refused:
        sign_in(broker, settings, tls_ca)
    assert "access_denied" in refused.value.message
    assert memory_keyring.passwords == {}


def test_a_scope_the_application_was_not_given_is_refused(
    broker: TokenBroker, settings: OAuthSettings, tls_ca: Path, provider: OAuthProvider
) -> None:
    provider.add_client("imap-only", scopes=frozenset({"https://outlook.office.com/IMAP.AccessAsUser.All"}))
    smtp_only = OAuthSettings(
        ProviderKind.MICROSOFT, "imap-only", tenant=provider.tenant, authority_host=provider.base_url,
        ca_file=settings.ca_file, scopes=("https://outlook.office.com/SMTP.Send",),
    )  # fmt: skip
    with pytest.raises(SignInRefused) as refused:
        sign_in(broker, smtp_only, tls_ca)
    assert "invalid_scope" in refused.value.message


def test_a_wrong_client_id_is_refused_by_the_device_code_sign_in(broker: TokenBroker, settings: OAuthSettings) -> None:
    wrong = OAuthSettings(
        ProviderKind.MICROSOFT, "no-such-app", tenant=settings.tenant, authority_host=settings.authority_host,
        ca_file=settings.ca_file,
    )  # fmt: skip
    with pytest.raises(SignInRefused) as refused:
        asyncio.run(broker.start_device_sign_in(wrong, wrong.scopes_for(IMAP)))
    assert "client_id" in refused.value.message


def test_a_provider_that_is_down_is_a_transient_error(
    broker: TokenBroker, settings: OAuthSettings, tls_ca: Path, provider: OAuthProvider, clock: Clock
) -> None:
    sign_in(broker, settings, tls_ca)
    provider.down = True
    clock.offset = dt.timedelta(hours=2)
    with pytest.raises(ProviderUnavailable):
        token(broker, settings)
    provider.down = False
    assert token(broker, settings).account == ALICE  # the grant survived the outage


def test_a_provider_clock_five_minutes_off_changes_nothing(
    broker: TokenBroker, settings: OAuthSettings, tls_ca: Path, provider: OAuthProvider, clock: Clock
) -> None:
    for skew in (300.0, -300.0):
        provider.clock.skew = skew
        sign_in(broker, settings, tls_ca)
        clock.offset = dt.timedelta(minutes=58)
        assert token(broker, settings).account == ALICE
        clock.offset = dt.timedelta()


def test_device_code_sign_in(broker: TokenBroker, settings: OAuthSettings, provider: OAuthProvider) -> None:
    async def run() -> object:
        scopes = settings.scopes_for(IMAP)
        prompt, started = await broker.start_device_sign_in(settings, scopes)
        assert prompt.user_code in prompt.message and prompt.verification_uri == provider.endpoint("device")
        provider.approve_device(prompt.user_code, ALICE)
        return await broker.finish_device_sign_in(KEY, started, scopes)

    signed = asyncio.run(run())
    assert signed.account == ALICE  # type: ignore[attr-defined]
    assert token(broker, settings).account == ALICE


def test_a_cancelled_device_code_sign_in(broker: TokenBroker, settings: OAuthSettings) -> None:
    cancelled = threading.Event()

    async def run() -> None:
        scopes = settings.scopes_for(IMAP)
        _, started = await broker.start_device_sign_in(settings, scopes)
        cancelled.set()
        await broker.finish_device_sign_in(KEY, started, scopes, cancelled)

    with pytest.raises(SignInRefused):
        asyncio.run(run())


def test_client_credentials_serve_many_mailboxes_with_one_token(
    broker: TokenBroker, settings: OAuthSettings, provider: OAuthProvider, memory_keyring: MemoryKeyring
) -> None:
    provider.add_client("service-app", secret="svc-secret", app_scopes=APP_SCOPES)
    service = OAuthSettings(
        ProviderKind.MICROSOFT, "service-app", tenant=provider.tenant, authority_host=provider.base_url,
        ca_file=settings.ca_file,
    )  # fmt: skip

    async def many() -> set[str]:
        scopes = ("https://outlook.office365.com/.default",)
        tokens = [await broker.app_token("profile-7", service, "svc-secret", scopes) for _ in range(20)]
        return {t.token for t in tokens}

    assert len(asyncio.run(many())) == 1
    assert len(provider.endpoint_calls("/oauth2/v2.0/token")) == 1
    assert memory_keyring.passwords == {}  # an app token is never stored
    with pytest.raises(SignInRefused):
        asyncio.run(broker.app_token("profile-8", service, "wrong-secret", ("https://outlook.office365.com/.default",)))
