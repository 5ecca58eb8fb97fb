"""Bearer tokens for the Graph connector in tests, from the OAuth test provider.

``AppTokens`` is the app-only case (client credentials, one service principal for many mailboxes):
msal, through the product's own ``MicrosoftIdentity``, asks the provider for a token of Graph's
``.default`` scope. ``UserTokens`` is the delegated case: a signed-in user's access token, renewed
with the refresh token. Both count what they were asked, so a test can see a 401 reject a token.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

from oauth.client import Client
from oauth.provider import OAuthProvider

from desktop_sync.domain.signin import AccessToken, OAuthSettings, SignInNeeded
from desktop_sync.domain.signin import OAuthProvider as ProviderKind
from desktop_sync.identity.microsoft import MicrosoftIdentity

from .server import APP_SCOPE, GraphServer

SERVICE = "graph-service-app"
SERVICE_SECRET = "graph-service-secret"


class AppTokens:
    """Client credentials at the test provider: what an app-only Exchange Online profile signs in as."""

    def __init__(self, provider: OAuthProvider, ca: Path, client_id: str = SERVICE, secret: str = SERVICE_SECRET):
        settings = OAuthSettings(
            ProviderKind.MICROSOFT,
            client_id,
            tenant=provider.tenant,
            authority_host=provider.base_url,
            ca_file=str(ca),
        )
        self._identity = MicrosoftIdentity(settings, client_secret=secret)
        self._current: AccessToken | None = None
        self._lock = asyncio.Lock()
        self.issued = 0
        self.rejections = 0

    async def token(self) -> AccessToken:
        async with self._lock:
            if self._current is None:
                self._current = await asyncio.to_thread(self._identity.app_token, (APP_SCOPE,))
                self.issued += 1
            return self._current

    def rejected(self, token: AccessToken) -> None:
        self.rejections += 1
        if self._current is token:
            self._current = None


def service_app(graph: GraphServer, provider: OAuthProvider, ca: Path, mailboxes: set[str] | None = None) -> AppTokens:
    """Register the service application at the provider, allow it ``mailboxes`` (all when None) at Graph."""
    provider.add_client(SERVICE, secret=SERVICE_SECRET, app_scopes=frozenset({APP_SCOPE}))
    graph.allow_application(SERVICE, mailboxes)
    return AppTokens(provider, ca)


class UserTokens:
    """A user signed in at the test provider (delegated): the access token, renewed with the refresh token."""

    def __init__(self, provider: OAuthProvider, ca: Path, user: str, client_id: str = "graph-user-app") -> None:
        provider.add_client(client_id)
        provider.add_user(user)
        provider.sign_in_as(user)
        self.user = user
        self.rejections = 0
        self._client = Client(provider, ca, client_id)
        answer = self._client.sign_in()
        self._refresh = str(answer["refresh_token"])
        self._current: AccessToken | None = self._access(answer)

    def _access(self, answer: dict[str, object]) -> AccessToken:
        expires = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=int(str(answer.get("expires_in", 3600))))
        return AccessToken(token=str(answer["access_token"]), expires_at=expires, account=self.user)

    async def token(self) -> AccessToken:
        if self._current is None:
            answer = await asyncio.to_thread(
                lambda: self._client.token(grant_type="refresh_token", refresh_token=self._refresh)
            )
            if answer.status_code != 200:
                raise SignInNeeded(f"the provider refused the refresh token ({answer.status_code})")
            body = answer.json()
            self._refresh = str(body.get("refresh_token", self._refresh))
            self._current = self._access(body)
        return self._current

    def rejected(self, token: AccessToken) -> None:
        self.rejections += 1
        if self._current is token:
            self._current = None
