"""Appointments, contacts and tasks: the CRM's records of one type, with where each stands with
Exchange (linked, in conflict, waiting for the next cycle, not selected), and a dialog to add one."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QCoreApplication, QSortFilterProxyModel, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QColor, QKeySequence, QShowEvent, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from qasync import asyncSlot
from shiboken6 import isValid

from desktop_sync.domain.errors import ValidationError
from desktop_sync.domain.model import RecordType, User
from desktop_sync.domain.validation import normalize_address
from desktop_sync.engine.events import CycleFinished
from desktop_sync.services.act import LinkState, RecordView
from desktop_sync.ui.context import UiContext
from desktop_sync.ui.errors import ErrorPresenter
from desktop_sync.ui.form import FieldErrors
from desktop_sync.ui.formatting import date_time_format, format_when, to_qdatetime
from desktop_sync.ui.page import EmptyState, fit_columns, narrow_combo, sentence_label, table_view, title_label
from desktop_sync.ui.prompts import Asker, message_box_asker

ID_ROLE = Qt.ItemDataRole.UserRole
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
STATE_ROLE = Qt.ItemDataRole.UserRole + 2
RELOAD_DELAY_MS = 500
CONFLICT_COLOUR = QColor("#b26a00")
TASK_STATUSES = ("not_started", "in_progress", "completed", "waiting", "deferred")
PRIORITIES = ("low", "normal", "high")

# The columns of each type's table, after which come the owner and the link state.
COLUMNS: dict[RecordType, tuple[str, ...]] = {
    RecordType.APPOINTMENT: ("subject", "starts_at", "ends_at", "location", "organizer", "attendees"),
    RecordType.CONTACT: ("full_name", "company", "job_title", "email", "phone", "city"),
    RecordType.TASK: ("subject", "due_at", "status", "priority", "percent_complete"),
}


def field_label(name: str) -> str:
    """A CRM field's name as the admin reads it."""
    labels = {
        "subject": QCoreApplication.translate("ActFields", "Subject"),
        "starts_at": QCoreApplication.translate("ActFields", "Start"),
        "ends_at": QCoreApplication.translate("ActFields", "End"),
        "all_day": QCoreApplication.translate("ActFields", "All day"),
        "location": QCoreApplication.translate("ActFields", "Location"),
        "body": QCoreApplication.translate("ActFields", "Description"),
        "attendees": QCoreApplication.translate("ActFields", "Attendees"),
        "organizer": QCoreApplication.translate("ActFields", "Organizer"),
        "show_as": QCoreApplication.translate("ActFields", "Show as"),
        "importance": QCoreApplication.translate("ActFields", "Importance"),
        "recurrence": QCoreApplication.translate("ActFields", "Recurrence"),
        "first_name": QCoreApplication.translate("ActFields", "First name"),
        "last_name": QCoreApplication.translate("ActFields", "Last name"),
        "full_name": QCoreApplication.translate("ActFields", "Name"),
        "company": QCoreApplication.translate("ActFields", "Company"),
        "job_title": QCoreApplication.translate("ActFields", "Job title"),
        "email": QCoreApplication.translate("ActFields", "Email"),
        "email2": QCoreApplication.translate("ActFields", "Email 2"),
        "phone": QCoreApplication.translate("ActFields", "Business phone"),
        "mobile_phone": QCoreApplication.translate("ActFields", "Mobile phone"),
        "street": QCoreApplication.translate("ActFields", "Street"),
        "city": QCoreApplication.translate("ActFields", "City"),
        "postal_code": QCoreApplication.translate("ActFields", "Postal code"),
        "country": QCoreApplication.translate("ActFields", "Country"),
        "due_at": QCoreApplication.translate("ActFields", "Due"),
        "status": QCoreApplication.translate("ActFields", "Status"),
        "percent_complete": QCoreApplication.translate("ActFields", "% complete"),
        "priority": QCoreApplication.translate("ActFields", "Priority"),
    }
    return labels.get(name, name)


