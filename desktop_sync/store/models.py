"""SQLAlchemy 2.x table models of the CRM store and of the engine's own bookkeeping.

Enums are stored as their string values (portable between SQLite and PostgreSQL, readable in a
dump); times are UTC. The schema itself is owned by the Alembic migrations beside this module.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """An aware UTC datetime on every backend (SQLite hands back naive values; we put UTC back)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use an aware UTC datetime")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class UserRow(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    crm_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    tracking: Mapped[str] = mapped_column(String(20), default="replies")
    auto_create_contacts: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class QueueRow(Base):
    __tablename__ = "queues"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    crm_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AccountRow(Base):
    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320), index=True)
    crm_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ContactRow(Base):
    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    full_name: Mapped[str] = mapped_column(String(200))
    first_name: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str | None] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(320), index=True)
    phone: Mapped[str | None] = mapped_column(String(50))
    mobile_phone: Mapped[str | None] = mapped_column(String(50))
    email2: Mapped[str | None] = mapped_column(String(320))
    company: Mapped[str | None] = mapped_column(String(200))
    job_title: Mapped[str | None] = mapped_column(String(200))
    street: Mapped[str | None] = mapped_column(String(500))
    city: Mapped[str | None] = mapped_column(String(200))
    postal_code: Mapped[str | None] = mapped_column(String(50))
    country: Mapped[str | None] = mapped_column(String(200))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    owner_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    crm_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_from_email: Mapped[bool] = mapped_column(Boolean, default=False)
    modified_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class LeadRow(Base):
    __tablename__ = "leads"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    full_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320), index=True)
    company: Mapped[str | None] = mapped_column(String(200))
    crm_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ProfileRow(Base):
    __tablename__ = "email_server_profiles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    incoming_host: Mapped[str] = mapped_column(String(255))
    incoming_port: Mapped[int] = mapped_column(Integer)
    incoming_security: Mapped[str] = mapped_column(String(20))
    outgoing_host: Mapped[str | None] = mapped_column(String(255))
    outgoing_port: Mapped[int | None] = mapped_column(Integer)
    outgoing_security: Mapped[str | None] = mapped_column(String(20))
    ews_url: Mapped[str | None] = mapped_column(String(2000))
    auth: Mapped[str] = mapped_column(String(20), default="basic")
    credentials_on: Mapped[str] = mapped_column(String(20), default="mailbox")
    login: Mapped[str | None] = mapped_column(String(320))
    max_connections: Mapped[int] = mapped_column(Integer, default=10)
    timeout_seconds: Mapped[int] = mapped_column(Integer, default=60)
    min_poll_seconds: Mapped[int] = mapped_column(Integer, default=60)
    process_email_from: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    ca_file: Mapped[str | None] = mapped_column(String(4096))
    allow_insecure: Mapped[bool] = mapped_column(Boolean, default=False)
    delete_after_download: Mapped[bool] = mapped_column(Boolean, default=False)
    tracking_token_prefix: Mapped[str] = mapped_column(String(20), default="CRM:")
    tracked_category: Mapped[str] = mapped_column(String(100), default="Tracked to CRM")
    tag_undeliverable: Mapped[bool] = mapped_column(Boolean, default=False)
    # OAuth 2.0 (auth "oauth2"): where and as which application; nothing secret
    oauth_provider: Mapped[str | None] = mapped_column(String(20))
    oauth_client_id: Mapped[str | None] = mapped_column(String(200))
    oauth_tenant: Mapped[str | None] = mapped_column(String(255))
    oauth_issuer: Mapped[str | None] = mapped_column(String(2000))
    oauth_scopes: Mapped[str | None] = mapped_column(Text)  # space-separated, as OAuth writes them
    oauth_authority_host: Mapped[str | None] = mapped_column(String(2000))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class MailboxRow(Base):
    __tablename__ = "mailboxes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    address: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    profile_id: Mapped[int] = mapped_column(ForeignKey("email_server_profiles.id", ondelete="RESTRICT"))
    # unique: the one-to-one user <-> mailbox rule holds in the database too
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), unique=True)
    queue_id: Mapped[int | None] = mapped_column(ForeignKey("queues.id", ondelete="SET NULL"), unique=True)
    login: Mapped[str | None] = mapped_column(String(320))
    approval: Mapped[str] = mapped_column(String(20), default="pending")
    incoming_method: Mapped[str] = mapped_column(String(20), default="none")
    incoming_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    incoming_test_status: Mapped[str] = mapped_column(String(20), default="not_run")
    incoming_failed_step: Mapped[str | None] = mapped_column(String(100))
    incoming_tested_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    outgoing_method: Mapped[str] = mapped_column(String(20), default="none")
    outgoing_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    outgoing_test_status: Mapped[str] = mapped_column(String(20), default="not_run")
    outgoing_failed_step: Mapped[str | None] = mapped_column(String(100))
    outgoing_tested_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    act_method: Mapped[str] = mapped_column(String(20), default="none")
    act_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    act_test_status: Mapped[str] = mapped_column(String(20), default="not_run")
    act_failed_step: Mapped[str | None] = mapped_column(String(100))
    act_tested_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    process_email_from: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    is_forward_mailbox: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class EmailActivityRow(Base):
    __tablename__ = "email_activities"
    __table_args__ = (
        Index("ix_email_activities_message_id", "message_id"),
        Index("ix_email_activities_in_reply_to", "in_reply_to"),  # replies waiting for their parent
        Index("ix_email_activities_status", "status"),
        Index("ix_email_activities_subject_key", "subject_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mailbox_id: Mapped[int | None] = mapped_column(ForeignKey("mailboxes.id", ondelete="SET NULL"))
    direction: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str] = mapped_column(Text, default="")
    body_text: Mapped[str | None] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[str | None] = mapped_column(String(998))
    in_reply_to: Mapped[str | None] = mapped_column(String(998))
    references: Mapped[str | None] = mapped_column(Text)
    conversation_index: Mapped[str | None] = mapped_column(String(200))
    tracking_token: Mapped[str | None] = mapped_column(String(100))
    subject_key: Mapped[str | None] = mapped_column(String(40))  # smart matching: the subject's words, hashed
    size_bytes: Mapped[int | None] = mapped_column(BigInteger)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    received_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    server_arrival_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # why this mail was tracked
    accepting_mailbox_id: Mapped[int | None] = mapped_column(ForeignKey("mailboxes.id", ondelete="SET NULL"))
    correlation_method: Mapped[str | None] = mapped_column(String(30))
    correlated_activity_id: Mapped[int | None] = mapped_column(ForeignKey("email_activities.id", ondelete="SET NULL"))
    tracked_reason: Mapped[str | None] = mapped_column(String(200))
    regarding_type: Mapped[str | None] = mapped_column(String(20))
    regarding_id: Mapped[int | None] = mapped_column(Integer)
    # outgoing: the claim of the outgoing queue and the last step reached
    send_claim_owner: Mapped[str | None] = mapped_column(String(100))
    send_claim_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    send_step: Mapped[str | None] = mapped_column(String(30))
    send_attempts: Mapped[int] = mapped_column(Integer, default=0)
    send_after: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())  # the next attempt, after a failure
    send_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    modified_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    parties: Mapped[list[ActivityPartyRow]] = relationship(
        back_populates="activity", cascade="all, delete-orphan", passive_deletes=True
    )
    attachments: Mapped[list[AttachmentRow]] = relationship(
        back_populates="activity", cascade="all, delete-orphan", passive_deletes=True
    )


