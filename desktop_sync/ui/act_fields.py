"""The names the interface gives appointments, contacts and tasks and their fields, and how it shows
their values: shared by the records page, the record dialog, conflicts and the synchronization preview."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QCoreApplication

from desktop_sync.domain.model import RecordType
from desktop_sync.ui.formatting import format_when


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
