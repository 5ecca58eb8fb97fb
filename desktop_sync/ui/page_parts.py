"""The pieces the list pages build alike: the page itself (heading, layout from title to table,
reloads), an action with its shortcut, the push button that mirrors it, and the search box."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QShowEvent
from PySide6.QtWidgets import QLayout, QLineEdit, QPushButton, QVBoxLayout, QWidget
from qasync import asyncSlot

from desktop_sync.domain.model import AlertScope
from desktop_sync.engine.events import AlertRaised, CycleFinished
from desktop_sync.ui.context import UiContext
from desktop_sync.ui.errors import ErrorPresenter
from desktop_sync.ui.page import sentence_label, title_label


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


class ListPage(QWidget):
    """A page of the main window that lists things: the services it reads (none in a window without a
    store), where its errors go, its title and what it shows, what it says in the status bar, and how
    it reloads: many reasons to reload gathered into one reload."""

    message = Signal(str)  # something to say in the status bar

    def __init__(self, context: UiContext | None, errors: ErrorPresenter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self._presenter = errors
        self._reload_when_shown = False

    def set_heading(self, title: str, description: str) -> None:
        self.title_label = title_label(title)
        self.description_label = sentence_label(description)

    def lay_out(self, *controls: QWidget | QLayout, table: QWidget) -> QVBoxLayout:
        """From top to bottom: the title, what the page shows, its controls, and the table, which takes
        the room that is left."""
        layout = QVBoxLayout(self)
        layout.addWidget(self.title_label)
        layout.addWidget(self.description_label)
        for control in controls:
            if isinstance(control, QLayout):
                layout.addLayout(control)
            else:
                layout.addWidget(control)
        layout.addWidget(table, stretch=1)
        return layout

    def set_reloading(self, delay_ms: int, refreshing: str) -> None:
        """``self._reload``, a single-shot timer: every ``start()`` within ``delay_ms`` of the last ends
        in one ``refresh()``; ``refreshing`` says what failed when it does (e.g. "refresh the conflicts")."""
        self._refresh_failure = refreshing
        self._reload = QTimer(self)
        self._reload.setSingleShot(True)
        self._reload.setInterval(delay_ms)
        self._reload.timeout.connect(self._reload_now)

    async def refresh(self) -> None:
        raise NotImplementedError

    @asyncSlot()
    async def _reload_now(self) -> None:
        async with self._presenter.guard(action=self._refresh_failure):
            await self.refresh()

    def reload_when_seen(self) -> None:
        """Reload when the page is shown (at once: coming back to it shows the store as it is now) and
        when a cycle ends while it is shown; a hidden page waits until it is shown."""
        if self._context is None:  # without a store there is nothing to reload
            return
        self._reload_when_shown = True
        self._context.bridge.cycle_finished.connect(self._cycle_finished)

    def reload_on_item_alerts(self) -> None:
        """Reload soon when an alert about one item (a failed item, a conflict) is raised."""
        if self._context is not None:
            self._context.bridge.alert_raised.connect(self._alert_raised)

    def _cycle_finished(self, _event: CycleFinished) -> None:
        if self.isVisible():
            self._reload.start()

    def _alert_raised(self, event: AlertRaised) -> None:
        if event.alert.scope is AlertScope.ITEM:
            self._reload.start()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._reload_when_shown:
            self._reload.start(0)
