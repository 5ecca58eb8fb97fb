"""Connection slots: a profile's (or a mailbox's) connection limit held for every engine host together.

A limit of N is N rows numbered 0..N-1; a host takes a free (or expired) row with FOR UPDATE SKIP
LOCKED before it opens a connection, renews its rows with its heartbeat and frees them when the
connection closes (or when it stops), takeable again a moment later (``CLOSE_GRACE`` in
``engine/budget.py``: a server sees a closed connection go a little after the client closed it). A
dead host's rows expire by themselves. Rows numbered past a
lowered limit are never taken again. Push listeners take only the lower half of the rows, so they
never hold every slot of a limit; other connections take the highest free row first.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from desktop_sync.domain.ports.connectors import ThrottleKey
from desktop_sync.store.models import ConnectionSlotRow, ConnectionWaitRow
from desktop_sync.store.writes import dialect_insert


class SqlSlots:
    def __init__(self, session: AsyncSession):
        self._s = session

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
        """Take up to ``wanted`` free slots of ``key``'s ``limit``; how many were taken."""
        if wanted <= 0:
            return 0
        rows = [
            {"scope": key.scope, "key_id": key.id, "number": n, "holder": None, "expires_at": None}
            for n in range(limit)
        ]
        await self._s.execute(dialect_insert(self._s)(ConnectionSlotRow).on_conflict_do_nothing(), rows)
        top = limit // 2 if listener else limit
        free = (
            select(ConnectionSlotRow)
            .where(
                ConnectionSlotRow.scope == key.scope,
                ConnectionSlotRow.key_id == key.id,
                ConnectionSlotRow.number < top,
                or_(ConnectionSlotRow.expires_at.is_(None), ConnectionSlotRow.expires_at < now),
            )
            .order_by(ConnectionSlotRow.number if listener else ConnectionSlotRow.number.desc())
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

    async def give_back(self, holder: str, key: ThrottleKey, count: int, free_at: dt.datetime | None = None) -> None:
        """Free ``count`` of this holder's slots of ``key``, the highest numbers first, for others to
        take from ``free_at`` on (the server may take a moment to see the connection closed)."""
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
                .values(holder=None, expires_at=free_at)
            )

    async def renew(self, holder: str, expires: dt.datetime) -> None:
        await self._s.execute(
            update(ConnectionSlotRow).where(ConnectionSlotRow.holder == holder).values(expires_at=expires)
        )

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

    async def wait(self, holder: str, key: ThrottleKey, now: dt.datetime) -> None:
        """This holder waits for a slot of ``key`` (said again while it waits)."""
        statement = dialect_insert(self._s)(ConnectionWaitRow).values(
            scope=key.scope, key_id=key.id, holder=holder, since=now
        )
        await self._s.execute(
            statement.on_conflict_do_update(
                index_elements=["scope", "key_id", "holder"], set_={"since": statement.excluded.since}
            )
        )

    async def stop_waiting(self, holder: str, key: ThrottleKey) -> None:
        await self._s.execute(
            delete(ConnectionWaitRow).where(
                ConnectionWaitRow.scope == key.scope,
                ConnectionWaitRow.key_id == key.id,
                ConnectionWaitRow.holder == holder,
            )
        )

    async def waited_for(self, holder: str, since: dt.datetime) -> set[ThrottleKey]:
        """Limits other holders have waited for since ``since``; older waits (a dead waiter's) go."""
        await self._s.execute(delete(ConnectionWaitRow).where(ConnectionWaitRow.since < since))
        rows = await self._s.execute(
            select(ConnectionWaitRow.scope, ConnectionWaitRow.key_id).where(ConnectionWaitRow.holder != holder)
        )
        return {ThrottleKey(scope, key_id) for scope, key_id in rows.all()}
