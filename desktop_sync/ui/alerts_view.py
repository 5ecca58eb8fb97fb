"""The alerts wall: errors, warnings and information about mailboxes, profiles and items, with their
cause and fix; filtered by severity and by mailbox or profile; cleared once dealt with."""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QColor, QKeySequence, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)
from qasync import asyncSlot

from desktop_sync.domain.model import AlertScope, MailboxId, RecordType, Severity
from desktop_sync.domain.signin import SIGNIN_NEEDED
from desktop_sync.engine.events import AlertRaised
from desktop_sync.services.monitoring import AlertView
from desktop_sync.ui.context import UiContext
from desktop_sync.ui.errors import ErrorPresenter, ErrorReport
from desktop_sync.ui.explanations import localize_alert
from desktop_sync.ui.formatting import format_when
from desktop_sync.ui.page import EmptyState, fit_columns, narrow_combo, sentence_label, table_view, title_label

ID_ROLE = Qt.ItemDataRole.UserRole
SEVERITY_ROLE = Qt.ItemDataRole.UserRole + 1
WHERE_ROLE = Qt.ItemDataRole.UserRole + 2
SORT_ROLE = Qt.ItemDataRole.UserRole + 3
CONFIRM_ROLE = Qt.ItemDataRole.UserRole + 4  # (mailbox, record type) of a held plan's open alert
SAFETY_STOP = "act_safety_stop"
SIGN_IN_ROLE = Qt.ItemDataRole.UserRole + 5  # ("mailbox" | "profile", address or name) of an open sign-in alert
RELOAD_DELAY_MS = 500

SEVERITY_COLOURS = {
    Severity.ERROR: QColor("#b3261e"),
    Severity.WARNING: QColor("#b26a00"),
    Severity.INFORMATION: QColor("#1565c0"),
}


class AlertFilter(QSortFilterProxyModel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.severity: Severity | None = None
        self.where: str | None = None  # "mailbox:<address>" or "profile:<name>"
        self.setSortRole(SORT_ROLE)

    def set_filters(self, severity: Severity | None, where: str | None) -> None:
        self.beginFilterChange()
        self.severity, self.where = severity, where
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex) -> bool:
        index = self.sourceModel().index(source_row, 0, source_parent)
        if self.severity is not None and index.data(SEVERITY_ROLE) != self.severity.value:
            return False
        return self.where is None or self.where in (index.data(WHERE_ROLE) or ())


