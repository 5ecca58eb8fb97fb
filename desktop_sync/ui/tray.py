"""The system tray icon: shows the aggregate sync state and offers Open, Sync all now, Pause/Resume and Quit.

The aggregate comes from the mailboxes' states (the same ``DisplayState`` the Mailboxes view shows,
kept live by engine events) and the open error alerts: error when a mailbox needs attention or a
sign-in, warning when one backs off or waits for approval or a test, or when none synchronizes;
syncing while a cycle runs; idle only when every mailbox that should synchronize does.
"""

from __future__ import annotations

from collections.abc import Iterable, Set
from dataclasses import dataclass
from enum import Enum

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtGui import QAction, QIcon
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from desktop_sync.domain.mailbox_state import DisplayState
from desktop_sync.domain.model import MailboxId
from desktop_sync.services.sync_control import EngineStatus, StatusChange
from desktop_sync.ui import icons
from desktop_sync.ui.mailboxes_model import MailboxTableModel


class TrayState(Enum):
    """The aggregate state the tray shows, worst first when several mailboxes disagree."""

    IDLE = "idle"
    SYNCING = "syncing"
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class MailboxFacts:
    """What the tray needs to know of one mailbox."""

    mailbox_id: MailboxId
    state: DisplayState


@dataclass(frozen=True, slots=True)
class Aggregate:
    state: TrayState
    syncing: int = 0
    warnings: int = 0
    errors: int = 0
    total: int = 0
    by_state: tuple[tuple[DisplayState, int], ...] = ()  # the states met, worst first, with their counts


ERROR_STATES = frozenset({DisplayState.NEEDS_ATTENTION, DisplayState.NEEDS_SIGN_IN})
WARNING_STATES = frozenset({DisplayState.BACKING_OFF, DisplayState.PENDING_APPROVAL, DisplayState.NOT_TESTED})


def aggregate(
    mailboxes: Iterable[MailboxFacts], error_alerts: Set[MailboxId] = frozenset(), profile_error: bool = False
) -> Aggregate:
    """The one state the tray shows for all mailboxes, worst first, with the counts behind it."""
    syncing = warnings = errors = total = healthy = 0
    counts = dict.fromkeys(DisplayState, 0)
    for facts in mailboxes:
        total += 1
        counts[facts.state] += 1
        healthy += facts.state.healthy
        syncing += facts.state.active
        alerted = facts.mailbox_id in error_alerts and not facts.state.healthy
        if facts.state in ERROR_STATES or (alerted and facts.state is not DisplayState.DISABLED):
            errors += 1
        elif facts.state in WARNING_STATES:
            warnings += 1
    if errors or profile_error:
        state = TrayState.ERROR
    elif warnings or (total and not healthy):  # nothing synchronizes: not "idle"
        state = TrayState.WARNING
    elif syncing:
        state = TrayState.SYNCING
    else:
        state = TrayState.IDLE
    met = tuple((s, n) for s, n in counts.items() if n)
    return Aggregate(state, syncing, warnings, errors, total, met)


def state_label(state: TrayState) -> str:
    """The user-facing name of a state, translated."""
    labels = {
        TrayState.IDLE: QCoreApplication.translate("TrayState", "Idle"),
        TrayState.SYNCING: QCoreApplication.translate("TrayState", "Synchronizing…"),
        TrayState.WARNING: QCoreApplication.translate("TrayState", "Warning: see Mailboxes"),
        TrayState.ERROR: QCoreApplication.translate("TrayState", "Error: see Alerts"),
    }
    return labels[state]


