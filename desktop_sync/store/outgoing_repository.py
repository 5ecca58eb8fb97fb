"""The outgoing queue in the store: email activities from pending_send through sending to sent.

Each step of a send is written before it is taken, so a crash leaves a record of how far it got.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from desktop_sync.domain.correlation import subject_key, tracking_token
from desktop_sync.domain.model import (
    ActivityId,
    ActivityStatus,
    Direction,
    MailboxId,
    OutgoingAttachment,
    OutgoingEmail,
    PartyRole,
    SendStep,
)
from desktop_sync.domain.ports import OutgoingDraft
from desktop_sync.store.models import ActivityPartyRow, AttachmentRow, EmailActivityRow, MailboxRow, UserRow


def _outgoing(row: EmailActivityRow, sender: str, sender_name: str) -> OutgoingEmail:
    def role(r: PartyRole) -> tuple[str, ...]:
        return tuple(p.address for p in row.parties if p.role == r.value)

    return OutgoingEmail(
        id=ActivityId(row.id),
        mailbox_id=MailboxId(row.mailbox_id or 0),
        sender=sender,
        sender_name=sender_name,
        to=role(PartyRole.TO),
        cc=role(PartyRole.CC),
        bcc=role(PartyRole.BCC),
        subject=row.subject,
        message_id=row.message_id or "",
        body_text=row.body_text,
        body_html=row.body_html,
        in_reply_to=row.in_reply_to,
        references=tuple((row.references or "").split()),
        attachments=tuple(OutgoingAttachment(a.filename, a.content_type, a.content or b"") for a in row.attachments),
        status=ActivityStatus(row.status),
        send_step=SendStep(row.send_step) if row.send_step else None,
        attempts=row.send_attempts,
        claim_owner=row.send_claim_owner,
        claimed_at=row.send_claim_at,
    )


class SqlOutgoing:
    def __init__(self, session: AsyncSession):
        self._s = session

    async def queue(self, draft: OutgoingDraft, token_prefix: str | None) -> OutgoingEmail:
        row = EmailActivityRow(
            mailbox_id=draft.mailbox_id,
            direction=Direction.OUTGOING.value,
            status=ActivityStatus.PENDING_SEND.value,
            subject=draft.subject,
            subject_key=subject_key(draft.subject, token_prefix),
            body_text=draft.body_text,
            body_html=draft.body_html,
            message_id=draft.message_id,
            in_reply_to=draft.in_reply_to,
            references=" ".join(draft.references) or None,
            regarding_type=draft.regarding[0].value if draft.regarding else None,
            regarding_id=draft.regarding[1] if draft.regarding else None,
            correlated_activity_id=draft.correlated_activity_id,
            send_attempts=0,
        )
        row.parties = [ActivityPartyRow(role=PartyRole.FROM.value, address=draft.sender)] + [
            ActivityPartyRow(role=role.value, address=address)
            for role, addresses in ((PartyRole.TO, draft.to), (PartyRole.CC, draft.cc), (PartyRole.BCC, draft.bcc))
            for address in addresses
        ]
        row.attachments = [
            AttachmentRow(
                filename=a.filename, content_type=a.content_type, size_bytes=len(a.content), content=a.content
            )
            for a in draft.attachments
        ]
        self._s.add(row)
        await self._s.flush()
        if token_prefix:
            token = tracking_token(token_prefix, row.id)
            row.tracking_token = token
            row.subject = f"{draft.subject} {token}".strip()
            await self._s.flush()
        found = await self.get(ActivityId(row.id))
        assert found is not None
        return found

    async def _load(self, query: object) -> list[OutgoingEmail]:
        rows = list(
            await self._s.scalars(
                query.options(  # type: ignore[attr-defined]
                    selectinload(EmailActivityRow.parties), selectinload(EmailActivityRow.attachments)
                )
            )
        )
        senders = await self._senders({r.mailbox_id for r in rows if r.mailbox_id is not None})
        return [_outgoing(r, *senders.get(r.mailbox_id or 0, ("", ""))) for r in rows]

    async def _senders(self, mailbox_ids: set[int]) -> dict[int, tuple[str, str]]:
        if not mailbox_ids:
            return {}
        rows = await self._s.execute(
            select(MailboxRow.id, MailboxRow.address, MailboxRow.name, UserRow.name)
            .outerjoin(UserRow, UserRow.id == MailboxRow.user_id)
            .where(MailboxRow.id.in_(mailbox_ids))
        )
        return {mid: (address, user_name or name or "") for mid, address, name, user_name in rows}

    async def get(self, activity_id: ActivityId) -> OutgoingEmail | None:
        found = await self._load(select(EmailActivityRow).where(EmailActivityRow.id == activity_id))
        return found[0] if found else None

    async def claim(self, owner: str, now: dt.datetime, limit: int) -> Sequence[OutgoingEmail]:
        """Take up to ``limit`` due pending_send activities: state sending, step claimed, owner set."""
        query = (
            select(EmailActivityRow)
            .where(
                EmailActivityRow.status == ActivityStatus.PENDING_SEND.value,
                or_(EmailActivityRow.send_after.is_(None), EmailActivityRow.send_after <= now),
            )
            .order_by(EmailActivityRow.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        rows = list(await self._s.scalars(query))
        for row in rows:
            row.status = ActivityStatus.SENDING.value
            row.send_step = SendStep.CLAIMED.value
            row.send_claim_owner = owner
            row.send_claim_at = now
            row.send_attempts = (row.send_attempts or 0) + 1
        await self._s.flush()
        if not rows:
            return []
        return await self._load(select(EmailActivityRow).where(EmailActivityRow.id.in_([r.id for r in rows])))

    async def set_step(self, activity_id: ActivityId, step: SendStep) -> None:
        row = await self._s.get(EmailActivityRow, activity_id)
        assert row is not None
        row.send_step = step.value
        await self._s.flush()

    async def finish(
        self,
        activity_id: ActivityId,
        status: ActivityStatus,
        *,
        step: SendStep | None = None,
        error: str | None = None,
        retry_at: dt.datetime | None = None,
        sent_at: dt.datetime | None = None,
    ) -> None:
        """End a claim: sent, failed, delivery unknown, or back to pending_send (to retry at ``retry_at``)."""
        row = await self._s.get(EmailActivityRow, activity_id)
        assert row is not None
        row.status = status.value
        if step is not None:
            row.send_step = step.value
        elif status is ActivityStatus.PENDING_SEND:
            row.send_step = None
        row.send_error = error
        row.send_after = retry_at
        row.send_claim_owner = None
        row.send_claim_at = None
        if sent_at is not None:
            row.sent_at = sent_at
        await self._s.flush()

    async def in_flight(
        self, *, claimed_before: dt.datetime | None = None, owners_not_in: Sequence[str] | None = None
    ) -> Sequence[OutgoingEmail]:
        """Claims in state sending: those older than ``claimed_before`` or held by a dead owner."""
        query = select(EmailActivityRow).where(EmailActivityRow.status == ActivityStatus.SENDING.value)
        conditions = []
        if claimed_before is not None:
            conditions.append(EmailActivityRow.send_claim_at < claimed_before)
        if owners_not_in is not None:
            conditions.append(EmailActivityRow.send_claim_owner.not_in(list(owners_not_in)))
        if conditions:
            query = query.where(or_(*conditions))
        return await self._load(query.order_by(EmailActivityRow.id))

    async def by_status(self, statuses: Sequence[ActivityStatus], limit: int = 500) -> Sequence[OutgoingEmail]:
        query = (
            select(EmailActivityRow)
            .where(
                EmailActivityRow.direction == Direction.OUTGOING.value,
                EmailActivityRow.status.in_([s.value for s in statuses]),
            )
            .order_by(EmailActivityRow.id.desc())
            .limit(limit)
        )
        return await self._load(query)
