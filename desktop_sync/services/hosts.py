"""The engine hosts on the store, for ``desktop-sync engine hosts`` and the Engines view: each host
with the mailboxes and connections it holds, running or lost."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from desktop_sync.domain.hosts import EngineHost, HostState
from desktop_sync.domain.ports import Store
from desktop_sync.domain.ports.clock import Clock, utcnow


@dataclass(frozen=True, slots=True)
class HostView:
    host: EngineHost
    state: HostState


@dataclass(frozen=True, slots=True)
class HostsReport:
    shared: bool  # False: an embedded store, one engine at a time, no host list
    hosts: Sequence[HostView]
    engine_running: bool  # on an embedded store: whether its one engine runs now

    @property
    def running(self) -> int:
        return sum(1 for view in self.hosts if view.state is HostState.RUNNING)


class HostsService:
    def __init__(self, store: Store, clock: Clock = utcnow) -> None:
        self._store = store
        self._now = clock

    async def hosts(self) -> HostsReport:
        if not self._store.shared:
            return HostsReport(False, [], self._store.engine_lock_held())
        now = self._now()
        async with self._store.transaction() as tx:
            hosts = await tx.leases.hosts()
        views = [HostView(host, host.state(now)) for host in hosts]
        return HostsReport(True, views, any(view.state is HostState.RUNNING for view in views))

    def now(self) -> dt.datetime:
        return self._now()
