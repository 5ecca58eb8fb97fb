"""The store's side of the ports: its unit of work, one repository Protocol per noun, and the
value types those repositories take (``IncomingEmail``, ``OutgoingDraft``).

``desktop_sync.store`` implements these; services and the engine are written against them, so
they never import SQLAlchemy.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Collection, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Protocol

from desktop_sync.domain.act import ConflictPolicy, HeldPlan, Link
from desktop_sync.domain.folders import RecordChoice, TrackedFolder
from desktop_sync.domain.hosts import EngineHost
from desktop_sync.domain.mail import ParsedEmail
from desktop_sync.domain.model import (
    ActivityId,
    ActivityStatus,
    Alert,
    AlertId,
    Channel,
    Direction,
    EmailActivity,
    FailedItem,
    FailedItemId,
    Mailbox,
    MailboxId,
    OutgoingAttachment,
    OutgoingEmail,
    Profile,
    ProfileId,
    Queue,
    QueueId,
    RecordType,
    SendStep,
    SyncStatus,
    User,
    UserId,
)
from desktop_sync.domain.ports.connectors import ThrottleKey
from desktop_sync.domain.sync_filters import SyncFilter


class ProfileRepository(Protocol):
    async def add(self, profile: Profile) -> Profile: ...
    async def update(self, profile: Profile) -> Profile: ...
    async def get(self, profile_id: ProfileId) -> Profile | None: ...
    async def by_name(self, name: str) -> Profile | None: ...
    async def list(self) -> Sequence[Profile]: ...
    async def delete(self, profile_id: ProfileId) -> None: ...


class UserRepository(Protocol):
    async def add(self, user: User) -> User: ...
    async def update(self, user: User) -> User: ...
    async def get(self, user_id: UserId) -> User | None: ...
    async def get_many(self, user_ids: Sequence[UserId]) -> dict[UserId, User]: ...
    async def by_email(self, email: str) -> User | None: ...
    async def by_crm_id(self, crm_id: str) -> User | None: ...
    async def list(self) -> Sequence[User]: ...


class QueueRepository(Protocol):
    async def add(self, queue: Queue) -> Queue: ...
    async def get(self, queue_id: QueueId) -> Queue | None: ...
    async def by_email(self, email: str) -> Queue | None: ...
    async def by_crm_id(self, crm_id: str) -> Queue | None: ...
    async def list(self) -> Sequence[Queue]: ...


class MailboxRepository(Protocol):
    async def add(self, mailbox: Mailbox) -> Mailbox: ...
    async def update(self, mailbox: Mailbox) -> Mailbox: ...
    async def get(self, mailbox_id: MailboxId) -> Mailbox | None: ...
    async def get_many(self, mailbox_ids: Sequence[MailboxId]) -> dict[MailboxId, Mailbox]: ...
    async def by_address(self, address: str) -> Mailbox | None: ...
    async def by_user(self, user_id: UserId) -> Mailbox | None: ...
    async def by_queue(self, queue_id: QueueId) -> Mailbox | None: ...
    async def list(self) -> Sequence[Mailbox]: ...
    async def delete(self, mailbox_id: MailboxId) -> None:
        """The mailbox and its engine bookkeeping go; its tracked email activities stay in the CRM."""
        ...


class AlertRepository(Protocol):
    async def add(self, alert: Alert) -> Alert: ...
    async def clear(self, alert_ids: Sequence[AlertId], at: dt.datetime) -> int: ...
    async def clear_code(self, mailbox_id: MailboxId, codes: Sequence[str], at: dt.datetime) -> int: ...
    async def list(self, *, mailbox_id: MailboxId | None = None, include_cleared: bool = False) -> Sequence[Alert]: ...


class StatusRepository(Protocol):
    async def get(self, mailbox_id: MailboxId) -> SyncStatus: ...
    async def save(self, status: SyncStatus) -> None: ...
    async def save_many(self, statuses: Sequence[SyncStatus]) -> None: ...
    async def get_many(self, mailbox_ids: Sequence[MailboxId]) -> dict[MailboxId, SyncStatus]: ...
    async def list(self) -> Sequence[SyncStatus]: ...
    async def request_sync(self, mailbox_id: MailboxId, at: dt.datetime) -> None: ...
    async def take_sync_requests(self, mailbox_ids: Sequence[MailboxId]) -> Sequence[MailboxId]:
        """The mailboxes among ``mailbox_ids`` with a pending Sync now; the requests are cleared."""
        ...


class CursorRepository(Protocol):
    async def get_all(self, mailbox_id: MailboxId, channel: Channel) -> dict[str, str]: ...
    async def get_many(self, mailbox_ids: Sequence[MailboxId], channel: Channel) -> dict[MailboxId, dict[str, str]]:
        """Folder -> cursor of each mailbox that has any."""
        ...

    async def set(self, mailbox_id: MailboxId, channel: Channel, folder: str, value: str) -> None: ...
    async def clear(self, mailbox_id: MailboxId, channel: Channel, folder: str) -> None: ...
    async def rename(self, mailbox_id: MailboxId, channel: Channel, old: str, new: str) -> None: ...


@dataclass(frozen=True, slots=True)
class IncomingEmail:
    """A mail to record as an email activity, with where it came from and why it is tracked."""

    server_id: str
    folder: str
    parsed: ParsedEmail
    server_arrival_at: dt.datetime | None
    tracked_reason: str
    correlation_method: str | None = None
    correlated_activity_id: int | None = None
    # correlated to mail recorded in the same call (its activity id is known only once it is recorded)
    correlated_message_id: str | None = None
    regarding: tuple[RecordType, int] | None = None
    resolved_parties: Mapping[str, tuple[RecordType, int]] = field(default_factory=dict)
    subject_key: str | None = None  # domain/correlation.py's subject_key, for smart matching later


class RecordRepository(Protocol):
    async def find_by_email(self, address: str) -> tuple[RecordType, int] | None:
        """The CRM record an address belongs to: a user first, then a contact, an account, a lead."""
        ...

    async def exists(self, record_type: RecordType, record_id: int) -> bool: ...
    async def find_many_by_email(self, addresses: Sequence[str]) -> dict[str, tuple[RecordType, int]]: ...

    async def search(self, text: str, kinds: Sequence[RecordType], limit: int) -> Sequence[RecordChoice]:
        """Records of ``kinds`` whose name or email contains ``text`` (any case), by name, at most ``limit``."""
        ...

    async def choices(self, refs: Sequence[tuple[RecordType, int]]) -> dict[tuple[RecordType, int], RecordChoice]:
        """The name and email of each record that exists."""
        ...

    async def add_contact_from_email(self, address: str, display_name: str, owner: UserId | None) -> int:
        """A contact for an unknown sender of tracked mail (the user's "create contacts" option)."""
        ...


class ActivityRepository(Protocol):
    async def is_linked(self, mailbox_id: MailboxId, server_id: str) -> bool:
        """Was this server item already recorded for this mailbox (the idempotency key)?"""
        ...

    async def find_by_message_ids(self, message_ids: Sequence[str]) -> int | None:
        """An activity with one of these Message-IDs (the first found, in the order given)."""
        ...

    async def exists(self, activity_id: int) -> bool: ...

    async def count(self, mailbox_id: MailboxId | None = None) -> int: ...

    async def list(
        self,
        *,
        direction: Direction | None = None,
        mailbox_id: MailboxId | None = None,
        search: str | None = None,
        limit: int = 200,
        offset: int = 0,
        with_bodies: bool = False,
    ) -> Sequence[EmailActivity]: ...

    async def detail(self, activity_id: int) -> EmailActivity | None: ...

    async def attachment_content(self, activity_id: int, position: int) -> bytes | None:
        """The content of the activity's attachment at ``position`` (as ``detail`` lists them); None
        when it was over the size limit or there is no such attachment."""
        ...

    async def linked_server_ids(self, mailbox_id: MailboxId, server_ids: Sequence[str]) -> set[str]: ...
    async def activities_by_message_id(self, message_ids: Sequence[str]) -> dict[str, int]: ...

    async def smart_candidates(
        self, subject_keys: Sequence[str], addresses: Sequence[str]
    ) -> dict[str, dict[int, set[str]]]:
        """Smart matching: subject key -> {activity id -> its addresses among ``addresses``}."""
        ...

    async def existing_ids(self, activity_ids: Sequence[int]) -> set[int]: ...
    async def add_incoming_many(
        self, mailbox_id: MailboxId, emails: Sequence[IncomingEmail]
    ) -> Sequence[int | None]: ...

    async def correlate_waiting_replies(self, message_ids: Sequence[str]) -> int:
        """Incoming activities whose In-Reply-To is one of these Message-IDs and that are not yet
        correlated by it (their parent came after them) now are; says how many."""
        ...

    async def add_incoming(self, mailbox_id: MailboxId, email: IncomingEmail) -> int | None:
        """Record ``email`` and link it to its server item. Returns the activity id, or None when
        the same Message-ID was already recorded for the mailbox (the link is still stored)."""
        ...


class FailedItemRepository(Protocol):
    async def record(self, item: FailedItem) -> FailedItem:
        """Add to the ledger, or count one more attempt of an item already there."""
        ...

    async def list(
        self, *, mailbox_id: MailboxId | None = None, include_resolved: bool = False
    ) -> Sequence[FailedItem]: ...
    async def get(self, item_id: FailedItemId) -> FailedItem | None: ...
    async def resolve(self, mailbox_id: MailboxId, channel: Channel, item_ref: str) -> None: ...
    async def resolve_many(self, mailbox_id: MailboxId, channel: Channel, item_refs: Sequence[str]) -> None: ...
    async def schedule_retry(self, item_id: FailedItemId, at: dt.datetime) -> None: ...
    async def due(self, mailbox_id: MailboxId, now: dt.datetime) -> Sequence[FailedItem]: ...
    async def due_many(
        self, mailbox_ids: Sequence[MailboxId], now: dt.datetime
    ) -> dict[MailboxId, Sequence[FailedItem]]: ...


class CounterRepository(Protocol):
    async def save(self, values: Mapping[tuple[str, str], float]) -> None:
        """Persist counters keyed by (name, labels)."""
        ...

    async def load(self) -> dict[tuple[str, str], float]: ...


class LeaseRepository(Protocol):
    """Engine hosts' heartbeats and mailbox leases (several engines on a shared store)."""

    async def heartbeat(self, owner: str, hostname: str, pid: int, now: dt.datetime, expires: dt.datetime) -> None:
        """This host is alive until ``expires`` unless it beats again."""
        ...

    async def live_hosts(self, now: dt.datetime) -> int: ...
    async def live_owners(self, now: dt.datetime) -> Sequence[str]:
        """The live hosts, in the order they started."""
        ...

    async def claim(
        self,
        owner: str,
        now: dt.datetime,
        expires: dt.datetime,
        candidates: Collection[MailboxId],
        target: int,
        busy: Collection[MailboxId] = (),
    ) -> Sequence[MailboxId]:
        """Renew this owner's leases and take free or expired ones up to ``target``; holding more,
        give back down to ``target``, never a ``busy`` one.

        Returns the mailboxes this owner holds afterwards."""
        ...

    async def release(self, owner: str) -> None:
        """A host going away cleanly: its leases and connection slots free at once."""
        ...

    async def forget_lost(self, before: dt.datetime) -> None: ...
    async def hosts(self) -> Sequence[EngineHost]: ...


class SlotRepository(Protocol):
    """Connection slots: a connection limit held for every engine host together."""

    async def take(
        self,
        holder: str,
        key: ThrottleKey,
        limit: int,
        wanted: int,
        now: dt.datetime,
        expires: dt.datetime,
        listener: bool = False,
    ) -> int:
        """Take up to ``wanted`` free slots of ``key``'s ``limit`` (a push listener: of its lower half
        only); how many were taken."""
        ...

    async def give_back(
        self, holder: str, key: ThrottleKey, count: int, free_at: dt.datetime | None = None
    ) -> None: ...
    async def renew(self, holder: str, expires: dt.datetime) -> None: ...
    async def in_use(self, key: ThrottleKey, now: dt.datetime) -> int: ...
    async def wait(self, holder: str, key: ThrottleKey, now: dt.datetime) -> None: ...
    async def stop_waiting(self, holder: str, key: ThrottleKey) -> None: ...
    async def waited_for(self, holder: str, since: dt.datetime) -> set[ThrottleKey]: ...


@dataclass(frozen=True, slots=True)
class OutgoingDraft:
    """An email written in the CRM, to be queued for sending (pending_send)."""

    mailbox_id: MailboxId
    sender: str
    to: tuple[str, ...]
    subject: str
    message_id: str
    cc: tuple[str, ...] = ()
    bcc: tuple[str, ...] = ()
    body_text: str | None = None
    body_html: str | None = None
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    correlated_activity_id: int | None = None
    # correlated to mail recorded in the same call (its activity id is known only once it is recorded)
    correlated_message_id: str | None = None
    regarding: tuple[RecordType, int] | None = None
    attachments: tuple[OutgoingAttachment, ...] = ()


class OutgoingRepository(Protocol):
    async def queue(self, draft: OutgoingDraft, token_prefix: str | None) -> OutgoingEmail:
        """Record the draft as pending_send; with a prefix, the tracking token goes into the subject."""
        ...

    async def get(self, activity_id: ActivityId) -> OutgoingEmail | None: ...
    async def claim(self, owner: str, now: dt.datetime, limit: int) -> Sequence[OutgoingEmail]: ...
    async def set_step(self, activity_id: ActivityId, step: SendStep) -> None: ...
    async def finish(
        self,
        activity_id: ActivityId,
        status: ActivityStatus,
        *,
        step: SendStep | None = None,
        error: str | None = None,
        retry_at: dt.datetime | None = None,
        sent_at: dt.datetime | None = None,
    ) -> None: ...
    async def in_flight(
        self, *, claimed_before: dt.datetime | None = None, owners_not_in: Sequence[str] | None = None
    ) -> Sequence[OutgoingEmail]: ...
    async def by_status(self, statuses: Sequence[ActivityStatus], limit: int = 500) -> Sequence[OutgoingEmail]: ...


class SyncFilterRepository(Protocol):
    async def add(self, sync_filter: SyncFilter) -> SyncFilter: ...
    async def update(self, sync_filter: SyncFilter) -> SyncFilter: ...
    async def get(self, filter_id: int) -> SyncFilter | None: ...
    async def delete(self, filter_id: int) -> bool: ...
    async def list(
        self, *, user_id: UserId | None = None, record_type: RecordType | None = None
    ) -> Sequence[SyncFilter]: ...


class TrackedFolderRepository(Protocol):
    async def add(self, folder: TrackedFolder) -> TrackedFolder: ...
    async def rename(self, folder_row_id: int, new_name: str) -> None: ...
    async def remove(self, folder_row_id: int) -> None: ...
    async def list(self, mailbox_id: MailboxId) -> Sequence[TrackedFolder]: ...
    async def for_mailboxes(self, mailbox_ids: Sequence[MailboxId]) -> dict[MailboxId, Sequence[TrackedFolder]]: ...


class CrmRecordRepository(Protocol):
    """Appointments, contacts and tasks as mappings of the CRM field names of domain/act.py."""

    async def list(
        self, record_type: RecordType, owner: UserId | None = None
    ) -> Sequence[tuple[int, dict[str, Any]]]: ...
    async def get(self, record_type: RecordType, record_id: int) -> dict[str, Any] | None: ...
    async def create(self, record_type: RecordType, owner: UserId | None, values: Mapping[str, Any]) -> int: ...
    async def update(self, record_type: RecordType, record_id: int, values: Mapping[str, Any]) -> None: ...
    async def delete(self, record_type: RecordType, record_id: int) -> bool:
        """Delete the record and write its tombstone, in this transaction; False when there was none."""
        ...

    async def deleted_ids(self, record_type: RecordType, record_ids: Sequence[int]) -> set[int]:
        """Those of ``record_ids`` deleted in the CRM (a tombstone)."""
        ...


class ActHoldRepository(Protocol):
    """Plans the safety stop holds, one per mailbox and record type."""

    async def hold(self, plan: HeldPlan) -> bool:
        """Keep ``plan`` (replacing the type's earlier one); True when it is new or differs from it."""
        ...

    async def get(self, mailbox_id: MailboxId, record_type: RecordType) -> HeldPlan | None: ...
    async def list(self, mailbox_id: MailboxId | None = None) -> Sequence[HeldPlan]: ...
    async def release(self, mailbox_id: MailboxId, record_type: RecordType) -> bool: ...


class ActLinkRepository(Protocol):
    async def list(self, mailbox_id: MailboxId, record_type: RecordType) -> Sequence[Link]: ...
    async def put(
        self,
        mailbox_id: MailboxId,
        record_type: RecordType,
        local_id: int,
        server_id: str,
        change_key: str | None,
        base: Mapping[str, Any],
    ) -> None: ...
    async def remove(self, mailbox_id: MailboxId, record_type: RecordType, server_id: str) -> None: ...


class ConflictRepository(Protocol):
    async def add(
        self,
        mailbox_id: MailboxId,
        record_type: RecordType,
        local_id: int,
        server_id: str,
        field: str,
        crm_value: Any,
        exchange_value: Any,
        kept: ConflictPolicy,
    ) -> int: ...
    async def list(self, *, include_resolved: bool = False) -> Sequence[dict[str, Any]]: ...
    async def resolve(self, conflict_id: int, resolution: ConflictPolicy) -> None: ...


class AppSettingsRepository(Protocol):
    """The settings every engine on the store shares: key -> JSON value."""

    async def all(self) -> dict[str, Any]: ...
    async def put(self, values: Mapping[str, Any]) -> None: ...


class Transaction(Protocol):
    """One unit of work: everything done through it commits together or not at all."""

    @property
    def profiles(self) -> ProfileRepository: ...
    @property
    def users(self) -> UserRepository: ...
    @property
    def queues(self) -> QueueRepository: ...
    @property
    def mailboxes(self) -> MailboxRepository: ...
    @property
    def alerts(self) -> AlertRepository: ...
    @property
    def status(self) -> StatusRepository: ...
    @property
    def cursors(self) -> CursorRepository: ...
    @property
    def activities(self) -> ActivityRepository: ...
    @property
    def failed_items(self) -> FailedItemRepository: ...
    @property
    def counters(self) -> CounterRepository: ...
    @property
    def leases(self) -> LeaseRepository: ...
    @property
    def slots(self) -> SlotRepository: ...
    @property
    def records(self) -> RecordRepository: ...
    @property
    def outgoing(self) -> OutgoingRepository: ...
    @property
    def sync_filters(self) -> SyncFilterRepository: ...
    @property
    def tracked_folders(self) -> TrackedFolderRepository: ...
    @property
    def crm(self) -> CrmRecordRepository: ...
    @property
    def act_links(self) -> ActLinkRepository: ...
    @property
    def conflicts(self) -> ConflictRepository: ...
    @property
    def act_holds(self) -> ActHoldRepository: ...
    @property
    def app_settings(self) -> AppSettingsRepository: ...


class Store(Protocol):
    @property
    def label(self) -> str:
        """Where the store is, fit to show (never a password)."""
        ...

    def transaction(self) -> AbstractAsyncContextManager[Transaction]: ...
    async def close(self) -> None: ...

    def single_engine_lock(self) -> AbstractContextManager[None]:
        """Held while an engine runs on an embedded store: a second engine is refused.

        On a shared server store (PostgreSQL) engines share mailboxes by leases instead, and this
        lock is a no-op."""
        ...

    def engine_lock_held(self) -> bool:
        """Whether an engine (of this process or another) holds ``single_engine_lock`` now. Always
        False on a shared store, whose engines are known by their heartbeats instead."""
        ...

    @property
    def shared(self) -> bool:
        """True when several engines may share this store (leases needed)."""
        ...

    def sync_requests(self) -> AsyncIterator[MailboxId]:
        """Mailboxes asked to sync now (``StatusRepository.request_sync``), as they are asked, from any
        process; ends at once on a store that cannot tell (its engine polls the requests instead)."""
        ...