def value_text(name: str, value: Any) -> str:
    """A field's value as the admin reads it: dates in the locale, lists joined, choices translated."""
    if value is None or value == "" or value == ():
        return "—"
    if isinstance(value, bool):
        return (
            QCoreApplication.translate("ActFields", "Yes") if value else QCoreApplication.translate("ActFields", "No")
        )
    if isinstance(value, dt.datetime):
        return format_when(value)
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    if name == "status":
        return {
            "not_started": QCoreApplication.translate("ActFields", "Not started"),
            "in_progress": QCoreApplication.translate("ActFields", "In progress"),
            "completed": QCoreApplication.translate("ActFields", "Completed"),
            "waiting": QCoreApplication.translate("ActFields", "Waiting on someone else"),
            "deferred": QCoreApplication.translate("ActFields", "Deferred"),
        }.get(str(value), str(value))
    if name in ("priority", "importance"):
        return {
            "low": QCoreApplication.translate("ActFields", "Low"),
            "normal": QCoreApplication.translate("ActFields", "Normal"),
            "high": QCoreApplication.translate("ActFields", "High"),
        }.get(str(value), str(value))
    if name == "percent_complete":
        return f"{value} %"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def type_label(record_type: RecordType, plural: bool = True) -> str:
    if plural:
        return {
            RecordType.APPOINTMENT: QCoreApplication.translate("ActFields", "Appointments"),
            RecordType.CONTACT: QCoreApplication.translate("ActFields", "Contacts"),
            RecordType.TASK: QCoreApplication.translate("ActFields", "Tasks"),
        }[record_type]
    return {
        RecordType.APPOINTMENT: QCoreApplication.translate("ActFields", "Appointment"),
        RecordType.CONTACT: QCoreApplication.translate("ActFields", "Contact"),
        RecordType.TASK: QCoreApplication.translate("ActFields", "Task"),
    }[record_type]


def _utc(edit: QDateTimeEdit) -> dt.datetime:
    return dt.datetime.fromtimestamp(edit.dateTime().toSecsSinceEpoch(), dt.UTC)


class OptionalDateTime(QWidget):
    """A date and time the admin may leave unset: a check box in front of the editor."""

    def __init__(self, label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.check = QCheckBox(label)
        self.edit = QDateTimeEdit()
        self.edit.setDisplayFormat(date_time_format())
        self.edit.setCalendarPopup(True)
        self.edit.setEnabled(False)
        self.edit.setAccessibleName(label.replace("&", ""))
        self.check.toggled.connect(self.edit.setEnabled)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.check)
        layout.addWidget(self.edit, stretch=1)

    def value(self) -> dt.datetime | None:
        return _utc(self.edit) if self.check.isChecked() else None

    def set_value(self, value: dt.datetime | None) -> None:
        self.check.setChecked(value is not None)
        if value is not None:
            self.edit.setDateTime(to_qdatetime(value))


