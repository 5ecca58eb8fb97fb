"""The application settings every engine on the store shares, one row per key, values as JSON."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from desktop_sync.store.models import AppSettingRow


class SqlAppSettings:
    def __init__(self, session: AsyncSession):
        self._s = session

    async def all(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for row in await self._s.scalars(select(AppSettingRow)):
            try:
                values[row.key] = json.loads(row.value)
            except ValueError:
                continue  # written by hand or by something else: the setting's default applies
        return values

    async def put(self, values: Mapping[str, Any]) -> None:
        for key, value in values.items():
            encoded = json.dumps(value)
            row = await self._s.get(AppSettingRow, key)
            if row is None:
                self._s.add(AppSettingRow(key=key, value=encoded))
            else:
                row.value = encoded
        await self._s.flush()
