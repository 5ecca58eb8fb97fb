"""The field mapping of appointments, contacts and tasks: one table, with each field's direction,
the conflict policies, and the conversions between the two sides' field names."""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from desktop_sync.domain.model import RecordType


class Flow(enum.Enum):
    BOTH = "both"
    TO_EXCHANGE = "to_exchange"
    TO_CRM = "to_crm"


@dataclass(frozen=True, slots=True)
class FieldMap:
    crm: str  # the CRM record's field
    exchange: str  # the name the Exchange connector uses
    flow: Flow = Flow.BOTH
    # Microsoft Graph's property (a "/" names a part: an entry of a collection, a member of an object);
    # None where Graph has no such property (the field then stays as the CRM has it).
    graph: str | None = None


# The one table of what maps to what, and which way it flows: the CRM's field, Exchange's (EWS, through
# exchangelib) and Microsoft Graph's (Exchange Online).
MAPPING: dict[RecordType, tuple[FieldMap, ...]] = {
    RecordType.APPOINTMENT: (
        FieldMap("subject", "subject", graph="subject"),
        FieldMap("starts_at", "start", graph="start"),
        FieldMap("ends_at", "end", graph="end"),
        FieldMap("all_day", "is_all_day", graph="isAllDay"),
        FieldMap("location", "location", graph="location"),
        FieldMap("body", "body", graph="body"),
        FieldMap("attendees", "required_attendees", graph="attendees"),
        FieldMap("organizer", "organizer", Flow.TO_CRM, graph="organizer"),
        FieldMap("show_as", "legacy_free_busy_status", graph="showAs"),
        FieldMap("importance", "importance", graph="importance"),
        FieldMap("recurrence", "recurrence", graph="recurrence"),
    ),
    RecordType.CONTACT: (
        FieldMap("first_name", "given_name", graph="givenName"),
        FieldMap("last_name", "surname", graph="surname"),
        FieldMap("full_name", "display_name", graph="displayName"),
        FieldMap("company", "company_name", graph="companyName"),
        FieldMap("job_title", "job_title", graph="jobTitle"),
        FieldMap("email", "email_address_1", graph="emailAddresses/0"),
        FieldMap("email2", "email_address_2", graph="emailAddresses/1"),
        FieldMap("phone", "business_phone", graph="businessPhones/0"),
        FieldMap("mobile_phone", "mobile_phone", graph="mobilePhone"),
        FieldMap("street", "business_street", graph="businessAddress/street"),
        FieldMap("city", "business_city", graph="businessAddress/city"),
        FieldMap("postal_code", "business_postal_code", graph="businessAddress/postalCode"),
        FieldMap("country", "business_country", graph="businessAddress/countryOrRegion"),
    ),
    RecordType.TASK: (
        FieldMap("subject", "subject", graph="title"),
        FieldMap("due_at", "due_date", graph="dueDateTime"),
        FieldMap("starts_at", "start_date", graph="startDateTime"),
        FieldMap("status", "status", graph="status"),
        FieldMap("percent_complete", "percent_complete"),
        FieldMap("priority", "importance", graph="importance"),
        FieldMap("body", "body", graph="body"),
    ),
}


class ConflictPolicy(enum.Enum):
    KEEP_CRM = "crm"
    KEEP_EXCHANGE = "exchange"
    KEEP_BOTH = "both"


DEFAULT_CONFLICT_POLICY = ConflictPolicy.KEEP_CRM


