"""Who a mailbox signs in as: its password from the keyring, or, for an OAuth profile, the access
tokens of its grant (a person's sign-in, or the application's own for a service account)."""

from __future__ import annotations

from desktop_sync.domain.errors import ErrorScope, PermanentError
from desktop_sync.domain.model import (
    AuthMethod,
    CredentialsOn,
    Mailbox,
    Profile,
    mailbox_secret_key,
    profile_secret_key,
)
from desktop_sync.domain.ports import SecretStore
from desktop_sync.domain.ports.connectors import Credentials
from desktop_sync.domain.ports.identity import TokenIssuer
from desktop_sync.domain.signin import AccessToken, OAuthSettings, SignInNeeded


def secret_key(profile: Profile, mailbox: Mailbox) -> str:
    """Where the password lives in the keyring (the services use the same keys); also the grant key."""
    if profile.credentials_on is CredentialsOn.PROFILE:
        return profile_secret_key(profile.name)
    return mailbox_secret_key(mailbox.address)


def login_for(profile: Profile, mailbox: Mailbox) -> str:
    """The user name to sign in with: the service account, the mailbox's login, or its address."""
    if profile.credentials_on is CredentialsOn.PROFILE:
        return profile.login or mailbox.address
    return mailbox.login or mailbox.address


def _scope(profile: Profile) -> ErrorScope:
    return ErrorScope.PROFILE if profile.credentials_on is CredentialsOn.PROFILE else ErrorScope.MAILBOX


class GrantTokens:
    """``BearerTokens`` over the engine's TokenIssuer: a person's grant (``delegated``) or, for a
    service account, the application's own token by client credentials (its secret from the keyring).

    A token the server refused is forgotten once; a second refusal of a fresh token stands."""

    def __init__(
        self,
        issuer: TokenIssuer,
        secrets: SecretStore,
        key: str,
        settings: OAuthSettings,
        scopes: tuple[str, ...],
        *,
        app_only: bool,
        scope: ErrorScope,
    ) -> None:
        self._issuer = issuer
        self._secrets = secrets
        self._key = key
        self._settings = settings
        self._scopes = scopes
        self._app_only = app_only
        self._error_scope = scope
        self._refused: set[str] = set()

    def __repr__(self) -> str:
        return f"GrantTokens({self._key!r}, {self._settings.provider.value}, app_only={self._app_only})"

    @property
    def provider(self) -> str:
        return self._settings.provider.value

    async def token(self) -> AccessToken:
        if self._app_only:
            client_secret = await self._secrets.get_secret(self._key)
            if client_secret is None:
                raise SignInNeeded("no client secret is stored for the service account", scope=self._error_scope)
            token = await self._issuer.app_token(self._key, self._settings, client_secret, self._scopes)
        else:
            try:
                token = await self._issuer.token(self._key, self._settings, self._scopes)
            except SignInNeeded as problem:
                raise SignInNeeded(problem.message, scope=self._error_scope) from problem
        if token.token in self._refused:
            # the server refused this very token already, and the provider still hands it out
            raise SignInNeeded(f"the server refused the access token of {token.account}", scope=self._error_scope)
        return token

    def rejected(self, token: AccessToken) -> None:
        self._refused.add(token.token)
        self._issuer.invalidate(self._key)


def bearer_for(tokens: TokenIssuer | None, secrets: SecretStore, profile: Profile, mailbox: Mailbox) -> GrantTokens:
    """The access tokens an OAuth profile's connectors sign in with for ``mailbox``."""
    settings = profile.oauth
    if settings is None or tokens is None:
        raise SignInNeeded(
            f"{profile.name} signs in with OAuth 2.0, and this installation has no identity provider configured",
            scope=_scope(profile),
        )
    app_only = profile.credentials_on is CredentialsOn.PROFILE
    scopes = settings.app_scopes_for(profile.protocols) if app_only else settings.scopes_for(profile.protocols)
    return GrantTokens(tokens, secrets, secret_key(profile, mailbox), settings, scopes, app_only=app_only,
                       scope=_scope(profile))  # fmt: skip


async def resolve_credentials(
    secrets: SecretStore, profile: Profile, mailbox: Mailbox, tokens: TokenIssuer | None = None
) -> Credentials:
    """The login and the password from the keyring (PermanentError ``password_missing`` without one),
    or for an OAuth profile the login and its bearer tokens (no password)."""
    if profile.auth is AuthMethod.OAUTH2:
        # An application's token (a service account) signs in to each mailbox by its own name.
        login = mailbox.login or mailbox.address if profile.credentials_on is CredentialsOn.PROFILE else None
        bearer = bearer_for(tokens, secrets, profile, mailbox)
        return Credentials(login or login_for(profile, mailbox), None, bearer)
    secret = await secrets.get_secret(secret_key(profile, mailbox))
    if secret is None:
        raise PermanentError(
            f"no password is stored for {mailbox.address}", code="password_missing", scope=_scope(profile)
        )
    return Credentials(login_for(profile, mailbox), secret)
