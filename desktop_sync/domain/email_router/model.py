"""What the reading of the routers finds: the router's profiles, mailboxes, merged profiles, accounts and
warnings (see ``desktop_sync.domain.email_router`` for the mapping)."""

from __future__ import annotations

import datetime as dt
import enum
from collections import defaultdict
from dataclasses import dataclass, field

from desktop_sync.domain.email_router.files import Setting
from desktop_sync.domain.model import CredentialsOn, Mailbox, Profile, Queue, User
from desktop_sync.domain.validation import ProfileInput


class Role(enum.Enum):
    INCOMING = "incoming"
    OUTGOING = "outgoing"


class ServerType(enum.Enum):
    EXCHANGE = "exchange"
    POP3 = "pop3"
    IMAP = "imap"
    SMTP = "smtp"
    WEBDAV = "webdav"  # Exchange 2003/2007 WebDAV: server-side sync cannot use it
    CUSTOM = "custom"  # a provider class of someone else's


TYPE_LABELS = {
    ServerType.EXCHANGE: "Exchange",
    ServerType.POP3: "POP3",
    ServerType.IMAP: "IMAP",
    ServerType.SMTP: "SMTP",
    ServerType.WEBDAV: "Exchange WebDAV",
    ServerType.CUSTOM: "Custom",
}


class AuthMode(enum.Enum):
    WINDOWS = "windows"  # Windows authentication (Negotiate/Kerberos/NTLM)
    NTLM = "ntlm"
    BASIC = "basic"  # clear text / basic
    OFFICE365 = "office365"  # basic against Exchange Online
    OAUTH2 = "oauth2"
    ANONYMOUS = "anonymous"
    NOT_STATED = "not_stated"


AUTH_VALUES = {
    "windowsauthentication": AuthMode.WINDOWS,
    "windows": AuthMode.WINDOWS,
    "windowsintegrated": AuthMode.WINDOWS,
    "integrated": AuthMode.WINDOWS,
    "negotiate": AuthMode.WINDOWS,
    "kerberos": AuthMode.WINDOWS,
    "ntlm": AuthMode.NTLM,
    "cleartext": AuthMode.BASIC,
    "basic": AuthMode.BASIC,
    "plaintext": AuthMode.BASIC,
    "plain": AuthMode.BASIC,
    "office365": AuthMode.OFFICE365,
    "exchangeonline": AuthMode.OFFICE365,
    "oauth": AuthMode.OAUTH2,
    "oauth2": AuthMode.OAUTH2,
    "anonymous": AuthMode.ANONYMOUS,
}

AUTH_LABELS = {
    AuthMode.WINDOWS: "Windows authentication",
    AuthMode.NTLM: "NTLM",
    AuthMode.BASIC: "clear text",
    AuthMode.OFFICE365: "Office 365",
    AuthMode.OAUTH2: "OAuth",
    AuthMode.ANONYMOUS: "anonymous",
    AuthMode.NOT_STATED: "authentication not stated",
}


class CredentialMode(enum.Enum):
    """The router's "Access Credentials" setting, rebuilt from what the providers hold."""

    LOCAL_SYSTEM = "local_system"  # the router service's own account: no user name in the file
    USER_SPECIFIED = "user_specified"  # each mailbox its own account
    OTHER_SPECIFIED = "other_specified"  # one service account for every mailbox of the profile
    NONE = "none"  # anonymous


@dataclass(frozen=True, slots=True)
class ServerSettings:
    """What makes two providers part of the same router profile: server, type, authentication and
    credential settings. The service account is part of it; a mailbox's own login is not."""

    role: Role
    server_type: ServerType
    host: str
    port: int | None
    tls: bool
    ews_url: str | None
    auth: AuthMode
    credentials: CredentialMode
    account: str | None  # the service account, for OTHER_SPECIFIED
    provider_class: str = ""  # for custom and WebDAV providers, which cannot be migrated

    def describe(self) -> str:
        location = self.ews_url or (f"{self.host}:{self.port}" if self.port else self.host)
        credentials = {
            CredentialMode.LOCAL_SYSTEM: "Local System account",
            CredentialMode.USER_SPECIFIED: "each mailbox's own credentials",
            CredentialMode.OTHER_SPECIFIED: f"service account {self.account}",
            CredentialMode.NONE: "no credentials",
        }[self.credentials]
        ssl = "SSL" if self.tls else "no SSL"
        text = f"{TYPE_LABELS[self.server_type]} {location}, {ssl}, {AUTH_LABELS[self.auth]}, {credentials}"
        return text + (f", class {self.provider_class}" if self.server_type is ServerType.CUSTOM else "")


