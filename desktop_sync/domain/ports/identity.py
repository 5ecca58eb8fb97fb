"""The identity provider's side of the ports: OAuth 2.0 access tokens and signing people in.

``desktop_sync.identity.TokenBroker`` implements both Protocols (msal for Microsoft, authlib for
Google and any OpenID Connect provider); the composition roots (the application, ``engine run``,
the CLI) build it and hand it to the engine and the services, which know only these.

A *grant key* names whose grant it is: the same key as the password's in the keyring
(``profile:<name>`` for a service account, ``mailbox:<address>`` for a mailbox's own sign-in).
Refresh tokens stay in the keyring, access tokens in the broker's memory.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Protocol

from desktop_sync.domain.signin import AccessToken, DeviceCodePrompt, OAuthSettings, SignedIn


class TokenIssuer(Protocol):
    """What the engine asks for: a fresh access token for a grant, or the application's own."""

    async def token(self, key: str, settings: OAuthSettings, scopes: tuple[str, ...]) -> AccessToken:
        """The grant's access token, refreshed first when it is close to expiring. Raises
        ``SignInNeeded`` (no grant, or revoked) or ``ProviderUnavailable`` (try again later)."""
        ...

    def invalidate(self, key: str) -> None:
        """A server refused the token: the next ``token()`` refreshes it."""
        ...

    async def app_token(
        self, key: str, settings: OAuthSettings, client_secret: str, scopes: tuple[str, ...]
    ) -> AccessToken:
        """Client credentials: the application's own token (a service account for many mailboxes)."""
        ...


class SignInBroker(TokenIssuer, Protocol):
    """What the services ask for besides: signing a person in (browser or device code), and out."""

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
    ) -> SignedIn: ...

    async def start_device_sign_in(
        self, settings: OAuthSettings, scopes: tuple[str, ...]
    ) -> tuple[DeviceCodePrompt, Any]: ...

    async def finish_device_sign_in(
        self, key: str, started: Any, scopes: tuple[str, ...], cancelled: threading.Event | None = None
    ) -> SignedIn: ...

    async def sign_out(self, key: str) -> None: ...

    async def signed_in(self, key: str) -> bool: ...
