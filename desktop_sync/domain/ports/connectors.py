"""What the engine asks of a mail server, whatever the protocol: the connector Protocols.

IMAP, POP3, SMTP and Exchange connectors implement these; the engine and services are written
against them only. A connector yields batches of items together with the cursor that follows
them, so the engine can commit both in one transaction. Connectors raise only DesktopSyncError
subclasses; per-item problems come back as ItemFailure values, not exceptions.

A connector holds at most one server connection at a time (a push listener holds its own), and
the engine holds a throttle slot for each while it is open: that is how the profile's connection
limit is kept. A factory that parks connections for reuse between cycles (``ConnectionParking``)
counts each parked one against its ``ThrottleKey``'s limit as if it held a slot; the engine
evicts a parked connection when a slot needs the room.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from desktop_sync.domain.act import ExchangeItem
from desktop_sync.domain.folders import ServerFolder
from desktop_sync.domain.model import Channel, CredentialsOn, Mailbox, Profile, RecordType
from desktop_sync.domain.signin import AccessToken


class ConnectionTestStep(enum.Enum):
    """The steps of a connection test, in order; the first that fails is recorded."""

    RESOLVE = "resolve"
    CONNECT = "connect"
    TLS = "tls"
    TOKEN = "token"  # OAuth profiles: the access token from the identity provider (never shown)
    AUTHENTICATE = "authenticate"
    LIST_FOLDERS = "list_folders"
    SEND = "send"  # outgoing: the server accepts a sender (no mail is sent by a test)
    ACCESS = "access"  # Exchange: the mailbox is reachable (impersonation, rights)


# What a connection test says of each step, by code: connectors fill these templates (an
# unknown fact reads "?"), the CLI prints them in English, and the GUI shows them in the
# interface's language (ui/explanations.py; desktop_sync_messages_<lang>.ts, context "StepTexts").
# Server answers are never in here: they are quoted as they came, in the raw exchange.
STEP_TEXTS: dict[str, str] = {
    "resolved": "{host}: {addresses}",
    "connected": "connected to {address} port {port}",
    "connected_greeting": "connected to {address} port {port}: {greeting}",
    "tls": "{version} ({cipher}), certificate verified: {subject}, issued by {issuer}, valid until {expiry}",
    "tls_plain": "{version} ({cipher}), certificate verified",
    "clear_text": "not used: clear text, allowed by the profile",
    "logged_in": "logged in as {login}",
    "token": "{provider}: a token for {account}, scopes {scopes}, valid until {expiry}",
    "sasl_logged_in": "logged in as {login} with {mechanism}",
    "no_oauth_offered": "{host} offers no OAuth sign-in (XOAUTH2 or OAUTHBEARER)",
    "no_password_send": "no password: sending without authentication",
    "sender_accepted": "the server accepts {sender} as sender (nothing was sent)",
    "folders": "{count} folders; Sent folder: {sent}",
    "folders_no_sent": "{count} folders; no Sent folder",
    "pop3_inbox": "the Inbox holds {count} messages ({size} bytes)",
    "name_not_found": "the name {host} was not found (DNS)",
    "name_lookup_failed": "the name {host} could not be looked up (DNS): {reason}",
    "name_lookup_timeout": "looking up the name {host} took longer than {seconds} s (DNS)",
    "name_without_address": "the name {host} has no address (DNS)",
    "refused": "{host} ({address}) refused the connection on port {port}: nothing listens there",
    "no_answer": "{host} ({address}) did not answer on port {port} within {seconds} s",
    "unreachable": "{host} ({address}) cannot be reached from this computer (no route to it)",
    "no_starttls": "{host}:{port} does not offer STARTTLS",
    "no_stls": "{host}:{port} does not offer STLS",
    "no_password": "no password for {login}",
    "no_auth_offered": "{host} offers no authentication on this connection",
    "no_inbox": "the account has no INBOX",
    # a certificate that fails verification, named by what is wrong with it (not OpenSSL's words)
    "certificate_self_signed": "the server's certificate is self-signed: no authority this computer trusts signed it",
    "certificate_expired": "the server's certificate has expired",
    "certificate_not_yet_valid": "the server's certificate is not valid yet",
    "certificate_wrong_name": "the server's certificate is not valid for the name {host}",
    "certificate_unknown_issuer": "the server's certificate is issued by an authority this computer does not trust",
    "certificate_not_verified": "the server's certificate could not be verified: {reason}",
    # Exchange (EWS)
    "ews_url_profile": "EWS URL {url} (from the profile)",
    "ews_url_autodiscover": "EWS URL {url} (by autodiscover)",
    "ews_resolved_profile": "EWS URL {url} (from the profile); {host}: {addresses}",
    "ews_resolved_autodiscover": "EWS URL {url} (by autodiscover); {host}: {addresses}",
    "ews_signed_in": "signed in as {login} ({auth}); server speaks {version}",
    "ews_access_own": "{address} (as {login}): {folder} has {total} items, {unread} unread",
    "ews_access_impersonated": "{address} (impersonated by {login}): {folder} has {total} items, {unread} unread",
    "ews_folders": "{count} folders, {under} under the Inbox",
}


class _Facts(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "?"


def step_text(code: str, **facts: object) -> str:
    """The English text of the step outcome ``code``, filled with ``facts``."""
    return STEP_TEXTS[code].format_map(_Facts({name: str(value) for name, value in facts.items()}))


@dataclass(frozen=True, slots=True)
class StepResult:
    step: ConnectionTestStep
    ok: bool
    detail: str = ""
    error_code: str | None = None
    elapsed_ms: float = 0.0


@dataclass(frozen=True, slots=True)
class ConnectionTest:
    """The result of testing one channel: each step run, and the raw exchange for diagnosis."""

    steps: tuple[StepResult, ...]
    last_request: str = ""  # redacted: never a password
    last_response: str = ""
    # the whole exchange in order: "> " what was sent (redacted), "< " what came back,
    # "! " where it stopped
    transcript: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return bool(self.steps) and all(step.ok for step in self.steps)

    @property
    def failed_step(self) -> ConnectionTestStep | None:
        return next((step.step for step in self.steps if not step.ok), None)

    @property
    def failure(self) -> StepResult | None:
        return next((step for step in self.steps if not step.ok), None)


@runtime_checkable
class BearerTokens(Protocol):
    """Where a connector of an OAuth profile gets the access token of the account it signs in as.

    ``token()`` is cheap while the token in memory is fresh and refreshes it before it expires;
    it raises ``SignInNeeded`` when the grant is gone and ``ProviderUnavailable`` when the identity
    provider cannot be reached. A server that refuses a token is told with ``rejected(token)``: the
    connector then asks once more, and a second refusal stands (``SignInNeeded``).
    """

    @property
    def provider(self) -> str:
        """The identity provider, as the token step names it (microsoft, google, oidc)."""
        ...

    async def token(self) -> AccessToken: ...

    def rejected(self, token: AccessToken) -> None: ...


@dataclass(frozen=True, slots=True)
class Credentials:
    """Who the connector logs in as. The secret comes from the keyring and is never logged; an OAuth
    profile's connectors get ``bearer`` instead (SASL XOAUTH2/OAUTHBEARER, EWS and Graph bearer)."""

    login: str
    secret: str | None = field(repr=False)
    bearer: BearerTokens | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where sync stands in one folder of one channel; opaque text the connector understands."""

    folder: str
    value: str


@dataclass(frozen=True, slots=True)
class RawMessage:
    """One mail as the server has it: its server identity and its RFC 5322 bytes."""

    server_id: str  # stable within the mailbox: "INBOX;uidvalidity;uid", a UIDL, an EWS item id
    folder: str
    raw: bytes = field(repr=False)
    received_at: dt.datetime | None = None  # server arrival, for the latency counter
    change_key: str | None = None


@dataclass(frozen=True, slots=True)
class ItemFailure:
    """An item the server would not give us; it goes to the failed-item ledger."""

    server_id: str
    folder: str
    code: str
    reason: str
    transient: bool = True
    # what names the item to a person, as far as it is known when it fails (the server id does not)
    subject: str | None = None
    sender: str | None = None
    date: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class Batch:
    """Items and the cursor that follows them: committed together or not at all."""

    items: tuple[RawMessage, ...]
    cursor: Cursor | None  # None: these items leave the cursor where it is (a retried item)
    failures: tuple[ItemFailure, ...] = ()
    more: bool = False  # the server has more after this batch
    reset: bool = False  # the cursor was invalid (UIDVALIDITY changed...): a full resync started
    remaining: int | None = None  # items the server still has to give after this batch, when it knows


class PushListener(Protocol):
    """A connector that can tell when new items arrive (IMAP IDLE, EWS streaming)."""

    async def wait_for_changes(self) -> None:
        """Return when the server reports new items; raise a DesktopSyncError when it cannot."""
        ...

    async def close(self) -> None: ...


class IncomingMail(Protocol):
    """Incoming email of one mailbox (IMAP, POP3, Exchange)."""

    def fetch(self, cursors: Mapping[str, str], since: dt.datetime | None, limit: int) -> AsyncIterator[Batch]:
        """Yield new items after ``cursors`` (folder -> cursor value), at most ``limit`` in all."""
        ...

    async def fetch_item(self, server_id: str) -> RawMessage:
        """One item again, by its server identity (retrying a failed item); PermanentError if gone."""
        ...

    async def delete_committed(self, items: Sequence[RawMessage]) -> None:
        """After the store committed ``items``: delete them on the server where the profile says so."""
        ...

    async def list_folders(self) -> Sequence[ServerFolder]:
        """The account's folders, each with a server id that survives a rename where it can."""
        ...

    async def test(self) -> ConnectionTest: ...

    def push(self) -> PushListener | None:
        """A listener for new items, or None when the protocol cannot push."""
        ...

    async def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """A mail to send: the MIME bytes, with the Message-ID fixed before the first attempt."""

    message_id: str
    sender: str
    recipients: tuple[str, ...]
    raw: bytes = field(repr=False)


