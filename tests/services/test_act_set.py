"""`set ID FIELD=VALUE...` reads what an admin types: generated assignments either become typed
values of mapped fields or a ValidationError naming the field — never another exception; and
deleting a record writes its tombstone."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_sync.domain.act import MAPPING
from desktop_sync.domain.errors import NotFoundError, ValidationError
from desktop_sync.domain.model import RecordType
from desktop_sync.services.act import ActService, parse_assignments, settable_fields
from desktop_sync.services.directory import DirectoryService
from desktop_sync.store import SqlStore, open_store

TYPES = list(MAPPING)
SAMPLES = [
    "",
    " ",
    "true",
    "no",
    "2026-12-01",
    "2026-12-01T09:30:00+02:00",
    "50",
    "101",
    "-1",
    "carol@contoso.test",
    "a@b",
    "high",
    "busy",
    '{"pattern": "weekly", "interval": 1}',
    "{}",
    "[1]",
    "x" * 600,
]
NAMES = sorted({m.crm for maps in MAPPING.values() for m in maps} | {"owner", "id", "colour", "", " subject"})


@st.composite
def assignments(draw: st.DrawFn) -> tuple[RecordType, list[str]]:
    record_type = draw(st.sampled_from(TYPES))
    texts = st.one_of(st.text(max_size=80), st.sampled_from(SAMPLES))
    items = draw(
        st.lists(
            st.one_of(
                st.builds(lambda n, v: f"{n}={v}", st.sampled_from(NAMES), texts),
                st.text(max_size=30),  # not FIELD=VALUE at all, often
            ),
            min_size=1,
            max_size=4,
        )
    )
    return record_type, items


@settings(max_examples=3000, deadline=None)
@given(assignments())
def test_generated_assignments_become_values_or_name_the_bad_field(case: tuple[RecordType, list[str]]) -> None:
    record_type, items = case
    try:
        values = parse_assignments(record_type, items)
    except ValidationError as exc:
        [(field, message)] = exc.errors.items()
        assert field == "FIELD=VALUE" or any(i.partition("=")[0].strip() == field for i in items)
        assert message and "\n" not in message
        return
    assert set(values) <= set(settable_fields(record_type))
    for name, value in values.items():
        if name in ("starts_at", "ends_at", "due_at") and value is not None:
            assert isinstance(value, dt.datetime) and value.tzinfo is not None
        if name == "percent_complete" and value is not None:
            assert 0 <= value <= 100
        if name == "attendees":
            assert isinstance(value, tuple)


@pytest_asyncio.fixture
async def service(tmp_path: Path) -> AsyncIterator[tuple[ActService, SqlStore]]:
    store = open_store(f"sqlite:///{tmp_path / 'set.sqlite3'}")
    await DirectoryService(store).add_user("alice@example.test", "Alice")
    try:
        yield ActService(store), store
    finally:
        await store.close()


@pytest.mark.asyncio
async def test_set_writes_all_or_nothing_and_delete_writes_a_tombstone(service: tuple[ActService, SqlStore]) -> None:
    act, store = service
    view = await act.add(RecordType.TASK, "alice@example.test", {"subject": "Call Carol"})
    with pytest.raises(ValidationError) as bad:
        await act.set(RecordType.TASK, view.id, ["status=completed", "percent_complete=120"])
    assert list(bad.value.errors) == ["percent_complete"]
    with pytest.raises(ValidationError):
        await act.set(RecordType.TASK, view.id, ["subject="])  # a task needs a subject
    [(_, unchanged)] = await _tasks(store)
    assert (unchanged["status"], unchanged["subject"]) == ("not_started", "Call Carol")
    changed = await act.set(RecordType.TASK, view.id, ["status=completed", "percent_complete=100", "due_at=2027-01-05"])
    assert (changed.values["status"], changed.values["percent_complete"]) == ("completed", 100)
    assert changed.values["due_at"] == dt.datetime(2027, 1, 5, tzinfo=dt.UTC)
    with pytest.raises(NotFoundError):
        await act.set(RecordType.TASK, 999, ["status=completed"])

    assert await act.delete(RecordType.TASK, view.id) == "Call Carol"
    async with store.transaction() as tx:
        assert await tx.crm.deleted_ids(RecordType.TASK, [view.id, 999]) == {view.id}
        assert await tx.crm.deleted_ids(RecordType.CONTACT, [view.id]) == set()
    with pytest.raises(NotFoundError):
        await act.delete(RecordType.TASK, view.id)


async def _tasks(store: SqlStore) -> list[tuple[int, dict[str, Any]]]:
    async with store.transaction() as tx:
        return list(await tx.crm.list(RecordType.TASK))
