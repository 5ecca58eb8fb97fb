"""Connection throttling: at most N connections open to a server at once, per profile or mailbox.

The key is the profile when it holds the credentials (one account, one limit) and the mailbox
otherwise. Each open connection holds one slot for as long as it is open.

A connector factory that parks connections between cycles (``ConnectionParking``) makes each
parked connection count as if it held a slot: a slot is granted while fewer than the limit are
taken, and then, while open slots plus parked connections pass the limit, parked ones are evicted
(closed) before the holder may connect. A connector reuses a parked connection under its own slot,
so open slots + parked connections >= connections open to the server, always.

On a shared store (several engine hosts) the limit holds for all hosts together: this host also
holds a slot row in the store for each connection open or parked (``engine/budget.py``), taken
before the holder may connect and given back when the connection closes. With no row free, this
host closes its own parked connections of the key first, then waits for another host's.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from desktop_sync.domain.errors import DesktopSyncError
from desktop_sync.domain.ports import Transaction
from desktop_sync.domain.ports.connectors import ConnectionParking, ThrottleKey
from desktop_sync.engine.budget import SharedBudget

__all__ = ["ThrottleKey", "Throttles"]

log = logging.getLogger("desktop_sync.engine.throttle")


class _Gate:
    def __init__(self, limit: int):
        self.limit = limit
        self.open = 0
        self.peak = 0
        self.condition = asyncio.Condition()


class Throttles:
    def __init__(self, parking: ConnectionParking | None = None, budget: SharedBudget | None = None) -> None:
        self._gates: dict[ThrottleKey, _Gate] = {}
        self._parking = parking
        self.budget = budget
        self._background: set[asyncio.Task[None]] = set()

    def _gate(self, key: ThrottleKey, limit: int) -> _Gate:
        gate = self._gates.get(key)
        if gate is None:
            gate = self._gates[key] = _Gate(limit)
        gate.limit = limit  # an edited profile takes effect for the next connection
        return gate

    @asynccontextmanager
    async def slot(self, key: ThrottleKey, limit: int, *, listener: bool = False) -> AsyncIterator[bool]:
        """Hold a slot while a connection is open. A push listener (``listener``) does not wait for
        another host's slot: it gets False and listens later (the mailbox is polled meanwhile)."""
        gate = self._gate(key, max(1, limit))
        async with gate.condition:
            await gate.condition.wait_for(lambda: gate.open < gate.limit)
            gate.open += 1
            gate.peak = max(gate.peak, gate.open)
        admitted = False
        try:
            await self._make_room(key, gate)
            admitted = await self._admit_shared(key, gate, listener)
            yield admitted
        finally:
            async with gate.condition:
                gate.open -= 1
                gate.condition.notify()
            if self.budget is not None:
                with contextlib.suppress(DesktopSyncError):  # what is not given back expires
                    if admitted:
                        await self.budget.release(key, self._parked(key))
                    else:
                        await self.budget.settle(key, self._parked(key))

    def _parked(self, key: ThrottleKey) -> int:
        return self._parking.parked(key) if self._parking is not None else 0

    async def _make_room(self, key: ThrottleKey, gate: _Gate) -> None:
        """Close parked connections until open slots plus parked connections fit the limit."""
        parking = self._parking
        if parking is None:
            return
        while gate.open + parking.parked(key) > gate.limit:
            if not await parking.evict(key):
                break  # none left (another holder evicted it meanwhile)

    async def _admit_shared(self, key: ThrottleKey, gate: _Gate, listener: bool) -> bool:
        """On a shared store, hold a slot row for this connection as for every one open or parked here."""
        budget = self.budget
        if budget is None:
            return True
        waiting = False
        try:
            while not await budget.admit(key, gate.limit, self._parked(key), listener=listener):
                if self._parking is not None and self._parking.parked(key) > 0 and await self._parking.evict(key):
                    continue  # one of our own parked connections makes the room
                if listener:
                    return False
                waiting = True
                await budget.wait(key)
            return True
        finally:
            if waiting:
                with contextlib.suppress(DesktopSyncError):
                    await budget.stop_waiting(key)

    async def on_beat(self, tx: Transaction, now: dt.datetime, expires: dt.datetime) -> None:
        """In this host's heartbeat: renew its slot rows, and let go of parked connections of the keys
        other hosts wait for (after the heartbeat's transaction: closing takes a moment)."""
        if self.budget is None:
            return
        wanted = await self.budget.renew(tx, now, expires)
        parking = self._parking
        if wanted and parking is not None and any(parking.parked(key) for key in wanted):
            task = asyncio.create_task(self._let_go(wanted), name="throttle-let-go")
            self._background.add(task)
            task.add_done_callback(self._background.discard)

    async def _let_go(self, keys: set[ThrottleKey]) -> None:
        parking = self._parking
        assert parking is not None and self.budget is not None
        for key in keys:
            while parking.parked(key) and await parking.evict(key):
                pass
            try:
                await self.budget.settle(key, parking.parked(key))
            except DesktopSyncError as exc:
                log.info("connection slots of %s/%s not given back now: %s", key.scope, key.id, exc.message)

    def open_count(self, key: ThrottleKey) -> int:
        gate = self._gates.get(key)
        return gate.open if gate else 0

    def peak(self, key: ThrottleKey) -> int:
        gate = self._gates.get(key)
        return gate.peak if gate else 0
