"""An OAuth 2.0 / OpenID Connect provider on 127.0.0.1 over TLS, for tests that must not reach Microsoft or Google.

``OAuthProvider`` answers at Microsoft identity platform's paths, so that msal, a generic OIDC
client and Dovecot are pointed at it by configuration only. For the tenant ``T``:

- ``/T/v2.0/.well-known/openid-configuration`` — discovery (the issuer is ``https://host:port/T/v2.0``);
- ``/T/discovery/v2.0/keys`` — the JWKS that verifies ID tokens (RS256);
- ``/T/oauth2/v2.0/authorize`` — signs a test user in without a browser page: the user named by
  ``login_hint``, else the one set with ``sign_in_as``; ``decline()`` answers ``access_denied``;
- ``/T/oauth2/v2.0/token`` — authorization code with PKCE (S256; required of public clients),
  refresh with rotation (a used refresh token is refused), client credentials, device code;
- ``/T/oauth2/v2.0/devicecode`` and ``/T/oauth2/v2.0/device`` — RFC 8628, the second being the
  page where a person types the code (``?user_code=…&login_hint=…`` approves it);
- ``/T/oauth2/v2.0/revoke`` (RFC 7009), ``/T/oauth2/v2.0/introspect`` (RFC 7662, for Dovecot),
  ``/T/oidc/userinfo``.

The protocol is oauthlib's (``validator.py`` holds the rules and ``state.py`` the memory). A test
can set the provider's clock off (``clock.skew``), shorten token lifetimes, revoke grants, take the
provider down (503) and read which endpoints were called (``calls``; never a token or a secret).
"""

from __future__ import annotations

import html
import json
import secrets
import urllib.parse
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self

from joserfc.jwk import KeySet, RSAKey
from oauthlib.oauth2.rfc6749.errors import FatalClientError, OAuth2Error
from oauthlib.oauth2.rfc8628.endpoints import DeviceAuthorizationEndpoint
from oauthlib.openid import Server
from servers.dovecot import Introspection
from servers.https import TlsHandler, TlsHttpServer
from servers.ports import LOOPBACK
from servers.tls import TlsFiles

from .state import Client, Clock, DeviceCode, ProviderState, User
from .validator import ProviderValidator

DEFAULT_TENANT = "contoso-test-tenant"
DEVICE_CODE_LIFETIME = 900
DEVICE_POLL_INTERVAL = 1
# Microsoft's resources for mail, as scopes a client asks for (delegated) or is given (app-only).
MAIL_SCOPES = frozenset(
    {
        "https://outlook.office.com/IMAP.AccessAsUser.All",
        "https://outlook.office.com/POP.AccessAsUser.All",
        "https://outlook.office.com/SMTP.Send",
        "https://outlook.office365.com/EWS.AccessAsUser.All",
        "https://mail.google.com/",
    }
)
APP_SCOPES = frozenset({"https://outlook.office365.com/.default"})


@dataclass(frozen=True, slots=True)
class Call:
    """One request the provider answered: the method, the endpoint (no query) and the status."""

    method: str
    endpoint: str
    status: int


