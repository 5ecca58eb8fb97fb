"""Connection slots: a profile's (or a mailbox's) connection limit held for every engine host together.

A limit of N is N rows numbered 0..N-1; a host takes a free (or expired) row with FOR UPDATE SKIP
LOCKED before it opens a connection, renews its rows with its heartbeat and frees them when the
connection closes (or when it stops). A dead host's rows expire by themselves. Rows numbered past a
lowered limit are never taken again.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from desktop_sync.domain.ports.connectors import ThrottleKey
from desktop_sync.store.models import ConnectionSlotRow
from desktop_sync.store.writes import dialect_insert


class SqlSlots:
    def __init__(self, session: AsyncSession):
        self._s = session

    async def take(
        self, holder: str, key: ThrottleKey, limit: int, wanted: int, now: dt.datetime, expires: dt.datetime
    ) -> int:
        """Take up to ``wanted`` free slots of ``key``'s ``limit``; how many were taken."""
        if wanted <= 0:
            return 0
        rows = [
            {"scope": key.scope, "key_id": key.id, "number": n, "holder": None, "expires_at": None}
            for n in range(limit)
        ]
        await self._s.execute(dialect_insert(self._s)(ConnectionSlotRow).on_conflict_do_nothing(), rows)
        free = (
            select(ConnectionSlotRow)
            .where(
                ConnectionSlotRow.scope == key.scope,
                ConnectionSlotRow.key_id == key.id,
                ConnectionSlotRow.number < limit,
                or_(ConnectionSlotRow.holder.is_(None), ConnectionSlotRow.expires_at < now),
            )
            .order_by(ConnectionSlotRow.number)
            .limit(wanted)
            .with_for_update(skip_locked=True)
        )
        taken = 0
        for row in await self._s.scalars(free):
            row.holder = holder
            row.expires_at = expires
            taken += 1
        await self._s.flush()
        return taken

    async def give_back(self, holder: str, key: ThrottleKey, count: int) -> None:
        if count <= 0:
            return
        mine = (
            select(ConnectionSlotRow.number)
            .where(
                ConnectionSlotRow.scope == key.scope,
                ConnectionSlotRow.key_id == key.id,
                ConnectionSlotRow.holder == holder,
            )
            .order_by(ConnectionSlotRow.number.desc())
            .limit(count)
        )
        numbers = list(await self._s.scalars(mine))
        if numbers:
            await self._s.execute(
                update(ConnectionSlotRow)
                .where(
                    ConnectionSlotRow.scope == key.scope,
                    ConnectionSlotRow.key_id == key.id,
                    ConnectionSlotRow.number.in_(numbers),
                )
                .values(holder=None, expires_at=None)
            )

    async def renew(self, holder: str, expires: dt.datetime) -> None:
        await self._s.execute(
            update(ConnectionSlotRow).where(ConnectionSlotRow.holder == holder).values(expires_at=expires)
        )

    async def held(self, holder: str) -> dict[ThrottleKey, int]:
        rows = await self._s.execute(
            select(ConnectionSlotRow.scope, ConnectionSlotRow.key_id, func.count())
            .where(ConnectionSlotRow.holder == holder)
            .group_by(ConnectionSlotRow.scope, ConnectionSlotRow.key_id)
        )
        return {ThrottleKey(scope, key_id): int(count) for scope, key_id, count in rows.all()}

    async def in_use(self, key: ThrottleKey, now: dt.datetime) -> int:
        """Slots of ``key`` held now, by every host."""
        return int(
            await self._s.scalar(
                select(func.count())
                .select_from(ConnectionSlotRow)
                .where(
                    ConnectionSlotRow.scope == key.scope,
                    ConnectionSlotRow.key_id == key.id,
                    ConnectionSlotRow.holder.is_not(None),
                    ConnectionSlotRow.expires_at >= now,
                )
            )
            or 0
        )
