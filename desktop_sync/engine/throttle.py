"""Connection throttling: at most N connections open to a server at once, per profile or mailbox.

The key is the profile when it holds the credentials (one account, one limit) and the mailbox
otherwise. Each open connection holds one slot for as long as it is open.

A connector factory that parks connections between cycles (``ConnectionParking``) makes each
parked connection count as if it held a slot: a slot is granted while fewer than the limit are
taken, and then, while open slots plus parked connections pass the limit, parked ones are evicted
(closed) before the holder may connect. A connector reuses a parked connection under its own slot,
so open slots + parked connections >= connections open to the server, always.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from desktop_sync.domain.ports.connectors import ConnectionParking, ThrottleKey

__all__ = ["ThrottleKey", "Throttles"]


class _Gate:
    def __init__(self, limit: int):
        self.limit = limit
        self.open = 0
        self.peak = 0
        self.condition = asyncio.Condition()


class Throttles:
    def __init__(self, parking: ConnectionParking | None = None) -> None:
        self._gates: dict[ThrottleKey, _Gate] = {}
        self._parking = parking

    def _gate(self, key: ThrottleKey, limit: int) -> _Gate:
        gate = self._gates.get(key)
        if gate is None:
            gate = self._gates[key] = _Gate(limit)
        gate.limit = limit  # an edited profile takes effect for the next connection
        return gate

    @asynccontextmanager
    async def slot(self, key: ThrottleKey, limit: int) -> AsyncIterator[None]:
        gate = self._gate(key, max(1, limit))
        async with gate.condition:
            await gate.condition.wait_for(lambda: gate.open < gate.limit)
            gate.open += 1
            gate.peak = max(gate.peak, gate.open)
        try:
            await self._make_room(key, gate)
            yield
        finally:
            async with gate.condition:
                gate.open -= 1
                gate.condition.notify()

    async def _make_room(self, key: ThrottleKey, gate: _Gate) -> None:
        """Close parked connections until open slots plus parked connections fit the limit."""
        parking = self._parking
        if parking is None:
            return
        while gate.open + parking.parked(key) > gate.limit:
            if not await parking.evict(key):
                break  # none left (another holder evicted it meanwhile)

    def open_count(self, key: ThrottleKey) -> int:
        gate = self._gates.get(key)
        return gate.open if gate else 0

    def peak(self, key: ThrottleKey) -> int:
        gate = self._gates.get(key)
        return gate.peak if gate else 0