@dataclass(frozen=True, slots=True)
class RouterProfile:
    """An incoming or outgoing profile of the router, rebuilt by grouping its providers."""

    role: Role
    name: str  # short, unique within its role: "POP3 pop.contoso-mail.net"
    settings: ServerSettings
    sources: tuple[str, ...]
    addresses: tuple[str, ...] = ()  # incoming: the mailboxes it reads
    user_ids: tuple[str, ...] = ()  # outgoing: the CRM ids it lists
    queue_ids: tuple[str, ...] = ()
    unknown: tuple[Setting, ...] = ()  # distinct unknown elements of its providers
    problem: str | None = None  # why it cannot be migrated (WebDAV, custom provider)

    @property
    def label(self) -> str:
        """The name with its direction: unique among all the router's profiles."""
        return f"{self.role.value.capitalize()} {self.name}"


Pair = tuple[RouterProfile | None, RouterProfile | None]  # a merged profile's (incoming, outgoing)


# --- the reading: what the wizard shows before anything is written ------------------------------------


class WarningCode(enum.Enum):
    # the reference wizard's warnings
    POP3_EXCHANGE = "pop3_exchange"
    EXCHANGE_SMTP = "exchange_smtp"
    EXCHANGE_WEBDAV = "exchange_webdav"
    CUSTOM_PROVIDER = "custom_provider"
    NON_SSL = "non_ssl"
    # what the migration to Desktop Sync adds
    EXCHANGE_SERVERS_DIFFER = "exchange_servers_differ"
    LOCAL_SYSTEM = "local_system"
    EXCHANGE_ONLINE_BASIC = "exchange_online_basic"
    EXCHANGE_ONLINE_OAUTH = "exchange_online_oauth"  # migrated to an OAuth 2.0 profile that needs a sign-in
    ANONYMOUS_SMTP = "anonymous_smtp"
    SMTP_CREDENTIALS = "smtp_credentials"
    SHARED_POP3_ACCOUNT = "shared_pop3_account"
    EWS_URL_BUILT = "ews_url_built"
    AUTH_NOT_STATED = "auth_not_stated"
    CREDENTIALS_INFERRED = "credentials_inferred"
    DELETE_EMAILS_MIXED = "delete_emails_mixed"
    PROFILE_INVALID = "profile_invalid"
    PROVIDER_UNUSABLE = "provider_unusable"
    UNMATCHED_ADDRESS = "unmatched_address"
    UNMATCHED_ID = "unmatched_id"
    MAILBOX_CONFLICT = "mailbox_conflict"
    OUTGOING_ONLY = "outgoing_only"
    UNKNOWN_ELEMENTS = "unknown_elements"
    UNKNOWN_SETTINGS = "unknown_settings"
    SEVERAL_DEPLOYMENTS = "several_deployments"
    FILE_STRUCTURE = "file_structure"
    NO_STATE = "no_state"


Note = tuple[WarningCode, str, bool]  # a warning found while merging: code, text, blocking


@dataclass(frozen=True, slots=True)
class RouterWarning:
    """Something the admin should see before migrating; ``profile`` is the merged profile's name or a
    router profile's label it concerns (None: the routers as a whole). ``blocking``: it is why
    something is not migrated."""

    code: WarningCode
    message: str
    profile: str | None = None
    blocking: bool = False


class OwnerKind(enum.Enum):
    USER = "user"
    QUEUE = "queue"


@dataclass(frozen=True, slots=True)
class MailboxOwner:
    kind: OwnerKind
    email: str
    name: str
    crm_id: str | None = None

    @property
    def label(self) -> str:
        return f"{self.name} <{self.email}>"


class MailboxKind(enum.Enum):
    FORWARD = "forward"
    QUEUE = "queue"
    USER = "user"
    UNMATCHED = "unmatched"  # an incoming mailbox whose address matches no user or queue


