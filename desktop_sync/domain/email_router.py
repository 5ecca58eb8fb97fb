"""The legacy E-mail Router's configuration files, read tolerantly, and the rules that merge them into profiles.

What the format is known to be (with a confidence label on every element) is in the research notes
``tests/reference/email-router/README.md``. This module reads the three files of each router from bytes, groups
the providers into the router's incoming and outgoing profiles, merges each (incoming, outgoing)
pair that a user or queue actually uses into one email server profile, and says why whatever
cannot be migrated cannot. It never decrypts a password: it only notes that one was there.

Reading rules: element names are compared case-insensitively and without namespaces; elements we
do not know are kept and shown, never used; a value we cannot map is reported, not guessed. A
document with a DOCTYPE or an entity declaration is refused, so no entity is ever expanded.

Mapping (router -> profile field), the parts marked [I] resting on inferred element names or values:

- ProfileName [I]: the router's name of the profile a provider belongs to; it names the router
  profile (else its type and host), and so the merged profile, "<incoming> + <outgoing>".

- ProviderClass [I]: ``...Pop3...`` POP3 in; ``...Imap...`` IMAP in; ``...Smtp...`` SMTP out;
  ``...Exchange...`` Exchange, out when the class name has ``Send``; ``...WebDav...`` or an Exchange
  location under ``/exchange`` or ``/public`` is WebDAV, which cannot be migrated; a class outside
  ``Microsoft.Crm.Tools.Email.Providers`` is a custom provider, which cannot be migrated.
- EmailServerUrl [I] -> host, port and EWS URL; EmailUseSSL [I] (else the URL's scheme, else an
  implicit-TLS port) -> security: POP3/IMAP ``tls``; SMTP ``starttls`` (the router's SMTP client
  upgraded the connection), ``smtps://`` ``tls``; no SSL -> ``none`` with allow-insecure and a warning.
  SMTP without a port keeps 25, the port the router used.
- EmailAuthMode [D] (values [I]): Windows/NTLM -> ntlm; ClearText/Basic/Office365 -> basic;
  Anonymous -> no credentials (SMTP only).
- Credentials: EmailUser [I] shared by several mailboxes -> the profile's service account
  ("Other specified"); EmailUser equal to the mailbox's address, or its own -> the mailbox's
  ("User specified"); no EmailUser -> the router's Local System account, which Desktop Sync cannot
  use: each mailbox then needs its credentials.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import html
import re
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit
from xml.parsers.expat import ExpatError, ParserCreate, errors

from desktop_sync.domain.errors import ValidationError
from desktop_sync.domain.migration_texts import migration_text
from desktop_sync.domain.model import (
    AuthMethod,
    CredentialsOn,
    Mailbox,
    Profile,
    ProfileKind,
    Queue,
    Security,
    User,
)
from desktop_sync.domain.validation import ProfileInput, normalize_address, normalize_crm_id, validate_profile

AGENT_FILE = "Microsoft.Crm.Tools.EmailAgent.xml"
STATE_FILE = "Microsoft.Crm.Tools.EmailAgent.SystemState.xml"
KEY_FILE = "EncryptionKey.xml"
ROUTER_FILES = (AGENT_FILE, STATE_FILE, KEY_FILE)
MAX_ROUTERS = 4
MAX_TOTAL_BYTES = 32 * 1024 * 1024  # the reference wizard's limit for all the files together
SMTP_ROUTER_PORT = 25

MICROSOFT_NAMESPACE = "microsoft.crm.tools.email.providers."
MICROSOFT_ASSEMBLIES = {"microsoft.crm.tools.emailproviders.dll", "microsoft.crm.tools.emailproviders"}


class RouterFileError(ValidationError):
    """One of the router's files cannot be used: missing, empty, too large, malformed. Names the file."""

    code = "router_file"

    def __init__(self, path: str, problem: str):
        super().__init__({"routers": f"{path}: {problem}"})
        self.path = path
        self.problem = problem


# --- what the files hold ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Setting:
    """An element as found in a file: its name in the file's own casing and its text."""

    name: str
    value: str


@dataclass(frozen=True, slots=True)
class Provider:
    """One ``ProviderConfiguration``: an incoming mailbox, or an outgoing profile for one deployment.

    The password element is never kept: only whether there was one.
    """

    source: str  # "<file>, line N": where an admin finds it
    provider_class: str | None = None
    assembly: str | None = None
    crm_server_url: str | None = None
    server_url: str | None = None
    auth_mode: str | None = None
    email_address: str | None = None
    email_user: str | None = None
    has_password: bool = False
    use_ssl: str | None = None
    is_forward_mailbox: str | None = None
    delete_emails: str | None = None
    profile_name: str | None = None  # the router's own name of the profile this provider belongs to
    user_ids: tuple[str, ...] = ()
    queue_ids: tuple[str, ...] = ()
    unknown: tuple[Setting, ...] = ()
    problems: tuple[str, ...] = ()  # contradictions inside the element itself


@dataclass(frozen=True, slots=True)
class AgentConfig:
    """``Microsoft.Crm.Tools.EmailAgent.xml``: router-wide settings and the providers."""

    source: str
    providers: tuple[Provider, ...]
    settings: tuple[Setting, ...] = ()  # SystemConfiguration, ProviderOverrides/... flattened
    unknown_settings: tuple[Setting, ...] = ()
    notes: tuple[str, ...] = ()  # structure the reader tolerated (no SystemConfiguration, ...)


@dataclass(frozen=True, slots=True)
class StateRecord:
    """One provider instance's state from SystemState.xml: who it is and its ThresholdDate."""

    address: str | None
    identity: str | None
    threshold: dt.datetime | None  # None: absent, unreadable, or the "unset" 0001-01-01
    threshold_raw: str | None


@dataclass(frozen=True, slots=True)
class RouterFiles:
    """The three files of one router, read. The encryption key was checked and not kept."""

    directory: str
    agent: AgentConfig
    state: tuple[StateRecord, ...]
    sizes: tuple[tuple[str, int], ...]  # (file name, bytes)


# --- safe XML --------------------------------------------------------------------------------------


class _Refused(Exception):
    pass


def _local(tag: object) -> str:
    name = tag if isinstance(tag, str) else ""
    return name.rsplit("}", 1)[-1].rsplit(":", 1)[-1]