class SendOutcome(enum.Enum):
    ACCEPTED = "accepted"  # the server took it
    REJECTED = "rejected"  # 5xx: will never go through as it is


@dataclass(frozen=True, slots=True)
class SendResult:
    outcome: SendOutcome
    detail: str = ""
    copied_to_sent: bool = False


@runtime_checkable
class Categorizing(Protocol):
    """An incoming connector whose server items carry categories (Exchange): the engine writes one
    back on the items it tracked, and "Undeliverable" on those that failed when the profile says so."""

    async def categorize(self, server_ids: Sequence[str], category: str) -> None:
        """Add ``category`` to these items, keeping their own; items gone since are skipped."""
        ...


class OutgoingMail(Protocol):
    """Sending through one mailbox (SMTP, Exchange)."""

    async def send(self, message: OutgoingMessage) -> SendResult: ...

    async def copy_to_sent(self, message: OutgoingMessage) -> bool:
        """Append to the Sent folder where the server has one; False when there is none."""
        ...

    async def find_sent(self, message_id: str) -> bool | None:
        """Is a mail with this Message-ID in Sent? None when the server cannot tell."""
        ...

    async def test(self) -> ConnectionTest: ...

    async def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class ActChanges:
    """Items of one record type changed since ``cursor`` (all of them on a first sync), and the next cursor."""

    items: tuple[ExchangeItem, ...]
    cursor: str
    more: bool = False
    failures: tuple[ItemFailure, ...] = ()  # items that could not be read: the ledger's, not the cursor's
    # read from the start (no cursor, or the server forgot ours): the folder's items, not changes
    full: bool = False


