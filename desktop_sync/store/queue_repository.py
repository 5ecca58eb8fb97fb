"""CRM queues."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from desktop_sync.domain.model import Queue, QueueId
from desktop_sync.store.models import QueueRow
from desktop_sync.store.writes import flush_unique


def _queue(row: QueueRow) -> Queue:
    return Queue(id=QueueId(row.id), email=row.email, name=row.name, crm_id=row.crm_id)


class SqlQueues:
    def __init__(self, session: AsyncSession):
        self._s = session

    async def add(self, queue: Queue) -> Queue:
        row = QueueRow(email=queue.email, name=queue.name, crm_id=queue.crm_id)
        self._s.add(row)
        await flush_unique(self._s, "email", f"a queue {queue.email!r} or CRM id")
        return _queue(row)

    async def get(self, queue_id: QueueId) -> Queue | None:
        row = await self._s.get(QueueRow, queue_id)
        return _queue(row) if row else None

    async def by_email(self, email: str) -> Queue | None:
        row = await self._s.scalar(select(QueueRow).where(QueueRow.email == email.lower()))
        return _queue(row) if row else None

    async def by_crm_id(self, crm_id: str) -> Queue | None:
        row = await self._s.scalar(select(QueueRow).where(QueueRow.crm_id == crm_id.lower()))
        return _queue(row) if row else None

    async def list(self) -> Sequence[Queue]:
        return [_queue(r) for r in await self._s.scalars(select(QueueRow).order_by(QueueRow.email))]
