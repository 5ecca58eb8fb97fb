"""Isolated work queues: mailbox sync, outgoing activities and asynchronous operations.

Each queue has its own workers, so a flood in one never starves the others. Jobs are coroutine
factories with a priority (lower runs first) and a key: a key already queued or running is not
queued twice, but a higher priority moves it up (that is how Sync now jumps the queue).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field

log = logging.getLogger("desktop_sync.engine.queues")

Job = Callable[[], Awaitable[None]]

PRIORITY_NOW = 0  # Sync now, push notifications
PRIORITY_DUE = 10  # the schedule


@dataclass(order=True)
class _Entry:
    priority: int
    sequence: int
    key: Hashable = field(compare=False)
    job: Job = field(compare=False)
    cancelled: bool = field(default=False, compare=False)


class WorkQueue:
    def __init__(self, name: str, workers: int):
        self.name = name
        self.workers = max(1, workers)
        self._heap: asyncio.PriorityQueue[_Entry] = asyncio.PriorityQueue()
        self._queued: dict[Hashable, _Entry] = {}
        self._running: set[Hashable] = set()
        self._sequence = itertools.count()
        self._tasks: list[asyncio.Task[None]] = []
        self._idle = asyncio.Event()
        self._idle.set()
        self.done = 0
        self.failed = 0

    # --- state ---------------------------------------------------------------------------------

    @property
    def length(self) -> int:
        """Jobs waiting (not counting those running)."""
        return len(self._queued)

    @property
    def running(self) -> int:
        return len(self._running)

    def is_running(self, key: Hashable) -> bool:
        return key in self._running

    def is_pending(self, key: Hashable) -> bool:
        return key in self._queued or key in self._running

    # --- use -----------------------------------------------------------------------------------

    def submit(self, key: Hashable, job: Job, priority: int = PRIORITY_DUE) -> bool:
        """Queue ``job`` unless ``key`` is already queued or running; returns whether it was queued.

        A key already queued at a lower urgency is moved up to ``priority``.
        """
        if key in self._running:
            return False
        existing = self._queued.get(key)
        if existing is not None:
            if priority >= existing.priority:
                return False
            existing.cancelled = True
        entry = _Entry(priority, next(self._sequence), key, job)
        self._queued[key] = entry
        self._heap.put_nowait(entry)
        self._idle.clear()
        return True

    def start(self) -> None:
        if not self._tasks:
            self._tasks = [
                asyncio.create_task(self._work(), name=f"{self.name}-worker-{n}") for n in range(self.workers)
            ]

    async def join(self) -> None:
        """Wait until nothing is queued or running."""
        await self._idle.wait()

    async def stop(self) -> None:
        """Stop taking jobs; running jobs are cancelled (they roll back), queued ones dropped."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        self._queued.clear()
        self._running.clear()
        self._idle.set()

    async def _work(self) -> None:
        while True:
            entry = await self._heap.get()
            if entry.cancelled:
                continue
            del self._queued[entry.key]
            self._running.add(entry.key)
            try:
                await entry.job()
                self.done += 1
            except asyncio.CancelledError:
                raise
            except Exception:
                self.failed += 1
                log.exception("%s: a job failed (%s)", self.name, entry.key)
            finally:
                self._running.discard(entry.key)
                if not self._queued and not self._running:
                    self._idle.set()
