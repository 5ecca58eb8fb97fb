"""The values of contacts, events and To Do tasks between the CRM and Microsoft Graph's JSON: each of
MAPPING's fields read from a resource (``graph_item``) and written into a request body (``graph_body``),
with the CRM id stamped on the items we create.

Graph's names come from the ``graph`` column of domain/act's one table; a ``/`` names a part (an entry
of ``emailAddresses``, a member of ``businessAddress``). Times cross as aware UTC datetimes: Graph's
``dateTimeTimeZone`` is read in its own zone (IANA or Windows names), written in UTC. A value we cannot
read raises ``ValueError`` (that item's failure, never the page's); a CRM value Graph cannot take too.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import zoneinfo
from collections.abc import Mapping
from typing import Any

from exchangelib.winzone import MS_TIMEZONE_TO_IANA_MAP

from desktop_sync.domain.act import MAPPING, WEEKDAYS, ExchangeItem, FieldMap, Flow, series_pattern, server_choice
from desktop_sync.domain.model import RecordType

# The CRM id on contacts and events: the same named property (set and name) the EWS connector stamps, so an
# item created over EWS before the profile moved to Exchange Online is still known as ours.
CRM_ID_PROPERTY = "Integer {6f1b8b53-0d0e-4bd4-9a54-5f2f1a3c7d21} Name DesktopSyncCrmId"
# To Do tasks have no extended properties: the CRM id rides in a linked resource of our application.
LINKED_APPLICATION = "Desktop Sync"

_SHOW_AS = {"free": "free", "tentative": "tentative", "busy": "busy", "out_of_office": "oof",
            "working_elsewhere": "workingElsewhere"}  # fmt: skip
_STATUS = {"not_started": "notStarted", "in_progress": "inProgress", "completed": "completed",
           "waiting": "waitingOnOthers", "deferred": "deferred"}  # fmt: skip
_IMPORTANCE = {"low": "low", "normal": "normal", "high": "high"}
_CHOICES = {"show_as": _SHOW_AS, "importance": _IMPORTANCE, "priority": _IMPORTANCE, "status": _STATUS}
_GRAPH_PATTERNS = {"daily": "daily", "weekly": "weekly", "monthly": "absoluteMonthly", "yearly": "absoluteYearly"}
_UTC_NAMES = frozenset({"", "utc", "z", "etc/utc", "gmt", "coordinated universal time", "tzone://microsoft/utc"})


def mapped(record_type: RecordType) -> tuple[FieldMap, ...]:
    """The fields Graph has for ``record_type``."""
    return tuple(m for m in MAPPING[record_type] if m.graph is not None)


# --- reading: Graph -> CRM


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    text = str(value).strip()
    return text or None


def _zone(name: str) -> dt.tzinfo:
    lowered = name.strip().lower()
    if lowered in _UTC_NAMES:
        return dt.UTC
    iana = MS_TIMEZONE_TO_IANA_MAP.get(name.strip(), name.strip())
    try:
        return zoneinfo.ZoneInfo(iana)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc


def read_moment(value: Any, *, date_only: bool = False) -> dt.datetime | None:
    """An aware UTC datetime from a ``dateTimeTimeZone``; ``date_only`` keeps the day (midnight UTC), as an
    all-day event or a task's due date means a day, not an instant."""
    if value is None:
        return None
    if not isinstance(value, Mapping) or not isinstance(value.get("dateTime"), str):
        raise ValueError(f"not a dateTimeTimeZone: {value!r}")
    text = value["dateTime"].strip()
    match = re.fullmatch(r"(\d{4}-\d{2}-\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?(Z|[+-]\d{2}:\d{2})?", text)
    if match is None:
        raise ValueError(f"not a date and time: {text!r}")
    day = dt.date.fromisoformat(match.group(1))
    if date_only:
        return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
    hour, minute, second = (int(match.group(n) or 0) for n in (2, 3, 4))
    naive = dt.datetime(day.year, day.month, day.day, hour, minute, second)
    offset = match.group(5)
    if offset:
        zone: dt.tzinfo = dt.UTC if offset == "Z" else dt.datetime.strptime(offset, "%z").tzinfo or dt.UTC
    else:
        zone = _zone(str(value.get("timeZone") or ""))
    return naive.replace(tzinfo=zone).astimezone(dt.UTC)


