"""How repositories write rows that two writers may race on: one upsert, or a flush whose unique
violation is the same answer validation would give."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from desktop_sync.domain.errors import ValidationError


def dialect_insert(session: AsyncSession) -> Any:
    """The INSERT of the store's dialect, with ON CONFLICT: a row that two writers may both create first
    (a status, a cursor, a counter, a heartbeat) is written with one upsert, never read-then-insert,
    which fails with a UNIQUE violation when the other writer inserts in between."""
    return postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


async def flush_unique(session: AsyncSession, field: str, what: str) -> None:
    """Flush, turning a unique-constraint race into the same answer validation would give."""
    try:
        await session.flush()
    except IntegrityError as exc:
        raise ValidationError.single(field, f"{what} already exists") from exc
