"""The values of appointments, contacts and tasks between the CRM and exchangelib: each of MAPPING's
fields read from an item (``exchange_item``) and written to one (``fill``), the fields a GetItem asks for
(``field_paths``), and the CRM id stamped on the items we create."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from exchangelib import CalendarItem, Contact, ExtendedProperty, Task
from exchangelib.ewsdatetime import UTC as EWS_UTC
from exchangelib.ewsdatetime import EWSDate, EWSDateTime
from exchangelib.fields import FieldPath
from exchangelib.indexed_properties import EmailAddress, PhoneNumber, PhysicalAddress
from exchangelib.properties import Attendee
from exchangelib.properties import Body as EwsBody
from exchangelib.properties import Mailbox as EwsMailbox
from exchangelib.recurrence import (
    AbsoluteMonthlyPattern,
    AbsoluteYearlyPattern,
    DailyPattern,
    EndDatePattern,
    NoEndPattern,
    NumberedPattern,
    Recurrence,
    WeeklyPattern,
)

from desktop_sync.connectors.ews_services import (
    Given,
)
from desktop_sync.connectors.exchange_calls import TRACKED_CATEGORY
from desktop_sync.connectors.exchange_session import utc
from desktop_sync.domain.act import MAPPING, WEEKDAYS, ExchangeItem, FieldMap, Flow, series_pattern, server_choice
from desktop_sync.domain.errors import ErrorScope, TransientError
from desktop_sync.domain.model import RecordType

MODELS: dict[RecordType, Any] = {
    RecordType.APPOINTMENT: CalendarItem,
    RecordType.CONTACT: Contact,
    RecordType.TASK: Task,
}


class CrmId(ExtendedProperty):  # type: ignore[misc]
    """The CRM id stamped on the items we create (a named property in a property set of our own)."""

    property_set_id = "6f1b8b53-0d0e-4bd4-9a54-5f2f1a3c7d21"
    property_name = "DesktopSyncCrmId"
    property_type = "Integer"


CRM_ID_FIELD = "desktop_sync_crm_id"
for _model in MODELS.values():
    if CRM_ID_FIELD not in {f.name for f in _model.FIELDS}:
        _model.register(CRM_ID_FIELD, CrmId)


# --- values: CRM <-> exchangelib

_IMPORTANCE = {"low": "Low", "normal": "Normal", "high": "High"}
_SHOW_AS = {
    "free": "Free",
    "tentative": "Tentative",
    "busy": "Busy",
    "out_of_office": "OOF",
    "working_elsewhere": "WorkingElsewhere",
}
_STATUS = {
    "not_started": "NotStarted",
    "in_progress": "InProgress",
    "completed": "Completed",
    "waiting": "WaitingOnOthers",
    "deferred": "Deferred",
}

_CHOICES = {"show_as": _SHOW_AS, "importance": _IMPORTANCE, "priority": _IMPORTANCE, "status": _STATUS}

# MAPPING's Exchange names are exchangelib's item fields, except the contacts' indexed properties:
# one entry (label) of a container, and for an address one part of it.
_INDEXED: dict[str, tuple[str, str, str]] = {
    "email_address_1": ("email_addresses", "EmailAddress1", "email"),
    "email_address_2": ("email_addresses", "EmailAddress2", "email"),
    "business_phone": ("phone_numbers", "BusinessPhone", "phone_number"),
    "mobile_phone": ("phone_numbers", "MobilePhone", "phone_number"),
    "business_street": ("physical_addresses", "Business", "street"),
    "business_city": ("physical_addresses", "Business", "city"),
    "business_postal_code": ("physical_addresses", "Business", "zipcode"),
    "business_country": ("physical_addresses", "Business", "country"),
}
_ENTRY_CLASSES: dict[str, Any] = {
    "email_addresses": EmailAddress,
    "phone_numbers": PhoneNumber,
    "physical_addresses": PhysicalAddress,
}


def _maps(record_type: RecordType) -> dict[str, FieldMap]:
    """The record type's fields by CRM name, from domain/act.py's one table."""
    return {m.crm: m for m in MAPPING[record_type]}


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _from_html(value: str) -> str:
    text = re.sub(r"(?is)<(script|style)[^>]*>.*?</\1>", "", value)
    text = re.sub(r"(?i)<br\s*/?>|</p>|</div>", "\n", text)
    return html.unescape(re.sub(r"<[^>]+>", "", text)).strip()


def _body_text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value)
    if type(value).__name__ == "HTMLBody":
        text = _from_html(text)
    return _text(text.replace("\r\n", "\n"))


def _moment(value: Any) -> dt.datetime | None:
    """An aware UTC datetime from an exchangelib date or datetime (a date is midnight UTC)."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return utc(value)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    return None


