"""Appointments, contacts and tasks in the CRM: list and add them with their link state, see conflicts
and resolve them, and say what a dry run of the ACT cycle would do (``describe_plan``)."""

from __future__ import annotations

import datetime as dt
import enum
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from desktop_sync.domain.act import (
    MAPPING,
    Action,
    Adopt,
    Conflict,
    ConflictPolicy,
    CopyInCrm,
    CreateInCrm,
    CreateInExchange,
    DeleteInExchange,
    HeldPlan,
    Rekey,
    Skip,
    StopReason,
    Unlink,
    UpdateInCrm,
    UpdateInExchange,
)
from desktop_sync.domain.errors import NotFoundError, ValidationError
from desktop_sync.domain.model import RecordType, SyncMethod
from desktop_sync.domain.ports import Store
from desktop_sync.domain.sync_filters import SYNCED_TYPES, selects
from desktop_sync.domain.validation import normalize_address
from desktop_sync.engine.act_cycle import ActReport


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class LinkState(enum.Enum):
    """Where a CRM record stands with Exchange."""

    LINKED = "linked"  # linked to an Exchange item in one or more mailboxes
    CONFLICT = "conflict"  # linked, with a conflict waiting for the admin
    PENDING = "pending"  # selected by the owner's sync filters, not linked yet: the next cycle sends it
    NOT_SELECTED = "not_selected"  # no active sync filter of its owner selects it
    NO_MAILBOX = "no_mailbox"  # its owner has no mailbox synchronizing appointments, contacts and tasks


@dataclass(frozen=True, slots=True)
class RecordView:
    record_type: RecordType
    id: int
    values: Mapping[str, Any]
    linked_to: tuple[str, ...]  # the Exchange mailboxes it is linked in
    link_state: LinkState = LinkState.NOT_SELECTED
    items: tuple[str, ...] = ()  # the Exchange item ids it is linked to
    open_conflicts: int = 0

    @property
    def title(self) -> str:
        return record_title(self.record_type, self.values)


@dataclass(frozen=True, slots=True)
class ConflictView:
    """A conflict as the admin reads it: which record, which field, both values, and what became of it."""

    id: int
    record_type: RecordType
    local_id: int
    record: str  # the record's title ("" when it no longer exists)
    mailbox: str
    field: str
    crm_value: Any
    exchange_value: Any
    kept: ConflictPolicy
    created_at: dt.datetime | None
    resolution: ConflictPolicy | None = None

    @property
    def resolved(self) -> bool:
        return self.resolution is not None


def record_title(record_type: RecordType, values: Mapping[str, Any]) -> str:
    """What names a record in a list: an appointment's or task's subject, a contact's name or address."""
    if record_type is RecordType.CONTACT:
        name = values.get("full_name") or " ".join(
            str(p) for p in (values.get("first_name"), values.get("last_name")) if p
        )
        return str(name or values.get("email") or "")
    return str(values.get("subject") or "")


