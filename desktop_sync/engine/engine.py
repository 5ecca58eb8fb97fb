"""The engine: keeps the schedule, feeds the isolated queues, and runs until told to stop.

The same code runs inside the GUI (on the qasync loop) and headless (``desktop-sync engine run``).
On an embedded SQLite store one engine runs at a time; on PostgreSQL several engines share the
mailboxes by leases in the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import logging
import math
import os
import socket
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

from desktop_sync.domain.errors import DesktopSyncError
from desktop_sync.domain.model import ApprovalState, Mailbox, MailboxId, MailboxState, Profile, SyncMethod
from desktop_sync.domain.ports import SecretStore, Store, TokenIssuer
from desktop_sync.domain.ports.clock import Clock, utcnow
from desktop_sync.domain.ports.connectors import ConnectionParking, ConnectorFactory, PushListener
from desktop_sync.engine.act_cycle import ActCycle, ActSettings
from desktop_sync.engine.budget import SharedBudget
from desktop_sync.engine.collaborators import Collaborators
from desktop_sync.engine.counters import Counters
from desktop_sync.engine.cycle import MailboxCycle
from desktop_sync.engine.cycle_context import Context, CycleSettings
from desktop_sync.engine.events import (
    CountersUpdated,
    EventBus,
    OperationFinished,
    OperationProgress,
    ProgressReporter,
)
from desktop_sync.engine.hosts import HostPresence
from desktop_sync.engine.memory import keep_large_buffers_apart
from desktop_sync.engine.metrics_server import MetricsServer
from desktop_sync.engine.outcomes import RESUME_SECONDS, ProfileHealth, StatusBuffer
from desktop_sync.engine.outgoing import OutgoingSender
from desktop_sync.engine.queues import PRIORITY_DUE, PRIORITY_NOW, WorkQueue
from desktop_sync.engine.throttle import ThrottleKey, Throttles

log = logging.getLogger("desktop_sync.engine")
T = TypeVar("T")

NEVER = dt.datetime.max.replace(tzinfo=dt.UTC)
DISPATCH_CHUNK = 200  # mailboxes whose cycle contexts are loaded in one transaction


@dataclass(frozen=True, slots=True)
class EngineSettings:
    mailbox_workers: int = 8
    outgoing_workers: int = 2
    operation_workers: int = 2
    tick_seconds: float = 1.0
    refresh_seconds: float = 10.0  # reload the mailbox list from the store
    request_poll_seconds: float = 2.0  # look for Sync now requests made by other processes
    counters_publish_seconds: float = 2.0
    counters_persist_seconds: float = 60.0
    lease_ttl_seconds: float = 60.0
    push: bool = True
    push_retry_seconds: float = 30.0
    cycle: CycleSettings = field(default_factory=CycleSettings)
    act: ActSettings = field(default_factory=ActSettings)


class Engine:
    def __init__(
        self,
        *,
        store: Store,
        connectors: ConnectorFactory,
        secrets: SecretStore,
        settings: EngineSettings | None = None,
        bus: EventBus | None = None,
        clock: Clock = utcnow,
        owner: str | None = None,
        tokens: TokenIssuer | None = None,
    ):
        self.settings = settings or EngineSettings()
        self.store = store
        self.connectors = connectors
        self.secrets = secrets
        self.bus = bus or EventBus()
        self.counters = Counters()
        # A factory that parks connections between cycles does so only while this engine runs; the
        # throttles count its parked connections against the profile's limit.
        self._parking = connectors if isinstance(connectors, ConnectionParking) else None
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        # on a shared store, connection limits hold for every engine host together
        budget = (
            SharedBudget(store=store, owner=self.owner, lease_seconds=self.settings.lease_ttl_seconds, clock=clock)
            if store.shared
            else None
        )
        self.throttles = Throttles(self._parking, budget)
        self._now = clock
        self.hosts = HostPresence(
            store=store,
            owner=self.owner,
            lease_seconds=self.settings.lease_ttl_seconds,
            clock=clock,
            wants=_wants_cycles,
            busy=self._busy,
            sync_requested=self._take_sync_requests,
        )
        self.hosts.also_on_beat(self.throttles.on_beat)
        self.mailbox_queue = WorkQueue("mailboxes", self.settings.mailbox_workers)
        self.outgoing_queue = WorkQueue("outgoing", self.settings.outgoing_workers)
        self.operations = WorkQueue("operations", self.settings.operation_workers)
        parts = Collaborators(
            store=store,
            connectors=connectors,
            secrets=secrets,
            throttles=self.throttles,
            bus=self.bus,
            counters=self.counters,
            clock=clock,
            tokens=tokens,
        )
        self.tokens = tokens
        self.outgoing = OutgoingSender(owner=self.owner, retry=self.settings.cycle.retry, **parts)
        self.act = ActCycle(settings=self.settings.act, **parts)
        self.status_buffer = StatusBuffer()
        self.cycle = MailboxCycle(
            settings=self.settings.cycle, health=ProfileHealth(), status_buffer=self.status_buffer, **parts
        )
        self._due: dict[MailboxId, dt.datetime] = {}
        self._mailboxes: dict[MailboxId, Mailbox] = {}
        self._profiles: dict[int, Profile] = {}
        self._held: set[MailboxId] | None = None  # leased mailboxes on a shared store; None: all
        self._push_tasks: dict[MailboxId, asyncio.Task[None]] = {}
        self._again: set[MailboxId] = set()
        self._push_keys: dict[MailboxId, ThrottleKey] = {}
        self._loop_task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()
        self._exit = contextlib.ExitStack()
        self._metrics: MetricsServer | None = None
        self._started = False
        self._items_at_start = 0.0
        self._paused = False
        self._awaited: set[asyncio.Future[object]] = set()  # callers of run_operation still waiting

    # --- life cycle ----------------------------------------------------------------------------

    async def start(self, *, metrics_port: int | None = None) -> None:
        """Take the store (refusing if another engine holds an embedded one) and start the queues."""
        self._exit.enter_context(self.store.single_engine_lock())
        keep_large_buffers_apart()  # memory flat over a long import
        try:
            async with self.store.transaction() as tx:
                self.counters.restore(await tx.counters.load())
            self._items_at_start = self.counters.flat().get("desktop_sync_items_total", 0.0)
            for queue in (self.mailbox_queue, self.outgoing_queue, self.operations):
                queue.start()
            await self.hosts.start()
            await self._recover_outgoing()
            if metrics_port is not None:
                self._metrics = MetricsServer(self.render_metrics, metrics_port)
                await self._metrics.start()
            if self._parking is not None:
                self._parking.start_parking()
        except BaseException:
            self._exit.close()
            raise
        self._started = True
        log.info("engine %s started on %s", self.owner, self.store.label)

    async def _recover_outgoing(self) -> None:
        """Claims of sends that a dead engine left half-done: on an embedded store every claim is
        stale (we hold the only engine lock); on a shared one, those of engines no longer alive."""
        live: list[str] | None = None
        if self.store.shared:
            live = await self.hosts.live_owners()
            live.append(self.owner)
        await self.outgoing.recover(live)

    async def stop(self) -> None:
        """Stop cleanly: running cycles are cancelled and roll back; counters are saved; leases freed."""
        if not self._started:
            return
        self._started = False
        self._stopping.set()
        if self._loop_task is not None:
            self._loop_task.cancel()
            await asyncio.gather(self._loop_task, return_exceptions=True)
        for task in self._push_tasks.values():
            task.cancel()
        await asyncio.gather(*self._push_tasks.values(), return_exceptions=True)
        self._push_tasks.clear()
        for queue in (self.mailbox_queue, self.outgoing_queue, self.operations):
            await queue.stop()
        for waiting in list(self._awaited):  # dropped from the queue or cancelled: they rolled back
            if not waiting.done():
                waiting.set_exception(
                    DesktopSyncError(
                        "the sync engine stopped before the operation ended; nothing of it was kept",
                        code="operation_interrupted",
                    )
                )
        if self._parking is not None:
            await self._parking.stop_parking()
        self.cycle.parser.close()
        with contextlib.suppress(DesktopSyncError):
            await self.status_buffer.flush(self.store)
            await self._persist_counters()
        await self.hosts.stop()
        if self._metrics is not None:
            await self._metrics.stop()
        self._exit.close()
        log.info("engine %s stopped", self.owner)

    async def run_once(self) -> None:
        """One cycle of every due, enabled mailbox and of the outgoing queue; returns when all are done."""
        await self._refresh(start_push=False)
        now = self._now()
        async with self.store.transaction() as tx:
            statuses = {s.mailbox_id: s for s in await tx.status.list()}
            requested = set(await tx.status.take_sync_requests(list(self._mailboxes)))
        due_ids = []
        for mailbox_id in list(self._mailboxes):
            status = statuses.get(mailbox_id)
            due = status.next_sync_at if status else None
            if due is None or due <= now or mailbox_id in requested:
                due_ids.append(mailbox_id)
        await self._dispatch(due_ids, PRIORITY_DUE, reschedule=False)
        self._submit_outgoing()
        await self._join()
        await self.status_buffer.flush(self.store)

    async def run(self, duration: float | None = None) -> None:
        """Run until ``stop()`` or until ``duration`` seconds have passed."""
        self._loop_task = asyncio.create_task(self._loop(), name="engine-loop")
        try:
            if duration is None:
                await self._stopping.wait()
            else:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), timeout=duration)
        finally:
            if self._loop_task is not None:
                self._loop_task.cancel()
                await asyncio.gather(self._loop_task, return_exceptions=True)
                self._loop_task = None

    def request_stop(self) -> None:
        self._stopping.set()

    @property
    def paused(self) -> bool:
        return self._paused

    def pause(self) -> None:
        """Stop starting cycles and sends (running ones finish); Sync now still works."""
        self._paused = True

    def resume(self) -> None:
        self._paused = False

    # --- what the GUI and services ask -------------------------------------------------------------

    def sync_now(self, mailbox_id: MailboxId) -> bool:
        """Put a mailbox at the head of the queue; False when it is not one this engine syncs."""
        if mailbox_id not in self._mailboxes:
            return False
        self._submit(mailbox_id, PRIORITY_NOW)
        return True

    def submit_operation(self, name: str, subject: str, job: Callable[[], Awaitable[str]]) -> bool:
        """Run an asynchronous operation (Test & Enable, a bulk job...) in its own queue."""

        async def run() -> None:
            try:
                detail = await job()
            except DesktopSyncError as exc:
                self.bus.publish(OperationFinished(name, subject, False, exc.message))
            else:
                self.bus.publish(OperationFinished(name, subject, True, detail))

        return self.operations.submit((name, subject), run)

    async def run_operation(
        self,
        name: str,
        subject: str,
        work: Callable[[ProgressReporter], Awaitable[T]],
        summary: Callable[[T], str] = lambda _result: "",
    ) -> T:
        """Run ``work`` in the operations queue and return its result once it has run.

        ``work`` gets a reporter that publishes OperationProgress; OperationFinished says how it ended
        (``summary`` of the result, or the error). Cancelling the caller cancels the operation: dropped
        if still queued, cancelled (so rolled back) if running. Raises DesktopSyncError (``busy``) when
        the same operation on the same subject is already queued or running.
        """
        outcome: asyncio.Future[T] = asyncio.get_running_loop().create_future()

        def progress(step: str, done: int, total: int) -> None:
            self.bus.publish(OperationProgress(name, subject, step, done, total))

        async def job() -> None:
            if outcome.done():
                return  # the caller gave up while it was queued

            async def call() -> T:
                return await work(progress)

            task = asyncio.create_task(call(), name=f"operation {name}: {subject}")
            outcome.add_done_callback(lambda f: task.cancel() if f.cancelled() else None)
            try:
                result = await task
            except asyncio.CancelledError:
                current = asyncio.current_task()
                if current is not None and current.cancelling():
                    raise  # the engine is stopping: stop() tells the caller
                self.bus.publish(OperationFinished(name, subject, False, "cancelled"))
            except Exception as exc:
                message = exc.message if isinstance(exc, DesktopSyncError) else str(exc)
                self.bus.publish(OperationFinished(name, subject, False, message))
                if not outcome.done():
                    outcome.set_exception(exc)
                if not isinstance(exc, DesktopSyncError):
                    raise  # a bug: the queue logs it
            else:
                self.bus.publish(OperationFinished(name, subject, True, summary(result)))
                if not outcome.done():
                    outcome.set_result(result)

        if not self.operations.submit((name, subject), job):
            raise DesktopSyncError(f"{name} of {subject} is already running", code="busy")
        self._awaited.add(outcome)  # type: ignore[arg-type]
        try:
            return await outcome
        finally:
            self._awaited.discard(outcome)

    @property
    def metrics_port(self) -> int | None:
        return self._metrics.port if self._metrics is not None else None

    @property
    def cycles_run(self) -> int:
        return self.mailbox_queue.done + self.mailbox_queue.failed

    @property
    def items_committed(self) -> float:
        return self.counters.flat().get("desktop_sync_items_total", 0.0) - self._items_at_start

    def render_metrics(self) -> str:
        self._update_queue_gauges()
        return self.counters.prometheus_text()

    # --- the loop ------------------------------------------------------------------------------

    async def _loop(self) -> None:
        loop = asyncio.get_running_loop()
        last_refresh = last_requests = last_publish = last_persist = -math.inf
        settings = self.settings
        while True:
            now_mono = loop.time()
            try:
                refreshed = False
                if now_mono - last_refresh >= settings.refresh_seconds or self.hosts.take_change():
                    await self._refresh(start_push=self.settings.push)
                    last_refresh = now_mono
                    refreshed = True  # a mailbox just taken over may have been asked to sync meanwhile
                if refreshed or now_mono - last_requests >= settings.request_poll_seconds:
                    await self._take_sync_requests()
                    last_requests = now_mono
                if not self._paused:
                    await self._submit_due()
                    self._submit_outgoing()
                await self.status_buffer.flush(self.store)
                if now_mono - last_publish >= settings.counters_publish_seconds:
                    self._update_queue_gauges()
                    self.bus.publish(CountersUpdated(self.counters.flat(), self.counters.view()))
                    last_publish = now_mono
                if now_mono - last_persist >= settings.counters_persist_seconds:
                    await self._persist_counters()
                    last_persist = now_mono
            except DesktopSyncError as exc:
                # the store went away for a moment: say so, keep going, try again next tick
                log.warning("engine loop: %s", exc.message)
            await asyncio.sleep(settings.tick_seconds)

    async def _refresh(self, *, start_push: bool) -> None:
        """Reload the mailboxes this engine syncs: on a shared store, those it leases (``engine/hosts.py``)."""
        async with self.store.transaction() as tx:
            mailboxes = await tx.mailboxes.list()
            profiles = await tx.profiles.list()
            statuses = {s.mailbox_id: s for s in await tx.status.list()}
        held = self.hosts.held  # on a shared store, the leases of the last heartbeat
        self._profiles = {p.id: p for p in profiles if p.id is not None}
        wanted = {
            m.id: m for m in mailboxes if m.id is not None and _wants_cycles(m) and (held is None or m.id in held)
        }
        self._held = held
        for gone in set(self._mailboxes) - set(wanted):
            self._due.pop(gone, None)
            task = self._push_tasks.pop(gone, None)
            if task is not None:
                task.cancel()
        for mailbox_id, mailbox in wanted.items():
            if mailbox_id not in self._due:
                status = statuses.get(mailbox_id)
                next_at = status.next_sync_at if status and status.state is not MailboxState.DISABLED else None
                self._due[mailbox_id] = next_at or self._now()
            if start_push and mailbox.approval is ApprovalState.APPROVED:
                self._ensure_push(mailbox)
        self._mailboxes = wanted

    async def _take_sync_requests(self) -> None:
        async with self.store.transaction() as tx:
            requested = await tx.status.take_sync_requests(list(self._mailboxes))
        for mailbox_id in requested:
            self._submit(mailbox_id, PRIORITY_NOW)

    async def _submit_due(self) -> None:
        now = self._now()
        due = [(at, m) for m, at in self._due.items() if at <= now and not self.mailbox_queue.is_pending(m)]
        # the longest due first: a mailbox back from the per-cycle cap queues behind those it yielded to
        await self._dispatch([m for _, m in sorted(due)], PRIORITY_DUE)

    def _no_one_waits(self) -> bool:
        """Whether a cycle at the per-cycle cap may go on: no other mailbox waits for a worker (every
        worker busy, and one queued or due). The cap is there for fairness, never to make a lone
        mailbox wait."""
        queue = self.mailbox_queue
        if queue.running < queue.workers:
            return True  # a free worker takes whatever is queued or due
        if queue.length:
            return False
        now = self._now()
        return not any(at <= now and not queue.is_pending(m) for m, at in self._due.items())

    async def _dispatch(self, mailbox_ids: list[MailboxId], priority: int, reschedule: bool = True) -> None:
        """Queue these mailboxes' cycles, loading what they start from in bulk."""
        for start in range(0, len(mailbox_ids), DISPATCH_CHUNK):
            chunk = mailbox_ids[start : start + DISPATCH_CHUNK]
            contexts = await self.cycle.load_contexts(chunk)
            for mailbox_id in chunk:
                context = contexts.get(mailbox_id)
                if context is not None:
                    self._submit(mailbox_id, priority, reschedule, context)

    def _submit(
        self, mailbox_id: MailboxId, priority: int, reschedule: bool = True, context: Context | None = None
    ) -> None:
        if self.mailbox_queue.is_running(mailbox_id):
            if priority == PRIORITY_NOW:
                self._again.add(mailbox_id)  # news arrived during the cycle: run again right after
            return

        async def job() -> None:
            outcome = await self.cycle.run(mailbox_id, context, self._no_one_waits if reschedule else None)
            next_sync_at = outcome.next_sync_at
            mailbox = self._mailboxes.get(mailbox_id) or (context.mailbox if context else None)
            if mailbox is not None and _wants_act(mailbox):
                report = await self.act.run(mailbox_id)
                wait = RESUME_SECONDS if report.more else self.settings.cycle.schedule.start
                act_next = self._now() + dt.timedelta(seconds=wait)
                if report.more:  # Exchange has more pages: come back in seconds, this process or the next
                    async with self.store.transaction() as tx:
                        status = self.status_buffer.take(mailbox_id) or await tx.status.get(mailbox_id)
                        if status.next_sync_at is None or status.next_sync_at > act_next:
                            status = dataclasses.replace(status, next_sync_at=act_next)
                        await tx.status.save(status)
                next_sync_at = min(next_sync_at, act_next) if next_sync_at else act_next
                outcome = dataclasses.replace(outcome, next_sync_at=next_sync_at)
            if not reschedule:
                return
            if mailbox_id in self._again:
                self._again.discard(mailbox_id)
                self._due[mailbox_id] = self._now()
            elif outcome.more_pending:
                # it stopped at the cap for mailboxes waiting: it goes on after them, not later
                self._due[mailbox_id] = self._now()
            elif outcome.next_sync_at is None:
                self._due.pop(mailbox_id, None)
            else:
                self._due[mailbox_id] = outcome.next_sync_at

        if reschedule:
            # while queued or running, the mailbox is not due again: its next time is set when it ends
            self._due[mailbox_id] = NEVER
        self.mailbox_queue.submit(mailbox_id, job, priority)

    def _busy(self, mailbox_id: MailboxId) -> bool:
        """Queued or running here: its lease is not given back under it."""
        return self.mailbox_queue.is_pending(mailbox_id) or self.mailbox_queue.is_running(mailbox_id)

    def _submit_outgoing(self) -> None:
        if not self.outgoing_queue.is_pending("outgoing"):
            self.outgoing_queue.submit("outgoing", self._send_outgoing)

    async def _send_outgoing(self) -> None:
        await self.outgoing.run()

    async def _join(self) -> None:
        for queue in (self.mailbox_queue, self.outgoing_queue, self.operations):
            await queue.join()

    # --- push ----------------------------------------------------------------------------------

    def _ensure_push(self, mailbox: Mailbox) -> None:
        assert mailbox.id is not None
        task = self._push_tasks.get(mailbox.id)
        if task is not None and not task.done():
            return
        profile = self._profiles.get(mailbox.profile_id)
        if profile is None or not mailbox.incoming.enabled:
            return
        # a listener holds a connection for as long as it listens: never more than half of the
        # limit, so polling cycles always have connections left (the rest poll, as a safety net)
        key = ThrottleKey.of(profile, mailbox)
        listening = sum(1 for m, t in self._push_tasks.items() if not t.done() and self._push_keys.get(m) == key)
        if listening >= profile.max_connections // 2:
            return
        self._push_keys[mailbox.id] = key
        self._push_tasks[mailbox.id] = asyncio.create_task(
            self._push_loop(mailbox, profile), name=f"push-{mailbox.address}"
        )

    async def _push_loop(self, mailbox: Mailbox, profile: Profile) -> None:
        """Hold a push listener open; each notification puts the mailbox at the head of the queue."""
        assert mailbox.id is not None
        while True:
            listener: PushListener | None = None
            try:
                credentials = await self.cycle.credentials(profile, mailbox)
                key = ThrottleKey.of(profile, mailbox)
                async with self.throttles.slot(key, profile.max_connections, listener=True) as granted:
                    if granted:  # else every slot another host may give is taken: poll, listen later
                        connector = self.connectors.incoming(profile, mailbox, credentials)
                        listener = connector.push()
                        if listener is None:
                            await connector.close()
                            return  # this protocol cannot push: polling alone
                        try:
                            while True:
                                await listener.wait_for_changes()
                                self._submit(mailbox.id, PRIORITY_NOW)
                        finally:
                            await listener.close()
                            await connector.close()
            except DesktopSyncError as exc:
                log.info("push for %s paused: %s", mailbox.address, exc.message)
            await asyncio.sleep(self.settings.push_retry_seconds)

    # --- counters ------------------------------------------------------------------------------

    def _update_queue_gauges(self) -> None:
        for queue in (self.mailbox_queue, self.outgoing_queue, self.operations):
            self.counters.set("desktop_sync_queue_length", queue.length, queue=queue.name)
            self.counters.set("desktop_sync_queue_running", queue.running, queue=queue.name)

    async def _persist_counters(self) -> None:
        async with self.store.transaction() as tx:
            await tx.counters.save(self.counters.snapshot())


def _wants_act(mailbox: Mailbox) -> bool:
    return mailbox.act.method is SyncMethod.SERVER_SIDE and mailbox.act.enabled


def _wants_cycles(mailbox: Mailbox) -> bool:
    """Mailboxes the engine visits: incoming email or appointments, contacts and tasks synchronized
    here and switched on. Unapproved ones are visited too, so they get their "not approved" alert.
    """
    incoming = mailbox.incoming
    return (incoming.method is SyncMethod.SERVER_SIDE and incoming.enabled) or _wants_act(mailbox)
