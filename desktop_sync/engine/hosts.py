"""This engine's presence on a shared store (PostgreSQL): its heartbeat, its fair share of the
mailboxes, the leases it holds, and letting all of them go when it stops.

A task beats every sixth of the lease period (``domain/hosts.py``): in one transaction it says the
host is alive, counts the live hosts, claims or gives back leases so that it holds its share, and
renews its connection slots. The engine reads ``held`` and is told by ``take_change()`` when it
moved. On an embedded store nothing of this runs: one engine holds everything.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import socket
from collections.abc import Awaitable, Callable

from desktop_sync.domain.errors import DesktopSyncError
from desktop_sync.domain.hosts import beat_seconds, fair_share, renewal_seconds
from desktop_sync.domain.model import Mailbox, MailboxId
from desktop_sync.domain.ports import Store, Transaction
from desktop_sync.domain.ports.clock import Clock

log = logging.getLogger("desktop_sync.engine.hosts")

LOST_KEPT = dt.timedelta(days=1)  # a lost host stays in the list this long


class HostPresence:
    def __init__(
        self,
        *,
        store: Store,
        owner: str,
        lease_seconds: float,
        clock: Clock,
        wants: Callable[[Mailbox], bool],
        busy: Callable[[MailboxId], bool],
        sync_requested: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self._store = store
        self.owner = owner
        self.lease_seconds = lease_seconds
        self._now = clock
        self._wants = wants
        self._busy = busy
        self._sync_requested = sync_requested
        self._listening: asyncio.Task[None] | None = None
        # the mailboxes this engine may work: None on an embedded store (all of them)
        self.held: set[MailboxId] | None = set() if store.shared else None
        self._changed = False
        self._task: asyncio.Task[None] | None = None
        self._last_beat = 0.0  # loop time of the last beat the store took
        self._on_beat: list[Callable[[Transaction, dt.datetime, dt.datetime], Awaitable[None]]] = []

    @property
    def shared(self) -> bool:
        return self._store.shared

    def also_on_beat(self, work: Callable[[Transaction, dt.datetime, dt.datetime], Awaitable[None]]) -> None:
        """Run ``work(tx, now, expires)`` in each beat's transaction (the connection budget renews there)."""
        self._on_beat.append(work)

    def take_change(self) -> bool:
        """Whether the leases held moved since the last call."""
        changed, self._changed = self._changed, False
        return changed

    async def start(self) -> None:
        """The first beat, so that the engine starts with its share; then one every sixth of the lease."""
        if not self.shared:
            return
        await self.beat()
        self._task = asyncio.create_task(self._run(), name="engine-heartbeat")
        if self._sync_requested is not None:
            self._listening = asyncio.create_task(self._listen(), name="engine-sync-now")

    async def stop(self) -> None:
        """Going away cleanly: every lease and connection slot freed at once, for the others to take."""
        for task in (self._task, self._listening):
            if task is not None:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        self._task = self._listening = None
        if not self.shared:
            return
        try:
            async with self._store.transaction() as tx:
                await tx.leases.release(self.owner)
        except DesktopSyncError as exc:
            log.warning("engine %s could not free its leases (they expire by themselves): %s", self.owner, exc.message)
        self.held = set()

    async def live_owners(self) -> list[str]:
        async with self._store.transaction() as tx:
            return list(await tx.leases.live_owners(self._now()))

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(beat_seconds(self.lease_seconds))
            try:
                await self.beat()
            except DesktopSyncError as exc:
                log.warning("engine %s heartbeat failed: %s", self.owner, exc.message)
                if loop.time() - self._last_beat >= renewal_seconds(self.lease_seconds) and self.held:
                    # our leases may have been taken over by now: start nothing more until the store answers
                    log.warning("engine %s lets its mailboxes go until the store answers", self.owner)
                    self.held = set()
                    self._changed = True

    async def _listen(self) -> None:
        """Sync now from any process reaches this host at once (PostgreSQL NOTIFY), not at its next
        look at the requests; the engine takes the requests of the mailboxes it holds."""
        assert self._sync_requested is not None
        while True:
            try:
                async for _mailbox_id in self._store.sync_requests():
                    await self._sync_requested()
            except DesktopSyncError as exc:
                log.info("engine %s hears no sync-now notices for now: %s", self.owner, exc.message)
            await asyncio.sleep(beat_seconds(self.lease_seconds))  # the engine's poll still runs meanwhile

    async def beat(self) -> None:
        now = self._now()
        expires = now + dt.timedelta(seconds=renewal_seconds(self.lease_seconds))
        async with self._store.transaction() as tx:
            await tx.leases.heartbeat(self.owner, socket.gethostname(), os.getpid(), now, expires)
            live = list(await tx.leases.live_owners(now))  # in the order they started: ours is among them
            candidates = [m.id for m in await tx.mailboxes.list() if m.id is not None and self._wants(m)]
            rank = live.index(self.owner) if self.owner in live else 0
            share = fair_share(len(candidates), len(live), rank)
            busy = [m for m in set(candidates) | (self.held or set()) if self._busy(m)]
            held = set(await tx.leases.claim(self.owner, now, expires, candidates, share, busy))
            for work in self._on_beat:
                await work(tx, now, expires)
            await tx.leases.forget_lost(now - LOST_KEPT)
        self._last_beat = asyncio.get_running_loop().time()
        if held != self.held:
            log.info("engine %s holds %d mailboxes (%d live hosts, share %d)", self.owner, len(held), len(live), share)
            self.held = held
            self._changed = True
