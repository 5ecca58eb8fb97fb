"""Sign-in at Microsoft's identity platform (Microsoft 365, Exchange Online) through msal.

A mailbox's grant is msal's token cache for it, without its access tokens (those stay in memory):
the refresh token, the account and the ID token, serialized as msal writes them. It goes to the
keyring; ``refresh`` loads it into a fresh cache and lets msal redeem the refresh token, and a rotated
refresh token comes back as a new grant to store. The browser sign-in is msal's auth-code flow with
PKCE, whose answer our loopback listener receives (so it can be cancelled); the device-code flow is
the fallback for a machine without a browser; client credentials (a client secret, or a certificate
whose private key signs msal's client assertion) serve service accounts.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import threading
from collections.abc import Callable
from typing import Any

import msal
import requests

from desktop_sync.domain.client_certificate import ClientCertificate, stored_client_credential
from desktop_sync.domain.errors import ErrorScope
from desktop_sync.domain.signin import (
    MICROSOFT_AUTHORITY,
    AccessToken,
    DeviceCodePrompt,
    OAuthSettings,
    ProviderUnavailable,
    SignInNeeded,
    SignInRefused,
)
from desktop_sync.identity.grants import Grant, refused
from desktop_sync.identity.http import ProviderSession
from desktop_sync.identity.loopback import LoopbackReceiver

# msal raises MsalServiceError for an HTTP error without an OAuth answer (a 503 from the provider).
_UNREACHABLE = (requests.RequestException, msal.exceptions.MsalServiceError)


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class MicrosoftIdentity:
    """One application registration at one tenant; thread-blocking calls (run them off the event loop)."""

    def __init__(self, settings: OAuthSettings, *, client_secret: str | None = None) -> None:
        self.settings = settings
        self._client_secret = client_secret
        self._http = ProviderSession(settings.ca_file)

    # --- applications

    def _app(self, cache: msal.SerializableTokenCache | None = None) -> msal.ClientApplication:
        options: dict[str, Any] = {
            "authority": self.settings.authority,
            "http_client": self._http,
            "token_cache": cache or msal.SerializableTokenCache(),
            # Instance discovery asks Microsoft whether the authority is one of its clouds: only for its hosts.
            "instance_discovery": self.settings.authority_host.rstrip("/") == MICROSOFT_AUTHORITY,
        }
        try:
            if self._client_secret is not None:
                return msal.ConfidentialClientApplication(
                    self.settings.client_id, client_credential=_client_credential(self._client_secret), **options
                )
            return msal.PublicClientApplication(self.settings.client_id, **options)
        except (*_UNREACHABLE, ValueError) as exc:  # the authority's discovery document
            raise _unreachable(exc) from exc

    # --- signing in

    def browser_sign_in(
        self,
        scopes: tuple[str, ...],
        login_hint: str,
        open_browser: Callable[[str], None],
        timeout: float,
        cancelled: threading.Event | None = None,
    ) -> Grant:
        cache = msal.SerializableTokenCache()
        app = self._app(cache)
        with LoopbackReceiver(state=secrets.token_urlsafe(16)) as receiver:
            try:
                flow = app.initiate_auth_code_flow(
                    list(scopes),
                    redirect_uri=receiver.redirect_uri,
                    login_hint=login_hint or None,
                    state=receiver.state,
                    response_mode="form_post",  # the code in a POST body, not in a URL a browser keeps
                )
            except _UNREACHABLE as exc:
                raise _unreachable(exc) from exc
            open_browser(flow["auth_uri"])
            answer = receiver.wait(timeout, cancelled)
        if answer is None:
            raise SignInRefused("the sign-in was cancelled or took too long")
        try:
            result = app.acquire_token_by_auth_code_flow(flow, answer, scopes=list(scopes))
        except ValueError as exc:  # msal's own check of state and PKCE
            raise SignInRefused(f"the provider's answer did not match this sign-in: {exc}") from exc
        except _UNREACHABLE as exc:
            raise _unreachable(exc) from exc
        return self._grant(result, cache, scopes, first=True)

    def device_start(self, scopes: tuple[str, ...]) -> tuple[DeviceCodePrompt, dict[str, Any]]:
        cache = msal.SerializableTokenCache()
        app = self._app(cache)
        try:
            flow = app.initiate_device_flow(list(scopes))
        except _UNREACHABLE as exc:
            raise _unreachable(exc) from exc
        if "user_code" not in flow:
            raise refused(flow)
        expires = _utcnow() + dt.timedelta(seconds=int(flow.get("expires_in", 900)))
        prompt = DeviceCodePrompt(flow["verification_uri"], flow["user_code"], flow.get("message", ""), expires)
        return prompt, {"flow": flow, "app": app, "cache": cache}

    def device_finish(
        self, state: dict[str, Any], scopes: tuple[str, ...], cancelled: threading.Event | None = None
    ) -> Grant:
        app: msal.PublicClientApplication = state["app"]
        try:
            result = app.acquire_token_by_device_flow(
                state["flow"], exit_condition=lambda flow: bool(cancelled is not None and cancelled.is_set())
            )
        except _UNREACHABLE as exc:
            raise _unreachable(exc) from exc
        if cancelled is not None and cancelled.is_set() and "access_token" not in result:
            raise SignInRefused("the sign-in was cancelled")
        return self._grant(result, state["cache"], scopes, first=True)

    # --- tokens

    def refresh(self, blob: str, scopes: tuple[str, ...], force: bool = False) -> Grant:
        """An access token from the stored grant; a new grant when the provider rotated the refresh token."""
        cache = msal.SerializableTokenCache()
        try:
            cache.deserialize(blob)
        except (ValueError, TypeError) as exc:
            raise SignInNeeded("the stored sign-in is unreadable; sign in again") from exc
        app = self._app(cache)
        accounts = app.get_accounts()
        if not accounts:
            raise SignInNeeded("no account is signed in for this mailbox")
        try:
            result = app.acquire_token_silent_with_error(list(scopes), account=accounts[0], force_refresh=True)
        except _UNREACHABLE as exc:
            raise _unreachable(exc) from exc
        if result is None:
            raise SignInNeeded("the stored sign-in holds no refresh token for these scopes; sign in again")
        return self._grant(result, cache, scopes, first=False)

    def app_token(self, scopes: tuple[str, ...]) -> AccessToken:
        """Client credentials: the application itself, for a service account's many mailboxes."""
        if self._client_secret is None:
            raise SignInNeeded("no client secret is stored for this profile", scope=ErrorScope.PROFILE)
        app = self._app()
        assert isinstance(app, msal.ConfidentialClientApplication)
        try:
            result = app.acquire_token_for_client(list(scopes))
        except _UNREACHABLE as exc:
            raise _unreachable(exc) from exc
        if "access_token" not in result:
            raise refused(result, grant_lost_scope=ErrorScope.PROFILE)
        return _access(result, self.settings.client_id, scopes)

    def _grant(
        self, result: dict[str, Any], cache: msal.SerializableTokenCache, scopes: tuple[str, ...], first: bool
    ) -> Grant:
        if "access_token" not in result:
            raise refused(result, first=first)
        claims = result.get("id_token_claims") or {}
        account = str(claims.get("preferred_username") or claims.get("email") or claims.get("sub") or "")
        return Grant(access=_access(result, account, scopes), blob=_without_access_tokens(cache.serialize()))


def _client_credential(stored: str) -> str | dict[str, str]:
    """msal's client credential: the client secret, or a certificate's private key and thumbprint (msal
    signs the client assertion with them)."""
    credential = stored_client_credential(stored)
    if isinstance(credential, ClientCertificate):
        return {"private_key": credential.private_key, "thumbprint": credential.thumbprint}
    return credential


def _access(result: dict[str, Any], account: str, scopes: tuple[str, ...]) -> AccessToken:
    granted = tuple(str(result.get("scope", "")).split()) or scopes
    expires = _utcnow() + dt.timedelta(seconds=int(result.get("expires_in", 3600)))
    return AccessToken(token=str(result["access_token"]), expires_at=expires, account=account, scopes=granted)


def _without_access_tokens(serialized: str) -> str:
    data = json.loads(serialized)
    data.pop("AccessToken", None)  # access tokens never leave memory
    return json.dumps(data, sort_keys=True)


def _unreachable(exc: Exception) -> ProviderUnavailable:
    return ProviderUnavailable(f"the identity provider could not be reached: {type(exc).__name__}")
