"""Engine heartbeats and mailbox leases, so that several engines share the mailboxes on PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from desktop_sync.domain.model import MailboxId
from desktop_sync.store.models import EngineHostRow, MailboxLeaseRow, MailboxRow
from desktop_sync.store.writes import dialect_insert


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