class OAuthProvider:
    def __init__(self, tls: TlsFiles, *, tenant: str = DEFAULT_TENANT, access_lifetime: int = 3600) -> None:
        self.tls = tls
        self.tenant = tenant
        self.clock = Clock()
        self.state = ProviderState(self.clock)
        self.access_lifetime = access_lifetime
        self.down = False  # every endpoint answers 503, as a provider in an outage does
        self.calls: list[Call] = []
        self._signed_in: User | None = None
        self._declining = False
        self._key = RSAKey.generate_key(2048, parameters={"kid": secrets.token_hex(6), "use": "sig", "alg": "RS256"})
        self._http: _HttpServer | None = None
        self.validator: ProviderValidator | None = None
        self.server: Server | None = None
        self.devices: DeviceAuthorizationEndpoint | None = None

    # --- addresses

    @property
    def port(self) -> int:
        if self._http is None:
            raise RuntimeError("the provider is not running")
        return int(self._http.server_address[1])

    @property
    def base_url(self) -> str:
        return f"https://{LOOPBACK}:{self.port}"

    @property
    def authority(self) -> str:
        """What msal calls the authority (``https://login.microsoftonline.com/<tenant>`` in real life)."""
        return f"{self.base_url}/{self.tenant}"

    @property
    def issuer(self) -> str:
        return f"{self.authority}/v2.0"

    def endpoint(self, name: str) -> str:
        return f"{self.authority}/oauth2/v2.0/{name}"

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": self.endpoint("authorize"),
            "token_endpoint": self.endpoint("token"),
            "device_authorization_endpoint": self.endpoint("devicecode"),
            "revocation_endpoint": self.endpoint("revoke"),
            "introspection_endpoint": self.endpoint("introspect"),
            "userinfo_endpoint": f"{self.authority}/oidc/userinfo",
            "jwks_uri": f"{self.authority}/discovery/v2.0/keys",
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": [
                "authorization_code",
                "refresh_token",
                "client_credentials",
                "urn:ietf:params:oauth:grant-type:device_code",
            ],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": [
                "client_secret_basic",
                "client_secret_post",
                "private_key_jwt",
                "none",
            ],
            "scopes_supported": sorted({"openid", "profile", "email", "offline_access", *MAIL_SCOPES}),
            "claims_supported": [
                "sub",
                "iss",
                "aud",
                "exp",
                "iat",
                "email",
                "preferred_username",
                "name",
                "oid",
                "tid",
            ],
            "tenant_region_scope": None,  # msal reads it; None as for a tenant outside any sovereign cloud
        }

    def jwks(self) -> dict[str, Any]:
        return KeySet([self._key]).as_dict(private=False)

    # --- what a test arranges

    def add_client(
        self,
        client_id: str,
        *,
        secret: str | None = None,
        scopes: frozenset[str] = MAIL_SCOPES,
        app_scopes: frozenset[str] = frozenset(),
        introspects: bool = False,
        certificate: str | None = None,
    ) -> Client:
        return self.state.add_client(
            Client(client_id, secret, frozenset(scopes), frozenset(app_scopes), introspects, certificate)
        )

    def add_user(self, email: str, name: str | None = None, display_name: str = "") -> User:
        login = name if name is not None else email.partition("@")[0]
        return self.state.add_user(User(email=email, name=login, display_name=display_name))

    def sign_in_as(self, email: str) -> None:
        """The person at the (imaginary) browser: who signs in when the authorization page opens."""
        user = self.state.find_user(email)
        if user is None:
            raise KeyError(f"no test user {email!r}")
        self._signed_in, self._declining = user, False

    def decline(self) -> None:
        """The person at the browser says no (``access_denied``)."""
        self._declining = True

    def approve_device(self, user_code: str, email: str) -> None:
        user = self.state.find_user(email)
        with self.state.lock:
            pending = [d for d in self.state.device_codes.values() if d.user_code == user_code]
            if user is None or not pending:
                raise KeyError(f"no pending device code {user_code!r} or user {email!r}")
            pending[0].user = user

    def deny_device(self, user_code: str) -> None:
        with self.state.lock:
            for device in self.state.device_codes.values():
                if device.user_code == user_code:
                    device.denied = True

    def revoke(self, *, email: str | None = None, client_id: str | None = None) -> int:
        """Revoke grants as an admin does in the provider's console: their tokens stop working at once."""
        return self.state.revoke_grants(email=email, client_id=client_id)

    def expire_access_tokens(self) -> None:
        """Every access token issued so far expires now (refresh tokens stay good)."""
        now = self.clock.now()
        with self.state.lock:
            for token in self.state.access_tokens.values():
                token.expires_at = min(token.expires_at, now)

    def live_access_tokens(self) -> int:
        with self.state.lock:
            return sum(1 for token in self.state.access_tokens if self.state.live_access_token(token))

    def introspection_for(self, resource_server: str) -> Introspection:
        """Register a mail server as a client that may introspect tokens, and say where it asks."""
        secret = secrets.token_urlsafe(16)
        self.add_client(resource_server, secret=secret, scopes=frozenset(), introspects=True)
        url = self.endpoint("introspect").replace("https://", f"https://{resource_server}:{secret}@", 1)
        return Introspection(url=url, ca_file=self.tls.ca_cert)

    def endpoint_calls(self, endpoint: str) -> list[Call]:
        return [call for call in self.calls if call.endpoint == endpoint]

    # --- lifecycle

    def start(self) -> Self:
        self._http = _HttpServer(self)  # binds the port, which the issuer names
        self.validator = ProviderValidator(self.state, self.issuer, self._key, self.tenant)
        self.server = Server(self.validator, token_expires_in=lambda request: self.access_lifetime)
        self.devices = DeviceAuthorizationEndpoint(
            self.validator,
            verification_uri=self.endpoint("device"),
            expires_in=DEVICE_CODE_LIFETIME,
            interval=DEVICE_POLL_INTERVAL,
            user_code_generator=_user_code,
        )
        self._http.start("oauth-provider")
        return self

    def stop(self) -> None:
        if self._http is not None:
            self._http.stop()
        self._http = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()

    # --- answering (called by the handler)

    def answer(
        self, method: str, path: str, query: str, body: str, headers: dict[str, str]
    ) -> tuple[int, dict[str, str], str]:
        prefix = f"/{self.tenant}"
        route = path[len(prefix) :] if path.startswith(prefix + "/") else None
        uri = f"{self.base_url}{path}" + (f"?{query}" if query else "")
        if self.down:
            return 503, {"Retry-After": "1"}, _json({"error": "temporarily_unavailable"})
        assert self.server is not None and self.devices is not None
        match (method, route):
            case ("GET", "/v2.0/.well-known/openid-configuration"):
                return 200, {}, _json(self.discovery())
            case ("GET", "/discovery/v2.0/keys"):
                return 200, {}, _json(self.jwks())
            case ("GET", "/oauth2/v2.0/authorize"):
                return self._authorize(uri, headers)
            case ("POST", "/oauth2/v2.0/token"):
                return _oauthlib(self.server.create_token_response(uri, "POST", body, headers))
            case ("POST", "/oauth2/v2.0/devicecode"):
                return self._device_authorization(uri, body, headers)
            case ("GET", "/oauth2/v2.0/device"):
                return self._device_page(query)
            case ("POST", "/oauth2/v2.0/revoke"):
                return _oauthlib(self.server.create_revocation_response(uri, "POST", body, headers))
            case ("POST", "/oauth2/v2.0/introspect"):
                return _oauthlib(self.server.create_introspect_response(uri, "POST", body, headers))
            case ("GET", "/oidc/userinfo"):
                return _oauthlib(self.server.create_userinfo_response(uri, "GET", body, headers))
        return 404, {}, _json({"error": "not_found"})

    def _authorize(self, uri: str, headers: dict[str, str]) -> tuple[int, dict[str, str], str]:
        assert self.server is not None
        try:
            scopes, credentials = self.server.validate_authorization_request(uri, "GET", None, headers)
        except FatalClientError as error:
            # A bad client or redirect URI is never redirected back (RFC 6749 4.1.2.1): the page says so.
            return error.status_code, {}, _json({"error": error.error, "error_description": error.description})
        except OAuth2Error as error:  # any other error goes back to the app, with its state
            params = dict(error.twotuples)
            return _back_to_app(error.redirect_uri, params, _query(uri).get("response_mode") == "form_post")
        form_post = _query(uri).get("response_mode") == "form_post"
        hint = credentials.get("request").login_hint if credentials.get("request") is not None else None
        user = self.state.find_user(hint) if hint else self._signed_in
        redirect = credentials["redirect_uri"]
        if self._declining or user is None:
            error = {"error": "access_denied", "error_description": "the user declined to sign in"}
            if credentials.get("state"):
                error["state"] = credentials["state"]
            return _back_to_app(redirect, error, form_post)
        credentials = {k: v for k, v in credentials.items() if k != "request"}
        credentials["user"] = user
        status, answer_headers, body = _oauthlib(
            self.server.create_authorization_response(uri, "GET", None, headers, scopes, credentials)
        )
        if status == 302 and form_post:
            location = urllib.parse.urlsplit(answer_headers["Location"])
            target = urllib.parse.urlunsplit(location._replace(query=""))
            return _back_to_app(target, dict(urllib.parse.parse_qsl(location.query)), form_post=True)
        return status, answer_headers, body

    def _device_authorization(self, uri: str, body: str, headers: dict[str, str]) -> tuple[int, dict[str, str], str]:
        assert self.devices is not None
        try:
            response_headers, data, status = self.devices.create_device_authorization_response(
                uri, "POST", body, headers
            )
        except OAuth2Error as error:
            return error.status_code, {}, error.json
        form = dict(urllib.parse.parse_qsl(body))
        with self.state.lock:
            self.state.device_codes[data["device_code"]] = DeviceCode(
                device_code=data["device_code"],
                user_code=data["user_code"],
                client_id=form.get("client_id", ""),
                scopes=tuple(data.get("scope", "").split()),
                expires_at=self.clock.now() + DEVICE_CODE_LIFETIME,
            )
        data["message"] = f"To sign in, open {data['verification_uri']} and enter the code {data['user_code']}."
        return status, dict(response_headers), _json(data)

    def _device_page(self, query: str) -> tuple[int, dict[str, str], str]:
        form = dict(urllib.parse.parse_qsl(query))
        try:
            self.approve_device(form.get("user_code", ""), form.get("login_hint", ""))
        except KeyError as error:
            return 400, {"Content-Type": "text/plain; charset=utf-8"}, str(error)
        return 200, {"Content-Type": "text/plain; charset=utf-8"}, "You are signed in; you may close this page."


