"""The ledger of failed items: what could not be processed, why, and when it is tried again."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from desktop_sync.domain.model import Channel, FailedItem, FailedItemId, MailboxId
from desktop_sync.store.mapping import from_row
from desktop_sync.store.models import FailedItemRow
from desktop_sync.store.writes import dialect_insert


def _cut(text: str | None, limit: int) -> str | None:
    return text.replace("\x00", "")[:limit] if text else None


def _failed(row: FailedItemRow) -> FailedItem:
    return from_row(
        row,
        FailedItem,
        id=FailedItemId(row.id),
        mailbox_id=MailboxId(row.mailbox_id),
        channel=Channel(row.channel),
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
