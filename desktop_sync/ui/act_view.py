"""Appointments, contacts and tasks: the CRM's records of one type, with where each stands with
Exchange (linked, in conflict, waiting for the next cycle, not selected); the dialog that adds one is
in act_record_dialog."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtGui import QColor, QKeySequence, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QWidget,
)
from qasync import asyncSlot
from shiboken6 import isValid

from desktop_sync.domain.model import RecordType, User
from desktop_sync.services.act import LinkState, RecordView
from desktop_sync.ui.act_fields import field_label, type_label, value_text
from desktop_sync.ui.act_record_dialog import ActRecordDialog
from desktop_sync.ui.context import UiContext
from desktop_sync.ui.errors import ErrorPresenter
from desktop_sync.ui.page import EmptyState, fit_columns, narrow_combo, table_view
from desktop_sync.ui.page_parts import ListPage, action_button, page_action, search_field
from desktop_sync.ui.prompts import Asker, message_box_asker

ID_ROLE = Qt.ItemDataRole.UserRole
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
STATE_ROLE = Qt.ItemDataRole.UserRole + 2
RELOAD_DELAY_MS = 500
CONFLICT_COLOUR = QColor("#b26a00")

# The columns of each type's table, after which come the owner and the link state.
COLUMNS: dict[RecordType, tuple[str, ...]] = {
    RecordType.APPOINTMENT: ("subject", "starts_at", "ends_at", "location", "organizer", "attendees"),
    RecordType.CONTACT: ("full_name", "company", "job_title", "email", "phone", "city"),
    RecordType.TASK: ("subject", "due_at", "status", "priority", "percent_complete"),
}


class RecordFilter(QSortFilterProxyModel):
    """Rows whose text contains every word searched for, in any column."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._words: list[str] = []
        self.setSortRole(SORT_ROLE)

    def set_search(self, text: str) -> None:
        self.beginFilterChange()
        self._words = text.lower().split()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: Any) -> bool:
        if not self._words:
            return True
        model = self.sourceModel()
        text = " ".join(
            str(model.index(source_row, column, source_parent).data() or "") for column in range(model.columnCount())
        ).lower()
        return all(word in text for word in self._words)


