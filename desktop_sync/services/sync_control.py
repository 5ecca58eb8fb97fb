"""The embedded engine as the desktop application drives it: run, pause, resume, Sync now, Test & Enable.

Pausing stops the engine cleanly (running cycles roll back) and resuming starts a new one on the
same event bus, so whoever listens to the bus notices nothing but the pause. Test & Enable runs
here directly, so it works while synchronization is paused, and so does the preview of a mailbox's
appointments, contacts and tasks (the ACT cycle's dry run, which changes nothing). The command line
runs Test & Enable, the dry run and the confirmation of held plans through here too, with no engine
started: one path for both.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import enum
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from desktop_sync.domain.errors import DesktopSyncError, NotFoundError
from desktop_sync.domain.model import MailboxId, RecordType
from desktop_sync.domain.ports import SecretStore, Store, TokenIssuer
from desktop_sync.domain.ports.connectors import ConnectorFactory
from desktop_sync.domain.sync_filters import SYNCED_TYPES
from desktop_sync.domain.validation import normalize_address
from desktop_sync.engine import act_cycle
from desktop_sync.engine.act_cycle import ActCycle, ActReport
from desktop_sync.engine.counters import Counters
from desktop_sync.engine.enablement import Enablement
from desktop_sync.engine.enablement import EnablementReport as EnablementReport
from desktop_sync.engine.engine import Engine, EngineSettings
from desktop_sync.engine.events import EventBus, OperationFinished, OperationProgress, ProgressReporter
from desktop_sync.engine.throttle import Throttles
from desktop_sync.services.act import ActPreview, ActService, describe_plan
from desktop_sync.services.monitoring import MonitoringService

log = logging.getLogger("desktop_sync.services.sync_control")

T = TypeVar("T")
STOP_TIMEOUT_SECONDS = 15.0
TEST_AND_ENABLE_AT_ONCE = 4

# The ACT cycle's own words for its report: an action as data, and why the safety stop holds a plan.
describe_action = act_cycle.describe
stop_why = act_cycle.stop_why


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class EngineStatus(enum.Enum):
    UNAVAILABLE = "unavailable"  # no mail connectors in this installation: nothing to run
    STOPPED = "stopped"
    RUNNING = "running"
    PAUSED = "paused"
    FAILED = "failed"  # it could not start (another engine holds the store...); see the detail


@dataclass(frozen=True, slots=True)
class StatusChange:
    status: EngineStatus
    detail: str = ""


@dataclass(frozen=True, slots=True)
class EnablementOutcome:
    """Test & Enable of one mailbox: its report, or the error that kept it from running."""

    address: str
    report: EnablementReport | None = None
    error: DesktopSyncError | None = None


@dataclass(frozen=True, slots=True)
class _Known:
    """A mailbox the ACT cycle can run for: its id, and its address as stored."""

    id: MailboxId
    address: str


@dataclass(frozen=True, slots=True)
class SyncNowResult:
    started: tuple[str, ...]  # queued in this process's engine now
    requested: tuple[str, ...]  # recorded for the engine that syncs them (paused here, or another host)


@dataclass(frozen=True, slots=True)
class ActConfirmation:
    """What confirming a mailbox's held plans did."""

    address: str
    waiting: bool  # something waited for confirmation
    applied: tuple[RecordType, ...] = ()  # these types' plans ran once
    held_again: tuple[RecordType, ...] = ()  # these changed since they were held: the new plan waits