class AlertsPage(QWidget):
    message = Signal(str)
    error_alerts_changed = Signal(object, bool)  # mailbox ids with open error alerts; any profile error alert
    sign_in_requested = Signal(str, str)  # "mailbox" and its address, or "profile" and its name

    def __init__(self, context: UiContext | None, errors: ErrorPresenter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self._presenter = errors
        self.title_label = title_label(self.tr("Alerts"))
        self.description_label = sentence_label(
            self.tr(
                "Errors, warnings and information about mailboxes and server profiles, "
                "each with its cause and how to fix it."
            )
        )
        self.model = QStandardItemModel(0, 7, self)
        self.model.setHorizontalHeaderLabels(
            [
                self.tr("Severity"),
                self.tr("Time"),
                self.tr("Mailbox"),
                self.tr("Profile"),
                self.tr("What happened"),
                self.tr("Cause"),
                self.tr("Fix"),
            ]
        )
        self.proxy = AlertFilter(self)
        self.proxy.setSourceModel(self.model)
        self.table = table_view(self.tr("Alerts"))
        self.table.setModel(self.proxy)
        self.table.sortByColumn(1, Qt.SortOrder.DescendingOrder)
        self.table.setWordWrap(True)
        self.empty = EmptyState(self.table, self.tr("No alerts."))

        self.severity = narrow_combo(QComboBox(), characters=18)
        self.severity.setAccessibleName(self.tr("Severity"))
        self.severity.addItem(self.tr("All severities"), None)
        self.severity.addItem(self.tr("Errors"), Severity.ERROR)
        self.severity.addItem(self.tr("Warnings"), Severity.WARNING)
        self.severity.addItem(self.tr("Information"), Severity.INFORMATION)
        self.where = narrow_combo(QComboBox())
        self.where.setAccessibleName(self.tr("Mailbox or profile"))
        self.where.addItem(self.tr("All mailboxes and profiles"), None)
        self.show_cleared = QCheckBox(self.tr("Show &cleared"))
        severity_label = QLabel(self.tr("&Severity:"))
        severity_label.setBuddy(self.severity)
        where_label = QLabel(self.tr("&Mailbox or profile:"))
        where_label.setBuddy(self.where)
        self.clear_action = QAction(self.tr("C&lear selected"), self)
        self.clear_action.setShortcut(QKeySequence.StandardKey.Delete)
        self.clear_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.clear_action.triggered.connect(self.clear_selected)
        self.addAction(self.clear_action)
        self.clear_button = QPushButton(self.clear_action.text())
        self.clear_button.setToolTip(self.clear_action.shortcut().toString(QKeySequence.SequenceFormat.NativeText))
        self.clear_button.clicked.connect(self.clear_action.trigger)
        self.clear_action.changed.connect(lambda: self.clear_button.setEnabled(self.clear_action.isEnabled()))

        # a plan the safety stop holds: run it once, as `desktop-sync act confirm` does
        self.confirm_action, self.confirm_button = self._action_button(
            self.tr("Con&firm changes"),
            self.tr("Run once the held plan this alert describes (the changes are applied as listed)"),
            self.confirm_selected,
        )
        # the fix of a sign-in alert: the mailbox's (or the service account's) Sign in…
        self.sign_in_action, self.sign_in_button = self._action_button(
            self.tr("Sign &in…"),
            self.tr("Sign the mailbox in again with its identity provider"),
            self._request_sign_in,
        )

        filters = QHBoxLayout()
        filters.addWidget(severity_label)
        filters.addWidget(self.severity)
        filters.addWidget(where_label)
        filters.addWidget(self.where, stretch=1)
        filters.addWidget(self.show_cleared)
        # acting on the selection sits under it, so the filters fit a 1024-pixel screen in French
        actions = QHBoxLayout()
        actions.addStretch(1)
        actions.addWidget(self.sign_in_button)
        actions.addWidget(self.confirm_button)
        actions.addWidget(self.clear_button)
        # the whole cause and fix of the alert in hand, which the table's cells can only begin
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.TextFormat.RichText)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.detail.setAccessibleName(self.tr("Alert details"))
        detail_frame = QFrame()
        detail_frame.setFrameShape(QFrame.Shape.StyledPanel)
        detail_layout = QVBoxLayout(detail_frame)
        detail_layout.addWidget(self.detail)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(detail_frame)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title_label)
        layout.addWidget(self.description_label)
        layout.addLayout(filters)
        layout.addWidget(splitter, stretch=1)
        layout.addLayout(actions)

        self.severity.currentIndexChanged.connect(self._filters_changed)
        self.where.currentIndexChanged.connect(self._filters_changed)
        self.show_cleared.toggled.connect(self._reload_soon)
        self.table.selectionModel().selectionChanged.connect(self._update_actions)
        self.table.selectionModel().currentRowChanged.connect(self._show_detail)
        self.table.selectionModel().currentRowChanged.connect(self._update_actions)
        self._reload = QTimer(self)
        self._reload.setSingleShot(True)
        self._reload.setInterval(RELOAD_DELAY_MS)
        self._reload.timeout.connect(self._reload_now)
        if context is not None:
            context.bridge.alert_raised.connect(self._alert_raised)
        self._update_actions()

    def _action_button(self, text: str, tip: str, slot: Callable[[], object]) -> tuple[QAction, QPushButton]:
        """An action on the current alert, and its button under the table (enabled alike)."""
        action = QAction(text, self)
        action.setToolTip(tip)
        action.triggered.connect(slot)
        self.addAction(action)
        button = QPushButton(action.text())
        button.setToolTip(tip)
        button.clicked.connect(action.trigger)
        action.changed.connect(lambda: button.setEnabled(action.isEnabled()))
        return action, button

    # --- data ----------------------------------------------------------------------------------

    async def refresh(self) -> None:
        if self._context is None:
            return
        alerts = await self._context.monitoring.alerts(include_cleared=self.show_cleared.isChecked())
        self._fill(alerts)
        if not self.show_cleared.isChecked():
            self._report_error_alerts(alerts)
        else:
            self._report_error_alerts([a for a in alerts if not a.alert.cleared])

    def _fill(self, alerts: Sequence[AlertView]) -> None:
        self.model.removeRows(0, self.model.rowCount())
        places: dict[str, str] = {}
        for view in alerts:
            alert = view.alert
            said = localize_alert(alert)  # in the interface's language
            where = []
            if view.mailbox:
                where.append(f"mailbox:{view.mailbox}")
                places[f"mailbox:{view.mailbox}"] = self.tr("Mailbox {address}").format(address=view.mailbox)
            if view.profile:
                where.append(f"profile:{view.profile}")
                places[f"profile:{view.profile}"] = self.tr("Profile {name}").format(name=view.profile)
            texts = [
                self._severity_text(alert.severity),
                format_when(alert.created_at),
                view.mailbox or "—",
                view.profile or "—",
                said.title,
                said.cause,
                said.fix,
            ]
            items = [QStandardItem(text) for text in texts]
            for item in items:
                item.setEditable(False)
                item.setData(alert.id, ID_ROLE)
                item.setData(alert.severity.value, SEVERITY_ROLE)
                item.setData(where, WHERE_ROLE)
                item.setData(item.text().lower(), SORT_ROLE)
                item.setToolTip(item.text())
            items[0].setForeground(SEVERITY_COLOURS[alert.severity])
            if alert.code == SAFETY_STOP and not alert.cleared and view.mailbox and alert.item_ref:
                items[0].setData((view.mailbox, alert.item_ref), CONFIRM_ROLE)
            if alert.code == SIGNIN_NEEDED and not alert.cleared and (view.mailbox or view.profile):
                # a service account's application signs in at its profile, a person at the mailbox
                on_profile = alert.scope is AlertScope.PROFILE or not view.mailbox
                items[0].setData(("profile", view.profile) if on_profile else ("mailbox", view.mailbox), SIGN_IN_ROLE)
            items[1].setData(alert.created_at.timestamp() if alert.created_at else 0.0, SORT_ROLE)
            if alert.cleared:
                for item in items:
                    font = item.font()
                    font.setStrikeOut(True)
                    item.setFont(font)
            self.model.appendRow(items)
        chosen = self.where.currentData()
        self.where.blockSignals(True)
        self.where.clear()
        self.where.addItem(self.tr("All mailboxes and profiles"), None)
        for key in sorted(places):
            self.where.addItem(places[key], key)
        self.where.setCurrentIndex(max(self.where.findData(chosen), 0))
        self.where.blockSignals(False)
        self._filters_changed()
        fit_columns(self.table)
        widest = self.fontMetrics().averageCharWidth() * 45
        for column in (4, 5, 6):  # what happened, cause, fix: the detail pane has them whole
            self.table.setColumnWidth(column, min(self.table.columnWidth(column), widest))
        self.empty.update()
        self._show_detail()

    def _show_detail(self, *_args: object) -> None:
        index = self.table.currentIndex()
        if not index.isValid():
            self.detail.setText(self.tr("Select an alert to read its cause and how to fix it."))
            return
        row = index.row()
        cell = [self.proxy.index(row, column).data() for column in range(self.proxy.columnCount())]
        severity, when, mailbox, profile, title, cause, fix = (html.escape(str(text)) for text in cell)
        self.detail.setText(
            self.tr("<b>{title}</b> ({severity}, {when}, mailbox {mailbox}, profile {profile})<br>{cause}").format(
                title=title, severity=severity, when=when, mailbox=mailbox, profile=profile, cause=cause
            )
            + (self.tr("<br><b>How to fix it:</b> {fix}").format(fix=fix) if fix else "")
        )

    def _report_error_alerts(self, alerts: Sequence[AlertView]) -> None:
        mailboxes: set[MailboxId] = set()
        profile_error = False
        for view in alerts:
            if view.alert.severity is not Severity.ERROR or view.alert.cleared:
                continue
            if view.alert.mailbox_id is not None:
                mailboxes.add(view.alert.mailbox_id)
            else:
                profile_error = True
        self.error_alerts_changed.emit(mailboxes, profile_error)

    def _severity_text(self, severity: Severity) -> str:
        return {
            Severity.ERROR: self.tr("Error"),
            Severity.WARNING: self.tr("Warning"),
            Severity.INFORMATION: self.tr("Information"),
        }[severity]

    def _filters_changed(self, *_args: object) -> None:
        self.proxy.set_filters(self.severity.currentData(), self.where.currentData())
        self.empty.update()
        self.empty.label.setVisible(self.proxy.rowCount() == 0)

    def filter_to(self, *, severity: Severity | None = None, where: str | None = None) -> None:
        self.severity.setCurrentIndex(max(self.severity.findData(severity), 0))
        self.where.setCurrentIndex(max(self.where.findData(where), 0))

    def selected_ids(self) -> list[int]:
        return [int(index.data(ID_ROLE)) for index in self.table.selectionModel().selectedRows()]

    def _update_actions(self, *_args: object) -> None:
        self.clear_action.setEnabled(self._context is not None and bool(self.selected_ids()))
        self.confirm_action.setEnabled(self._context is not None and self.held_plan() is not None)
        self.sign_in_action.setEnabled(self._context is not None and self.sign_in_target() is not None)

    def sign_in_target(self) -> tuple[str, str] | None:
        """("mailbox", address) or ("profile", name) whose sign-in the current alert asks for, if it does."""
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        found = self.proxy.index(index.row(), 0).data(SIGN_IN_ROLE)
        return (str(found[0]), str(found[1])) if found else None

    def _request_sign_in(self) -> None:
        target = self.sign_in_target()
        if target is not None:
            self.sign_in_requested.emit(*target)

    def held_plan(self) -> tuple[str, str] | None:
        """The (mailbox, record type) of the held plan the current alert describes, if it does."""
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        found = self.proxy.index(index.row(), 0).data(CONFIRM_ROLE)
        return (str(found[0]), str(found[1])) if found else None

    # --- live ----------------------------------------------------------------------------------

    def _alert_raised(self, event: AlertRaised) -> None:
        alert = event.alert
        if alert.severity is not Severity.INFORMATION:
            said = localize_alert(alert)
            self._presenter.notify(ErrorReport(said.title, said.cause, said.fix))
        self._reload_soon()

    def _reload_soon(self, *_args: object) -> None:
        self._reload.start()

    @asyncSlot()
    async def _reload_now(self) -> None:
        async with self._presenter.guard(action=self.tr("refresh the alerts")):
            await self.refresh()

    @asyncSlot()
    async def confirm_selected(self) -> None:
        held = self.held_plan()
        if held is None or self._context is None:
            return
        address, kind = held
        async with self._presenter.guard(self.confirm_action, action=self.tr("confirm the held changes")):
            outcome = await self._context.sync.confirm_act(address, RecordType(kind))
            if outcome.applied:
                self.message.emit(self.tr("The held changes of {address} were applied once.").format(address=address))
            elif outcome.held_again:
                self.message.emit(
                    self.tr(
                        "The changes of {address} changed since they were held: nothing was applied, "
                        "and the new plan waits. Preview it, then confirm again."
                    ).format(address=address)
                )
            else:
                self.message.emit(self.tr("Nothing waits for confirmation for {address}.").format(address=address))
        async with self._presenter.guard(action=self.tr("refresh the alerts")):
            await self.refresh()
        self._update_actions()  # the guard gave the action back its state from before

    @asyncSlot()
    async def clear_selected(self) -> None:
        ids = self.selected_ids()
        if not ids or self._context is None:
            return
        async with self._presenter.guard(self.clear_action, action=self.tr("clear the alerts")):
            count = await self._context.monitoring.clear_alerts(ids)
            self.message.emit(self.tr("%n alert(s) cleared.", "", count))
            await self.refresh()
