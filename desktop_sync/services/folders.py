"""Folder-level tracking: the mailbox's folders from the server, and the ones whose mail is tracked."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from desktop_sync.domain.errors import NotFoundError, ValidationError
from desktop_sync.domain.folders import (
    MAX_TRACKED_FOLDERS,
    REGARDING_SEARCH_LIMIT,
    REGARDING_TYPES,
    RecordChoice,
    ServerFolder,
    TrackedFolder,
)
from desktop_sync.domain.model import Mailbox, Profile, RecordType
from desktop_sync.domain.ports import SecretStore, Store, TokenIssuer, Transaction
from desktop_sync.domain.ports.connectors import ConnectorFactory
from desktop_sync.domain.validation import normalize_address
from desktop_sync.engine.cycle import resolve_credentials


@dataclass(frozen=True, slots=True)
class FolderView:
    folder: ServerFolder
    tracked: TrackedFolder | None
    regarding: RecordChoice | None = None  # the tracked folder's regarding record, by name

    @property
    def trackable(self) -> bool:
        return self.folder.selectable and self.folder.is_under_inbox()


class FolderService:
    def __init__(
        self, store: Store, connectors: ConnectorFactory, secrets: SecretStore, tokens: TokenIssuer | None = None
    ):
        self._tokens = tokens  # an OAuth profile's access tokens
        self._store = store
        self._connectors = connectors
        self._secrets = secrets

    async def _mailbox(self, address: str) -> tuple[Mailbox, Profile]:
        async with self._store.transaction() as tx:
            mailbox = await tx.mailboxes.by_address(normalize_address(address, "address"))
            if mailbox is None:
                raise NotFoundError("address", f"no mailbox {address}")
            profile = await tx.profiles.get(mailbox.profile_id)
            assert profile is not None
        return mailbox, profile

    async def server_folders(self, address: str) -> Sequence[FolderView]:
        """The mailbox's folder tree, read from the server now, with what is tracked."""
        mailbox, profile = await self._mailbox(address)
        credentials = await resolve_credentials(self._secrets, profile, mailbox, self._tokens)
        connector = self._connectors.incoming(profile, mailbox, credentials)
        try:
            folders = await connector.list_folders()
        finally:
            await connector.close()
        tracked = {f.folder_id: f for f in await self.tracked(address)}
        refs = [f.regarding for f in tracked.values() if f.regarding is not None]
        async with self._store.transaction() as tx:
            names = await tx.records.choices(refs) if refs else {}
        views = []
        for f in sorted(folders, key=lambda f: f.name.lower()):
            rule = tracked.get(f.id)
            choice = names.get(rule.regarding) if rule is not None and rule.regarding is not None else None
            views.append(FolderView(f, rule, choice))
        return views

    async def search_regarding(self, text: str, limit: int = REGARDING_SEARCH_LIMIT) -> Sequence[RecordChoice]:
        """Accounts, contacts and leads whose name or email contains ``text``, for the regarding picker."""
        async with self._store.transaction() as tx:
            return await tx.records.search(text, sorted(REGARDING_TYPES, key=lambda t: t.value), limit)

    async def tracked(self, address: str) -> Sequence[TrackedFolder]:
        mailbox, _ = await self._mailbox(address)
        assert mailbox.id is not None
        async with self._store.transaction() as tx:
            return await tx.tracked_folders.list(mailbox.id)

    async def track(
        self, address: str, folder_name: str, regarding: tuple[RecordType, int] | None = None
    ) -> TrackedFolder:
        """Track the mail of ``folder_name`` (a folder under the Inbox); at most 25 per mailbox."""
        views = await self.server_folders(address)
        view = next((v for v in views if v.folder.name == folder_name), None)
        if view is None:
            names = ", ".join(v.folder.name for v in views if v.trackable) or "none yet"
            raise ValidationError.single("folder", f"no folder {folder_name!r} on the server (under Inbox: {names})")
        if not view.trackable:
            raise ValidationError.single("folder", f"{folder_name!r} is not a folder under the Inbox")
        if view.tracked is not None:
            raise ValidationError.single("folder", f"{folder_name!r} is already tracked")
        mailbox, _ = await self._mailbox(address)
        assert mailbox.id is not None
        async with self._store.transaction() as tx:
            if len(await tx.tracked_folders.list(mailbox.id)) >= MAX_TRACKED_FOLDERS:
                raise ValidationError.single("folder", f"at most {MAX_TRACKED_FOLDERS} tracked folders per mailbox")
            if regarding is not None and not await _record_exists(tx, regarding):
                raise ValidationError.single("regarding", f"no {regarding[0].value} {regarding[1]}")
            return await tx.tracked_folders.add(TrackedFolder(mailbox.id, view.folder.id, view.folder.name, regarding))

    async def set_tracked(
        self, address: str, wanted: Mapping[str, tuple[RecordType, int] | None]
    ) -> Sequence[TrackedFolder]:
        """Track exactly ``wanted`` (folder name -> regarding), reading the server's folders once.

        Every folder is checked before anything changes; errors name the folder."""
        if len(wanted) > MAX_TRACKED_FOLDERS:
            raise ValidationError.single("folder", f"at most {MAX_TRACKED_FOLDERS} tracked folders per mailbox")
        views = {v.folder.name: v for v in await self.server_folders(address)}
        mailbox, _ = await self._mailbox(address)
        assert mailbox.id is not None
        async with self._store.transaction() as tx:
            for name, regarding in wanted.items():
                view = views.get(name)
                if view is None or not view.trackable:
                    raise ValidationError.single("folder", f"{name!r} is not a folder under the Inbox on the server")
                if regarding is not None and not await _record_exists(tx, regarding):
                    raise ValidationError.single("regarding", f"{name}: no {regarding[0].value} {regarding[1]}")
            current = {f.folder_id: f for f in await tx.tracked_folders.list(mailbox.id)}
            wanted_ids = {views[name].folder.id: (name, regarding) for name, regarding in wanted.items()}
            for folder_id, folder in current.items():
                if folder.id is not None and (
                    folder_id not in wanted_ids or wanted_ids[folder_id][1] != folder.regarding
                ):
                    await tx.tracked_folders.remove(folder.id)
            for folder_id, (name, regarding) in wanted_ids.items():
                kept = current.get(folder_id)
                if kept is None or kept.regarding != regarding:
                    await tx.tracked_folders.add(TrackedFolder(mailbox.id, folder_id, name, regarding))
            return await tx.tracked_folders.list(mailbox.id)

    async def untrack(self, address: str, folder_name: str) -> None:
        for folder in await self.tracked(address):
            if folder.folder_name == folder_name and folder.id is not None:
                async with self._store.transaction() as tx:
                    await tx.tracked_folders.remove(folder.id)
                return
        raise ValidationError.single("folder", f"{folder_name!r} is not tracked")


async def _record_exists(tx: Transaction, regarding: tuple[RecordType, int]) -> bool:
    return await tx.records.exists(regarding[0], regarding[1])
