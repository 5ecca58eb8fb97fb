"""A mail server whose mailboxes are folders of .eml files: it outlives a killed engine process.

Each message file is named ``<uid>.eml``; the connector yields batches in UID order and pauses a
little per batch, so a test can kill the process in the middle of an import.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Mapping, Sequence
from pathlib import Path

from desktop_sync.domain.errors import PermanentError
from desktop_sync.domain.folders import ServerFolder
from desktop_sync.domain.model import Channel, Mailbox, Profile
from desktop_sync.domain.ports.connectors import Batch, ConnectionTest, Credentials, Cursor, RawMessage


class FileIncoming:
    def __init__(self, root: Path, mailbox: Mailbox, batch_size: int, pause: float):
        self.folder = root / mailbox.address
        self.batch_size = batch_size
        self.pause = pause

    def _uids(self) -> list[int]:
        return sorted(int(p.stem) for p in self.folder.glob("*.eml"))

    async def fetch(self, cursors: Mapping[str, str], since: dt.datetime | None, limit: int) -> AsyncIterator[Batch]:
        last = int(cursors.get("INBOX", "0"))
        pending = [uid for uid in self._uids() if uid > last][:limit]
        for start in range(0, len(pending), self.batch_size):
            chunk = pending[start : start + self.batch_size]
            await asyncio.sleep(self.pause)
            items = tuple(
                RawMessage(f"INBOX;{uid}", "INBOX", (self.folder / f"{uid}.eml").read_bytes()) for uid in chunk
            )
            yield Batch(items, Cursor("INBOX", str(chunk[-1])))

    async def fetch_item(self, server_id: str) -> RawMessage:
        path = self.folder / f"{server_id.split(';')[1]}.eml"
        if not path.exists():
            raise PermanentError(f"{server_id} is gone", code="item_not_found")
        return RawMessage(server_id, "INBOX", path.read_bytes())

    async def delete_committed(self, items: Sequence[RawMessage]) -> None:
        pass

    async def test(self) -> ConnectionTest:
        return ConnectionTest(())

    async def list_folders(self) -> list[ServerFolder]:
        return [ServerFolder("INBOX", "INBOX", "/")]

    def push(self) -> None:
        return None

    async def close(self) -> None:
        pass


class FileFactory:
    def __init__(self, root: Path, batch_size: int = 5, pause: float = 0.01):
        self.root = root
        self.batch_size = batch_size
        self.pause = pause

    def incoming(
        self, profile: Profile, mailbox: Mailbox, credentials: Credentials, folders: Sequence[str] = ()
    ) -> FileIncoming:
        return FileIncoming(self.root, mailbox, self.batch_size, self.pause)

    def outgoing(self, profile: Profile, mailbox: Mailbox, credentials: Credentials) -> FileIncoming:
        raise PermanentError("no outgoing here", code="not_supported")

    def act(self, profile: Profile, mailbox: Mailbox, credentials: Credentials) -> FileIncoming:
        raise PermanentError("no ACT here", code="not_supported")

    def supports(self, profile: Profile, channel: Channel) -> bool:
        return channel is Channel.INCOMING
