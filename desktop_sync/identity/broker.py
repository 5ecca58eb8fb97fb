"""Access tokens for the connectors, grants in the keyring: the one place tokens are handed out.

Each signed-in mailbox (or service-account profile) has a *grant key*. Its grant (refresh token and
account) is in the keyring under ``oauth-grant:<key>``; its access token is in this object's memory
only. ``token()`` gives the access token while it has more than five minutes left, else refreshes it
(one refresh at a time per grant, whoever asks), storing a rotated refresh token at once.
``invalidate()`` is for a server that refused a token: the next ``token()`` refreshes. A grant the
provider no longer honours raises ``SignInNeeded``; an unreachable provider ``ProviderUnavailable``.
The provider's work runs in threads (msal and authlib block), never on the event loop.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import threading
from collections.abc import Callable
from typing import Any

from desktop_sync.domain.ports import SecretStore, SignInBroker
from desktop_sync.domain.signin import (
    AccessToken,
    DeviceCodePrompt,
    OAuthProvider,
    OAuthSettings,
    SignedIn,
    SignInNeeded,
)
from desktop_sync.identity.grants import Grant
from desktop_sync.identity.microsoft import MicrosoftIdentity
from desktop_sync.identity.oidc import OidcIdentity
from desktop_sync.logs import remember_secret

GRANT_PREFIX = "oauth-grant:"

Identity = MicrosoftIdentity | OidcIdentity


def identity_for(settings: OAuthSettings, client_secret: str | None = None) -> Identity:
    if settings.provider is OAuthProvider.MICROSOFT:
        return MicrosoftIdentity(settings, client_secret=client_secret)
    return OidcIdentity(settings, client_secret=client_secret)


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class TokenBroker:
    def __init__(
        self,
        secrets: SecretStore,
        *,
        identities: Callable[[OAuthSettings, str | None], Identity] = identity_for,
        now: Callable[[], dt.datetime] = _utcnow,
    ) -> None:
        self._secrets = secrets
        self._identities = identities
        self._now = now
        self._tokens: dict[str, AccessToken] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    def __repr__(self) -> str:
        return f"TokenBroker({len(self._tokens)} tokens in memory)"

    # --- tokens

    async def token(self, key: str, settings: OAuthSettings, scopes: tuple[str, ...]) -> AccessToken:
        """A fresh access token for the mailbox's grant; refreshed first when it is close to expiring."""
        cached = self._tokens.get(key)
        if cached is not None and cached.fresh(self._now()):
            return cached
        async with self._locks.setdefault(key, asyncio.Lock()):
            cached = self._tokens.get(key)
            if cached is not None and cached.fresh(self._now()):
                return cached  # another caller refreshed it while this one waited
            blob = await self._secrets.get_secret(GRANT_PREFIX + key)
            if blob is None:
                raise SignInNeeded("this mailbox has not been signed in")
            identity = self._identities(settings, None)
            try:
                grant = await asyncio.to_thread(identity.refresh, blob, scopes)
            except SignInNeeded:
                self._tokens.pop(key, None)
                raise
            await self._keep(key, grant, previous=blob)
            return grant.access

    def invalidate(self, key: str) -> None:
        """A server refused the token: forget it, so the next ``token()`` refreshes."""
        self._tokens.pop(key, None)

    async def app_token(
        self, key: str, settings: OAuthSettings, client_secret: str, scopes: tuple[str, ...]
    ) -> AccessToken:
        """Client credentials (a service account): the application's own token, kept in memory only."""
        cached = self._tokens.get(key)
        if cached is not None and cached.fresh(self._now()):
            return cached
        async with self._locks.setdefault(key, asyncio.Lock()):
            cached = self._tokens.get(key)
            if cached is not None and cached.fresh(self._now()):
                return cached  # another mailbox of the service account got it while this one waited
            identity = self._identities(settings, client_secret)
            token = await asyncio.to_thread(identity.app_token, scopes)
            remember_secret(token.token)
            self._tokens[key] = token
            return token

    # --- signing in and out

    async def sign_in_with_browser(
        self,
        key: str,
        settings: OAuthSettings,
        scopes: tuple[str, ...],
        *,
        login_hint: str,
        open_browser: Callable[[str], None],
        timeout: float = 300.0,
        cancelled: threading.Event | None = None,
    ) -> SignedIn:
        identity = self._identities(settings, None)
        grant = await asyncio.to_thread(identity.browser_sign_in, scopes, login_hint, open_browser, timeout, cancelled)
        await self._keep(key, grant, previous=None)
        return SignedIn(grant.access.account, grant.access.scopes, grant.access.expires_at)

    async def start_device_sign_in(
        self, settings: OAuthSettings, scopes: tuple[str, ...]
    ) -> tuple[DeviceCodePrompt, Any]:
        identity = self._identities(settings, None)
        prompt, state = await asyncio.to_thread(identity.device_start, scopes)
        return prompt, (identity, state)

    async def finish_device_sign_in(
        self, key: str, started: Any, scopes: tuple[str, ...], cancelled: threading.Event | None = None
    ) -> SignedIn:
        identity, state = started
        grant = await asyncio.to_thread(identity.device_finish, state, scopes, cancelled)
        await self._keep(key, grant, previous=None)
        return SignedIn(grant.access.account, grant.access.scopes, grant.access.expires_at)

    async def sign_out(self, key: str) -> None:
        self._tokens.pop(key, None)
        await self._secrets.delete_secret(GRANT_PREFIX + key)

    async def signed_in(self, key: str) -> bool:
        return await self._secrets.has_secret(GRANT_PREFIX + key)

    async def _keep(self, key: str, grant: Grant, previous: str | None) -> None:
        remember_tokens(grant)
        if grant.blob != previous:  # a first grant, or the provider rotated the refresh token
            await self._secrets.set_secret(GRANT_PREFIX + key, grant.blob)
        self._tokens[key] = grant.access


_TOKEN_FIELDS = frozenset({"secret", "refresh_token", "access_token", "id_token"})


def remember_tokens(grant: Grant) -> None:
    """Mask the grant's tokens in every log text from now on: the access token, and the refresh
    tokens inside the grant (msal's cache keeps them as "secret", authlib as "refresh_token")."""
    remember_secret(grant.access.token)
    try:
        stored = json.loads(grant.blob)
    except ValueError:
        remember_secret(grant.blob)
        return
    pending: list[Any] = [stored]
    while pending:
        value = pending.pop()
        if isinstance(value, dict):
            for name, inner in value.items():
                if name in _TOKEN_FIELDS and isinstance(inner, str):
                    remember_secret(inner)
                else:
                    pending.append(inner)
        elif isinstance(value, list):
            pending.extend(value)


def as_port(broker: TokenBroker) -> SignInBroker:
    """The broker as the engine and the services see it (mypy checks that it fits the ports)."""
    return broker