def plain(value: Any) -> Any:
    """A value as it compares and hashes the same on both sides (dates as ISO text, sets sorted)."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (list, tuple, set, frozenset)):
        return sorted(plain(v) for v in value) if isinstance(value, (set, frozenset)) else [plain(v) for v in value]
    return value


def content_hash(values: Mapping[str, Any]) -> str:
    """A stable hash of mapped field values (CRM field names), to see what changed since the last sync."""
    text = json.dumps({k: plain(v) for k, v in sorted(values.items())}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def crm_values(record_type: RecordType, exchange_fields: Mapping[str, Any]) -> dict[str, Any]:
    """Exchange field names -> CRM field names, for the fields the mapping knows."""
    return {m.crm: exchange_fields.get(m.exchange) for m in MAPPING[record_type] if m.exchange in exchange_fields}


def exchange_values(
    record_type: RecordType, crm_fields: Mapping[str, Any], only: Sequence[str] | None = None
) -> dict[str, Any]:
    """CRM field names -> Exchange field names, for fields that may flow to Exchange."""
    return {
        m.exchange: crm_fields.get(m.crm)
        for m in MAPPING[record_type]
        if m.flow is not Flow.TO_CRM and m.crm in crm_fields and (only is None or m.crm in only)
    }


def record_headline(record_type: RecordType, values: Mapping[str, Any]) -> tuple[str | None, Any]:
    """What names a record to a person: (title, date) — an appointment's subject and start, a
    contact's "name <email>", a task's title and due date. Parts not known are None."""
    if record_type is RecordType.CONTACT:
        first_last = " ".join(str(p) for p in (values.get("first_name"), values.get("last_name")) if p)
        name = str(values.get("full_name") or first_last or "")
        email = str(values.get("email") or values.get("email2") or "")
        title = f"{name} <{email}>" if name and email else name or email
        return title or None, None
    subject = values.get("subject")
    when = values.get("starts_at") if record_type is RecordType.APPOINTMENT else values.get("due_at")
    return (str(subject) if subject else None), when


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")  # ISO 1..7


@dataclass(frozen=True, slots=True)
class SeriesPattern:
    """A CRM recurrence (``{"pattern", "interval", "weekdays", "day_of_month", "month", "start", "until" or
    "count"}``) read and checked: what each connector writes as its server's own pattern."""

    kind: str  # daily, weekly, monthly or yearly
    interval: int
    weekdays: tuple[str, ...]  # weekly: the days, as WEEKDAYS names
    day_of_month: int | None
    month: int | None
    start: dt.date
    count: int | None = None
    until: dt.date | None = None


def series_pattern(value: Mapping[str, Any], starts_at: dt.datetime | None) -> SeriesPattern:
    """The pattern of a CRM recurrence; ValueError naming what is missing or wrong."""

    def number(name: str, default: int | None = None) -> int:
        raw = value.get(name, default)
        if raw is None:
            raise ValueError(f"recurrence: {name} is missing")
        return int(raw)

    kind = str(value.get("pattern") or "")
    if kind not in ("daily", "weekly", "monthly", "yearly"):
        raise ValueError(f"recurrence: unknown pattern {kind!r} (daily, weekly, monthly or yearly)")
    weekdays: tuple[str, ...] = ()
    if kind == "weekly":
        weekdays = tuple(str(d).lower() for d in value.get("weekdays") or ())
        if any(d not in WEEKDAYS for d in weekdays):
            raise ValueError(f"recurrence: weekdays {list(weekdays)!r} are not all days of the week")
        if not weekdays and starts_at is not None:
            weekdays = (WEEKDAYS[starts_at.isoweekday() - 1],)
    if value.get("start"):
        start = dt.date.fromisoformat(str(value["start"]))
    elif starts_at is not None:
        start = starts_at.date()
    else:
        raise ValueError("recurrence: start is missing")
    return SeriesPattern(
        kind,
        1 if kind == "yearly" else number("interval", 1),
        weekdays,
        number("day_of_month") if kind in ("monthly", "yearly") else None,
        number("month") if kind == "yearly" else None,
        start,
        count=number("count") if value.get("count") else None,
        until=dt.date.fromisoformat(str(value["until"])) if value.get("until") and not value.get("count") else None,
    )


def server_choice(field: str, value: Any, names: Mapping[str, str]) -> str:
    """A CRM choice (``show_as``, ``importance``, ``priority``, ``status``) as a server names it, from that
    server's ``names`` by CRM value; ValueError when the CRM value is none of them."""
    key = str(value).lower() if field in ("importance", "priority") else str(value)
    if key not in names:
        raise ValueError(f"{field}: {value!r} is not one of {', '.join(names)}")
    return names[key]
