"""Value objects and closed sets of the CRM side of the product: profiles, mailboxes, users, alerts.

Everything here is immutable and stdlib-only; the store maps these to rows and back.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NewType

from desktop_sync.domain.messages import Explanation, explain
from desktop_sync.domain.signin import OAuthSettings, Protocol

ProfileId = NewType("ProfileId", int)
MailboxId = NewType("MailboxId", int)
UserId = NewType("UserId", int)
QueueId = NewType("QueueId", int)
AlertId = NewType("AlertId", int)


class ProfileKind(enum.Enum):
    """The mail system a server profile connects to."""

    IMAP = "imap"  # IMAP in, SMTP out
    POP3 = "pop3"  # POP3 in, SMTP out
    EXCHANGE = "exchange"  # EWS both ways, plus appointments, contacts and tasks (Exchange Server)
    EXCHANGE_ONLINE = "exchange-online"  # Microsoft Graph both ways, the same channels; always OAuth

    @property
    def is_exchange(self) -> bool:
        """Exchange on premises (EWS) or Exchange Online (Graph): the server sends mail itself, items
        carry categories, and appointments, contacts and tasks are synchronized."""
        return self in (ProfileKind.EXCHANGE, ProfileKind.EXCHANGE_ONLINE)


class Security(enum.Enum):
    """Transport security of one connection."""

    TLS = "tls"  # implicit TLS from the first byte
    STARTTLS = "starttls"  # plain connection upgraded before authentication
    NONE = "none"  # clear text: only when the profile explicitly allows insecure transport


class AuthMethod(enum.Enum):
    BASIC = "basic"  # user name and password (IMAP LOGIN/PLAIN, SMTP AUTH, EWS Basic)
    NTLM = "ntlm"  # Exchange on premises
    OAUTH2 = "oauth2"  # OAuth 2.0 bearer tokens (SASL XOAUTH2/OAUTHBEARER, EWS and Graph): see Profile.oauth


TRACKED_CATEGORY_DEFAULT = "Tracked to CRM"
UNDELIVERABLE_CATEGORY = "Undeliverable"


class CredentialsOn(enum.Enum):
    """Where a profile's credentials live: one service account, or each mailbox's own."""

    PROFILE = "profile"
    MAILBOX = "mailbox"


class Channel(enum.Enum):
    """The three things a mailbox synchronizes, each with its own method and enabled flag."""

    INCOMING = "incoming"
    OUTGOING = "outgoing"
    ACT = "act"  # appointments, contacts and tasks


class SyncMethod(enum.Enum):
    NONE = "none"
    SERVER_SIDE = "server_side"  # this product synchronizes the channel
    FORWARD_MAILBOX = "forward_mailbox"  # incoming mail arrives through a forward mailbox


class ConnectionTestStatus(enum.Enum):
    NOT_RUN = "not_run"
    SUCCESS = "success"
    FAILURE = "failure"


class ApprovalState(enum.Enum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class TrackingChoice(enum.Enum):
    """Which incoming mail of a user is tracked in the CRM."""

    ALL = "all"
    REPLIES = "replies"  # replies to tracked mail (the default)
    KNOWN_SENDERS = "known"  # mail from known contacts, accounts and leads
    NONE = "none"


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFORMATION = "information"


class AlertScope(enum.Enum):
    MAILBOX = "mailbox"
    PROFILE = "profile"
    ITEM = "item"


class Direction(enum.Enum):
    INCOMING = "incoming"
    OUTGOING = "outgoing"


class ActivityStatus(enum.Enum):
    """Life of an email activity; outgoing ones go draft -> pending_send -> sending -> sent."""

    RECEIVED = "received"
    DRAFT = "draft"
    PENDING_SEND = "pending_send"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    DELIVERY_UNKNOWN = "delivery_unknown"


class PartyRole(enum.Enum):
    FROM = "from"
    TO = "to"
    CC = "cc"
    BCC = "bcc"


class RecordType(enum.Enum):
    """CRM records a party, a regarding link or a sync filter can point at."""

    USER = "user"
    QUEUE = "queue"
    CONTACT = "contact"
    ACCOUNT = "account"
    LEAD = "lead"
    APPOINTMENT = "appointment"
    TASK = "task"
    EMAIL = "email"


PORT_MIN, PORT_MAX = 1, 65535
MAX_CONNECTIONS_MIN, MAX_CONNECTIONS_MAX, MAX_CONNECTIONS_DEFAULT = 1, 300, 10
TIMEOUT_MIN, TIMEOUT_MAX, TIMEOUT_DEFAULT = 1, 100, 60
MIN_POLL_SECONDS_DEFAULT = 60


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One server connection: host, port and transport security."""

    host: str
    port: int
    security: Security


