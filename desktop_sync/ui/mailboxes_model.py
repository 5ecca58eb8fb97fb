"""The mailbox list as a table model: loaded from the services, then kept live by engine events.

Events change the rows at once but repaint in batches (one ``dataChanged`` per short interval),
so a 10,000-message import does not flood the view.
"""

from __future__ import annotations

import datetime as dt
import enum
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap

from desktop_sync.domain.mailbox_state import DisplayState, ImportFacts, StateFacts, import_facts, mailbox_state
from desktop_sync.domain.model import (
    ApprovalState,
    ChannelState,
    ConnectionTestStatus,
    Mailbox,
    MailboxId,
    MailboxState,
    SyncMethod,
    SyncStatus,
)
from desktop_sync.engine.events import CycleFinished, CycleStarted, ImportProgress, ItemsSynced, MailboxStateChanged
from desktop_sync.services.mailboxes import MailboxView
from desktop_sync.services.monitoring import StatusView
from desktop_sync.services.sync_control import EngineStatus, StatusChange
from desktop_sync.ui.formatting import format_count, format_duration, format_when

REPAINT_INTERVAL_MS = 200
RESUME_HINT = dt.timedelta(seconds=30)  # a next cycle this soon means the import goes on
SORT_ROLE = Qt.ItemDataRole.UserRole
STATE_ROLE = Qt.ItemDataRole.UserRole + 1
SEARCH_ROLE = Qt.ItemDataRole.UserRole + 2
ADDRESS_ROLE = Qt.ItemDataRole.UserRole + 3

AnyIndex = QModelIndex | QPersistentModelIndex


class Column(enum.IntEnum):
    ADDRESS = 0
    OWNER = 1
    PROFILE = 2
    APPROVAL = 3
    STATE = 4
    INCOMING = 5
    OUTGOING = 6
    ACT = 7
    LAST_SYNC = 8
    NEXT_SYNC = 9
    ITEMS = 10
    LAST_ERROR = 11


# Green (or blue, while a cycle runs) only for a mailbox that synchronizes as it should.
STATE_COLOURS = {
    DisplayState.NEEDS_SIGN_IN: QColor("#c62828"),
    DisplayState.NEEDS_ATTENTION: QColor("#c62828"),
    DisplayState.BACKING_OFF: QColor("#ef6c00"),
    DisplayState.PENDING_APPROVAL: QColor("#6d4c41"),
    DisplayState.NOT_TESTED: QColor("#8e24aa"),
    DisplayState.DISABLED: QColor("#757575"),
    DisplayState.IMPORT_PAUSED: QColor("#9e9d24"),
    DisplayState.IMPORTING: QColor("#2e7d32"),
    DisplayState.SYNCING: QColor("#1565c0"),
    DisplayState.IDLE: QColor("#2e7d32"),
}


@dataclass(slots=True)
class ImportRun:
    """A mailbox's first import while it runs: how far, out of how many, since when."""

    done: int = 0
    total: int | None = None
    started: float = 0.0
    base: int = 0  # ``done`` when the run was first seen: the rate counts what came after

    def seconds_left(self, now: float) -> float | None:
        progressed = self.done - self.base
        if not self.total or progressed <= 0 or self.done >= self.total:
            return None
        rate = progressed / max(now - self.started, 1e-3)
        return (self.total - self.done) / rate


@dataclass(slots=True)
class MailboxRow:
    """What one row shows; changed in place by events."""

    mailbox: Mailbox
    profile: str
    owner: str  # "Name <email>", or "" for nobody
    owner_name: str
    owner_is_queue: bool
    has_password: bool | None
    state: MailboxState = MailboxState.IDLE  # what the engine last did; ``shown`` is what a person reads
    last_sync_at: dt.datetime | None = None
    next_sync_at: dt.datetime | None = None
    backoff_until: dt.datetime | None = None
    items_synced: int = 0
    last_error: str = ""
    last_error_code: str | None = None
    importing: ImportRun | None = None  # followed live, from this process's engine
    stored_import: ImportFacts | None = None  # as the store had it on load (an engine of any process)
    stored_at: float = 0.0  # when it was loaded (the model's clock): the time left counts down from then
    engine_running: bool = True  # whether an engine ran on the store at the load or since

    @property
    def id(self) -> MailboxId:
        assert self.mailbox.id is not None
        return self.mailbox.id

    @property
    def address(self) -> str:
        return self.mailbox.address

    def shown(self, now: float) -> StateFacts:
        """The mailbox's state as every view names it (the same function as the CLI's)."""
        status = SyncStatus(
            self.id,
            state=self.state,
            last_sync_at=self.last_sync_at,
            next_sync_at=self.next_sync_at,
            items_synced=self.items_synced,
            last_error_code=self.last_error_code,
            last_error=self.last_error or None,
            backoff_until=self.backoff_until,
        )
        progress = None
        if self.importing is not None and self.state in (MailboxState.SYNCING, MailboxState.IDLE):
            run = self.importing
            progress = ImportFacts(run.done, run.total, run.seconds_left(now))
        elif self.stored_import is not None:
            stored = self.stored_import
            left = stored.seconds_left
            if left is not None:
                left = max(0.0, left - (now - self.stored_at))
            progress = ImportFacts(stored.done, stored.total, left)
        return mailbox_state(self.mailbox, status, progress, engine_running=self.engine_running)


