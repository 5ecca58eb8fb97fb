"""Signing in with OAuth 2.0, as an admin does it: a mailbox's person by browser or device code, a
service account's application by client secret or certificate, and signing out.

The ``SignInBroker`` (``desktop_sync.identity``, built by the composition roots) talks to the identity
provider and keeps the grant in the keyring; this service decides *whose* sign-in it is (the grant key
is the password's key: ``mailbox:<address>``, or ``profile:<name>`` for a service account), which
scopes the profile's protocols need, and what a sign-in mends: the ``signin_needed`` alerts of the
mailboxes it serves are cleared and the engine is asked to sync them now, so they go on where they
stopped. Nothing here ever sees or returns a token.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
import threading
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop_sync.domain.client_certificate import ClientCertificate, read_client_certificate
from desktop_sync.domain.errors import NotFoundError, SecretStoreUnavailable, ValidationError
from desktop_sync.domain.model import (
    AuthMethod,
    CredentialsOn,
    Mailbox,
    MailboxId,
    Profile,
    mailbox_secret_key,
    profile_secret_key,
)
from desktop_sync.domain.ports import SecretStore, SignInBroker, Store, Transaction
from desktop_sync.domain.ports.clock import utcnow
from desktop_sync.domain.signin import (
    SIGNIN_NEEDED,
    DeviceCodePrompt,
    OAuthProvider,
    OAuthSettings,
    SignedIn,
)
from desktop_sync.domain.validation import field_error, normalize_address

log = logging.getLogger("desktop_sync.services.signin")

DEFAULT_TIMEOUT_SECONDS = 300.0

# Ask the engine to sync these mailboxes now (the application's SyncControl.sync_now; by default a
# request recorded in the store for whichever engine syncs them).
SyncNow = Callable[[Sequence[str]], Awaitable[Any]]


@dataclass(frozen=True, slots=True)
class SignInResult:
    """A finished sign-in: who signed in, what the provider granted, until when the first token holds,
    and the mailboxes it mends (their sign-in alerts cleared, a sync asked for)."""

    account: str
    scopes: tuple[str, ...]
    expires_at: dt.datetime
    key: str  # whose grant: mailbox:<address> or profile:<name>
    mailboxes: tuple[str, ...] = ()
    alerts_cleared: int = 0


@dataclass(frozen=True, slots=True)
class DeviceSignIn:
    """A device-code sign-in under way: what to show the person, and what ``finish_device_sign_in`` needs."""

    prompt: DeviceCodePrompt
    address: str
    key: str
    scopes: tuple[str, ...]
    started: Any = field(repr=False)


@dataclass(frozen=True, slots=True)
class SignInState:
    """Whether a mailbox (or a service account) has a sign-in stored, and whether it is needed again."""

    provider: OAuthProvider
    client_id: str
    key: str
    on_profile: bool  # the profile's application signs in for every mailbox
    signed_in: bool | None  # None: the keyring cannot tell
    needs_sign_in: bool  # an open signin_needed alert


@dataclass(frozen=True, slots=True)
class _Target:
    profile: Profile
    settings: OAuthSettings
    mailboxes: tuple[Mailbox, ...]


class SignInService:
    def __init__(
        self,
        store: Store,
        broker: SignInBroker,
        secrets: SecretStore,
        *,
        sync_now: SyncNow | None = None,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self._store = store
        self._broker = broker
        self._secrets = secrets
        self._sync_now = sync_now or self._request_sync
        self._clock = clock

    # --- a mailbox's person

    async def sign_in_mailbox(
        self,
        address: str,
        *,
        open_browser: Callable[[str], None],
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        cancelled: threading.Event | None = None,
    ) -> SignInResult:
        """The authorization-code flow with PKCE: ``open_browser`` gets the provider's page, the answer
        comes back to a loopback address. Raises ``SignInRefused`` when the person declines, the time
        runs out or ``cancelled`` is set, ``ProviderUnavailable`` when the provider cannot be reached."""
        target = await self._mailbox_target(address)
        mailbox = target.mailboxes[0]
        key = mailbox_secret_key(mailbox.address)
        self._secrets.check_secure()
        signed = await self._broker.sign_in_with_browser(
            key,
            target.settings,
            self._scopes(target),
            login_hint=mailbox.login or mailbox.address,
            open_browser=open_browser,
            timeout=timeout,
            cancelled=cancelled,
        )
        return await self._signed_in(key, signed, target.mailboxes)

    async def start_device_sign_in(self, address: str) -> DeviceSignIn:
        """The device-code flow's first half: the page and the code the person types there."""
        target = await self._mailbox_target(address)
        self._secrets.check_secure()
        scopes = self._scopes(target)
        prompt, started = await self._broker.start_device_sign_in(target.settings, scopes)
        key = mailbox_secret_key(target.mailboxes[0].address)
        return DeviceSignIn(prompt, target.mailboxes[0].address, key, scopes, started)

    async def finish_device_sign_in(
        self, device: DeviceSignIn, cancelled: threading.Event | None = None
    ) -> SignInResult:
        """Wait until the person has typed the code and agreed (or declined, or the code expired)."""
        signed = await self._broker.finish_device_sign_in(device.key, device.started, device.scopes, cancelled)
        target = await self._mailbox_target(device.address)
        return await self._signed_in(device.key, signed, target.mailboxes)

    async def sign_out_mailbox(self, address: str) -> None:
        """Forget the mailbox's grant (its refresh token in the keyring, its token in memory)."""
        target = await self._mailbox_target(address)
        await self._broker.sign_out(mailbox_secret_key(target.mailboxes[0].address))

    # --- a service account's application

    async def sign_in_service_account(
        self, name: str, *, client_secret: str | None = None, certificate: ClientCertificate | None = None
    ) -> SignInResult:
        """Prove the application's client secret (or certificate) by getting its own token (client
        credentials), then keep it in the keyring where the profile's password would be. Nothing is
        stored when the provider refuses it."""
        if (client_secret is None) == (certificate is None):
            raise ValidationError.single("client_secret", field_error("client_secret_or_certificate"))
        target = await self._profile_target(name)
        if certificate is not None:
            if target.settings.provider is not OAuthProvider.MICROSOFT:
                raise ValidationError.single("client_certificate", field_error("client_certificate_microsoft_only"))
            stored = certificate.stored()
        else:
            assert client_secret is not None
            if not client_secret.strip():
                raise ValidationError.single("client_secret", field_error("client_secret_empty"))
            stored = client_secret
        self._secrets.check_secure()
        key = profile_secret_key(target.profile.name)
        scopes = target.settings.app_scopes_for(target.profile.protocols)
        self._broker.invalidate(key)  # a token of the previous secret must not pass for proof of this one
        token = await self._broker.app_token(key, target.settings, stored, scopes)
        await self._secrets.set_secret(key, stored)
        signed = SignedIn(account=token.account, scopes=token.scopes, expires_at=token.expires_at)
        return await self._signed_in(key, signed, target.mailboxes, profile=target.profile)

    async def read_certificate(self, path: str) -> ClientCertificate:
        """The certificate and private key of a PEM file an admin names (refused with a field error)."""
        return await asyncio.to_thread(_read_certificate_file, path)

    async def sign_out_service_account(self, name: str) -> None:
        """Forget the application's client secret or certificate, and its token in memory."""
        target = await self._profile_target(name)
        key = profile_secret_key(target.profile.name)
        self._broker.invalidate(key)
        await self._secrets.delete_secret(key)

    # --- what the admin sees

    async def mailbox_state(self, address: str) -> SignInState:
        """Whether the mailbox can sign in now: its own grant, or its profile's application secret."""
        async with self._store.transaction() as tx:
            mailbox, profile = await _mailbox_and_profile(tx, address)
            alerts = await tx.alerts.list(mailbox_id=mailbox.id)
        settings = _settings(profile)
        on_profile = profile.credentials_on is CredentialsOn.PROFILE
        key = profile_secret_key(profile.name) if on_profile else mailbox_secret_key(mailbox.address)
        return SignInState(
            provider=settings.provider,
            client_id=settings.client_id,
            key=key,
            on_profile=on_profile,
            signed_in=await self._stored(key, on_profile),
            needs_sign_in=any(a.code == SIGNIN_NEEDED for a in alerts),
        )

    async def profile_state(self, name: str) -> SignInState | None:
        """The profile's OAuth sign-in as ``profile show`` reports it; None for a password profile."""
        async with self._store.transaction() as tx:
            profile = await tx.profiles.by_name(name)
            if profile is None:
                raise NotFoundError("profile", f"no profile named {name!r}")
            alerts = [a for a in await tx.alerts.list() if a.profile_id == profile.id and a.code == SIGNIN_NEEDED]
        if profile.auth is not AuthMethod.OAUTH2 or profile.oauth is None:
            return None
        on_profile = profile.credentials_on is CredentialsOn.PROFILE
        key = profile_secret_key(profile.name)
        return SignInState(
            provider=profile.oauth.provider,
            client_id=profile.oauth.client_id,
            key=key,
            on_profile=on_profile,
            signed_in=await self._stored(key, on_profile) if on_profile else None,
            needs_sign_in=bool(alerts),
        )

    # --- inside

    async def _stored(self, key: str, on_profile: bool) -> bool | None:
        try:
            if on_profile:
                return await self._secrets.has_secret(key)
            return await self._broker.signed_in(key)
        except SecretStoreUnavailable:
            return None

    def _scopes(self, target: _Target) -> tuple[str, ...]:
        return target.settings.scopes_for(target.profile.protocols)

    async def _mailbox_target(self, address: str) -> _Target:
        async with self._store.transaction() as tx:
            mailbox, profile = await _mailbox_and_profile(tx, address)
        settings = _settings(profile)
        if profile.credentials_on is CredentialsOn.PROFILE:
            raise ValidationError.single("address", field_error("signin_on_profile", name=profile.name))
        return _Target(profile, settings, (mailbox,))

    async def _profile_target(self, name: str) -> _Target:
        async with self._store.transaction() as tx:
            profile = await tx.profiles.by_name(name)
            if profile is None:
                raise NotFoundError("profile", f"no profile named {name!r}")
            mailboxes = tuple(m for m in await tx.mailboxes.list() if m.profile_id == profile.id)
        settings = _settings(profile)
        if profile.credentials_on is not CredentialsOn.PROFILE:
            raise ValidationError.single("name", field_error("signin_on_mailboxes", name=profile.name))
        return _Target(profile, settings, mailboxes)

    async def _signed_in(
        self, key: str, signed: SignedIn, mailboxes: Sequence[Mailbox], profile: Profile | None = None
    ) -> SignInResult:
        """Clear the sign-in alerts the new grant mends and ask the engine to go on with those mailboxes."""
        now = self._clock()
        ids = [MailboxId(m.id) for m in mailboxes if m.id is not None]
        cleared = 0
        async with self._store.transaction() as tx:
            for mailbox_id in ids:
                cleared += await tx.alerts.clear_code(mailbox_id, [SIGNIN_NEEDED], now)
            if profile is not None and profile.id is not None:
                stale = [a.id for a in await tx.alerts.list() if a.profile_id == profile.id and a.code == SIGNIN_NEEDED]
                cleared += await tx.alerts.clear([i for i in stale if i is not None], now)
        addresses = tuple(m.address for m in mailboxes)
        if addresses:
            await self._sync_now(addresses)
        log.info("signed in %s: %d mailboxes resume, %d alerts cleared", key, len(addresses), cleared)
        return SignInResult(signed.account, signed.scopes, signed.expires_at, key, addresses, cleared)

    async def _request_sync(self, addresses: Sequence[str]) -> None:
        async with self._store.transaction() as tx:
            for address in addresses:
                mailbox = await tx.mailboxes.by_address(address)
                if mailbox is not None and mailbox.id is not None:
                    await tx.status.request_sync(mailbox.id, self._clock())