def _query(uri: str) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(uri).query))


def _back_to_app(redirect: str, params: dict[str, str], form_post: bool) -> tuple[int, dict[str, str], str]:
    """The answer that sends the browser back to the app: a redirect with a query, or (``response_mode=
    form_post``, which msal asks for) a page whose form the browser posts to the app at once."""
    if not form_post:
        return 302, {"Location": _with_query(redirect, params)}, ""
    fields = "".join(
        f'<input type="hidden" name="{html.escape(name)}" value="{html.escape(value)}">'
        for name, value in params.items()
    )
    page = (
        f'<html><body onload="document.forms[0].submit()"><form method="post" action="{html.escape(redirect)}">'
        f"{fields}</form></body></html>"
    )
    return 200, {"Content-Type": "text/html; charset=utf-8"}, page


def _user_code() -> str:
    alphabet = "BCDFGHJKLMNPQRSTVWXZ"
    code = "".join(secrets.choice(alphabet) for _ in range(8))
    return f"{code[:4]}-{code[4:]}"


def _json(data: Any) -> str:
    return json.dumps(data)


def _with_query(uri: str, params: dict[str, str]) -> str:
    parts = urllib.parse.urlsplit(uri)
    query = "&".join(filter(None, [parts.query, urllib.parse.urlencode(params)]))
    return urllib.parse.urlunsplit(parts._replace(query=query))


