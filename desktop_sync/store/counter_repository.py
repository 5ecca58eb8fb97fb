"""The engine's counters, added to with one upsert per counter."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from desktop_sync.store.models import CounterRow
from desktop_sync.store.writes import dialect_insert


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
