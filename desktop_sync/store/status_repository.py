"""Each mailbox's synchronization status, written by the engine and read by the GUI and the CLI."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from desktop_sync.domain.model import MailboxId, MailboxState, SyncStatus
from desktop_sync.store.mapping import from_row
from desktop_sync.store.models import MailboxStatusRow
from desktop_sync.store.writes import dialect_insert

SYNC_NOW_CHANNEL = "desktop_sync_now"  # PostgreSQL NOTIFY channel: a mailbox's id, asked to sync now


def _status(row: MailboxStatusRow) -> SyncStatus:
    return from_row(
        row,
        SyncStatus,
        mailbox_id=MailboxId(row.mailbox_id),
        state=MailboxState(row.state),
        import_base=row.import_base or 0,
    )


class SqlStatus:
    def __init__(self, session: AsyncSession):
        self._s = session

    async def get(self, mailbox_id: MailboxId) -> SyncStatus:
        row = await self._s.get(MailboxStatusRow, mailbox_id, populate_existing=True)
        return _status(row) if row else SyncStatus(mailbox_id)

    async def save(self, status: SyncStatus) -> None:
        await self.save_many([status])

    async def save_many(self, statuses: Sequence[SyncStatus]) -> None:
        """One upsert for them all: this runs after every cycle of every mailbox, so it must be cheap.

        sync_requested_at is written by request_sync and cleared by take_sync_requests only.
        """
        if not statuses:
            return
        rows = [
            {
                "mailbox_id": status.mailbox_id,
                "state": status.state.value,
                "last_sync_at": status.last_sync_at,
                "next_sync_at": status.next_sync_at,
                "interval_seconds": status.interval_seconds,
                "items_synced": status.items_synced,
                "failure_count": status.failure_count,
                "last_error_code": status.last_error_code,
                "last_error": status.last_error,
                "backoff_until": status.backoff_until,
                "import_done": status.import_done,
                "import_total": status.import_total,
                "import_base": status.import_base,
                "import_started_at": status.import_started_at,
                "import_eta_at": status.import_eta_at,
            }
            for status in statuses
        ]
        statement = dialect_insert(self._s)(MailboxStatusRow)
        updated = {name: statement.excluded[name] for name in rows[0] if name != "mailbox_id"}
        await self._s.execute(statement.on_conflict_do_update(index_elements=["mailbox_id"], set_=updated), rows)

    async def list(self) -> Sequence[SyncStatus]:
        return [_status(r) for r in await self._s.scalars(select(MailboxStatusRow))]

    async def get_many(self, mailbox_ids: Sequence[MailboxId]) -> dict[MailboxId, SyncStatus]:
        if not mailbox_ids:
            return {}
        rows = await self._s.scalars(
            select(MailboxStatusRow)
            .where(MailboxStatusRow.mailbox_id.in_(mailbox_ids))
            .execution_options(populate_existing=True)
        )
        found = {MailboxId(r.mailbox_id): _status(r) for r in rows}
        return {m: found.get(m) or SyncStatus(m) for m in mailbox_ids}

    async def request_sync(self, mailbox_id: MailboxId, at: dt.datetime) -> None:
        """Sync now from any process: creates the status if the engine has not written it yet."""
        statement = dialect_insert(self._s)(MailboxStatusRow).values(
            mailbox_id=mailbox_id,
            state=MailboxState.IDLE.value,
            items_synced=0,
            failure_count=0,
            import_base=0,
            sync_requested_at=at,
        )
        await self._s.execute(
            statement.on_conflict_do_update(
                index_elements=["mailbox_id"], set_={"sync_requested_at": statement.excluded.sync_requested_at}
            )
        )
        if self._s.get_bind().dialect.name == "postgresql":  # the engine holding it hears it at commit
            await self._s.execute(select(func.pg_notify(SYNC_NOW_CHANNEL, str(mailbox_id))))

    async def take_sync_requests(self, mailbox_ids: Sequence[MailboxId]) -> Sequence[MailboxId]:
        if not mailbox_ids:
            return []
        rows = await self._s.scalars(
            select(MailboxStatusRow.mailbox_id).where(
                MailboxStatusRow.sync_requested_at.is_not(None), MailboxStatusRow.mailbox_id.in_(mailbox_ids)
            )
        )
        found = [MailboxId(r) for r in rows]
        if found:
            await self._s.execute(
                update(MailboxStatusRow).where(MailboxStatusRow.mailbox_id.in_(found)).values(sync_requested_at=None)
            )
        return found
