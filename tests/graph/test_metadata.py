"""The Graph metadata checker accepts what the metadata allows and catches what it does not.

Instances are generated from Microsoft's file itself (any subset of a type's properties, each value
of its declared type, nested types to a depth), so the checker is tested on shapes nobody picked;
each is then broken in one place (an undeclared property, a value of the wrong JSON kind, null where
the metadata forbids it, an enum name that is not a member) and must be caught there.
"""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from .metadata import GraphSchema

SCHEMA = GraphSchema.load()
# What the product syncs through Graph (see tests/reference/graph/README.md).
SYNCED = ["message", "mailFolder", "contact", "event", "todoTask", "todoTaskList", "outlookCategory",
          "singleValueLegacyExtendedProperty"]  # fmt: skip
MAX_DEPTH = 3


def primitive(type_name: str) -> st.SearchStrategy[Any]:
    moments = st.datetimes(
        min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2200, 1, 1), timezones=st.just(dt.UTC)
    )
    return {
        "Edm.String": st.text(max_size=20),
        "Edm.Untyped": st.one_of(st.text(max_size=5), st.integers(), st.booleans()),
        "Edm.Boolean": st.booleans(),
        "Edm.Byte": st.integers(0, 255),
        "Edm.Int16": st.integers(-(2**15), 2**15 - 1),
        "Edm.Int32": st.integers(-(2**31), 2**31 - 1),
        "Edm.Int64": st.integers(-(2**63), 2**63 - 1),
        "Edm.Double": st.floats(allow_nan=False, allow_infinity=False),
        "Edm.Single": st.floats(width=32, allow_nan=False, allow_infinity=False),
        "Edm.Decimal": st.integers(-(10**9), 10**9),
        "Edm.DateTimeOffset": moments.map(lambda m: m.isoformat().replace("+00:00", "Z")),
        "Edm.Date": st.dates().map(lambda d: d.isoformat()),
        "Edm.TimeOfDay": st.times().map(lambda t: t.isoformat()),
        "Edm.Duration": st.integers(0, 10**6).map(lambda s: f"PT{s}S"),
        "Edm.Guid": st.uuids().map(str),
        "Edm.Binary": st.binary(max_size=16).map(lambda b: base64.b64encode(b).decode()),
    }[type_name]


def value_of(type_name: str, nullable: bool, depth: int) -> st.SearchStrategy[Any]:
    if type_name.startswith("Collection("):
        return st.lists(value_of(type_name[11:-1], False, depth + 1), max_size=2)
    if type_name.startswith("Edm."):
        base = primitive(type_name)
    elif type_name in SCHEMA.enums:
        base = st.sampled_from(sorted(SCHEMA.enums[type_name].members))
    else:
        base = instance(type_name, depth + 1)
    return st.one_of(st.none(), base) if nullable else base


def instance(type_name: str, depth: int = 0) -> st.SearchStrategy[dict[str, Any]]:
    props = {
        name: prop
        for name, prop in SCHEMA.properties(type_name).items()
        if not prop.navigation and prop.type != "Edm.Stream"
    }
    if depth >= MAX_DEPTH:  # deep enough: only what is required to be there (nothing) and primitives
        props = {n: p for n, p in props.items() if p.type.startswith("Edm.")}
    names = sorted(props)
    return (
        st.lists(st.sampled_from(names), unique=True, max_size=8).flatmap(
            lambda chosen: st.fixed_dictionaries({n: value_of(props[n].type, props[n].nullable, depth) for n in chosen})
        )
        if names
        else st.just({})
    )


@st.composite
def typed_instance(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    type_name = draw(st.sampled_from(SYNCED))
    return type_name, draw(instance(type_name))


@settings(max_examples=1000, deadline=None)
@given(typed_instance())
def test_what_the_metadata_allows_passes(case: tuple[str, dict[str, Any]]) -> None:
    type_name, value = case
    assert SCHEMA.check(type_name, value) == []


WRONG_KIND = {"Edm.String": 5, "Edm.Boolean": "yes", "Edm.Int32": "7", "Edm.DateTimeOffset": "2026-12-08",
              "Edm.Double": True, "Edm.Guid": "not-a-guid", "Edm.Binary": "***"}  # fmt: skip


@settings(max_examples=1000, deadline=None)
@given(typed_instance(), st.data())
def test_one_broken_place_is_caught_there(case: tuple[str, dict[str, Any]], data: st.DataObject) -> None:
    type_name, value = case
    props = SCHEMA.properties(type_name)
    breakable = [n for n, p in props.items() if not p.navigation and (p.type in WRONG_KIND or not p.nullable)]
    how = data.draw(st.sampled_from(["undeclared", "wrong kind", "null"]))
    if how == "undeclared" or not breakable:
        name = data.draw(st.text(min_size=1, max_size=10).filter(lambda n: n not in props and "@" not in n))
        value[name] = "x"
    else:
        name = data.draw(st.sampled_from(breakable))
        prop = props[name]
        if how == "null" and not prop.nullable:
            value[name] = None
        elif prop.type in WRONG_KIND:
            value[name] = WRONG_KIND[prop.type]
        else:
            value[name] = {"not": "this"} if prop.type.startswith("Collection(") else ["not", "this"]
    problems = SCHEMA.check(type_name, value)
    assert any(p.startswith(f"$.{name}") for p in problems), (name, value[name], problems)


def test_a_derived_type_named_by_odata_type_is_checked_as_itself() -> None:
    event_message = {"@odata.type": "#microsoft.graph.eventMessage", "id": "1", "meetingMessageType": "meetingRequest"}
    assert SCHEMA.check("message", event_message) == []
    assert SCHEMA.check("message", {**event_message, "meetingMessageType": "party"}) != []
    assert SCHEMA.check("contact", {"@odata.type": "#microsoft.graph.message", "id": "1"}) != []


@pytest.mark.parametrize(
    ("page", "ok"),
    [
        ({"value": [], "@odata.deltaLink": "https://graph/x"}, True),
        ({"value": [{"id": "1", "@removed": {"reason": "deleted"}}], "@odata.nextLink": "https://graph/y"}, True),
        ({"value": [{"id": "1", "@removed": {"reason": "gone"}}]}, False),
        ({"value": [], "@odata.deltaLink": "a", "@odata.nextLink": "b"}, False),
        ({"value": [], "nextLink": "b"}, False),
        ({"items": []}, False),
    ],
)
def test_collection_pages(page: dict[str, Any], ok: bool) -> None:
    assert (SCHEMA.check_collection("message", page) == []) is ok


@settings(max_examples=2000, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=8),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
        max_leaves=12,
    ),
    st.sampled_from(SYNCED),
)
def test_any_json_gets_an_answer_never_an_exception(value: Any, type_name: str) -> None:
    assert isinstance(SCHEMA.check(type_name, value), list)
    assert isinstance(SCHEMA.check_collection(type_name, value), list)