def _continues(event: CycleFinished) -> bool:
    """Did the cycle stop at its cap with more to fetch? The engine says so, or schedules the next
    cycle within seconds (a cycle that caught up waits minutes)."""
    if event.more_pending:
        return True
    if event.error_code or not event.items or event.next_sync_at is None:
        return False
    return event.next_sync_at - event.at <= RESUME_HINT


class MailboxTableModel(QAbstractTableModel):
    unknown_mailbox = Signal()  # an event named a mailbox this model has not loaded: reload
    states_changed = Signal()  # the count of mailboxes by state may have changed

    def __init__(self, parent: QObject | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(parent)
        self._clock = clock
        self._rows: list[MailboxRow] = []
        self._by_id: dict[MailboxId, int] = {}
        self._dirty: set[int] = set()
        self._states_dirty = False
        self._repaint = QTimer(self)
        self._repaint.setSingleShot(True)
        self._repaint.setInterval(REPAINT_INTERVAL_MS)
        self._repaint.timeout.connect(self.flush)
        self._icons: dict[DisplayState, QIcon] = {}
        self._headers = {
            Column.ADDRESS: self.tr("Mailbox"),
            Column.OWNER: self.tr("Owner"),
            Column.PROFILE: self.tr("Server profile"),
            Column.APPROVAL: self.tr("Approval"),
            Column.STATE: self.tr("State"),
            Column.INCOMING: self.tr("Incoming"),
            Column.OUTGOING: self.tr("Outgoing"),
            Column.ACT: self.tr("ACT"),
            Column.LAST_SYNC: self.tr("Last sync"),
            Column.NEXT_SYNC: self.tr("Next sync"),
            Column.ITEMS: self.tr("Items"),
            Column.LAST_ERROR: self.tr("Last error"),
        }

    # --- loading -------------------------------------------------------------------------------

    def load(self, views: Sequence[MailboxView], statuses: Sequence[StatusView]) -> None:
        """Take the mailbox list as the services give it, with the import progress the store holds
        (an engine of another process may be importing); rows keep their live import progress."""
        by_status = {s.mailbox.id: s.status for s in statuses}
        by_view = {s.mailbox.id: s for s in statuses}
        loaded_at = self._clock()
        wanted: dict[MailboxId, MailboxRow] = {}
        for view in views:
            mailbox = view.mailbox
            if mailbox.id is None:
                continue
            row = MailboxRow(
                mailbox=mailbox,
                profile=view.profile.name,
                owner=view.owner.label if view.owner else "",
                owner_name=view.owner.name if view.owner else "",
                owner_is_queue=view.owner is not None and view.owner.kind == "queue",
                has_password=view.has_password,
            )
            status = by_status.get(mailbox.id)
            if status is not None:
                row.state = status.state
                row.last_sync_at = status.last_sync_at
                row.next_sync_at = status.next_sync_at
                row.backoff_until = status.backoff_until
                row.items_synced = status.items_synced
                row.last_error = status.last_error or ""
                row.last_error_code = status.last_error_code
                read = by_view[mailbox.id]
                row.stored_import = import_facts(status, read.at)
                row.stored_at = loaded_at
                row.engine_running = read.engine_running
            wanted[mailbox.id] = row
        for index in reversed(range(len(self._rows))):
            if self._rows[index].id not in wanted:
                self.beginRemoveRows(QModelIndex(), index, index)
                del self._rows[index]
                self.endRemoveRows()
        self._reindex()
        for mailbox_id, row in wanted.items():
            existing = self._by_id.get(mailbox_id)
            if existing is None:
                position = len(self._rows)
                self.beginInsertRows(QModelIndex(), position, position)
                self._rows.append(row)
                self._by_id[mailbox_id] = position
                self.endInsertRows()
            else:
                old = self._rows[existing]
                row.importing = old.importing
                if old.state is MailboxState.SYNCING and row.state is not MailboxState.SYNCING:
                    row.state = MailboxState.SYNCING  # the store lags the running cycle; events tell
                self._rows[existing] = row
                self._dirty.add(existing)
        self._states_dirty = True
        self.flush()

    def _reindex(self) -> None:
        self._by_id = {row.id: index for index, row in enumerate(self._rows)}

    # --- events --------------------------------------------------------------------------------

    def on_state_changed(self, event: MailboxStateChanged) -> None:
        row = self._row(event.mailbox_id)
        if row is None:
            return
        row.state = event.state
        if event.state is MailboxState.IDLE:
            row.last_error = ""
            row.last_error_code = None
            row.backoff_until = None
        elif event.state is not MailboxState.SYNCING and event.detail:
            row.last_error = event.detail
        if event.next_sync_at is not None:
            row.next_sync_at = event.next_sync_at
        if event.state is MailboxState.BACKING_OFF:
            row.backoff_until = event.backoff_until
        self._changed(event.mailbox_id, states=True)

    def on_cycle_started(self, event: CycleStarted) -> None:
        row = self._row(event.mailbox_id)
        if row is None:
            return
        row.state = MailboxState.SYNCING
        row.engine_running = True
        if row.importing is None and row.last_sync_at is None:
            row.importing = ImportRun(started=self._clock())
        self._changed(event.mailbox_id, states=True)

    def on_cycle_finished(self, event: CycleFinished) -> None:
        row = self._row(event.mailbox_id)
        if row is None:
            return
        row.last_sync_at = event.at
        row.next_sync_at = event.next_sync_at
        if not _continues(event):
            row.importing = None
            row.stored_import = None
        self._changed(event.mailbox_id)

    def on_items_synced(self, event: ItemsSynced) -> None:
        row = self._row(event.mailbox_id)
        if row is None:
            return
        row.items_synced += event.count
        if row.importing is not None:
            row.importing.done += event.count
            if event.total is not None:
                row.importing.total = event.total
        self._changed(event.mailbox_id)

    def on_import_progress(self, event: ImportProgress) -> None:
        row = self._row(event.mailbox_id)
        if row is None:
            return
        row.engine_running = True
        if row.importing is None:  # a catch-up of a mailbox with history: its rate starts now
            row.importing = ImportRun(started=self._clock(), done=event.done, base=event.done)
        row.importing.done = event.done
        row.importing.total = event.total
        self._changed(event.mailbox_id)

    def on_engine_status(self, change: StatusChange) -> None:
        """This window's engine paused or stopped: the imports it ran are paused, with no time left."""
        if change.status not in (EngineStatus.PAUSED, EngineStatus.STOPPED):
            return
        for row in self._rows:
            if row.importing is not None:
                row.stored_import, row.importing = ImportFacts(row.importing.done, row.importing.total), None
                row.engine_running = False
                self._changed(row.id, states=True)

    def _row(self, mailbox_id: MailboxId) -> MailboxRow | None:
        index = self._by_id.get(mailbox_id)
        if index is None:
            self.unknown_mailbox.emit()
            return None
        return self._rows[index]

    def _changed(self, mailbox_id: MailboxId, states: bool = False) -> None:
        self._dirty.add(self._by_id[mailbox_id])
        self._states_dirty = self._states_dirty or states
        if not self._repaint.isActive():
            self._repaint.start()

    def flush(self) -> None:
        """Repaint the rows changed since the last flush (one signal for the span they cover)."""
        self._repaint.stop()
        if self._dirty:
            first, last = min(self._dirty), max(self._dirty)
            self._dirty.clear()
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(Column) - 1))
        if self._states_dirty:
            self._states_dirty = False
            self.states_changed.emit()

    # --- reading -------------------------------------------------------------------------------

    def rows(self) -> list[MailboxRow]:
        return list(self._rows)

    def any_synchronized(self) -> bool:
        """Whether a mailbox has finished a synchronization (the first-run guide's end)."""
        return any(row.last_sync_at is not None for row in self._rows)

    def row_at(self, row: int) -> MailboxRow:
        return self._rows[row]

    def row_of(self, address: str) -> int | None:
        for index, row in enumerate(self._rows):
            if row.address == address:
                return index
        return None

    def shown(self, row: MailboxRow) -> StateFacts:
        return row.shown(self._clock())

    def state_counts(self) -> dict[DisplayState, int]:
        counts = dict.fromkeys(DisplayState, 0)
        now = self._clock()
        for row in self._rows:
            counts[row.shown(now).state] += 1
        return counts

    def state_label(self, state: DisplayState) -> str:
        """The state's name alone (filters, the dashboard, the tray); ``state_text`` adds its facts."""
        return {
            DisplayState.NEEDS_SIGN_IN: self.tr("Needs sign-in", "mailbox state"),
            DisplayState.NEEDS_ATTENTION: self.tr("Needs attention", "mailbox state"),
            DisplayState.BACKING_OFF: self.tr("Backing off", "mailbox state"),
            DisplayState.PENDING_APPROVAL: self.tr("Pending approval", "mailbox state"),
            DisplayState.NOT_TESTED: self.tr("Not tested", "mailbox state"),
            DisplayState.DISABLED: self.tr("Disabled", "mailbox state"),
            DisplayState.IMPORT_PAUSED: self.tr("Import paused", "mailbox state"),
            DisplayState.IMPORTING: self.tr("Importing", "mailbox state"),
            DisplayState.SYNCING: self.tr("Syncing", "mailbox state"),
            DisplayState.IDLE: self.tr("Idle", "mailbox state"),
        }[state]

    def state_text(self, shown: StateFacts) -> str:
        """The state with its facts: until when, how far an import is, when the next sync is."""
        state = shown.state
        if state is DisplayState.BACKING_OFF and shown.backoff_until is not None:
            return self.tr("Backing off (until {time})").format(time=format_when(shown.backoff_until))
        if state is DisplayState.IMPORTING and shown.progress is not None:
            progress = shown.progress
            if not progress.total:
                return self.tr("Importing ({done} so far)").format(done=format_count(progress.done))
            done, total = format_count(progress.done), format_count(progress.total)
            if progress.seconds_left is None:
                return self.tr("Importing ({done} of {total})").format(done=done, total=total)
            return self.tr("Importing ({done} of {total}, {left} left)").format(
                done=done, total=total, left=format_duration(progress.seconds_left)
            )
        if state is DisplayState.IMPORT_PAUSED and shown.progress is not None:
            progress = shown.progress
            if not progress.total:
                return self.tr("Import paused ({done} so far)").format(done=format_count(progress.done))
            return self.tr("Import paused ({done} of {total})").format(
                done=format_count(progress.done), total=format_count(progress.total)
            )
        if state is DisplayState.IDLE and shown.next_sync_at is not None:
            return self.tr("Idle (next sync at {time})").format(time=format_when(shown.next_sync_at))
        return self.state_label(state)

    # --- QAbstractTableModel -------------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(Column)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if orientation is not Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._headers[Column(section)]
        if role == Qt.ItemDataRole.ToolTipRole and section == Column.ACT:
            return self.tr("Appointments, contacts and tasks")
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        column = Column(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, column)
        if role == SORT_ROLE:
            return self._sort_key(row, column)
        if role == STATE_ROLE:
            return self.shown(row).state
        if role == ADDRESS_ROLE:
            return row.address
        if role == SEARCH_ROLE:
            return f"{row.address} {row.owner} {row.profile} {row.mailbox.name}".lower()
        if role == Qt.ItemDataRole.ToolTipRole:
            if column is Column.OWNER:
                return row.owner or None
            if column is Column.LAST_ERROR or (column is Column.STATE and row.last_error):
                return row.last_error or None
            if column in (Column.INCOMING, Column.OUTGOING, Column.ACT):
                return self._channel_tooltip(self._channel(row, column))
            return None
        if role == Qt.ItemDataRole.DecorationRole and column is Column.STATE:
            return self._state_icon(self.shown(row).state)
        if role == Qt.ItemDataRole.TextAlignmentRole and column is Column.ITEMS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _text(self, row: MailboxRow, column: Column) -> str:
        if column is Column.ADDRESS:
            return row.address
        if column is Column.OWNER:
            if not row.owner:
                return self.tr("(nobody)")
            return self.tr("{name} (queue)").format(name=row.owner_name) if row.owner_is_queue else row.owner_name
        if column is Column.PROFILE:
            return row.profile
        if column is Column.APPROVAL:
            return {
                ApprovalState.PENDING: self.tr("Pending"),
                ApprovalState.APPROVED: self.tr("Approved"),
                ApprovalState.REJECTED: self.tr("Rejected"),
            }[row.mailbox.approval]
        if column is Column.STATE:
            return self.state_text(self.shown(row))
        if column in (Column.INCOMING, Column.OUTGOING, Column.ACT):
            return self._channel_text(self._channel(row, column))
        if column is Column.LAST_SYNC:
            return format_when(row.last_sync_at)
        if column is Column.NEXT_SYNC:
            shown = self.shown(row)
            if shown.state is DisplayState.BACKING_OFF:
                return format_when(shown.backoff_until)
            return format_when(shown.next_sync_at) if shown.state.healthy else "—"
        if column is Column.ITEMS:
            return format_count(row.items_synced)
        return row.last_error

    @staticmethod
    def _channel(row: MailboxRow, column: Column) -> ChannelState:
        return {Column.INCOMING: row.mailbox.incoming, Column.OUTGOING: row.mailbox.outgoing}.get(
            column, row.mailbox.act
        )

    def _channel_text(self, state: ChannelState) -> str:
        """Short: On, Off, Failed, Not tested (the tooltip has the whole story)."""
        if state.method is SyncMethod.NONE:
            return "—"
        if state.method is SyncMethod.FORWARD_MAILBOX:
            return self.tr("Forward mailbox")
        if state.enabled:
            return self.tr("On")
        return {
            ConnectionTestStatus.NOT_RUN: self.tr("Not tested"),
            ConnectionTestStatus.SUCCESS: self.tr("Off"),
            ConnectionTestStatus.FAILURE: self.tr("Failed"),
        }[state.test_status]

    def _channel_tooltip(self, state: ChannelState) -> str | None:
        if state.method is SyncMethod.NONE:
            return self.tr("Not synchronized")
        switch = self.tr("Enabled") if state.enabled else self.tr("Not enabled")
        test = {
            ConnectionTestStatus.NOT_RUN: self.tr("never tested"),
            ConnectionTestStatus.SUCCESS: self.tr("last test passed"),
            ConnectionTestStatus.FAILURE: self.tr("last test failed at {step}").format(step=state.failed_step or "?"),
        }[state.test_status]
        if state.tested_at is not None:
            test += " " + self.tr("({time})").format(time=format_when(state.tested_at))
        return f"{switch}; {test}"

    def _sort_key(self, row: MailboxRow, column: Column) -> object:
        if column is Column.ITEMS:
            return row.items_synced
        if column is Column.STATE:
            return list(DisplayState).index(self.shown(row).state)
        if column in (Column.LAST_SYNC, Column.NEXT_SYNC):
            value = row.last_sync_at if column is Column.LAST_SYNC else row.next_sync_at
            return value.timestamp() if value else 0.0
        return self._text(row, column).lower()

    def _state_icon(self, state: DisplayState) -> QIcon:
        icon = self._icons.get(state)
        if icon is None:
            pixmap = QPixmap(12, 12)
            pixmap.fill(Qt.GlobalColor.transparent)
            painter = QPainter(pixmap)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(STATE_COLOURS[state])
            painter.drawEllipse(1, 1, 10, 10)
            painter.end()
            icon = self._icons[state] = QIcon(pixmap)
        return icon


class MailboxFilterProxy(QSortFilterProxyModel):
    """Sorts on the model's sort keys; filters by a search text and by one state."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._search = ""
        self._state: DisplayState | None = None
        self.setSortRole(SORT_ROLE)
        self.setDynamicSortFilter(True)

    def set_search(self, text: str) -> None:
        self.beginFilterChange()
        self._search = text.strip().lower()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def set_state(self, state: DisplayState | None) -> None:
        self.beginFilterChange()
        self._state = state
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def state(self) -> DisplayState | None:
        return self._state

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:
        model = self.sourceModel()
        index = model.index(source_row, 0, source_parent)
        if self._state is not None and model.data(index, STATE_ROLE) is not self._state:
            return False
        return not self._search or self._search in str(model.data(index, SEARCH_ROLE))
