"""The test provider's rules, as oauthlib asks for them: oauthlib does the protocol, this says yes or no.

oauthlib (already a dependency of the product, through exchangelib) implements the endpoints of
RFC 6749 (authorization code, refresh, client credentials), RFC 7636 (PKCE), RFC 7009
(revocation), RFC 7662 (introspection), RFC 8628 (device code) and OpenID Connect's ID token; it
leaves every decision and all storage to a ``RequestValidator``. This one keeps them in
``ProviderState``.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import RSAKey
from oauthlib.oauth2.rfc8628.grant_types import DeviceCodeGrant
from oauthlib.openid import RequestValidator

from .state import AccessToken, Client, ProviderState, RefreshToken, User

if TYPE_CHECKING:
    from oauthlib.common import Request

# Scopes of OpenID Connect itself, which any client may ask for beside its own.
IDENTITY_SCOPES = frozenset({"openid", "profile", "email", "offline_access"})
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
CODE_LIFETIME = 300.0
ID_TOKEN_LIFETIME = 3600


def loopback_redirect(uri: str) -> bool:
    """RFC 8252 section 7.3: a native app's loopback redirect, on any port, plain http."""
    try:
        parts = urlsplit(uri)
        port = parts.port
    except ValueError:
        return False
    return parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost", "::1") and port is not None


def basic_credentials(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("Authorization", "")
    if not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:], validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, sep, secret = decoded.partition(":")
    return (client_id, secret) if sep else None


