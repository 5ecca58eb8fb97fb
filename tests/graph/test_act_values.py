"""Graph's contacts, events and To Do tasks read into CRM values and written back, on generated input:
whatever a server sends, reading an item gives its values or a ValueError (that item's failure), never
another exception; what the CRM holds goes to Graph and comes back the same; times in any zone Graph
names (IANA, Windows, an offset) are the same instant."""

from __future__ import annotations

import datetime as dt
import string
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop_sync.connectors.graph.act_values import (
    CRM_ID_PROPERTY,
    graph_body,
    graph_item,
    mapped,
    read_moment,
    stamp,
)
from desktop_sync.domain.act import plain
from desktop_sync.domain.model import RecordType

TRACKED = "Tracked to CRM"
KINDS = [RecordType.APPOINTMENT, RecordType.CONTACT, RecordType.TASK]
ZONES = ["UTC", "", "Europe/Paris", "W. Europe Standard Time", "Pacific Standard Time", "Tokyo Standard Time",
         "Asia/Kolkata", "tzone://Microsoft/Utc", "Mars/Olympus_Mons", "Customized Time Zone", "\x00"]  # fmt: skip
MANY = settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)
moments = st.fixed_dictionaries(
    {"dateTime": st.one_of(st.text(max_size=30), st.datetimes().map(lambda d: d.isoformat()))},
    optional={"timeZone": st.sampled_from(ZONES) | st.text(max_size=20) | st.none()},
)
names = sorted({
    *(m.graph.split("/")[0] for t in KINDS for m in mapped(t) if m.graph),
    "categories", "singleValueExtendedProperties", "linkedResources", "changeKey", "@odata.etag", "seriesMasterId",
})  # fmt: skip


@st.composite
def resources(draw: st.DrawFn) -> dict[str, Any]:
    found: dict[str, Any] = {"id": draw(st.text(min_size=1, max_size=20))}
    for name in draw(st.lists(st.sampled_from(names), max_size=len(names), unique=True)):
        if name in ("start", "end", "dueDateTime", "startDateTime"):
            found[name] = draw(st.none() | moments | json_values)
        elif name == "singleValueExtendedProperties":
            value = st.one_of(st.integers().map(str), st.text(max_size=10), json_values)
            found[name] = draw(st.lists(st.fixed_dictionaries({"id": st.just(CRM_ID_PROPERTY), "value": value})))
        else:
            found[name] = draw(json_values)
    return found


@MANY
@given(st.sampled_from(KINDS), resources())
def test_any_resource_reads_into_values_or_a_clear_value_error(
    record_type: RecordType, resource: dict[str, Any]
) -> None:
    try:
        item = graph_item(record_type, resource, TRACKED)
    except ValueError as problem:
        assert str(problem)  # says which property and why
        return
    assert item.server_id == resource["id"]
    assert set(item.values) == {m.crm for m in mapped(record_type)}
    assert item.origin_local_id is None or item.origin_local_id >= 0


words = st.text(alphabet=string.ascii_letters + string.digits + " éüß-'.", min_size=1, max_size=40).map(str.strip)
texts = words.filter(bool)
addresses = st.from_regex(r"[a-z][a-z0-9.]{0,10}@[a-z]{1,10}\.test", fullmatch=True)
seconds = st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2090, 1, 1)).map(
    lambda d: d.replace(microsecond=0, tzinfo=dt.UTC)
)
days = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2090, 1, 1)).map(
    lambda d: dt.datetime(d.year, d.month, d.day, tzinfo=dt.UTC)
)


@st.composite
def crm_records(draw: st.DrawFn, record_type: RecordType) -> dict[str, Any]:
    if record_type is RecordType.CONTACT:
        fields = {"first_name": texts, "last_name": texts, "full_name": texts, "company": texts, "job_title": texts,
                  "email": addresses, "phone": texts, "mobile_phone": texts, "street": texts, "city": texts,
                  "postal_code": texts, "country": texts}  # fmt: skip
        values = {k: draw(v) for k, v in fields.items() if draw(st.booleans())}
        if "email2" not in values and "email" in values and draw(st.booleans()):
            values["email2"] = draw(addresses)
        return values
    if record_type is RecordType.TASK:
        return {
            "subject": draw(texts),
            "due_at": draw(days),
            "starts_at": draw(days),
            "status": draw(st.sampled_from(["not_started", "in_progress", "completed", "waiting", "deferred"])),
            "priority": draw(st.sampled_from(["low", "normal", "high"])),
            "body": draw(texts),
        }
    start = draw(seconds)
    return {
        "subject": draw(texts),
        "starts_at": start,
        "ends_at": start + dt.timedelta(minutes=draw(st.integers(0, 60 * 24 * 3))),
        "all_day": False,
        "location": draw(texts),
        "body": draw(texts),
        "attendees": tuple(draw(st.lists(addresses, max_size=4, unique=True))),
        "show_as": draw(st.sampled_from(["free", "tentative", "busy", "out_of_office", "working_elsewhere"])),
        "importance": draw(st.sampled_from(["low", "normal", "high"])),
        "recurrence": draw(
            st.none()
            | st.fixed_dictionaries(
                {
                    "pattern": st.just("daily"),
                    "interval": st.integers(1, 30),
                    "start": st.just(start.date().isoformat()),
                }
            )
            | st.fixed_dictionaries(
                {
                    "pattern": st.just("weekly"),
                    "interval": st.integers(1, 4),
                    "weekdays": st.just(("monday", "thursday")),
                    "start": st.just(start.date().isoformat()),
                    "count": st.integers(1, 50),
                }
            )
        ),
    }