def _parse_xml(data: bytes, source: str) -> tuple[ET.Element, list[int]]:
    """Parse ``data`` refusing DTDs and entity declarations; also the line of each child of the root.

    Raises RouterFileError naming ``source`` for an empty or malformed document.
    """
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xfe\xff"):
        raise RouterFileError(source, migration_text("file_empty"))
    scanner = ParserCreate()
    depth = 0
    lines: list[int] = []

    def refuse_doctype(*_: object) -> None:
        raise _Refused(migration_text("doctype_refused"))

    def refuse_entity(*_: object) -> None:
        raise _Refused(migration_text("entity_refused"))

    def start(name: str, _attributes: object) -> None:
        nonlocal depth
        depth += 1
        if depth == 2:
            lines.append(scanner.CurrentLineNumber)

    def end(_name: str) -> None:
        nonlocal depth
        depth -= 1

    scanner.StartDoctypeDeclHandler = refuse_doctype
    scanner.EntityDeclHandler = refuse_entity
    scanner.UnparsedEntityDeclHandler = refuse_entity
    scanner.StartElementHandler = start
    scanner.EndElementHandler = end
    try:
        scanner.Parse(data, True)
    except _Refused as exc:
        raise RouterFileError(source, str(exc)) from None
    except ExpatError as exc:
        reason = errors.messages.get(exc.code, str(exc)) if exc.code is not None else str(exc)
        raise RouterFileError(
            source, migration_text("not_well_formed", reason=reason, line=exc.lineno, column=exc.offset + 1)
        ) from None
    # The scan proved the document well-formed and free of DTDs, so ElementTree expands nothing.
    return ET.fromstring(data), lines


def _text(element: ET.Element) -> str:
    if len(element):
        return " ".join(t.strip() for t in element.itertext() if t.strip())
    return (element.text or "").strip()


# --- EmailAgent.xml ----------------------------------------------------------------------------------

# SystemConfiguration children documented in S1/S2 (lower-case; ProviderOverrides children qualified).
_SYSTEM_SETTINGS = {
    "maxthreads",
    "maxthreadexecution",
    "schedulingperiod",
    "configrefreshperiod",
    "configupdateperiod",
    "loglevel",
    "logfile",
    "provideroverrides/cachecapacity",
    "provideroverrides/pendingstatusdelay",
    "provideroverrides/sendingstatusdelay",
    "provideroverrides/maximumdeliveryattempts",
    "provideroverrides/ewsretrievemessagecount",
    "provideroverrides/batchsize",
    "provideroverrides/requestbatchsize",
    "provideroverrides/messageexpiry",
    "provideroverrides/maxmessagecount",
}

# ProviderConfiguration children we read, lower-case -> Provider attribute. Single-valued.
_PROVIDER_FIELDS = {
    "providerclass": "provider_class",
    "providerassembly": "assembly",
    "crmserverurl": "crm_server_url",
    "emailserverurl": "server_url",
    "emailauthmode": "auth_mode",
    "emailaddress": "email_address",
    "emailuser": "email_user",
    "emailusessl": "use_ssl",
    "isforwardmailbox": "is_forward_mailbox",
    "deleteemails": "delete_emails",
    "profilename": "profile_name",
}
# Known and deliberately unused: how the router signed in to the CRM has no counterpart here.
_PROVIDER_IGNORED = {"crmauthmode"}


def parse_agent_config(data: bytes, source: str) -> AgentConfig:
    """Read ``Microsoft.Crm.Tools.EmailAgent.xml``. Raises RouterFileError naming ``source``."""
    root, lines = _parse_xml(data, source)
    if _local(root.tag).lower() != "configuration":
        raise RouterFileError(
            source, migration_text("root_not_configuration", element=_local(root.tag))
        )
    for child, line in zip(root, lines, strict=True):
        for inner in child.iter():
            if inner is not child and _local(inner.tag).lower() == "providerconfiguration":
                raise RouterFileError(
                    source,
                    migration_text("nested_provider", element=_local(child.tag), line=line),
                )
    providers: list[Provider] = []
    settings: list[Setting] = []
    unknown_settings: list[Setting] = []
    notes: list[str] = []
    system_count = 0
    for child, line in zip(root, lines, strict=True):
        name = _local(child.tag).lower()
        if name == "providerconfiguration":
            providers.append(_provider(child, f"{source}, line {line}"))
        elif name == "systemconfiguration":
            system_count += 1
            for setting, known in _system_settings(child):
                (settings if known else unknown_settings).append(setting)
        else:
            unknown_settings.append(Setting(_local(child.tag), _text(child)))
    if system_count == 0:
        notes.append(migration_text("no_system_configuration", source=source))
    elif system_count > 1:
        notes.append(migration_text("several_system_configurations", source=source, count=system_count))
    return AgentConfig(source, tuple(providers), tuple(settings), tuple(unknown_settings), tuple(notes))


def _system_settings(element: ET.Element, prefix: str = "") -> Iterable[tuple[Setting, bool]]:
    for child in element:
        name = prefix + _local(child.tag)
        if len(child) and name.lower() == "provideroverrides":
            yield from _system_settings(child, name + "/")
        else:
            yield Setting(name, _text(child)), name.lower() in _SYSTEM_SETTINGS


def _provider(element: ET.Element, source: str) -> Provider:
    values: dict[str, str] = {}
    user_ids: list[str] = []
    queue_ids: list[str] = []
    unknown: list[Setting] = []
    problems: list[str] = []
    has_password = False
    for child in element:
        name = _local(child.tag)
        key = name.lower()
        value = _text(child)
        if key == "userid":
            user_ids.append(value)
        elif key == "queueid":
            queue_ids.append(value)
        elif key == "emailpassword":
            has_password = has_password or bool(value)  # the (encrypted) value is never kept
        elif key in _PROVIDER_FIELDS:
            attribute = _PROVIDER_FIELDS[key]
            if attribute in values and values[attribute].lower() != value.lower():
                problems.append(
                    migration_text("two_values", element=name, first=repr(values[attribute]), second=repr(value))
                )
                continue
            values[attribute] = value
        elif key not in _PROVIDER_IGNORED:
            unknown.append(Setting(name, value))
    return Provider(
        source=source,
        provider_class=values.get("provider_class") or None,
        assembly=values.get("assembly") or None,
        crm_server_url=values.get("crm_server_url") or None,
        server_url=values.get("server_url") or None,
        auth_mode=values.get("auth_mode") or None,
        email_address=values.get("email_address") or None,
        email_user=values.get("email_user") or None,
        has_password=has_password,
        use_ssl=values.get("use_ssl") or None,
        is_forward_mailbox=values.get("is_forward_mailbox") or None,
        delete_emails=values.get("delete_emails") or None,
        profile_name=_profile_name(values.get("profile_name", "")),
        user_ids=tuple(user_ids),
        queue_ids=tuple(queue_ids),
        unknown=tuple(unknown),
        problems=tuple(problems),
    )


