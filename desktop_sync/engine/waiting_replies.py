"""Mail left untracked for want of its parent because it reached the server first: tried again once
the parent is tracked.

Under the tracking choices "replies" and "known senders", a reply whose parent comes later in the
server's order (a server's order is not thread order) is not tracked when it is read. Its server id
and the Message-IDs its look-ups asked for are remembered per mailbox while the engine runs (the
oldest forgotten past a limit); when a later batch tracks one of those Message-IDs, the reply is
read again and decided as if it came after its parent.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Sequence

from desktop_sync.domain.model import MailboxId

LIMIT = 10_000  # per mailbox: a server id and a few Message-IDs each


class WaitingReplies:
    def __init__(self, limit: int = LIMIT) -> None:
        self._limit = limit
        self._waiting: dict[MailboxId, OrderedDict[str, tuple[str, ...]]] = {}  # server id -> Message-IDs
        self._by_message_id: dict[MailboxId, dict[str, set[str]]] = {}  # Message-ID -> server ids
        self._due: dict[MailboxId, list[str]] = {}

    def wait(self, mailbox: MailboxId, server_id: str, message_ids: Sequence[str]) -> None:
        """``server_id`` was not tracked; it would be if one of ``message_ids`` were."""
        if not message_ids:
            return
        waiting = self._waiting.setdefault(mailbox, OrderedDict())
        by_message_id = self._by_message_id.setdefault(mailbox, {})
        self._forget(mailbox, server_id)
        waiting[server_id] = tuple(message_ids)
        for message_id in message_ids:
            by_message_id.setdefault(message_id, set()).add(server_id)
        while len(waiting) > self._limit:
            oldest = next(iter(waiting))
            self._forget(mailbox, oldest)

    def tracked(self, mailbox: MailboxId, message_ids: Iterable[str]) -> None:
        """These Message-IDs are tracked now: what waited for them is due."""
        by_message_id = self._by_message_id.get(mailbox)
        if not by_message_id:
            return
        for message_id in message_ids:
            for server_id in sorted(by_message_id.get(message_id, ())):
                self._forget(mailbox, server_id)
                self._due.setdefault(mailbox, []).append(server_id)

    def take_due(self, mailbox: MailboxId) -> list[str]:
        """The server ids to read again, in the order they became due."""
        return self._due.pop(mailbox, [])

    def due_again(self, mailbox: MailboxId, server_ids: Sequence[str]) -> None:
        """Could not be read again now: due at the next cycle, first."""
        self._due[mailbox] = [*server_ids, *self._due.get(mailbox, [])]

    def __len__(self) -> int:
        return sum(len(waiting) for waiting in self._waiting.values())

    def _forget(self, mailbox: MailboxId, server_id: str) -> None:
        message_ids = self._waiting.get(mailbox, OrderedDict()).pop(server_id, ())
        by_message_id = self._by_message_id.get(mailbox, {})
        for message_id in message_ids:
            waiters = by_message_id.get(message_id)
            if waiters is not None:
                waiters.discard(server_id)
                if not waiters:
                    del by_message_id[message_id]
