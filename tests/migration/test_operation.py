"""The migration as an asynchronous operation: through the engine's operations queue when the engine runs,
directly when it does not, its steps as OperationProgress events, and a cancelled run that writes nothing."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

import pytest
from migration.router_samples import POP3_SMTP, SAMPLE_PROFILES, seed_directory
from support.scripted import ScriptedFactory, ScriptedServer
from support.waiting import eventually

from desktop_sync.domain.email_router.model import EntraApp
from desktop_sync.domain.errors import DesktopSyncError
from desktop_sync.engine.engine import EngineSettings
from desktop_sync.engine.events import Event, EventBus, OperationFinished, OperationProgress
from desktop_sync.secrets import KeyringSecrets
from desktop_sync.services.migration import MIGRATION_OPERATION, MigrationPlan, MigrationService, MigrationStep
from desktop_sync.services.monitoring import MonitoringService
from desktop_sync.services.sync_control import SyncControl
from desktop_sync.store import SqlStore

T = TypeVar("T")
NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)
QUIET = EngineSettings(tick_seconds=0.05, refresh_seconds=0.2, push=False)

ENTRA = EntraApp("11111111-2222-3333-4444-555555555555", "contoso.onmicrosoft.com")


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


class Setup:
    def __init__(self, store: SqlStore) -> None:
        self.store = store
        self.bus = EventBus()
        self.events: list[Event] = []
        self.bus.subscribe(self.events.append)
        secrets = KeyringSecrets()
        self.control = SyncControl(
            store=store,
            secrets=secrets,
            connectors=ScriptedFactory(ScriptedServer()),
            bus=self.bus,
            monitoring=MonitoringService(store),
            settings=QUIET,
        )
        self.migration = MigrationService(store, secrets, clock=lambda: NOW)
        self.workers: list[str] = []  # the name of the task each progress event was published from
        self.bus.subscribe(self._note_worker)

    def _note_worker(self, event: Event) -> None:
        if isinstance(event, OperationProgress):
            task = asyncio.current_task()
            self.workers.append(task.get_name() if task else "")

    async def plan(self, router: Path) -> MigrationPlan:
        await seed_directory(self.store)
        return self.migration.plan(
            await self.migration.read_routers([router]), allow_insecure=[POP3_SMTP], entra_app=ENTRA
        )

    def progress(self) -> list[tuple[str, int, int]]:
        return [(e.step, e.done, e.total) for e in self.events if isinstance(e, OperationProgress)]

    def finished(self) -> list[OperationFinished]:
        return [e for e in self.events if isinstance(e, OperationFinished)]

    async def counts(self) -> tuple[int, int]:
        async with self.store.transaction() as tx:
            return len(await tx.profiles.list()), len(await tx.mailboxes.list())


def _check_steps(progress: list[tuple[str, int, int]]) -> None:
    assert progress[0] == (MigrationStep.PROFILES.value, 0, len(SAMPLE_PROFILES))
    finished_steps = [step for step, done, total in progress if done == total]
    assert finished_steps == [s.value for s in MigrationStep]
    assert progress[-1] == (MigrationStep.MAILBOXES.value, 7, 7)  # queues then users, 7 in all


def test_with_the_engine_running_the_migration_runs_in_its_operations_queue(store: SqlStore, sample_router: Path):
    async def scenario() -> Any:
        setup = Setup(store)
        plan = await setup.plan(sample_router)
        await setup.control.start()
        try:
            report = await setup.migration.run_as_operation(setup.control, plan)
        finally:
            await setup.control.stop()
        return setup, report, await setup.counts()

    setup, report, (profiles, mailboxes) = run(scenario())
    assert (profiles, mailboxes) == (len(SAMPLE_PROFILES), 8)
    assert setup.workers and all(name.startswith(f"operation {MIGRATION_OPERATION}:") for name in setup.workers)
    _check_steps(setup.progress())
    assert setup.finished() == [
        OperationFinished(MIGRATION_OPERATION, str(sample_router), True, report.summary()),
    ]
    assert report.summary().startswith("Profiles: 4 created")


def test_without_an_engine_it_runs_directly_with_the_same_events(store: SqlStore, sample_router: Path):
    async def scenario() -> Any:
        setup = Setup(store)
        plan = await setup.plan(sample_router)
        report = await setup.migration.run_as_operation(setup.control, plan)
        reading = await setup.migration.read_routers([sample_router])
        again = await setup.migration.run_as_operation(
            setup.control, setup.migration.plan(reading, allow_insecure=[POP3_SMTP], entra_app=ENTRA)
        )
        return setup, report, again, await setup.counts()

    setup, _report, again, counts = run(scenario())
    assert counts == (len(SAMPLE_PROFILES), 8)
    assert not any(name.startswith(f"operation {MIGRATION_OPERATION}:") for name in setup.workers)
    assert [f.ok for f in setup.finished()] == [True, True]
    assert (
        again.summary()
        == "Profiles: 0 created, 4 already there. Mailboxes: 0 created, 0 updated, 8 unchanged, 0 skipped."
    )
    _check_steps(setup.progress()[: len(setup.progress()) // 2])


@pytest.mark.parametrize("engine_running", [True, False], ids=["engine", "direct"])
def test_a_cancelled_migration_writes_nothing(store: SqlStore, sample_router: Path, engine_running: bool):
    async def scenario() -> Any:
        setup = Setup(store)
        plan = await setup.plan(sample_router)
        if engine_running:
            await setup.control.start()
        caller: asyncio.Task[Any] | None = None

        def cancel_in_the_last_step(event: Event) -> None:
            if isinstance(event, OperationProgress) and event.step == MigrationStep.MAILBOXES.value and event.done == 2:
                assert caller is not None
                caller.cancel()

        setup.bus.subscribe(cancel_in_the_last_step)
        caller = asyncio.create_task(setup.migration.run_as_operation(setup.control, plan))
        with pytest.raises(asyncio.CancelledError):
            await caller

        async def ended() -> bool:  # the engine's worker says how it ended once the rollback is done
            return bool(setup.finished())

        await eventually(ended, what="the cancelled migration's end")
        counts = await setup.counts()
        await setup.control.stop()
        return setup, counts

    setup, counts = run(scenario())
    assert counts == (0, 0)
    assert setup.finished() == [OperationFinished(MIGRATION_OPERATION, str(sample_router), False, "cancelled")]


def test_the_same_migration_twice_at_once_is_refused(store: SqlStore, sample_router: Path):
    async def scenario() -> Any:
        setup = Setup(store)
        plan = await setup.plan(sample_router)
        await setup.control.start()
        try:
            first = asyncio.create_task(setup.migration.run_as_operation(setup.control, plan))
            await asyncio.sleep(0)  # queued in the engine
            with pytest.raises(DesktopSyncError) as refused:
                await setup.migration.run_as_operation(setup.control, plan)
            await first
        finally:
            await setup.control.stop()
        return refused.value, await setup.counts()

    error, counts = run(scenario())
    assert error.code == "busy" and "already running" in error.message
    assert counts == (len(SAMPLE_PROFILES), 8)


def test_an_engine_stopping_under_an_operation_tells_its_caller(store: SqlStore) -> None:
    async def scenario() -> Any:
        setup = Setup(store)
        await setup.control.start()
        started = asyncio.Event()
        never = asyncio.Event()

        async def stuck(progress: Any) -> str:
            progress("waiting", 0, 1)
            started.set()
            await never.wait()
            return "never"

        caller = asyncio.create_task(setup.control.run_operation("bulk", "everything", stuck))
        await asyncio.wait_for(started.wait(), 10)
        await setup.control.stop()
        with pytest.raises(DesktopSyncError) as stopped:
            await asyncio.wait_for(caller, 10)
        return setup, stopped.value

    setup, error = run(scenario())
    assert error.code == "operation_interrupted" and "nothing of it was kept" in error.message
    assert setup.progress() == [("waiting", 0, 1)]
