"""The server cursors: where each mailbox's folders were read up to."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from desktop_sync.domain.model import Channel, MailboxId
from desktop_sync.store.models import ServerCursorRow
from desktop_sync.store.writes import dialect_insert


class SqlCursors:
    def __init__(self, session: AsyncSession):
        self._s = session

    async def get_all(self, mailbox_id: MailboxId, channel: Channel) -> dict[str, str]:
        rows = await self._s.scalars(
            select(ServerCursorRow)
            .where(ServerCursorRow.mailbox_id == mailbox_id, ServerCursorRow.channel == channel.value)
            .execution_options(populate_existing=True)  # set() writes with an upsert, past the session
        )
        return {r.folder: r.value for r in rows}

    async def get_many(self, mailbox_ids: Sequence[MailboxId], channel: Channel) -> dict[MailboxId, dict[str, str]]:
        if not mailbox_ids:
            return {}
        rows = await self._s.scalars(
            select(ServerCursorRow)
            .where(ServerCursorRow.mailbox_id.in_(mailbox_ids), ServerCursorRow.channel == channel.value)
            .execution_options(populate_existing=True)
        )
        found: dict[MailboxId, dict[str, str]] = {}
        for r in rows:
            found.setdefault(MailboxId(r.mailbox_id), {})[r.folder] = r.value
        return found

    async def set(self, mailbox_id: MailboxId, channel: Channel, folder: str, value: str) -> None:
        statement = dialect_insert(self._s)(ServerCursorRow).values(
            mailbox_id=mailbox_id, channel=channel.value, folder=folder, value=value
        )
        await self._s.execute(
            statement.on_conflict_do_update(
                index_elements=["mailbox_id", "channel", "folder"], set_={"value": statement.excluded.value}
            )
        )

    async def rename(self, mailbox_id: MailboxId, channel: Channel, old: str, new: str) -> None:
        """A renamed folder keeps its place: its cursor moves to the new name."""
        await self._s.execute(
            update(ServerCursorRow)
            .where(
                ServerCursorRow.mailbox_id == mailbox_id,
                ServerCursorRow.channel == channel.value,
                ServerCursorRow.folder == old,
            )
            .values(folder=new)
        )

    async def clear(self, mailbox_id: MailboxId, channel: Channel, folder: str) -> None:
        await self._s.execute(
            delete(ServerCursorRow).where(
                ServerCursorRow.mailbox_id == mailbox_id,
                ServerCursorRow.channel == channel.value,
                ServerCursorRow.folder == folder,
            )
        )