class ActRecordDialog(QDialog):
    """A new CRM appointment, contact or task for a user; the service checks it and says what is wrong
    on the field concerned, keeping what was typed."""

    saved = Signal(object)  # the RecordView added

    def __init__(
        self,
        context: UiContext,
        errors: ErrorPresenter,
        record_type: RecordType,
        users: Sequence[User],
        user: str | None = None,
        now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._context = context
        self._presenter = errors
        self.record_type = record_type
        self.setWindowTitle(
            {
                RecordType.APPOINTMENT: self.tr("New appointment"),
                RecordType.CONTACT: self.tr("New contact"),
                RecordType.TASK: self.tr("New task"),
            }[record_type]
        )
        self.fields = FieldErrors()
        form = QFormLayout()
        self.owner = QComboBox()
        self.owner.setAccessibleName(self.tr("Owner"))
        for candidate in users:
            self.owner.addItem(f"{candidate.name} <{candidate.email}>", candidate.email)
        if user:
            self.owner.setCurrentIndex(max(self.owner.findData(user), 0))
        form.addRow(self.tr("&Owner:"), self.fields.wrap("user", self.owner))
        self.inputs: dict[str, QWidget] = {}

        def line(name: str, label: str, *more: str, placeholder: str = "") -> QLineEdit:
            edit = QLineEdit()
            edit.setPlaceholderText(placeholder)
            self.inputs[name] = edit
            form.addRow(label, self.fields.wrap(name, edit, *more))
            return edit

        start = now().replace(minute=0, second=0, microsecond=0) + dt.timedelta(days=1)
        if record_type is RecordType.APPOINTMENT:
            self.subject = line("subject", self.tr("&Subject:"))
            self.starts_at = QDateTimeEdit(to_qdatetime(start))
            self.ends_at = QDateTimeEdit(to_qdatetime(start + dt.timedelta(hours=1)))
            self.starts_at.setDisplayFormat(date_time_format())
            self.ends_at.setDisplayFormat(date_time_format())
            for edit in (self.starts_at, self.ends_at):
                edit.setCalendarPopup(True)
            form.addRow(self.tr("S&tart:"), self.fields.wrap("starts_at", self.starts_at, "start"))
            form.addRow(self.tr("&End:"), self.fields.wrap("ends_at", self.ends_at, "end"))
            self.all_day = QCheckBox(self.tr("&All day"))
            form.addRow("", self.all_day)
            self.location = line("location", self.tr("&Location:"))
            self.organizer = line(
                "organizer", self.tr("O&rganizer:"), placeholder=self.tr("Required to synchronize it")
            )
            self.organizer.setText(str(self.owner.currentData() or ""))
            self._organizer_default = self.organizer.text()
            self.owner.currentIndexChanged.connect(self._owner_changed)
            self.attendees = line(
                "attendees",
                self.tr("Atte&ndees:"),
                "attendee",
                placeholder=self.tr("Addresses separated by commas"),
            )
            self.body = QPlainTextEdit()
            self.body.setTabChangesFocus(True)
            self.body.setFixedHeight(self.fontMetrics().lineSpacing() * 4)
            form.addRow(self.tr("&Description:"), self.fields.wrap("body", self.body))
        elif record_type is RecordType.CONTACT:
            self.first_name = line("first_name", self.tr("&First name:"))
            self.last_name = line("last_name", self.tr("&Last name:"), "full_name")
            self.email = line("email", self.tr("&Email:"), placeholder=self.tr("carol@contoso.com"))
            self.company = line("company", self.tr("&Company:"))
            self.job_title = line("job_title", self.tr("&Job title:"))
            self.phone = line("phone", self.tr("Business &phone:"))
            self.mobile_phone = line("mobile_phone", self.tr("&Mobile phone:"))
            self.city = line("city", self.tr("C&ity:"))
            self.country = line("country", self.tr("Co&untry:"))
        else:
            self.subject = line("subject", self.tr("&Subject:"))
            self.due_at = OptionalDateTime(self.tr("&Set"))
            self.due_at.edit.setDateTime(to_qdatetime(start))
            form.addRow(self.tr("Due date:"), self.fields.wrap("due_at", self.due_at, "due"))
            self.due_at.edit.setAccessibleName(self.tr("Due date"))
            self.status = QComboBox()
            for status in TASK_STATUSES:
                self.status.addItem(value_text("status", status), status)
            form.addRow(self.tr("S&tatus:"), self.fields.wrap("status", self.status))
            self.priority = QComboBox()
            for priority in PRIORITIES:
                self.priority.addItem(value_text("priority", priority), priority)
            self.priority.setCurrentIndex(PRIORITIES.index("normal"))
            form.addRow(self.tr("&Priority:"), self.fields.wrap("priority", self.priority))
            self.percent_complete = QSpinBox()
            self.percent_complete.setRange(0, 100)
            self.percent_complete.setSuffix(" %")
            form.addRow(self.tr("% c&omplete:"), self.fields.wrap("percent_complete", self.percent_complete))
            self.body = QPlainTextEdit()
            self.body.setTabChangesFocus(True)
            self.body.setFixedHeight(self.fontMetrics().lineSpacing() * 4)
            form.addRow(self.tr("&Description:"), self.fields.wrap("body", self.body))

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.save_button.setEnabled(bool(users))
        layout = QVBoxLayout(self)
        if not users:
            notice = sentence_label(self.tr("Add a user first (Users & queues): every record has an owner."))
            layout.addWidget(notice)
        layout.addWidget(self.fields.general)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 70)

    def message_text(self, message: str) -> str:
        """The service's checks in the admin's language (an unknown message as the service says it)."""
        known = {
            "an appointment needs a start": self.tr("an appointment needs a start"),
            "the end is before the start": self.tr("the end is before the start"),
            "an appointment needs a subject": self.tr("an appointment needs a subject"),
            "a task needs a subject": self.tr("a task needs a subject"),
            "a contact needs a name or an email address": self.tr("a contact needs a name or an email address"),
            "an email address is required": self.tr("an email address is required"),
        }
        if message in known:
            return known[message]
        invalid = re.fullmatch(r"(.*) is not a valid email address", message)
        if invalid:
            return self.tr("{address} is not a valid email address").format(address=invalid.group(1))
        return message

    def _owner_changed(self, _index: int) -> None:
        """The organizer follows the owner while the admin has not typed another one."""
        if self.organizer.text().strip() in ("", self._organizer_default):
            self.organizer.setText(str(self.owner.currentData() or ""))
            self._organizer_default = self.organizer.text()

    def values(self) -> dict[str, Any]:
        """What the form says, in the CRM's field names; addresses checked (a ValidationError names the field)."""
        values: dict[str, Any] = {}

        def text(name: str) -> None:
            edit = self.inputs[name]
            assert isinstance(edit, QLineEdit)
            if edit.text().strip():
                values[name] = edit.text().strip()

        if self.record_type is RecordType.APPOINTMENT:
            for name in ("subject", "location"):
                text(name)
            values["starts_at"] = _utc(self.starts_at)
            values["ends_at"] = _utc(self.ends_at)
            values["all_day"] = self.all_day.isChecked()
            if self.organizer.text().strip():
                values["organizer"] = normalize_address(self.organizer.text(), "organizer")
            attendees = [a for a in self.attendees.text().replace(";", ",").split(",") if a.strip()]
            if attendees:
                values["attendees"] = tuple(normalize_address(a, "attendees") for a in attendees)
            if self.body.toPlainText().strip():
                values["body"] = self.body.toPlainText()
        elif self.record_type is RecordType.CONTACT:
            for name in ("first_name", "last_name", "company", "job_title", "phone", "mobile_phone", "city", "country"):
                text(name)
            if self.email.text().strip():
                values["email"] = normalize_address(self.email.text(), "email")
        else:
            text("subject")
            due = self.due_at.value()
            if due is not None:
                values["due_at"] = due
            values["status"] = self.status.currentData()
            values["priority"] = self.priority.currentData()
            values["percent_complete"] = self.percent_complete.value()
            if self.body.toPlainText().strip():
                values["body"] = self.body.toPlainText()
        return values

    @asyncSlot()
    async def save(self) -> None:
        user = self.owner.currentData()
        async with self._presenter.guard(self.save_button, action=self.tr("add the record")):
            try:
                if not user:
                    raise ValidationError.single("user", self.tr("choose the owner"))
                view = await self._context.act.add(self.record_type, str(user), self.values())
            except ValidationError as exc:
                self.fields.show({name: self.message_text(message) for name, message in exc.errors.items()})
                return
            self.fields.clear()
            self.saved.emit(view)
            self.accept()


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


