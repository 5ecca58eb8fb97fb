"""Exchange appointments, contacts and tasks over EWS, through exchangelib in worker threads.

``changes`` reads the Calendar, Contacts or Tasks folder with ``SyncFolderItems`` (ids and change
keys only, at most ``limit`` changes a page, the folder's SyncState as the cursor), then the
mapped fields of the created and changed items with ``GetItem`` in batches; a deletion comes back
as an ``ExchangeItem`` with ``deleted``. An invalid SyncState reads the folder again from the
start: the planner knows the linked items by id and change key, so nothing is duplicated.

Items we create carry the tracking category and the CRM id in an extended property of our own, so
a link lost in a crash is found again. ``update`` sends the change key with ``NeverOverwrite``:
an item changed meanwhile is a transient ``change_key_stale`` and the next cycle plans again.
Values cross this module with the CRM field names of ``domain/act.py``'s MAPPING, as plain
Python values (aware UTC datetimes, tuples of addresses, a recurrence as a dict); no exchangelib
type leaves it.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from exchangelib import CalendarItem, Contact, ExtendedProperty, Task
from exchangelib import errors as ews
from exchangelib.ewsdatetime import UTC as EWS_UTC
from exchangelib.ewsdatetime import EWSDate, EWSDateTime
from exchangelib.fields import FieldPath, IndexedField
from exchangelib.indexed_properties import EmailAddress, PhoneNumber, PhysicalAddress
from exchangelib.items import ID_ONLY
from exchangelib.properties import Attendee, DistinguishedFolderId, ItemId
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
from exchangelib.services import CreateItem, DeleteItem, GetItem, UpdateItem

from desktop_sync.connectors.exchange import TRACKED_CATEGORY, _Change, _item_id, _Link, _SyncItems, run_test
from desktop_sync.connectors.exchange_errors import translate_ews
from desktop_sync.connectors.exchange_session import EwsSessions, EwsTarget, utc
from desktop_sync.domain.act import MAPPING, ExchangeItem, FieldMap, Flow
from desktop_sync.domain.errors import DesktopSyncError, ErrorScope, PermanentError, TransientError
from desktop_sync.domain.isolation import ITEM_FAILED, Step, failure_reason
from desktop_sync.domain.model import RecordType
from desktop_sync.domain.ports.connectors import ActChanges, ConnectionTest, ItemFailure

log = logging.getLogger("desktop_sync.connectors.exchange")

PAGE_SIZE = 512  # changes per SyncFolderItems page: the most Exchange allows
GET_BATCH = 100  # items per GetItem
CURSOR_PREFIX = "act1:"  # a cursor is "act1:" + the folder's SyncState
STALE = "change_key_stale"

T = TypeVar("T")
FOLDERS = {RecordType.APPOINTMENT: "calendar", RecordType.CONTACT: "contacts", RecordType.TASK: "tasks"}
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
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")  # ISO 1..7

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
        days = tuple(_WEEKDAYS[int(d) - 1] for d in (pattern.weekdays or ()))
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
    def number(name: str, default: int | None = None) -> int:
        raw = value.get(name, default)
        if raw is None:
            raise ValueError(f"recurrence: {name} is missing")
        return int(raw)

    kind = str(value.get("pattern") or "")
    if kind == "daily":
        pattern: Any = DailyPattern(interval=number("interval", 1))
    elif kind == "weekly":
        days = [_WEEKDAYS.index(str(d).lower()) + 1 for d in value.get("weekdays") or ()]
        if not days and starts_at is not None:
            days = [starts_at.isoweekday()]
        pattern = WeeklyPattern(interval=number("interval", 1), weekdays=days)
    elif kind == "monthly":
        pattern = AbsoluteMonthlyPattern(interval=number("interval", 1), day_of_month=number("day_of_month"))
    elif kind == "yearly":
        pattern = AbsoluteYearlyPattern(day_of_month=number("day_of_month"), month=number("month"))
    else:
        raise ValueError(f"recurrence: unknown pattern {kind!r} (daily, weekly, monthly or yearly)")
    start_text = value.get("start")
    if start_text:
        start = dt.date.fromisoformat(str(start_text))
    elif starts_at is not None:
        start = starts_at.date()
    else:
        raise ValueError("recurrence: start is missing")
    if value.get("count"):
        boundary: Any = NumberedPattern(start=start, number=number("count"))
    elif value.get("until"):
        boundary = EndDatePattern(start=start, end=dt.date.fromisoformat(str(value["until"])))
    else:
        boundary = NoEndPattern(start=start)
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
    if crm == "show_as":
        if str(value) not in _SHOW_AS:
            raise ValueError(f"show_as: {value!r} is not one of {', '.join(_SHOW_AS)}")
        return _SHOW_AS[str(value)]
    if crm in ("importance", "priority"):
        if str(value).lower() not in _IMPORTANCE:
            raise ValueError(f"{crm}: {value!r} is not low, normal or high")
        return _IMPORTANCE[str(value).lower()]
    if crm == "status":
        if str(value) not in _STATUS:
            raise ValueError(f"status: {value!r} is not one of {', '.join(_STATUS)}")
        return _STATUS[str(value)]
    if crm == "percent_complete":
        return Decimal(max(0, min(100, int(value))))
    if crm == "recurrence":
        if not isinstance(value, Mapping):
            raise ValueError("recurrence: not a pattern")
        if value.get("pattern") == "other":
            return None
        return _recurrence_to_exchange(value, _utc_datetime(values.get("starts_at"), "starts_at"))
    return str(value)


Given = dict[str, dict[str, dict[str, Any]]]  # indexed container -> label -> subfield -> value (None: clear)


def _fill(
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


# --- requests


@dataclass(frozen=True, slots=True)
class _Page:
    changes: tuple[_Change, ...]
    sync_state: str
    last: bool


def _folder(account: Any, record_type: RecordType) -> Any:
    return DistinguishedFolderId(
        id=FOLDERS[record_type], mailbox=EwsMailbox(email_address=account.primary_smtp_address)
    )


def _sync_page(account: Any, record_type: RecordType, state: str | None, size: int) -> _Page | None:
    """One SyncFolderItems page of ids and change keys; None when the server no longer knows ``state``."""
    service = _SyncItems(account=account)
    try:
        changes = tuple(
            service.call(
                folder=_folder(account, record_type),
                shape=ID_ONLY,
                additional_fields=None,
                sync_state=state,
                ignore=None,
                max_changes_returned=size,
                sync_scope=None,
            )
        )
    except ews.ErrorInvalidSyncStateData:
        return None
    return _Page(changes, str(service.sync_state or ""), bool(service.includes_last_item_in_range))


def _field_paths(record_type: RecordType) -> set[Any]:
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


@dataclass(frozen=True, slots=True)
class _Unreadable:
    """An item of a GetItem answer that exchangelib could not read (a field's value it cannot convert)."""

    item_id: str
    problem: Exception


class _GetItems(GetItem):  # type: ignore[misc]
    """GetItem where one item exchangelib cannot read is that item's problem, not the whole answer's:
    an Integer extended property holding text raises ValueError in exchangelib, for example."""

    def _elem_to_obj(self, elem: Any) -> Any:
        try:
            return super()._elem_to_obj(elem)
        except Exception as exc:
            return _Unreadable(_item_id(elem)[0], exc)


def _get_items(account: Any, record_type: RecordType, ids: Sequence[str]) -> list[Any]:
    fields = _field_paths(record_type)
    service = _GetItems(account=account, chunk_size=GET_BATCH)
    return list(service.call(items=[ItemId(id=i) for i in ids], additional_fields=fields, shape=ID_ONLY))


def _exchange_item(record_type: RecordType, item: Any) -> ExchangeItem:
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


class _CreateItems(CreateItem):  # type: ignore[misc]
    """CreateItem into a distinguished folder without reading the folder first (exchangelib would)."""

    def call(self, items: Sequence[Any], folder: Any, message_disposition: str, send_meeting_invitations: str) -> Any:
        return self._elems_to_objs(
            self._chunked_get_elements(
                self.get_payload,
                items=items,
                folder=folder,
                message_disposition=message_disposition,
                send_meeting_invitations=send_meeting_invitations,
            )
        )


class _UpdateItems(UpdateItem):  # type: ignore[misc]
    """UpdateItem that sets or deletes only the indexed entries given (exchangelib deletes all the others)."""

    def __init__(self, *args: Any, given: Given, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._given = given

    def _delete_field_elems(self, field: Any) -> Any:
        if isinstance(field, IndexedField) and field.name in self._given:
            yield from self._set_field_elems(None, field, ())  # every given entry cleared: delete those only
            return
        yield from super()._delete_field_elems(field)

    def _set_field_elems(self, target_model: Any, field: Any, value: Any) -> Any:
        if not isinstance(field, IndexedField):
            yield from super()._set_field_elems(target_model, field, value)
            return
        for label, parts in self._given.get(field.name, {}).items():
            for name, part in parts.items():
                subfield = field.value_cls.get_field_by_fieldname(name)
                path = FieldPath(field=field, label=label, subfield=subfield)
                if part is None:
                    yield self._delete_field_elem(field_path=path)
                else:
                    entry = field.value_cls(**{"label": label, name: part})
                    yield self._set_field_elem(target_model=target_model, field_path=path, value=entry)


def _raise_first(results: Iterable[Any]) -> list[Any]:
    found = list(results)
    for result in found:
        if isinstance(result, BaseException):
            raise result
    return found


def _convert(record_type: RecordType, reference: str, fill: Callable[[], T]) -> T:
    """Our conversion of one record's values: a ValueError is a value Exchange cannot take (tried
    again next cycle); any other error is this record's failure for good, never the server's."""
    try:
        return fill()
    except ValueError:
        raise
    except Exception as exc:
        reason = failure_reason(Step.CONVERT, exc, reference)
        raise PermanentError(reason, code=ITEM_FAILED, scope=ErrorScope.ITEM) from exc


def _create(
    account: Any, record_type: RecordType, values: Mapping[str, Any], local_id: int, send_invitations: bool
) -> tuple[str, str | None]:
    model = MODELS[record_type]
    item = model(account=account)
    content = {k: v for k, v in values.items() if v is not None and v != "" and v != ()}
    _convert(record_type, f"{record_type.value}:{local_id}", lambda: _fill(record_type, item, content, context=values))
    if record_type is RecordType.CONTACT and not item.display_name:
        names = [values.get("first_name"), values.get("last_name")]
        item.display_name = " ".join(str(n) for n in names if n) or str(values.get("email") or "(no name)")
    if record_type is RecordType.APPOINTMENT and item.end is None and item.start is not None:
        item.end = item.start
    item.categories = [TRACKED_CATEGORY]
    setattr(item, CRM_ID_FIELD, local_id)
    invitations = "SendToAllAndSaveCopy" if send_invitations else "SendToNone"
    (result,) = _raise_first(
        _CreateItems(account=account).call(
            items=[item],
            folder=_folder(account, record_type),
            message_disposition="SaveOnly",
            send_meeting_invitations=invitations,
        )
    )
    return str(result.id), result.changekey


def _update(
    account: Any, record_type: RecordType, server_id: str, change_key: str | None, values: Mapping[str, Any]
) -> str | None:
    model = MODELS[record_type]
    item = model(account=account, id=server_id, changekey=change_key)
    names, given = _convert(record_type, server_id, lambda: _fill(record_type, item, values, context=values))
    if not names:
        return change_key
    if record_type is RecordType.APPOINTMENT and ("start" in names or "end" in names):
        # exchangelib sends a moved start or end with its time zone; both need a value to send.
        for name in ("start", "end"):
            if getattr(item, name) is None:
                names = [n for n in names if n != name]
    (result,) = _raise_first(
        _UpdateItems(account=account, given=given).call(
            items=[(item, names)],
            conflict_resolution="NeverOverwrite",
            message_disposition="SaveOnly",
            send_meeting_invitations_or_cancellations="SendToNone",
            suppress_read_receipts=True,
        )
    )
    _, new_key = result
    return str(new_key) if new_key else None


def _delete(account: Any, record_type: RecordType, server_id: str) -> None:
    # A meeting we organize is cancelled for its attendees (the planner only deletes those in the future);
    # the item goes to Deleted Items, where the user can still find it.
    cancellations = "SendToAllAndSaveCopy" if record_type is RecordType.APPOINTMENT else "SendToNone"
    results = DeleteItem(account=account).call(
        items=[ItemId(id=server_id)],
        delete_type="MoveToDeletedItems",
        send_meeting_cancellations=cancellations,
        affected_task_occurrences="AllOccurrences",  # a recurring task goes as a whole, like a series
        suppress_read_receipts=True,
    )
    for result in results:
        if isinstance(result, ews.ErrorItemNotFound):
            continue  # gone already: what we wanted
        if isinstance(result, BaseException):
            raise result


def _encode(state: str) -> str:
    return CURSOR_PREFIX + state


def _decode(value: str | None) -> str | None:
    if not value or not value.startswith(CURSOR_PREFIX):
        return None
    return value[len(CURSOR_PREFIX) :] or None


def _stale(server_id: str, why: str) -> TransientError:
    return TransientError(f"{server_id}: {why}", code=STALE, scope=ErrorScope.ITEM)


def _invalid(record_type: RecordType, problem: ValueError) -> TransientError:
    return TransientError(
        f"a {record_type.value} Exchange cannot take: {problem}", code="invalid_value", scope=ErrorScope.ITEM
    )


class ExchangeAct:
    """Appointments, contacts and tasks of one Exchange mailbox (the ``ActSync`` of domain/connectors.py)."""

    def __init__(self, sessions: EwsSessions, target: EwsTarget, *, page_size: int = PAGE_SIZE) -> None:
        if not 1 <= page_size <= PAGE_SIZE:
            raise ValueError("page_size must be within 1-512")
        self._link = _Link(sessions, target)
        self._page_size = page_size

    async def changes(self, record_type: RecordType, cursor: str | None, limit: int) -> ActChanges:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        size = min(self._page_size, limit)
        state = _decode(cursor)

        def sync(account: Any, state: str | None = state) -> _Page | None:
            return _sync_page(account, record_type, state, size)

        page = await self._link.call(sync)
        full = state is None
        if page is None:
            if state is None:
                raise TransientError(
                    f"{FOLDERS[record_type]}: the server refused a sync from the start", code="protocol_error"
                )
            log.warning(
                "%s %s: the SyncState is no longer valid; reading the folder again",
                self._link.target.address,
                FOLDERS[record_type],
            )
            page = await self._link.call(lambda a: _sync_page(a, record_type, None, size))
            full = True
            if page is None:
                raise TransientError(
                    f"{FOLDERS[record_type]}: the server refused a sync from the start", code="protocol_error"
                )
        items: list[ExchangeItem] = []
        failures: list[ItemFailure] = []
        wanted: list[str] = []
        for change in page.changes:
            if not change.item_id:
                continue
            if change.kind == "delete":
                items.append(ExchangeItem(change.item_id, None, {}, False, deleted=True))
            elif change.kind in ("create", "update"):
                wanted.append(change.item_id)
        wanted = list(dict.fromkeys(wanted))
        if wanted:
            fetched = await self._link.call(lambda a: _get_items(a, record_type, wanted))
            model = MODELS[record_type]
            folder = FOLDERS[record_type]
            for item_id, result in zip(wanted, fetched, strict=True):
                if isinstance(result, ews.ErrorItemNotFound):
                    items.append(ExchangeItem(item_id, None, {}, False, deleted=True))  # gone since
                elif isinstance(result, _Unreadable):
                    reason = failure_reason(Step.READ, result.problem, item_id)
                    failures.append(ItemFailure(item_id, folder, ITEM_FAILED, reason, transient=False))
                elif isinstance(result, BaseException):
                    if not _about_this_item(result):
                        raise _translate(self._link.target, result)
                    # the server's answer about this one item (ErrorCorruptData...): its failure alone
                    reason = failure_reason(Step.READ, result, item_id)
                    failures.append(ItemFailure(item_id, folder, ITEM_FAILED, reason, transient=False))
                elif type(result) is model:  # a distribution list among contacts, a note among tasks: not ours
                    try:
                        items.append(_exchange_item(record_type, result))
                    except Exception as exc:  # one item's values we cannot convert: that item's failure alone
                        reason = failure_reason(Step.CONVERT, exc, item_id)
                        failures.append(ItemFailure(item_id, folder, ITEM_FAILED, reason, transient=False))
        return ActChanges(
            tuple(items), _encode(page.sync_state), more=not page.last, failures=tuple(failures), full=full
        )

    async def create(
        self, record_type: RecordType, values: Mapping[str, Any], *, local_id: int, send_invitations: bool = False
    ) -> tuple[str, str | None]:
        def create(account: Any) -> tuple[str, str | None]:
            try:
                return _create(account, record_type, values, local_id, send_invitations)
            except ValueError as problem:
                raise _invalid(record_type, problem) from problem

        return await self._link.call(create)

    async def update(
        self, record_type: RecordType, server_id: str, change_key: str | None, values: Mapping[str, Any]
    ) -> str | None:
        return await self._link.call(lambda a: _update_checked(a, record_type, server_id, change_key, values))

    async def delete(self, record_type: RecordType, server_id: str, change_key: str | None) -> None:
        await self._link.call(lambda a: _delete(a, record_type, server_id))

    async def test(self) -> ConnectionTest:
        return await run_test(self._link.sessions, self._link.target, access="calendar", list_folders=False)

    async def close(self) -> None:
        """The connection went back to its pool after each request; a mailbox's own pool closes it now."""
        await self._link.release()


def _update_checked(
    account: Any, record_type: RecordType, server_id: str, change_key: str | None, values: Mapping[str, Any]
) -> str | None:
    try:
        return _update(account, record_type, server_id, change_key, values)
    except (ews.ErrorIrresolvableConflict, ews.ErrorInvalidChangeKey, ews.ErrorChangeKeyRequiredForWriteOperations):
        raise _stale(server_id, "the item changed in Exchange meanwhile; it is planned again next cycle") from None
    except ews.ErrorItemNotFound:
        raise _stale(server_id, "the item was deleted in Exchange meanwhile") from None
    except ValueError as problem:
        raise _invalid(record_type, problem) from problem


# Per-item answers that speak of the server, the account or the mailbox rather than of the item.
_NOT_THE_ITEMS = (
    ews.ErrorServerBusy,
    ews.ErrorInternalServerTransientError,
    ews.ErrorTooManyObjectsOpened,
    ews.ErrorExceededConnectionCount,
    ews.ErrorMailboxMoveInProgress,
    ews.ErrorMailboxStoreUnavailable,
    ews.ErrorConnectionFailed,
    ews.ErrorTimeoutExpired,
    ews.ErrorAccessDenied,
    ews.ErrorImpersonateUserDenied,
    ews.ErrorNonExistentMailbox,
    ews.UnauthorizedError,
)


def _about_this_item(exc: BaseException) -> bool:
    """Whether a GetItem answer's error for one item is that item's own (ErrorCorruptData, a value the
    server cannot convert...): it goes to the ledger and the page goes on. The server's or the
    mailbox's state (busy, access, sign-in) still fails the page, to be tried again."""
    return isinstance(exc, ews.ResponseMessageError) and not isinstance(exc, _NOT_THE_ITEMS)


def _translate(target: EwsTarget, exc: BaseException) -> DesktopSyncError:
    return translate_ews(exc, auth_scope=target.auth_scope, server=target.server)