class ActSync(Protocol):
    """Appointments, contacts and tasks of one mailbox (Exchange). Values use the CRM field names of
    domain/act.py's MAPPING; the connector converts to and from its own."""

    async def changes(self, record_type: RecordType, cursor: str | None, limit: int) -> ActChanges: ...

    async def create(
        self, record_type: RecordType, values: Mapping[str, Any], *, local_id: int, send_invitations: bool = False
    ) -> tuple[str, str | None]:
        """Create an item stamped with ``local_id`` (so a lost link is found again); (id, change key)."""
        ...

    async def update(
        self, record_type: RecordType, server_id: str, change_key: str | None, values: Mapping[str, Any]
    ) -> str | None:
        """Set the given fields; returns the new change key. A stale change key is a TransientError
        ``change_key_stale``: the next cycle plans again with the newer item."""
        ...

    async def delete(self, record_type: RecordType, server_id: str, change_key: str | None) -> None: ...

    async def test(self) -> ConnectionTest: ...

    async def close(self) -> None: ...


class ConnectorFactory(Protocol):
    """Builds connectors for a profile and mailbox; the engine owns their lifetime."""

    def incoming(
        self, profile: Profile, mailbox: Mailbox, credentials: Credentials, folders: Sequence[str] = ()
    ) -> IncomingMail:
        """``folders``: tracked folders to read besides the Inbox, by their current names."""
        ...

    def outgoing(self, profile: Profile, mailbox: Mailbox, credentials: Credentials) -> OutgoingMail: ...

    def act(self, profile: Profile, mailbox: Mailbox, credentials: Credentials) -> ActSync: ...

    def supports(self, profile: Profile, channel: Channel) -> bool: ...


@dataclass(frozen=True, slots=True)
class ThrottleKey:
    """Which connection limit a connection counts against: the profile's when the profile holds the
    credentials (one account, one limit), else the mailbox's own."""

    scope: str  # "profile" or "mailbox"
    id: int

    @classmethod
    def of(cls, profile: Profile, mailbox: Mailbox) -> ThrottleKey:
        if profile.credentials_on is CredentialsOn.PROFILE:
            assert profile.id is not None
            return cls("profile", profile.id)
        assert mailbox.id is not None
        return cls("mailbox", mailbox.id)


@runtime_checkable
class ConnectionParking(Protocol):
    """A connector factory that keeps connections open between uses, for the next cycle to reuse.

    Parking is off until ``start_parking()``; from then on a connector's ``close()`` may park its
    connection instead of logging out. A parked connection counts against its key's limit as if it
    held a throttle slot: when a slot is taken and open slots plus parked connections would pass
    the limit, the engine calls ``evict`` (least recently used first). A connector that takes a
    parked connection does so under its own slot, so the total never moves.
    """

    def start_parking(self) -> None: ...

    def parked(self, key: ThrottleKey) -> int:
        """Connections parked for ``key`` now."""
        ...

    async def evict(self, key: ThrottleKey) -> bool:
        """Close one parked connection of ``key`` (the least recently used); False when there was none."""
        ...

    async def stop_parking(self) -> None:
        """Close every parked connection and park no more."""
        ...