class ActRecordsPage(ListPage):
    """The CRM's appointments, contacts or tasks, with their link state; refreshed when a cycle ends."""

    def __init__(
        self,
        context: UiContext | None,
        errors: ErrorPresenter,
        parent: QWidget | None = None,
        asker: Asker | None = None,
    ) -> None:
        super().__init__(context, errors, parent)
        self._ask = asker or message_box_asker(self)
        self._users: list[User] = []
        self.dialog: ActRecordDialog | None = None
        self.set_heading(
            self.tr("Appointments, contacts & tasks"),
            self.tr(
                "The CRM's appointments, contacts and tasks and where each stands with Exchange. A record goes to "
                "its owner's Exchange mailbox when one of the owner's sync filters selects it; items carrying "
                "the tracking category come to the CRM. Once linked, changes flow both ways."
            ),
        )
        self.record_type = narrow_combo(QComboBox())
        self.record_type.setAccessibleName(self.tr("Record type"))
        for record_type in (RecordType.APPOINTMENT, RecordType.CONTACT, RecordType.TASK):
            self.record_type.addItem(type_label(record_type), record_type)
        self.user = narrow_combo(QComboBox())
        self.user.setAccessibleName(self.tr("Owner"))
        self.user.addItem(self.tr("All users"), None)
        shortcuts = Qt.ShortcutContext.WidgetWithChildrenShortcut
        self.search = search_field(self, self.tr("Search (Ctrl+F)"), self.tr("Search records"), shortcuts)
        type_label_widget = QLabel(self.tr("&Show:"))
        type_label_widget.setBuddy(self.record_type)
        user_label = QLabel(self.tr("O&wner:"))
        user_label.setBuddy(self.user)

        self.model = QStandardItemModel(0, 0, self)
        self.proxy = RecordFilter(self)
        self.proxy.setSourceModel(self.model)
        self.table = table_view(self.tr("Records"))
        self.table.setModel(self.proxy)
        self.empty = EmptyState(self.table, self.tr("No records of this type."))
        self.search.textChanged.connect(self.proxy.set_search)

        self.new_action = page_action(self, self.tr("&New…"), "Ctrl+N", self.new_record, shortcuts)
        # deleting writes the record's tombstone: only then may the next cycle delete its Exchange item
        self.delete_action = page_action(
            self, self.tr("&Delete…"), QKeySequence.StandardKey.Delete, self.delete_selected, shortcuts
        )
        self.refresh_action = page_action(
            self, self.tr("Re&fresh"), QKeySequence.StandardKey.Refresh, self._reload_now, shortcuts
        )
        filters = QHBoxLayout()
        filters.addWidget(type_label_widget)
        filters.addWidget(self.record_type)
        filters.addWidget(user_label)
        filters.addWidget(self.user)
        filters.addWidget(self.search, stretch=1)
        for action in (self.new_action, self.delete_action, self.refresh_action):
            filters.addWidget(action_button(action))

        self.lay_out(filters, table=self.table)

        self.set_reloading(RELOAD_DELAY_MS, self.tr("refresh the records"))
        self.record_type.currentIndexChanged.connect(lambda _i: self._reload.start(0))
        self.user.currentIndexChanged.connect(lambda _i: self._reload.start(0))
        self.reload_when_seen()
        for action in (self.new_action, self.refresh_action):
            action.setEnabled(context is not None)
        self.table.selectionModel().selectionChanged.connect(self._update_actions)
        self._fill(self.current_type(), [])
        self._update_actions()

    def selected_record(self) -> tuple[int, str] | None:
        """The id and title of the one selected record, if one is."""
        rows = self.table.selectionModel().selectedRows()
        if len(rows) != 1:
            return None
        return int(rows[0].data(ID_ROLE)), str(rows[0].data() or "")

    def _update_actions(self, *_args: object) -> None:
        self.delete_action.setEnabled(self._context is not None and self.selected_record() is not None)

    # --- data ----------------------------------------------------------------------------------

    def current_type(self) -> RecordType:
        return RecordType(self.record_type.currentData())

    def show_type(self, record_type: RecordType) -> None:
        self.record_type.setCurrentIndex(max(self.record_type.findData(record_type), 0))

    def state_text(self, view: RecordView) -> str:
        if view.link_state is LinkState.CONFLICT:
            return self.tr("In conflict (%n field(s)): see Conflicts", "", view.open_conflicts)
        if view.link_state is LinkState.LINKED:
            return self.tr("Linked in {mailboxes}").format(mailboxes=", ".join(view.linked_to))
        if view.link_state is LinkState.PENDING:
            return self.tr("Waiting: goes to Exchange next cycle")
        if view.link_state is LinkState.NO_MAILBOX:
            return self.tr("Not linked: its owner's mailbox does not sync it")
        return self.tr("Not linked: no sync filter selects it")

    def state_tip(self, view: RecordView) -> str:
        if view.link_state is LinkState.PENDING:
            return self.tr(
                "A sync filter of its owner selects it: the next synchronization of the owner's mailbox "
                "creates it in Exchange and links it."
            )
        if view.link_state is LinkState.NO_MAILBOX:
            return self.tr(
                "Its owner has no Exchange mailbox with appointments, contacts and tasks enabled "
                "(approved, and passed Test & Enable), so it stays in the CRM only."
            )
        if view.link_state is LinkState.NOT_SELECTED:
            return self.tr(
                "No active sync filter of its owner selects it, so it stays in the CRM only. "
                "Sync filters are set in the user's options (Synchronization tab) or with desktop-sync filter add."
            )
        return ""

    async def refresh(self) -> None:
        if self._context is None:
            return
        users = list(await self._context.directory.users())
        if not isValid(self):  # the page went away (the window closed) while the store answered
            return
        if [u.email for u in users] != [u.email for u in self._users]:
            self._users = users
            chosen = self.user.currentData()
            self.user.blockSignals(True)
            self.user.clear()
            self.user.addItem(self.tr("All users"), None)
            for user in users:
                self.user.addItem(f"{user.name} <{user.email}>", user.email)
            self.user.setCurrentIndex(max(self.user.findData(chosen), 0))
            self.user.blockSignals(False)
        record_type = self.current_type()
        views = await self._context.act.records(record_type, self.user.currentData())
        if isValid(self):
            self._fill(record_type, views)

    def _fill(self, record_type: RecordType, views: Sequence[RecordView]) -> None:
        """The record's title, where it stands with Exchange, its other fields, its owner."""
        title, *rest = COLUMNS[record_type]
        self.model.clear()
        self.model.setHorizontalHeaderLabels(
            [field_label(title), self.tr("Exchange")] + [field_label(name) for name in rest] + [self.tr("Owner")]
        )
        for view in views:
            state = QStandardItem(self.state_text(view))
            state.setData(view.link_state.value, STATE_ROLE)
            state.setData(view.link_state.value, SORT_ROLE)
            tip = self.tr("Exchange items: {items}").format(items=", ".join(view.items)) if view.items else ""
            state.setToolTip("\n".join(t for t in (state.text(), self.state_tip(view), tip) if t))
            if view.link_state is LinkState.CONFLICT:
                state.setForeground(CONFLICT_COLOUR)
            cells = [self._cell(title, view.values.get(title)), state]
            cells += [self._cell(name, view.values.get(name)) for name in rest]
            cells.append(self._cell("owner", view.values.get("owner")))
            for cell in cells:
                cell.setEditable(False)
                cell.setData(view.id, ID_ROLE)
            self.model.appendRow(cells)
        fit_columns(self.table)
        widest = self.fontMetrics().averageCharWidth() * 32
        for column in range(2, self.model.columnCount()):
            self.table.setColumnWidth(column, min(self.table.columnWidth(column), widest))
        self.table.setColumnWidth(0, min(self.table.columnWidth(0), widest * 3 // 2))
        self.empty.set_text(
            {
                RecordType.APPOINTMENT: self.tr("No appointments."),
                RecordType.CONTACT: self.tr("No contacts."),
                RecordType.TASK: self.tr("No tasks."),
            }[record_type]
        )
        self.empty.update()
        self._update_actions()

    def _cell(self, name: str, value: Any) -> QStandardItem:
        item = QStandardItem(value_text(name, value))
        item.setToolTip(item.text())
        if isinstance(value, dt.datetime):
            item.setData(value.timestamp(), SORT_ROLE)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            item.setData(value, SORT_ROLE)
        else:
            item.setData(item.text().lower(), SORT_ROLE)
        return item

    def rows(self) -> list[dict[str, str]]:
        """What the table shows, header by header, in the order shown (for tests and checks)."""
        headers = [self.proxy.headerData(c, Qt.Orientation.Horizontal) for c in range(self.proxy.columnCount())]
        return [
            {headers[c]: self.proxy.index(r, c).data() for c in range(self.proxy.columnCount())}
            for r in range(self.proxy.rowCount())
        ]

    # --- new record ----------------------------------------------------------------------------

    def open_dialog(self, record_type: RecordType | None = None) -> ActRecordDialog | None:
        if self._context is None:
            return None
        dialog = ActRecordDialog(
            self._context,
            self._presenter,
            record_type or self.current_type(),
            self._users,
            self.user.currentData() or (self._users[0].email if self._users else None),
            parent=self,
        )
        dialog.saved.connect(self._saved)
        self.dialog = dialog
        dialog.open()
        return dialog

    @asyncSlot()
    async def new_record(self) -> None:
        async with self._presenter.guard(self.new_action, action=self.tr("open the new record dialog")):
            await self.refresh()  # the owners offered are the users of now
            self.open_dialog()

    @asyncSlot()
    async def delete_selected(self) -> None:
        chosen = self.selected_record()
        if chosen is None or self._context is None:
            return
        record_id, title = chosen
        record_type = self.current_type()
        question = self.tr(
            "Delete “{title}” from the CRM? At the next synchronization its Exchange item is deleted too, "
            "where the rules allow (a meeting only when its owner organizes it and it is still to come)."
        ).format(title=title or f"#{record_id}")
        if not await self._ask(self.tr("Delete {type}").format(type=type_label(record_type, plural=False)), question):
            return
        async with self._presenter.guard(self.delete_action, action=self.tr("delete the record")):
            deleted = await self._context.act.delete(record_type, record_id)
            self.message.emit(
                self.tr("{type} deleted: {title}.").format(
                    type=type_label(record_type, plural=False), title=deleted or f"#{record_id}"
                )
            )
        async with self._presenter.guard(action=self.tr("refresh the records")):
            await self.refresh()
        self._update_actions()

    @asyncSlot()
    async def _saved(self, view: RecordView) -> None:
        self.message.emit(
            self.tr("{type} added: {title}.").format(type=type_label(view.record_type, plural=False), title=view.title)
        )
        async with self._presenter.guard(action=self.tr("refresh the records")):
            self.show_type(view.record_type)
            await self.refresh()