def _body_text(value: Any) -> str | None:
    if not isinstance(value, Mapping):
        return None
    content = value.get("content")
    if not isinstance(content, str):
        return None
    if str(value.get("contentType", "text")).lower() == "html":
        content = re.sub(r"(?is)<(script|style)[^>]*>.*?</\1>", "", content)
        content = re.sub(r"(?i)<br\s*/?>|</p>|</div>", "\n", content)
        content = html.unescape(re.sub(r"<[^>]+>", "", content))
    return _text(content.replace("\r\n", "\n"))


def _address(recipient: Any) -> str | None:
    if not isinstance(recipient, Mapping) or not isinstance(recipient.get("emailAddress"), Mapping):
        return None
    found = _text(recipient["emailAddress"].get("address"))
    return found.lower() if found else None


def _recurrence_to_crm(value: Any) -> dict[str, Any] | None:
    if not isinstance(value, Mapping) or not isinstance(value.get("pattern"), Mapping):
        return None
    pattern, boundary = value["pattern"], value.get("range") or {}
    kind = pattern.get("type")
    interval = int(pattern.get("interval") or 1)
    data: dict[str, Any]
    if kind == "daily":
        data = {"pattern": "daily", "interval": interval}
    elif kind == "weekly":
        days = {str(d).lower() for d in _entries(pattern.get("daysOfWeek"))}
        data = {"pattern": "weekly", "interval": interval, "weekdays": tuple(d for d in WEEKDAYS if d in days)}
    elif kind == "absoluteMonthly":
        data = {"pattern": "monthly", "interval": interval, "day_of_month": int(pattern["dayOfMonth"])}
    elif kind == "absoluteYearly":
        data = {"pattern": "yearly", "day_of_month": int(pattern["dayOfMonth"]), "month": int(pattern["month"])}
    else:  # relative patterns: kept in Exchange, described in the CRM
        data = {"pattern": "other", "description": f"{kind} every {interval}"}
    start = boundary.get("startDate") if isinstance(boundary, Mapping) else None
    data["start"] = dt.date.fromisoformat(start).isoformat() if isinstance(start, str) else None
    if isinstance(boundary, Mapping) and boundary.get("type") == "endDate" and boundary.get("endDate"):
        data["until"] = dt.date.fromisoformat(str(boundary["endDate"])).isoformat()
    elif isinstance(boundary, Mapping) and boundary.get("type") == "numbered":
        data["count"] = int(boundary.get("numberOfOccurrences") or 0)
    return data


def _entries(value: Any) -> list[Any]:
    """A collection's entries; anything else (a server's odd answer) holds none."""
    return value if isinstance(value, list) else []


def _part(resource: Mapping[str, Any], path: str) -> Any:
    name, _, part = path.partition("/")
    value = resource.get(name)
    if not part:
        return value
    if part.isdigit():
        entries = _entries(value)
        index = int(part)
        entry = entries[index] if index < len(entries) else None
        return entry.get("address") if isinstance(entry, Mapping) else entry
    return value.get(part) if isinstance(value, Mapping) else None


def crm_value(record_type: RecordType, crm: str, resource: Mapping[str, Any]) -> Any:
    """One CRM field's value read from a Graph resource."""
    graph = next(m.graph for m in mapped(record_type) if m.crm == crm)
    assert graph is not None
    value = _part(resource, graph)
    if crm in ("starts_at", "ends_at", "due_at"):
        day = record_type is RecordType.TASK or bool(resource.get("isAllDay"))
        return read_moment(value, date_only=day)
    if crm == "all_day":
        return bool(value)
    if crm == "body":
        return _body_text(value)
    if crm == "location":
        return _text(value.get("displayName")) if isinstance(value, Mapping) else None
    if crm == "attendees":
        found = (_address(a) for a in _entries(value) if not isinstance(a, Mapping) or a.get("type") != "resource")
        return tuple(a for a in found if a)
    if crm == "organizer":
        return _address(value)
    if crm == "show_as":
        return next((k for k, v in _SHOW_AS.items() if v == value), None)
    if crm in ("importance", "priority"):
        return str(value).lower() if str(value).lower() in _IMPORTANCE else None
    if crm == "status":
        return next((k for k, v in _STATUS.items() if v == value), None)
    if crm == "recurrence":
        return _recurrence_to_crm(value)
    if crm in ("email", "email2"):
        address = _text(value)
        return address.lower() if address else None
    return _text(value)


