"""Users' sync filters in the store."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from desktop_sync.domain.errors import ValidationError
from desktop_sync.domain.model import RecordType, UserId
from desktop_sync.domain.sync_filters import SyncFilter, group_from_json, group_to_json
from desktop_sync.store.models import SyncFilterRow
from desktop_sync.store.writes import flush_unique


def _filter(row: SyncFilterRow) -> SyncFilter:
    return SyncFilter(
        id=row.id,
        user_id=UserId(row.user_id),
        record_type=RecordType(row.record_type),
        name=row.name,
        group=group_from_json(row.rules),
        active=row.active,
    )


class SqlSyncFilters:
    def __init__(self, session: AsyncSession):
        self._s = session

    async def add(self, sync_filter: SyncFilter) -> SyncFilter:
        row = SyncFilterRow(
            user_id=sync_filter.user_id,
            record_type=sync_filter.record_type.value,
            name=sync_filter.name,
            active=sync_filter.active,
            rules=group_to_json(sync_filter.group),
        )
        self._s.add(row)
        await flush_unique(self._s, "name", f"a {sync_filter.record_type.value} filter named {sync_filter.name!r}")
        return _filter(row)

    async def update(self, sync_filter: SyncFilter) -> SyncFilter:
        row = await self._s.get(SyncFilterRow, sync_filter.id)
        if row is None:
            raise ValidationError.single("id", f"no filter {sync_filter.id}")
        row.name = sync_filter.name
        row.active = sync_filter.active
        row.rules = group_to_json(sync_filter.group)
        await flush_unique(self._s, "name", f"a filter named {sync_filter.name!r}")
        return _filter(row)

    async def get(self, filter_id: int) -> SyncFilter | None:
        row = await self._s.get(SyncFilterRow, filter_id)
        return _filter(row) if row else None

    async def delete(self, filter_id: int) -> bool:
        result = await self._s.execute(delete(SyncFilterRow).where(SyncFilterRow.id == filter_id))
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def list(
        self, *, user_id: UserId | None = None, record_type: RecordType | None = None
    ) -> Sequence[SyncFilter]:
        query = select(SyncFilterRow).order_by(SyncFilterRow.user_id, SyncFilterRow.record_type, SyncFilterRow.name)
        if user_id is not None:
            query = query.where(SyncFilterRow.user_id == user_id)
        if record_type is not None:
            query = query.where(SyncFilterRow.record_type == record_type.value)
        return [_filter(r) for r in await self._s.scalars(query)]
