"""OAuth 2.0 sign-in, as the rest of the product sees it: which provider, which scopes, and what can go wrong.

A profile whose ``auth`` is OAuth names an identity provider (Microsoft's identity platform, Google,
or any OpenID Connect provider by its issuer URL), the application registered there (its client id)
and the scopes each protocol needs. Signing a mailbox in leaves a *grant* (the refresh token and the
account it belongs to) in the system keyring; access tokens live only in memory. The adapters in
``desktop_sync.identity`` do the talking; this module is pure.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field

from desktop_sync.domain.errors import ErrorScope, PermanentError, TransientError

# A token this close to its expiry is refreshed before use: a mail session opened with it must not
# see it expire half-way through a login, and clocks differ (the provider's may run minutes ahead).
REFRESH_MARGIN = dt.timedelta(minutes=5)

SIGNIN_NEEDED = "signin_needed"
PROVIDER_UNAVAILABLE = "identity_provider_unavailable"
SIGNIN_REFUSED = "signin_refused"


class OAuthProvider(enum.Enum):
    MICROSOFT = "microsoft"
    GOOGLE = "google"
    OIDC = "oidc"


class Protocol(enum.Enum):
    """What a token is for: each mail protocol has its own scope at Microsoft."""

    IMAP = "imap"
    POP3 = "pop3"
    SMTP = "smtp"
    EXCHANGE = "exchange"  # EWS
    GRAPH = "graph"  # Microsoft Graph (Exchange Online)


MICROSOFT_AUTHORITY = "https://login.microsoftonline.com"
GOOGLE_ISSUER = "https://accounts.google.com"

GRAPH = "https://graph.microsoft.com"
_GRAPH_DELEGATED = ("Mail.ReadWrite", "Mail.Send", "Calendars.ReadWrite", "Contacts.ReadWrite", "Tasks.ReadWrite")
_MICROSOFT_SCOPES: dict[Protocol, tuple[str, ...]] = {
    Protocol.IMAP: ("https://outlook.office.com/IMAP.AccessAsUser.All",),
    Protocol.POP3: ("https://outlook.office.com/POP.AccessAsUser.All",),
    Protocol.SMTP: ("https://outlook.office.com/SMTP.Send",),
    Protocol.EXCHANGE: ("https://outlook.office365.com/EWS.AccessAsUser.All",),
    Protocol.GRAPH: tuple(f"{GRAPH}/{permission}" for permission in _GRAPH_DELEGATED),
}
# App-only (client credentials) at Microsoft: one ".default" scope per resource.
MICROSOFT_APP_SCOPE = "https://outlook.office365.com/.default"
GRAPH_APP_SCOPE = f"{GRAPH}/.default"
GOOGLE_MAIL_SCOPE = "https://mail.google.com/"


def default_scopes(provider: OAuthProvider, protocols: tuple[Protocol, ...]) -> tuple[str, ...]:
    """The scopes a mailbox's sign-in asks for when the profile names none."""
    if provider is OAuthProvider.MICROSOFT:
        return tuple(dict.fromkeys(scope for p in protocols for scope in _MICROSOFT_SCOPES[p]))
    if provider is OAuthProvider.GOOGLE:
        return (GOOGLE_MAIL_SCOPE,)
    return ()  # another provider's scopes are its own: the profile must name them


def app_scopes(provider: OAuthProvider, protocols: tuple[Protocol, ...]) -> tuple[str, ...]:
    """The scopes of an application's own token (client credentials, a service account)."""
    if provider is OAuthProvider.MICROSOFT:
        return (GRAPH_APP_SCOPE,) if Protocol.GRAPH in protocols else (MICROSOFT_APP_SCOPE,)
    return default_scopes(provider, protocols)


@dataclass(frozen=True, slots=True)
class OAuthSettings:
    """Where and as which application a profile signs in. Nothing here is secret."""

    provider: OAuthProvider
    client_id: str
    tenant: str = "organizations"  # Microsoft: a tenant id or domain; "organizations" for any work account
    issuer: str = ""  # OIDC: the issuer URL; Google: its own; Microsoft: made from the tenant
    scopes: tuple[str, ...] = ()
    authority_host: str = MICROSOFT_AUTHORITY  # Microsoft: another cloud, or a test provider
    ca_file: str | None = None  # the identity provider's CA, for a private provider

    @property
    def authority(self) -> str:
        """msal's authority (Microsoft) or the issuer (others)."""
        if self.provider is OAuthProvider.MICROSOFT:
            return f"{self.authority_host.rstrip('/')}/{self.tenant}"
        if self.provider is OAuthProvider.GOOGLE:
            return self.issuer or GOOGLE_ISSUER
        return self.issuer

    def scopes_for(self, protocols: tuple[Protocol, ...]) -> tuple[str, ...]:
        """The scopes a person's sign-in asks for: the profile's own, else the provider's defaults."""
        return self.scopes or default_scopes(self.provider, protocols)

    def app_scopes_for(self, protocols: tuple[Protocol, ...]) -> tuple[str, ...]:
        """The scopes of the application's own token (client credentials)."""
        return self.scopes or app_scopes(self.provider, protocols)


@dataclass(frozen=True, slots=True)
class AccessToken:
    """A bearer token in memory: never stored, never logged (its repr shows only where it goes)."""

    token: str = field(repr=False)
    expires_at: dt.datetime
    account: str
    scopes: tuple[str, ...] = ()

    def fresh(self, now: dt.datetime, margin: dt.timedelta = REFRESH_MARGIN) -> bool:
        return now + margin < self.expires_at


@dataclass(frozen=True, slots=True)
class SignedIn:
    """What a finished sign-in tells the admin: who, what was granted, until when the token holds."""

    account: str
    scopes: tuple[str, ...]
    expires_at: dt.datetime


@dataclass(frozen=True, slots=True)
class DeviceCodePrompt:
    """What to show a person signing in on another device: the page and the code to type there."""

    verification_uri: str
    user_code: str
    message: str
    expires_at: dt.datetime


class SignInNeeded(PermanentError):
    """No grant, or the provider no longer honours it (revoked, expired, password changed): a person
    must sign in again. The mailbox's channels stop until then."""

    code = SIGNIN_NEEDED

    def __init__(self, message: str, *, scope: ErrorScope = ErrorScope.MAILBOX) -> None:
        super().__init__(message, scope=scope)


class SignInRefused(PermanentError):
    """The provider refused the sign-in itself: declined, wrong client id, a scope not granted, time out."""

    code = SIGNIN_REFUSED


class ProviderUnavailable(TransientError):
    """The identity provider could not be reached or answered with a server error: try again later."""

    code = PROVIDER_UNAVAILABLE