def crm_id(record_type: RecordType, resource: Mapping[str, Any]) -> int | None:
    """The CRM id we stamped on the item, if any (a value that is not ours is no id)."""
    if record_type is RecordType.TASK:
        stamps = [
            r.get("externalId")
            for r in _entries(resource.get("linkedResources"))
            if isinstance(r, Mapping) and r.get("applicationName") == LINKED_APPLICATION
        ]
    else:
        stamps = [
            p.get("value")
            for p in _entries(resource.get("singleValueExtendedProperties"))
            if isinstance(p, Mapping) and str(p.get("id", "")).lower() == CRM_ID_PROPERTY.lower()
        ]
    for stamp in stamps:
        if isinstance(stamp, str) and stamp.strip().isdigit():
            return int(stamp.strip())
    return None


def change_key(resource: Mapping[str, Any]) -> str | None:
    """What changes with every change of the item: the changeKey, else (To Do tasks) the ETag."""
    for name in ("changeKey", "@odata.etag", "lastModifiedDateTime"):
        value = resource.get(name)
        if isinstance(value, str) and value:
            return value
    return None


def graph_item(record_type: RecordType, resource: Mapping[str, Any], tracked_category: str) -> ExchangeItem:
    """The planner's view of a Graph resource; ValueError when one of its values cannot be read."""
    values: dict[str, Any] = {}
    for mapping in mapped(record_type):
        try:
            values[mapping.crm] = crm_value(record_type, mapping.crm, resource)
        except (ValueError, TypeError, KeyError) as exc:
            raise ValueError(f"{mapping.graph}: {exc}") from exc
    categories = resource.get("categories") or ()
    return ExchangeItem(
        server_id=str(resource["id"]),
        change_key=change_key(resource),
        values=values,
        tracked=isinstance(categories, list) and tracked_category in categories,
        origin_local_id=crm_id(record_type, resource),
    )


# --- writing: CRM -> Graph


def _utc(value: Any, field: str) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC) if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    if isinstance(value, str):
        try:
            return _utc(dt.datetime.fromisoformat(value.replace("Z", "+00:00")), field)
        except ValueError:
            pass
    raise ValueError(f"{field}: not a date and time ({value!r})")


def write_moment(moment: dt.datetime, *, date_only: bool = False) -> dict[str, str]:
    if date_only:
        moment = dt.datetime(moment.year, moment.month, moment.day, tzinfo=dt.UTC)
    return {"dateTime": moment.strftime("%Y-%m-%dT%H:%M:%S.0000000"), "timeZone": "UTC"}


def _recurrence_to_graph(value: Mapping[str, Any], starts_at: dt.datetime | None) -> dict[str, Any]:
    series = series_pattern(value, starts_at)
    pattern: dict[str, Any] = {"type": _GRAPH_PATTERNS[series.kind], "interval": series.interval}
    if series.weekdays:
        pattern["daysOfWeek"] = list(series.weekdays)
    if series.day_of_month is not None:
        pattern["dayOfMonth"] = series.day_of_month
    if series.month is not None:
        pattern["month"] = series.month
    boundary: dict[str, Any] = {"type": "noEnd", "startDate": series.start.isoformat(), "recurrenceTimeZone": "UTC"}
    if series.count is not None:
        boundary.update(type="numbered", numberOfOccurrences=series.count)
    elif series.until is not None:
        boundary.update(type="endDate", endDate=series.until.isoformat())
    return {"pattern": pattern, "range": boundary}


