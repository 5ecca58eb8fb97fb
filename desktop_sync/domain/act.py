"""Appointments, contacts and tasks both ways: the field mapping and the pure planner.

The planner turns the two sides and the link table into a list of actions; the executor runs
each action with its link row in one transaction. Policies, stated once:

- CRM -> Exchange: records selected by the user's sync filters. Exchange -> CRM: items carrying
  the tracking category. Once linked, changes flow both ways, field by field, in the direction
  the mapping allows.
- A record that leaves the filter is unlinked, not deleted in Exchange (deleting cancels
  meetings) unless the delete-on-leave setting is on (off by default). A record that came from a
  tracked Exchange item (its link's base says ``FROM_EXCHANGE``) is not held to the filters: it
  stays linked while the item carries the tracking category, and is unlinked when the category goes.
  An item we created (stamped with its CRM id) is adopted again only by its record still in the
  filter, and never comes back to the CRM as a new record.
- Only a record really deleted in the CRM (its deletion wrote a tombstone, ``deleted`` here) may
  delete its Exchange item, and only when linked (and, for an appointment, organized by the user
  and in the future); otherwise it unlinks. A linked record merely missing from the user's
  snapshot (its owner changed, it is out of scope) is unlinked, exactly like leaving the filter.
  An Exchange delete unlinks: the CRM keeps its record, the system of record (and a record the
  filter still selects is sent again, as a new record would be).
- Safety stop: ``summarize`` and ``safety_stop`` say when a plan would remove too many links at
  once (or one side is suddenly empty); the cycle then holds the plan for an admin to confirm.
- An appointment without an organizer is not synchronized (the reason is reported). No
  invitations for past meetings, meetings without attendees, or when the user is not the organizer.
- Conflicts (both sides changed the same field since the last sync, to different values): the
  CRM's value is kept by default, and the conflict is recorded for the admin to resolve — keep
  CRM, keep Exchange, or keep both (a copy).
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from desktop_sync.domain.model import RecordType


class Flow(enum.Enum):
    BOTH = "both"
    TO_EXCHANGE = "to_exchange"
    TO_CRM = "to_crm"


@dataclass(frozen=True, slots=True)
class FieldMap:
    crm: str  # the CRM record's field
    exchange: str  # the name the Exchange connector uses
    flow: Flow = Flow.BOTH


# The one table of what maps to what, and which way it flows.
MAPPING: dict[RecordType, tuple[FieldMap, ...]] = {
    RecordType.APPOINTMENT: (
        FieldMap("subject", "subject"),
        FieldMap("starts_at", "start"),
        FieldMap("ends_at", "end"),
        FieldMap("all_day", "is_all_day"),
        FieldMap("location", "location"),
        FieldMap("body", "body"),
        FieldMap("attendees", "required_attendees"),
        FieldMap("organizer", "organizer", Flow.TO_CRM),
        FieldMap("show_as", "legacy_free_busy_status"),
        FieldMap("importance", "importance"),
        FieldMap("recurrence", "recurrence"),
    ),
    RecordType.CONTACT: (
        FieldMap("first_name", "given_name"),
        FieldMap("last_name", "surname"),
        FieldMap("full_name", "display_name"),
        FieldMap("company", "company_name"),
        FieldMap("job_title", "job_title"),
        FieldMap("email", "email_address_1"),
        FieldMap("email2", "email_address_2"),
        FieldMap("phone", "business_phone"),
        FieldMap("mobile_phone", "mobile_phone"),
        FieldMap("street", "business_street"),
        FieldMap("city", "business_city"),
        FieldMap("postal_code", "business_postal_code"),
        FieldMap("country", "business_country"),
    ),
    RecordType.TASK: (
        FieldMap("subject", "subject"),
        FieldMap("due_at", "due_date"),
        FieldMap("starts_at", "start_date"),
        FieldMap("status", "status"),
        FieldMap("percent_complete", "percent_complete"),
        FieldMap("priority", "importance"),
        FieldMap("body", "body"),
    ),
}


class ConflictPolicy(enum.Enum):
    KEEP_CRM = "crm"
    KEEP_EXCHANGE = "exchange"
    KEEP_BOTH = "both"


DEFAULT_CONFLICT_POLICY = ConflictPolicy.KEEP_CRM


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (list, tuple, set, frozenset)):
        return sorted(_plain(v) for v in value) if isinstance(value, (set, frozenset)) else [_plain(v) for v in value]
    return value


def content_hash(values: Mapping[str, Any]) -> str:
    """A stable hash of mapped field values (CRM field names), to see what changed since the last sync."""
    text = json.dumps({k: _plain(v) for k, v in sorted(values.items())}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def crm_values(record_type: RecordType, exchange_fields: Mapping[str, Any]) -> dict[str, Any]:
    """Exchange field names -> CRM field names, for the fields the mapping knows."""
    return {m.crm: exchange_fields.get(m.exchange) for m in MAPPING[record_type] if m.exchange in exchange_fields}


def exchange_values(
    record_type: RecordType, crm_fields: Mapping[str, Any], only: Sequence[str] | None = None
) -> dict[str, Any]:
    """CRM field names -> Exchange field names, for fields that may flow to Exchange."""
    return {
        m.exchange: crm_fields.get(m.crm)
        for m in MAPPING[record_type]
        if m.flow is not Flow.TO_CRM and m.crm in crm_fields and (only is None or m.crm in only)
    }


def record_headline(record_type: RecordType, values: Mapping[str, Any]) -> tuple[str | None, Any]:
    """What names a record to a person: (title, date) — an appointment's subject and start, a
    contact's "name <email>", a task's title and due date. Parts not known are None."""
    if record_type is RecordType.CONTACT:
        first_last = " ".join(str(p) for p in (values.get("first_name"), values.get("last_name")) if p)
        name = str(values.get("full_name") or first_last or "")
        email = str(values.get("email") or values.get("email2") or "")
        title = f"{name} <{email}>" if name and email else name or email
        return title or None, None
    subject = values.get("subject")
    when = values.get("starts_at") if record_type is RecordType.APPOINTMENT else values.get("due_at")
    return (str(subject) if subject else None), when


# --- the two sides and the links ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CrmRecord:
    """A CRM record of the user, as it is now. ``values`` uses CRM field names (mapped ones)."""

    local_id: int
    values: Mapping[str, Any]
    in_filter: bool
    deleted: bool = False


@dataclass(frozen=True, slots=True)
class ExchangeItem:
    """An Exchange item that changed since the last sync (or all, on a first sync)."""

    server_id: str
    change_key: str | None
    values: Mapping[str, Any]  # CRM field names, through crm_values()
    tracked: bool  # carries the tracking category
    deleted: bool = False
    origin_local_id: int | None = None  # the CRM id we stamped on it when we created it


# A key of ``Link.base`` (not a field): the link was made from a tracked Exchange item (CreateInCrm).
FROM_EXCHANGE = "_from_exchange"


@dataclass(frozen=True, slots=True)
class Link:
    """What was synchronized last time: both ids, the change key, and the values agreed on then."""

    local_id: int
    server_id: str
    change_key: str | None
    base: Mapping[str, Any]  # CRM field names -> the values both sides had after the last sync


# --- actions ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CreateInExchange:
    local_id: int
    values: Mapping[str, Any]
    send_invitations: bool = False


@dataclass(frozen=True, slots=True)
class UpdateInExchange:
    local_id: int
    server_id: str
    change_key: str | None
    values: Mapping[str, Any]  # only the changed fields (CRM names)


@dataclass(frozen=True, slots=True)
class DeleteInExchange:
    local_id: int
    server_id: str
    change_key: str | None


@dataclass(frozen=True, slots=True)
class CreateInCrm:
    server_id: str
    change_key: str | None
    values: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class UpdateInCrm:
    local_id: int
    server_id: str
    change_key: str | None
    values: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class CopyInCrm:
    """Keep both: the Exchange version of a conflicting record becomes a new, unlinked CRM record."""

    local_id: int
    values: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Adopt:
    """An item we created whose link was lost (a crash between create and commit): link it, create nothing."""

    local_id: int
    server_id: str
    change_key: str | None
    values: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Rekey:
    """The item changed in Exchange in nothing we map: the link learns its new change key (or the next
    update would carry a stale one)."""

    local_id: int
    server_id: str
    change_key: str | None


@dataclass(frozen=True, slots=True)
class Unlink:
    local_id: int
    server_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class Conflict:
    """Both sides changed ``field_name``; ``kept`` says which value the default policy applied."""

    local_id: int
    server_id: str
    field_name: str
    crm_value: Any
    exchange_value: Any
    kept: ConflictPolicy


@dataclass(frozen=True, slots=True)
class Skip:
    """Not synchronized, and why (reported as an item alert)."""

    local_id: int | None
    server_id: str | None
    reason: str


Action = (
    CreateInExchange
    | UpdateInExchange
    | DeleteInExchange
    | CreateInCrm
    | UpdateInCrm
    | CopyInCrm
    | Adopt
    | Rekey
    | Unlink
    | Conflict
    | Skip
)


@dataclass(frozen=True, slots=True)
class PlanSettings:
    delete_on_leaving_filter: bool = False
    conflict_policy: ConflictPolicy = DEFAULT_CONFLICT_POLICY
    user: str = ""  # the syncing user's address (organizer checks)
    now: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))


# --- the planner --------------------------------------------------------------------------------


def _changed(base: Mapping[str, Any], now: Mapping[str, Any], fields: Sequence[str]) -> set[str]:
    return {f for f in fields if f in now and _plain(now.get(f)) != _plain(base.get(f))}


NO_ORGANIZER = "an appointment without an organizer is not synchronized"

# Why a link goes away (Unlink.reason); the first two come from the Exchange side, the rest from the CRM's.
DELETED_IN_EXCHANGE = "deleted in Exchange; the CRM record is kept"
CATEGORY_REMOVED = "the tracking category was removed in Exchange; CRM record kept"
LEFT_FILTER = "left the sync filter; kept in Exchange"
OUT_OF_SCOPE = "no longer among the user's records (owner changed, or out of scope); kept in Exchange"
MEETING_KEPT = "deleted in the CRM; the meeting is left in Exchange (not organized by the user, or past)"
EXCHANGE_SIDE_REASONS = frozenset({DELETED_IN_EXCHANGE, CATEGORY_REMOVED})


def _appointment_problem(values: Mapping[str, Any]) -> str | None:
    if not values.get("organizer"):
        return NO_ORGANIZER
    return None


def _send_invitations(values: Mapping[str, Any], settings: PlanSettings) -> bool:
    organizer = str(values.get("organizer") or "").lower()
    attendees = values.get("attendees") or ()
    starts = values.get("starts_at")
    in_future = isinstance(starts, dt.datetime) and starts > settings.now
    return bool(attendees) and in_future and organizer == settings.user.lower()


def _may_delete_in_exchange(record_type: RecordType, values: Mapping[str, Any], settings: PlanSettings) -> bool:
    if record_type is not RecordType.APPOINTMENT:
        return True
    organizer = str(values.get("organizer") or "").lower()
    starts = values.get("starts_at")
    return organizer == settings.user.lower() and isinstance(starts, dt.datetime) and starts > settings.now


def plan(
    record_type: RecordType,
    crm: Sequence[CrmRecord],
    exchange: Sequence[ExchangeItem],
    links: Sequence[Link],
    settings: PlanSettings,
    deleted: Collection[int] = frozenset(),
    complete: bool = False,
) -> list[Action]:
    """Everything to do to bring both sides in line, in a stable order (links first, then new ones).

    ``deleted``: the local ids with a tombstone (deleted in the CRM). A linked record missing from
    ``crm`` without one was not deleted: it left the user's scope, and is unlinked.
    ``complete``: ``exchange`` is the whole folder (read from the start), not the changes since the
    last sync, so a linked item missing from it was deleted in Exchange.
    """
    mapping = MAPPING[record_type]
    to_exchange = [m.crm for m in mapping if m.flow is not Flow.TO_CRM]
    to_crm = [m.crm for m in mapping if m.flow is not Flow.TO_EXCHANGE]
    records = {r.local_id: r for r in crm}
    items = {i.server_id: i for i in exchange}
    linked_local = {link.local_id for link in links}
    linked_remote = {link.server_id for link in links}
    released: set[int] = set()  # records unlinked by an Exchange-side change: new again, if the filter selects them
    actions: list[Action] = []

    for link in sorted(links, key=lambda x: (x.local_id, x.server_id)):
        record = records.get(link.local_id)
        item = items.get(link.server_id)
        remote_changed = item is not None and not item.deleted and item.change_key != link.change_key
        if (item is not None and item.deleted) or (item is None and complete):
            actions.append(Unlink(link.local_id, link.server_id, DELETED_IN_EXCHANGE))
            released.add(link.local_id)
            continue
        current_key = item.change_key if item is not None else link.change_key
        if (record is not None and record.deleted) or (record is None and link.local_id in deleted):
            base = dict(link.base)
            if _may_delete_in_exchange(record_type, base, settings):
                actions.append(DeleteInExchange(link.local_id, link.server_id, current_key))
            else:
                actions.append(Unlink(link.local_id, link.server_id, MEETING_KEPT))
            continue
        if record is None:  # not deleted: its owner changed, or it is out of the user's scope
            actions.append(Unlink(link.local_id, link.server_id, OUT_OF_SCOPE))
            continue
        if link.base.get(FROM_EXCHANGE) and item is not None and not item.tracked:
            actions.append(Unlink(link.local_id, link.server_id, CATEGORY_REMOVED))
            released.add(link.local_id)
            continue
        if not record.in_filter and not link.base.get(FROM_EXCHANGE):
            if settings.delete_on_leaving_filter and _may_delete_in_exchange(record_type, record.values, settings):
                actions.append(DeleteInExchange(link.local_id, link.server_id, current_key))
            else:
                actions.append(Unlink(link.local_id, link.server_id, LEFT_FILTER))
            continue
        crm_changes = _changed(link.base, record.values, to_exchange)
        exchange_changes = _changed(link.base, item.values, to_crm) if remote_changed and item else set()
        both = crm_changes & exchange_changes
        for name in sorted(both):
            assert item is not None
            if _plain(record.values.get(name)) == _plain(item.values.get(name)):
                continue  # the same change on both sides: nothing to do for it
            actions.append(
                Conflict(
                    link.local_id,
                    link.server_id,
                    name,
                    record.values.get(name),
                    item.values.get(name),
                    settings.conflict_policy,
                )
            )
        same = {n for n in both if item is not None and _plain(record.values.get(n)) == _plain(item.values.get(n))}
        push = crm_changes - exchange_changes
        pull = exchange_changes - crm_changes
        conflicting = both - same
        if settings.conflict_policy is ConflictPolicy.KEEP_EXCHANGE:
            pull |= conflicting
        else:  # keep CRM, or keep both: the linked pair takes the CRM's values
            push |= conflicting
        # The same change on both sides: nothing moves, but the link must learn the agreed value and
        # the new change key, or the next cycle would push it again.
        pull |= same
        if push:
            change_key = item.change_key if item is not None else link.change_key
            actions.append(
                UpdateInExchange(
                    link.local_id, link.server_id, change_key, {n: record.values.get(n) for n in sorted(push)}
                )
            )
        if pull and item is not None:
            actions.append(
                UpdateInCrm(
                    link.local_id, link.server_id, item.change_key, {n: item.values.get(n) for n in sorted(pull)}
                )
            )
        if remote_changed and not push and not pull and item is not None:
            actions.append(Rekey(link.local_id, link.server_id, item.change_key))
        if settings.conflict_policy is ConflictPolicy.KEEP_BOTH and conflicting and item is not None:
            actions.append(CopyInCrm(link.local_id, dict(item.values)))

    # items we created but never recorded (a crash between create and commit) are adopted, not duplicated
    adopted: set[int] = set()
    for item in sorted(exchange, key=lambda i: i.server_id):
        origin = item.origin_local_id
        if origin is None or item.server_id in linked_remote or item.deleted or origin in linked_local:
            continue
        record = records.get(origin)
        if record is not None and record.in_filter and not record.deleted and origin not in adopted:
            adopted.add(origin)
            linked_remote.add(item.server_id)
            actions.append(Adopt(origin, item.server_id, item.change_key, dict(item.values)))
            # the record may have changed since the item was made from it: carry that over now
            behind = _changed(item.values, record.values, to_exchange)
            if behind:
                actions.append(
                    UpdateInExchange(
                        origin, item.server_id, item.change_key, {n: record.values.get(n) for n in sorted(behind)}
                    )
                )

    for record in sorted(crm, key=lambda r: r.local_id):
        if record.local_id in adopted or record.deleted or not record.in_filter:
            continue
        if record.local_id in linked_local and record.local_id not in released:
            continue
        if record_type is RecordType.APPOINTMENT:
            problem = _appointment_problem(record.values)
            if problem is not None:
                actions.append(Skip(record.local_id, None, problem))
                continue
            actions.append(
                CreateInExchange(record.local_id, dict(record.values), _send_invitations(record.values, settings))
            )
        else:
            actions.append(CreateInExchange(record.local_id, dict(record.values)))

    for item in sorted(exchange, key=lambda i: i.server_id):
        if item.server_id in linked_remote or item.deleted or not item.tracked:
            continue
        if item.origin_local_id is not None:
            continue  # we created it from a record since unlinked (out of the filter) or deleted: not again
        if record_type is RecordType.APPOINTMENT:
            problem = _appointment_problem(item.values)
            if problem is not None:
                actions.append(Skip(None, item.server_id, problem))
                continue
        actions.append(CreateInCrm(item.server_id, item.change_key, dict(item.values)))
    return actions


# --- the safety stop ------------------------------------------------------------------------------


class StopReason(enum.Enum):
    """Why a plan waits for an admin's confirmation instead of running."""

    CRM_EMPTY = "crm_empty"  # the user's CRM snapshot has no record at all while links exist
    EXCHANGE_EMPTY = "exchange_empty"  # a full Exchange snapshot has no item at all while links exist
    CRM_MASS_REMOVAL = "crm_mass_removal"  # CRM-side changes would delete or unlink too many links
    EXCHANGE_MASS_REMOVAL = "exchange_mass_removal"  # Exchange-side changes would unlink too many links