class ActService:
    def __init__(self, store: Store, clock: Callable[[], dt.datetime] = utcnow):
        self._store = store
        self._now = clock

    async def records(self, record_type: RecordType, user_email: str | None = None) -> Sequence[RecordView]:
        async with self._store.transaction() as tx:
            owner = None
            if user_email:
                user = await tx.users.by_email(normalize_address(user_email, "user"))
                if user is None:
                    raise NotFoundError("user", f"no user {user_email}")
                owner = user.id
            records = await tx.crm.list(record_type, owner)
            linked: dict[int, list[str]] = {}
            items: dict[int, list[str]] = {}
            act_owners: set[int] = set()  # users whose mailbox synchronizes appointments, contacts and tasks
            for mailbox in await tx.mailboxes.list():
                assert mailbox.id is not None
                if mailbox.user_id is not None and mailbox.act.method is SyncMethod.SERVER_SIDE and mailbox.act.enabled:
                    act_owners.add(mailbox.user_id)
                for link in await tx.act_links.list(mailbox.id, record_type):
                    linked.setdefault(link.local_id, []).append(mailbox.address)
                    items.setdefault(link.local_id, []).append(link.server_id)
            conflicts: dict[int, int] = {}
            for conflict in await tx.conflicts.list():
                if conflict["record_type"] == record_type.value:
                    conflicts[conflict["local_id"]] = conflicts.get(conflict["local_id"], 0) + 1
            users = {u.email: u for u in await tx.users.list()}
            filters = {
                u.email: await tx.sync_filters.list(user_id=u.id, record_type=record_type) for u in users.values()
            }
        now = self._now()
        views = []
        for rid, values in records:
            owner_email = values.get("owner")
            if conflicts.get(rid):
                state = LinkState.CONFLICT
            elif rid in linked:
                state = LinkState.LINKED
            elif not owner_email or owner_email not in users or users[owner_email].id not in act_owners:
                state = LinkState.NO_MAILBOX
            elif selects(filters.get(owner_email, ()), record_type, values, now, owner_email):
                state = LinkState.PENDING
            else:
                state = LinkState.NOT_SELECTED
            views.append(
                RecordView(
                    record_type,
                    rid,
                    values,
                    tuple(linked.get(rid, ())),
                    state,
                    tuple(items.get(rid, ())),
                    conflicts.get(rid, 0),
                )
            )
        return views

    async def add(self, record_type: RecordType, user_email: str, values: Mapping[str, Any]) -> RecordView:
        if record_type not in SYNCED_TYPES:
            raise ValidationError.single("type", f"{record_type.value} is not an appointment, contact or task")
        known = {m.crm for m in MAPPING[record_type]}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValidationError.single(unknown[0], f"not a field of {record_type.value}s")
        _check(record_type, values)
        async with self._store.transaction() as tx:
            user = await tx.users.by_email(normalize_address(user_email, "user"))
            if user is None:
                raise NotFoundError("user", f"no user {user_email}")
            record_id = await tx.crm.create(record_type, user.id, values)
            stored = await tx.crm.get(record_type, record_id)
        assert stored is not None
        return RecordView(record_type, record_id, stored, ())

    async def held_plans(self, address: str | None = None) -> Sequence[HeldPlan]:
        """The plans the safety stop holds (of one mailbox, or all), for confirmation."""
        async with self._store.transaction() as tx:
            if address is None:
                return await tx.act_holds.list()
            mailbox = await tx.mailboxes.by_address(normalize_address(address, "address"))
            if mailbox is None or mailbox.id is None:
                raise NotFoundError("address", f"no mailbox {address}")
            return await tx.act_holds.list(mailbox.id)

    async def delete(self, record_type: RecordType, record_id: int) -> str:
        """Delete a CRM record (its tombstone is written with it: the next cycle may delete its Exchange
        item, where the deletion rules allow). Returns its title."""
        if record_type not in SYNCED_TYPES:
            raise ValidationError.single("type", f"{record_type.value} is not an appointment, contact or task")
        async with self._store.transaction() as tx:
            record = await tx.crm.get(record_type, record_id)
            if record is None or not await tx.crm.delete(record_type, record_id):
                raise NotFoundError("id", f"no {record_type.value} {record_id}")
        return record_title(record_type, record)

    async def set(self, record_type: RecordType, record_id: int, assignments: Sequence[str]) -> RecordView:
        """Change fields of a CRM record from ``FIELD=VALUE`` texts (the mapping's CRM field names; an
        empty value clears the field). Every assignment is checked before anything is written."""
        if record_type not in SYNCED_TYPES:
            raise ValidationError.single("type", f"{record_type.value} is not an appointment, contact or task")
        if not assignments:
            raise ValidationError.single("FIELD=VALUE", "give at least one FIELD=VALUE")
        changes = parse_assignments(record_type, assignments)
        async with self._store.transaction() as tx:
            record = await tx.crm.get(record_type, record_id)
            if record is None:
                raise NotFoundError("id", f"no {record_type.value} {record_id}")
            _check(record_type, {**record, **changes})
            await tx.crm.update(record_type, record_id, changes)
            stored = await tx.crm.get(record_type, record_id)
        assert stored is not None
        return RecordView(record_type, record_id, stored, ())

    async def conflicts(self, include_resolved: bool = False) -> Sequence[Mapping[str, Any]]:
        async with self._store.transaction() as tx:
            return await tx.conflicts.list(include_resolved=include_resolved)

    async def conflict_views(self, include_resolved: bool = False) -> Sequence[ConflictView]:
        """The conflicts with their record's title and their mailbox, newest first."""
        async with self._store.transaction() as tx:
            conflicts = await tx.conflicts.list(include_resolved=include_resolved)
            addresses = {m.id: m.address for m in await tx.mailboxes.list()}
            views = []
            for c in conflicts:
                record_type = RecordType(c["record_type"])
                record = await tx.crm.get(record_type, c["local_id"])
                views.append(
                    ConflictView(
                        id=c["id"],
                        record_type=record_type,
                        local_id=c["local_id"],
                        record=record_title(record_type, record) if record is not None else "",
                        mailbox=addresses.get(c["mailbox_id"], ""),
                        field=c["field"],
                        crm_value=c["crm_value"],
                        exchange_value=c["exchange_value"],
                        kept=ConflictPolicy(c["kept"]),
                        created_at=c["created_at"],
                        resolution=ConflictPolicy(c["resolution"]) if c["resolution"] else None,
                    )
                )
        return views

    async def titles(self, record_type: RecordType) -> dict[int, str]:
        """Every record's title by id, to name the records a plan speaks of."""
        async with self._store.transaction() as tx:
            return {rid: record_title(record_type, values) for rid, values in await tx.crm.list(record_type)}

    async def resolve(self, conflict_id: int, resolution: ConflictPolicy) -> Mapping[str, Any]:
        """Keep the CRM's value, Exchange's, or both (a copy): the next cycle carries it to the other side."""
        async with self._store.transaction() as tx:
            conflict = next((c for c in await tx.conflicts.list() if c["id"] == conflict_id), None)
            if conflict is None:
                raise NotFoundError("id", f"no open conflict {conflict_id}")
            record_type = RecordType(conflict["record_type"])
            record = await tx.crm.get(record_type, conflict["local_id"])
            if record is None:
                raise NotFoundError("id", f"the {record_type.value} of conflict {conflict_id} no longer exists")
            field_name = conflict["field"]
            if resolution is ConflictPolicy.KEEP_CRM:
                await tx.crm.update(record_type, conflict["local_id"], {field_name: conflict["crm_value"]})
            elif resolution is ConflictPolicy.KEEP_EXCHANGE:
                await tx.crm.update(record_type, conflict["local_id"], {field_name: conflict["exchange_value"]})
            else:
                copy = {k: v for k, v in record.items() if k != "owner"}
                copy[field_name] = conflict["exchange_value"]
                owner = None
                if record.get("owner"):
                    user = await tx.users.by_email(str(record["owner"]))
                    owner = user.id if user else None
                await tx.crm.create(record_type, owner, copy)
            await tx.conflicts.resolve(conflict_id, resolution)
            return conflict


