"""Logged-in IMAP connections parked between cycles, for the next cycle of the same account to reuse.

A connector's ``close()`` parks its connection here instead of logging out, and the next connector
with the same server, login and settings takes it back: a no-change poll then costs one command
instead of connect, TLS, LOGIN, ENABLE, EXAMINE and LOGOUT.

Each parked connection belongs to a ``ThrottleKey`` and counts against that key's connection limit
as if it held a throttle slot (see ``domain.connectors.ConnectionParking``); the engine evicts the
least recently used one when a slot needs the room. Besides:

- parking is off until ``start()`` (the engine turns it on while it runs) and ``stop()`` closes
  every parked connection (without LOGOUT: a stopping engine never waits on a silent server);
- a connection parked longer than ``idle_seconds`` is logged out (servers drop idle clients
  after 30 minutes at the earliest, RFC 3501; NATs sooner);
- at most ``per_server`` connections are parked per server (host and port), so that many
  mailboxes cannot pin a server's login processes: past it, the newest is not parked;
- a connection that fails its first command after parking is replaced by the connector
  (``imap.link.Link``), so a server that dropped it costs one reconnect, not an error.

Everything here runs on the event loop; a logout runs in a worker thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Protocol

from desktop_sync.connectors.workers import Kind, in_thread
from desktop_sync.domain.ports.connectors import ThrottleKey

log = logging.getLogger("desktop_sync.connectors.imap")

IDLE_SECONDS = 15 * 60.0  # longer than the longest poll interval (12 minutes), shorter than 30
LOGOUT_SECONDS = 2.0  # an evicted or expired connection's goodbye: a dead server does not hold a slot up
PER_SERVER = 200  # a server for that many mailboxes has login processes to match (Dovecot: 100 by default)


class Parkable(Protocol):
    """What the pool needs of a connection."""

    @property
    def closed(self) -> bool: ...

    def logout(self, timeout: float | None = None) -> None:
        """LOGOUT and close the socket (blocking; ``timeout`` bounds the wait for the answer)."""
        ...

    def close(self) -> None:
        """Close the socket without a word to the server."""
        ...


@dataclass(slots=True)
class _Parked:
    key: Hashable  # server, login and settings: who may reuse it
    server: Hashable  # host and port: what ``per_server`` counts
    session: Parkable
    since: float


class ImapPool:
    """Parked IMAP connections, grouped by ThrottleKey (most recently parked last in each group)."""

    def __init__(
        self,
        *,
        idle_seconds: float = IDLE_SECONDS,
        per_server: int = PER_SERVER,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.idle_seconds = idle_seconds
        self.per_server = per_server
        self._clock = clock
        self._groups: dict[ThrottleKey, list[_Parked]] = {}
        # Connections being logged out still count against their group until their socket is closed.
        self._closing: dict[ThrottleKey, set[asyncio.Future[None]]] = {}
        self._sweep: asyncio.TimerHandle | None = None
        self.active = False
        self.reused = 0  # connections taken back: what the pool saved, for tests and benchmarks

    # --- the engine's side (ConnectionParking)

    def start(self) -> None:
        self.active = True

    def parked(self, group: ThrottleKey) -> int:
        """Parked connections of ``group``, with those still being logged out."""
        return len(self._groups.get(group, ())) + len(self._closing.get(group, ()))

    async def evict(self, group: ThrottleKey) -> bool:
        entries = self._groups.get(group)
        if entries:
            entry = entries.pop(0)
            if not entries:
                del self._groups[group]
            task = self._close_later(group, entry.session)
        else:
            closing = self._closing.get(group)
            if not closing:
                return False
            task = next(iter(closing))  # an expired one still logging out: wait for its socket
        await asyncio.wait([task])
        return True

    async def stop(self) -> None:
        self.active = False
        if self._sweep is not None:
            self._sweep.cancel()
            self._sweep = None
        for group, entries in list(self._groups.items()):
            for entry in entries:
                # No LOGOUT: an engine stopping must not wait on a server that stopped answering.
                self._close_later(group, entry.session, polite=False)
        self._groups.clear()
        pending = [task for tasks in self._closing.values() for task in tasks]
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)

    def close_now(self) -> None:
        """Park no more and close every parked socket at once, without LOGOUT (no event loop needed)."""
        self.active = False
        if self._sweep is not None:
            self._sweep.cancel()
            self._sweep = None
        entries = [entry for group in self._groups.values() for entry in group]
        self._groups.clear()
        for entry in entries:
            with contextlib.suppress(Exception):
                entry.session.close()

    # --- the connectors' side

    def take(self, group: ThrottleKey, key: Hashable) -> Parkable | None:
        """The most recently parked live connection of ``key`` in ``group``, out of the pool; or None."""
        self._expire()
        entries = self._groups.get(group, [])
        for index in range(len(entries) - 1, -1, -1):
            entry = entries[index]
            if entry.key == key:
                del entries[index]
                if not entries:
                    del self._groups[group]
                if entry.session.closed:
                    continue  # pragma: no cover - closed sessions are never parked
                self.reused += 1
                return entry.session
        return None

    def park(self, group: ThrottleKey, key: Hashable, server: Hashable, session: Parkable) -> bool:
        """Keep ``session`` for reuse; False when parking is off or the server has enough parked."""
        if not self.active or session.closed:
            return False
        self._expire()
        on_server = sum(1 for entries in self._groups.values() for entry in entries if entry.server == server)
        if on_server >= self.per_server:
            return False
        self._groups.setdefault(group, []).append(_Parked(key, server, session, self._clock()))
        self._schedule_sweep()
        return True

    # --- expiry

    def _expire(self) -> None:
        deadline = self._clock() - self.idle_seconds
        for group in list(self._groups):
            entries = self._groups[group]
            stale = [entry for entry in entries if entry.since <= deadline]
            if not stale:
                continue
            entries[:] = [entry for entry in entries if entry.since > deadline]
            if not entries:
                del self._groups[group]
            for entry in stale:
                self._close_later(group, entry.session)

    def _schedule_sweep(self) -> None:
        if self._sweep is not None:
            return
        oldest = min(entry.since for entries in self._groups.values() for entry in entries)
        delay = max(0.0, oldest + self.idle_seconds - self._clock()) + 0.01
        self._sweep = asyncio.get_running_loop().call_later(delay, self._on_sweep)

    def _on_sweep(self) -> None:
        self._sweep = None
        self._expire()
        if self._groups:
            self._schedule_sweep()

    # --- closing

    def _close_later(self, group: ThrottleKey, session: Parkable, *, polite: bool = True) -> asyncio.Future[None]:
        """LOGOUT (waiting at most LOGOUT_SECONDS for the answer), or just close the socket."""
        task = asyncio.ensure_future(in_thread(Kind.IMAP, _logout_quietly if polite else _close_quietly, session))
        closing = self._closing.setdefault(group, set())
        closing.add(task)

        def done(task: asyncio.Future[None]) -> None:
            closing.discard(task)
            if not closing and self._closing.get(group) is closing:
                del self._closing[group]

        task.add_done_callback(done)
        return task


def _logout_quietly(session: Parkable) -> None:
    with contextlib.suppress(Exception):
        session.logout(LOGOUT_SECONDS)


def _close_quietly(session: Parkable) -> None:
    with contextlib.suppress(Exception):
        session.close()