async def _mailbox_and_profile(tx: Transaction, address: str) -> tuple[Mailbox, Profile]:
    mailbox = await tx.mailboxes.by_address(normalize_address(address, "address"))
    if mailbox is None or mailbox.id is None:
        raise NotFoundError("address", f"no mailbox {address}")
    profile = await tx.profiles.get(mailbox.profile_id)
    assert profile is not None  # a foreign key keeps a mailbox's profile
    return mailbox, profile


def _settings(profile: Profile) -> OAuthSettings:
    if profile.auth is not AuthMethod.OAUTH2 or profile.oauth is None:
        raise ValidationError.single("profile", field_error("signin_not_oauth", name=profile.name))
    # the identity provider is verified like the mail server: the profile's CA file, else the system's
    return dataclasses.replace(profile.oauth, ca_file=profile.ca_file)


def _read_certificate_file(path: str) -> ClientCertificate:
    file = Path(path).expanduser()
    try:
        with file.open(encoding="ascii", errors="replace") as handle:
            text = handle.read(200_001)
    except FileNotFoundError as exc:
        raise ValidationError.single(
            "client_certificate", field_error("client_certificate_missing", path=str(path))
        ) from exc
    except OSError as exc:
        problem = field_error("client_certificate_unreadable", path=str(path), reason=str(exc.strerror or exc))
        raise ValidationError.single("client_certificate", problem) from exc
    return read_client_certificate(text)
