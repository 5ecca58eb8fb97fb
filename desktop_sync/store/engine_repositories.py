"""Repositories of the engine's own bookkeeping: status, cursors, activities, ledger, counters, leases."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, func, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import defer, selectinload

from desktop_sync.domain.correlation import CorrelationMethod
from desktop_sync.domain.folders import RecordChoice
from desktop_sync.domain.mail import Attachment, Party
from desktop_sync.domain.model import (
    ActivityAttachment,
    ActivityId,
    ActivityParty,
    ActivityStatus,
    Channel,
    Direction,
    EmailActivity,
    FailedItem,
    FailedItemId,
    MailboxId,
    MailboxState,
    PartyRole,
    RecordType,
    SyncStatus,
    UserId,
)
from desktop_sync.domain.ports import IncomingEmail
from desktop_sync.store.models import (
    AccountRow,
    ActivityPartyRow,
    AttachmentRow,
    ContactRow,
    CounterRow,
    EmailActivityRow,
    EngineHostRow,
    FailedItemRow,
    ItemLinkRow,
    LeadRow,
    MailboxLeaseRow,
    MailboxRow,
    MailboxStatusRow,
    QueueRow,
    ServerCursorRow,
    UserRow,
)

EMAIL = "email"
IN_REPLY_TO = CorrelationMethod.IN_REPLY_TO.value
# the tables themselves, for Core bulk inserts (executemany: one statement for a batch)
_ACTIVITIES = cast(Table, EmailActivityRow.__table__)
_PARTIES = cast(Table, ActivityPartyRow.__table__)
_ATTACHMENTS = cast(Table, AttachmentRow.__table__)
_LINKS = cast(Table, ItemLinkRow.__table__)


def dialect_insert(session: AsyncSession) -> Any:
    """The INSERT of the store's dialect, with ON CONFLICT: a row that two writers may both create first
    (a status, a cursor, a counter, a heartbeat) is written with one upsert, never read-then-insert,
    which fails with a UNIQUE violation when the other writer inserts in between."""
    return postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def _status(row: MailboxStatusRow) -> SyncStatus:
    return SyncStatus(
        mailbox_id=MailboxId(row.mailbox_id),
        state=MailboxState(row.state),
        last_sync_at=row.last_sync_at,
        next_sync_at=row.next_sync_at,
        interval_seconds=row.interval_seconds,
        items_synced=row.items_synced,
        failure_count=row.failure_count,
        last_error_code=row.last_error_code,
        last_error=row.last_error,
        backoff_until=row.backoff_until,
        sync_requested_at=row.sync_requested_at,
        import_done=row.import_done,
        import_total=row.import_total,
        import_base=row.import_base or 0,
        import_started_at=row.import_started_at,
        import_eta_at=row.import_eta_at,
    )


class SqlStatus:
    def __init__(self, session: AsyncSession):
        self._s = session

    async def get(self, mailbox_id: MailboxId) -> SyncStatus:
        row = await self._s.get(MailboxStatusRow, mailbox_id, populate_existing=True)
        return _status(row) if row else SyncStatus(mailbox_id)

    async def save(self, status: SyncStatus) -> None:
        await self.save_many([status])

    async def save_many(self, statuses: Sequence[SyncStatus]) -> None:
        """One upsert for them all: this runs after every cycle of every mailbox, so it must be cheap.

        sync_requested_at is written by request_sync and cleared by take_sync_requests only.
        """
        if not statuses:
            return
        rows = [
            {
                "mailbox_id": status.mailbox_id,
                "state": status.state.value,
                "last_sync_at": status.last_sync_at,
                "next_sync_at": status.next_sync_at,
                "interval_seconds": status.interval_seconds,
                "items_synced": status.items_synced,
                "failure_count": status.failure_count,
                "last_error_code": status.last_error_code,
                "last_error": status.last_error,
                "backoff_until": status.backoff_until,
                "import_done": status.import_done,
                "import_total": status.import_total,
                "import_base": status.import_base,
                "import_started_at": status.import_started_at,
                "import_eta_at": status.import_eta_at,
            }
            for status in statuses
        ]
        statement = dialect_insert(self._s)(MailboxStatusRow)
        updated = {name: statement.excluded[name] for name in rows[0] if name != "mailbox_id"}
        await self._s.execute(statement.on_conflict_do_update(index_elements=["mailbox_id"], set_=updated), rows)

    async def list(self) -> Sequence[SyncStatus]:
        return [_status(r) for r in await self._s.scalars(select(MailboxStatusRow))]

    async def get_many(self, mailbox_ids: Sequence[MailboxId]) -> dict[MailboxId, SyncStatus]:
        if not mailbox_ids:
            return {}
        rows = await self._s.scalars(
            select(MailboxStatusRow)
            .where(MailboxStatusRow.mailbox_id.in_(mailbox_ids))
            .execution_options(populate_existing=True)
        )
        found = {MailboxId(r.mailbox_id): _status(r) for r in rows}
        return {m: found.get(m) or SyncStatus(m) for m in mailbox_ids}

    async def request_sync(self, mailbox_id: MailboxId, at: dt.datetime) -> None:
        """Sync now from any process: creates the status if the engine has not written it yet."""
        statement = dialect_insert(self._s)(MailboxStatusRow).values(
            mailbox_id=mailbox_id,
            state=MailboxState.IDLE.value,
            items_synced=0,
            failure_count=0,
            import_base=0,
            sync_requested_at=at,
        )
        await self._s.execute(
            statement.on_conflict_do_update(
                index_elements=["mailbox_id"], set_={"sync_requested_at": statement.excluded.sync_requested_at}
            )
        )

    async def take_sync_requests(self, mailbox_ids: Sequence[MailboxId]) -> Sequence[MailboxId]:
        if not mailbox_ids:
            return []
        rows = await self._s.scalars(
            select(MailboxStatusRow.mailbox_id).where(
                MailboxStatusRow.sync_requested_at.is_not(None), MailboxStatusRow.mailbox_id.in_(mailbox_ids)
            )
        )
        found = [MailboxId(r) for r in rows]
        if found:
            await self._s.execute(
                update(MailboxStatusRow).where(MailboxStatusRow.mailbox_id.in_(found)).values(sync_requested_at=None)
            )
        return found


class SqlCursors:
    def __init__(self, session: AsyncSession):
        self._s = session

    async def get_all(self, mailbox_id: MailboxId, channel: Channel) -> dict[str, str]:
        rows = await self._s.scalars(
            select(ServerCursorRow)
            .where(ServerCursorRow.mailbox_id == mailbox_id, ServerCursorRow.channel == channel.value)
            .execution_options(populate_existing=True)  # set() writes with an upsert, past the session
        )
        return {r.folder: r.value for r in rows}

    async def get_many(self, mailbox_ids: Sequence[MailboxId], channel: Channel) -> dict[MailboxId, dict[str, str]]:
        if not mailbox_ids:
            return {}
        rows = await self._s.scalars(
            select(ServerCursorRow)
            .where(ServerCursorRow.mailbox_id.in_(mailbox_ids), ServerCursorRow.channel == channel.value)
            .execution_options(populate_existing=True)
        )
        found: dict[MailboxId, dict[str, str]] = {}
        for r in rows:
            found.setdefault(MailboxId(r.mailbox_id), {})[r.folder] = r.value
        return found

    async def set(self, mailbox_id: MailboxId, channel: Channel, folder: str, value: str) -> None:
        statement = dialect_insert(self._s)(ServerCursorRow).values(
            mailbox_id=mailbox_id, channel=channel.value, folder=folder, value=value
        )
        await self._s.execute(
            statement.on_conflict_do_update(
                index_elements=["mailbox_id", "channel", "folder"], set_={"value": statement.excluded.value}
            )
        )

    async def rename(self, mailbox_id: MailboxId, channel: Channel, old: str, new: str) -> None:
        """A renamed folder keeps its place: its cursor moves to the new name."""
        await self._s.execute(
            update(ServerCursorRow)
            .where(
                ServerCursorRow.mailbox_id == mailbox_id,
                ServerCursorRow.channel == channel.value,
                ServerCursorRow.folder == old,
            )
            .values(folder=new)
        )

    async def clear(self, mailbox_id: MailboxId, channel: Channel, folder: str) -> None:
        await self._s.execute(
            delete(ServerCursorRow).where(
                ServerCursorRow.mailbox_id == mailbox_id,
                ServerCursorRow.channel == channel.value,
                ServerCursorRow.folder == folder,
            )
        )


def _activity(row: EmailActivityRow, mailbox: str | None, with_bodies: bool) -> EmailActivity:
    return EmailActivity(
        id=ActivityId(row.id),
        direction=Direction(row.direction),
        status=ActivityStatus(row.status),
        subject=row.subject,
        message_id=row.message_id,
        mailbox=mailbox,
        sent_at=row.sent_at,
        received_at=row.received_at,
        created_at=row.created_at,
        tracked_reason=row.tracked_reason,
        correlation_method=row.correlation_method,
        correlated_activity_id=row.correlated_activity_id,
        regarding=(RecordType(row.regarding_type), row.regarding_id)
        if row.regarding_type and row.regarding_id is not None
        else None,
        parties=tuple(
            ActivityParty(
                PartyRole(p.role),
                p.address,
                p.display_name,
                RecordType(p.record_type) if p.record_type else None,
                p.record_id,
            )
            for p in row.parties
        ),
        attachments=tuple(
            ActivityAttachment(a.filename, a.content_type, a.size_bytes, a.content is not None, a.skipped_reason)
            for a in sorted(row.attachments, key=lambda a: a.id)  # the order attachment_content counts in
        ),
        body_text=row.body_text if with_bodies else None,
        body_html=row.body_html if with_bodies else None,
        send_error=row.send_error,
    )


def _incoming_values(mailbox_id: MailboxId, email: IncomingEmail) -> dict[str, Any]:
    parsed = email.parsed
    now = dt.datetime.now(dt.UTC)
    return {
        "mailbox_id": mailbox_id,
        "accepting_mailbox_id": mailbox_id,
        "direction": Direction.INCOMING.value,
        "status": ActivityStatus.RECEIVED.value,
        "subject": parsed.subject,
        "body_text": parsed.body_text,
        "body_html": parsed.body_html,
        "message_id": parsed.message_id,
        "in_reply_to": parsed.in_reply_to,
        "references": " ".join(parsed.references) or None,
        "conversation_index": None,
        "tracking_token": None,
        "subject_key": email.subject_key,
        "size_bytes": parsed.size,
        "sent_at": parsed.sent_at,
        "received_at": email.server_arrival_at,
        "server_arrival_at": email.server_arrival_at,
        "tracked_reason": email.tracked_reason[:200],
        "correlation_method": email.correlation_method,
        "correlated_activity_id": email.correlated_activity_id,
        "regarding_type": email.regarding[0].value if email.regarding else None,
        "regarding_id": email.regarding[1] if email.regarding else None,
        "send_attempts": 0,
        "created_at": now,
        "modified_at": now,
    }


def _party_values(activity_id: int, party: Party, resolved: Mapping[str, tuple[RecordType, int]]) -> dict[str, Any]:
    record = resolved.get(party.address)
    return {
        "activity_id": activity_id,
        "role": party.role.value,
        "address": party.address,
        "display_name": party.display_name or None,
        "record_type": record[0].value if record else None,
        "record_id": record[1] if record else None,
    }


def _attachment_values(activity_id: int, attachment: Attachment) -> dict[str, Any]:
    return {
        "activity_id": activity_id,
        "filename": attachment.filename,
        "content_type": attachment.content_type,
        "content_id": attachment.content_id,
        "size_bytes": attachment.size,
        "content": attachment.content,
        "skipped_reason": attachment.skipped_reason,
    }


class SqlActivities:
    def __init__(self, session: AsyncSession):
        self._s = session

    async def is_linked(self, mailbox_id: MailboxId, server_id: str) -> bool:
        found = await self._s.scalar(
            select(ItemLinkRow.id).where(
                ItemLinkRow.mailbox_id == mailbox_id,
                ItemLinkRow.record_type == EMAIL,
                ItemLinkRow.server_id == server_id,
            )
        )
        return found is not None

    async def find_by_message_ids(self, message_ids: Sequence[str]) -> int | None:
        for message_id in message_ids:
            found = await self._s.scalar(
                select(EmailActivityRow.id).where(EmailActivityRow.message_id == message_id).limit(1)
            )
            if found is not None:
                return int(found)
        return None

    async def exists(self, activity_id: int) -> bool:
        return await self._s.get(EmailActivityRow, activity_id) is not None

    async def linked_server_ids(self, mailbox_id: MailboxId, server_ids: Sequence[str]) -> set[str]:
        """Which of these server items are already recorded for the mailbox (one query for a batch)."""
        if not server_ids:
            return set()
        rows = await self._s.scalars(
            select(ItemLinkRow.server_id).where(
                ItemLinkRow.mailbox_id == mailbox_id,
                ItemLinkRow.record_type == EMAIL,
                ItemLinkRow.server_id.in_(list(server_ids)),
            )
        )
        return set(rows)

    async def activities_by_message_id(self, message_ids: Sequence[str]) -> dict[str, int]:
        """Message-ID -> an activity with it (the oldest), for a batch's correlation look-ups."""
        if not message_ids:
            return {}
        rows = await self._s.execute(
            select(EmailActivityRow.message_id, EmailActivityRow.id)
            .where(EmailActivityRow.message_id.in_(list(set(message_ids))))
            .order_by(EmailActivityRow.id.desc())
        )
        return {message_id: activity_id for message_id, activity_id in rows if message_id is not None}

    async def smart_candidates(
        self, subject_keys: Sequence[str], addresses: Sequence[str]
    ) -> dict[str, dict[int, set[str]]]:
        """Smart matching: subject key -> {activity id -> its addresses among ``addresses``}, for a batch."""
        found: dict[str, dict[int, set[str]]] = {}
        if not subject_keys or not addresses:
            return found
        rows = await self._s.execute(
            select(EmailActivityRow.subject_key, EmailActivityRow.id, ActivityPartyRow.address)
            .join(ActivityPartyRow, ActivityPartyRow.activity_id == EmailActivityRow.id)
            .where(
                EmailActivityRow.subject_key.in_(list(set(subject_keys))),
                ActivityPartyRow.address.in_(list(set(addresses))),
            )
        )
        for key, activity_id, address in rows:
            if key is not None:
                found.setdefault(key, {}).setdefault(activity_id, set()).add(address)
        return found

    async def existing_ids(self, activity_ids: Sequence[int]) -> set[int]:
        if not activity_ids:
            return set()
        return set(await self._s.scalars(select(EmailActivityRow.id).where(EmailActivityRow.id.in_(activity_ids))))

    async def add_incoming(self, mailbox_id: MailboxId, email: IncomingEmail) -> int | None:
        return (await self.add_incoming_many(mailbox_id, [email]))[0]

    async def add_incoming_many(self, mailbox_id: MailboxId, emails: Sequence[IncomingEmail]) -> list[int | None]:
        """Record the emails and link each to its server item; inserts go out together.

        The Message-ID guard: an email whose Message-ID the mailbox already has (or an earlier one of
        this batch has) is only linked, and its place in the result is None.
        """
        if not emails:
            return []
        existing = {
            message_id: activity_id
            for message_id, activity_id in await self._s.execute(
                select(EmailActivityRow.message_id, EmailActivityRow.id).where(
                    EmailActivityRow.message_id.in_([e.parsed.message_id for e in emails]),
                    or_(
                        EmailActivityRow.mailbox_id == mailbox_id,
                        EmailActivityRow.accepting_mailbox_id == mailbox_id,
                    ),
                )
            )
        }
        # bulk statements, not the unit of work: a batch of 50 mails is three INSERTs, not 150
        fresh: dict[str, IncomingEmail] = {}
        for email in emails:
            message_id = email.parsed.message_id
            if message_id not in existing and message_id not in fresh:
                fresh[message_id] = email
        new_ids: dict[str, int] = {}
        if fresh:
            # Core executemany (one statement through the driver), then the ids by Message-ID: SQLite
            # cannot return ids in parameter order for a multi-row insert, and row by row is slow
            await self._s.execute(insert(_ACTIVITIES), [_incoming_values(mailbox_id, e) for e in fresh.values()])
            new_ids = {
                message_id: activity_id
                for message_id, activity_id in await self._s.execute(
                    select(EmailActivityRow.message_id, EmailActivityRow.id).where(
                        EmailActivityRow.mailbox_id == mailbox_id, EmailActivityRow.message_id.in_(list(fresh))
                    )
                )
                if message_id is not None
            }
            parties = [
                _party_values(new_ids[message_id], party, email.resolved_parties)
                for message_id, email in fresh.items()
                for party in email.parsed.parties
            ]
            if parties:
                await self._s.execute(insert(_PARTIES), parties)
            attachments = [
                _attachment_values(new_ids[message_id], attachment)
                for message_id, email in fresh.items()
                for attachment in email.parsed.attachments
            ]
            if attachments:
                await self._s.execute(insert(_ATTACHMENTS), attachments)
            # replies to mail of this same call: their parent's id is known only now
            replies = []
            for message_id, email in fresh.items():
                parent = email.correlated_message_id
                if parent is None or parent == message_id:
                    continue
                parent_id = new_ids.get(parent) or existing.get(parent)
                if parent_id is not None:
                    replies.append({"reply": new_ids[message_id], "parent": parent_id})
            if replies:
                await self._s.execute(
                    update(_ACTIVITIES)
                    .where(_ACTIVITIES.c.id == bindparam("reply"))
                    .values(correlated_activity_id=bindparam("parent")),
                    replies,
                )
        results: list[int | None] = []
        created: set[str] = set()
        links = []
        for email in emails:
            message_id = email.parsed.message_id
            if message_id in new_ids and message_id not in created:
                created.add(message_id)
                results.append(new_ids[message_id])
            else:
                results.append(None)
            links.append(
                {
                    "mailbox_id": mailbox_id,
                    "record_type": EMAIL,
                    "local_id": existing.get(message_id) or new_ids[message_id],
                    "server_id": email.server_id,
                    "folder": email.folder,
                    "updated_at": dt.datetime.now(dt.UTC),
                }
            )
        await self._s.execute(insert(_LINKS), links)
        return results

    async def correlate_waiting_replies(self, message_ids: Sequence[str]) -> int:
        """Replies recorded before their parent (a server's order is not thread order) join it once it is.

        In-Reply-To comes first in correlation: a reply correlated otherwise (or not at all) for want of
        its parent is correlated by In-Reply-To to the oldest activity with the parent's Message-ID.
        """
        if not message_ids:
            return 0
        parent = _ACTIVITIES.alias("parent")
        oldest = select(func.min(parent.c.id)).where(parent.c.message_id == _ACTIVITIES.c.in_reply_to).scalar_subquery()
        result = await self._s.execute(
            update(_ACTIVITIES)
            .where(
                _ACTIVITIES.c.in_reply_to.in_(list(set(message_ids))),
                _ACTIVITIES.c.direction == Direction.INCOMING.value,
                or_(
                    _ACTIVITIES.c.correlation_method.is_(None),
                    _ACTIVITIES.c.correlation_method != IN_REPLY_TO,
                ),
                or_(_ACTIVITIES.c.message_id.is_(None), _ACTIVITIES.c.message_id != _ACTIVITIES.c.in_reply_to),
            )
            .values(correlated_activity_id=oldest, correlation_method=IN_REPLY_TO)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def list(
        self,
        *,
        direction: Direction | None = None,
        mailbox_id: MailboxId | None = None,
        search: str | None = None,
        limit: int = 200,
        offset: int = 0,
        with_bodies: bool = False,
    ) -> Sequence[EmailActivity]:
        query = (
            select(EmailActivityRow)
            .options(selectinload(EmailActivityRow.parties), selectinload(EmailActivityRow.attachments))
            .order_by(EmailActivityRow.created_at.desc(), EmailActivityRow.id.desc())
            .limit(limit)
            .offset(offset)
        )
        if not with_bodies:
            query = query.options(defer(EmailActivityRow.body_text), defer(EmailActivityRow.body_html))
        if direction is not None:
            query = query.where(EmailActivityRow.direction == direction.value)
        if mailbox_id is not None:
            query = query.where(EmailActivityRow.mailbox_id == mailbox_id)
        if search:
            # What the user typed is text: % and _ (and the escape character) match themselves (LIKE ... ESCAPE).
            query = query.where(
                or_(
                    EmailActivityRow.subject.icontains(search, autoescape=True),
                    EmailActivityRow.id.in_(
                        select(ActivityPartyRow.activity_id).where(
                            ActivityPartyRow.address.icontains(search, autoescape=True)
                        )
                    ),
                )
            )
        rows = list(await self._s.scalars(query))
        addresses = {
            m.id: m.address
            for m in await self._s.scalars(
                select(MailboxRow).where(MailboxRow.id.in_({r.mailbox_id for r in rows if r.mailbox_id}))
            )
        }
        return [_activity(r, addresses.get(r.mailbox_id or 0), with_bodies) for r in rows]

    async def detail(self, activity_id: int) -> EmailActivity | None:
        row = await self._s.scalar(
            select(EmailActivityRow)
            .options(selectinload(EmailActivityRow.parties), selectinload(EmailActivityRow.attachments))
            .where(EmailActivityRow.id == activity_id)
        )
        if row is None:
            return None
        mailbox = await self._s.get(MailboxRow, row.mailbox_id) if row.mailbox_id else None
        return _activity(row, mailbox.address if mailbox else None, True)

    async def attachment_content(self, activity_id: int, position: int) -> bytes | None:
        if position < 0:
            return None
        content = await self._s.scalar(
            select(AttachmentRow.content)
            .where(AttachmentRow.activity_id == activity_id)
            .order_by(AttachmentRow.id)
            .offset(position)
            .limit(1)
        )
        return bytes(content) if content is not None else None

    async def count(self, mailbox_id: MailboxId | None = None) -> int:
        query = select(func.count(EmailActivityRow.id))
        if mailbox_id is not None:
            query = query.where(EmailActivityRow.mailbox_id == mailbox_id)
        return int(await self._s.scalar(query) or 0)


# What a folder can be regarding, and the column that names each.
_REGARDING_TABLES: dict[RecordType, tuple[Any, Any]] = {
    RecordType.ACCOUNT: (AccountRow, AccountRow.name),
    RecordType.CONTACT: (ContactRow, ContactRow.full_name),
    RecordType.LEAD: (LeadRow, LeadRow.full_name),
}
# What names any record an activity can link to (regarding, parties).
_NAMED_TABLES: dict[RecordType, tuple[Any, Any]] = {
    **_REGARDING_TABLES,
    RecordType.USER: (UserRow, UserRow.name),
    RecordType.QUEUE: (QueueRow, QueueRow.name),
}


class SqlRecords:
    """Resolving addresses to CRM records, in the order of precedence user > contact > account > lead."""

    def __init__(self, session: AsyncSession):
        self._s = session

    async def find_by_email(self, address: str) -> tuple[RecordType, int] | None:
        address = address.lower()
        for record_type, table in (
            (RecordType.USER, UserRow),
            (RecordType.CONTACT, ContactRow),
            (RecordType.ACCOUNT, AccountRow),
            (RecordType.LEAD, LeadRow),
        ):
            found = await self._s.scalar(
                select(table.id).where(func.lower(table.email) == address).order_by(table.id).limit(1)
            )
            if found is not None:
                return record_type, int(found)
        return None

    async def find_many_by_email(self, addresses: Sequence[str]) -> dict[str, tuple[RecordType, int]]:
        """Each address's CRM record, user > contact > account > lead: one query per kind for a batch."""
        wanted = {a.lower() for a in addresses}
        found: dict[str, tuple[RecordType, int]] = {}
        for record_type, table in (
            (RecordType.USER, UserRow),
            (RecordType.CONTACT, ContactRow),
            (RecordType.ACCOUNT, AccountRow),
            (RecordType.LEAD, LeadRow),
        ):
            missing = sorted(wanted - found.keys())
            if not missing:
                break
            rows = await self._s.execute(
                select(func.lower(table.email), table.id)
                .where(func.lower(table.email).in_(missing))
                .order_by(table.id.desc())
            )
            for address, record_id in rows:
                found[address] = (record_type, int(record_id))  # the lowest id wins (rows come highest first)
        return found

    async def exists(self, record_type: RecordType, record_id: int) -> bool:
        table = {
            RecordType.USER: UserRow,
            RecordType.CONTACT: ContactRow,
            RecordType.ACCOUNT: AccountRow,
            RecordType.LEAD: LeadRow,
        }.get(record_type)
        return table is not None and await self._s.get(table, record_id) is not None

    async def search(self, text: str, kinds: Sequence[RecordType], limit: int) -> Sequence[RecordChoice]:
        words = text.replace("\x00", "").strip().lower()  # a NUL would end SQLite's pattern (PostgreSQL refuses it)
        if not words or limit <= 0:
            return []
        pattern = "%" + words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        found: list[RecordChoice] = []
        for record_type in kinds:
            table, name = _REGARDING_TABLES[record_type]
            rows = await self._s.execute(
                select(table.id, name, table.email)
                .where(
                    or_(func.lower(name).like(pattern, escape="\\"), func.lower(table.email).like(pattern, escape="\\"))
                )
                .order_by(func.lower(name), table.id)
                .limit(limit)
            )
            found += [RecordChoice(record_type, int(i), str(n or ""), e) for i, n, e in rows]
        # the best first: names that start with what was typed, then by name
        found.sort(key=lambda c: (not c.name.lower().startswith(words), c.name.lower(), c.record_type.value))
        return found[:limit]

    async def choices(self, refs: Sequence[tuple[RecordType, int]]) -> dict[tuple[RecordType, int], RecordChoice]:
        found: dict[tuple[RecordType, int], RecordChoice] = {}
        for record_type in {kind for kind, _ in refs}:
            if record_type not in _NAMED_TABLES:
                continue
            table, name = _NAMED_TABLES[record_type]
            ids = sorted({record_id for kind, record_id in refs if kind is record_type})
            rows = await self._s.execute(select(table.id, name, table.email).where(table.id.in_(ids)))
            for record_id, record_name, email in rows:
                found[(record_type, int(record_id))] = RecordChoice(
                    record_type, int(record_id), str(record_name or ""), email
                )
        return found

    async def add_contact_from_email(self, address: str, display_name: str, owner: UserId | None) -> int:
        name = display_name.strip() or address
        first, _, last = name.partition(" ") if display_name.strip() else ("", "", "")
        row = ContactRow(
            full_name=name,
            first_name=first or None,
            last_name=last or None,
            email=address.lower(),
            owner_user_id=owner,
            created_from_email=True,
        )
        self._s.add(row)
        await self._s.flush()
        return row.id


def _cut(text: str | None, limit: int) -> str | None:
    return text.replace("\x00", "")[:limit] if text else None


def _failed(row: FailedItemRow) -> FailedItem:
    return FailedItem(
        id=FailedItemId(row.id),
        mailbox_id=MailboxId(row.mailbox_id),
        channel=Channel(row.channel),
        item_ref=row.item_ref,
        code=row.code,
        reason=row.reason,
        folder=row.folder,
        summary=row.summary,
        subject=row.subject,
        sender=row.sender,
        item_date=row.item_date,
        permanent=row.permanent,
        attempts=row.attempts,
        first_failed_at=row.first_failed_at,
        last_failed_at=row.last_failed_at,
        next_retry_at=row.next_retry_at,
        resolved=row.resolved_at is not None,
    )


class SqlFailedItems:
    def __init__(self, session: AsyncSession):
        self._s = session

    async def record(self, item: FailedItem) -> FailedItem:
        now = item.last_failed_at or dt.datetime.now(dt.UTC)
        changes = {
            "folder": item.folder,
            "summary": item.summary,
            "code": item.code,
            "reason": item.reason,
            "permanent": item.permanent,
            "last_failed_at": now,
            "next_retry_at": item.next_retry_at,
            "resolved_at": None,
        }
        # what names the item to a person; a retry that fails before the item is read knows less
        # than the first failure did, so a missing name keeps the one stored
        names = {
            "subject": _cut(item.subject, 500) or None,
            "sender": _cut(item.sender, 500) or None,
            "item_date": item.item_date,
        }
        key = {"mailbox_id": item.mailbox_id, "channel": item.channel.value, "item_ref": item.item_ref}
        statement = dialect_insert(self._s)(FailedItemRow).values(
            **key, **changes, **names, first_failed_at=now, attempts=1
        )
        kept = {name: func.coalesce(statement.excluded[name], getattr(FailedItemRow, name)) for name in names}
        await self._s.execute(
            statement.on_conflict_do_update(
                index_elements=list(key), set_={**changes, **kept, "attempts": FailedItemRow.attempts + 1}
            )
        )
        row = await self._s.scalar(
            select(FailedItemRow)
            .where(
                FailedItemRow.mailbox_id == item.mailbox_id,
                FailedItemRow.channel == item.channel.value,
                FailedItemRow.item_ref == item.item_ref,
            )
            .execution_options(populate_existing=True)
        )
        assert row is not None
        return _failed(row)

    async def list(
        self, *, mailbox_id: MailboxId | None = None, include_resolved: bool = False
    ) -> Sequence[FailedItem]:
        query = select(FailedItemRow).order_by(FailedItemRow.last_failed_at.desc(), FailedItemRow.id.desc())
        if mailbox_id is not None:
            query = query.where(FailedItemRow.mailbox_id == mailbox_id)
        if not include_resolved:
            query = query.where(FailedItemRow.resolved_at.is_(None))
        return [_failed(r) for r in await self._s.scalars(query)]

    async def get(self, item_id: FailedItemId) -> FailedItem | None:
        row = await self._s.get(FailedItemRow, item_id)
        return _failed(row) if row else None

    async def resolve(self, mailbox_id: MailboxId, channel: Channel, item_ref: str) -> None:
        await self._s.execute(
            update(FailedItemRow)
            .where(
                FailedItemRow.mailbox_id == mailbox_id,
                FailedItemRow.channel == channel.value,
                FailedItemRow.item_ref == item_ref,
                FailedItemRow.resolved_at.is_(None),
            )
            .values(resolved_at=dt.datetime.now(dt.UTC))
        )

    async def resolve_many(self, mailbox_id: MailboxId, channel: Channel, item_refs: Sequence[str]) -> None:
        if not item_refs:
            return
        await self._s.execute(
            update(FailedItemRow)
            .where(
                FailedItemRow.mailbox_id == mailbox_id,
                FailedItemRow.channel == channel.value,
                FailedItemRow.item_ref.in_(list(item_refs)),
                FailedItemRow.resolved_at.is_(None),
            )
            .values(resolved_at=dt.datetime.now(dt.UTC))
        )

    async def schedule_retry(self, item_id: FailedItemId, at: dt.datetime) -> None:
        await self._s.execute(update(FailedItemRow).where(FailedItemRow.id == item_id).values(next_retry_at=at))

    async def due_many(
        self, mailbox_ids: Sequence[MailboxId], now: dt.datetime
    ) -> dict[MailboxId, Sequence[FailedItem]]:
        if not mailbox_ids:
            return {}
        rows = await self._s.scalars(
            select(FailedItemRow).where(
                FailedItemRow.mailbox_id.in_(mailbox_ids),
                FailedItemRow.resolved_at.is_(None),
                FailedItemRow.next_retry_at.is_not(None),
                FailedItemRow.next_retry_at <= now,
            )
        )
        found: dict[MailboxId, Sequence[FailedItem]] = {}
        for r in rows:
            key = MailboxId(r.mailbox_id)
            found[key] = (*found.get(key, ()), _failed(r))
        return found

    async def due(self, mailbox_id: MailboxId, now: dt.datetime) -> Sequence[FailedItem]:
        rows = await self._s.scalars(
            select(FailedItemRow).where(
                FailedItemRow.mailbox_id == mailbox_id,
                FailedItemRow.resolved_at.is_(None),
                FailedItemRow.next_retry_at.is_not(None),
                FailedItemRow.next_retry_at <= now,
            )
        )
        return [_failed(r) for r in rows]


class SqlCounters:
    def __init__(self, session: AsyncSession):
        self._s = session

    async def save(self, values: Mapping[tuple[str, str], float]) -> None:
        if not values:
            return
        now = dt.datetime.now(dt.UTC)
        rows = [
            {"name": name, "labels": labels, "value": value, "updated_at": now}
            for (name, labels), value in values.items()
        ]
        statement = dialect_insert(self._s)(CounterRow)
        await self._s.execute(
            statement.on_conflict_do_update(
                index_elements=["name", "labels"],
                set_={"value": statement.excluded.value, "updated_at": statement.excluded.updated_at},
            ),
            rows,
        )

    async def load(self) -> dict[tuple[str, str], float]:
        rows = await self._s.scalars(select(CounterRow).execution_options(populate_existing=True))
        return {(r.name, r.labels): r.value for r in rows}


class SqlLeases:
    """Mailbox leases. On PostgreSQL rows are taken with FOR UPDATE SKIP LOCKED, so two engines
    claiming at the same moment never take the same mailbox and never wait on each other."""

    def __init__(self, session: AsyncSession):
        self._s = session

    async def heartbeat(self, owner: str, hostname: str, pid: int, now: dt.datetime) -> None:
        statement = dialect_insert(self._s)(EngineHostRow).values(
            owner=owner, hostname=hostname, pid=pid, started_at=now, heartbeat_at=now
        )
        await self._s.execute(
            statement.on_conflict_do_update(
                index_elements=["owner"], set_={"heartbeat_at": statement.excluded.heartbeat_at}
            )
        )

    async def live_hosts(self, since: dt.datetime) -> int:
        return int(
            await self._s.scalar(
                select(func.count()).select_from(EngineHostRow).where(EngineHostRow.heartbeat_at >= since)
            )
            or 0
        )

    async def live_owners(self, since: dt.datetime) -> Sequence[str]:
        rows = await self._s.scalars(select(EngineHostRow.owner).where(EngineHostRow.heartbeat_at >= since))
        return list(rows)

    async def claim(self, owner: str, now: dt.datetime, ttl: float, target: int) -> Sequence[MailboxId]:
        expires = now + dt.timedelta(seconds=ttl)
        # every mailbox has a lease row, so there is something to lock; engines racing to add the
        # same rows both succeed (ON CONFLICT DO NOTHING)
        missing = select(MailboxRow.id).where(~MailboxRow.id.in_(select(MailboxLeaseRow.mailbox_id)))
        new_rows = [{"mailbox_id": m, "owner": None, "expires_at": None} for m in await self._s.scalars(missing)]
        if new_rows:
            await self._s.execute(dialect_insert(self._s)(MailboxLeaseRow).on_conflict_do_nothing(), new_rows)
        # renew mine
        await self._s.execute(update(MailboxLeaseRow).where(MailboxLeaseRow.owner == owner).values(expires_at=expires))
        mine = list(
            await self._s.scalars(
                select(MailboxLeaseRow.mailbox_id)
                .where(MailboxLeaseRow.owner == owner)
                .order_by(MailboxLeaseRow.mailbox_id)
            )
        )
        if len(mine) > target:  # give back what is over my share, for the others to take
            extra = mine[target:]
            await self._s.execute(
                update(MailboxLeaseRow).where(MailboxLeaseRow.mailbox_id.in_(extra)).values(owner=None, expires_at=None)
            )
            mine = mine[:target]
        elif len(mine) < target:
            free = (
                select(MailboxLeaseRow)
                .where(or_(MailboxLeaseRow.owner.is_(None), MailboxLeaseRow.expires_at < now))
                .order_by(MailboxLeaseRow.mailbox_id)
                .limit(target - len(mine))
                .with_for_update(skip_locked=True)
            )
            for row in await self._s.scalars(free):
                row.owner = owner
                row.expires_at = expires
                mine.append(row.mailbox_id)
        await self._s.flush()
        return [MailboxId(m) for m in mine]

    async def release(self, owner: str) -> None:
        await self._s.execute(
            update(MailboxLeaseRow).where(MailboxLeaseRow.owner == owner).values(owner=None, expires_at=None)
        )
        await self._s.execute(delete(EngineHostRow).where(EngineHostRow.owner == owner))