@dataclass(frozen=True, slots=True)
class Profile:
    """An email server profile: how to reach one mail system; many mailboxes share it."""

    name: str
    kind: ProfileKind
    incoming: Endpoint
    outgoing: Endpoint | None = None
    ews_url: str | None = None
    auth: AuthMethod = AuthMethod.BASIC
    credentials_on: CredentialsOn = CredentialsOn.MAILBOX
    login: str | None = None  # the service account, when credentials live on the profile
    max_connections: int = MAX_CONNECTIONS_DEFAULT
    timeout_seconds: int = TIMEOUT_DEFAULT
    min_poll_seconds: int = MIN_POLL_SECONDS_DEFAULT
    process_email_from: dt.datetime | None = None
    ca_file: str | None = None
    allow_insecure: bool = False
    delete_after_download: bool = False  # POP3 only: delete from the server once committed
    tracking_token_prefix: str = "CRM:"
    # Exchange: the category written on each item tracked ("" writes none), and whether items that
    # fail to track are tagged "Undeliverable"
    tracked_category: str = TRACKED_CATEGORY_DEFAULT
    tag_undeliverable: bool = False
    # where and as which application an OAuth profile signs in (None unless auth is OAUTH2); its
    # ca_file is the profile's, so a private identity provider is verified like the mail server
    oauth: OAuthSettings | None = None
    id: ProfileId | None = None

    @property
    def has_act(self) -> bool:
        """Appointments, contacts and tasks are synchronized with Exchange (EWS or Graph) only."""
        return self.kind.is_exchange

    @property
    def protocols(self) -> tuple[Protocol, ...]:
        """What the profile's tokens are for, hence the scopes a sign-in asks for."""
        return PROFILE_PROTOCOLS[self.kind]


PROFILE_PROTOCOLS: Mapping[ProfileKind, tuple[Protocol, ...]] = {
    ProfileKind.IMAP: (Protocol.IMAP, Protocol.SMTP),
    ProfileKind.POP3: (Protocol.POP3, Protocol.SMTP),
    ProfileKind.EXCHANGE: (Protocol.EXCHANGE,),
    ProfileKind.EXCHANGE_ONLINE: (Protocol.GRAPH,),
}


@dataclass(frozen=True, slots=True)
class ChannelState:
    """One channel of a mailbox: how it syncs, whether it is on, and its last test."""

    method: SyncMethod = SyncMethod.NONE
    enabled: bool = False
    test_status: ConnectionTestStatus = ConnectionTestStatus.NOT_RUN
    failed_step: str | None = None
    tested_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class Mailbox:
    """A mailbox synchronized through a profile, belonging to at most one user or one queue."""

    address: str
    profile_id: ProfileId
    name: str = ""
    user_id: UserId | None = None
    queue_id: QueueId | None = None
    login: str | None = None
    approval: ApprovalState = ApprovalState.PENDING
    incoming: ChannelState = field(default_factory=ChannelState)
    outgoing: ChannelState = field(default_factory=ChannelState)
    act: ChannelState = field(default_factory=ChannelState)
    process_email_from: dt.datetime | None = None
    is_forward_mailbox: bool = False
    id: MailboxId | None = None

    def channel(self, channel: Channel) -> ChannelState:
        return {Channel.INCOMING: self.incoming, Channel.OUTGOING: self.outgoing, Channel.ACT: self.act}[channel]


