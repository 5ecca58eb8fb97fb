"""The ACT planner on generated snapshots: random links, changes on either side (edits, deletions
with and without a tombstone, owner changes, filter exits, category removals), new records and
items, and lost links.

Invariants: no action deletes or unlinks a record that was neither deleted nor out of scope, only a
deleted record deletes in Exchange; applying the plan to a model of both sides and planning again
leaves nothing to do; after it, every linked pair agrees on every field that flows both ways; and
the safety stop holds exactly the plans that remove too much.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from dataclasses import dataclass, field
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_sync.domain.act import (
    EXCHANGE_SIDE_REASONS,
    FROM_EXCHANGE,
    MAPPING,
    Action,
    Adopt,
    Conflict,
    ConflictPolicy,
    CopyInCrm,
    CreateInCrm,
    CreateInExchange,
    CrmRecord,
    DeleteInExchange,
    ExchangeItem,
    Flow,
    Link,
    PlanSettings,
    Rekey,
    SafetyLimits,
    Skip,
    StopReason,
    Unlink,
    UpdateInCrm,
    UpdateInExchange,
    plan,
    safety_stop,
    summarize,
)
from desktop_sync.domain.model import RecordType

NOW = dt.datetime(2026, 11, 25, 12, tzinfo=dt.UTC)
ME = "alice@example.test"
PROFILE = settings(max_examples=1000, deadline=None)

TEXT = st.sampled_from([None, "", "Contoso", "Fabrikam", "Ünïcode ✓", "a" * 40])
FIELDS: dict[RecordType, dict[str, st.SearchStrategy[Any]]] = {
    RecordType.CONTACT: {"first_name": TEXT, "last_name": TEXT, "company": TEXT, "job_title": TEXT},
    RecordType.TASK: {
        "subject": TEXT,
        "status": st.sampled_from(["not_started", "in_progress", "completed"]),
        "percent_complete": st.integers(0, 100),
    },
    RecordType.APPOINTMENT: {
        "subject": TEXT,
        "location": TEXT,
        "organizer": st.sampled_from([ME, "bob@example.test", None]),
        "starts_at": st.sampled_from([NOW - dt.timedelta(days=3), NOW + dt.timedelta(days=3)]),
    },
}
CRM_CHANGES = ["none", "edit", "tombstone", "deleted_flag", "missing", "leave_filter"]
EXCHANGE_CHANGES = ["none", "edit", "delete", "untrack", "touch"]


@dataclass
class LinkedPair:
    base: dict[str, Any]
    from_exchange: bool
    crm_change: str
    crm_edit: dict[str, Any]
    exchange_change: str
    exchange_edit: dict[str, Any]
    in_filter: bool  # for a record from Exchange, which the filters do not hold


@dataclass
class Scenario:
    record_type: RecordType
    pairs: list[LinkedPair]
    new_records: list[tuple[dict[str, Any], bool]]  # values, in the filter
    new_items: list[tuple[dict[str, Any], bool]]  # values, tracked
    lost_links: list[tuple[int, dict[str, Any]]]  # an item we made for new record n, with these values
    settings: PlanSettings
    complete: bool = False  # Exchange is read from the start: the whole folder, deletions by absence


@st.composite
def values(draw: st.DrawFn, record_type: RecordType) -> dict[str, Any]:
    return {name: draw(strategy) for name, strategy in FIELDS[record_type].items()}


@st.composite
def edits(draw: st.DrawFn, record_type: RecordType) -> dict[str, Any]:
    names = draw(st.lists(st.sampled_from(sorted(FIELDS[record_type])), min_size=1, max_size=2, unique=True))
    return {name: draw(FIELDS[record_type][name]) for name in names}


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    record_type = draw(st.sampled_from(list(FIELDS)))
    pairs = [
        LinkedPair(
            base=draw(values(record_type)),
            from_exchange=draw(st.booleans()),
            crm_change=draw(st.sampled_from(CRM_CHANGES)),
            crm_edit=draw(edits(record_type)),
            exchange_change=draw(st.sampled_from(EXCHANGE_CHANGES)),
            exchange_edit=draw(edits(record_type)),
            in_filter=draw(st.booleans()),
        )
        for _ in range(draw(st.integers(0, 12)))
    ]
    new_records = draw(st.lists(st.tuples(values(record_type), st.booleans()), max_size=4))
    new_items = draw(st.lists(st.tuples(values(record_type), st.booleans()), max_size=4))
    lost_links = []
    if new_records:
        for n in draw(st.lists(st.integers(0, len(new_records) - 1), max_size=2, unique=True)):
            lost_links.append((n, draw(values(record_type))))
    plan_settings = PlanSettings(
        delete_on_leaving_filter=draw(st.booleans()),
        conflict_policy=draw(st.sampled_from([ConflictPolicy.KEEP_CRM, ConflictPolicy.KEEP_EXCHANGE])),
        user=ME,
        now=NOW,
    )
    return Scenario(record_type, pairs, new_records, new_items, lost_links, plan_settings, draw(st.booleans()))


# --- a model of both sides -------------------------------------------------------------------------


@dataclass
class Item:
    values: dict[str, Any]
    change_key: str
    tracked: bool
    origin: int | None


@dataclass
class World:
    """Both sides as they are now, the links, and what Exchange reports as changed since the cursor."""

    records: dict[int, tuple[dict[str, Any], bool]] = field(default_factory=dict)  # id -> values, in filter
    flagged: set[int] = field(default_factory=set)  # records the snapshot shows as deleted
    tombstones: set[int] = field(default_factory=set)
    items: dict[str, Item] = field(default_factory=dict)
    reported: dict[str, ExchangeItem] = field(default_factory=dict)  # the Exchange changes
    links: dict[str, Link] = field(default_factory=dict)
    keys: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1000))

    def crm(self) -> list[CrmRecord]:
        snapshot = [CrmRecord(rid, dict(v), f) for rid, (v, f) in self.records.items()]
        return snapshot + [CrmRecord(rid, {}, True, deleted=True) for rid in self.flagged]

    def exchange(self) -> list[ExchangeItem]:
        return list(self.reported.values())

    def report(self, server_id: str) -> None:
        item = self.items[server_id]
        self.reported[server_id] = ExchangeItem(
            server_id, item.change_key, dict(item.values), item.tracked, origin_local_id=item.origin
        )

    def new_key(self) -> str:
        return f"k{next(self.keys)}"


def build(scenario: Scenario) -> World:
    world = World()
    for n, pair in enumerate(scenario.pairs):
        rid, sid = n + 1, f"S{n + 1}"
        base = dict(pair.base)
        world.links[sid] = Link(rid, sid, "k0", {**base, FROM_EXCHANGE: True} if pair.from_exchange else base)
        world.items[sid] = Item(dict(base), "k0", True, None if pair.from_exchange else rid)
        in_filter = pair.in_filter if pair.from_exchange else True
        change = pair.crm_change
        if change in ("none", "edit", "leave_filter"):
            record = {**base, **pair.crm_edit} if change == "edit" else dict(base)
            world.records[rid] = (record, False if change == "leave_filter" else in_filter)
        elif change == "tombstone":
            world.tombstones.add(rid)
        elif change == "deleted_flag":
            world.flagged.add(rid)
        # "missing": its owner changed; it is simply not in this user's snapshot
        item = world.items[sid]
        if pair.exchange_change == "delete":
            del world.items[sid]
            world.reported[sid] = ExchangeItem(sid, None, {}, True, deleted=True)
            continue
        if pair.exchange_change == "edit":
            item.values.update(pair.exchange_edit)
        elif pair.exchange_change == "untrack":
            item.tracked = False
        if pair.exchange_change != "none":
            item.change_key = world.new_key()
            world.report(sid)
    for n, (record, in_filter) in enumerate(scenario.new_records):
        world.records[100 + n] = (dict(record), in_filter)
    for n, (record, tracked) in enumerate(scenario.new_items):
        world.items[f"N{n}"] = Item(dict(record), world.new_key(), tracked, None)
        world.report(f"N{n}")
    for n, record in scenario.lost_links:
        world.items[f"L{n}"] = Item(dict(record), world.new_key(), True, 100 + n)
        world.report(f"L{n}")
    if scenario.complete:  # the whole folder as it is: every item, and the deleted ones simply absent
        world.reported = {}
        for sid in world.items:
            world.report(sid)
    return world


def apply(world: World, record_type: RecordType, actions: list[Action]) -> None:
    """What the executor does, on the model: each action with its link. Exchange then reports exactly
    the items this changed (the cursor moved past everything else)."""
    mapped = {m.crm for m in MAPPING[record_type]}
    pushed: set[str] = set()
    world.reported = {}
    touched: set[str] = set()
    for action in actions:
        if isinstance(action, CreateInExchange):
            sid = f"C{next(world.ids)}"
            world.items[sid] = Item(dict(action.values), world.new_key(), True, action.local_id)
            world.links[sid] = Link(action.local_id, sid, world.items[sid].change_key, dict(action.values))
            touched.add(sid)
        elif isinstance(action, UpdateInExchange):
            item = world.items[action.server_id]
            assert action.change_key == item.change_key, "an update must carry the item's current change key"
            item.values.update(action.values)
            item.change_key = world.new_key()
            link = world.links[action.server_id]
            world.links[action.server_id] = Link(
                link.local_id, link.server_id, item.change_key, {**link.base, **action.values}
            )
            pushed.add(action.server_id)
            touched.add(action.server_id)
        elif isinstance(action, DeleteInExchange):
            del world.items[action.server_id]
            del world.links[action.server_id]
            touched.discard(action.server_id)
        elif isinstance(action, CreateInCrm):
            rid = next(world.ids)
            record = {k: v for k, v in action.values.items() if k in mapped}
            world.records[rid] = (record, False)
            base = {**record, FROM_EXCHANGE: True}
            world.links[action.server_id] = Link(rid, action.server_id, action.change_key, base)
        elif isinstance(action, UpdateInCrm):
            record, in_filter = world.records[action.local_id]
            world.records[action.local_id] = ({**record, **action.values}, in_filter)
            link = world.links[action.server_id]
            key = link.change_key if action.server_id in pushed else action.change_key
            world.links[action.server_id] = Link(link.local_id, link.server_id, key, {**link.base, **action.values})
        elif isinstance(action, Adopt):
            base = {k: v for k, v in action.values.items() if k in mapped}
            world.links[action.server_id] = Link(action.local_id, action.server_id, action.change_key, base)
        elif isinstance(action, Rekey):
            link = world.links[action.server_id]
            world.links[action.server_id] = dataclasses.replace(link, change_key=action.change_key)
        elif isinstance(action, Unlink):
            del world.links[action.server_id]
        elif isinstance(action, CopyInCrm):
            raise AssertionError("keep-both is not generated")
        else:
            assert isinstance(action, (Conflict, Skip))
    for sid in sorted(touched):
        if sid in world.items:
            world.report(sid)


def both_ways(record_type: RecordType) -> list[str]:
    return [m.crm for m in MAPPING[record_type] if m.flow is Flow.BOTH and m.crm in FIELDS[record_type]]


def removals(actions: list[Action]) -> dict[int, list[Action]]:
    found: dict[int, list[Action]] = {}
    for action in actions:
        if isinstance(action, (Unlink, DeleteInExchange)):
            found.setdefault(action.local_id, []).append(action)
    return found


def first_plan(scenario: Scenario) -> tuple[World, list[Action]]:
    world = build(scenario)
    actions = plan(
        scenario.record_type,
        world.crm(),
        world.exchange(),
        list(world.links.values()),
        scenario.settings,
        deleted=frozenset(world.tombstones),
        complete=scenario.complete,
    )
    return world, actions


@PROFILE
@given(scenarios())
def test_nothing_is_deleted_or_unlinked_unless_deleted_or_out_of_scope(scenario: Scenario) -> None:
    _, actions = first_plan(scenario)
    removed = removals(actions)
    for n, pair in enumerate(scenario.pairs):
        deleted = pair.crm_change in ("tombstone", "deleted_flag")
        out_of_scope = (
            pair.crm_change == "missing"
            or pair.exchange_change == "delete"
            or (pair.crm_change == "leave_filter" and not pair.from_exchange)
            or (pair.from_exchange and pair.exchange_change == "untrack")
        )
        done = removed.get(n + 1, [])
        if not (deleted or out_of_scope):
            assert done == [], (pair, done)
            continue
        assert len(done) == 1, (pair, done)  # a link in question is always settled, once
        if isinstance(done[0], DeleteInExchange):
            leaving_deletes = scenario.settings.delete_on_leaving_filter and pair.crm_change == "leave_filter"
            assert deleted or leaving_deletes, (pair, done)
            assert pair.exchange_change != "delete"
    # only a deleted record deletes in Exchange: never one merely missing from the snapshot
    world = build(scenario)
    deleting = {a.local_id for a in actions if isinstance(a, DeleteInExchange)}
    if not scenario.settings.delete_on_leaving_filter:
        assert deleting <= world.tombstones | world.flagged


@PROFILE
@given(scenarios())
def test_running_the_plan_then_planning_again_leaves_nothing_to_do_and_both_sides_agree(scenario: Scenario) -> None:
    world, actions = first_plan(scenario)
    apply(world, scenario.record_type, actions)
    world.flagged.clear()  # a deleted record is gone from the next snapshot
    # converged: every linked pair agrees on every field that flows both ways
    for sid, link in world.links.items():
        record, _ = world.records[link.local_id]
        item = world.items[sid]
        assert item.change_key == link.change_key
        for name in both_ways(scenario.record_type):
            assert record.get(name) == item.values.get(name), (name, record, item)
            assert link.base.get(name) == record.get(name), (name, link.base, record)

    # every record the filter selects, and every new tracked item, ends up linked
    def organizer_missing(values_now: dict[str, Any]) -> bool:
        return scenario.record_type is RecordType.APPOINTMENT and not values_now.get("organizer")

    linked_records = {link.local_id for link in world.links.values()}
    for rid, (values_now, in_filter) in world.records.items():
        if in_filter and not organizer_missing(values_now):
            assert rid in linked_records
    for n, (values_now, tracked) in enumerate(scenario.new_items):
        if tracked and not organizer_missing(values_now):
            assert f"N{n}" in world.links
    again = plan(
        scenario.record_type,
        world.crm(),
        world.exchange(),
        list(world.links.values()),
        scenario.settings,
        deleted=frozenset(world.tombstones),
    )
    skips = [a for a in actions if isinstance(a, Skip)]
    assert [a for a in again if not isinstance(a, Skip)] == []
    assert {a.local_id for a in again if isinstance(a, Skip)} <= {a.local_id for a in skips}


def _limits() -> st.SearchStrategy[SafetyLimits]:
    return st.builds(SafetyLimits, percent=st.integers(1, 100), minimum=st.integers(0, 10))


@PROFILE
@given(scenarios(), _limits())
def test_the_safety_stop_holds_exactly_the_plans_that_remove_too_much(scenario: Scenario, limits: SafetyLimits) -> None:
    world, actions = first_plan(scenario)
    summary = summarize(actions, list(world.links.values()))
    assert sum(summary.counts.values()) == len(actions)
    assert summary.removals == sum(len(v) for v in removals(actions).values())
    reason = safety_stop(summary, limits)
    links = len(scenario.pairs)
    crm_side = sum(
        1
        for a in actions
        if isinstance(a, DeleteInExchange) or (isinstance(a, Unlink) and a.reason not in EXCHANGE_SIDE_REASONS)
    )
    exchange_side = summary.removals - crm_side

    def too_many(n: int) -> bool:
        return n > limits.minimum and n / links > limits.percent / 100 if links else False

    expected = (
        StopReason.CRM_MASS_REMOVAL
        if too_many(crm_side)
        else StopReason.EXCHANGE_MASS_REMOVAL
        if too_many(exchange_side)
        else None
    )
    assert reason is expected
    # the same plan has the same fingerprint; another set of removals another one
    assert summarize(list(reversed(actions)), list(world.links.values())).fingerprint == summary.fingerprint


def test_an_empty_side_while_links_exist_stops_and_an_empty_start_does_not() -> None:
    link = Link(1, "S1", "k0", {"first_name": "Carol"})
    summary = summarize(plan(RecordType.CONTACT, [], [], [link], PlanSettings(user=ME, now=NOW)), [link])
    assert safety_stop(summary, SafetyLimits(), crm_empty=True) is StopReason.CRM_EMPTY
    assert safety_stop(summary, SafetyLimits(), exchange_empty=True) is StopReason.EXCHANGE_EMPTY
    empty = summarize([], [])
    assert safety_stop(empty, SafetyLimits(), crm_empty=True, exchange_empty=True) is None


def test_the_thresholds_are_strict() -> None:
    links = [Link(n, f"S{n}", "k", {}) for n in range(30)]
    unlink = [Unlink(n, f"S{n}", "left the sync filter; kept in Exchange") for n in range(6)]
    assert safety_stop(summarize(unlink, links), SafetyLimits(20, 5)) is None  # 6 of 30 = 20 %, not more
    assert safety_stop(summarize(unlink[:5], links[:10]), SafetyLimits(20, 5)) is None  # 5 items, not more
    assert safety_stop(summarize(unlink, links[:29]), SafetyLimits(20, 5)) is StopReason.CRM_MASS_REMOVAL
    gone = [dataclasses.replace(u, reason="deleted in Exchange; the CRM record is kept") for u in unlink]
    assert safety_stop(summarize(gone, links[:29]), SafetyLimits(20, 5)) is StopReason.EXCHANGE_MASS_REMOVAL
