"""Sign-in at Google or any OpenID Connect provider, through authlib (``requests`` client).

authlib is the maintained, provider-neutral OAuth 2.0 / OIDC client library of Python (PKCE, refresh,
client credentials, any token endpoint); google-auth-oauthlib would serve Google only. The provider is
found by its discovery document (``<issuer>/.well-known/openid-configuration``). A mailbox's grant is
its refresh token with the account and scopes, as JSON, for the keyring; a provider that rotates
refresh tokens gives a new one with each refresh, which becomes the new grant.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import secrets
import threading
import time
from collections.abc import Callable
from typing import Any

import requests
from authlib.common.security import generate_token
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.requests_client import OAuth2Session

from desktop_sync.domain.errors import ErrorScope
from desktop_sync.domain.signin import (
    GOOGLE_ISSUER,
    AccessToken,
    DeviceCodePrompt,
    OAuthProvider,
    OAuthSettings,
    ProviderUnavailable,
    SignInNeeded,
    SignInRefused,
)
from desktop_sync.identity.grants import Grant, refused
from desktop_sync.identity.http import CaFirst, ProviderSession
from desktop_sync.identity.loopback import LoopbackReceiver

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


class _Session(OAuth2Session, CaFirst):  # type: ignore[misc]
    """authlib's session with the profile's CA winning over REQUESTS_CA_BUNDLE (see ``http.py``)."""


class OidcIdentity:
    def __init__(self, settings: OAuthSettings, *, client_secret: str | None = None) -> None:
        self.settings = settings
        self._client_secret = client_secret
        self._http = ProviderSession(settings.ca_file)
        self._discovery: dict[str, Any] | None = None

    def _endpoints(self) -> dict[str, Any]:
        if self._discovery is None:
            issuer = self.settings.authority or GOOGLE_ISSUER
            url = issuer.rstrip("/") + "/.well-known/openid-configuration"
            try:
                answer = self._http.get(url)
            except requests.RequestException as exc:
                raise ProviderUnavailable(f"the identity provider could not be reached: {type(exc).__name__}") from exc
            if answer.status_code >= 500:
                raise ProviderUnavailable(f"the identity provider answered {answer.status_code}")
            try:
                found = answer.json()
            except ValueError:
                found = None
            if answer.status_code != 200 or not isinstance(found, dict) or "token_endpoint" not in found:
                raise SignInRefused(f"{url} is not an OpenID Connect discovery document", scope=ErrorScope.PROFILE)
            self._discovery = found
        return self._discovery

    def _session(self, scopes: tuple[str, ...], **options: Any) -> Any:
        make: Callable[..., Any] = _Session  # authlib has no type hints: mypy sees only requests' Session
        session = make(self.settings.client_id, self._client_secret, scope=" ".join(scopes), **options)
        session.verify = self._http.verify
        if self._client_secret is None:
            session.token_endpoint_auth_method = "none"
        return session

    # --- signing in

    def browser_sign_in(
        self,
        scopes: tuple[str, ...],
        login_hint: str,
        open_browser: Callable[[str], None],
        timeout: float,
        cancelled: threading.Event | None = None,
    ) -> Grant:
        endpoints = self._endpoints()
        with LoopbackReceiver(state=secrets.token_urlsafe(16)) as receiver:
            session = self._session(scopes, redirect_uri=receiver.redirect_uri, code_challenge_method="S256")
            verifier = generate_token(64)
            extra: dict[str, str] = {"login_hint": login_hint} if login_hint else {}
            if self.settings.provider is OAuthProvider.GOOGLE:
                extra.update(access_type="offline", prompt="consent")  # Google gives a refresh token only so
            uri, _ = session.create_authorization_url(
                endpoints["authorization_endpoint"], state=receiver.state, code_verifier=verifier, **extra
            )
            open_browser(uri)
            answer = receiver.wait(timeout, cancelled)
        if answer is None:
            raise SignInRefused("the sign-in was cancelled or took too long")
        if "error" in answer:
            raise refused(answer, first=True)
        token = self._call(
            lambda: session.fetch_token(endpoints["token_endpoint"], code=answer["code"], code_verifier=verifier),
            first=True,
        )
        return self._grant(token, scopes, previous=None)

    def device_start(self, scopes: tuple[str, ...]) -> tuple[DeviceCodePrompt, dict[str, Any]]:
        endpoints = self._endpoints()
        if "device_authorization_endpoint" not in endpoints:
            raise SignInRefused("this identity provider has no device-code sign-in", scope=ErrorScope.PROFILE)
        form = {"client_id": self.settings.client_id, "scope": " ".join(scopes)}
        answer = self._post(endpoints["device_authorization_endpoint"], form)
        if "device_code" not in answer:
            raise refused(answer, first=True)
        expires = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=int(answer.get("expires_in", 900)))
        uri = answer.get("verification_uri") or answer.get("verification_url", "")
        message = answer.get("message") or f"Open {uri} and enter the code {answer['user_code']}."
        return DeviceCodePrompt(uri, answer["user_code"], message, expires), answer

    def device_finish(
        self, state: dict[str, Any], scopes: tuple[str, ...], cancelled: threading.Event | None = None
    ) -> Grant:
        endpoints = self._endpoints()
        interval = max(1, int(state.get("interval", 5)))
        deadline = time.monotonic() + int(state.get("expires_in", 900))
        form = {"grant_type": DEVICE_GRANT, "device_code": state["device_code"], "client_id": self.settings.client_id}
        waiter = cancelled if cancelled is not None else threading.Event()
        while time.monotonic() < deadline:
            if waiter.wait(interval):
                raise SignInRefused("the sign-in was cancelled")
            answer = self._post(endpoints["token_endpoint"], form)
            error = answer.get("error")
            if error == "authorization_pending":
                continue
            if error == "slow_down":
                interval += 5
                continue
            if "access_token" not in answer:
                raise refused(answer, first=True)
            return self._grant(answer, scopes, previous=None)
        raise SignInRefused("the code was not entered in time")

    # --- tokens

    def refresh(self, blob: str, scopes: tuple[str, ...], force: bool = False) -> Grant:
        try:
            stored = json.loads(blob)
            refresh_token = str(stored["refresh_token"])
        except (ValueError, KeyError, TypeError) as exc:
            raise SignInNeeded("the stored sign-in is unreadable; sign in again") from exc
        endpoints = self._endpoints()
        session = self._session(tuple(stored.get("scopes") or scopes))
        token = self._call(lambda: session.refresh_token(endpoints["token_endpoint"], refresh_token=refresh_token))
        token.setdefault("refresh_token", refresh_token)  # a provider that does not rotate keeps the old one
        return self._grant(token, scopes, previous=stored)

    def app_token(self, scopes: tuple[str, ...]) -> AccessToken:
        if self._client_secret is None:
            raise SignInNeeded("no client secret is stored for this profile", scope=ErrorScope.PROFILE)
        endpoints = self._endpoints()
        session = self._session(scopes)
        token = self._call(
            lambda: session.fetch_token(endpoints["token_endpoint"], grant_type="client_credentials"), first=True
        )
        return _access(token, self.settings.client_id, scopes)

    # --- helpers

    def _call(self, action: Callable[[], dict[str, Any]], first: bool = False) -> dict[str, Any]:
        try:
            return dict(action())
        except OAuthError as exc:
            raise refused({"error": exc.error, "error_description": exc.description or ""}, first=first) from exc
        except requests.HTTPError as exc:
            status = exc.response.status_code if exc.response is not None else "an error"
            raise ProviderUnavailable(f"the identity provider answered {status}") from exc
        except requests.RequestException as exc:
            raise ProviderUnavailable(f"the identity provider could not be reached: {type(exc).__name__}") from exc
        except ValueError as exc:  # an answer that is not JSON (a proxy's error page)
            raise ProviderUnavailable("the identity provider's answer was not understood") from exc

    def _post(self, url: str, form: dict[str, str]) -> dict[str, Any]:
        auth = (self.settings.client_id, self._client_secret) if self._client_secret else None
        try:
            answer = self._http.post(url, data=form, auth=auth)
        except requests.RequestException as exc:
            raise ProviderUnavailable(f"the identity provider could not be reached: {type(exc).__name__}") from exc
        if answer.status_code >= 500:
            raise ProviderUnavailable(f"the identity provider answered {answer.status_code}")
        try:
            found = answer.json()
        except ValueError as exc:
            raise ProviderUnavailable("the identity provider's answer was not understood") from exc
        return found if isinstance(found, dict) else {"error": "invalid_response"}

    def _grant(self, token: dict[str, Any], scopes: tuple[str, ...], previous: dict[str, Any] | None) -> Grant:
        if "refresh_token" not in token:
            raise SignInRefused("the identity provider gave no refresh token (offline access was not granted)")
        account = _account(token) or (previous or {}).get("account", "")
        access = _access(token, account, scopes)
        blob = json.dumps({"refresh_token": token["refresh_token"], "account": account, "scopes": list(access.scopes)})
        return Grant(access=access, blob=blob)


def _account(token: dict[str, Any]) -> str:
    """Who signed in, from the ID token's claims (read, not verified: it came straight from the token
    endpoint over TLS, which OpenID Connect Core 3.1.3.7 accepts in place of the signature)."""
    id_token = token.get("id_token")
    if not isinstance(id_token, str) or id_token.count(".") != 2:
        return ""
    payload = id_token.split(".")[1]
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except ValueError:
        return ""
    return str(claims.get("email") or claims.get("preferred_username") or claims.get("sub") or "")


def _access(token: dict[str, Any], account: str, scopes: tuple[str, ...]) -> AccessToken:
    granted = tuple(str(token.get("scope", "")).split()) or scopes
    expires = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=int(token.get("expires_in", 3600)))
    return AccessToken(token=str(token["access_token"]), expires_at=expires, account=account, scopes=granted)