@dataclass(frozen=True, slots=True)
class SafetyLimits:
    """A plan that removes more than ``percent`` % of the links and more than ``minimum`` of them waits."""

    percent: int = 20
    minimum: int = 5


@dataclass(frozen=True, slots=True)
class PlanSummary:
    """What a plan would do, counted, and a fingerprint of what it would remove."""

    links: int  # links before the plan
    counts: Mapping[str, int]  # action name -> how many
    removed_by_crm: int  # links the plan deletes or unlinks because of the CRM side
    removed_by_exchange: int  # ... because of the Exchange side
    fingerprint: str  # of the removals (action, record, item): what an admin confirms

    @property
    def removals(self) -> int:
        return self.removed_by_crm + self.removed_by_exchange


def _removal_side(action: Action) -> str | None:
    if isinstance(action, DeleteInExchange):
        return "crm"
    if isinstance(action, Unlink):
        return "exchange" if action.reason in EXCHANGE_SIDE_REASONS else "crm"
    return None


def summarize(actions: Sequence[Action], links: Sequence[Link]) -> PlanSummary:
    """Counts per action, removals per side, and the removals' fingerprint."""
    counts: dict[str, int] = {}
    by_side = {"crm": 0, "exchange": 0}
    removals: list[tuple[str, int, str]] = []
    for action in actions:
        name = type(action).__name__
        counts[name] = counts.get(name, 0) + 1
        side = _removal_side(action)
        if side is not None:
            assert isinstance(action, (DeleteInExchange, Unlink))
            by_side[side] += 1
            removals.append((name, action.local_id, action.server_id))
    digest = hashlib.sha256(json.dumps(sorted(removals)).encode()).hexdigest()[:16]
    return PlanSummary(len(links), dict(sorted(counts.items())), by_side["crm"], by_side["exchange"], digest)


