"""Appointments, contacts and tasks in the CRM: list and add them, see conflicts and resolve them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from desktop_sync.domain.act import MAPPING, ConflictPolicy
from desktop_sync.domain.errors import NotFoundError, ValidationError
from desktop_sync.domain.model import RecordType
from desktop_sync.domain.ports import Store
from desktop_sync.domain.sync_filters import SYNCED_TYPES
from desktop_sync.domain.validation import normalize_address


@dataclass(frozen=True, slots=True)
class RecordView:
    record_type: RecordType
    id: int
    values: Mapping[str, Any]
    linked_to: tuple[str, ...]  # the Exchange mailboxes it is linked in


class ActService:
    def __init__(self, store: Store):
        self._store = store

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
            for mailbox in await tx.mailboxes.list():
                assert mailbox.id is not None
                for link in await tx.act_links.list(mailbox.id, record_type):
                    linked.setdefault(link.local_id, []).append(mailbox.address)
        return [RecordView(record_type, rid, values, tuple(linked.get(rid, ()))) for rid, values in records]

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

    async def conflicts(self, include_resolved: bool = False) -> Sequence[Mapping[str, Any]]:
        async with self._store.transaction() as tx:
            return await tx.conflicts.list(include_resolved=include_resolved)

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
