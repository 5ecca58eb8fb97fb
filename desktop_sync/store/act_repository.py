"""CRM appointments, contacts and tasks as the ACT sync sees them, their links, and conflicts.

Records travel as mappings of the CRM field names of domain/act.py's MAPPING, plus ``owner`` (the
owner's address) for the sync filters.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from desktop_sync.domain.act import MAPPING, ConflictPolicy, HeldPlan, Link, StopReason
from desktop_sync.domain.errors import NotFoundError
from desktop_sync.domain.model import MailboxId, RecordType, UserId
from desktop_sync.store.models import (
    ActConflictRow,
    ActHeldPlanRow,
    ActTombstoneRow,
    AppointmentRow,
    ContactRow,
    ItemLinkRow,
    TaskRow,
    UserRow,
    utcnow,
)
from desktop_sync.store.writes import dialect_insert

_TABLES: dict[RecordType, Any] = {
    RecordType.APPOINTMENT: AppointmentRow,
    RecordType.CONTACT: ContactRow,
    RecordType.TASK: TaskRow,
}


def _to_json(value: Any) -> str:
    def plain(v: Any) -> Any:
        if isinstance(v, dt.datetime):
            return {"$dt": v.isoformat()}
        if isinstance(v, (list, tuple)):
            return [plain(x) for x in v]
        if isinstance(v, dict):
            return {k: plain(x) for k, x in v.items()}
        return v

    return json.dumps(plain(value), sort_keys=True)


def _from_json(text: str | None) -> Any:
    def back(v: Any) -> Any:
        if isinstance(v, dict) and set(v) == {"$dt"}:
            return dt.datetime.fromisoformat(v["$dt"])
        if isinstance(v, list):
            return tuple(back(x) for x in v)
        if isinstance(v, dict):
            return {k: back(x) for k, x in v.items()}
        return v

    return back(json.loads(text)) if text else None


def _values(record_type: RecordType, row: Any, owner: str | None) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for mapping in MAPPING[record_type]:
        name = mapping.crm
        if name == "attendees":
            values[name] = tuple(a for a in (row.attendees or "").split(",") if a)
        elif name == "recurrence":
            values[name] = _from_json(row.recurrence)
        else:
            values[name] = getattr(row, name, None)
    values["owner"] = owner
    return values


def _fill(record_type: RecordType, row: Any, values: Mapping[str, Any]) -> None:
    for mapping in MAPPING[record_type]:
        name = mapping.crm
        if name not in values:
            continue
        value = values[name]
        if name == "attendees":
            row.attendees = ",".join(value or ())
        elif name == "recurrence":
            row.recurrence = _to_json(value) if value else None
        elif hasattr(row, name):
            setattr(row, name, value)
    if record_type is RecordType.CONTACT and not row.full_name:
        row.full_name = " ".join(p for p in (row.first_name, row.last_name) if p) or (row.email or "(no name)")
    if record_type is RecordType.APPOINTMENT and row.ends_at is None and row.starts_at is not None:
        row.ends_at = row.starts_at


class SqlCrmRecords:
    def __init__(self, session: AsyncSession):
        self._s = session

    async def list(self, record_type: RecordType, owner: UserId | None = None) -> Sequence[tuple[int, dict[str, Any]]]:
        table = _TABLES[record_type]
        query = select(table, UserRow.email).outerjoin(UserRow, UserRow.id == table.owner_user_id).order_by(table.id)
        if owner is not None:
            query = query.where(table.owner_user_id == owner)
        return [(row.id, _values(record_type, row, email)) for row, email in await self._s.execute(query)]

    async def get(self, record_type: RecordType, record_id: int) -> dict[str, Any] | None:
        table = _TABLES[record_type]
        found = (
            await self._s.execute(
                select(table, UserRow.email)
                .outerjoin(UserRow, UserRow.id == table.owner_user_id)
                .where(table.id == record_id)
            )
        ).first()
        return _values(record_type, found[0], found[1]) if found else None

    async def create(self, record_type: RecordType, owner: UserId | None, values: Mapping[str, Any]) -> int:
        table = _TABLES[record_type]
        row = table(owner_user_id=owner)
        if self._s.get_bind().dialect.name == "sqlite":
            # SQLite gives a deleted last id to the next row; a tombstone's id must never name a new
            # record (links and the planner know records by id). PostgreSQL sequences never reuse.
            # The id is computed inside the INSERT itself (RETURNING gives it back): no extra round trip.
            last = select(func.max(table.id)).scalar_subquery()
            buried = (
                select(func.max(ActTombstoneRow.local_id))
                .where(ActTombstoneRow.record_type == record_type.value)
                .scalar_subquery()
            )
            row.id = func.max(func.coalesce(last, 0), func.coalesce(buried, 0)) + 1
        if record_type is RecordType.CONTACT:
            row.full_name = ""
        _fill(record_type, row, values)
        self._s.add(row)
        await self._s.flush()
        return int(row.id)

    async def update(self, record_type: RecordType, record_id: int, values: Mapping[str, Any]) -> None:
        row = await self._s.get(_TABLES[record_type], record_id)
        if row is None:
            raise NotFoundError("id", f"no {record_type.value} {record_id}")
        _fill(record_type, row, values)
        await self._s.flush()

    async def delete(self, record_type: RecordType, record_id: int) -> bool:
        """Delete the record and write its tombstone in the same transaction (only a tombstone lets
        the ACT planner delete the record's Exchange item)."""
        result = await self._s.execute(delete(_TABLES[record_type]).where(_TABLES[record_type].id == record_id))
        if not result.rowcount:  # type: ignore[attr-defined]
            return False
        known = await self._s.scalar(
            select(ActTombstoneRow.id).where(
                ActTombstoneRow.record_type == record_type.value, ActTombstoneRow.local_id == record_id
            )
        )
        if known is None:
            self._s.add(ActTombstoneRow(record_type=record_type.value, local_id=record_id, deleted_at=utcnow()))
        await self._s.flush()
        return True

    async def deleted_ids(self, record_type: RecordType, record_ids: Sequence[int]) -> set[int]:
        found: set[int] = set()
        ids = sorted(set(record_ids))
        for start in range(0, len(ids), 500):  # within every backend's limit of bound parameters
            found.update(
                await self._s.scalars(
                    select(ActTombstoneRow.local_id).where(
                        ActTombstoneRow.record_type == record_type.value,
                        ActTombstoneRow.local_id.in_(ids[start : start + 500]),
                    )
                )
            )
        return found


class SqlActHolds:
    def __init__(self, session: AsyncSession):
        self._s = session

    @staticmethod
    def _plan(row: ActHeldPlanRow) -> HeldPlan:
        return HeldPlan(
            row.mailbox_id,
            RecordType(row.record_type),
            StopReason(row.reason),
            json.loads(row.counts),
            row.links,
            row.fingerprint,
            row.held_at,
        )

    async def _row(self, mailbox_id: MailboxId, record_type: RecordType) -> ActHeldPlanRow | None:
        return await self._s.scalar(
            select(ActHeldPlanRow).where(
                ActHeldPlanRow.mailbox_id == mailbox_id, ActHeldPlanRow.record_type == record_type.value
            )
        )

    async def hold(self, plan: HeldPlan) -> bool:
        row = await self._row(MailboxId(plan.mailbox_id), plan.record_type)
        counts = json.dumps(dict(plan.counts), sort_keys=True)
        same = (plan.fingerprint, plan.reason.value, counts)
        if row is not None and (row.fingerprint, row.reason, row.counts) == same:
            return False
        if row is None:
            row = ActHeldPlanRow(mailbox_id=plan.mailbox_id, record_type=plan.record_type.value)
            self._s.add(row)
        row.reason = plan.reason.value
        row.counts = counts
        row.links = plan.links
        row.fingerprint = plan.fingerprint
        row.held_at = plan.held_at
        await self._s.flush()
        return True

    async def get(self, mailbox_id: MailboxId, record_type: RecordType) -> HeldPlan | None:
        row = await self._row(mailbox_id, record_type)
        return self._plan(row) if row is not None else None

    async def list(self, mailbox_id: MailboxId | None = None) -> Sequence[HeldPlan]:
        query = select(ActHeldPlanRow).order_by(ActHeldPlanRow.mailbox_id, ActHeldPlanRow.record_type)
        if mailbox_id is not None:
            query = query.where(ActHeldPlanRow.mailbox_id == mailbox_id)
        return [self._plan(row) for row in await self._s.scalars(query)]

    async def release(self, mailbox_id: MailboxId, record_type: RecordType) -> bool:
        result = await self._s.execute(
            delete(ActHeldPlanRow).where(
                ActHeldPlanRow.mailbox_id == mailbox_id, ActHeldPlanRow.record_type == record_type.value
            )
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]


class SqlActLinks:
    def __init__(self, session: AsyncSession):
        self._s = session

    async def list(self, mailbox_id: MailboxId, record_type: RecordType) -> Sequence[Link]:
        rows = await self._s.scalars(
            select(ItemLinkRow)
            .where(ItemLinkRow.mailbox_id == mailbox_id, ItemLinkRow.record_type == record_type.value)
            .execution_options(populate_existing=True)  # put() writes with an upsert, past the session
        )
        return [Link(r.local_id, r.server_id, r.change_key, _from_json(r.base) or {}) for r in rows]

    async def put(
        self,
        mailbox_id: MailboxId,
        record_type: RecordType,
        local_id: int,
        server_id: str,
        change_key: str | None,
        base: Mapping[str, Any],
    ) -> None:
        changes = {
            "local_id": local_id,
            "change_key": change_key,
            "base": _to_json(dict(base)),
            "updated_at": dt.datetime.now(dt.UTC),
        }
        statement = dialect_insert(self._s)(ItemLinkRow).values(
            mailbox_id=mailbox_id, record_type=record_type.value, server_id=server_id, **changes
        )
        await self._s.execute(
            statement.on_conflict_do_update(index_elements=["mailbox_id", "record_type", "server_id"], set_=changes)
        )

    async def remove(self, mailbox_id: MailboxId, record_type: RecordType, server_id: str) -> None:
        await self._s.execute(
            delete(ItemLinkRow).where(
                ItemLinkRow.mailbox_id == mailbox_id,
                ItemLinkRow.record_type == record_type.value,
                ItemLinkRow.server_id == server_id,
            )
        )


class SqlConflicts:
    def __init__(self, session: AsyncSession):
        self._s = session

    async def add(
        self,
        mailbox_id: MailboxId,
        record_type: RecordType,
        local_id: int,
        server_id: str,
        field: str,
        crm_value: Any,
        exchange_value: Any,
        kept: ConflictPolicy,
    ) -> int:
        row = ActConflictRow(
            mailbox_id=mailbox_id,
            record_type=record_type.value,
            local_id=local_id,
            server_id=server_id,
            field=field,
            crm_value=_to_json(crm_value),
            exchange_value=_to_json(exchange_value),
            kept=kept.value,
        )
        self._s.add(row)
        await self._s.flush()
        return int(row.id)

    async def list(self, *, include_resolved: bool = False) -> Sequence[dict[str, Any]]:
        query = select(ActConflictRow).order_by(ActConflictRow.id.desc())
        if not include_resolved:
            query = query.where(ActConflictRow.resolved_at.is_(None))
        return [
            {
                "id": r.id,
                "mailbox_id": r.mailbox_id,
                "record_type": r.record_type,
                "local_id": r.local_id,
                "server_id": r.server_id,
                "field": r.field,
                "crm_value": _from_json(r.crm_value),
                "exchange_value": _from_json(r.exchange_value),
                "kept": r.kept,
                "created_at": r.created_at,
                "resolution": r.resolution,
            }
            for r in await self._s.scalars(query)
        ]

    async def resolve(self, conflict_id: int, resolution: ConflictPolicy) -> None:
        await self._s.execute(
            update(ActConflictRow)
            .where(ActConflictRow.id == conflict_id)
            .values(resolved_at=utcnow(), resolution=resolution.value)
        )
