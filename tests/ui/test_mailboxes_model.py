"""The mailbox table: loaded from the services, kept live by engine events, repainted in batches."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt

from desktop_sync.domain.mailbox_state import DisplayState
from desktop_sync.domain.model import (
    ApprovalState,
    Channel,
    ChannelState,
    ConnectionTestStatus,
    Endpoint,
    Mailbox,
    MailboxId,
    MailboxState,
    Profile,
    ProfileId,
    ProfileKind,
    Security,
    SyncMethod,
    SyncStatus,
)
from desktop_sync.engine.events import CycleFinished, CycleStarted, ImportProgress, ItemsSynced, MailboxStateChanged
from desktop_sync.services.mailboxes import MailboxView, Owner
from desktop_sync.services.monitoring import StatusView
from desktop_sync.ui.mailboxes_model import STATE_ROLE, Column, MailboxFilterProxy, MailboxTableModel

pytestmark = pytest.mark.gui
NOW = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)
PROFILE = Profile("Corp", ProfileKind.IMAP, Endpoint("imap.example.test", 993, Security.TLS), id=ProfileId(1))


ON = ChannelState(SyncMethod.SERVER_SIDE, True, ConnectionTestStatus.SUCCESS)
OFF = ChannelState(SyncMethod.SERVER_SIDE, False, ConnectionTestStatus.SUCCESS)


def view(n: int, owner: str | None = None, **mailbox: object) -> MailboxView:
    mailbox = {"approval": ApprovalState.APPROVED, "incoming": ON} | mailbox
    box = Mailbox(address=f"m{n}@example.test", profile_id=ProfileId(1), id=MailboxId(n), **mailbox)  # type: ignore[arg-type]
    return MailboxView(
        box, PROFILE, Owner("user", f"{owner}@example.test", owner.title()) if owner else None, None, True
    )


def status(n: int, **fields: object) -> StatusView:
    return StatusView(view(n).mailbox, SyncStatus(MailboxId(n), **fields))  # type: ignore[arg-type]


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def model(qapp, clock) -> MailboxTableModel:
    model = MailboxTableModel(clock=clock)
    model.load(
        [view(1, "alice"), view(2, "bob", outgoing=ChannelState()), view(3, incoming=OFF)],
        [status(1, last_sync_at=NOW, items_synced=7), status(2), status(3, state=MailboxState.DISABLED)],
    )
    return model


def text(model: MailboxTableModel, row: int, column: Column) -> str:
    return model.data(model.index(row, column))


def test_load_shows_each_mailbox_with_its_owner_channels_and_status(model):
    assert model.rowCount() == 3
    assert text(model, 0, Column.ADDRESS) == "m1@example.test"
    assert text(model, 0, Column.OWNER) == "Alice"
    assert model.data(model.index(0, Column.OWNER), Qt.ItemDataRole.ToolTipRole) == "Alice <alice@example.test>"
    assert text(model, 2, Column.OWNER) == "(nobody)"
    assert text(model, 0, Column.INCOMING) == "On"
    assert text(model, 1, Column.OUTGOING) == "—"
    assert text(model, 0, Column.ITEMS) == "7"
    assert text(model, 2, Column.STATE) == "Disabled"
    assert text(model, 2, Column.NEXT_SYNC) == "—"


def test_events_change_rows_and_repaint_in_one_batch(model, qtbot):
    one = MailboxId(1)
    with qtbot.waitSignal(model.dataChanged, timeout=2000) as blocker:
        model.on_cycle_started(CycleStarted(one, "m1@example.test", NOW))
        model.on_items_synced(ItemsSynced(one, "m1@example.test", Channel.INCOMING, 50))
        model.on_items_synced(ItemsSynced(one, "m1@example.test", Channel.INCOMING, 50))
    top_left, bottom_right = blocker.args[:2]
    assert (top_left.row(), bottom_right.row()) == (0, 0)
    assert text(model, 0, Column.STATE) == "Syncing"
    assert text(model, 0, Column.ITEMS) == "107"

    model.on_state_changed(
        MailboxStateChanged(one, "m1@example.test", MailboxState.BACKING_OFF, "server busy", backoff_until=NOW)
    )
    model.flush()
    assert text(model, 0, Column.STATE).startswith("Backing off (until ")
    assert text(model, 0, Column.LAST_ERROR) == "server busy"
    next_sync = NOW + dt.timedelta(minutes=5)
    model.on_state_changed(MailboxStateChanged(one, "m1@example.test", MailboxState.IDLE, next_sync_at=next_sync))
    assert text(model, 0, Column.LAST_ERROR) == ""
    assert model.state_counts()[DisplayState.IDLE] == 2


def test_a_first_import_shows_its_progress_and_time_left(model, clock):
    two = MailboxId(2)  # never synced: its first cycle is an import
    model.on_cycle_started(CycleStarted(two, "m2@example.test", NOW))
    model.on_items_synced(ItemsSynced(two, "m2@example.test", Channel.INCOMING, 500))
    assert text(model, 1, Column.STATE) == "Importing (500 so far)"

    clock.now += 10
    model.on_import_progress(ImportProgress(two, "m2@example.test", 1000, 10000))
    assert text(model, 1, Column.STATE) == "Importing (1,000 of 10,000, about 2 min left)"

    model.on_cycle_finished(CycleFinished(two, "m2@example.test", NOW, 1000, 10.0, more_pending=True))
    model.on_cycle_started(CycleStarted(two, "m2@example.test", NOW))
    assert text(model, 1, Column.STATE).startswith("Importing (1,000 of 10,000")
    model.on_cycle_finished(CycleFinished(two, "m2@example.test", NOW, 0, 1.0, next_sync_at=NOW))
    model.on_state_changed(MailboxStateChanged(two, "m2@example.test", MailboxState.IDLE))
    assert text(model, 1, Column.STATE).startswith("Idle (next sync at ")


def test_an_event_for_an_unknown_mailbox_asks_for_a_reload(model, qtbot):
    with qtbot.waitSignal(model.unknown_mailbox, timeout=1000):
        model.on_cycle_started(CycleStarted(MailboxId(99), "new@example.test", NOW))


def test_reloading_keeps_rows_and_live_progress(model):
    model.on_cycle_started(CycleStarted(MailboxId(2), "m2@example.test", NOW))
    model.load([view(2, "bob"), view(4)], [status(2), status(4)])
    assert [row.address for row in model.rows()] == ["m2@example.test", "m4@example.test"]
    assert model.rows()[0].importing is not None
    assert model.rows()[0].state is MailboxState.SYNCING  # the store lags behind the running cycle


def test_the_proxy_searches_filters_by_state_and_sorts(model):
    proxy = MailboxFilterProxy()
    proxy.setSourceModel(model)
    proxy.set_search("ALICE")
    assert proxy.rowCount() == 1
    proxy.set_search("")
    proxy.set_state(DisplayState.DISABLED)
    assert [proxy.index(r, 0).data() for r in range(proxy.rowCount())] == ["m3@example.test"]
    assert proxy.index(0, 0).data(STATE_ROLE) is DisplayState.DISABLED
    proxy.set_state(None)
    proxy.sort(Column.ITEMS, Qt.SortOrder.DescendingOrder)
    assert proxy.index(0, Column.ADDRESS).data() == "m1@example.test"


def test_an_import_spread_over_capped_cycles_stays_an_import_between_them(model):
    two = MailboxId(2)
    model.on_cycle_started(CycleStarted(two, "m2@example.test", NOW))
    model.on_items_synced(ItemsSynced(two, "m2@example.test", Channel.INCOMING, 500))
    soon = NOW + dt.timedelta(seconds=5)  # the engine comes back at once: there is more
    model.on_cycle_finished(CycleFinished(two, "m2@example.test", NOW, 500, 4.0, next_sync_at=soon))
    model.on_state_changed(MailboxStateChanged(two, "m2@example.test", MailboxState.IDLE, next_sync_at=soon))
    assert text(model, 1, Column.STATE) == "Importing (500 so far)"

    later = NOW + dt.timedelta(minutes=5)  # caught up: the usual schedule
    model.on_cycle_finished(CycleFinished(two, "m2@example.test", NOW, 120, 1.0, next_sync_at=later))
    assert text(model, 1, Column.STATE).startswith("Idle (next sync at ")
