"""The pieces the list pages build alike: an action with its shortcut, the push button that mirrors
it, and the timer that gathers many reasons to reload into one reload."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, SignalInstance
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QLayout, QLineEdit, QPushButton, QVBoxLayout, QWidget


def page_action(
    page: QWidget,
    text: str,
    shortcut: QKeySequence | QKeySequence.StandardKey | str,
    slot: Callable[[], object],
    context: Qt.ShortcutContext = Qt.ShortcutContext.WindowShortcut,
) -> QAction:
    """An action of ``page``, reachable by ``shortcut`` while the page is shown."""
    action = QAction(text, page)
    action.setShortcut(QKeySequence(shortcut))
    action.setShortcutContext(context)
    action.triggered.connect(slot)
    page.addAction(action)
    return action


def shortcut_text(action: QAction) -> str:
    return action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)


def action_button(action: QAction, tip: str | None = None) -> QPushButton:
    """A push button that triggers ``action`` and is enabled when it is; its tooltip is ``tip``, or
    the action's shortcut."""
    button = QPushButton(action.text())
    button.setToolTip(shortcut_text(action) if tip is None else tip)
    button.clicked.connect(action.trigger)
    action.changed.connect(lambda: button.setEnabled(action.isEnabled()))
    button.setEnabled(action.isEnabled())
    return button


def reload_timer(parent: QObject, delay_ms: int, reload: Callable[[], object]) -> QTimer:
    """A single-shot timer: every ``start()`` within ``delay_ms`` of the last ends in one ``reload``."""
    timer = QTimer(parent)
    timer.setSingleShot(True)
    timer.setInterval(delay_ms)
    timer.timeout.connect(reload)
    return timer


class ReloadWhenSeen(QObject):
    """Starts a page's reload timer when the page is shown (at once: coming back to it shows the store
    as it is now) and when a cycle ends while it is shown; a hidden page waits until it is shown."""

    def __init__(self, page: QWidget, timer: QTimer, cycle_finished: SignalInstance | None) -> None:
        super().__init__(page)
        self._page = page
        self._timer = timer
        self._live = cycle_finished is not None  # without a store there is nothing to reload
        page.installEventFilter(self)
        if cycle_finished is not None:
            cycle_finished.connect(self._cycle_finished)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._page and event.type() == QEvent.Type.Show and self._live:
            self._timer.start(0)
        return False

    def _cycle_finished(self, _event: object) -> None:
        if self._page.isVisible():
            self._timer.start()


def search_field(
    page: QWidget,
    placeholder: str,
    accessible_name: str,
    context: Qt.ShortcutContext = Qt.ShortcutContext.WindowShortcut,
) -> QLineEdit:
    """A search box that the Find shortcut (Ctrl+F) focuses, its text selected."""
    search = QLineEdit()
    search.setPlaceholderText(placeholder)
    search.setClearButtonEnabled(True)
    search.setAccessibleName(accessible_name)
    page_action(page, "", QKeySequence.StandardKey.Find, lambda: (search.setFocus(), search.selectAll()), context)
    return search


def list_page_layout(
    page: QWidget, title: QLabel, description: QLabel, *controls: QWidget | QLayout, table: QWidget
) -> QVBoxLayout:
    """A list page from top to bottom: its title, what it shows, its controls, and the table, which
    takes the room that is left."""
    layout = QVBoxLayout(page)
    layout.addWidget(title)
    layout.addWidget(description)
    for control in controls:
        if isinstance(control, QLayout):
            layout.addLayout(control)
        else:
            layout.addWidget(control)
    layout.addWidget(table, stretch=1)
    return layout
