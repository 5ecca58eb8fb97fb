"""What the test server remembers of changes: per-folder change logs that sync states point into, the
net changes since a position (SyncFolderItems, SyncFolderHierarchy), and subscriptions with their events.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .store import Mailbox


class ChangeLog:
    """Sequence-numbered (kind, id) entries: kind is "add", "mod" or "del"."""

    def __init__(self) -> None:
        self.positions: list[int] = []
        self.entries: list[tuple[str, str]] = []

    def append(self, position: int, kind: str, ident: str) -> None:
        self.positions.append(position)
        self.entries.append((kind, ident))

    def since(self, position: int) -> Iterator[tuple[int, str, str]]:
        start = bisect.bisect_right(self.positions, position)
        for index in range(start, len(self.positions)):
            kind, ident = self.entries[index]
            yield self.positions[index], kind, ident

    @property
    def last(self) -> int:
        return self.positions[-1] if self.positions else 0


def net_changes(
    log: ChangeLog, position: int, limit: int, exists: Callable[[str], bool]
) -> tuple[list[tuple[str, str]], int, bool]:
    """Walk the log after ``position`` and return at most ``limit`` net changes, in first-touch order.

    An object whose first entry after ``position`` is "add" did not exist then: it is a Create if it
    still exists, nothing otherwise. Any other first entry means the client knows it: Update if it
    still exists, Delete if not. The new position stops just before the first object left for the
    next page, so objects that did not fit are reported in full on the next call.
    """
    seen: set[str] = set()
    changes: list[tuple[str, str]] = []
    new_position = position
    for entry_position, kind, ident in log.since(position):
        if ident in seen:
            new_position = entry_position
            continue
        if len(changes) >= limit:
            return changes, new_position, False
        seen.add(ident)
        new_position = entry_position
        alive = exists(ident)
        if kind == "add":
            if alive:
                changes.append(("Create", ident))
        elif alive:
            changes.append(("Update", ident))
        else:
            changes.append(("Delete", ident))
    return changes, new_position, True


@dataclass(frozen=True, slots=True)
class Event:
    """One notification event, as GetStreamingEvents reports it."""

    kind: str  # NewMailEvent | CreatedEvent | ModifiedEvent | DeletedEvent | MovedEvent | CopiedEvent
    watermark: str
    timestamp: dt.datetime
    item_id: str | None
    item_change_key: str | None
    folder_id: str | None
    parent_folder_id: str
    old_item_id: str | None = None
    old_parent_folder_id: str | None = None
    unread_count: int | None = None


@dataclass(eq=False)
class Subscription:
    id: str
    mailbox: Mailbox
    folder_ids: frozenset[str] | None  # None: all folders
    event_types: frozenset[str]
    events: list[Event] = field(default_factory=list)
    streaming: bool = True

    def matches(self, kind: str, folder_ids: Iterable[str]) -> bool:
        if kind not in self.event_types:
            return False
        return self.folder_ids is None or any(f in self.folder_ids for f in folder_ids)