@dataclass(frozen=True, slots=True)
class User:
    """A CRM user: has at most one mailbox."""

    email: str
    name: str
    crm_id: str | None = None
    tracking: TrackingChoice = TrackingChoice.REPLIES
    auto_create_contacts: bool = False
    id: UserId | None = None


@dataclass(frozen=True, slots=True)
class Queue:
    """A CRM queue: a shared team mailbox with no user."""

    email: str
    name: str
    crm_id: str | None = None
    id: QueueId | None = None


@dataclass(frozen=True, slots=True)
class Alert:
    """Something an admin should know: what happened, where, why, and how to fix it.

    Stored as a code and its facts (``{"address": "alice@example.test", "detail": "..."}``), never as
    sentences: title, cause and fix are the catalogue's (domain/messages.py) texts, rendered when shown
    in the reader's language. ``says`` is the catalogue code of the text when it is not the alert's own
    (a mailbox disabled after repeated failures keeps the error's code and says ``retries_exhausted``).
    """

    severity: Severity
    scope: AlertScope
    code: str
    facts: Mapping[str, str] = field(default_factory=dict)
    mailbox_id: MailboxId | None = None
    profile_id: ProfileId | None = None
    item_ref: str | None = None
    created_at: dt.datetime | None = None
    cleared: bool = False
    id: AlertId | None = None
    says: str | None = None

    @property
    def text_code(self) -> str:
        """The catalogue code whose title, cause and fix this alert shows."""
        return self.says or self.code

    def explanation(self) -> Explanation:
        """Title, cause and fix in English (the CLI's language)."""
        return explain(self.text_code, **self.facts)

    @property
    def title(self) -> str:
        return self.explanation().title

    @property
    def cause(self) -> str:
        return self.explanation().cause

    @property
    def fix(self) -> str:
        return self.explanation().fix


def profile_secret_key(name: str) -> str:
    """Where a profile's service-account password lives in the keyring."""
    return f"profile:{name}"


def mailbox_secret_key(address: str) -> str:
    """Where a mailbox's own password lives in the keyring."""
    return f"mailbox:{address.lower()}"


def effective_process_email_from(profile: Profile, mailbox: Mailbox) -> dt.datetime | None:
    """The date from which a mailbox's mail is imported: the later of the profile's and the mailbox's."""
    dates = [d for d in (profile.process_email_from, mailbox.process_email_from) if d is not None]
    return max(dates) if dates else None


def default_port(kind: ProfileKind, direction: Direction, security: Security) -> int:
    """The well-known port of a protocol, as a mail client would pick it."""
    if kind.is_exchange:
        return 443 if security is not Security.NONE else 80
    if direction is Direction.OUTGOING:
        return {Security.TLS: 465, Security.STARTTLS: 587, Security.NONE: 25}[security]
    if kind is ProfileKind.IMAP:
        return 993 if security is Security.TLS else 143
    return 995 if security is Security.TLS else 110


class MailboxState(enum.Enum):
    """What the engine is doing with a mailbox, as the admin sees it."""

    IDLE = "idle"
    SYNCING = "syncing"
    BACKING_OFF = "backing_off"  # a transient error: retried at backoff_until
    NEEDS_ATTENTION = "needs_attention"  # not approved, no password, ...: an admin must act
    DISABLED = "disabled"  # no channel enabled, or a permanent error disabled them


@dataclass(frozen=True, slots=True)
class SyncStatus:
    """The engine's record of a mailbox's synchronization."""

    mailbox_id: MailboxId
    state: MailboxState = MailboxState.IDLE
    last_sync_at: dt.datetime | None = None
    next_sync_at: dt.datetime | None = None
    interval_seconds: float | None = None
    items_synced: int = 0
    failure_count: int = 0
    last_error_code: str | None = None
    last_error: str | None = None
    backoff_until: dt.datetime | None = None
    sync_requested_at: dt.datetime | None = None
    # an import under way (a first import or a catch-up): written with each batch, cleared when it ends
    import_done: int | None = None  # items synchronized so far, counted like items_synced
    import_total: int | None = None  # of how many, when the server tells
    import_base: int = 0  # import_done when the import was first seen: the rate counts what came after
    import_started_at: dt.datetime | None = None
    import_eta_at: dt.datetime | None = None  # when it should end at the rate so far


