"""Signing mailboxes and service accounts in, as the GUI and the CLI do it, against the project's own
OAuth provider (msal pointed at it by the profile's authority host, its CA by the profile's CA file):
the grant lands in the keyring, the mailbox's sign-in alerts clear and the engine is asked to sync it
now; a declined sign-in, a wrong secret or the wrong kind of profile changes nothing."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import threading
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

import pytest
from conftest import MemoryKeyring
from oauth.browser import open_sign_in_page
from oauth.provider import APP_SCOPES, OAuthProvider
from support.certificates import make_certificate

from desktop_sync.domain.client_certificate import ClientCertificate, read_client_certificate, stored_client_credential
from desktop_sync.domain.errors import NotFoundError, ValidationError
from desktop_sync.domain.model import (
    Alert,
    AlertScope,
    AuthMethod,
    CredentialsOn,
    MailboxId,
    ProfileKind,
    Severity,
)
from desktop_sync.domain.signin import SIGNIN_NEEDED, ProviderUnavailable, SignInRefused
from desktop_sync.domain.signin import OAuthProvider as ProviderKind
from desktop_sync.domain.validation import ProfileInput
from desktop_sync.identity.broker import GRANT_PREFIX, TokenBroker
from desktop_sync.secrets import KeyringSecrets
from desktop_sync.services.mailboxes import MailboxService
from desktop_sync.services.profiles import ProfileService
from desktop_sync.services.signin import SignInService
from desktop_sync.store import SqlStore

T = TypeVar("T")
APP = "desktop-sync-admin"
SERVICE_APP = "desktop-sync-service"
SERVICE_SECRET = "service-secret-1"
ALICE = "alice@example.test"
BOB = "bob@example.test"
DAVE = "dave@example.test"
IMAP_SCOPE = "https://outlook.office.com/IMAP.AccessAsUser.All"
SMTP_SCOPE = "https://outlook.office.com/SMTP.Send"
APP_SCOPE = ("https://outlook.office365.com/.default",)


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


@pytest.fixture
def provider(oauth_provider: OAuthProvider) -> OAuthProvider:
    oauth_provider.add_client(APP)
    oauth_provider.add_client(SERVICE_APP, secret=SERVICE_SECRET, app_scopes=APP_SCOPES)
    for address in (ALICE, BOB):
        oauth_provider.add_user(address)
    return oauth_provider


def oauth_profile(provider: OAuthProvider, tls_ca: Path, name: str = "M365", **changes: Any) -> ProfileInput:
    fields: dict[str, Any] = {
        "name": name,
        "kind": ProfileKind.IMAP,
        "incoming_host": "imap.example.test",
        "outgoing_host": "smtp.example.test",
        "auth": AuthMethod.OAUTH2,
        "oauth_provider": ProviderKind.MICROSOFT,
        "client_id": APP,
        "tenant": provider.tenant,
        "authority_host": provider.base_url,
        "ca_file": str(tls_ca),
    }
    fields.update(changes)
    return ProfileInput(**fields)


@pytest.fixture
def broker() -> TokenBroker:
    return TokenBroker(KeyringSecrets())


@pytest.fixture
def synced() -> list[tuple[str, ...]]:
    return []


@pytest.fixture
def signin(
    store: SqlStore, broker: TokenBroker, secrets: KeyringSecrets, synced: list[tuple[str, ...]]
) -> SignInService:
    async def sync_now(addresses: Any) -> None:
        synced.append(tuple(addresses))

    return SignInService(store, broker, secrets, sync_now=sync_now)


def add_mailboxes(store: SqlStore, secrets: KeyringSecrets, profile: str, *addresses: str) -> None:
    async def go() -> None:
        for address in addresses:
            await MailboxService(store, secrets).add(address, profile)

    run(go())


def raise_signin_alert(store: SqlStore, address: str) -> None:
    async def go() -> None:
        async with store.transaction() as tx:
            mailbox = await tx.mailboxes.by_address(address)
            assert mailbox is not None and mailbox.id is not None
            await tx.alerts.add(
                Alert(
                    Severity.ERROR,
                    AlertScope.MAILBOX,
                    SIGNIN_NEEDED,
                    {"address": address, "detail": "revoked"},
                    mailbox_id=mailbox.id,
                    created_at=dt.datetime.now(dt.UTC),
                )
            )

    run(go())


def open_alerts(store: SqlStore, address: str) -> list[str]:
    async def go() -> list[str]:
        async with store.transaction() as tx:
            mailbox = await tx.mailboxes.by_address(address)
            assert mailbox is not None
            return [a.code for a in await tx.alerts.list(mailbox_id=mailbox.id)]

    return run(go())


def browser(tls_ca: Path) -> Callable[[str], None]:
    """The person's browser: opens the provider's page in the background, as a real one would."""

    def open_browser(uri: str) -> None:
        threading.Thread(target=open_sign_in_page, args=(uri, tls_ca), daemon=True).start()

    return open_browser


@pytest.fixture
def delegated(store: SqlStore, secrets: KeyringSecrets, provider: OAuthProvider, tls_ca: Path) -> str:
    run(ProfileService(store, secrets).add(oauth_profile(provider, tls_ca)))
    add_mailboxes(store, secrets, "M365", ALICE)
    return ALICE


def test_a_mailbox_signs_in_by_browser_its_alert_clears_and_it_syncs_now(
    signin: SignInService,
    store: SqlStore,
    delegated: str,
    tls_ca: Path,
    memory_keyring: MemoryKeyring,
    synced: list[tuple[str, ...]],
) -> None:
    raise_signin_alert(store, ALICE)
    assert run(signin.mailbox_state(ALICE)).needs_sign_in

    result = run(signin.sign_in_mailbox(ALICE, open_browser=browser(tls_ca), timeout=20))

    assert result.account == ALICE
    assert {IMAP_SCOPE, SMTP_SCOPE} <= set(result.scopes)  # the profile's protocols: IMAP and SMTP
    assert result.expires_at > dt.datetime.now(dt.UTC)
    assert (result.key, result.mailboxes, result.alerts_cleared) == (f"mailbox:{ALICE}", (ALICE,), 1)
    assert open_alerts(store, ALICE) == []
    assert synced == [(ALICE,)]
    grants = [name for (_, name) in memory_keyring.passwords]
    assert grants == [f"{GRANT_PREFIX}mailbox:{ALICE}"]
    state = run(signin.mailbox_state(ALICE))
    assert (state.signed_in, state.needs_sign_in, state.on_profile) == (True, False, False)


def test_a_declined_sign_in_is_refused_and_changes_nothing(
    signin: SignInService,
    store: SqlStore,
    delegated: str,
    provider: OAuthProvider,
    tls_ca: Path,
    memory_keyring: MemoryKeyring,
    synced: list[tuple[str, ...]],
) -> None:
    raise_signin_alert(store, ALICE)
    provider.decline()
    with pytest.raises(SignInRefused):
        run(signin.sign_in_mailbox(ALICE, open_browser=browser(tls_ca), timeout=20))
    assert open_alerts(store, ALICE) == [SIGNIN_NEEDED]
    assert memory_keyring.passwords == {} and synced == []


def test_a_browser_never_answering_times_out_and_cancel_stops_the_wait(
    signin: SignInService, delegated: str, memory_keyring: MemoryKeyring
) -> None:
    opened: list[str] = []
    with pytest.raises(SignInRefused):
        run(signin.sign_in_mailbox(ALICE, open_browser=opened.append, timeout=0.5))
    cancelled = threading.Event()
    cancelled.set()
    with pytest.raises(SignInRefused):
        run(signin.sign_in_mailbox(ALICE, open_browser=opened.append, timeout=60, cancelled=cancelled))
    assert len(opened) == 2 and all(uri.startswith("https://127.0.0.1:") for uri in opened)
    assert memory_keyring.passwords == {}


def test_the_device_code_signs_a_mailbox_in(
    signin: SignInService, delegated: str, provider: OAuthProvider, synced: list[tuple[str, ...]]
) -> None:
    async def go() -> Any:
        device = await signin.start_device_sign_in(ALICE)
        assert device.prompt.user_code and device.prompt.verification_uri.startswith(provider.base_url)
        provider.approve_device(device.prompt.user_code, ALICE)
        return await signin.finish_device_sign_in(device)

    result = run(go())
    assert result.account == ALICE and synced == [(ALICE,)]


def test_a_denied_device_code_is_refused(signin: SignInService, delegated: str, provider: OAuthProvider) -> None:
    async def go() -> Any:
        device = await signin.start_device_sign_in(ALICE)
        provider.deny_device(device.prompt.user_code)
        return await signin.finish_device_sign_in(device)

    with pytest.raises(SignInRefused):
        run(go())


def test_a_provider_that_is_down_is_unavailable_not_refused(
    signin: SignInService, delegated: str, provider: OAuthProvider, tls_ca: Path
) -> None:
    provider.down = True
    with pytest.raises(ProviderUnavailable):
        run(signin.start_device_sign_in(ALICE))


def test_signing_out_forgets_the_grant(
    signin: SignInService, delegated: str, tls_ca: Path, memory_keyring: MemoryKeyring
) -> None:
    run(signin.sign_in_mailbox(ALICE, open_browser=browser(tls_ca), timeout=20))
    run(signin.sign_out_mailbox(ALICE))
    assert memory_keyring.passwords == {}
    assert run(signin.mailbox_state(ALICE)).signed_in is False


@pytest.fixture
def service_account(store: SqlStore, secrets: KeyringSecrets, provider: OAuthProvider, tls_ca: Path) -> str:
    data = oauth_profile(provider, tls_ca, "Service", client_id=SERVICE_APP, credentials_on=CredentialsOn.PROFILE)
    run(ProfileService(store, secrets).add(data))
    add_mailboxes(store, secrets, "Service", BOB, DAVE)
    return "Service"


def test_a_service_account_proves_its_secret_then_keeps_it_and_its_mailboxes_resume(
    signin: SignInService,
    store: SqlStore,
    service_account: str,
    memory_keyring: MemoryKeyring,
    synced: list[tuple[str, ...]],
) -> None:
    raise_signin_alert(store, BOB)
    raise_signin_alert(store, DAVE)
    result = run(signin.sign_in_service_account("Service", client_secret=SERVICE_SECRET))
    assert result.account == SERVICE_APP
    assert result.scopes == ("https://outlook.office365.com/.default",)
    assert (result.mailboxes, result.alerts_cleared) == ((BOB, DAVE), 2)
    assert synced == [(BOB, DAVE)]
    assert [v for (_, k), v in memory_keyring.passwords.items() if k == "profile:Service"] == [SERVICE_SECRET]
    assert open_alerts(store, BOB) == open_alerts(store, DAVE) == []
    state = run(signin.profile_state("Service"))
    assert state is not None and (state.on_profile, state.signed_in) == (True, True)
    assert run(signin.mailbox_state(BOB)).key == "profile:Service"


def test_a_wrong_secret_is_refused_and_the_good_one_stays(
    signin: SignInService, service_account: str, memory_keyring: MemoryKeyring, synced: list[tuple[str, ...]]
) -> None:
    run(signin.sign_in_service_account("Service", client_secret=SERVICE_SECRET))
    with pytest.raises(SignInRefused):
        run(signin.sign_in_service_account("Service", client_secret="not-the-secret"))
    assert [v for (_, k), v in memory_keyring.passwords.items() if k == "profile:Service"] == [SERVICE_SECRET]
    assert len(synced) == 1


def test_each_sign_in_goes_to_its_kind_of_profile(
    signin: SignInService,
    store: SqlStore,
    secrets: KeyringSecrets,
    delegated: str,
    service_account: str,
    tls_ca: Path,
) -> None:
    run(ProfileService(store, secrets).add(ProfileInput("Passwords", ProfileKind.IMAP, incoming_host="imap.test")))
    add_mailboxes(store, secrets, "Passwords", "carol@example.test")
    problems = {
        "password profile": lambda: signin.sign_in_mailbox("carol@example.test", open_browser=print),
        "service account's mailbox": lambda: signin.start_device_sign_in(BOB),
        "delegated profile": lambda: signin.sign_in_service_account("M365", client_secret="x"),
        "empty secret": lambda: signin.sign_in_service_account("Service", client_secret=" "),
        "neither": lambda: signin.sign_in_service_account("Service"),
    }
    codes = {}
    for what, call in problems.items():
        with pytest.raises(ValidationError) as refused:
            run(call())
        codes[what] = next(iter(refused.value.checks.values())).code
    assert codes == {
        "password profile": "signin_not_oauth",
        "service account's mailbox": "signin_on_profile",
        "delegated profile": "signin_on_mailboxes",
        "empty secret": "client_secret_empty",
        "neither": "client_secret_or_certificate",
    }
    with pytest.raises(NotFoundError):
        run(signin.sign_in_mailbox("nobody@example.test", open_browser=print))
    with pytest.raises(NotFoundError):
        run(signin.sign_in_service_account("Nobody", client_secret="x"))
    assert run(signin.profile_state("Passwords")) is None


def test_without_an_engine_in_this_process_the_sync_is_asked_of_the_store(
    store: SqlStore, broker: TokenBroker, secrets: KeyringSecrets, service_account: str
) -> None:
    run(SignInService(store, broker, secrets).sign_in_service_account("Service", client_secret=SERVICE_SECRET))

    async def requested() -> set[MailboxId]:
        async with store.transaction() as tx:
            ids = [m.id for m in await tx.mailboxes.list() if m.id is not None]
            return set(await tx.status.take_sync_requests(ids))

    assert len(run(requested())) == 2


CERT_APP = "desktop-sync-certificate"


def test_a_service_account_signs_in_with_a_certificate_and_a_stranger_is_refused(
    signin: SignInService,
    store: SqlStore,
    secrets: KeyringSecrets,
    provider: OAuthProvider,
    tls_ca: Path,
    memory_keyring: MemoryKeyring,
) -> None:
    cert, key, thumbprint = make_certificate()
    provider.add_client(CERT_APP, certificate=cert, app_scopes=APP_SCOPES)
    data = oauth_profile(provider, tls_ca, "Certified", client_id=CERT_APP, credentials_on=CredentialsOn.PROFILE)
    run(ProfileService(store, secrets).add(data))

    stranger_cert, stranger_key, _ = make_certificate("someone-else")
    with pytest.raises(SignInRefused):
        run(
            signin.sign_in_service_account(
                "Certified", certificate=read_client_certificate(stranger_cert + stranger_key)
            )
        )
    assert memory_keyring.passwords == {}

    result = run(signin.sign_in_service_account("Certified", certificate=read_client_certificate(cert + key)))
    assert result.account == CERT_APP
    stored = memory_keyring.passwords[("desktop-sync", "profile:Certified")]
    assert stored_client_credential(stored) == ClientCertificate(key.strip(), thumbprint)
    # the engine's side: the stored certificate gets the application's token again
    settings = run(ProfileService(store, secrets).get("Certified")).oauth
    assert settings is not None
    fresh = TokenBroker(KeyringSecrets())
    token = run(
        fresh.app_token("profile:Certified", dataclasses.replace(settings, ca_file=str(tls_ca)), stored, APP_SCOPE)
    )
    assert token.account == CERT_APP


def test_a_certificate_is_for_microsoft_only(
    signin: SignInService, store: SqlStore, secrets: KeyringSecrets, provider: OAuthProvider
) -> None:
    data = ProfileInput(
        "Other",
        ProfileKind.IMAP,
        incoming_host="imap.example.test",
        auth=AuthMethod.OAUTH2,
        oauth_provider=ProviderKind.OIDC,
        client_id="x",
        issuer=provider.issuer,
        scopes=("mail",),
        credentials_on=CredentialsOn.PROFILE,
    )
    run(ProfileService(store, secrets).add(data))
    cert, key, _ = make_certificate()
    with pytest.raises(ValidationError) as refused:
        run(signin.sign_in_service_account("Other", certificate=read_client_certificate(cert + key)))
    assert refused.value.checks["client_certificate"].code == "client_certificate_microsoft_only"