def _oauthlib(result: tuple[dict[str, str], Any, int]) -> tuple[int, dict[str, str], str]:
    headers, body, status = result
    if isinstance(body, dict):
        body = json.dumps(body)
    return status, dict(headers or {}), body or ""


# --- the HTTP side


class _HttpServer(TlsHttpServer):
    def __init__(self, provider: OAuthProvider) -> None:
        self.provider = provider
        super().__init__(provider.tls, _Handler)


class _Handler(TlsHandler):
    server: _HttpServer

    def do_GET(self) -> None:
        self._answer("GET")

    def do_POST(self) -> None:
        self._answer("POST")

    def _answer(self, method: str) -> None:
        provider = self.server.provider
        path, _, query = self.path.partition("?")
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        headers = {name: value for name, value in self.headers.items()}
        try:
            status, response_headers, text = provider.answer(method, path, query, body, headers)
        except Exception as error:
            status, response_headers, text = 500, {}, _json({"error": "server_error", "error_description": repr(error)})
        provider.calls.append(Call(method, path.removeprefix(f"/{provider.tenant}"), status))
        payload = text.encode("utf-8")
        self.send_response(status)
        response_headers.setdefault("Content-Type", "application/json")
        for name, value in response_headers.items():
            self.send_header(name, value)
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)
