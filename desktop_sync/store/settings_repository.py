"""The application settings every engine on the store shares, one row per key, values as JSON."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from desktop_sync.store.models import AppSettingRow
from desktop_sync.store.writes import dialect_insert


class SqlAppSettings:
    def __init__(self, session: AsyncSession):
        self._s = session

    async def all(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for row in await self._s.scalars(select(AppSettingRow).execution_options(populate_existing=True)):
            try:
                values[row.key] = json.loads(row.value)
            except ValueError:
                continue  # written by hand or by something else: the setting's default applies
        return values

    async def put(self, values: Mapping[str, Any]) -> None:
        """One upsert: two admins saving the same new setting at once both succeed (the last one wins)."""
        if not values:
            return
        now = dt.datetime.now(dt.UTC)
        rows = [{"key": key, "value": json.dumps(value), "modified_at": now} for key, value in values.items()]
        statement = dialect_insert(self._s)(AppSettingRow)
        await self._s.execute(
            statement.on_conflict_do_update(
                index_elements=["key"],
                set_={"value": statement.excluded.value, "modified_at": statement.excluded.modified_at},
            ),
            rows,
        )
