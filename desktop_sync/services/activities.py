"""Email written in the CRM: queue it for sending, follow it, and decide on those whose fate is unknown."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

from desktop_sync.domain.compose import new_message_id
from desktop_sync.domain.errors import NotFoundError, ValidationError
from desktop_sync.domain.model import (
    ActivityId,
    ActivityStatus,
    Direction,
    EmailActivity,
    OutgoingAttachment,
    OutgoingEmail,
    SendStep,
)
from desktop_sync.domain.ports import OutgoingDraft, Store
from desktop_sync.domain.validation import normalize_address


class ActivityService:
    def __init__(self, store: Store):
        self._store = store

    async def send_email(
        self,
        sender: str,
        to: Sequence[str],
        subject: str,
        *,
        body_text: str | None = None,
        body_html: str | None = None,
        cc: Sequence[str] = (),
        bcc: Sequence[str] = (),
        attachments: Sequence[OutgoingAttachment] = (),
        tracking_token: bool = True,
        in_reply_to_activity: int | None = None,
    ) -> OutgoingEmail:
        """Queue an email for the sender's mailbox to send (pending_send). The Message-ID is fixed now."""
        sender = normalize_address(sender, "from")
        recipients = {
            "to": tuple(normalize_address(a, "to") for a in to),
            "cc": tuple(normalize_address(a, "cc") for a in cc),
            "bcc": tuple(normalize_address(a, "bcc") for a in bcc),
        }
        if not (recipients["to"] or recipients["cc"] or recipients["bcc"]):
            raise ValidationError.single("to", "at least one recipient is needed")
        if len(subject) > 900:
            raise ValidationError.single("subject", "at most 900 characters")
        async with self._store.transaction() as tx:
            mailbox = await tx.mailboxes.by_address(sender)
            if mailbox is None or mailbox.id is None:
                raise NotFoundError("from", f"no mailbox {sender} to send from")
            profile = await tx.profiles.get(mailbox.profile_id)
            assert profile is not None
            in_reply_to: str | None = None
            references: tuple[str, ...] = ()
            if in_reply_to_activity is not None:
                original = await tx.outgoing.get(ActivityId(in_reply_to_activity))
                if original is None:
                    raise NotFoundError("in_reply_to", f"no activity {in_reply_to_activity}")
                in_reply_to = original.message_id
                references = (*original.references, original.message_id)
            draft = OutgoingDraft(
                mailbox_id=mailbox.id,
                sender=sender,
                to=recipients["to"],
                cc=recipients["cc"],
                bcc=recipients["bcc"],
                subject=subject.strip(),
                message_id=new_message_id(sender),
                body_text=body_text,
                body_html=body_html,
                in_reply_to=in_reply_to,
                references=references,
                correlated_activity_id=in_reply_to_activity,
                attachments=tuple(attachments),
            )
            return await tx.outgoing.queue(draft, profile.tracking_token_prefix if tracking_token else None)

    async def activities(
        self,
        *,
        direction: Direction | None = None,
        mailbox: str | None = None,
        search: str | None = None,
        limit: int = 200,
        offset: int = 0,
    ) -> Sequence[EmailActivity]:
        """Tracked and sent email, newest first, without bodies (``activity`` has them)."""
        async with self._store.transaction() as tx:
            mailbox_id = None
            if mailbox:
                found = await tx.mailboxes.by_address(normalize_address(mailbox, "mailbox"))
                if found is None:
                    raise NotFoundError("mailbox", f"no mailbox {mailbox}")
                mailbox_id = found.id
            return await tx.activities.list(
                direction=direction, mailbox_id=mailbox_id, search=search, limit=limit, offset=offset
            )

    async def activity(self, activity_id: int) -> EmailActivity:
        """One activity with its bodies, and the names of the records it links to (not their ids)."""
        async with self._store.transaction() as tx:
            found = await tx.activities.detail(activity_id)
            if found is None:
                raise NotFoundError("id", f"no activity {activity_id}")
            regarding_name = correlated_subject = None
            if found.regarding is not None:
                choice = (await tx.records.choices([found.regarding])).get(found.regarding)
                if choice is not None:
                    regarding_name = f"{choice.name} <{choice.email}>" if choice.email else choice.name
            if found.correlated_activity_id is not None:
                correlated = await tx.activities.detail(found.correlated_activity_id)
                correlated_subject = correlated.subject if correlated is not None else None
        return dataclasses.replace(found, regarding_name=regarding_name, correlated_subject=correlated_subject)

    async def attachment_content(self, activity_id: int, position: int) -> bytes:
        """The stored content of an attachment (``position`` as ``activity`` lists them), to save to a file."""
        async with self._store.transaction() as tx:
            content = await tx.activities.attachment_content(activity_id, position)
        if content is None:
            raise NotFoundError("attachment", f"activity {activity_id} has no stored attachment {position + 1}")
        return content

    async def outgoing(self, statuses: Sequence[ActivityStatus] | None = None) -> Sequence[OutgoingEmail]:
        wanted = statuses or list(ActivityStatus)
        async with self._store.transaction() as tx:
            return await tx.outgoing.by_status(wanted)

    async def resend(self, activity_id: int) -> OutgoingEmail:
        """Send again a mail that failed or whose delivery is unknown: the admin decided."""
        return await self._decide(activity_id, ActivityStatus.PENDING_SEND)

    async def mark_sent(self, activity_id: int) -> OutgoingEmail:
        """Record as sent a mail whose delivery was unknown (a recipient confirmed it arrived)."""
        return await self._decide(activity_id, ActivityStatus.SENT)

    async def _decide(self, activity_id: int, status: ActivityStatus) -> OutgoingEmail:
        async with self._store.transaction() as tx:
            email = await tx.outgoing.get(ActivityId(activity_id))
            if email is None:
                raise NotFoundError("id", f"no outgoing email {activity_id}")
            allowed = {ActivityStatus.DELIVERY_UNKNOWN, ActivityStatus.FAILED}
            if status is ActivityStatus.SENT:
                allowed = {ActivityStatus.DELIVERY_UNKNOWN}
            if email.status not in allowed:
                raise ValidationError.single(
                    "id",
                    f"email {activity_id} is {email.status.value}; only "
                    + " or ".join(sorted(s.value for s in allowed))
                    + " can be changed this way",
                )
            if status is ActivityStatus.SENT:
                await tx.outgoing.finish(email.id, status, step=SendStep.SENT, sent_at=dt.datetime.now(dt.UTC))
            else:
                await tx.outgoing.finish(email.id, status)
            updated = await tx.outgoing.get(email.id)
            assert updated is not None
            return updated
