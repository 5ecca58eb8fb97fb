"""The one subscriber of the engine's event bus: each engine event becomes a typed Qt signal.

Widgets connect to these signals and never look inside the engine. Events are published on the
event loop's thread, which qasync makes the GUI thread, so signals are delivered directly.
The engine's run state (running, paused, unavailable) comes through here too.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from desktop_sync.engine.events import (
    AlertRaised,
    CountersUpdated,
    CycleFinished,
    CycleStarted,
    Event,
    EventBus,
    ImportProgress,
    ItemsSynced,
    MailboxStateChanged,
    OperationFinished,
    OperationProgress,
)
from desktop_sync.services.sync_control import StatusChange, SyncControl


class EngineBridge(QObject):
    """Turns engine events into Qt signals; each signal carries the event object itself."""

    mailbox_state_changed = Signal(MailboxStateChanged)
    cycle_started = Signal(CycleStarted)
    cycle_finished = Signal(CycleFinished)
    items_synced = Signal(ItemsSynced)
    import_progress = Signal(ImportProgress)
    alert_raised = Signal(AlertRaised)
    counters_updated = Signal(CountersUpdated)
    operation_progress = Signal(OperationProgress)
    operation_finished = Signal(OperationFinished)
    engine_status_changed = Signal(StatusChange)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._detach: list[Callable[[], None]] = []
        self._signals: dict[type, Signal] = {
            MailboxStateChanged: self.mailbox_state_changed,
            CycleStarted: self.cycle_started,
            CycleFinished: self.cycle_finished,
            ItemsSynced: self.items_synced,
            ImportProgress: self.import_progress,
            AlertRaised: self.alert_raised,
            CountersUpdated: self.counters_updated,
            OperationProgress: self.operation_progress,
            OperationFinished: self.operation_finished,
        }

    def attach(self, bus: EventBus, control: SyncControl | None = None) -> None:
        """Listen to ``bus`` (and to the engine's run state when ``control`` is given) until ``detach``."""
        self._detach.append(bus.subscribe(self.publish))
        if control is not None:
            self._detach.append(control.subscribe(self.engine_status_changed.emit))

    def detach(self) -> None:
        for undo in self._detach:
            undo()
        self._detach.clear()

    def publish(self, event: Event) -> None:
        """Emit the signal of ``event``'s type (the bus calls this; tests may too)."""
        signal = self._signals.get(type(event))
        if signal is not None:
            signal.emit(event)