class ActivityPartyRow(Base):
    __tablename__ = "activity_parties"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("email_activities.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(10))
    address: Mapped[str] = mapped_column(String(320), index=True)
    display_name: Mapped[str | None] = mapped_column(String(200))
    record_type: Mapped[str | None] = mapped_column(String(20))
    record_id: Mapped[int | None] = mapped_column(Integer)

    activity: Mapped[EmailActivityRow] = relationship(back_populates="parties")


class AttachmentRow(Base):
    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("email_activities.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(500))
    content_type: Mapped[str] = mapped_column(String(200))
    content_id: Mapped[str | None] = mapped_column(String(998))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    content: Mapped[bytes | None] = mapped_column(LargeBinary)  # None when over the size limit
    skipped_reason: Mapped[str | None] = mapped_column(String(200))

    activity: Mapped[EmailActivityRow] = relationship(back_populates="attachments")


class AppointmentRow(Base):
    __tablename__ = "appointments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    subject: Mapped[str] = mapped_column(Text, default="")
    location: Mapped[str | None] = mapped_column(String(500))
    body: Mapped[str | None] = mapped_column(Text)
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    all_day: Mapped[bool] = mapped_column(Boolean, default=False)
    organizer: Mapped[str | None] = mapped_column(String(320))
    attendees: Mapped[str | None] = mapped_column(Text)  # comma-separated addresses
    show_as: Mapped[str | None] = mapped_column(String(20))
    importance: Mapped[str | None] = mapped_column(String(10))
    recurrence: Mapped[str | None] = mapped_column(Text)  # JSON: the series' pattern and range
    regarding_type: Mapped[str | None] = mapped_column(String(20))
    regarding_id: Mapped[int | None] = mapped_column(Integer)
    modified_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class TaskRow(Base):
    __tablename__ = "tasks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    subject: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str | None] = mapped_column(Text)
    due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    starts_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(20), default="not_started")
    priority: Mapped[str] = mapped_column(String(10), default="normal")
    percent_complete: Mapped[int] = mapped_column(Integer, default=0)
    regarding_type: Mapped[str | None] = mapped_column(String(20))
    regarding_id: Mapped[int | None] = mapped_column(Integer)
    modified_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class ServerCursorRow(Base):
    """Where a mailbox's sync stands on the server (EWS sync state, IMAP UIDVALIDITY/UID/MODSEQ, UIDL)."""

    __tablename__ = "server_cursors"
    __table_args__ = (UniqueConstraint("mailbox_id", "channel", "folder"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mailbox_id: Mapped[int] = mapped_column(ForeignKey("mailboxes.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(20))
    folder: Mapped[str] = mapped_column(String(1000), default="")
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class ItemLinkRow(Base):
    """A CRM record and the server item it is synchronized with, with its version tag and content hash."""

    __tablename__ = "item_links"
    __table_args__ = (
        UniqueConstraint("mailbox_id", "record_type", "server_id"),
        Index("ix_item_links_local", "record_type", "local_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mailbox_id: Mapped[int] = mapped_column(ForeignKey("mailboxes.id", ondelete="CASCADE"))
    record_type: Mapped[str] = mapped_column(String(20))
    local_id: Mapped[int] = mapped_column(Integer)
    server_id: Mapped[str] = mapped_column(String(1000))
    folder: Mapped[str | None] = mapped_column(String(1000))
    change_key: Mapped[str | None] = mapped_column(String(1000))
    content_hash: Mapped[str | None] = mapped_column(String(64))
    base: Mapped[str | None] = mapped_column(Text)  # JSON: the mapped values both sides had at the last sync
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class AlertRow(Base):
    __tablename__ = "alerts"
    __table_args__ = (Index("ix_alerts_open", "cleared_at", "severity"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    severity: Mapped[str] = mapped_column(String(20))
    scope: Mapped[str] = mapped_column(String(20))
    code: Mapped[str] = mapped_column(String(100))
    facts: Mapped[str] = mapped_column(Text)  # JSON: the named values its text is filled with
    says: Mapped[str | None] = mapped_column(String(100))  # the catalogue code of its text, when not its own
    mailbox_id: Mapped[int | None] = mapped_column(ForeignKey("mailboxes.id", ondelete="SET NULL"), index=True)
    profile_id: Mapped[int | None] = mapped_column(
        ForeignKey("email_server_profiles.id", ondelete="SET NULL"), index=True
    )
    item_ref: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    cleared_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class FailedItemRow(Base):
    """The ledger of items that could not be synchronized, with why and when to retry."""

    __tablename__ = "failed_items"
    __table_args__ = (UniqueConstraint("mailbox_id", "channel", "item_ref"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mailbox_id: Mapped[int] = mapped_column(ForeignKey("mailboxes.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(20))
    item_ref: Mapped[str] = mapped_column(String(1000))
    folder: Mapped[str | None] = mapped_column(String(1000))
    summary: Mapped[str | None] = mapped_column(String(500))
    subject: Mapped[str | None] = mapped_column(String(500))
    sender: Mapped[str | None] = mapped_column(String(500))
    item_date: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    code: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(Text)
    permanent: Mapped[bool] = mapped_column(Boolean, default=False)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    first_failed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_failed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    next_retry_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class CounterRow(Base):
    """A performance counter's last persisted value (queue lengths, items per second, errors by kind)."""

    __tablename__ = "counters"
    __table_args__ = (UniqueConstraint("name", "labels"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    labels: Mapped[str] = mapped_column(String(500), default="")
    value: Mapped[float] = mapped_column(Float, default=0.0)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class MailboxStatusRow(Base):
    """What the engine last did with a mailbox: written by the engine, read by the GUI and CLI."""

    __tablename__ = "mailbox_status"

    mailbox_id: Mapped[int] = mapped_column(ForeignKey("mailboxes.id", ondelete="CASCADE"), primary_key=True)
    state: Mapped[str] = mapped_column(String(20), default="idle")
    last_sync_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    next_sync_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    interval_seconds: Mapped[float | None] = mapped_column(Float)
    items_synced: Mapped[int] = mapped_column(BigInteger, default=0)
    failure_count: Mapped[int] = mapped_column(Integer, default=0)
    last_error_code: Mapped[str | None] = mapped_column(String(100))
    last_error: Mapped[str | None] = mapped_column(Text)
    backoff_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    sync_requested_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    import_done: Mapped[int | None] = mapped_column(BigInteger)
    import_total: Mapped[int | None] = mapped_column(BigInteger)
    import_base: Mapped[int] = mapped_column(BigInteger, default=0)
    import_started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    import_eta_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class EngineHostRow(Base):
    """A running engine: its heartbeat tells the others how many share the mailboxes."""

    __tablename__ = "engine_hosts"

    owner: Mapped[str] = mapped_column(String(100), primary_key=True)
    hostname: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    heartbeat_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())  # alive until, unless it beats again
    taken_over_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())  # a lost host's mailboxes taken


class ConnectionSlotRow(Base):
    """One connection of a limit (a profile's or a mailbox's), held by an engine host until it gives it
    back or its expiry passes (renewed by the holder's heartbeat): the limit holds across hosts."""

    __tablename__ = "connection_slots"

    scope: Mapped[str] = mapped_column(String(10), primary_key=True)  # "profile" or "mailbox"
    key_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True)  # 0 .. limit - 1
    holder: Mapped[str | None] = mapped_column(String(100), index=True)
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class ConnectionWaitRow(Base):
    """A host waiting for a slot of a limit whose slots are all held: hosts keeping idle connections
    of it close them at their next heartbeat."""

    __tablename__ = "connection_waits"

    scope: Mapped[str] = mapped_column(String(10), primary_key=True)
    key_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    holder: Mapped[str] = mapped_column(String(100), primary_key=True)
    since: Mapped[dt.datetime] = mapped_column(UTCDateTime())  # renewed while it waits


class MailboxLeaseRow(Base):
    """Which engine works a mailbox, until when; an expired lease is taken over by another engine."""

    __tablename__ = "mailbox_leases"

    mailbox_id: Mapped[int] = mapped_column(ForeignKey("mailboxes.id", ondelete="CASCADE"), primary_key=True)
    owner: Mapped[str | None] = mapped_column(String(100), index=True)
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class SyncFilterRow(Base):
    """A user's sync filter for one record type: a rule group stored as JSON."""

    __tablename__ = "sync_filters"
    __table_args__ = (UniqueConstraint("user_id", "record_type", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    record_type: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    rules: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    modified_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class TrackedFolderRow(Base):
    """A folder under a user's Inbox whose mail is tracked, found by its server id (renames keep it)."""

    __tablename__ = "tracked_folders"
    __table_args__ = (UniqueConstraint("mailbox_id", "folder_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mailbox_id: Mapped[int] = mapped_column(ForeignKey("mailboxes.id", ondelete="CASCADE"), index=True)
    folder_id: Mapped[str] = mapped_column(String(1000))
    folder_name: Mapped[str] = mapped_column(String(1000))
    regarding_type: Mapped[str | None] = mapped_column(String(20))
    regarding_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ActConflictRow(Base):
    """A field both sides changed since the last sync: what each said, what was kept, how it was resolved."""

    __tablename__ = "act_conflicts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mailbox_id: Mapped[int] = mapped_column(ForeignKey("mailboxes.id", ondelete="CASCADE"), index=True)
    record_type: Mapped[str] = mapped_column(String(20))
    local_id: Mapped[int] = mapped_column(Integer)
    server_id: Mapped[str] = mapped_column(String(1000))
    field: Mapped[str] = mapped_column(String(100))
    crm_value: Mapped[str | None] = mapped_column(Text)  # JSON
    exchange_value: Mapped[str | None] = mapped_column(Text)  # JSON
    kept: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    resolution: Mapped[str | None] = mapped_column(String(20))


class AppSettingRow(Base):
    """One application setting every engine on the store shares (engine limits), its value as JSON."""

    __tablename__ = "app_settings"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    modified_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class ActTombstoneRow(Base):
    """A CRM appointment, contact or task that was deleted: only such a record may delete its Exchange item."""

    __tablename__ = "act_tombstones"
    __table_args__ = (UniqueConstraint("record_type", "local_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_type: Mapped[str] = mapped_column(String(20))
    local_id: Mapped[int] = mapped_column(Integer)
    deleted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ActHeldPlanRow(Base):
    """A mailbox's ACT plan for one record type that the safety stop holds until an admin confirms it."""

    __tablename__ = "act_held_plans"
    __table_args__ = (UniqueConstraint("mailbox_id", "record_type"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mailbox_id: Mapped[int] = mapped_column(ForeignKey("mailboxes.id", ondelete="CASCADE"))
    record_type: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(String(40))
    counts: Mapped[str] = mapped_column(Text)  # JSON: action name -> how many
    links: Mapped[int] = mapped_column(Integer)
    fingerprint: Mapped[str] = mapped_column(String(64))
    held_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
