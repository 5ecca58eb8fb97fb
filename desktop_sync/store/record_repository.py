"""The CRM records the engine resolves mail to: users, queues, contacts, accounts and leads."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from desktop_sync.domain.folders import RecordChoice
from desktop_sync.domain.model import RecordType, UserId
from desktop_sync.store.models import AccountRow, ContactRow, LeadRow, QueueRow, UserRow

# What a folder can be regarding, and the column that names each.
_REGARDING_TABLES: dict[RecordType, tuple[Any, Any]] = {
    RecordType.ACCOUNT: (AccountRow, AccountRow.name),
    RecordType.CONTACT: (ContactRow, ContactRow.full_name),
    RecordType.LEAD: (LeadRow, LeadRow.full_name),
}
# What names any record an activity can link to (regarding, parties).
_NAMED_TABLES: dict[RecordType, tuple[Any, Any]] = {
    **_REGARDING_TABLES,
    RecordType.USER: (UserRow, UserRow.name),
    RecordType.QUEUE: (QueueRow, QueueRow.name),
}


class SqlRecords:
    """Resolving addresses to CRM records, in the order of precedence user > contact > account > lead."""

    def __init__(self, session: AsyncSession):
        self._s = session

    async def find_by_email(self, address: str) -> tuple[RecordType, int] | None:
        address = address.lower()
        for record_type, table in (
            (RecordType.USER, UserRow),
            (RecordType.CONTACT, ContactRow),
            (RecordType.ACCOUNT, AccountRow),
            (RecordType.LEAD, LeadRow),
        ):
            found = await self._s.scalar(
                select(table.id).where(func.lower(table.email) == address).order_by(table.id).limit(1)
            )
            if found is not None:
                return record_type, int(found)
        return None

    async def find_many_by_email(self, addresses: Sequence[str]) -> dict[str, tuple[RecordType, int]]:
        """Each address's CRM record, user > contact > account > lead: one query per kind for a batch."""
        wanted = {a.lower() for a in addresses}
        found: dict[str, tuple[RecordType, int]] = {}
        for record_type, table in (
            (RecordType.USER, UserRow),
            (RecordType.CONTACT, ContactRow),
            (RecordType.ACCOUNT, AccountRow),
            (RecordType.LEAD, LeadRow),
        ):
            missing = sorted(wanted - found.keys())
            if not missing:
                break
            rows = await self._s.execute(
                select(func.lower(table.email), table.id)
                .where(func.lower(table.email).in_(missing))
                .order_by(table.id.desc())
            )
            for address, record_id in rows:
                found[address] = (record_type, int(record_id))  # the lowest id wins (rows come highest first)
        return found

    async def exists(self, record_type: RecordType, record_id: int) -> bool:
        table = {
            RecordType.USER: UserRow,
            RecordType.CONTACT: ContactRow,
            RecordType.ACCOUNT: AccountRow,
            RecordType.LEAD: LeadRow,
        }.get(record_type)
        return table is not None and await self._s.get(table, record_id) is not None

    async def search(self, text: str, kinds: Sequence[RecordType], limit: int) -> Sequence[RecordChoice]:
        words = text.replace("\x00", "").strip().lower()  # a NUL would end SQLite's pattern (PostgreSQL refuses it)
        if not words or limit <= 0:
            return []
        pattern = "%" + words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        found: list[RecordChoice] = []
        for record_type in kinds:
            table, name = _REGARDING_TABLES[record_type]
            rows = await self._s.execute(
                select(table.id, name, table.email)
                .where(
                    or_(func.lower(name).like(pattern, escape="\\"), func.lower(table.email).like(pattern, escape="\\"))
                )
                .order_by(func.lower(name), table.id)
                .limit(limit)
            )
            found += [RecordChoice(record_type, int(i), str(n or ""), e) for i, n, e in rows]
        # the best first: names that start with what was typed, then by name
        found.sort(key=lambda c: (not c.name.lower().startswith(words), c.name.lower(), c.record_type.value))
        return found[:limit]

    async def choices(self, refs: Sequence[tuple[RecordType, int]]) -> dict[tuple[RecordType, int], RecordChoice]:
        found: dict[tuple[RecordType, int], RecordChoice] = {}
        for record_type in {kind for kind, _ in refs}:
            if record_type not in _NAMED_TABLES:
                continue
            table, name = _NAMED_TABLES[record_type]
            ids = sorted({record_id for kind, record_id in refs if kind is record_type})
            rows = await self._s.execute(select(table.id, name, table.email).where(table.id.in_(ids)))
            for record_id, record_name, email in rows:
                found[(record_type, int(record_id))] = RecordChoice(
                    record_type, int(record_id), str(record_name or ""), email
                )
        return found

    async def add_contact_from_email(self, address: str, display_name: str, owner: UserId | None) -> int:
        name = display_name.strip() or address
        first, _, last = name.partition(" ") if display_name.strip() else ("", "", "")
        row = ContactRow(
            full_name=name,
            first_name=first or None,
            last_name=last or None,
            email=address.lower(),
            owner_user_id=owner,
            created_from_email=True,
        )
        self._s.add(row)
        await self._s.flush()
        return row.id