FailedItemId = NewType("FailedItemId", int)


@dataclass(frozen=True, slots=True)
class FailedItem:
    """An entry of the failed-item ledger: which item, why, and when it is tried again."""

    mailbox_id: MailboxId
    channel: Channel
    item_ref: str
    code: str
    reason: str
    folder: str | None = None
    summary: str | None = None  # what was being done (ACT: the record type and action)
    subject: str | None = None  # what names the item to a person: a mail's subject, a record's title
    sender: str | None = None  # a mail's sender ("Name <address>"), a contact's address
    item_date: dt.datetime | None = None  # a mail's date, an appointment's start, a task's due date
    permanent: bool = False
    attempts: int = 1
    first_failed_at: dt.datetime | None = None
    last_failed_at: dt.datetime | None = None
    next_retry_at: dt.datetime | None = None
    resolved: bool = False
    id: FailedItemId | None = None


class SendStep(enum.Enum):
    """How far the sending of an outgoing email got; recorded in the store before each step."""

    CLAIMED = "claimed"  # the outgoing queue took it; nothing reached the server yet
    HANDED_TO_SERVER = "handed_to_server"  # about to hand it over: from here its fate may be unknown
    ACCEPTED = "accepted"  # the server accepted it
    COPIED_TO_SENT = "copied_to_sent"
    SENT = "sent"


ActivityId = NewType("ActivityId", int)


@dataclass(frozen=True, slots=True)
class OutgoingAttachment:
    filename: str
    content_type: str
    content: bytes = field(repr=False)


@dataclass(frozen=True, slots=True)
class OutgoingEmail:
    """An email activity to send, as the outgoing queue sees it."""

    id: ActivityId
    mailbox_id: MailboxId
    sender: str
    sender_name: str
    to: tuple[str, ...]
    cc: tuple[str, ...]
    bcc: tuple[str, ...]
    subject: str
    message_id: str
    body_text: str | None = None
    body_html: str | None = None
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    attachments: tuple[OutgoingAttachment, ...] = ()
    status: ActivityStatus = ActivityStatus.PENDING_SEND
    send_step: SendStep | None = None
    attempts: int = 0
    claim_owner: str | None = None
    claimed_at: dt.datetime | None = None

    @property
    def recipients(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.to + self.cc + self.bcc))


@dataclass(frozen=True, slots=True)
class ActivityParty:
    role: PartyRole
    address: str
    display_name: str | None = None
    record_type: RecordType | None = None
    record_id: int | None = None


@dataclass(frozen=True, slots=True)
class ActivityAttachment:
    filename: str
    content_type: str
    size: int
    stored: bool  # False when it was over the size limit
    skipped_reason: str | None = None


@dataclass(frozen=True, slots=True)
class EmailActivity:
    """An email activity as the Activities view shows it: what, who, and why it was tracked."""

    id: ActivityId
    direction: Direction
    status: ActivityStatus
    subject: str
    message_id: str | None
    mailbox: str | None
    sent_at: dt.datetime | None
    received_at: dt.datetime | None
    created_at: dt.datetime | None
    tracked_reason: str | None
    correlation_method: str | None
    correlated_activity_id: int | None
    regarding: tuple[RecordType, int] | None
    parties: tuple[ActivityParty, ...] = ()
    attachments: tuple[ActivityAttachment, ...] = ()
    body_text: str | None = None
    body_html: str | None = None
    send_error: str | None = None
    # what names the linked records to a person (filled for the details of one activity)
    regarding_name: str | None = None
    correlated_subject: str | None = None
