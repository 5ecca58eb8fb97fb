"""Tracked folders of mailboxes in the store."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from desktop_sync.domain.folders import TrackedFolder
from desktop_sync.domain.model import MailboxId, RecordType
from desktop_sync.store.models import TrackedFolderRow
from desktop_sync.store.writes import flush_unique


def _folder(row: TrackedFolderRow) -> TrackedFolder:
    regarding = None
    if row.regarding_type and row.regarding_id is not None:
        regarding = (RecordType(row.regarding_type), row.regarding_id)
    return TrackedFolder(MailboxId(row.mailbox_id), row.folder_id, row.folder_name, regarding, row.id)


class SqlTrackedFolders:
    def __init__(self, session: AsyncSession):
        self._s = session

    async def add(self, folder: TrackedFolder) -> TrackedFolder:
        row = TrackedFolderRow(
            mailbox_id=folder.mailbox_id,
            folder_id=folder.folder_id,
            folder_name=folder.folder_name,
            regarding_type=folder.regarding[0].value if folder.regarding else None,
            regarding_id=folder.regarding[1] if folder.regarding else None,
        )
        self._s.add(row)
        await flush_unique(self._s, "folder", f"{folder.folder_name} is already tracked")
        return _folder(row)

    async def rename(self, folder_row_id: int, new_name: str) -> None:
        await self._s.execute(
            update(TrackedFolderRow).where(TrackedFolderRow.id == folder_row_id).values(folder_name=new_name)
        )

    async def remove(self, folder_row_id: int) -> None:
        await self._s.execute(delete(TrackedFolderRow).where(TrackedFolderRow.id == folder_row_id))

    async def list(self, mailbox_id: MailboxId) -> Sequence[TrackedFolder]:
        rows = await self._s.scalars(
            select(TrackedFolderRow).where(TrackedFolderRow.mailbox_id == mailbox_id).order_by(TrackedFolderRow.id)
        )
        return [_folder(r) for r in rows]

    async def for_mailboxes(self, mailbox_ids: Sequence[MailboxId]) -> dict[MailboxId, Sequence[TrackedFolder]]:
        if not mailbox_ids:
            return {}
        rows = await self._s.scalars(select(TrackedFolderRow).where(TrackedFolderRow.mailbox_id.in_(mailbox_ids)))
        found: dict[MailboxId, Sequence[TrackedFolder]] = {}
        for row in rows:
            key = MailboxId(row.mailbox_id)
            found[key] = (*found.get(key, ()), _folder(row))
        return found
