"""The Sent folder of an IMAP mailbox, for the SMTP sender."""

from __future__ import annotations

from desktop_sync.connectors.imap.link import Link
from desktop_sync.connectors.transport import IncomingSettings
from desktop_sync.domain.model import Profile
from desktop_sync.domain.ports.connectors import Credentials

SENT_NAMES = ("Sent", "Sent Items", "Sent Messages", "INBOX.Sent", "INBOX/Sent")


class SentFolder:
    """The special-use \\Sent folder of an IMAP mailbox: append a sent mail, find one by Message-ID."""

    def __init__(self, profile: Profile, credentials: Credentials) -> None:
        self._profile = profile
        self._credentials = credentials
        self._settings_cache: IncomingSettings | None = None
        self._link = Link(self._settings)
        self._name: str | None = None
        self._looked_up = False

    def _settings(self) -> IncomingSettings:
        if self._settings_cache is None:
            self._settings_cache = IncomingSettings.of(self._profile, self._credentials)
        return self._settings_cache

    async def folder(self) -> str | None:
        """The Sent folder's name: the one flagged \\Sent, else a usual name; None when there is none."""
        if not self._looked_up:
            folders = await self._link.call(lambda s: s.list_folders())
            self._name = next((f.name for f in folders if f.special_use == "\\Sent" and f.selectable), None)
            if self._name is None:
                by_name = {f.name.lower(): f.name for f in folders if f.selectable}
                self._name = next((by_name[n.lower()] for n in SENT_NAMES if n.lower() in by_name), None)
            self._looked_up = True
        return self._name

    async def append(self, raw: bytes) -> bool:
        """Store ``raw`` in Sent, marked \\Seen; False when the account has no Sent folder."""
        name = await self.folder()
        if name is None:
            return False
        # Not retried on a dropped connection: the first APPEND may have landed.
        await self._link.call(lambda s: s.append(name, raw), retry_stale=False)
        return True

    async def contains_message_id(self, message_id: str) -> bool | None:
        """Whether Sent holds a mail with this Message-ID; None when there is no Sent folder to look in."""
        name = await self.folder()
        if name is None:
            return None
        needle = message_id.strip()
        found = await self._link.call(lambda s: s.search_header(name, "Message-ID", needle))
        return bool(found)

    async def close(self) -> None:
        await self._link.close()