class TrayIcon(QObject):
    """Wraps QSystemTrayIcon; harmless where no tray host runs (``is_available`` is then False).

    The composition root decides what the signals do; the tray only reports what the user asked.
    """

    open_requested = Signal()
    sync_now_requested = Signal()
    pause_requested = Signal()
    resume_requested = Signal()
    quit_requested = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._icons = {state: icons.tray_icon(state.value) for state in TrayState}
        self._state = TrayState.IDLE
        self._detail = ""

        self._menu = QMenu()
        self.open_action = QAction(self.tr("&Open Desktop Sync"), self._menu)
        self.open_action.triggered.connect(self.open_requested)
        self.sync_now_action = QAction(self.tr("&Sync all now"), self._menu)
        self.sync_now_action.setToolTip(self.tr("Available while the sync engine runs in this window"))
        self.sync_now_action.setEnabled(False)
        self.sync_now_action.triggered.connect(self.sync_now_requested)
        self.pause_action = QAction(self.tr("&Pause synchronization"), self._menu)
        self.pause_action.setEnabled(False)
        self.pause_action.triggered.connect(self._on_pause_action)
        self._paused = False
        self.quit_action = QAction(self.tr("&Quit"), self._menu)
        self.quit_action.triggered.connect(self.quit_requested)

        self._menu.addAction(self.open_action)
        self._menu.addSeparator()
        self._menu.addAction(self.sync_now_action)
        self._menu.addAction(self.pause_action)
        self._menu.addSeparator()
        self._menu.addAction(self.quit_action)

        self._tray = QSystemTrayIcon(self)
        self._tray.setContextMenu(self._menu)
        self._tray.activated.connect(self._on_activated)
        self._apply_state()

    @staticmethod
    def is_available() -> bool:
        """Whether a tray host is running (there is none offscreen or under a bare X server)."""
        return QSystemTrayIcon.isSystemTrayAvailable()

    def show(self) -> bool:
        """Show the icon if a tray host runs; returns whether it is shown."""
        if not self.is_available():
            return False
        self._tray.show()
        return True

    def hide(self) -> None:
        self._tray.hide()

    def is_visible(self) -> bool:
        return self._tray.isVisible()

    def menu(self) -> QMenu:
        return self._menu

    def state(self) -> TrayState:
        return self._state

    def icon(self) -> QIcon:
        return self._tray.icon()

    def tool_tip(self) -> str:
        return self._tray.toolTip()

    def set_state(self, state: TrayState, detail: str = "") -> None:
        """Show ``state``; ``detail`` (translated) adds a second tooltip line, e.g. which mailbox fails."""
        self._state = TrayState(state)
        self._detail = detail
        self._apply_state()

    def set_engine_status(self, change: StatusChange) -> None:
        """Offer Sync all now while the engine runs, Pause while it runs and Resume while paused."""
        status = change.status
        self._paused = status is EngineStatus.PAUSED
        self.sync_now_action.setEnabled(status is EngineStatus.RUNNING)
        self.pause_action.setEnabled(status in (EngineStatus.RUNNING, EngineStatus.PAUSED))
        self.pause_action.setText(
            self.tr("&Resume synchronization") if self._paused else self.tr("&Pause synchronization")
        )

    def is_paused(self) -> bool:
        return self._paused

    def _on_pause_action(self) -> None:
        if self._paused:
            self.resume_requested.emit()
        else:
            self.pause_requested.emit()

    def _apply_state(self) -> None:
        self._tray.setIcon(self._icons[self._state])
        tip = self.tr("Desktop Sync: {state}").format(state=state_label(self._state))
        if self._detail:
            tip = f"{tip}\n{self._detail}"
        self._tray.setToolTip(tip)

    def _on_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (QSystemTrayIcon.ActivationReason.Trigger, QSystemTrayIcon.ActivationReason.DoubleClick):
            self.open_requested.emit()


class TrayController(QObject):
    """Keeps the tray telling the truth: the mailbox list's states, open error alerts, the engine's run state."""

    def __init__(self, tray: TrayIcon, mailboxes: MailboxTableModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tray = tray
        self._mailboxes = mailboxes
        self._error_alerts: frozenset[MailboxId] = frozenset()
        self._profile_error = False
        self._status = StatusChange(EngineStatus.STOPPED)
        mailboxes.states_changed.connect(self.refresh)

    def set_error_alerts(self, mailboxes: Set[MailboxId], profile_error: bool) -> None:
        self._error_alerts = frozenset(mailboxes)
        self._profile_error = profile_error
        self.refresh()

    def set_engine_status(self, change: StatusChange) -> None:
        self._status = change
        self._tray.set_engine_status(change)
        self.refresh()

    def current(self) -> Aggregate:
        facts = [MailboxFacts(row.id, self._mailboxes.shown(row).state) for row in self._mailboxes.rows()]
        return aggregate(facts, self._error_alerts, self._profile_error)

    def refresh(self) -> None:
        summary = self.current()
        states = ", ".join(
            self.tr("{count} {state}").format(count=count, state=self._mailboxes.state_label(state).lower())
            for state, count in summary.by_state
        )
        first = self.tr("%n mailbox(es)", "", summary.total)
        lines = [self.tr("{mailboxes}: {states}").format(mailboxes=first, states=states) if states else first]
        if self._profile_error:
            lines.append(self.tr("A server profile is failing: see Alerts"))
        if self._status.status is EngineStatus.PAUSED:
            lines.append(self.tr("Synchronization is paused"))
        elif self._status.status is EngineStatus.UNAVAILABLE:
            lines.append(self.tr("No mail connectors available: nothing is synchronized"))
        elif self._status.status is EngineStatus.FAILED:
            lines.append(self.tr("The sync engine could not start"))
        self._tray.set_state(summary.state, "\n".join(lines))