class ActRecordsPage(QWidget):
    """The CRM's appointments, contacts or tasks, with their link state; refreshed when a cycle ends."""

    message = Signal(str)

    def __init__(
        self,
        context: UiContext | None,
        errors: ErrorPresenter,
        parent: QWidget | None = None,
        asker: Asker | None = None,
    ) -> None:
        super().__init__(parent)
        self._context = context
        self._presenter = errors
        self._ask = asker or message_box_asker(self)
        self._users: list[User] = []
        self.dialog: ActRecordDialog | None = None
        self.title_label = title_label(self.tr("Appointments, contacts & tasks"))
        self.description_label = sentence_label(
            self.tr(
                "The CRM's appointments, contacts and tasks and where each stands with Exchange. A record goes to "
                "its owner's Exchange mailbox when one of the owner's sync filters selects it; items carrying "
                "the tracking category come to the CRM. Once linked, changes flow both ways."
            )
        )
        self.record_type = narrow_combo(QComboBox())
        self.record_type.setAccessibleName(self.tr("Record type"))
        for record_type in (RecordType.APPOINTMENT, RecordType.CONTACT, RecordType.TASK):
            self.record_type.addItem(type_label(record_type), record_type)
        self.user = narrow_combo(QComboBox())
        self.user.setAccessibleName(self.tr("Owner"))
        self.user.addItem(self.tr("All users"), None)
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Search (Ctrl+F)"))
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName(self.tr("Search records"))
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
        self.proxy.modelReset.connect(self.empty.update)
        self.proxy.layoutChanged.connect(self.empty.update)
        self.proxy.rowsInserted.connect(self.empty.update)
        self.proxy.rowsRemoved.connect(self.empty.update)
        self.search.textChanged.connect(self.proxy.set_search)

        self.new_action = QAction(self.tr("&New…"), self)
        self.new_action.setShortcut(QKeySequence("Ctrl+N"))
        self.refresh_action = QAction(self.tr("Re&fresh"), self)
        self.refresh_action.setShortcut(QKeySequence.StandardKey.Refresh)
        find_action = QAction(self)
        find_action.setShortcut(QKeySequence.StandardKey.Find)
        find_action.triggered.connect(lambda: (self.search.setFocus(), self.search.selectAll()))
        # deleting writes the record's tombstone: only then may the next cycle delete its Exchange item
        self.delete_action = QAction(self.tr("&Delete…"), self)
        self.delete_action.setShortcut(QKeySequence.StandardKey.Delete)
        self.new_action.triggered.connect(self.new_record)
        self.refresh_action.triggered.connect(self._reload_now)
        self.delete_action.triggered.connect(self.delete_selected)
        for action in (self.new_action, self.delete_action, self.refresh_action, find_action):
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.addAction(action)
        filters = QHBoxLayout()
        filters.addWidget(type_label_widget)
        filters.addWidget(self.record_type)
        filters.addWidget(user_label)
        filters.addWidget(self.user)
        filters.addWidget(self.search, stretch=1)
        for action in (self.new_action, self.delete_action, self.refresh_action):
            button = QPushButton(action.text())
            button.setToolTip(action.shortcut().toString(QKeySequence.SequenceFormat.NativeText))
            button.clicked.connect(action.trigger)
            action.changed.connect(lambda a=action, b=button: b.setEnabled(a.isEnabled()))
            button.setEnabled(action.isEnabled())
            filters.addWidget(button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title_label)
        layout.addWidget(self.description_label)
        layout.addLayout(filters)
        layout.addWidget(self.table, stretch=1)

        self._reload = QTimer(self)
        self._reload.setSingleShot(True)
        self._reload.setInterval(RELOAD_DELAY_MS)
        self._reload.timeout.connect(self._reload_now)
        self.record_type.currentIndexChanged.connect(lambda _i: self._reload.start(0))
        self.user.currentIndexChanged.connect(lambda _i: self._reload.start(0))
        if context is not None:
            context.bridge.cycle_finished.connect(self._cycle_finished)
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

    # --- live ----------------------------------------------------------------------------------

    def _cycle_finished(self, _event: CycleFinished) -> None:
        if self.isVisible():  # a hidden view reloads when it is shown
            self._reload.start()

    def showEvent(self, event: QShowEvent) -> None:
        """Coming back to the view shows the store as it is now (a conflict resolved, a record added)."""
        super().showEvent(event)
        if self._context is not None:
            self._reload.start(0)

    @asyncSlot()
    async def _reload_now(self) -> None:
        async with self._presenter.guard(action=self.tr("refresh the records")):
            await self.refresh()

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
