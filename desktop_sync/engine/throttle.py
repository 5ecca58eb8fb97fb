"""Connection throttling: at most N connections open to a server at once, per profile or mailbox.

The key is the profile when it holds the credentials (one account, one limit) and the mailbox
otherwise. Each open connection holds one slot for as long as it is open.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from desktop_sync.domain.model import CredentialsOn, Mailbox, Profile


@dataclass(frozen=True, slots=True)
class ThrottleKey:
    scope: str  # "profile" or "mailbox"
    id: int

    @classmethod
    def of(cls, profile: Profile, mailbox: Mailbox) -> ThrottleKey:
        if profile.credentials_on is CredentialsOn.PROFILE:
            assert profile.id is not None
            return cls("profile", profile.id)
        assert mailbox.id is not None
        return cls("mailbox", mailbox.id)


class _Gate:
    def __init__(self, limit: int):
        self.limit = limit
        self.open = 0
        self.peak = 0
        self.condition = asyncio.Condition()


class Throttles:
    def __init__(self) -> None:
        self._gates: dict[ThrottleKey, _Gate] = {}

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
            yield
        finally:
            async with gate.condition:
                gate.open -= 1
                gate.condition.notify()

    def open_count(self, key: ThrottleKey) -> int:
        gate = self._gates.get(key)
        return gate.open if gate else 0

    def peak(self, key: ThrottleKey) -> int:
        gate = self._gates.get(key)
        return gate.peak if gate else 0