class ProviderValidator(RequestValidator):  # type: ignore[misc]
    def __init__(self, state: ProviderState, issuer: str, key: RSAKey, tenant_id: str) -> None:
        self.state = state
        self.issuer = issuer
        self.key = key
        self.tenant_id = tenant_id
        self.rotate_refresh_tokens = True

    # --- clients

    def _client(self, client_id: str | None) -> Client | None:
        return self.state.clients.get(client_id or "")

    def client_authentication_required(self, request: Request, *args: Any, **kwargs: Any) -> bool:
        if basic_credentials(request) is not None or getattr(request, "client_secret", None):
            return True
        if getattr(request, "client_assertion", None):
            return True
        client = self._client(request.client_id)
        return client is not None and not client.public

    def authenticate_client(self, request: Request, *args: Any, **kwargs: Any) -> bool:
        assertion = getattr(request, "client_assertion", None)
        if assertion:
            return self._authenticate_by_assertion(request, str(assertion))
        given = basic_credentials(request)
        client_id, secret = given if given else (request.client_id, getattr(request, "client_secret", None))
        client = self._client(client_id)
        if client is None or client.secret is None or not secret:
            return False
        if not secrets.compare_digest(client.secret.encode(), str(secret).encode()):
            return False
        request.client = client
        request.client_id = client.client_id
        return True

    def _authenticate_by_assertion(self, request: Request, assertion: str) -> bool:
        """RFC 7523: a JWT signed with the key of the client's registered certificate, naming the client as
        issuer and subject and the token endpoint as audience, not expired; its x5t header is the
        certificate's SHA-1 thumbprint (how Entra finds the certificate)."""
        if getattr(request, "client_assertion_type", None) != ASSERTION_TYPE:
            return False
        client = self._client(request.client_id)
        if client is None or client.certificate is None:
            return False
        certificate = x509.load_pem_x509_certificate(client.certificate.encode())
        public = certificate.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
        thumbprint = base64.urlsafe_b64encode(certificate.fingerprint(hashes.SHA1())).decode().rstrip("=")
        try:
            token = jwt.decode(assertion, RSAKey.import_key(public), algorithms=["RS256", "PS256"])
        except JoseError:
            return False
        claims = token.claims
        audience = claims.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        endpoint = request.uri.split("?", 1)[0]
        good = (
            str(token.header.get("x5t", "")).rstrip("=") == thumbprint  # msal keeps the base64 padding
            and claims.get("iss") == claims.get("sub") == client.client_id
            and endpoint in audiences
            and float(claims.get("exp", 0)) > self.state.clock.now()
        )
        if good:
            request.client = client
        return good

    def authenticate_client_id(self, client_id: str, request: Request, *args: Any, **kwargs: Any) -> bool:
        client = self._client(client_id)
        if client is None or not client.public:
            return False
        request.client = client
        return True

    def validate_client_id(self, client_id: str, request: Request, *args: Any, **kwargs: Any) -> bool:
        return self._client(client_id) is not None

    def validate_grant_type(
        self, client_id: str, grant_type: str, client: Client, request: Request, *args: Any, **kwargs: Any
    ) -> bool:
        if grant_type == "client_credentials":
            return not client.public and bool(client.app_scopes)
        return grant_type in ("authorization_code", "refresh_token", DEVICE_GRANT)

    # --- redirects and scopes

    def validate_redirect_uri(
        self, client_id: str, redirect_uri: str, request: Request, *args: Any, **kwargs: Any
    ) -> bool:
        return loopback_redirect(redirect_uri)

    def get_default_redirect_uri(self, client_id: str, request: Request, *args: Any, **kwargs: Any) -> None:
        return None  # a native app must say where it listens

    def validate_response_type(
        self, client_id: str, response_type: str, client: Client, request: Request, *args: Any, **kwargs: Any
    ) -> bool:
        return response_type == "code"

    def validate_scopes(
        self, client_id: str, scopes: list[str], client: Client | None, request: Request, *args: Any, **kwargs: Any
    ) -> bool:
        client = self._client(client_id)  # oauthlib passes none on the authorization endpoint
        if client is None:
            return False
        if request.grant_type == "client_credentials":
            return set(scopes) <= client.app_scopes
        return set(scopes) <= client.allowed_scopes | IDENTITY_SCOPES

    def get_default_scopes(self, client_id: str, request: Request, *args: Any, **kwargs: Any) -> list[str]:
        client = self._client(client_id)
        if client is None:
            return []
        return sorted(client.app_scopes if request.grant_type == "client_credentials" else client.allowed_scopes)

    def is_pkce_required(self, client_id: str, request: Request) -> bool:
        client = self._client(client_id)
        return client is None or client.public

    # --- authorization codes

    def save_authorization_code(
        self, client_id: str, code: dict[str, str], request: Request, *args: Any, **kwargs: Any
    ) -> None:
        from .state import AuthorizationCode

        user: User = request.user
        with self.state.lock:
            grant = self.state.new_grant(client_id, request.scopes, user)
            self.state.codes[code["code"]] = AuthorizationCode(
                code=code["code"],
                grant=grant,
                redirect_uri=request.redirect_uri,
                challenge=request.code_challenge,
                challenge_method=request.code_challenge_method,
                nonce=request.nonce,
                expires_at=self.state.clock.now() + CODE_LIFETIME,
            )

    def _code(self, code: str) -> Any:
        found = self.state.codes.get(code)
        if found is None or found.used or found.grant.revoked or found.expires_at <= self.state.clock.now():
            return None
        return found

    def validate_code(
        self, client_id: str, code: str, client: Client, request: Request, *args: Any, **kwargs: Any
    ) -> bool:
        with self.state.lock:
            found = self._code(code)
            if found is None or found.grant.client_id != client_id:
                return False
            request.user = found.grant.user
            request.scopes = list(found.grant.scopes)
            request.grant = found.grant
            request.claims = None
            return True

    def confirm_redirect_uri(
        self, client_id: str, code: str, redirect_uri: str, client: Client, request: Request, *args: Any, **kwargs: Any
    ) -> bool:
        found = self.state.codes.get(code)
        return found is not None and found.redirect_uri == redirect_uri

    def invalidate_authorization_code(
        self, client_id: str, code: str, request: Request, *args: Any, **kwargs: Any
    ) -> None:
        with self.state.lock:
            found = self.state.codes.get(code)
            if found is not None:
                found.used = True

    def get_code_challenge(self, code: str, request: Request) -> str | None:
        found = self.state.codes.get(code)
        return None if found is None else found.challenge

    def get_code_challenge_method(self, code: str, request: Request) -> str | None:
        found = self.state.codes.get(code)
        return None if found is None else found.challenge_method

    # --- tokens

    def save_bearer_token(self, token: dict[str, Any], request: Request, *args: Any, **kwargs: Any) -> None:
        now = self.state.clock.now()
        scopes = tuple(token.get("scope", "").split()) or tuple(request.scopes or ())
        with self.state.lock:
            grant = getattr(request, "grant", None)
            if grant is None:  # the client-credentials grant: the application signs in as itself
                grant = self.state.new_grant(request.client_id, scopes, None)
            self.state.access_tokens[token["access_token"]] = AccessToken(
                token["access_token"], grant, scopes, issued_at=now, expires_at=now + float(token["expires_in"])
            )
            old = getattr(request, "refresh_record", None)
            new_refresh = token.get("refresh_token")
            if old is not None and new_refresh and new_refresh != old.token:
                old.replaced = True
            if new_refresh and new_refresh not in self.state.refresh_tokens:
                self.state.refresh_tokens[new_refresh] = RefreshToken(new_refresh, grant, grant.scopes)
        if request.grant_type == DEVICE_GRANT and "openid" in scopes and request.user is not None:
            # oauthlib's device grant is not OpenID-aware; Microsoft's gives an ID token, as here.
            token["id_token"] = self.finalize_id_token({"aud": request.client_id}, token, None, request)

    def validate_refresh_token(
        self, refresh_token: str, client: Client, request: Request, *args: Any, **kwargs: Any
    ) -> bool:
        with self.state.lock:
            found = self.state.live_refresh_token(refresh_token)
            if found is None or found.grant.client_id != client.client_id:
                return False
            request.user = found.grant.user
            request.grant = found.grant
            request.refresh_record = found
            return True

    def get_original_scopes(self, refresh_token: str, request: Request, *args: Any, **kwargs: Any) -> list[str]:
        found = self.state.refresh_tokens.get(refresh_token)
        return [] if found is None else list(found.scopes)

    def rotate_refresh_token(self, request: Request) -> bool:
        return self.rotate_refresh_tokens

    def validate_bearer_token(self, token: str, scopes: list[str], request: Request) -> bool:
        found = self.state.live_access_token(token or "")
        if found is None or found.grant.user is None:
            return False
        request.user = found.grant.user
        request.scopes = list(found.scopes)
        request.access_token = found
        return set(scopes) <= set(found.scopes)

    def revoke_token(
        self, token: str, token_type_hint: str | None, request: Request, *args: Any, **kwargs: Any
    ) -> None:
        with self.state.lock:
            access = self.state.access_tokens.get(token)
            if access is not None and access.grant.client_id == request.client_id:
                access.revoked = True
            refresh = self.state.refresh_tokens.get(token)
            if refresh is not None and refresh.grant.client_id == request.client_id:
                # RFC 7009 2.1: revoking a refresh token ends the grant and its access tokens.
                refresh.revoked = True
                refresh.grant.revoked = True

    def introspect_token(
        self, token: str, token_type_hint: str | None, request: Request, *args: Any, **kwargs: Any
    ) -> dict[str, Any] | None:
        client = getattr(request, "client", None)
        if not isinstance(client, Client) or not client.introspects:
            return None
        found = self.state.live_access_token(token)
        if found is None:
            return None
        claims: dict[str, Any] = {
            "scope": " ".join(found.scopes),
            "client_id": found.grant.client_id,
            "token_type": "Bearer",
            "exp": int(found.expires_at),
            "iat": int(found.issued_at),
            "iss": self.issuer,
        }
        user = found.grant.user
        if user is not None:
            claims.update(sub=user.subject, username=user.name, email=user.email)
        else:
            claims.update(sub=found.grant.client_id)
        return claims

    # --- device code (RFC 8628)

    def validate_device_code(
        self, client_id: str, code: str, request: Request, *args: Any, **kwargs: Any
    ) -> str | None:
        with self.state.lock:
            found = self.state.device_codes.get(code)
            if found is None or found.client_id != client_id or found.redeemed:
                return None
            if found.denied:
                return DeviceCodeGrant.DEVICE_CODE_DENIED
            if found.expires_at <= self.state.clock.now():
                return DeviceCodeGrant.DEVICE_CODE_EXPIRED
            if found.user is None:
                return DeviceCodeGrant.DEVICE_CODE_PENDING
            found.redeemed = True
            request.user = found.user
            request.scopes = list(found.scopes)
            request.grant = self.state.new_grant(client_id, found.scopes, found.user)
            return DeviceCodeGrant.DEVICE_CODE_AUTHORIZED

    # --- OpenID Connect

    def get_authorization_code_scopes(
        self, client_id: str, code: str, redirect_uri: str, request: Request
    ) -> list[str]:
        found = self.state.codes.get(code)
        return [] if found is None else list(found.grant.scopes)

    def get_authorization_code_nonce(
        self, client_id: str, code: str, redirect_uri: str, request: Request
    ) -> str | None:
        found = self.state.codes.get(code)
        return None if found is None else found.nonce

    def refresh_id_token(self, request: Request) -> bool:
        return True

    def finalize_id_token(
        self, id_token: dict[str, Any], token: dict[str, Any], token_handler: Any, request: Request
    ) -> str:
        user: User = request.user
        now = int(self.state.clock.now())
        claims = {
            **id_token,
            "iss": self.issuer,
            "sub": user.subject,
            "iat": now,
            "nbf": now,
            "exp": now + ID_TOKEN_LIFETIME,
            "email": user.email,
            "preferred_username": user.email,
            "name": user.display_name or user.email,
            # Microsoft's identity platform names the user and the tenant too; msal reads them.
            "oid": user.subject,
            "tid": self.tenant_id,
        }
        return jwt.encode({"alg": "RS256", "kid": self.key.kid}, claims, self.key)

    def get_userinfo_claims(self, request: Request) -> dict[str, Any]:
        user: User = request.user
        return {"sub": user.subject, "email": user.email, "preferred_username": user.email, "name": user.display_name}

    def validate_silent_authorization(self, request: Request) -> bool:
        return False

    def validate_silent_login(self, request: Request) -> bool:
        return False

    def validate_user_match(self, id_token_hint: str | None, scopes: list[str], claims: Any, request: Request) -> bool:
        return True
