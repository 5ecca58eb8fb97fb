"""What the test OAuth provider knows: its clients, its users, and every grant and token it issued.

All of it lives in memory behind one lock, since the HTTP server answers on several threads. Times
come from the provider's own clock (``Clock``), which a test may set ahead or behind the machine's
to play a provider whose clock is skewed.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field


class Clock:
    """The provider's time in seconds since the epoch: the machine's, shifted by ``skew``."""

    def __init__(self) -> None:
        self.skew = 0.0

    def now(self) -> float:
        return time.time() + self.skew


@dataclass(slots=True)
class Client:
    """A registered application. A public client (a desktop app) has no secret and must use PKCE."""

    client_id: str
    secret: str | None = None
    # Scopes the client may be granted; anything else asked for is refused as invalid_scope.
    allowed_scopes: frozenset[str] = frozenset()
    # Scopes given by the client-credentials grant (app-only permissions).
    app_scopes: frozenset[str] = frozenset()
    # A resource server (Dovecot, a mail server) that may introspect tokens.
    introspects: bool = False
    # A confidential client may prove itself with a certificate instead (its PEM): a signed client
    # assertion (RFC 7523, private_key_jwt), as Microsoft Entra takes one.
    certificate: str | None = None

    @property
    def public(self) -> bool:
        return self.secret is None and self.certificate is None


@dataclass(slots=True)
class User:
    """A person who can sign in; ``name`` is the mail login, ``email`` the address tokens carry."""

    email: str
    name: str
    subject: str = field(default_factory=lambda: secrets.token_hex(8))
    display_name: str = ""


@dataclass(slots=True)
class Grant:
    """What one user allowed one client: revoking it ends every token issued under it."""

    grant_id: str
    client_id: str
    scopes: tuple[str, ...]
    user: User | None  # None for the client-credentials grant (the application itself)
    revoked: bool = False


@dataclass(slots=True)
class AuthorizationCode:
    code: str
    grant: Grant
    redirect_uri: str
    challenge: str | None
    challenge_method: str | None
    nonce: str | None
    expires_at: float
    used: bool = False


@dataclass(slots=True)
class AccessToken:
    token: str
    grant: Grant
    scopes: tuple[str, ...]
    issued_at: float
    expires_at: float
    revoked: bool = False


@dataclass(slots=True)
class RefreshToken:
    token: str
    grant: Grant
    scopes: tuple[str, ...]
    # Set when the token was rotated (used once): using it again is refused, as real providers do.
    replaced: bool = False
    revoked: bool = False


@dataclass(slots=True)
class DeviceCode:
    device_code: str
    user_code: str
    client_id: str
    scopes: tuple[str, ...]
    expires_at: float
    user: User | None = None
    denied: bool = False
    redeemed: bool = False


class ProviderState:
    """The provider's memory. Every method takes the lock; the returned objects are live, not copies."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.lock = threading.RLock()
        self.clients: dict[str, Client] = {}
        self.users: dict[str, User] = {}  # by lower-cased email and by login name
        self.codes: dict[str, AuthorizationCode] = {}
        self.access_tokens: dict[str, AccessToken] = {}
        self.refresh_tokens: dict[str, RefreshToken] = {}
        self.device_codes: dict[str, DeviceCode] = {}
        self.grants: list[Grant] = []

    # --- registration

    def add_client(self, client: Client) -> Client:
        with self.lock:
            self.clients[client.client_id] = client
        return client

    def add_user(self, user: User) -> User:
        with self.lock:
            self.users[user.email.lower()] = user
            self.users[user.name.lower()] = user
        return user

    def find_user(self, hint: str) -> User | None:
        with self.lock:
            return self.users.get(hint.strip().lower())

    # --- grants and tokens

    def new_grant(self, client_id: str, scopes: Iterable[str], user: User | None) -> Grant:
        with self.lock:
            grant = Grant(secrets.token_hex(8), client_id, tuple(scopes), user)
            self.grants.append(grant)
            return grant

    def revoke_grants(self, *, email: str | None = None, client_id: str | None = None) -> int:
        """Revoke every grant of a user and/or a client (as an admin does in the provider's console)."""
        with self.lock:
            count = 0
            for grant in self.grants:
                if grant.revoked:
                    continue
                if email is not None and (grant.user is None or grant.user.email.lower() != email.lower()):
                    continue
                if client_id is not None and grant.client_id != client_id:
                    continue
                grant.revoked = True
                count += 1
            return count

    def live_access_token(self, token: str) -> AccessToken | None:
        with self.lock:
            found = self.access_tokens.get(token)
            if found is None or found.revoked or found.grant.revoked or found.expires_at <= self.clock.now():
                return None
            return found

    def live_refresh_token(self, token: str) -> RefreshToken | None:
        with self.lock:
            found = self.refresh_tokens.get(token)
            if found is None or found.revoked or found.replaced or found.grant.revoked:
                return None
            return found
