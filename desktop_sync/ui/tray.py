"""The system tray icon: shows the aggregate sync state and offers Open, Sync now, Pause and Quit."""

from __future__ import annotations

from enum import Enum

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtGui import QAction, QIcon
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from desktop_sync.ui import icons


class TrayState(Enum):
    """The aggregate state the tray shows, worst first when several mailboxes disagree."""

    IDLE = "idle"
    SYNCING = "syncing"
    WARNING = "warning"
    ERROR = "error"


def state_label(state: TrayState) -> str:
    """The user-facing name of a state, translated."""
    labels = {
        TrayState.IDLE: QCoreApplication.translate("TrayState", "Idle"),
        TrayState.SYNCING: QCoreApplication.translate("TrayState", "Synchronizing…"),
        TrayState.WARNING: QCoreApplication.translate("TrayState", "Warning: see Alerts"),
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
    quit_requested = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._icons = {state: icons.tray_icon(state.value) for state in TrayState}
        self._state = TrayState.IDLE
        self._detail = ""

        self._menu = QMenu()
        self.open_action = QAction(self.tr("&Open Desktop Sync"), self._menu)
        self.open_action.triggered.connect(self.open_requested)
        self.sync_now_action = QAction(self.tr("&Sync now"), self._menu)
        self.sync_now_action.setToolTip(self.tr("Available once the sync engine runs in this window"))
        self.sync_now_action.setEnabled(False)
        self.sync_now_action.triggered.connect(self.sync_now_requested)
        self.pause_action = QAction(self.tr("&Pause synchronization"), self._menu)
        self.pause_action.setEnabled(False)
        self.pause_action.triggered.connect(self.pause_requested)
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

    def _apply_state(self) -> None:
        self._tray.setIcon(self._icons[self._state])
        tip = self.tr("Desktop Sync: {state}").format(state=state_label(self._state))
        if self._detail:
            tip = f"{tip}\n{self._detail}"
        self._tray.setToolTip(tip)

    def _on_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (QSystemTrayIcon.ActivationReason.Trigger, QSystemTrayIcon.ActivationReason.DoubleClick):
            self.open_requested.emit()