# What each mapped field takes, when given as text (``contact set 12 company=Contoso``).
_DATETIMES = {"starts_at", "ends_at", "due_at"}
_ADDRESSES = {"organizer", "email", "email2"}
_CHOICES = {
    "show_as": ("free", "tentative", "busy", "out_of_office", "working_elsewhere"),
    "importance": ("low", "normal", "high"),
    "priority": ("low", "normal", "high"),
    "status": ("not_started", "in_progress", "completed", "waiting", "deferred"),
}
_PATTERNS = ("daily", "weekly", "monthly", "yearly")
_TEXT_LIMIT = 100_000
# The store's column widths (the CRM's own limits): longer text is refused, not cut.
_LENGTHS = {
    "full_name": 200,
    "first_name": 100,
    "last_name": 100,
    "phone": 50,
    "mobile_phone": 50,
    "company": 200,
    "job_title": 200,
    "street": 500,
    "city": 200,
    "postal_code": 50,
    "country": 200,
    "location": 500,
}


def settable_fields(record_type: RecordType) -> tuple[str, ...]:
    """The fields ``set`` takes: the CRM side of the mapping table."""
    return tuple(m.crm for m in MAPPING[record_type])


def parse_value(record_type: RecordType, name: str, text: str) -> Any:
    """``text`` as the value of field ``name``; ValidationError naming the field when it cannot be."""
    if name not in settable_fields(record_type):
        raise ValidationError.single(
            name, f"not a field of {record_type.value}s (one of: {', '.join(settable_fields(record_type))})"
        )
    if "\x00" in text or len(text) > _TEXT_LIMIT:
        raise ValidationError.single(name, "not a value this field can hold")
    value = text.strip()
    if name in ("all_day",):
        if value.lower() in ("true", "yes", "on", "1"):
            return True
        if value.lower() in ("false", "no", "off", "0", ""):
            return False
        raise ValidationError.single(name, f"{text!r} is not true or false")
    if not value:
        return () if name == "attendees" else None
    if name in _DATETIMES:
        try:
            when = dt.datetime.fromisoformat(value)
        except ValueError:
            raise ValidationError.single(name, f"{text!r} is not an ISO date or date-time") from None
        return when.replace(tzinfo=dt.UTC) if when.tzinfo is None else when.astimezone(dt.UTC)
    if name in _ADDRESSES:
        return normalize_address(value, name)
    if name == "attendees":
        return tuple(normalize_address(a, name) for a in value.split(",") if a.strip())
    if name in _CHOICES:
        if value.lower() not in _CHOICES[name]:
            raise ValidationError.single(name, f"{text!r} is not one of {', '.join(_CHOICES[name])}")
        return value.lower()
    if name == "percent_complete":
        try:
            number = int(value)
        except ValueError:
            raise ValidationError.single(name, f"{text!r} is not a whole number") from None
        if not 0 <= number <= 100:
            raise ValidationError.single(name, f"{number} is outside 0-100")
        return number
    if name == "recurrence":
        try:
            data = json.loads(value)
        except ValueError:
            raise ValidationError.single(name, "not JSON (see the README for the pattern's keys)") from None
        if not isinstance(data, dict) or data.get("pattern") not in _PATTERNS:
            raise ValidationError.single(name, f"a JSON object whose pattern is one of {', '.join(_PATTERNS)}")
        return data
    limit = _LENGTHS.get(name)
    if limit is not None and len(value) > limit:
        raise ValidationError.single(name, f"longer than {limit} characters")
    return value


