"""Mailboxes and the state of their channels."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from desktop_sync.domain.model import (
    ApprovalState,
    ChannelState,
    ConnectionTestStatus,
    Mailbox,
    MailboxId,
    ProfileId,
    QueueId,
    SyncMethod,
    UserId,
)
from desktop_sync.store.models import MailboxRow
from desktop_sync.store.writes import flush_unique


def _channel(row: MailboxRow, prefix: str) -> ChannelState:
    return ChannelState(
        method=SyncMethod(getattr(row, f"{prefix}_method")),
        enabled=getattr(row, f"{prefix}_enabled"),
        test_status=ConnectionTestStatus(getattr(row, f"{prefix}_test_status")),
        failed_step=getattr(row, f"{prefix}_failed_step"),
        tested_at=getattr(row, f"{prefix}_tested_at"),
    )


def _fill_channel(row: MailboxRow, prefix: str, state: ChannelState) -> None:
    setattr(row, f"{prefix}_method", state.method.value)
    setattr(row, f"{prefix}_enabled", state.enabled)
    setattr(row, f"{prefix}_test_status", state.test_status.value)
    setattr(row, f"{prefix}_failed_step", state.failed_step)
    setattr(row, f"{prefix}_tested_at", state.tested_at)


def _mailbox(row: MailboxRow) -> Mailbox:
    return Mailbox(
        id=MailboxId(row.id),
        address=row.address,
        name=row.name,
        profile_id=ProfileId(row.profile_id),
        user_id=UserId(row.user_id) if row.user_id is not None else None,
        queue_id=QueueId(row.queue_id) if row.queue_id is not None else None,
        login=row.login,
        approval=ApprovalState(row.approval),
        incoming=_channel(row, "incoming"),
        outgoing=_channel(row, "outgoing"),
        act=_channel(row, "act"),
        process_email_from=row.process_email_from,
        is_forward_mailbox=row.is_forward_mailbox,
    )


def _fill_mailbox(row: MailboxRow, m: Mailbox) -> None:
    row.address = m.address
    row.name = m.name
    row.profile_id = m.profile_id
    row.user_id = m.user_id
    row.queue_id = m.queue_id
    row.login = m.login
    row.approval = m.approval.value
    _fill_channel(row, "incoming", m.incoming)
    _fill_channel(row, "outgoing", m.outgoing)
    _fill_channel(row, "act", m.act)
    row.process_email_from = m.process_email_from
    row.is_forward_mailbox = m.is_forward_mailbox


class SqlMailboxes:
    def __init__(self, session: AsyncSession):
        self._s = session

    async def add(self, mailbox: Mailbox) -> Mailbox:
        row = MailboxRow()
        _fill_mailbox(row, mailbox)
        self._s.add(row)
        await flush_unique(self._s, "address", f"a mailbox {mailbox.address!r}")
        return _mailbox(row)

    async def update(self, mailbox: Mailbox) -> Mailbox:
        row = await self._s.get(MailboxRow, mailbox.id)
        if row is None:
            raise LookupError(f"mailbox {mailbox.id} vanished")
        _fill_mailbox(row, mailbox)
        await flush_unique(self._s, "address", f"a mailbox {mailbox.address!r}")
        return _mailbox(row)

    async def get(self, mailbox_id: MailboxId) -> Mailbox | None:
        row = await self._s.get(MailboxRow, mailbox_id)
        return _mailbox(row) if row else None

    async def get_many(self, mailbox_ids: Sequence[MailboxId]) -> dict[MailboxId, Mailbox]:
        if not mailbox_ids:
            return {}
        rows = await self._s.scalars(select(MailboxRow).where(MailboxRow.id.in_(mailbox_ids)))
        return {MailboxId(r.id): _mailbox(r) for r in rows}

    async def by_address(self, address: str) -> Mailbox | None:
        row = await self._s.scalar(select(MailboxRow).where(MailboxRow.address == address.lower()))
        return _mailbox(row) if row else None

    async def by_user(self, user_id: UserId) -> Mailbox | None:
        row = await self._s.scalar(select(MailboxRow).where(MailboxRow.user_id == user_id))
        return _mailbox(row) if row else None

    async def by_queue(self, queue_id: QueueId) -> Mailbox | None:
        row = await self._s.scalar(select(MailboxRow).where(MailboxRow.queue_id == queue_id))
        return _mailbox(row) if row else None

    async def list(self) -> Sequence[Mailbox]:
        rows = await self._s.scalars(select(MailboxRow).order_by(MailboxRow.address))
        return [_mailbox(r) for r in rows]

    async def delete(self, mailbox_id: MailboxId) -> None:
        # a statement, not the unit of work: the database's ON DELETE rules keep the activities
        # (mailbox set to NULL) and drop the cursors, links, status and leases
        await self._s.execute(delete(MailboxRow).where(MailboxRow.id == mailbox_id))
        self._s.expire_all()