@MANY
@given(st.data())
@pytest.mark.parametrize("record_type", KINDS)
def test_crm_values_go_to_graph_and_come_back_the_same(record_type: RecordType, data: st.DataObject) -> None:
    values = data.draw(crm_records(record_type))
    body = graph_body(record_type, values, context=values)
    body.update(stamp(record_type, 42), id="AAMk1", categories=[TRACKED], changeKey="CK1")
    item = graph_item(record_type, body, TRACKED)
    assert item.tracked and item.origin_local_id == 42 and item.change_key == "CK1"
    expected = {k: v for k, v in values.items() if v is not None}
    if record_type is RecordType.CONTACT and "email" in expected:
        expected["email"] = expected["email"].lower()
    back = {k: item.values[k] for k in expected}
    assert {k: plain(v) for k, v in back.items()} == {k: plain(v) for k, v in expected.items()}


@pytest.mark.parametrize(
    ("value", "instant"),
    [
        ({"dateTime": "2026-12-08T09:00:00.0000000", "timeZone": "UTC"}, "2026-12-08T09:00:00+00:00"),
        (
            {"dateTime": "2026-12-08T10:00:00.0000000", "timeZone": "W. Europe Standard Time"},
            "2026-12-08T09:00:00+00:00",
        ),
        ({"dateTime": "2026-12-08T10:00:00", "timeZone": "Europe/Paris"}, "2026-12-08T09:00:00+00:00"),
        ({"dateTime": "2026-07-08T11:00:00", "timeZone": "Europe/Paris"}, "2026-07-08T09:00:00+00:00"),
        ({"dateTime": "2026-12-08T01:00:00.0000000", "timeZone": "Pacific Standard Time"}, "2026-12-08T09:00:00+00:00"),
        ({"dateTime": "2026-12-08T14:30:00+05:30"}, "2026-12-08T09:00:00+00:00"),
        ({"dateTime": "2026-12-08T09:00:00Z", "timeZone": "Tokyo Standard Time"}, "2026-12-08T09:00:00+00:00"),
    ],
)
def test_a_time_in_any_zone_graph_names_is_the_same_instant(value: dict[str, str], instant: str) -> None:
    assert read_moment(value) == dt.datetime.fromisoformat(instant)


def test_an_unknown_zone_or_a_broken_time_is_a_value_error() -> None:
    for value in ({"dateTime": "2026-12-08T09:00:00", "timeZone": "Mars/Olympus_Mons"}, {"dateTime": "tomorrow"},
                  {"timeZone": "UTC"}, "2026-12-08", {"dateTime": "2026-02-30T09:00:00"}):  # fmt: skip
        with pytest.raises(ValueError):
            read_moment(value)


def test_an_all_day_event_or_a_due_date_is_the_day_whatever_the_zone() -> None:
    event = {"id": "e", "subject": "Holiday", "isAllDay": True,
             "start": {"dateTime": "2026-12-24T00:00:00.0000000", "timeZone": "Tokyo Standard Time"},
             "end": {"dateTime": "2026-12-25T00:00:00.0000000", "timeZone": "Tokyo Standard Time"}}  # fmt: skip
    values = graph_item(RecordType.APPOINTMENT, event, TRACKED).values
    assert (values["starts_at"], values["all_day"]) == (dt.datetime(2026, 12, 24, tzinfo=dt.UTC), True)
    task = {
        "id": "t",
        "title": "Call",
        "dueDateTime": {"dateTime": "2027-01-31T00:00:00.0000000", "timeZone": "Asia/Kolkata"},
    }
    assert graph_item(RecordType.TASK, task, TRACKED).values["due_at"] == dt.datetime(2027, 1, 31, tzinfo=dt.UTC)


def test_one_email_address_changed_keeps_the_other() -> None:
    current = {
        "emailAddresses": [{"address": "a@x.test"}, {"address": "b@x.test"}],
        "businessAddress": {"city": "Paris"},
    }
    body = graph_body(RecordType.CONTACT, {"email2": "c@x.test", "street": "1 rue"}, context={}, current=current)
    assert body == {
        "emailAddresses": [{"address": "a@x.test"}, {"address": "c@x.test"}],
        "businessAddress": {"city": "Paris", "street": "1 rue"},
    }
    cleared = graph_body(RecordType.CONTACT, {"email": None}, context={}, current=current)
    assert cleared == {"emailAddresses": [{"address": "b@x.test"}]}