def _graph_value(record_type: RecordType, crm: str, value: Any, context: Mapping[str, Any]) -> Any:
    """One CRM field's value as Graph's property takes it (None clears it); ValueError when it cannot."""
    if value is None or value == "" or value == ():
        return [] if crm == "attendees" else None
    if crm in ("starts_at", "ends_at", "due_at"):
        day = record_type is RecordType.TASK or bool(context.get("all_day"))
        return write_moment(_utc(value, crm), date_only=day)
    if crm == "all_day":
        return bool(value)
    if crm == "body":
        return {"contentType": "text", "content": str(value)}
    if crm == "location":
        return {"displayName": str(value)}
    if crm == "attendees":
        addresses = [value] if isinstance(value, str) else list(value)
        return [{"type": "required", "emailAddress": {"address": str(a)}} for a in addresses]
    if crm in _CHOICES:
        return server_choice(crm, value, _CHOICES[crm])
    if crm == "recurrence":
        if not isinstance(value, Mapping):
            raise ValueError("recurrence: not a pattern")
        starts = context.get("starts_at")
        return _recurrence_to_graph(value, _utc(starts, "starts_at") if starts else None)
    return str(value)


def graph_body(
    record_type: RecordType,
    values: Mapping[str, Any],
    *,
    context: Mapping[str, Any],
    current: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The request body that sets ``values`` (CRM names). A part of a composite property (one e-mail
    address, one member of the business address) is merged into ``current``, the item as it is, since
    Graph replaces such a property whole."""
    body: dict[str, Any] = {}
    for mapping in mapped(record_type):
        if mapping.crm not in values or mapping.flow is Flow.TO_CRM or mapping.graph is None:
            continue
        value = values[mapping.crm]
        if mapping.crm == "recurrence" and isinstance(value, Mapping) and value.get("pattern") == "other":
            continue  # a pattern the CRM only describes: Exchange keeps its own
        name, _, part = mapping.graph.partition("/")
        if not part:
            body[name] = _graph_value(record_type, mapping.crm, value, context)
            continue
        text = _text(value)
        if part.isdigit():
            if name not in body:
                existing = (current or {}).get(name)
                body[name] = list(existing) if isinstance(existing, list) else []
            entries: list[Any] = body[name]
            index = int(part)
            while len(entries) <= index:
                entries.append(None)
            entries[index] = ({"address": text} if name == "emailAddresses" else text) if text else None
        else:
            if name not in body:
                existing = (current or {}).get(name)
                body[name] = dict(existing) if isinstance(existing, Mapping) else {}
            body[name][part] = text
    for name in ("emailAddresses", "businessPhones"):
        if name in body:  # an entry cleared closes the gap: Graph's lists hold no nulls
            body[name] = [e for e in body[name] if e]
    if record_type is RecordType.APPOINTMENT and "start" in body and "end" in body:
        _whole_days(body, context)
    return body


def _whole_days(body: dict[str, Any], context: Mapping[str, Any]) -> None:
    """Graph wants both ends of an event, the end after the start, and an all-day one from midnight to midnight."""
    starts = context.get("starts_at")
    if starts in (None, ""):
        body.pop("start"), body.pop("end")  # an event cannot lose its start: left as it is
        return
    start = _utc(starts, "starts_at")
    ends = context.get("ends_at")
    end = _utc(ends, "ends_at") if ends not in (None, "") else start
    if context.get("all_day"):
        start = dt.datetime(start.year, start.month, start.day, tzinfo=dt.UTC)
        end = dt.datetime(end.year, end.month, end.day, tzinfo=dt.UTC)
        end = max(end, start + dt.timedelta(days=1))
    body["start"] = write_moment(start)
    body["end"] = write_moment(max(end, start))


def stamp(record_type: RecordType, local_id: int) -> dict[str, Any]:
    """What a created item carries so a lost link is found again."""
    if record_type is RecordType.TASK:
        return {"linkedResources": [{"applicationName": LINKED_APPLICATION, "externalId": str(local_id),
                                     "displayName": f"CRM record {local_id}"}]}  # fmt: skip
    return {"singleValueExtendedProperties": [{"id": CRM_ID_PROPERTY, "value": str(local_id)}]}


def expand(record_type: RecordType) -> str:
    """The ``$expand`` that reads our stamp back."""
    if record_type is RecordType.TASK:
        return "linkedResources"
    return f"singleValueExtendedProperties($filter=id eq '{CRM_ID_PROPERTY}')"
