"""Sync filter evaluation: rules, AND/OR groups, several filters OR-ed, no filter selects nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from desktop_sync.domain.errors import ValidationError
from desktop_sync.domain.model import RecordType, UserId
from desktop_sync.domain.sync_filters import (
    Match,
    Operator,
    Rule,
    RuleGroup,
    SyncFilter,
    check_group,
    check_rule,
    evaluate,
    group_from_json,
    group_to_json,
    parse_rule,
    selects,
)

NOW = dt.datetime(2026, 11, 25, 12, tzinfo=dt.UTC)
A = RecordType.APPOINTMENT
C = RecordType.CONTACT
T = RecordType.TASK

meeting = {
    "subject": "Quarterly Review with Contoso",
    "location": "Paris",
    "starts_at": NOW + dt.timedelta(days=3),
    "ends_at": NOW + dt.timedelta(days=3, hours=1),
    "all_day": False,
    "organizer": "alice@example.test",
    "owner": "alice@example.test",
    "regarding": None,
}


def rule(text: str, record_type: RecordType = A) -> Rule:
    return check_rule(record_type, parse_rule(text))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("subject contains review", True),
        ("subject contains REVIEW", True),  # text compares without case
        ("subject not_contains review", False),
        ("subject starts_with quarterly", True),
        ("subject ends_with contoso", True),
        ("subject eq 'quarterly review with contoso'", True),
        ("location ne Paris", False),
        ("regarding empty", True),
        ("regarding not_empty", False),
        ("starts_at next_days 7", True),
        ("starts_at next_days 2", False),
        ("starts_at last_days 30", False),
        ("starts_at gt 2026-11-26", True),
        ("starts_at lt 2026-11-26T00:00:00+00:00", False),
        ("all_day eq false", True),
        ("owner is_me", True),
        ("organizer is_me", True),
    ],
)
def test_each_operator(text: str, expected: bool) -> None:
    group = RuleGroup(Match.ALL, (rule(text),))
    assert evaluate(A, group, meeting, NOW, me="ALICE@example.test") is expected


def test_and_or_and_nested_groups() -> None:
    paris = rule("location eq paris")
    london = rule("location eq london")
    soon = rule("starts_at next_days 7")
    assert evaluate(A, RuleGroup(Match.ALL, (paris, soon)), meeting, NOW)
    assert not evaluate(A, RuleGroup(Match.ALL, (london, soon)), meeting, NOW)
    assert evaluate(A, RuleGroup(Match.ANY, (london, soon)), meeting, NOW)
    nested = RuleGroup(Match.ALL, (soon, RuleGroup(Match.ANY, (london, paris))))
    assert evaluate(A, nested, meeting, NOW)
    assert not evaluate(A, RuleGroup(Match.ALL, (soon, RuleGroup(Match.ANY, (london,)))), meeting, NOW)


def test_several_filters_on_a_type_combine_with_or_and_inactive_ones_do_not_count() -> None:
    user = UserId(1)
    in_london = SyncFilter(user, A, "London", RuleGroup(Match.ALL, (rule("location eq london"),)))
    in_paris = SyncFilter(user, A, "Paris", RuleGroup(Match.ALL, (rule("location eq paris"),)))
    assert selects([in_london, in_paris], A, meeting, NOW)
    assert not selects([in_london], A, meeting, NOW)
    assert not selects([in_london, SyncFilter(user, A, "Paris", in_paris.group, active=False)], A, meeting, NOW)


def test_a_type_with_no_active_filter_syncs_nothing() -> None:
    everything = SyncFilter(UserId(1), C, "All", RuleGroup(Match.ALL, (rule("full_name not_empty", C),)))
    assert not selects([], A, meeting, NOW)
    assert not selects([everything], A, meeting, NOW)  # a contact filter says nothing about appointments


def test_numbers_and_missing_values() -> None:
    task = {"subject": "Call back", "percent_complete": 50, "due_at": None}
    assert evaluate(T, RuleGroup(Match.ALL, (rule("percent_complete ge 50", T),)), task, NOW)
    assert not evaluate(T, RuleGroup(Match.ALL, (rule("percent_complete gt 50", T),)), task, NOW)
    assert not evaluate(T, RuleGroup(Match.ALL, (rule("due_at next_days 3", T),)), task, NOW)
    assert evaluate(T, RuleGroup(Match.ALL, (rule("due_at empty", T),)), task, NOW)


@pytest.mark.parametrize(
    "text",
    [
        "nosuchfield eq 1",
        "subject gt 3",  # ordering on text
        "starts_at contains 2026",  # text operator on a date
        "starts_at eq not-a-date",
        "percent_complete eq lots",
        "subject eq",  # needs a value
        "regarding empty something",  # takes none
        "subject is_me",  # owner or organizer only
        "subject frobnicates x",  # no such operator
        "subject",  # too short
    ],
)
def test_bad_rules_are_refused_with_the_field_named(text: str) -> None:
    with pytest.raises(ValidationError) as info:
        check_rule(A, parse_rule(text))
    assert "rule" in info.value.errors


def test_an_empty_filter_is_refused() -> None:
    with pytest.raises(ValidationError):
        check_group(A, RuleGroup(Match.ALL, ()))


def test_rules_survive_storage() -> None:
    group = RuleGroup(Match.ANY, (rule("subject contains 'a b'"), RuleGroup(Match.ALL, (rule("owner is_me"),))))
    assert group_from_json(group_to_json(group)) == group
    assert str(rule("subject contains 'a b'")) == "subject contains 'a b'"
    assert parse_rule("Subject CONTAINS x") == Rule("subject", Operator.CONTAINS, "x")