class SyncControl:
    def __init__(
        self,
        *,
        store: Store,
        secrets: SecretStore,
        connectors: ConnectorFactory | None,
        bus: EventBus | None = None,
        monitoring: MonitoringService | None = None,
        settings: EngineSettings | None = None,
        clock: Callable[[], dt.datetime] = utcnow,
        tokens: TokenIssuer | None = None,
    ):
        self._store = store
        self._secrets = secrets
        self._tokens = tokens  # OAuth profiles' access tokens, for the engine and Test & Enable
        self._connectors = connectors
        self._bus = bus or EventBus()  # the command line listens to no one: its events go nowhere
        self._monitoring = monitoring or MonitoringService(store)
        self._settings = settings
        self._clock = clock
        self._engine: Engine | None = None
        self._run_task: asyncio.Task[None] | None = None
        self._throttles = Throttles()
        self._status = StatusChange(EngineStatus.STOPPED if connectors else EngineStatus.UNAVAILABLE)
        self._listeners: list[Callable[[StatusChange], None]] = []

    # --- state ---------------------------------------------------------------------------------

    @property
    def status(self) -> StatusChange:
        return self._status

    @property
    def connectors_available(self) -> bool:
        return self._connectors is not None

    def subscribe(self, listener: Callable[[StatusChange], None]) -> Callable[[], None]:
        """Call ``listener`` on every status change; returns the function that stops it."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def _set_status(self, status: EngineStatus, detail: str = "") -> None:
        self._status = StatusChange(status, detail)
        for listener in list(self._listeners):
            try:
                listener(self._status)
            except Exception:
                log.exception("an engine status listener failed")

    # --- life cycle ----------------------------------------------------------------------------

    async def start(self) -> None:
        """Start the engine on the running loop. Raises DesktopSyncError when it cannot start."""
        if self._connectors is None:
            self._set_status(EngineStatus.UNAVAILABLE)
            return
        if self._engine is not None:
            return
        engine = Engine(
            store=self._store,
            connectors=self._connectors,
            secrets=self._secrets,
            settings=self._settings,
            bus=self._bus,
            clock=self._clock,
            tokens=self._tokens,
        )
        try:
            await engine.start()
        except DesktopSyncError as exc:
            self._set_status(EngineStatus.FAILED, exc.message)
            raise
        self._engine = engine
        self._throttles = engine.throttles
        self._run_task = asyncio.create_task(engine.run(), name="engine-run")
        self._set_status(EngineStatus.RUNNING)

    async def stop(self, *, paused: bool = False) -> None:
        """Stop the engine cleanly: running cycles roll back, counters are saved."""
        engine, task = self._engine, self._run_task
        self._engine, self._run_task = None, None
        if engine is not None:
            engine.request_stop()
            if task is not None:
                try:
                    await asyncio.wait_for(asyncio.shield(task), STOP_TIMEOUT_SECONDS)
                except TimeoutError:
                    task.cancel()
                    await asyncio.gather(task, return_exceptions=True)
            await engine.stop()
        if self._connectors is not None:
            self._set_status(EngineStatus.PAUSED if paused else EngineStatus.STOPPED)

    async def pause(self) -> None:
        """Stop synchronizing until ``resume``; Test & Enable keeps working."""
        if self._status.status is EngineStatus.RUNNING:
            await self.stop(paused=True)

    async def resume(self) -> None:
        if self._status.status in (EngineStatus.PAUSED, EngineStatus.STOPPED, EngineStatus.FAILED):
            await self.start()

    # --- what the admin asks -------------------------------------------------------------------

    async def sync_now(self, addresses: Sequence[str]) -> SyncNowResult:
        """Put these mailboxes at the head of the queue, or record the request for the engine that syncs them."""
        started: list[str] = []
        requested: list[str] = []
        views = {v.mailbox.address: v.mailbox for v in await self._monitoring.statuses()}
        for address in addresses:
            mailbox = views.get(address.lower())
            engine = self._engine
            if mailbox is not None and mailbox.id is not None and engine is not None and engine.sync_now(mailbox.id):
                started.append(mailbox.address)
            else:
                requested.append((await self._monitoring.request_sync(address)).address)
        return SyncNowResult(tuple(started), tuple(requested))

    async def sync_all(self) -> SyncNowResult:
        """Sync now every mailbox whose incoming email is on."""
        addresses = [v.mailbox.address for v in await self._monitoring.statuses() if v.mailbox.incoming.enabled]
        return await self.sync_now(addresses)

    async def run_operation(
        self,
        name: str,
        subject: str,
        work: Callable[[ProgressReporter], Awaitable[T]],
        summary: Callable[[T], str] = lambda _result: "",
    ) -> T:
        """Run an asynchronous operation (a migration...) and return its result.

        In the engine's operations queue while the engine runs in this process; otherwise (paused,
        stopped, no connectors) directly, on this loop. Either way its progress and its end are
        OperationProgress and OperationFinished events on the bus, and cancelling the caller cancels
        the operation.
        """
        engine = self._engine
        if engine is not None:
            return await engine.run_operation(name, subject, work, summary)

        def progress(step: str, done: int, total: int) -> None:
            self._bus.publish(OperationProgress(name, subject, step, done, total))

        try:
            result = await work(progress)
        except asyncio.CancelledError:
            self._bus.publish(OperationFinished(name, subject, False, "cancelled"))
            raise
        except DesktopSyncError as exc:
            self._bus.publish(OperationFinished(name, subject, False, exc.message))
            raise
        self._bus.publish(OperationFinished(name, subject, True, summary(result)))
        return result

    async def test_and_enable(
        self,
        addresses: Sequence[str],
        on_done: Callable[[EnablementOutcome], None] | None = None,
    ) -> list[EnablementOutcome]:
        """Test each mailbox's channels and enable what passed; a few mailboxes at a time.

        ``on_done`` hears of each mailbox as soon as it is done; the list comes back in the order asked.
        """
        if self._connectors is None:
            error = DesktopSyncError("no mail connectors are available in this installation", code="not_supported")
            outcomes = [EnablementOutcome(a, error=error) for a in addresses]
            for outcome in outcomes:
                if on_done is not None:
                    on_done(outcome)
            return outcomes
        operation = Enablement(
            store=self._store,
            connectors=self._connectors,
            secrets=self._secrets,
            throttles=self._throttles,
            clock=self._clock,
            bus=self._bus,  # its alerts reach the alerts wall at once
            tokens=self._tokens,
        )
        gate = asyncio.Semaphore(TEST_AND_ENABLE_AT_ONCE)

        async def one(address: str) -> EnablementOutcome:
            async with gate:
                try:
                    outcome = EnablementOutcome(address, report=await operation.run(address))
                except DesktopSyncError as exc:
                    outcome = EnablementOutcome(address, error=exc)
            if on_done is not None:
                on_done(outcome)
            return outcome

        return list(await asyncio.gather(*(one(a) for a in addresses)))

    def _act_cycle(self) -> ActCycle:
        """The running engine's ACT cycle, or one over the same throttles while it is paused."""
        assert self._connectors is not None
        if self._engine is not None:
            return self._engine.act
        return ActCycle(
            store=self._store,
            connectors=self._connectors,
            secrets=self._secrets,
            throttles=self._throttles,
            bus=self._bus,
            counters=Counters(),
            clock=self._clock,
            tokens=self._tokens,
            settings=(self._settings or EngineSettings()).act,
        )

    async def confirm_act(
        self, address: str, record_type: RecordType | None = None, seen: Mapping[RecordType, str] | None = None
    ) -> ActConfirmation:
        """Run once the plans the safety stop holds for ``address`` (one record type, or all), as
        ``act confirm`` does, or those a preview showed (``seen``: ``ActPreview.fingerprints``).
        Raises DesktopSyncError when the mailbox cannot be reached."""
        mailbox = await self._act_mailbox(address)
        held, report = await self._act_cycle().confirm(mailbox.id, [record_type] if record_type else None, seen)
        if report is None:
            return ActConfirmation(mailbox.address, waiting=False)
        if report.error:
            code, _, message = report.error.partition(": ")
            raise DesktopSyncError(message or code, code=code if message else None)
        applied = tuple(t.record_type for t in report.types if t.held is None)
        again = tuple(t.record_type for t in report.types if t.held is not None)
        return ActConfirmation(mailbox.address, waiting=bool(held), applied=applied, held_again=again)

    async def confirm_report(
        self,
        address: str,
        record_types: Sequence[RecordType] | None = None,
        seen: Mapping[RecordType, str] | None = None,
    ) -> tuple[tuple[RecordType, ...], ActReport | None]:
        """Run once the plans the safety stop holds for ``address``: the plans that waited, and the
        ACT cycle's report of the run (None when nothing waited), as ``act confirm`` prints it."""
        mailbox = await self._act_mailbox(address)
        return await self._act_cycle().confirm(mailbox.id, record_types, seen)

    async def dry_run_report(self, address: str) -> ActReport:
        """The ACT cycle's dry run of ``address`` as the cycle reports it (``preview`` describes it for
        the admin; ``sync now EMAIL --dry-run`` prints it). Changes nothing."""
        mailbox = await self._act_mailbox(address)
        return await self._act_cycle().run(mailbox.id, dry_run=True)

    async def _act_mailbox(self, address: str) -> _Known:
        if self._connectors is None:
            raise DesktopSyncError("no mail connectors are available in this installation", code="not_supported")
        async with self._store.transaction() as tx:
            mailbox = await tx.mailboxes.by_address(normalize_address(address, "address"))
        if mailbox is None or mailbox.id is None:
            raise NotFoundError("address", f"no mailbox {address}")
        return _Known(mailbox.id, mailbox.address)

    async def preview(self, address: str) -> ActPreview:
        """What the next cycle of ``address``'s appointments, contacts and tasks would do, changing nothing.

        The ACT cycle's dry run, as ``sync now EMAIL --dry-run`` runs it: it reads both sides and plans.
        Raises DesktopSyncError when it cannot run (no such mailbox, the server refused...).
        """
        report = await self.dry_run_report(address)
        if report.error:
            code, _, message = report.error.partition(": ")
            raise DesktopSyncError(message or code, code=code if message else None)
        act = ActService(self._store, self._clock)
        titles = {record_type: await act.titles(record_type) for record_type in SYNCED_TYPES}
        return describe_plan(report, titles)
