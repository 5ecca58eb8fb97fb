"""The IMAP cursor codec: where sync stands in a folder, as text, and the server id of a message."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

CURSOR_VERSION = "v1"


@dataclass(frozen=True, slots=True)
class FolderCursor:
    """Where sync stands in one folder: every UID up to ``uid`` under ``uidvalidity`` was handed over.

    Text form: ``v1;uidvalidity=123;uid=456;modseq=789`` (modseq only when the server has CONDSTORE).
    """

    uidvalidity: int
    uid: int
    modseq: int | None = None

    def encode(self) -> str:
        text = f"{CURSOR_VERSION};uidvalidity={self.uidvalidity};uid={self.uid}"
        return text if self.modseq is None else f"{text};modseq={self.modseq}"

    @classmethod
    def decode(cls, text: str) -> FolderCursor | None:
        """The cursor in ``text``, or None when it is not one we wrote (the folder is then read afresh)."""
        version, _, rest = text.partition(";")
        if version != CURSOR_VERSION:
            return None
        values: dict[str, int] = {}
        for part in rest.split(";"):
            key, sep, value = part.partition("=")
            if not sep or not value.isdigit():
                return None
            values[key] = int(value)
        if "uidvalidity" not in values or "uid" not in values:
            return None
        return cls(values["uidvalidity"], values["uid"], values.get("modseq"))


def unchanged(cursor: FolderCursor, now: FolderCursorState) -> bool:
    """Whether a folder whose sync stands at ``cursor`` has nothing new, by what the server says ``now``.

    Nothing arrived when UIDVALIDITY is the same and UIDNEXT has not moved past the cursor's UID
    (every UID below UIDNEXT was handed over or covered). A server that gives no UIDNEXT is
    trusted on HIGHESTMODSEQ (RFC 7162: any new message raises it) when the cursor has one; a
    cursor written mid-folder keeps the HIGHESTMODSEQ of the last complete pass, so it never
    matches while mail is left to read. Otherwise the folder is read.
    """
    if now.uidvalidity != cursor.uidvalidity:
        return False
    if now.uidnext is not None:
        return now.uidnext <= cursor.uid + 1
    return cursor.modseq is not None and now.highestmodseq == cursor.modseq


class FolderCursorState(Protocol):
    """What ``unchanged`` reads of a folder's state (STATUS or EXAMINE)."""

    @property
    def uidvalidity(self) -> int: ...

    @property
    def uidnext(self) -> int | None: ...

    @property
    def highestmodseq(self) -> int | None: ...


def server_id(folder: str, uidvalidity: int, uid: int) -> str:
    return f"{folder};{uidvalidity};{uid}"


def parse_server_id(text: str) -> tuple[str, int, int]:
    """(folder, uidvalidity, uid) of a server id; a folder name may itself contain ';'."""
    folder, uidvalidity, uid = text.rsplit(";", 2)
    if not folder or not uidvalidity.isdigit() or not uid.isdigit():
        raise ValueError(text)
    return folder, int(uidvalidity), int(uid)
