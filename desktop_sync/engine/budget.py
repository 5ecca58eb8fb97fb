"""A connection limit held across engine hosts: the slots this host holds in the store.

On a shared store a connection counts twice: against the local gate of ``engine/throttle.py`` and
against a slot row in the store, which every host takes before it connects (``SlotRepository``).
This host keeps as many slot rows of a key as it has connections admitted (open) or parked for
it, taking more before a connection is admitted and giving back the surplus when one closes. A host that finds no
slot free says so in the store and looks again every ``poll_seconds`` (sooner when a connection of
its own closes); the others close their parked connections of that key at their next heartbeat.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections import defaultdict

from desktop_sync.domain.hosts import renewal_seconds
from desktop_sync.domain.ports import Store, Transaction
from desktop_sync.domain.ports.clock import Clock
from desktop_sync.domain.ports.connectors import ThrottleKey

# A slot given back is taken again only after this: the server sees a closed connection go a moment
# after the client closed it (its thread for that connection must wake up and read the end).
CLOSE_GRACE = dt.timedelta(seconds=0.5)


class SharedBudget:
    def __init__(
        self, *, store: Store, owner: str, lease_seconds: float, clock: Clock, poll_seconds: float = 0.5
    ) -> None:
        self._store = store
        self.owner = owner
        self._renewal = dt.timedelta(seconds=renewal_seconds(lease_seconds))
        self._now = clock
        self.poll_seconds = poll_seconds
        self._held: dict[ThrottleKey, int] = defaultdict(int)  # slot rows this host holds
        self._admitted: dict[ThrottleKey, int] = defaultdict(int)  # connections open under them
        self._locks: dict[ThrottleKey, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._freed: dict[ThrottleKey, asyncio.Event] = defaultdict(asyncio.Event)

    def held(self, key: ThrottleKey) -> int:
        return self._held.get(key, 0)

    def admitted(self, key: ThrottleKey) -> int:
        return self._admitted.get(key, 0)

    async def admit(self, key: ThrottleKey, limit: int, parked: int, *, listener: bool = False) -> bool:
        """One more connection of ``key``: True once this host holds a slot row for it as well as for
        each connection already admitted and each of the ``parked`` ones; False when the store had
        too few free (the rows taken stay held, for the next try)."""
        async with self._locks[key]:
            needed = self._admitted[key] + parked + 1
            missing = needed - self._held[key]
            if missing > 0:
                now = self._now()
                async with self._store.transaction() as tx:
                    taken = await tx.slots.take(self.owner, key, limit, missing, now, now + self._renewal, listener)
                self._held[key] += taken
                if taken < missing:
                    return False
            self._admitted[key] += 1
            return True

    async def release(self, key: ThrottleKey, parked: int) -> None:
        """An admitted connection closed (or was parked: then it is among ``parked``)."""
        async with self._locks[key]:
            self._admitted[key] = max(0, self._admitted[key] - 1)
        await self.settle(key, parked)

    async def settle(self, key: ThrottleKey, parked: int) -> None:
        """Give back the slot rows held past the connections admitted and ``parked``."""
        async with self._locks[key]:
            surplus = self._held[key] - self._admitted[key] - max(0, parked)
            if surplus <= 0:
                return
            async with self._store.transaction() as tx:
                await tx.slots.give_back(self.owner, key, surplus, self._now() + CLOSE_GRACE)
            self._held[key] -= surplus
        self._freed[key].set()

    async def wait(self, key: ThrottleKey) -> None:
        """Say in the store that this host waits for a slot of ``key``; return after a while, or when
        a connection of this host for ``key`` closed."""
        async with self._store.transaction() as tx:
            await tx.slots.wait(self.owner, key, self._now())
        freed = self._freed[key]
        freed.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(freed.wait(), timeout=self.poll_seconds)

    async def stop_waiting(self, key: ThrottleKey) -> None:
        async with self._store.transaction() as tx:
            await tx.slots.stop_waiting(self.owner, key)

    async def renew(self, tx: Transaction, now: dt.datetime, expires: dt.datetime) -> set[ThrottleKey]:
        """In a heartbeat: this host's slots renewed; the keys other hosts wait for."""
        await tx.slots.renew(self.owner, expires)
        return await tx.slots.waited_for(self.owner, now - self._renewal)
