"""Sync filters: which CRM appointments, contacts and tasks a user's mailbox synchronizes.

A filter is a group of (field, operator, value) rules combined with AND (match all) or OR (match
any); groups can nest. Several active filters on one record type combine with OR; a type with no
active filter synchronizes nothing. Evaluation is pure: a record is a mapping of field values.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from desktop_sync.domain.errors import ValidationError
from desktop_sync.domain.model import RecordType, UserId

SYNCED_TYPES = (RecordType.APPOINTMENT, RecordType.CONTACT, RecordType.TASK)


class FieldKind(enum.Enum):
    TEXT = "text"
    DATETIME = "datetime"
    NUMBER = "number"
    BOOLEAN = "boolean"


# The fields a rule may test, per record type (the names records are given to ``evaluate`` with).
FIELDS: dict[RecordType, dict[str, FieldKind]] = {
    RecordType.APPOINTMENT: {
        "subject": FieldKind.TEXT,
        "location": FieldKind.TEXT,
        "body": FieldKind.TEXT,
        "starts_at": FieldKind.DATETIME,
        "ends_at": FieldKind.DATETIME,
        "all_day": FieldKind.BOOLEAN,
        "organizer": FieldKind.TEXT,
        "attendees": FieldKind.TEXT,
        "owner": FieldKind.TEXT,
        "regarding": FieldKind.TEXT,
    },
    RecordType.CONTACT: {
        "full_name": FieldKind.TEXT,
        "first_name": FieldKind.TEXT,
        "last_name": FieldKind.TEXT,
        "email": FieldKind.TEXT,
        "company": FieldKind.TEXT,
        "phone": FieldKind.TEXT,
        "owner": FieldKind.TEXT,
        "modified_at": FieldKind.DATETIME,
    },
    RecordType.TASK: {
        "subject": FieldKind.TEXT,
        "body": FieldKind.TEXT,
        "due_at": FieldKind.DATETIME,
        "status": FieldKind.TEXT,
        "priority": FieldKind.TEXT,
        "percent_complete": FieldKind.NUMBER,
        "owner": FieldKind.TEXT,
        "regarding": FieldKind.TEXT,
    },
}


class Operator(enum.Enum):
    EQUALS = "eq"
    NOT_EQUALS = "ne"
    CONTAINS = "contains"
    NOT_CONTAINS = "not_contains"
    STARTS_WITH = "starts_with"
    ENDS_WITH = "ends_with"
    GREATER = "gt"
    GREATER_OR_EQUAL = "ge"
    LESS = "lt"
    LESS_OR_EQUAL = "le"
    IS_EMPTY = "empty"
    IS_NOT_EMPTY = "not_empty"
    IN_LAST_DAYS = "last_days"  # datetime within the last N days
    IN_NEXT_DAYS = "next_days"  # datetime within the next N days
    IS_ME = "is_me"  # the owner (or organizer) is the filter's user


NO_VALUE = {Operator.IS_EMPTY, Operator.IS_NOT_EMPTY, Operator.IS_ME}
TEXT_ONLY = {Operator.CONTAINS, Operator.NOT_CONTAINS, Operator.STARTS_WITH, Operator.ENDS_WITH, Operator.IS_ME}
ORDERED = {Operator.GREATER, Operator.GREATER_OR_EQUAL, Operator.LESS, Operator.LESS_OR_EQUAL}
DAYS = {Operator.IN_LAST_DAYS, Operator.IN_NEXT_DAYS}


class Match(enum.Enum):
    ALL = "all"  # AND
    ANY = "any"  # OR


@dataclass(frozen=True, slots=True)
class Rule:
    field: str
    operator: Operator
    value: str | None = None

    def __str__(self) -> str:
        if self.value is None:
            return f"{self.field} {self.operator.value}"
        return f"{self.field} {self.operator.value} {shlex.quote(self.value)}"


@dataclass(frozen=True, slots=True)
class RuleGroup:
    match: Match
    rules: tuple[Rule | RuleGroup, ...]


@dataclass(frozen=True, slots=True)
class SyncFilter:
    user_id: UserId
    record_type: RecordType
    name: str
    group: RuleGroup
    active: bool = True
    id: int | None = None


# --- checking -------------------------------------------------------------------------------------


def check_rule(record_type: RecordType, rule: Rule) -> Rule:
    """The rule, if its field exists for the type and its operator and value fit the field."""
    fields = FIELDS.get(record_type)
    if fields is None:
        raise ValidationError.single("type", f"{record_type.value} records are not synchronized")
    kind = fields.get(rule.field)
    if kind is None:
        raise ValidationError.single(
            "rule", f"{rule.field!r} is not a field of {record_type.value}s (one of: {', '.join(sorted(fields))})"
        )
    if rule.operator in NO_VALUE:
        if rule.value not in (None, ""):
            raise ValidationError.single("rule", f"{rule.operator.value} takes no value")
        if rule.operator is Operator.IS_ME and rule.field not in ("owner", "organizer"):
            raise ValidationError.single("rule", "is_me applies to owner or organizer")
        return Rule(rule.field, rule.operator, None)
    if rule.value is None or rule.value == "":
        raise ValidationError.single("rule", f"{rule.field} {rule.operator.value} needs a value")
    if rule.operator in TEXT_ONLY and kind is not FieldKind.TEXT:
        raise ValidationError.single(
            "rule", f"{rule.operator.value} applies to text fields; {rule.field} is {kind.value}"
        )
    if rule.operator in DAYS:
        if kind is not FieldKind.DATETIME:
            raise ValidationError.single(
                "rule", f"{rule.operator.value} applies to dates; {rule.field} is {kind.value}"
            )
        _number(rule.value)
    elif rule.operator in ORDERED and kind in (FieldKind.TEXT, FieldKind.BOOLEAN):
        raise ValidationError.single("rule", f"{rule.operator.value} needs a date or number field")
    else:
        _coerce(kind, rule.value)
    return rule


def operators_for(record_type: RecordType, field: str) -> tuple[Operator, ...]:
    """The operators ``check_rule`` accepts on ``field`` of ``record_type``, in declaration order (for editors)."""
    kind = FIELDS[record_type][field]
    allowed: list[Operator] = []
    for operator in Operator:
        if operator is Operator.IS_ME:
            if field in ("owner", "organizer"):
                allowed.append(operator)
            continue
        if operator in TEXT_ONLY and kind is not FieldKind.TEXT:
            continue
        if operator in DAYS and kind is not FieldKind.DATETIME:
            continue
        if operator in ORDERED and kind in (FieldKind.TEXT, FieldKind.BOOLEAN):
            continue
        allowed.append(operator)
    return tuple(allowed)


def check_group(record_type: RecordType, group: RuleGroup) -> RuleGroup:
    if not group.rules:
        raise ValidationError.single("rule", "a filter needs at least one rule")
    checked = tuple(
        check_group(record_type, r) if isinstance(r, RuleGroup) else check_rule(record_type, r) for r in group.rules
    )
    return RuleGroup(group.match, checked)


def parse_rule(text: str) -> Rule:
    """``FIELD OP [VALUE]``, as the CLI takes it: ``"subject contains 'Quarterly review'"``."""
    try:
        parts = shlex.split(text)
    except ValueError as exc:
        raise ValidationError.single("rule", f"{text!r}: {exc}") from exc
    if len(parts) < 2 or len(parts) > 3:
        raise ValidationError.single("rule", f"{text!r}: expected FIELD OPERATOR [VALUE]")
    try:
        operator = Operator(parts[1].lower())
    except ValueError as exc:
        choices = ", ".join(o.value for o in Operator)
        raise ValidationError.single("rule", f"{parts[1]!r} is not an operator (one of: {choices})") from exc
    return Rule(parts[0].lower(), operator, parts[2] if len(parts) == 3 else None)


# --- evaluating -----------------------------------------------------------------------------------


def _number(value: str) -> float:
    try:
        return float(value)
    except ValueError as exc:
        raise ValidationError.single("rule", f"{value!r} is not a number") from exc


def _datetime(value: str) -> dt.datetime:
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise ValidationError.single("rule", f"{value!r} is not an ISO date") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _coerce(kind: FieldKind, value: str) -> Any:
    if kind is FieldKind.NUMBER:
        return _number(value)
    if kind is FieldKind.DATETIME:
        return _datetime(value)
    if kind is FieldKind.BOOLEAN:
        lowered = value.lower()
        if lowered not in ("true", "false", "yes", "no", "1", "0"):
            raise ValidationError.single("rule", f"{value!r} is not true or false")
        return lowered in ("true", "yes", "1")
    return value


def _text(value: Any) -> str:
    return "" if value is None else str(value).casefold()


def evaluate_rule(rule: Rule, kind: FieldKind, record: Mapping[str, Any], now: dt.datetime, me: str | None) -> bool:
    actual = record.get(rule.field)
    op = rule.operator
    if op is Operator.IS_EMPTY:
        return actual is None or actual == ""
    if op is Operator.IS_NOT_EMPTY:
        return not (actual is None or actual == "")
    if op is Operator.IS_ME:
        return me is not None and _text(actual) == _text(me)
    assert rule.value is not None
    if actual is None or actual == "":
        return op in (Operator.NOT_EQUALS, Operator.NOT_CONTAINS)
    if op in DAYS:
        days = dt.timedelta(days=_number(rule.value))
        if not isinstance(actual, dt.datetime):
            return False
        if op is Operator.IN_LAST_DAYS:
            return now - days <= actual <= now
        return now <= actual <= now + days
    if kind is FieldKind.TEXT:
        left, right = _text(actual), _text(rule.value)
        return {
            Operator.EQUALS: left == right,
            Operator.NOT_EQUALS: left != right,
            Operator.CONTAINS: right in left,
            Operator.NOT_CONTAINS: right not in left,
            Operator.STARTS_WITH: left.startswith(right),
            Operator.ENDS_WITH: left.endswith(right),
        }.get(op, False)
    expected = _coerce(kind, rule.value)
    if kind is FieldKind.BOOLEAN:
        return bool((bool(actual) == expected) if op is Operator.EQUALS else (bool(actual) != expected))
    try:
        return bool(
            {
                Operator.EQUALS: actual == expected,
                Operator.NOT_EQUALS: actual != expected,
                Operator.GREATER: actual > expected,
                Operator.GREATER_OR_EQUAL: actual >= expected,
                Operator.LESS: actual < expected,
                Operator.LESS_OR_EQUAL: actual <= expected,
            }.get(op, False)
        )
    except TypeError:
        return False  # a value of the wrong type never matches


def evaluate(
    record_type: RecordType, group: RuleGroup, record: Mapping[str, Any], now: dt.datetime, me: str | None = None
) -> bool:
    fields = FIELDS[record_type]
    results = (
        evaluate(record_type, r, record, now, me)
        if isinstance(r, RuleGroup)
        else evaluate_rule(r, fields[r.field], record, now, me)
        for r in group.rules
    )
    return all(results) if group.match is Match.ALL else any(results)


def selects(
    filters: Sequence[SyncFilter],
    record_type: RecordType,
    record: Mapping[str, Any],
    now: dt.datetime,
    me: str | None = None,
) -> bool:
    """Does any active filter of this type select the record? No active filter: nothing is synced."""
    return any(
        evaluate(record_type, f.group, record, now, me) for f in filters if f.active and f.record_type is record_type
    )


# --- storage form ---------------------------------------------------------------------------------


def group_to_json(group: RuleGroup) -> str:
    def encode(node: Rule | RuleGroup) -> dict[str, Any]:
        if isinstance(node, RuleGroup):
            return {"match": node.match.value, "rules": [encode(r) for r in node.rules]}
        return {"field": node.field, "operator": node.operator.value, "value": node.value}

    return json.dumps(encode(group), ensure_ascii=False, sort_keys=True)


def group_from_json(text: str) -> RuleGroup:
    def decode(node: dict[str, Any]) -> Rule | RuleGroup:
        if "rules" in node:
            return RuleGroup(Match(node["match"]), tuple(decode(r) for r in node["rules"]))
        return Rule(node["field"], Operator(node["operator"]), node.get("value"))

    decoded = decode(json.loads(text))
    assert isinstance(decoded, RuleGroup)
    return decoded
