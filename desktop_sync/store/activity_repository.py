"""Email activities: the incoming mail committed by the engine, with parties, attachments and links."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import defer, selectinload

from desktop_sync.domain.correlation import CorrelationMethod
from desktop_sync.domain.mail import Attachment, Party
from desktop_sync.domain.model import (
    ActivityAttachment,
    ActivityId,
    ActivityParty,
    ActivityStatus,
    Direction,
    EmailActivity,
    MailboxId,
    PartyRole,
    RecordType,
)
from desktop_sync.domain.ports import IncomingEmail
from desktop_sync.store.models import ActivityPartyRow, AttachmentRow, EmailActivityRow, ItemLinkRow, MailboxRow

EMAIL = "email"
IN_REPLY_TO = CorrelationMethod.IN_REPLY_TO.value
# the tables themselves, for Core bulk inserts (executemany: one statement for a batch)
_ACTIVITIES = cast(Table, EmailActivityRow.__table__)
_PARTIES = cast(Table, ActivityPartyRow.__table__)
_ATTACHMENTS = cast(Table, AttachmentRow.__table__)
_LINKS = cast(Table, ItemLinkRow.__table__)


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