def parse_assignments(record_type: RecordType, assignments: Sequence[str]) -> dict[str, Any]:
    """``["FIELD=VALUE", ...]`` as field values, all checked; ValidationError on the first bad one."""
    changes: dict[str, Any] = {}
    for assignment in assignments:
        name, sep, text = assignment.partition("=")
        name = name.strip()
        if not sep or not name:
            raise ValidationError.single("FIELD=VALUE", f"{assignment!r} is not FIELD=VALUE")
        changes[name] = parse_value(record_type, name, text)
    return changes


def _check(record_type: RecordType, values: Mapping[str, Any]) -> None:
    if record_type is RecordType.APPOINTMENT:
        starts, ends = values.get("starts_at"), values.get("ends_at")
        if not isinstance(starts, dt.datetime):
            raise ValidationError.single("start", "an appointment needs a start")
        if isinstance(ends, dt.datetime) and ends < starts:
            raise ValidationError.single("end", "the end is before the start")
        if not values.get("subject"):
            raise ValidationError.single("subject", "an appointment needs a subject")
    elif record_type is RecordType.TASK and not values.get("subject"):
        raise ValidationError.single("subject", "a task needs a subject")
    elif record_type is RecordType.CONTACT and not any(
        values.get(k) for k in ("first_name", "last_name", "full_name", "email")
    ):
        raise ValidationError.single("last_name", "a contact needs a name or an email address")


# --- the dry run, as the admin reads it ------------------------------------------------------------


