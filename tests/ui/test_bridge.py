"""The bridge is the one bus subscriber: each engine event becomes the Qt signal of its type."""

from __future__ import annotations

import datetime as dt

import pytest

from desktop_sync.domain.model import Alert, AlertScope, Channel, MailboxId, MailboxState, Severity
from desktop_sync.engine.events import (
    AlertRaised,
    CountersUpdated,
    CycleFinished,
    CycleStarted,
    EventBus,
    ImportProgress,
    ItemsSynced,
    MailboxStateChanged,
    OperationFinished,
    OperationProgress,
)
from desktop_sync.ui.bridge import EngineBridge

pytestmark = pytest.mark.gui
NOW = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)
ONE = MailboxId(1)

EVENTS = {
    "mailbox_state_changed": MailboxStateChanged(ONE, "a@x.test", MailboxState.SYNCING),
    "cycle_started": CycleStarted(ONE, "a@x.test", NOW),
    "cycle_finished": CycleFinished(ONE, "a@x.test", NOW, 3, 0.5),
    "items_synced": ItemsSynced(ONE, "a@x.test", Channel.INCOMING, 3),
    "import_progress": ImportProgress(ONE, "a@x.test", 3, 10),
    "alert_raised": AlertRaised(Alert(Severity.ERROR, AlertScope.MAILBOX, "auth_failed", {"detail": "c"})),
    "counters_updated": CountersUpdated({"desktop_sync_items_total": 3.0}),
    "operation_progress": OperationProgress("migration", "router", "Creating email server profiles", 1, 4),
    "operation_finished": OperationFinished("test_enable", "a@x.test", True),
}


@pytest.mark.parametrize("signal_name", list(EVENTS))
def test_each_event_reaches_its_signal_with_the_event_itself(qtbot, signal_name):
    bus = EventBus()
    bridge = EngineBridge()
    bridge.attach(bus)
    event = EVENTS[signal_name]

    with qtbot.waitSignal(getattr(bridge, signal_name), timeout=1000) as blocker:
        bus.publish(event)

    assert blocker.args == [event]


def test_after_detach_the_bus_no_longer_reaches_the_bridge(qtbot):
    bus = EventBus()
    bridge = EngineBridge()
    bridge.attach(bus)
    bridge.detach()
    with qtbot.assertNotEmitted(bridge.cycle_started):
        bus.publish(EVENTS["cycle_started"])
