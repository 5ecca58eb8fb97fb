"""Optional dates the admin may leave unset: a check box in front of the date (or date and time)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QCheckBox, QDateEdit, QDateTimeEdit, QHBoxLayout, QWidget

from desktop_sync.ui.formatting import date_format, date_time_format, to_qdatetime


def local_midnight(date: QDate) -> dt.datetime:
    """The start of ``date`` in the local time zone, as an aware datetime."""
    return dt.datetime(date.year(), date.month(), date.day()).astimezone()


def to_qdate(value: dt.datetime) -> QDate:
    local = value.astimezone()
    return QDate(local.year, local.month, local.day)


class OptionalDateBase(QWidget):
    """A check box saying whether there is a value, in front of the editor that holds it (enabled
    only while the box is checked)."""

    def __init__(self, text: str, editor: QDateTimeEdit, display_format: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.check = QCheckBox(text)
        editor.setDisplayFormat(display_format)
        editor.setCalendarPopup(True)
        editor.setEnabled(False)
        self.check.toggled.connect(editor.setEnabled)
        self.row = QHBoxLayout(self)
        self.row.setContentsMargins(0, 0, 0, 0)
        self.row.addWidget(self.check)


class DateField(OptionalDateBase):
    """An optional date (a day, from local midnight)."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        editor = QDateEdit()
        super().__init__(text, editor, date_format(), parent)
        self.date = editor
        self.date.setDate(QDate.currentDate().addMonths(-1))
        self.row.addWidget(self.date)
        self.row.addStretch(1)
        self.setFocusProxy(self.check)

    def value(self) -> dt.datetime | None:
        return local_midnight(self.date.date()) if self.check.isChecked() else None

    def set_value(self, value: dt.datetime | None) -> None:
        self.check.setChecked(value is not None)
        if value is not None:
            self.date.setDate(to_qdate(value))


def utc_value(edit: QDateTimeEdit) -> dt.datetime:
    return dt.datetime.fromtimestamp(edit.dateTime().toSecsSinceEpoch(), dt.UTC)


class OptionalDateTime(OptionalDateBase):
    """An optional date and time (in UTC once read)."""

    def __init__(self, label: str, parent: QWidget | None = None) -> None:
        editor = QDateTimeEdit()
        super().__init__(label, editor, date_time_format(), parent)
        self.edit = editor
        self.edit.setAccessibleName(label.replace("&", ""))
        self.row.addWidget(self.edit, stretch=1)

    def value(self) -> dt.datetime | None:
        return utc_value(self.edit) if self.check.isChecked() else None

    def set_value(self, value: dt.datetime | None) -> None:
        self.check.setChecked(value is not None)
        if value is not None:
            self.edit.setDateTime(to_qdatetime(value))
