"""Reading Graph's answers: any JSON a server may send becomes a page, a batch answer, a wait or one of our
errors, never a crash (generated input in the thousands)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_sync.connectors.graph.answers import (
    MAX_RETRY_AFTER,
    DeltaGone,
    failure,
    permission_for,
    read_batch,
    read_page,
    retry_after,
)
from desktop_sync.domain.errors import DesktopSyncError, ErrorScope, PermanentError, TransientError
from desktop_sync.domain.signin import SignInNeeded

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=20,
)
IDS = st.text(min_size=1, max_size=30)
LINK = st.builds(lambda s: f"https://graph.test/v1.0/users/a/messages/delta?$skiptoken={s}", st.text(max_size=10))


def some_page() -> st.SearchStrategy[dict[str, Any]]:
    item = st.fixed_dictionaries(
        {"id": IDS}, optional={"subject": st.text(), "@removed": st.just({"reason": "deleted"})}
    )
    return st.fixed_dictionaries(
        {"value": st.lists(item, max_size=10)},
        optional={"@odata.nextLink": LINK, "@odata.deltaLink": LINK, "@odata.context": st.text()},
    )


@settings(max_examples=2000, deadline=None)
@given(JSON)
def test_any_json_is_a_page_or_a_protocol_error(payload: Any) -> None:
    try:
        page = read_page(payload, "test")
    except DesktopSyncError as problem:
        assert problem.code == "protocol_error"
    else:
        assert all(isinstance(item["id"], str) for item in page.items)


@settings(max_examples=1000, deadline=None)
@given(some_page())
def test_well_formed_pages_are_read_whole(payload: dict[str, Any]) -> None:
    page = read_page(payload, "test")
    assert [i["id"] for i in page.items] == [v["id"] for v in payload["value"]]
    assert (page.next_link, page.delta_link) == (payload.get("@odata.nextLink"), payload.get("@odata.deltaLink"))


@settings(max_examples=2000, deadline=None)
@given(JSON, st.lists(IDS, max_size=5, unique=True))
def test_any_json_is_a_batch_answer_or_a_protocol_error(payload: Any, asked: list[str]) -> None:
    try:
        answers = read_batch(payload, asked)
    except DesktopSyncError as problem:
        assert problem.code == "protocol_error"
    else:
        assert set(answers) == set(asked)


@settings(max_examples=500, deadline=None)
@given(st.lists(IDS, min_size=1, max_size=20, unique=True), st.data())
def test_every_batch_request_is_answered_once(asked: list[str], data: st.DataObject) -> None:
    statuses = data.draw(st.lists(st.sampled_from([200, 204, 404, 429, 503]), min_size=len(asked), max_size=len(asked)))
    order = data.draw(st.permutations(list(zip(asked, statuses, strict=True))))
    payload = {"responses": [{"id": i, "status": s, "headers": {"Retry-After": "1"}, "body": None} for i, s in order]}
    answers = read_batch(payload, asked)
    assert {i: a.status for i, a in answers.items()} == dict(zip(asked, statuses, strict=True))
    duplicated = {"responses": payload["responses"] + payload["responses"][:1]}
    try:
        read_batch(duplicated, asked)
        raise AssertionError("a response given twice was taken")
    except DesktopSyncError as problem:
        assert problem.code == "protocol_error"


@settings(max_examples=2000, deadline=None)
@given(st.text(max_size=40))
def test_any_retry_after_is_a_bounded_wait_or_none(value: str) -> None:
    wait = retry_after({"Retry-After": value}, now=dt.datetime(2026, 12, 8, tzinfo=dt.UTC))
    assert wait is None or 0 <= wait <= MAX_RETRY_AFTER


def test_retry_after_in_seconds_and_as_a_date() -> None:
    now = dt.datetime(2026, 12, 8, 4, 0, tzinfo=dt.UTC)
    assert retry_after({"retry-after": "7"}, now) == 7
    assert retry_after({"Retry-After": "Tue, 08 Dec 2026 04:00:30 GMT"}, now) == 30
    assert retry_after({"Retry-After": "-5"}, now) == 0 and retry_after({}, now) is None


@settings(max_examples=2000, deadline=None)
@given(st.integers(min_value=300, max_value=599), JSON, st.text(max_size=30))
def test_any_error_answer_is_one_of_ours(status: int, payload: Any, path: str) -> None:
    found = failure(status, payload, mailbox="a@b.test", path=path, server="graph.test", auth_scope=ErrorScope.MAILBOX)
    assert isinstance(found, TransientError | PermanentError) and found.code


def test_the_errors_of_our_taxonomy() -> None:
    def of(status: int, code: str = "", path: str = "messages/x", headers: dict[str, str] | None = None):
        body = {"error": {"code": code, "message": "said"}}
        return failure(status, body, mailbox="a@b.test", path=path, server="graph.test",
                       auth_scope=ErrorScope.PROFILE, headers=headers)  # fmt: skip

    assert isinstance(of(401), SignInNeeded) and of(401).scope is ErrorScope.PROFILE
    denied = of(403, "ErrorAccessDenied", "todo/lists/x/tasks/delta")
    assert denied.code == "graph_permission_denied" and "Tasks.ReadWrite.All" in denied.message
    assert of(404, "ErrorInvalidUser").code == "mailbox_not_found"
    assert of(404, "MailboxNotEnabledForRESTAPI").code == "mailbox_not_found"
    assert of(404, "ErrorItemNotFound").code == "item_not_found" and of(404).scope is ErrorScope.ITEM
    assert isinstance(of(410), DeltaGone) and isinstance(of(400, "SyncStateNotFound"), DeltaGone)
    busy = of(429, "TooManyRequests", headers={"Retry-After": "12"})
    assert isinstance(busy, TransientError) and (busy.code, busy.retry_after) == ("server_busy", 12)
    assert of(500).code == "protocol_error"


def test_the_permission_of_each_kind_of_request() -> None:
    paths = (
        "sendMail",
        "mailFolders/inbox/messages/delta",
        "contactFolders/x/contacts",
        "calendarView/delta",
        "todo/l",
    )
    wanted = ["Mail.Send", "Mail.ReadWrite", "Contacts.ReadWrite", "Calendars.ReadWrite", "Tasks.ReadWrite.All"]
    assert [permission_for(p) for p in paths] == wanted