class PlannedKind(enum.Enum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    COPY = "copy"  # keep both: a new CRM record with Exchange's values
    LINK = "link"  # an item we created whose link was lost: linked again, nothing created
    UNLINK = "unlink"
    CONFLICT = "conflict"
    SKIP = "skip"


class Side(enum.Enum):
    CRM = "crm"
    EXCHANGE = "exchange"
    BOTH = "both"  # the link between them (link, unlink, conflict)


@dataclass(frozen=True, slots=True)
class PlannedAction:
    record_type: RecordType
    kind: PlannedKind
    side: Side
    title: str  # the record's or item's title, "" when unknown
    local_id: int | None = None
    server_id: str | None = None
    fields: tuple[str, ...] = ()  # the CRM field names an update or a conflict concerns
    reason: str = ""  # why (unlink, skip), from the planner
    crm_value: Any = None  # a conflict's two values
    exchange_value: Any = None
    kept: ConflictPolicy | None = None  # a conflict: the value the policy keeps
    send_invitations: bool = False


@dataclass(frozen=True, slots=True)
class ActPreview:
    """What one ACT cycle of a mailbox would do, per record type; nothing was changed to learn it."""

    address: str
    actions: Mapping[RecordType, tuple[PlannedAction, ...]]
    skipped: str | None = None  # why the cycle would do nothing
    held: Mapping[RecordType, StopReason] = field(default_factory=dict)  # plans the safety stop holds
    fingerprints: Mapping[RecordType, str] = field(default_factory=dict)  # of the held plans, to confirm them

    def count(self) -> int:
        return sum(len(actions) for actions in self.actions.values())


def planned_action(
    record_type: RecordType,
    action: Action,
    titles: Mapping[int, str],
    item_titles: Mapping[str, str] | None = None,
) -> PlannedAction:
    """One planner action as the admin reads it: what, on which side, to which record (by its title)."""
    local_id = getattr(action, "local_id", None)
    server_id = getattr(action, "server_id", None)
    values = getattr(action, "values", None) or {}
    title = titles.get(local_id, "") if local_id is not None else ""
    title = title or record_title(record_type, values) or (item_titles or {}).get(server_id or "", "")

    return action.run(_Describer(record_type, title, local_id, server_id))


class _Describer:
    """An ``ActionRunner`` that says what each kind of action does, on which side."""

    def __init__(self, record_type: RecordType, title: str, local_id: int | None, server_id: str | None):
        self._record_type = record_type
        self._title = title
        self._local_id = local_id
        self._server_id = server_id

    def _made(self, kind: PlannedKind, side: Side, **more: Any) -> PlannedAction:
        return PlannedAction(self._record_type, kind, side, self._title, self._local_id, self._server_id, **more)

    def create_in_exchange(self, action: CreateInExchange) -> PlannedAction:
        return self._made(PlannedKind.CREATE, Side.EXCHANGE, send_invitations=action.send_invitations)

    def update_in_exchange(self, action: UpdateInExchange) -> PlannedAction:
        return self._made(PlannedKind.UPDATE, Side.EXCHANGE, fields=tuple(action.values))

    def delete_in_exchange(self, action: DeleteInExchange) -> PlannedAction:
        return self._made(PlannedKind.DELETE, Side.EXCHANGE)

    def create_in_crm(self, action: CreateInCrm) -> PlannedAction:
        return self._made(PlannedKind.CREATE, Side.CRM)

    def update_in_crm(self, action: UpdateInCrm) -> PlannedAction:
        return self._made(PlannedKind.UPDATE, Side.CRM, fields=tuple(action.values))

    def copy_in_crm(self, action: CopyInCrm) -> PlannedAction:
        return self._made(PlannedKind.COPY, Side.CRM)

    def adopt(self, action: Adopt) -> PlannedAction:
        return self._made(PlannedKind.LINK, Side.BOTH)

    def rekey(self, action: Rekey) -> PlannedAction:
        raise ValueError("a change key's bookkeeping is not a planned action: describe_plan leaves it out")

    def unlink(self, action: Unlink) -> PlannedAction:
        return self._made(PlannedKind.UNLINK, Side.BOTH, reason=action.reason)

    def conflict(self, action: Conflict) -> PlannedAction:
        return self._made(
            PlannedKind.CONFLICT,
            Side.BOTH,
            fields=(action.field_name,),
            crm_value=action.crm_value,
            exchange_value=action.exchange_value,
            kept=action.kept,
        )

    def skip(self, action: Skip) -> PlannedAction:
        side = Side.CRM if action.local_id is not None else Side.EXCHANGE
        return self._made(PlannedKind.SKIP, side, reason=action.reason)


def describe_plan(report: ActReport, titles: Mapping[RecordType, Mapping[int, str]]) -> ActPreview:
    """A dry run's report as planned actions per record type (``titles``: each record's title by id)."""
    actions = {
        t.record_type: tuple(
            planned_action(t.record_type, a, titles.get(t.record_type, {}), t.item_titles)
            for a in t.actions
            if not isinstance(a, Rekey)  # bookkeeping of a change key: nothing the admin decides on
        )
        for t in report.types
    }
    held = {t.record_type: t.stop for t in report.types if t.stop is not None}
    fingerprints = {t.record_type: t.summary.fingerprint for t in report.types if t.stop and t.summary}
    return ActPreview(report.address, actions, report.skipped, held, fingerprints)
