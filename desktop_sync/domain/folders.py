"""Folder-level tracking: up to 25 folders under the Inbox whose mail is tracked, whatever the
user's tracking choice, each optionally linked to a regarding record.

A folder is known by its server id, so a rename keeps its rule where the server lets us see it:
Exchange folder ids, IMAP MAILBOXID (OBJECTID), or else the folder's UIDVALIDITY, which a rename
keeps on common servers (Dovecot among them).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from desktop_sync.domain.errors import ValidationError
from desktop_sync.domain.model import MailboxId, RecordType

MAX_TRACKED_FOLDERS = 25
INBOX = "INBOX"
REGARDING_TYPES = (RecordType.ACCOUNT, RecordType.CONTACT, RecordType.LEAD)


@dataclass(frozen=True, slots=True)
class ServerFolder:
    """A folder as the server lists it."""

    id: str
    name: str
    delimiter: str | None = None
    special_use: str | None = None
    selectable: bool = True

    def is_under_inbox(self) -> bool:
        return is_under_inbox(self.name, self.delimiter)


@dataclass(frozen=True, slots=True)
class TrackedFolder:
    mailbox_id: MailboxId
    folder_id: str
    folder_name: str
    regarding: tuple[RecordType, int] | None = None
    id: int | None = None


@dataclass(frozen=True, slots=True)
class RecordChoice:
    """A record a folder can be regarding, as a person picks it: by name and email, not by id."""

    record_type: RecordType
    record_id: int
    name: str
    email: str | None = None

    @property
    def ref(self) -> tuple[RecordType, int]:
        return self.record_type, self.record_id


REGARDING_SEARCH_LIMIT = 20


def is_under_inbox(name: str, delimiter: str | None) -> bool:
    """Strictly below the Inbox (the Inbox itself is not a tracked folder)."""
    if not delimiter:
        return False
    prefix = name.split(delimiter, 1)[0]
    return prefix.upper() == INBOX and len(name) > len(prefix) + len(delimiter)


def parse_regarding(text: str | None, field: str = "regarding") -> tuple[RecordType, int] | None:
    """``KIND:ID``, e.g. ``account:12``; the kinds a folder can be regarding are account, contact, lead."""
    if text is None or not text.strip():
        return None
    kind, _, number = text.strip().partition(":")
    try:
        record_type = RecordType(kind.lower())
    except ValueError as exc:
        raise ValidationError.single(field, f"{kind!r} is not a record kind (account, contact or lead)") from exc
    if record_type not in REGARDING_TYPES:
        raise ValidationError.single(field, f"a folder can be regarding an account, a contact or a lead, not a {kind}")
    if not number.isdigit():
        raise ValidationError.single(field, f"{text!r}: expected KIND:ID, e.g. account:12")
    return record_type, int(number)


def folder_paths(
    folders: Mapping[str, tuple[str, str | None]], inbox_id: str | None, delimiter: str = "/"
) -> dict[str, str]:
    """Each folder's path from the top of the mailbox ("INBOX/Customers"), from ``folders``: id -> (name,
    parent id). The Inbox is named INBOX; a parent that is not listed (the store's root) ends a path,
    and so does a loop."""
    paths: dict[str, str] = {}
    for folder_id in folders:
        parts: list[str] = []
        seen: set[str] = set()
        current: str | None = folder_id
        while current is not None and current in folders and current not in seen:
            seen.add(current)
            name, parent = folders[current]
            parts.append(INBOX if current == inbox_id else name)
            current = parent
        paths[folder_id] = delimiter.join(reversed(parts))
    return paths
