"""Alerts: what an admin should know, stored as a code and its facts."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from desktop_sync.domain.model import Alert, AlertId, AlertScope, MailboxId, ProfileId, Severity
from desktop_sync.store.mapping import from_row
from desktop_sync.store.models import AlertRow


def facts_from_json(stored: str | None) -> dict[str, str]:
    """An alert's facts as stored; a value that is not an object of names (a hand-edited row) reads
    as no facts, and the alert still shows its title and fix."""
    try:
        loaded = json.loads(stored or "{}")
    except ValueError:
        return {}
    return {str(name): str(value) for name, value in loaded.items()} if isinstance(loaded, dict) else {}


def _alert(row: AlertRow) -> Alert:
    return from_row(
        row,
        Alert,
        id=AlertId(row.id),
        severity=Severity(row.severity),
        scope=AlertScope(row.scope),
        facts=facts_from_json(row.facts),
        mailbox_id=MailboxId(row.mailbox_id) if row.mailbox_id is not None else None,
        profile_id=ProfileId(row.profile_id) if row.profile_id is not None else None,
        cleared=row.cleared_at is not None,
    )


class SqlAlerts:
    def __init__(self, session: AsyncSession):
        self._s = session

    async def add(self, alert: Alert) -> Alert:
        row = AlertRow(
            severity=alert.severity.value,
            scope=alert.scope.value,
            code=alert.code,
            facts=json.dumps({str(name): str(value) for name, value in alert.facts.items()}, ensure_ascii=False),
            says=alert.says,
            mailbox_id=alert.mailbox_id,
            profile_id=alert.profile_id,
            item_ref=alert.item_ref,
        )
        if alert.created_at is not None:
            row.created_at = alert.created_at
        self._s.add(row)
        await self._s.flush()
        return _alert(row)

    async def clear(self, alert_ids: Sequence[AlertId], at: dt.datetime) -> int:
        result = await self._s.execute(
            update(AlertRow).where(AlertRow.id.in_(alert_ids), AlertRow.cleared_at.is_(None)).values(cleared_at=at)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def clear_code(self, mailbox_id: MailboxId, codes: Sequence[str], at: dt.datetime) -> int:
        result = await self._s.execute(
            update(AlertRow)
            .where(AlertRow.mailbox_id == mailbox_id, AlertRow.code.in_(codes), AlertRow.cleared_at.is_(None))
            .values(cleared_at=at)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def list(self, *, mailbox_id: MailboxId | None = None, include_cleared: bool = False) -> Sequence[Alert]:
        query = select(AlertRow).order_by(AlertRow.created_at.desc(), AlertRow.id.desc())
        if mailbox_id is not None:
            query = query.where(AlertRow.mailbox_id == mailbox_id)
        if not include_cleared:
            query = query.where(AlertRow.cleared_at.is_(None))
        return [_alert(r) for r in await self._s.scalars(query)]
