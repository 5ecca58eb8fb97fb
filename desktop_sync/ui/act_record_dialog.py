"""The dialog that adds a CRM appointment, contact or task for a user, with its optional dates."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from qasync import asyncSlot

from desktop_sync.domain.errors import ValidationError
from desktop_sync.domain.model import RecordType, User
from desktop_sync.domain.validation import normalize_address
from desktop_sync.ui.act_fields import value_text
from desktop_sync.ui.context import UiContext
from desktop_sync.ui.date_fields import OptionalDateTime, utc_value
from desktop_sync.ui.errors import ErrorPresenter
from desktop_sync.ui.form import FieldErrors
from desktop_sync.ui.formatting import date_time_format, to_qdatetime
from desktop_sync.ui.page import sentence_label

TASK_STATUSES = ("not_started", "in_progress", "completed", "waiting", "deferred")
PRIORITIES = ("low", "normal", "high")


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
            values["starts_at"] = utc_value(self.starts_at)
            values["ends_at"] = utc_value(self.ends_at)
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