PROFILE_NAME_MAX = 80  # a router profile's name, as part of a merged name "<in> + <out>" (200 at most)


def _profile_name(raw: str) -> str | None:
    """The router's profile name made fit to name a profile: one line, printable, not too long."""
    name = " ".join("".join(c if c.isprintable() else " " for c in raw).split())
    if len(name) > PROFILE_NAME_MAX:
        name = name[: PROFILE_NAME_MAX - 1].rstrip() + "…"
    return name or None


# --- SystemState.xml and EncryptionKey.xml ----------------------------------------------------------

_THRESHOLD = re.compile(r"<\s*(?:[\w.-]+:)?thresholddate(?:time)?\b[^>]*>\s*([^<]*?)\s*<", re.IGNORECASE)


def parse_system_state(data: bytes, source: str) -> tuple[StateRecord, ...]:
    """Read SystemState.xml (layout inferred): ThresholdDate per provider, found case-insensitively,
    as an element or inside escaped XML text, and keyed by the address or identity beside it."""
    root, _lines = _parse_xml(data, source)
    records: list[StateRecord] = []
    for element in root.iter():
        children = {_local(c.tag).lower(): c for c in element}
        if "emailaddress" not in children and "identityhash" not in children:
            continue
        address = _text(children["emailaddress"]) if "emailaddress" in children else None
        identity = _text(children["identityhash"]) if "identityhash" in children else None
        raw = None
        for inner in element.iter():
            if _local(inner.tag).lower() in ("thresholddate", "thresholddatetime"):
                raw = _text(inner)
                break
            match = _THRESHOLD.search(html.unescape(inner.text or ""))
            if match:
                raw = match.group(1)
                break
        records.append(StateRecord(address or None, identity or None, _threshold(raw), raw))
    return tuple(records)


def _threshold(raw: str | None) -> dt.datetime | None:
    if not raw:
        return None
    try:
        value = dt.datetime.fromisoformat(raw.strip())
    except ValueError:
        return None
    if value.year <= 1:  # the "unset" value a faulty upgrade leaves (KB 2491350)
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def check_encryption_key(data: bytes, source: str) -> None:
    """EncryptionKey.xml must be there and well-formed; its content is a secret and is not kept."""
    _parse_xml(data, source)


# --- the router's profiles ---------------------------------------------------------------------------


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


