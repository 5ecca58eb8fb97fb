"""The ACT planner: every combination of created / changed / deleted / unchanged on each side,
records entering and leaving the filter, the appointment rules, and conflicts."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from desktop_sync.domain.act import (
    FROM_EXCHANGE,
    Adopt,
    Conflict,
    ConflictPolicy,
    CopyInCrm,
    CreateInCrm,
    CreateInExchange,
    CrmRecord,
    DeleteInExchange,
    ExchangeItem,
    Link,
    PlanSettings,
    Skip,
    Unlink,
    UpdateInCrm,
    UpdateInExchange,
    content_hash,
    crm_values,
    exchange_values,
    plan,
)
from desktop_sync.domain.model import RecordType

NOW = dt.datetime(2026, 11, 25, 12, tzinfo=dt.UTC)
ME = "alice@example.test"
C = RecordType.CONTACT
A = RecordType.APPOINTMENT
T = RecordType.TASK
SETTINGS = PlanSettings(user=ME, now=NOW)

BASE = {"first_name": "Carol", "last_name": "Customer", "company": "Contoso", "email": "carol@contoso.test"}


def link(base: dict[str, object] = BASE) -> Link:
    return Link(1, "X1", "ck1", base)


def record(**changes: object) -> CrmRecord:
    in_filter = bool(changes.pop("in_filter", True))
    deleted = bool(changes.pop("deleted", False))
    return CrmRecord(1, {**BASE, **changes}, in_filter, deleted)


def item(change_key: str = "ck1", tracked: bool = True, deleted: bool = False, **changes: object) -> ExchangeItem:
    return ExchangeItem("X1", change_key, {**BASE, **changes}, tracked, deleted)


# --- the matrix: CRM side x Exchange side, for a linked contact -----------------------------------

CRM_STATES = ["unchanged", "changed", "deleted", "left_filter"]
EXCHANGE_STATES = ["unchanged", "changed", "deleted", "absent"]  # absent: no change reported


def crm_side(state: str) -> list[CrmRecord]:
    return {
        "unchanged": [record()],
        "changed": [record(company="Fabrikam")],
        "deleted": [record(deleted=True)],
        "left_filter": [record(in_filter=False)],
    }[state]


def exchange_side(state: str) -> list[ExchangeItem]:
    return {
        "unchanged": [item()],
        "changed": [item(change_key="ck2", last_name="Smith")],
        "deleted": [item(deleted=True)],
        "absent": [],
    }[state]


EXPECTED = {
    ("unchanged", "unchanged"): [],
    ("unchanged", "absent"): [],
    ("unchanged", "changed"): [UpdateInCrm(1, "X1", "ck2", {"last_name": "Smith"})],
    ("unchanged", "deleted"): [  # the filter still selects the record: it is sent again, as a new one
        Unlink(1, "X1", "deleted in Exchange; the CRM record is kept"),
        CreateInExchange(1, BASE),
    ],
    ("changed", "unchanged"): [UpdateInExchange(1, "X1", "ck1", {"company": "Fabrikam"})],
    ("changed", "absent"): [UpdateInExchange(1, "X1", "ck1", {"company": "Fabrikam"})],
    ("changed", "changed"): [  # different fields: both flow, no conflict
        UpdateInExchange(1, "X1", "ck2", {"company": "Fabrikam"}),
        UpdateInCrm(1, "X1", "ck2", {"last_name": "Smith"}),
    ],
    ("changed", "deleted"): [
        Unlink(1, "X1", "deleted in Exchange; the CRM record is kept"),
        CreateInExchange(1, {**BASE, "company": "Fabrikam"}),
    ],
    ("deleted", "unchanged"): [DeleteInExchange(1, "X1", "ck1")],
    ("deleted", "absent"): [DeleteInExchange(1, "X1", "ck1")],
    ("deleted", "changed"): [DeleteInExchange(1, "X1", "ck2")],  # the CRM delete wins, with the newest key
    ("deleted", "deleted"): [Unlink(1, "X1", "deleted in Exchange; the CRM record is kept")],
    ("left_filter", "unchanged"): [Unlink(1, "X1", "left the sync filter; kept in Exchange")],
    ("left_filter", "absent"): [Unlink(1, "X1", "left the sync filter; kept in Exchange")],
    ("left_filter", "changed"): [Unlink(1, "X1", "left the sync filter; kept in Exchange")],
    ("left_filter", "deleted"): [Unlink(1, "X1", "deleted in Exchange; the CRM record is kept")],
}


@pytest.mark.parametrize(("crm_state", "exchange_state"), list(itertools.product(CRM_STATES, EXCHANGE_STATES)))
def test_every_combination_for_a_linked_contact(crm_state: str, exchange_state: str) -> None:
    actions = plan(C, crm_side(crm_state), exchange_side(exchange_state), [link()], SETTINGS)
    assert actions == EXPECTED[(crm_state, exchange_state)]


def test_the_matrix_is_complete() -> None:
    assert set(EXPECTED) == set(itertools.product(CRM_STATES, EXCHANGE_STATES))


# --- unlinked records ------------------------------------------------------------------------------


def test_a_new_crm_record_in_the_filter_is_created_in_exchange() -> None:
    assert plan(C, [record()], [], [], SETTINGS) == [CreateInExchange(1, BASE)]


def test_a_crm_record_outside_the_filter_is_not_created() -> None:
    assert plan(C, [record(in_filter=False)], [], [], SETTINGS) == []


def test_a_record_entering_the_filter_is_created_then_leaving_it_unlinks() -> None:
    assert plan(C, [record(in_filter=True)], [], [], SETTINGS) == [CreateInExchange(1, BASE)]
    assert plan(C, [record(in_filter=False)], [], [link()], SETTINGS) == [
        Unlink(1, "X1", "left the sync filter; kept in Exchange")
    ]


def test_leaving_the_filter_deletes_only_when_the_setting_says_so() -> None:
    settings = PlanSettings(user=ME, now=NOW, delete_on_leaving_filter=True)
    assert plan(C, [record(in_filter=False)], [], [link()], settings) == [DeleteInExchange(1, "X1", "ck1")]


def test_a_record_from_a_tracked_item_is_not_held_to_the_filters_but_to_the_category() -> None:
    tracked_link = link({**BASE, FROM_EXCHANGE: True})
    assert plan(C, [record(in_filter=False)], [], [tracked_link], SETTINGS) == []
    assert plan(C, [record(in_filter=False)], [item("ck2", job_title="CEO")], [tracked_link], SETTINGS) == [
        UpdateInCrm(1, "X1", "ck2", {"job_title": "CEO"})
    ]
    [unlink] = plan(C, [record(in_filter=False)], [item("ck2", tracked=False)], [tracked_link], SETTINGS)
    assert isinstance(unlink, Unlink) and "tracking category" in unlink.reason


def test_a_tracked_exchange_item_is_created_in_the_crm_and_an_untracked_one_ignored() -> None:
    new = ExchangeItem("X9", "ck", BASE, tracked=True)
    untracked = ExchangeItem("X8", "ck", BASE, tracked=False)
    assert plan(C, [], [new, untracked], [], SETTINGS) == [CreateInCrm("X9", "ck", BASE)]


def test_an_unlinked_deleted_exchange_item_is_ignored() -> None:
    assert plan(C, [], [ExchangeItem("X9", None, {}, True, deleted=True)], [], SETTINGS) == []


def test_a_deleted_crm_record_never_linked_does_nothing() -> None:
    assert plan(C, [record(deleted=True)], [], [], SETTINGS) == []


# --- conflicts ---------------------------------------------------------------------------------


def test_both_sides_changing_the_same_field_is_a_conflict_and_crm_wins_by_default() -> None:
    actions = plan(C, [record(company="Fabrikam")], [item(change_key="ck2", company="Northwind")], [link()], SETTINGS)
    assert actions == [
        Conflict(1, "X1", "company", "Fabrikam", "Northwind", ConflictPolicy.KEEP_CRM),
        UpdateInExchange(1, "X1", "ck2", {"company": "Fabrikam"}),
    ]


def test_keep_exchange_and_keep_both() -> None:
    crm, remote = [record(company="Fabrikam")], [item(change_key="ck2", company="Northwind")]
    keep_exchange = plan(
        C, crm, remote, [link()], PlanSettings(user=ME, now=NOW, conflict_policy=ConflictPolicy.KEEP_EXCHANGE)
    )
    assert keep_exchange[1:] == [UpdateInCrm(1, "X1", "ck2", {"company": "Northwind"})]
    keep_both = plan(C, crm, remote, [link()], PlanSettings(user=ME, now=NOW, conflict_policy=ConflictPolicy.KEEP_BOTH))
    assert keep_both[1] == UpdateInExchange(1, "X1", "ck2", {"company": "Fabrikam"})
    assert keep_both[2] == CopyInCrm(1, {**BASE, "company": "Northwind"})


def test_the_same_change_on_both_sides_is_no_conflict_and_the_link_learns_it() -> None:
    actions = plan(C, [record(company="Fabrikam")], [item(change_key="ck2", company="Fabrikam")], [link()], SETTINGS)
    # the value is already on both sides; the update records it (and the new change key) in the link
    assert actions == [UpdateInCrm(1, "X1", "ck2", {"company": "Fabrikam"})]


# --- appointments: the seed's rules --------------------------------------------------------------


def meeting(**values: object) -> CrmRecord:
    base = {
        "subject": "Review",
        "starts_at": NOW + dt.timedelta(days=2),
        "ends_at": NOW + dt.timedelta(days=2, hours=1),
        "organizer": ME,
        "attendees": ("carol@contoso.test",),
    }
    return CrmRecord(7, {**base, **values}, in_filter=True)


def test_an_appointment_without_organizer_is_not_synced_and_says_why() -> None:
    assert plan(A, [meeting(organizer=None)], [], [], SETTINGS) == [
        Skip(7, None, "an appointment without an organizer is not synchronized")
    ]
    remote = ExchangeItem("E1", "ck", {"subject": "x", "organizer": None}, tracked=True)
    assert plan(A, [], [remote], [], SETTINGS) == [
        Skip(None, "E1", "an appointment without an organizer is not synchronized")
    ]


@pytest.mark.parametrize(
    ("values", "invitations"),
    [
        ({}, True),
        ({"starts_at": NOW - dt.timedelta(days=1)}, False),  # a past meeting
        ({"attendees": ()}, False),  # nobody to invite
        ({"organizer": "bob@example.test"}, False),  # the user is not the organizer
    ],
)
def test_invitations_only_for_future_meetings_the_user_organizes_with_attendees(
    values: dict[str, object], invitations: bool
) -> None:
    [action] = plan(A, [meeting(**values)], [], [], SETTINGS)
    assert isinstance(action, CreateInExchange) and action.send_invitations is invitations


def test_deleting_a_meeting_in_the_crm_deletes_it_in_exchange_only_when_organized_and_future() -> None:
    future = {"organizer": ME, "starts_at": NOW + dt.timedelta(days=1)}
    assert plan(A, [], [], [Link(7, "E1", "ck", future)], SETTINGS, deleted={7}) == [DeleteInExchange(7, "E1", "ck")]
    for base in (
        {"organizer": "bob@example.test", "starts_at": NOW + dt.timedelta(days=1)},
        {"organizer": ME, "starts_at": NOW - dt.timedelta(days=1)},
    ):
        [action] = plan(A, [], [], [Link(7, "E1", "ck", base)], SETTINGS, deleted={7})
        assert isinstance(action, Unlink)


def test_a_linked_record_missing_without_a_tombstone_is_unlinked_not_deleted() -> None:
    future = {"organizer": ME, "starts_at": NOW + dt.timedelta(days=1)}
    assert plan(A, [], [], [Link(7, "E1", "ck", future)], SETTINGS) == [
        Unlink(7, "E1", "no longer among the user's records (owner changed, or out of scope); kept in Exchange")
    ]
    assert plan(C, [], [], [link()], SETTINGS) == [
        Unlink(1, "X1", "no longer among the user's records (owner changed, or out of scope); kept in Exchange")
    ]
    assert plan(C, [], [], [link()], SETTINGS, deleted={1}) == [DeleteInExchange(1, "X1", "ck1")]


def test_the_organizer_flows_from_exchange_only() -> None:
    link7 = Link(7, "E1", "ck", dict(meeting().values))
    changed_crm = CrmRecord(7, {**meeting().values, "organizer": "bob@example.test"}, True)
    assert plan(A, [changed_crm], [], [link7], SETTINGS) == []  # not pushed
    remote = ExchangeItem("E1", "ck2", {**meeting().values, "organizer": "bob@example.test"}, True)
    [action] = plan(A, [meeting()], [remote], [link7], SETTINGS)
    assert action == UpdateInCrm(7, "E1", "ck2", {"organizer": "bob@example.test"})


# --- tasks and the mapping -----------------------------------------------------------------------


def test_tasks_flow_both_ways() -> None:
    base = {"subject": "Call", "status": "not_started", "percent_complete": 0}
    crm = [CrmRecord(3, {**base, "status": "completed", "percent_complete": 100}, True)]
    assert plan(T, crm, [], [Link(3, "T1", "ck", base)], SETTINGS) == [
        UpdateInExchange(3, "T1", "ck", {"percent_complete": 100, "status": "completed"})
    ]


def test_mapping_round_trips_and_hash_is_stable() -> None:
    exchange = exchange_values(C, BASE)
    assert exchange == {
        "given_name": "Carol",
        "surname": "Customer",
        "company_name": "Contoso",
        "email_address_1": "carol@contoso.test",
    }
    assert crm_values(C, exchange) == BASE
    assert content_hash(BASE) == content_hash(dict(reversed(list(BASE.items()))))
    assert content_hash(BASE) != content_hash({**BASE, "company": "x"})
    assert "organizer" not in exchange_values(A, {"organizer": ME, "subject": "s"})


def test_an_item_we_created_but_never_linked_is_adopted_not_created_again() -> None:
    stamped = ExchangeItem("X5", "ck", BASE, tracked=False, origin_local_id=1)
    assert plan(C, [record()], [stamped], [], SETTINGS) == [Adopt(1, "X5", "ck", BASE)]


def test_an_item_we_created_for_a_record_since_unlinked_or_deleted_stays_in_exchange_only() -> None:
    stamped = ExchangeItem("X5", "ck2", BASE, tracked=True, origin_local_id=1)
    assert plan(C, [record(in_filter=False)], [stamped], [], SETTINGS) == []  # left the filter: not adopted
    assert plan(C, [], [stamped], [], SETTINGS) == []  # deleted in the CRM: not created again


def test_a_linked_item_missing_from_a_complete_snapshot_was_deleted_in_exchange() -> None:
    # read from the start, the folder no longer has X1: deleted there (the CRM keeps its record, which the
    # filter still selects, so it is sent again)
    assert plan(C, [record()], [], [link()], SETTINGS, complete=True) == [
        Unlink(1, "X1", "deleted in Exchange; the CRM record is kept"),
        CreateInExchange(1, BASE),
    ]
    assert plan(C, [record()], [], [link()], SETTINGS) == []  # changes only: nothing changed