@dataclass(frozen=True, slots=True)
class RouterMailbox:
    """A mailbox the router served: whose it is, the pair of router profiles it used, where it goes."""

    address: str
    kind: MailboxKind
    owner: MailboxOwner | None = None
    incoming: str | None = None  # router profile labels
    outgoing: str | None = None
    profile: str | None = None  # the merged profile it moves to; None when it cannot be migrated
    login: str | None = None  # the mailbox's own account, when credentials live on the mailbox
    threshold: dt.datetime | None = None  # the router's ThresholdDate: shown, never used
    threshold_unset: bool = False  # the state says 0001-01-01 (or something unreadable)
    sources: tuple[str, ...] = ()
    problem: str | None = None  # why it cannot be migrated


@dataclass(frozen=True, slots=True)
class MergedProfile:
    """The email server profile made of one (incoming, outgoing) pair: what would be created."""

    name: str
    incoming: str | None  # router profile labels
    outgoing: str | None
    data: ProfileInput
    profile: Profile | None  # validated; None when it cannot be migrated
    problem: str | None = None
    forward_only: bool = False  # made for forward mailboxes only
    # Exchange Online: an OAuth 2.0 profile whose Microsoft Entra application (client id, tenant) the
    # router's files do not name; the plan completes it with the one the admin gives (EntraApp)
    needs_entra_app: bool = False

    @property
    def credentials_on(self) -> CredentialsOn:
        return self.data.credentials_on


@dataclass(frozen=True, slots=True)
class EntraApp:
    """The Microsoft Entra application every migrated Exchange Online profile signs in as (app-only: the
    router's service-account model), given once for all of them."""

    client_id: str
    tenant: str


@dataclass(frozen=True, slots=True)
class Account:
    """An account whose password the router kept encrypted (or never had): asked once, stored in the
    keyring for each profile (service account) or mailbox (own credentials) that signs in with it."""

    login: str
    server: str
    scope: CredentialsOn
    profiles: tuple[str, ...] = ()
    mailboxes: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.scope.value}:{self.server}:{self.login.lower()}"

    @property
    def label(self) -> str:
        if self.scope is CredentialsOn.PROFILE:
            where = "service account of profile " + ", ".join(self.profiles)
        else:
            where = "mailbox " + ", ".join(self.mailboxes)
        return f"{self.login} on {self.server} ({where})"


@dataclass(frozen=True, slots=True)
class StoreSnapshot:
    """The store as the reading saw it: owners to match, and what already exists."""

    users: tuple[User, ...] = ()
    queues: tuple[Queue, ...] = ()
    profiles: tuple[Profile, ...] = ()
    mailboxes: tuple[Mailbox, ...] = ()


@dataclass(frozen=True, slots=True)
class RouterSummary:
    directory: str
    sizes: tuple[tuple[str, int], ...]
    providers: int
    deployments: tuple[str, ...]
    settings: tuple[Setting, ...]
    unknown_settings: tuple[Setting, ...]
    state_records: int


@dataclass(frozen=True, slots=True)
class RouterReading:
    """Everything found in up to four routers, before anything is written."""

    routers: tuple[RouterSummary, ...]
    incoming: tuple[RouterProfile, ...]
    outgoing: tuple[RouterProfile, ...]
    profiles: tuple[MergedProfile, ...]
    mailboxes: tuple[RouterMailbox, ...]
    accounts: tuple[Account, ...]
    warnings: tuple[RouterWarning, ...]
    snapshot: StoreSnapshot = field(default_factory=StoreSnapshot, repr=False)

    def warnings_for(self, name: str | None) -> tuple[RouterWarning, ...]:
        """The warnings about one merged profile or router profile label (None: the general ones)."""
        return tuple(w for w in self.warnings if w.profile == name)

    def warnings_by_profile(self) -> dict[str | None, tuple[RouterWarning, ...]]:
        grouped: dict[str | None, list[RouterWarning]] = defaultdict(list)
        for warning in self.warnings:
            grouped[warning.profile].append(warning)
        return {k: tuple(v) for k, v in grouped.items()}

    def profile(self, name: str) -> MergedProfile | None:
        return next((p for p in self.profiles if p.name == name), None)


# --- classification of one provider ------------------------------------------------------------------