def safety_stop(
    summary: PlanSummary,
    limits: SafetyLimits,
    *,
    crm_empty: bool = False,
    exchange_empty: bool = False,
) -> StopReason | None:
    """Why this plan must wait for confirmation, or None when it may run.

    ``crm_empty``: the user's CRM snapshot has no record at all; ``exchange_empty``: a full Exchange
    snapshot (no cursor) has no item at all. Either matters only while links exist.
    """
    if summary.links and crm_empty:
        return StopReason.CRM_EMPTY
    if summary.links and exchange_empty:
        return StopReason.EXCHANGE_EMPTY

    def too_many(removed: int) -> bool:
        return removed > limits.minimum and removed * 100 > summary.links * limits.percent

    if too_many(summary.removed_by_crm):
        return StopReason.CRM_MASS_REMOVAL
    if too_many(summary.removed_by_exchange):
        return StopReason.EXCHANGE_MASS_REMOVAL
    return None


@dataclass(frozen=True, slots=True)
class HeldPlan:
    """A plan the safety stop holds: one mailbox, one record type, until an admin confirms it."""

    mailbox_id: int
    record_type: RecordType
    reason: StopReason
    counts: Mapping[str, int]
    links: int
    fingerprint: str
    held_at: dt.datetime

    @classmethod
    def of(
        cls, mailbox_id: int, record_type: RecordType, reason: StopReason, summary: PlanSummary, at: dt.datetime
    ) -> HeldPlan:
        return cls(mailbox_id, record_type, reason, dict(summary.counts), summary.links, summary.fingerprint, at)


_ACTION_WORDS = {
    "DeleteInExchange": "delete {n} in Exchange",
    "Unlink": "unlink {n}",
    "CreateInExchange": "create {n} in Exchange",
    "UpdateInExchange": "update {n} in Exchange",
    "CreateInCrm": "create {n} in the CRM",
    "UpdateInCrm": "update {n} in the CRM",
    "CopyInCrm": "copy {n} in the CRM",
    "Adopt": "link {n} again",
    "Conflict": "record {n} conflicts",
    "Skip": "skip {n}",
    "Rekey": "refresh {n} change keys",
}
def describe_counts(counts: Mapping[str, int]) -> str:
    """``{"Unlink": 12, "DeleteInExchange": 3}`` as people read it: "delete 3 in Exchange, unlink 12"."""
    order = list(_ACTION_WORDS)
    names = sorted(counts, key=lambda n: order.index(n) if n in order else len(order))
    return ", ".join(_ACTION_WORDS.get(n, n + " {n}").format(n=counts[n]) for n in names if counts[n])
