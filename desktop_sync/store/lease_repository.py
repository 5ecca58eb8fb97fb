"""Engine hosts and mailbox leases, so that several engines share the mailboxes on PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Sequence

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from desktop_sync.domain.hosts import EngineHost
from desktop_sync.domain.model import MailboxId
from desktop_sync.store.models import (
    ConnectionSlotRow,
    ConnectionWaitRow,
    EngineHostRow,
    MailboxLeaseRow,
    MailboxRow,
    ProfileRow,
)
from desktop_sync.store.writes import dialect_insert


class SqlLeases:
    """Hosts' heartbeats and mailbox leases. On PostgreSQL lease rows are taken with FOR UPDATE SKIP
    LOCKED, so two engines claiming at the same moment never take the same mailbox and never wait
    on each other."""

    def __init__(self, session: AsyncSession):
        self._s = session

    async def heartbeat(self, owner: str, hostname: str, pid: int, now: dt.datetime, expires: dt.datetime) -> None:
        statement = dialect_insert(self._s)(EngineHostRow).values(
            owner=owner, hostname=hostname, pid=pid, started_at=now, heartbeat_at=now, expires_at=expires
        )
        await self._s.execute(
            statement.on_conflict_do_update(
                index_elements=["owner"],
                set_={"heartbeat_at": statement.excluded.heartbeat_at, "expires_at": statement.excluded.expires_at},
            )
        )

    async def live_hosts(self, now: dt.datetime) -> int:
        return int(
            await self._s.scalar(select(func.count()).select_from(EngineHostRow).where(EngineHostRow.expires_at >= now))
            or 0
        )

    async def live_owners(self, now: dt.datetime) -> Sequence[str]:
        return list(
            await self._s.scalars(
                select(EngineHostRow.owner)
                .where(EngineHostRow.expires_at >= now)
                .order_by(EngineHostRow.started_at, EngineHostRow.owner)
            )
        )

    async def claim(
        self,
        owner: str,
        now: dt.datetime,
        expires: dt.datetime,
        candidates: Collection[MailboxId],
        target: int,
        busy: Collection[MailboxId] = (),
    ) -> Sequence[MailboxId]:
        """Renew this owner's leases of ``candidates`` and take free or expired ones up to ``target``;
        past it, give back down to ``target`` (never a ``busy`` one). Leases of mailboxes that are no
        longer candidates are given back unless busy. Returns the mailboxes held afterwards."""
        wanted = set(candidates)
        # every candidate has a lease row, so there is something to lock; engines racing to add the
        # same rows both succeed (ON CONFLICT DO NOTHING)
        have = set(await self._s.scalars(select(MailboxLeaseRow.mailbox_id)))
        new_rows = [{"mailbox_id": m, "owner": None, "expires_at": None} for m in sorted(wanted - have)]
        if new_rows:
            await self._s.execute(dialect_insert(self._s)(MailboxLeaseRow).on_conflict_do_nothing(), new_rows)
        held = list(
            await self._s.scalars(
                select(MailboxLeaseRow.mailbox_id)
                .where(MailboxLeaseRow.owner == owner)
                .order_by(MailboxLeaseRow.mailbox_id)
            )
        )
        busy_set = set(busy)
        giving = [m for m in held if m not in wanted and m not in busy_set]
        mine = [m for m in held if m not in giving]
        if len(mine) > target:  # over my share: the newest go back first, never one that is working
            idle = [m for m in reversed(mine) if m not in busy_set]
            surplus = idle[: len(mine) - target]
            giving += surplus
            mine = [m for m in mine if m not in set(surplus)]
        if giving:
            await self._free(giving)
        if mine:
            await self._s.execute(
                update(MailboxLeaseRow).where(MailboxLeaseRow.mailbox_id.in_(mine)).values(expires_at=expires)
            )
        if len(mine) < target and wanted:
            free = (
                select(MailboxLeaseRow)
                .where(
                    MailboxLeaseRow.mailbox_id.in_(wanted),
                    or_(MailboxLeaseRow.owner.is_(None), MailboxLeaseRow.expires_at < now),
                )
                .order_by(MailboxLeaseRow.mailbox_id)
                .limit(target - len(mine))
                .with_for_update(skip_locked=True)
            )
            lost: set[str] = set()
            for row in await self._s.scalars(free):
                if row.owner is not None and row.owner != owner:
                    lost.add(row.owner)
                row.owner = owner
                row.expires_at = expires
                mine.append(MailboxId(row.mailbox_id))
            if lost:  # say when a lost host's mailboxes were taken over (the first time)
                await self._s.execute(
                    update(EngineHostRow)
                    .where(EngineHostRow.owner.in_(lost), EngineHostRow.taken_over_at.is_(None))
                    .values(taken_over_at=now)
                )
        await self._s.flush()
        return [MailboxId(m) for m in mine]

    async def _free(self, mailbox_ids: Sequence[int]) -> None:
        await self._s.execute(
            update(MailboxLeaseRow)
            .where(MailboxLeaseRow.mailbox_id.in_(mailbox_ids))
            .values(owner=None, expires_at=None)
        )

    async def release(self, owner: str) -> None:
        """A host going away cleanly: its leases and connection slots free at once, its row gone."""
        await self._s.execute(
            update(MailboxLeaseRow).where(MailboxLeaseRow.owner == owner).values(owner=None, expires_at=None)
        )
        await self._s.execute(
            update(ConnectionSlotRow).where(ConnectionSlotRow.holder == owner).values(holder=None, expires_at=None)
        )
        await self._s.execute(delete(ConnectionWaitRow).where(ConnectionWaitRow.holder == owner))
        await self._s.execute(delete(EngineHostRow).where(EngineHostRow.owner == owner))

    async def forget_lost(self, before: dt.datetime) -> None:
        """Hosts lost before ``before`` leave the list, once nothing of theirs is held any more."""
        holding = select(MailboxLeaseRow.owner).where(MailboxLeaseRow.owner.is_not(None))
        await self._s.execute(
            delete(EngineHostRow).where(EngineHostRow.expires_at < before, EngineHostRow.owner.not_in(holding))
        )

    async def hosts(self) -> Sequence[EngineHost]:
        """Every host the store knows, running or lost, with the leases and connection slots it holds."""
        leases = dict(
            (owner, int(count))
            for owner, count in (
                await self._s.execute(
                    select(MailboxLeaseRow.owner, func.count())
                    .where(MailboxLeaseRow.owner.is_not(None))
                    .group_by(MailboxLeaseRow.owner)
                )
            ).all()
        )
        connections: dict[str, dict[str, int]] = defaultdict(dict)
        by_profile = (
            select(ConnectionSlotRow.holder, ProfileRow.name, func.count())
            .join(ProfileRow, and_(ConnectionSlotRow.scope == "profile", ConnectionSlotRow.key_id == ProfileRow.id))
            .where(ConnectionSlotRow.holder.is_not(None))
            .group_by(ConnectionSlotRow.holder, ProfileRow.name)
        )
        by_mailbox = (
            select(ConnectionSlotRow.holder, ProfileRow.name, func.count())
            .join(MailboxRow, and_(ConnectionSlotRow.scope == "mailbox", ConnectionSlotRow.key_id == MailboxRow.id))
            .join(ProfileRow, MailboxRow.profile_id == ProfileRow.id)
            .where(ConnectionSlotRow.holder.is_not(None))
            .group_by(ConnectionSlotRow.holder, ProfileRow.name)
        )
        for query in (by_profile, by_mailbox):
            for holder, name, count in (await self._s.execute(query)).all():
                held = connections[str(holder)]
                held[name] = held.get(name, 0) + int(count)
        rows = await self._s.scalars(select(EngineHostRow).order_by(EngineHostRow.started_at, EngineHostRow.owner))
        return [
            EngineHost(
                owner=row.owner,
                hostname=row.hostname,
                pid=row.pid,
                started_at=row.started_at,
                heartbeat_at=row.heartbeat_at,
                expires_at=row.expires_at,
                taken_over_at=row.taken_over_at,
                mailboxes=leases.get(row.owner, 0),
                connections=dict(sorted(connections.get(row.owner, {}).items())),
            )
            for row in rows
        ]