def _utc_datetime(value: Any, field: str) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    if isinstance(value, str):
        found = utc(value)
        if found is not None:
            return found
    raise TransientError(f"{field}: not a date and time ({value!r})", code="invalid_value", scope=ErrorScope.ITEM)


def _day(value: Any) -> str | None:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return value.isoformat() if isinstance(value, dt.date) else None


def _recurrence_to_crm(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    pattern, boundary = value.pattern, value.boundary
    data: dict[str, Any]
    if isinstance(pattern, DailyPattern):
        data = {"pattern": "daily", "interval": int(pattern.interval)}
    elif isinstance(pattern, WeeklyPattern):
        days = tuple(WEEKDAYS[int(d) - 1] for d in (pattern.weekdays or ()))
        data = {"pattern": "weekly", "interval": int(pattern.interval), "weekdays": days}
    elif isinstance(pattern, AbsoluteMonthlyPattern):
        data = {"pattern": "monthly", "interval": int(pattern.interval), "day_of_month": int(pattern.day_of_month)}
    elif isinstance(pattern, AbsoluteYearlyPattern):
        data = {"pattern": "yearly", "day_of_month": int(pattern.day_of_month), "month": int(pattern.month)}
    else:  # relative patterns: kept in Exchange, described in the CRM
        data = {"pattern": "other", "description": str(pattern)}
    data["start"] = _day(getattr(boundary, "start", None))
    if isinstance(boundary, EndDatePattern):
        data["until"] = _day(boundary.end)
    elif isinstance(boundary, NumberedPattern):
        data["count"] = int(boundary.number)
    return data


def _recurrence_to_exchange(value: Mapping[str, Any], starts_at: dt.datetime | None) -> Any:
    series = series_pattern(value, starts_at)
    pattern: Any
    if series.kind == "daily":
        pattern = DailyPattern(interval=series.interval)
    elif series.kind == "weekly":
        pattern = WeeklyPattern(interval=series.interval, weekdays=[WEEKDAYS.index(d) + 1 for d in series.weekdays])
    elif series.kind == "monthly":
        pattern = AbsoluteMonthlyPattern(interval=series.interval, day_of_month=series.day_of_month)
    else:
        pattern = AbsoluteYearlyPattern(day_of_month=series.day_of_month, month=series.month)
    boundary: Any = NoEndPattern(start=series.start)
    if series.count is not None:
        boundary = NumberedPattern(start=series.start, number=series.count)
    elif series.until is not None:
        boundary = EndDatePattern(start=series.start, end=series.until)
    return Recurrence(pattern=pattern, boundary=boundary)


def _crm_value(mapping: FieldMap, item: Any) -> Any:
    """One CRM field's value read from an exchangelib item."""
    crm = mapping.crm
    if mapping.exchange in _INDEXED:
        container, label, subfield = _INDEXED[mapping.exchange]
        for entry in getattr(item, container, None) or ():
            if entry.label == label:
                return _text(getattr(entry, subfield, None))
        return None
    value = getattr(item, mapping.exchange, None)
    if crm in ("starts_at", "ends_at", "due_at"):
        return _moment(value)
    if crm == "all_day":
        return bool(value)
    if crm == "body":
        return _body_text(value)
    if crm == "attendees":
        return tuple(
            a.mailbox.email_address.strip().lower()
            for a in value or ()
            if a.mailbox is not None and a.mailbox.email_address
        )
    if crm == "organizer":
        return value.email_address.strip().lower() if value is not None and value.email_address else None
    if crm == "show_as":
        return next((k for k, v in _SHOW_AS.items() if v == value), None)
    if crm in ("importance", "priority"):
        return str(value).lower() if value else None
    if crm == "status":
        return next((k for k, v in _STATUS.items() if v == value), None)
    if crm == "percent_complete":
        return int(value) if value is not None else None
    if crm == "recurrence":
        return _recurrence_to_crm(value)
    return _text(value)


def _exchange_value(record_type: RecordType, crm: str, value: Any, values: Mapping[str, Any]) -> Any:
    """One CRM field's value as the exchangelib item field takes it; ValueError when it cannot."""
    if value is None or value == "" or value == ():
        return None
    if crm in ("starts_at", "ends_at", "due_at"):
        moment = _utc_datetime(value, crm)
        assert moment is not None
        if record_type is RecordType.TASK or values.get("all_day"):
            return EWSDate(moment.year, moment.month, moment.day)
        return EWSDateTime.from_datetime(moment.astimezone(dt.UTC)).astimezone(EWS_UTC)
    if crm == "all_day":
        return bool(value)
    if crm == "body":
        return EwsBody(str(value))
    if crm == "attendees":
        addresses = [value] if isinstance(value, str) else list(value)
        return [Attendee(mailbox=EwsMailbox(email_address=str(a)), response_type="Unknown") for a in addresses]
    if crm in _CHOICES:
        return server_choice(crm, value, _CHOICES[crm])
    if crm == "percent_complete":
        return Decimal(max(0, min(100, int(value))))
    if crm == "recurrence":
        if not isinstance(value, Mapping):
            raise ValueError("recurrence: not a pattern")
        if value.get("pattern") == "other":
            return None
        return _recurrence_to_exchange(value, _utc_datetime(values.get("starts_at"), "starts_at"))
    return str(value)


def fill(
    record_type: RecordType, item: Any, values: Mapping[str, Any], *, context: Mapping[str, Any]
) -> tuple[list[str], Given]:
    """Set ``values`` (CRM names) on an exchangelib item: the item field names touched, in a stable order,
    and the indexed entries given."""
    touched: list[str] = []
    entries: Given = {}
    maps = _maps(record_type)
    for crm, value in values.items():
        mapping = maps.get(crm)
        if mapping is None or mapping.flow is Flow.TO_CRM:
            continue
        name = mapping.exchange
        if name in _INDEXED:
            container, label, subfield = _INDEXED[name]
            entries.setdefault(container, {}).setdefault(label, {})[subfield] = _text(value)
            continue
        if crm == "recurrence" and isinstance(value, Mapping) and value.get("pattern") == "other":
            continue  # a pattern the CRM only describes: Exchange keeps its own
        setattr(item, name, _exchange_value(record_type, crm, value, context))
        touched.append(name)
    for container, labels in entries.items():
        cls = _ENTRY_CLASSES[container]
        present = [
            cls(label=label, **{k: v for k, v in fields.items() if v is not None})
            for label, fields in labels.items()
            if any(v is not None for v in fields.values())
        ]
        setattr(item, container, present or None)
        touched.append(container)
    return sorted(set(touched)), entries


def field_paths(record_type: RecordType) -> set[Any]:
    """Only the mapped fields, the categories and our CRM id."""
    model = MODELS[record_type]
    paths = {FieldPath(field=model.get_field_by_fieldname(n)) for n in ("categories", CRM_ID_FIELD)}
    for mapping in MAPPING[record_type]:
        if mapping.exchange not in _INDEXED:
            paths.add(FieldPath(field=model.get_field_by_fieldname(mapping.exchange)))
            continue
        container, label, subfield = _INDEXED[mapping.exchange]
        field = model.get_field_by_fieldname(container)
        if container == "physical_addresses":  # an address is asked for part by part
            paths.add(FieldPath(field=field, label=label, subfield=field.value_cls.get_field_by_fieldname(subfield)))
        else:
            paths.add(FieldPath(field=field, label=label))
    return paths


def exchange_item(record_type: RecordType, item: Any) -> ExchangeItem:
    values = {m.crm: _crm_value(m, item) for m in MAPPING[record_type]}
    categories = item.categories or ()
    origin = getattr(item, CRM_ID_FIELD, None)
    return ExchangeItem(
        server_id=str(item.id),
        change_key=item.changekey,
        values=values,
        tracked=TRACKED_CATEGORY in categories,
        origin_local_id=int(origin) if origin is not None else None,
    )