_TYPE_LABELS = {
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


_AUTH_VALUES = {
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

_AUTH_LABELS = {
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
        text = f"{_TYPE_LABELS[self.server_type]} {location}, {ssl}, {_AUTH_LABELS[self.auth]}, {credentials}"
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

    @property
    def credentials_on(self) -> CredentialsOn:
        return self.data.credentials_on


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


@dataclass(frozen=True, slots=True)
class _Classified:
    provider: Provider
    role: Role
    server_type: ServerType
    host: str
    port: int | None
    tls: bool
    ews_url: str | None
    auth: AuthMode
    forward: bool
    address: str | None
    notes: tuple[tuple[WarningCode, str], ...] = ()


@dataclass(frozen=True, slots=True)
class _Unusable:
    provider: Provider
    reason: str


def _flag(value: str | None) -> bool | None:
    if value is None:
        return None
    text = value.strip().lower()
    if text in ("true", "1", "yes"):
        return True
    if text in ("false", "0", "no"):
        return False
    return None


def _classify(provider: Provider) -> _Classified | _Unusable:
    """Direction, server type, location, security and authentication of one provider, or why not."""
    if provider.problems:
        return _Unusable(provider, "; ".join(provider.problems))
    address = None
    if provider.email_address:
        try:
            address = normalize_address(provider.email_address)
        except ValidationError:
            return _Unusable(provider, migration_text("address_invalid", value=repr(provider.email_address)))
    forward = _flag(provider.is_forward_mailbox)
    if provider.is_forward_mailbox is not None and forward is None:
        return _Unusable(provider, migration_text("forward_flag_invalid", value=repr(provider.is_forward_mailbox)))
    if not provider.provider_class:
        return _Unusable(provider, migration_text("no_provider_class"))
    full = provider.provider_class.strip()
    short = full.rsplit(".", 1)[-1].lower()
    assembly = (provider.assembly or "").strip().lower()
    listed = bool(provider.user_ids or provider.queue_ids)
    scheme, host, port, path = _location(provider.server_url or "")

    microsoft = ("." not in full or full.lower().startswith(MICROSOFT_NAMESPACE)) and (
        not assembly or assembly in MICROSOFT_ASSEMBLIES
    )
    if not microsoft:
        role = Role.OUTGOING if listed and address is None else Role.INCOMING
        if role is Role.INCOMING and address is None:
            return _Unusable(provider, migration_text("custom_without_address", provider_class=full))
        return _Classified(
            provider, role, ServerType.CUSTOM, host, None, False, None, AuthMode.NOT_STATED, bool(forward), address
        )

    server_type: ServerType
    if "webdav" in short:
        role, server_type = (Role.OUTGOING if "send" in short else Role.INCOMING), ServerType.WEBDAV
    elif "pop3" in short:
        role, server_type = Role.INCOMING, ServerType.POP3
    elif "imap" in short:
        role, server_type = Role.INCOMING, ServerType.IMAP
    elif "smtp" in short:
        role, server_type = Role.OUTGOING, ServerType.SMTP
    elif "exchange" in short:
        role, server_type = (Role.OUTGOING if "send" in short else Role.INCOMING), ServerType.EXCHANGE
    else:
        return _Unusable(provider, migration_text("provider_class_unknown", provider_class=full))

    if not provider.server_url:
        return _Unusable(provider, migration_text("no_server_url"))
    if not host:
        return _Unusable(provider, migration_text("server_url_no_host", value=repr(provider.server_url)))
    if port == -1:
        return _Unusable(provider, migration_text("server_url_bad_port", value=repr(provider.server_url)))
    if scheme == "smtps" and port is None:
        port = 465

    notes: list[tuple[WarningCode, str]] = []
    stated = _flag(provider.use_ssl)
    if provider.use_ssl is not None and stated is None:
        return _Unusable(provider, migration_text("ssl_flag_invalid", value=repr(provider.use_ssl)))
    by_scheme = _SCHEME_TLS.get(scheme)
    if by_scheme is not None and stated is not None and by_scheme != stated:
        notes.append(
            (
                WarningCode.FILE_STRUCTURE,
                migration_text(
                    "ssl_contradicts_location", source=provider.source, stated=provider.use_ssl, scheme=scheme
                ),
            )
        )
    if by_scheme is not None:
        tls = by_scheme
    elif stated is not None:
        tls = stated
    else:
        tls = port in (443, 465, 993, 995)  # implicit-TLS ports

    ews_url = None
    if server_type is ServerType.EXCHANGE:
        lowered = path.lower()
        if "exchange.asmx" in lowered or lowered.startswith("/ews"):
            ews_url = provider.server_url.strip()
        elif lowered.startswith(("/exchange", "/public")):
            server_type = ServerType.WEBDAV
        else:
            notes.append(
                (
                    WarningCode.EWS_URL_BUILT,
                    migration_text("ews_url_built", location=provider.server_url, host=host),
                )
            )

    if provider.auth_mode is None:
        auth = AuthMode.NOT_STATED
    else:
        found = _AUTH_VALUES.get(re.sub(r"[^a-z0-9]", "", provider.auth_mode.lower()))
        if found is None:
            return _Unusable(provider, migration_text("auth_mode_unknown", value=repr(provider.auth_mode)))
        auth = found

    if role is Role.INCOMING and address is None:
        return _Unusable(provider, migration_text("incoming_without_address"))
    if role is Role.OUTGOING and not listed:
        return _Unusable(provider, migration_text("outgoing_without_ids"))
    if role is Role.INCOMING and listed:
        notes.append(
            (WarningCode.FILE_STRUCTURE, migration_text("incoming_lists_ids", source=provider.source))
        )
    return _Classified(
        provider, role, server_type, host, port, tls, ews_url, auth, bool(forward), address, tuple(notes)
    )


_SCHEME_TLS = {
    "https": True,
    "pop3s": True,
    "imaps": True,
    "smtps": True,
    "ssl": True,
    "tls": True,
    "http": False,
    "pop3": False,
    "pop": False,
    "imap": False,
    "smtp": False,
}


def _location(url: str) -> tuple[str, str, int | None, str]:
    """(scheme, host, port, path) of a router location: a URL, or host[:port]. Port -1: invalid."""
    text = url.strip()
    parts = urlsplit(text if "://" in text else "//" + text)
    try:
        port = parts.port
    except ValueError:
        port = -1
    return parts.scheme.lower(), (parts.hostname or "").lower(), port, parts.path


def _credential_mode(item: _Classified, shared_users: Collection[str]) -> tuple[CredentialMode, str | None]:
    """The credential mode and service account of one provider; see the module's mapping."""
    user = (item.provider.email_user or "").strip()
    if item.auth is AuthMode.ANONYMOUS:
        return CredentialMode.NONE, None
    if not user:
        return CredentialMode.LOCAL_SYSTEM, None
    if item.role is Role.OUTGOING:
        return CredentialMode.OTHER_SPECIFIED, user
    if item.address is not None and user.lower() == item.address:
        return CredentialMode.USER_SPECIFIED, None
    if user.lower() in shared_users:
        return CredentialMode.OTHER_SPECIFIED, user
    return CredentialMode.USER_SPECIFIED, None


# --- analysis: group, match owners, merge pairs ------------------------------------------------------

_Pair = tuple[RouterProfile | None, RouterProfile | None]
_Note = tuple[WarningCode, str, bool]


def analyze(routers: Sequence[RouterFiles], snapshot: StoreSnapshot) -> RouterReading:
    """Group, merge and map the routers' providers against the store's users and queues."""
    warnings: list[RouterWarning] = []

    def warn(code: WarningCode, message: str, profile: str | None = None, blocking: bool = False) -> None:
        warnings.append(RouterWarning(code, message, profile, blocking))

    # 1. every provider classified; what cannot be read says why
    classified: list[_Classified] = []
    deployments: set[str] = set()
    summaries: list[RouterSummary] = []
    states: dict[str, StateRecord] = {}
    for router in routers:
        for note in router.agent.notes:
            warn(WarningCode.FILE_STRUCTURE, note)
        provider_unknown = [s for provider in router.agent.providers for s in provider.unknown]
        if provider_unknown:  # once per file, however many providers or profiles carry them
            warn(
                WarningCode.UNKNOWN_ELEMENTS,
                migration_text(
                    "unknown_elements", source=router.agent.source, elements=_describe_unknown(provider_unknown)
                ),
            )
        if router.agent.unknown_settings:
            listed = ", ".join(f"{s.name}={s.value}" for s in router.agent.unknown_settings)
            warn(
                WarningCode.UNKNOWN_SETTINGS,
                migration_text("unknown_settings", source=router.agent.source, settings=listed),
            )
        router_deployments = sorted({p.crm_server_url for p in router.agent.providers if p.crm_server_url})
        deployments.update(router_deployments)
        summaries.append(
            RouterSummary(
                router.directory,
                router.sizes,
                len(router.agent.providers),
                tuple(router_deployments),
                router.agent.settings,
                router.agent.unknown_settings,
                len(router.state),
            )
        )
        for record in router.state:
            if record.address:
                key = record.address.strip().lower()
                previous = states.get(key)
                if (
                    previous is None
                    or previous.threshold is None
                    or (record.threshold is not None and record.threshold > previous.threshold)
                ):
                    states[key] = record
        for provider in router.agent.providers:
            result = _classify(provider)
            if isinstance(result, _Unusable):
                if provider.email_address:
                    text = migration_text(
                        "provider_unusable_address",
                        address=provider.email_address,
                        source=provider.source,
                        reason=result.reason,
                    )
                else:
                    text = migration_text("provider_unusable", source=provider.source, reason=result.reason)
                warn(WarningCode.PROVIDER_UNUSABLE, text, blocking=True)
                continue
            classified.append(result)
            for code, message in result.notes:
                warn(code, message)

    def threshold(address: str) -> dict[str, Any]:
        record = states.get(address)
        if record is None:
            return {}
        unset = record.threshold is None and record.threshold_raw is not None
        return {"threshold": record.threshold, "threshold_unset": unset}

    if len(deployments) > 1:
        warn(
            WarningCode.SEVERAL_DEPLOYMENTS,
            migration_text("several_deployments", deployments=", ".join(sorted(deployments))),
        )
    if not any(router.state for router in routers):
        warn(WarningCode.NO_STATE, migration_text("no_state"))

    # 2. the router's incoming and outgoing profiles, rebuilt by grouping
    groups = _group(classified, warn)
    names = _unique_names({s: _router_name(items) for s, items in groups.items()})
    router_profiles = {s: _router_profile(s, names[s], items) for s, items in groups.items()}
    incoming = sorted((p for p in router_profiles.values() if p.role is Role.INCOMING), key=lambda p: p.name)
    outgoing = sorted((p for p in router_profiles.values() if p.role is Role.OUTGOING), key=lambda p: p.name)
    for profile in incoming + outgoing:
        if profile.problem:
            webdav = profile.settings.server_type is ServerType.WEBDAV
            code = WarningCode.EXCHANGE_WEBDAV if webdav else WarningCode.CUSTOM_PROVIDER
            warn(code, profile.problem, profile.label, blocking=True)

    # 3. whose mailbox each provider serves: by address (incoming), by CRM id (outgoing)
    users_by_email = {u.email.lower(): u for u in snapshot.users}
    queues_by_email = {q.email.lower(): q for q in snapshot.queues}
    users_by_crm = {u.crm_id.lower(): u for u in snapshot.users if u.crm_id}
    queues_by_crm = {q.crm_id.lower(): q for q in snapshot.queues if q.crm_id}
    forward: dict[str, list[tuple[RouterProfile, _Classified]]] = defaultdict(list)
    reads: dict[MailboxOwner, list[tuple[RouterProfile, _Classified]]] = defaultdict(list)
    sends: dict[MailboxOwner, list[RouterProfile]] = defaultdict(list)
    unmatched_mailboxes: list[RouterMailbox] = []
    for settings, items in groups.items():
        profile = router_profiles[settings]
        for item in items:
            if item.role is not Role.INCOMING:
                continue
            assert item.address is not None
            if item.forward:
                forward[item.address].append((profile, item))
                continue
            owner = _owner_by_email(item.address, users_by_email, queues_by_email)
            if owner is not None:
                reads[owner].append((profile, item))
                continue
            problem = migration_text("address_unmatched")
            unmatched_mailboxes.append(
                RouterMailbox(
                    item.address,
                    MailboxKind.UNMATCHED,
                    incoming=profile.label,
                    sources=(item.provider.source,),
                    **threshold(item.address),
                    problem=problem,
                )
            )
            text = migration_text("mailbox_not_migrated", address=item.address, problem=problem)
            warn(WarningCode.UNMATCHED_ADDRESS, text, profile.label, True)
    for profile in outgoing:
        unmatched: list[str] = []
        listed_ids: tuple[tuple[OwnerKind, tuple[str, ...], Mapping[str, User | Queue]], ...] = (
            (OwnerKind.USER, profile.user_ids, users_by_crm),
            (OwnerKind.QUEUE, profile.queue_ids, queues_by_crm),
        )
        for kind, ids, index in listed_ids:
            for raw in ids:
                try:
                    crm_id = normalize_crm_id(raw)
                except ValidationError:
                    unmatched.append(migration_text("id_not_guid", value=repr(raw)))
                    continue
                found = index.get(crm_id or "")
                if found is None:
                    unmatched.append(f"{kind.value} {raw}")
                    continue
                owner = MailboxOwner(kind, found.email.lower(), found.name, found.crm_id)
                if profile not in sends[owner]:
                    sends[owner].append(profile)
        if unmatched:
            warn(
                WarningCode.UNMATCHED_ID,
                migration_text(
                    "id_unmatched" if len(unmatched) == 1 else "ids_unmatched",
                    count=len(unmatched),
                    ids=", ".join(unmatched),
                ),
                profile.label,
            )

    # 4. each owner's pair; one merged profile per pair actually used
    assignments: list[tuple[RouterMailbox, _Pair | None]] = []
    used: set[_Pair] = set()
    for owner in sorted(set(reads) | set(sends), key=lambda o: (o.kind.value, o.email)):
        owner_reads = reads.get(owner, [])
        in_profiles = sorted({p.label: p for p, _ in owner_reads}.values(), key=lambda p: p.label)
        out_profiles = sends.get(owner, [])
        address = owner_reads[0][1].address if owner_reads else owner.email
        assert address is not None
        mailbox = RouterMailbox(
            address,
            MailboxKind.QUEUE if owner.kind is OwnerKind.QUEUE else MailboxKind.USER,
            owner,
            incoming=in_profiles[0].label if len(in_profiles) == 1 else None,
            outgoing=out_profiles[0].label if len(out_profiles) == 1 else None,
            login=_own_login(owner_reads),
            **threshold(address),
            sources=tuple(item.provider.source for _, item in owner_reads),
        )
        if len(in_profiles) > 1 or len(out_profiles) > 1:
            several = in_profiles if len(in_profiles) > 1 else out_profiles
            problem = migration_text("served_by_several", profiles=", ".join(p.label for p in several))
            text = migration_text("mailbox_not_migrated", address=address, problem=problem)
            warn(WarningCode.MAILBOX_CONFLICT, text, blocking=True)
            assignments.append((dataclasses.replace(mailbox, problem=problem), None))
            continue
        in_profile = in_profiles[0] if in_profiles else None
        out_profile = out_profiles[0] if out_profiles else None
        if in_profile is not None and in_profile.problem:
            assignments.append((dataclasses.replace(mailbox, problem=in_profile.problem), None))
            continue
        if out_profile is not None and out_profile.problem:
            out_profile = None  # its warning says why; the mailbox still gets its incoming mail
        if in_profile is None and out_profile is None:
            problem = migration_text("only_profile_unusable")
            assignments.append((dataclasses.replace(mailbox, problem=problem), None))
            continue
        pair = (in_profile, out_profile)
        used.add(pair)
        assignments.append((mailbox, pair))
    merged: dict[_Pair, tuple[MergedProfile, list[_Note]]] = {}
    for pair in sorted(used, key=_pair_order):
        merged[pair] = _merge(pair[0], pair[1], groups)

    # forward mailboxes: the merged profile of their incoming profile when there is exactly one, else their own
    for address in sorted(forward):
        forward_reads = forward[address]
        in_profiles = sorted({p.label: p for p, _ in forward_reads}.values(), key=lambda p: p.label)
        mailbox = RouterMailbox(
            address,
            MailboxKind.FORWARD,
            incoming=in_profiles[0].label if len(in_profiles) == 1 else None,
            login=_own_login(forward_reads),
            **threshold(address),
            sources=tuple(item.provider.source for _, item in forward_reads),
        )
        if len(in_profiles) > 1:
            problem = migration_text("read_by_several", profiles=", ".join(p.label for p in in_profiles))
            text = migration_text("mailbox_not_migrated", address=address, problem=problem)
            warn(WarningCode.MAILBOX_CONFLICT, text, blocking=True)
            assignments.append((dataclasses.replace(mailbox, problem=problem), None))
            continue
        in_profile = in_profiles[0]
        if in_profile.problem:
            assignments.append((dataclasses.replace(mailbox, problem=in_profile.problem), None))
            continue
        candidates = [pair for pair in merged if pair[0] is in_profile]
        pair = candidates[0] if len(candidates) == 1 else (in_profile, None)
        if pair not in merged:
            merged[pair] = _merge(in_profile, None, groups, forward_only=True)
        assignments.append((mailbox, pair))

    # 5. final names (unique, stable for the same files), warnings beside their profile
    final_names = _unique_merged_names({pair: made.name for pair, (made, _) in merged.items()})
    final: dict[_Pair, MergedProfile] = {}
    for pair, (made, notes) in sorted(merged.items(), key=lambda item: final_names[item[0]].lower()):
        renamed = _renamed(made, final_names[pair])
        final[pair] = renamed
        if renamed.problem:
            text = migration_text("profile_not_migrated", problem=renamed.problem)
            warn(WarningCode.PROFILE_INVALID, text, renamed.name, blocking=True)
        for code, text, blocking in notes:
            warn(code, text, renamed.name, blocking)
    mailboxes: list[RouterMailbox] = list(unmatched_mailboxes)
    for mailbox, assigned in assignments:
        if assigned is not None:
            target = final[assigned]
            why = (
                migration_text("profile_cannot_be_migrated", profile=target.name, problem=target.problem)
                if target.problem
                else None
            )
            mailbox = dataclasses.replace(mailbox, profile=target.name, problem=why)
        mailboxes.append(mailbox)
    mailboxes.sort(key=lambda m: (list(MailboxKind).index(m.kind), m.address))

    reading = RouterReading(
        routers=tuple(summaries),
        incoming=tuple(incoming),
        outgoing=tuple(outgoing),
        profiles=tuple(final.values()),
        mailboxes=tuple(mailboxes),
        accounts=(),
        warnings=tuple(warnings),
        snapshot=snapshot,
    )
    return dataclasses.replace(reading, accounts=accounts_for(reading, [p.name for p in reading.profiles]))


def _describe_unknown(settings: Sequence[Setting]) -> str:
    values: dict[str, list[str]] = defaultdict(list)
    for setting in settings:
        values[setting.name].append(setting.value)
    parts = []
    for name, found in sorted(values.items()):
        shown = ", ".join(repr(v) for v in found[:3]) + (f" and {len(found) - 3} more" if len(found) > 3 else "")
        parts.append(f"{name} ({shown})")
    return "; ".join(parts)


def _group(classified: Sequence[_Classified], warn: Callable[..., None]) -> dict[ServerSettings, list[_Classified]]:
    """Providers grouped by server, type, authentication and credential settings."""
    # An account several incoming mailboxes sign in with is a service account ("Other specified").
    counts = Counter(
        (item.provider.email_user or "").strip().lower()
        for item in classified
        if item.role is Role.INCOMING and item.provider.email_user
    )
    shared = {user for user, count in counts.items() if count > 1}
    groups: dict[ServerSettings, list[_Classified]] = defaultdict(list)
    for item in classified:
        mode, account = _credential_mode(item, shared)
        own_login = (item.provider.email_user or "").strip()
        if mode is CredentialMode.USER_SPECIFIED and own_login.lower() != item.address:
            warn(
                WarningCode.CREDENTIALS_INFERRED,
                migration_text("credentials_inferred", address=item.address, login=own_login),
            )
        unusable = item.server_type in (ServerType.CUSTOM, ServerType.WEBDAV)
        settings = ServerSettings(
            role=item.role,
            server_type=item.server_type,
            host=item.host,
            port=item.port,
            tls=item.tls,
            ews_url=item.ews_url,
            auth=item.auth,
            credentials=mode,
            account=account,
            provider_class=(item.provider.provider_class or "") if unusable else "",
        )
        groups[settings].append(item)
    return groups


def _pair_order(pair: _Pair) -> tuple[str, str]:
    return (pair[0].label if pair[0] else "", pair[1].label if pair[1] else "")


def _owner_by_email(address: str, users: Mapping[str, User], queues: Mapping[str, Queue]) -> MailboxOwner | None:
    if address in queues:
        queue = queues[address]
        return MailboxOwner(OwnerKind.QUEUE, queue.email.lower(), queue.name, queue.crm_id)
    if address in users:
        user = users[address]
        return MailboxOwner(OwnerKind.USER, user.email.lower(), user.name, user.crm_id)
    return None


def _own_login(reads: Sequence[tuple[RouterProfile, _Classified]]) -> str | None:
    """The mailbox's own account, when its profile keeps credentials on each mailbox."""
    for profile, item in reads:
        if profile.settings.credentials is CredentialMode.USER_SPECIFIED and item.provider.email_user:
            return item.provider.email_user.strip()
    return None


def _router_profile(settings: ServerSettings, name: str, items: Sequence[_Classified]) -> RouterProfile:
    unknown = tuple(sorted({s for item in items for s in item.provider.unknown}, key=lambda s: (s.name, s.value)))
    problem = None
    if settings.server_type is ServerType.WEBDAV:
        problem = migration_text("webdav", host=settings.host)
    elif settings.server_type is ServerType.CUSTOM:
        problem = migration_text("custom_provider", provider_class=settings.provider_class)
    return RouterProfile(
        role=settings.role,
        name=name,
        settings=settings,
        sources=tuple(i.provider.source for i in items),
        addresses=tuple(sorted({i.address for i in items if i.address})),
        user_ids=tuple(dict.fromkeys(uid for i in items for uid in i.provider.user_ids)),
        queue_ids=tuple(dict.fromkeys(qid for i in items for qid in i.provider.queue_ids)),
        unknown=unknown,
        problem=problem,
    )


_CREDENTIAL_LABELS = {
    CredentialMode.LOCAL_SYSTEM: "Local System",
    CredentialMode.USER_SPECIFIED: "mailbox credentials",
    CredentialMode.OTHER_SPECIFIED: "service account",
    CredentialMode.NONE: "anonymous",
}


def _name_candidates(s: ServerSettings, router_name: str | None = None) -> list[str]:
    """Ever longer names for a router profile; the first that no other profile shares is used."""
    base = router_name or f"{_TYPE_LABELS[s.server_type]} {s.host or s.provider_class.rsplit('.', 1)[-1]}"
    credentials = _CREDENTIAL_LABELS[s.credentials]
    if s.account:
        credentials += f" {s.account}"
    port = f"port {s.port}" if s.port else "default port"
    return [
        base,
        f"{base} ({credentials})",
        f"{base} ({credentials}, {_AUTH_LABELS[s.auth]})",
        f"{base} ({credentials}, {_AUTH_LABELS[s.auth]}, {port}, {'SSL' if s.tls else 'no SSL'})",
    ]


def _router_name(items: Sequence[_Classified]) -> str | None:
    """The router's own name for a group of providers (``ProfileName``): the one they share, or the
    names they carry joined (one group, several names: same settings under different names)."""
    found = sorted({i.provider.profile_name for i in items if i.provider.profile_name}, key=str.lower)
    return " / ".join(found) if found else None


def _unique_names(settings: Mapping[ServerSettings, str | None]) -> dict[ServerSettings, str]:
    """Short names, unique within a role: the router's own profile name (else type and host), then
    what tells colliding profiles apart."""
    names: dict[ServerSettings, str] = {}
    for role in Role:
        in_role = sorted(
            (s for s in settings if s.role is role),
            key=lambda s: [c.lower() for c in _name_candidates(s, settings[s])],
        )
        for level in range(4):
            proposed = {s: names.get(s) or _name_candidates(s, settings[s])[level] for s in in_role}
            counts = Counter(n.lower() for n in proposed.values())
            for s, name in proposed.items():
                if s not in names and (counts[name.lower()] == 1 or level == 3):
                    names[s] = name
        seen: Counter[str] = Counter()
        for s in in_role:
            seen[names[s].lower()] += 1
            if seen[names[s].lower()] > 1:
                names[s] = f"{names[s]} #{seen[names[s].lower()]}"
    return names


def _unique_merged_names(names: Mapping[_Pair, str]) -> dict[_Pair, str]:
    result = dict(names)
    counts = Counter(n.lower() for n in result.values())
    for pair, name in names.items():
        if counts[name.lower()] > 1:
            if pair[1] is None:
                hint = "incoming only"
            elif pair[0] is None:
                hint = "outgoing only"
            else:
                hint = "incoming and outgoing"
            result[pair] = f"{name} ({hint})"
    seen: Counter[str] = Counter()
    for pair in sorted(result, key=_pair_order):
        seen[result[pair].lower()] += 1
        if seen[result[pair].lower()] > 1:
            result[pair] = f"{result[pair]} #{seen[result[pair].lower()]}"
    return result


def _renamed(profile: MergedProfile, name: str) -> MergedProfile:
    if profile.name == name:
        return profile
    validated = dataclasses.replace(profile.profile, name=name) if profile.profile is not None else None
    return dataclasses.replace(profile, name=name, data=dataclasses.replace(profile.data, name=name), profile=validated)


# --- the merge of one pair ---------------------------------------------------------------------------

_KINDS = {
    ServerType.EXCHANGE: ProfileKind.EXCHANGE,
    ServerType.POP3: ProfileKind.POP3,
    ServerType.IMAP: ProfileKind.IMAP,
}


def _merge(
    incoming: RouterProfile | None,
    outgoing: RouterProfile | None,
    groups: Mapping[ServerSettings, Sequence[_Classified]],
    *,
    forward_only: bool = False,
) -> tuple[MergedProfile, list[_Note]]:
    """One email server profile for an (incoming, outgoing) pair of router profiles, with its warnings.

    The incoming side decides the kind of profile; an outgoing-only pair is possible with Exchange.
    """
    lead = incoming or outgoing
    assert lead is not None
    if incoming is not None and outgoing is not None and incoming.name != outgoing.name:
        name = f"{incoming.name} + {outgoing.name}"
    else:
        name = lead.name
    s = lead.settings
    notes: list[_Note] = []
    problem: str | None = None
    kind = _KINDS.get(s.server_type)
    if kind is None:
        problem = (
            migration_text("outgoing_smtp_only")
            if s.server_type is ServerType.SMTP
            else migration_text("type_cannot_be_migrated", server_type=_TYPE_LABELS[s.server_type])
        )
        notes.append((WarningCode.OUTGOING_ONLY, problem, True))
        kind = ProfileKind.IMAP  # a placeholder for the form; the profile is not written

    insecure = not s.tls
    if not s.tls:
        notes.append(
            (
                WarningCode.NON_SSL,
                migration_text("incoming_non_ssl", host=s.host),
                False,
            )
        )
    security = Security.TLS if s.tls else Security.NONE

    auth = AuthMethod.BASIC
    if s.auth in (AuthMode.WINDOWS, AuthMode.NTLM):
        auth = AuthMethod.NTLM
    elif s.auth is AuthMode.OAUTH2:
        auth = AuthMethod.OAUTH2
    elif s.auth is AuthMode.ANONYMOUS and incoming is not None:
        problem = problem or migration_text("anonymous_incoming")
    elif s.auth is AuthMode.NOT_STATED:
        notes.append(
            (WarningCode.AUTH_NOT_STATED, migration_text("auth_not_stated"), False)
        )
    exchange_online = s.host.endswith(("office365.com", "outlook.com"))
    if s.auth is AuthMode.OFFICE365 or (kind is ProfileKind.EXCHANGE and auth is AuthMethod.BASIC and exchange_online):
        notes.append(
            (
                WarningCode.EXCHANGE_ONLINE_BASIC,
                migration_text("exchange_online_basic", host=s.host),
                False,
            )
        )

    credentials_on = CredentialsOn.MAILBOX
    login: str | None = None
    if s.credentials is CredentialMode.OTHER_SPECIFIED:
        credentials_on, login = CredentialsOn.PROFILE, s.account
        if kind is not ProfileKind.EXCHANGE and incoming is not None and len(incoming.addresses) > 1:
            notes.append(
                (
                    WarningCode.SHARED_POP3_ACCOUNT,
                    migration_text("shared_account", login=s.account, server_type=_TYPE_LABELS[s.server_type]),
                    False,
                )
            )
    elif s.credentials is CredentialMode.LOCAL_SYSTEM:
        notes.append(
            (
                WarningCode.LOCAL_SYSTEM,
                migration_text("local_system"),
                False,
            )
        )

    delete_after_download = False
    if incoming is not None and kind is ProfileKind.POP3:
        flags = {_flag(item.provider.delete_emails) for item in groups.get(s, ())}
        delete_after_download = flags == {True}
        if len(flags - {None}) > 1:
            notes.append(
                (
                    WarningCode.DELETE_EMAILS_MIXED,
                    migration_text("delete_mixed"),
                    False,
                )
            )

    outgoing_host: str | None = None
    outgoing_port: int | None = None
    outgoing_security = Security.TLS
    if incoming is not None and outgoing is not None and not outgoing.problem:
        o = outgoing.settings
        if kind is ProfileKind.EXCHANGE and o.server_type is ServerType.SMTP:
            notes.append(
                (
                    WarningCode.EXCHANGE_SMTP,
                    migration_text("exchange_with_smtp", host=o.host),
                    False,
                )
            )
        elif kind is not ProfileKind.EXCHANGE and o.server_type is ServerType.EXCHANGE:
            notes.append(
                (
                    WarningCode.POP3_EXCHANGE,
                    migration_text("pop3_with_exchange", server_type=_TYPE_LABELS[s.server_type], host=o.host),
                    False,
                )
            )
        elif kind is ProfileKind.EXCHANGE and (o.ews_url or o.host).lower() != (s.ews_url or s.host).lower():
            notes.append(
                (
                    WarningCode.EXCHANGE_SERVERS_DIFFER,
                    migration_text(
                        "exchange_servers_differ", incoming=s.ews_url or s.host, outgoing=o.ews_url or o.host
                    ),
                    False,
                )
            )
        elif o.server_type is ServerType.SMTP:
            outgoing_host = o.host
            outgoing_port = o.port or SMTP_ROUTER_PORT
            outgoing_security = (Security.TLS if o.port == 465 else Security.STARTTLS) if o.tls else Security.NONE
            notes.extend(_smtp_notes(s, o))
            insecure = insecure or not o.tls

    data = ProfileInput(
        name=name,
        kind=kind,
        incoming_host=None if s.ews_url else s.host,
        incoming_port=None if kind is ProfileKind.EXCHANGE else s.port,
        incoming_security=security,
        outgoing_host=outgoing_host,
        outgoing_port=outgoing_port,
        outgoing_security=outgoing_security,
        ews_url=s.ews_url if kind is ProfileKind.EXCHANGE else None,
        auth=auth,
        credentials_on=credentials_on,
        login=login,
        allow_insecure=insecure,
        delete_after_download=delete_after_download,
    )
    validated: Profile | None = None
    if problem is None:
        try:
            validated = validate_profile(data)
        except ValidationError as exc:
            problem = "; ".join(f"{f}: {m}" for f, m in exc.errors.items())
    merged = MergedProfile(
        name=name,
        incoming=incoming.label if incoming else None,
        outgoing=outgoing.label if outgoing else None,
        data=data,
        profile=validated,
        problem=problem,
        forward_only=forward_only,
    )
    return merged, notes


def _smtp_notes(incoming: ServerSettings, smtp: ServerSettings) -> list[_Note]:
    notes: list[_Note] = []
    if not smtp.tls:
        notes.append(
            (
                WarningCode.NON_SSL,
                migration_text("smtp_non_ssl", host=smtp.host),
                False,
            )
        )
    if smtp.credentials is CredentialMode.NONE:
        notes.append(
            (
                WarningCode.ANONYMOUS_SMTP,
                migration_text("smtp_anonymous", host=smtp.host),
                False,
            )
        )
    elif smtp.credentials is CredentialMode.LOCAL_SYSTEM:
        notes.append(
            (
                WarningCode.SMTP_CREDENTIALS,
                migration_text("smtp_local_system", host=smtp.host),
                False,
            )
        )
    elif (smtp.account or "").lower() != (incoming.account or "").lower():
        notes.append(
            (
                WarningCode.SMTP_CREDENTIALS,
                migration_text("smtp_other_account", host=smtp.host, login=smtp.account),
                False,
            )
        )
    return notes


# --- accounts ----------------------------------------------------------------------------------------


def accounts_for(reading: RouterReading, profile_names: Collection[str]) -> tuple[Account, ...]:
    """The accounts whose passwords are needed for ``profile_names``, in a stable order: service
    accounts in profile order, then mailboxes' own accounts in mailbox order. One per account."""
    wanted = set(profile_names)
    profiles = [p for p in reading.profiles if p.name in wanted and p.profile is not None]
    order: list[tuple[CredentialsOn, str, str]] = []
    holders: dict[tuple[CredentialsOn, str, str], tuple[list[str], list[str], str]] = {}

    def add(scope: CredentialsOn, server: str, login: str, profile: str | None, mailbox: str | None) -> None:
        key = (scope, server, login.lower())
        if key not in holders:
            holders[key] = ([], [], login)
            order.append(key)
        if profile is not None and profile not in holders[key][0]:
            holders[key][0].append(profile)
        if mailbox is not None and mailbox not in holders[key][1]:
            holders[key][1].append(mailbox)

    servers = {p.name: _server_of(p.profile) for p in profiles if p.profile is not None}
    for merged in profiles:
        assert merged.profile is not None
        if merged.profile.credentials_on is CredentialsOn.PROFILE and merged.profile.login:
            add(CredentialsOn.PROFILE, servers[merged.name], merged.profile.login, merged.name, None)
    by_name = {p.name: p for p in profiles}
    for mailbox in reading.mailboxes:
        merged_profile = by_name.get(mailbox.profile or "")
        if mailbox.problem or merged_profile is None or merged_profile.profile is None:
            continue
        if merged_profile.profile.credentials_on is CredentialsOn.MAILBOX and mailbox.login:
            add(CredentialsOn.MAILBOX, servers[merged_profile.name], mailbox.login, None, mailbox.address)
    return tuple(
        Account(
            login=holders[k][2], server=k[1], scope=k[0], profiles=tuple(holders[k][0]), mailboxes=tuple(holders[k][1])
        )
        for k in order
    )


def _server_of(profile: Profile) -> str:
    return profile.incoming.host
