"""The outgoing queue: email activities in pending_send go out through the sender's mailbox.

pending_send -> sending (a claim with owner and time) -> sent. Each step is written before it is
taken. After a crash, a claim that never reached the server is sent again; one whose fate is
unknown is looked for in Sent, and where that cannot decide it is held as "delivery unknown" with
an alert, for the admin to resend or mark sent: a mail is never sent twice, and none is dropped.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Sequence
from typing import Unpack

from desktop_sync.domain.compose import compose
from desktop_sync.domain.errors import DeliveryUnknown, DesktopSyncError, ErrorScope, PermanentError, TransientError
from desktop_sync.domain.model import (
    ActivityStatus,
    Alert,
    AlertScope,
    ApprovalState,
    ConnectionTestStatus,
    Mailbox,
    OutgoingEmail,
    Profile,
    SendStep,
    Severity,
    SyncMethod,
)
from desktop_sync.domain.ports.connectors import OutgoingMail, OutgoingMessage, SendOutcome
from desktop_sync.domain.retry import GiveUp, RetryLater, RetryPolicy
from desktop_sync.domain.signin import SignInNeeded, SignInRefused
from desktop_sync.engine.collaborators import Collaborators, EngineJob
from desktop_sync.engine.credentials import resolve_credentials
from desktop_sync.engine.events import AlertRaised
from desktop_sync.engine.throttle import ThrottleKey

log = logging.getLogger("desktop_sync.engine.outgoing")

CLAIM_BATCH = 20
HOLD_SECONDS = 300.0  # a mail whose mailbox cannot send yet is looked at again this much later
NOT_ENABLED = "approve it and enable outgoing email (Test & Enable); the mail waits"  # why a mail is held


class OutgoingSender(EngineJob):
    def __init__(
        self,
        *,
        owner: str,
        retry: RetryPolicy | None = None,
        claim_timeout: float = 600.0,
        **parts: Unpack[Collaborators],
    ):
        super().__init__(**parts)
        self._owner = owner
        self._retry = retry or RetryPolicy()
        self._claim_timeout = claim_timeout

    # --- the queue -----------------------------------------------------------------------------

    async def run(self) -> int:
        """Send everything due, a batch at a time; returns how many went out."""
        sent = 0
        while True:
            async with self._store.transaction() as tx:
                claimed = await tx.outgoing.claim(self._owner, self._now(), CLAIM_BATCH)
            self._counters.set("desktop_sync_outgoing_claimed", len(claimed))
            if not claimed:
                return sent
            for email in claimed:
                if await self._send(email):
                    sent += 1

    async def recover(self, live_owners: Sequence[str] | None) -> None:
        """Resolve claims left by an engine that died: ``live_owners`` None means every claim is stale."""
        now = self._now()
        async with self._store.transaction() as tx:
            if live_owners is None:
                stale = await tx.outgoing.in_flight()
            else:
                stale = await tx.outgoing.in_flight(
                    claimed_before=now - dt.timedelta(seconds=self._claim_timeout), owners_not_in=live_owners
                )
        for email in stale:
            log.info("recovering %s (%s, step %s)", email.message_id, email.claim_owner, email.send_step)
            if email.send_step in (None, SendStep.CLAIMED):
                async with self._store.transaction() as tx:
                    await tx.outgoing.finish(email.id, ActivityStatus.PENDING_SEND)  # never reached a server
            elif email.send_step in (SendStep.COPIED_TO_SENT, SendStep.SENT):
                await self._finish_sent(email, email.send_step)
            else:
                await self._resolve_unknown(email, email.send_step)

    # --- one mail ------------------------------------------------------------------------------

    async def _sender(self, email: OutgoingEmail) -> tuple[Mailbox, Profile] | None:
        async with self._store.transaction() as tx:
            mailbox = await tx.mailboxes.get(email.mailbox_id)
            profile = await tx.profiles.get(mailbox.profile_id) if mailbox else None
        return (mailbox, profile) if mailbox and profile else None

    async def _send(self, email: OutgoingEmail) -> bool:
        sender = await self._sender(email)
        if sender is None:
            await self._fail(email, None, "sender_missing", "the sending mailbox no longer exists")
            return False
        mailbox, profile = sender
        outgoing = mailbox.outgoing
        if (
            mailbox.approval is not ApprovalState.APPROVED
            or outgoing.method is not SyncMethod.SERVER_SIDE
            or not outgoing.enabled
        ):
            await self._hold(
                email,
                mailbox,
                "outgoing_disabled",
                f"{mailbox.address} cannot send yet: {NOT_ENABLED}",
                reason=NOT_ENABLED,
            )
            return False
        try:
            credentials = await resolve_credentials(self._secrets, profile, mailbox, self._tokens)
        except (SignInNeeded, SignInRefused) as exc:
            await self._wait_for_sign_in(email, mailbox, exc)
            return False
        except PermanentError as exc:
            await self._hold(email, mailbox, exc.code, exc.message)
            return False
        message = OutgoingMessage(email.message_id, email.sender, email.recipients, compose(email, self._now()))
        async with self._store.transaction() as tx:
            await tx.outgoing.set_step(email.id, SendStep.HANDED_TO_SERVER)
        try:
            async with self._throttles.slot(ThrottleKey.of(profile, mailbox), profile.max_connections):
                connector = self._connectors.outgoing(profile, mailbox, credentials)
                try:
                    result = await connector.send(message)
                    if result.outcome is SendOutcome.REJECTED:
                        await self._fail(email, mailbox, "smtp_rejected", result.detail or "the server refused it")
                        return False
                    async with self._store.transaction() as tx:
                        await tx.outgoing.set_step(email.id, SendStep.ACCEPTED)
                    step = SendStep.ACCEPTED
                    if result.copied_to_sent or await self._copy_to_sent(connector, message, mailbox):
                        step = SendStep.COPIED_TO_SENT
                    await self._finish_sent(email, step)
                    self._counters.add("desktop_sync_sent_total")
                    return True
                finally:
                    await connector.close()
        except DeliveryUnknown:
            await self._resolve_unknown(email, SendStep.HANDED_TO_SERVER)
        except TransientError as exc:
            await self._transient(email, mailbox, exc)
        except (SignInNeeded, SignInRefused) as exc:
            await self._wait_for_sign_in(email, mailbox, exc)
        except PermanentError as exc:
            if exc.scope is ErrorScope.ITEM:
                await self._fail(email, mailbox, exc.code, exc.message)
            else:  # the mailbox or profile cannot send: disable the channel, keep the mail waiting
                await self._disable_outgoing(mailbox, exc)
                await self._hold(email, mailbox, exc.code, exc.message, alert=False)
        return False

    async def _copy_to_sent(self, connector: OutgoingMail, message: OutgoingMessage, mailbox: Mailbox) -> bool:
        try:
            return await connector.copy_to_sent(message)
        except DesktopSyncError as exc:  # the mail went out; only the copy is missing
            await self._alert(
                Severity.WARNING,
                "copy_to_sent_failed",
                mailbox,
                message.message_id,
                {"detail": exc.message},
            )
            return False

    async def _finish_sent(self, email: OutgoingEmail, step: SendStep) -> None:
        """``step`` is how far it got; a mail accepted by the server is sent, copied to Sent or not."""
        log.info("%s sent (last step %s)", email.message_id, step.value)
        async with self._store.transaction() as tx:
            await tx.outgoing.finish(email.id, ActivityStatus.SENT, step=SendStep.SENT, sent_at=self._now())

    async def _resolve_unknown(self, email: OutgoingEmail, step: SendStep | None) -> None:
        """Its fate is unknown: Sent decides when it can; else hold it for the admin."""
        found: bool | None = None
        sender = await self._sender(email)
        if step is SendStep.ACCEPTED:
            found = True  # the server said yes before we lost track; only the copy may be missing
        elif sender is not None:
            mailbox, profile = sender
            try:
                credentials = await resolve_credentials(self._secrets, profile, mailbox, self._tokens)
                async with self._throttles.slot(ThrottleKey.of(profile, mailbox), profile.max_connections):
                    connector = self._connectors.outgoing(profile, mailbox, credentials)
                    try:
                        found = await connector.find_sent(email.message_id)
                    finally:
                        await connector.close()
            except DesktopSyncError as exc:
                log.info("cannot look for %s in Sent: %s", email.message_id, exc.message)
        if found:
            await self._finish_sent(email, SendStep.SENT)
            return
        async with self._store.transaction() as tx:
            await tx.outgoing.finish(
                email.id,
                ActivityStatus.DELIVERY_UNKNOWN,
                step=step,
                error="the connection broke while the server had the mail; it is not in Sent",
            )
        await self._alert(
            Severity.ERROR,
            "delivery_unknown",
            sender[0] if sender else None,
            email.message_id,
            {"message_id": repr(email.message_id), "subject": repr(email.subject)},
            says="mail_delivery_unknown",
        )

    async def _transient(self, email: OutgoingEmail, mailbox: Mailbox, error: TransientError) -> None:
        self._counters.error("transient", error.code)
        decision = self._retry.decide(error, email.attempts)
        if isinstance(decision, RetryLater):
            async with self._store.transaction() as tx:
                await tx.outgoing.finish(
                    email.id,
                    ActivityStatus.PENDING_SEND,
                    error=error.message,
                    retry_at=self._now() + dt.timedelta(seconds=decision.delay),
                )
            return
        assert isinstance(decision, GiveUp)
        await self._fail(email, mailbox, error.code, decision.error.message)

    async def _fail(self, email: OutgoingEmail, mailbox: Mailbox | None, code: str, detail: str) -> None:
        self._counters.error("permanent", code)
        async with self._store.transaction() as tx:
            await tx.outgoing.finish(email.id, ActivityStatus.FAILED, error=detail)
        await self._alert(
            Severity.ERROR,
            code,
            mailbox,
            email.message_id,
            {"subject": repr(email.subject), "recipients": ", ".join(email.recipients), "detail": detail},
            says="mail_failed",
        )

    async def _hold(
        self,
        email: OutgoingEmail,
        mailbox: Mailbox,
        code: str,
        detail: str,
        alert: bool = True,
        reason: str | None = None,
    ) -> None:
        """Keep the mail waiting; ``reason`` is the alert's detail when ``detail`` says more than the code's text."""
        async with self._store.transaction() as tx:
            await tx.outgoing.finish(
                email.id,
                ActivityStatus.PENDING_SEND,
                error=detail,
                retry_at=self._now() + dt.timedelta(seconds=HOLD_SECONDS),
            )
        if alert and email.attempts <= 1:
            facts = {"address": mailbox.address, "detail": detail if reason is None else reason}
            await self._alert(Severity.WARNING, code, mailbox, email.message_id, facts)

    async def _wait_for_sign_in(
        self, email: OutgoingEmail, mailbox: Mailbox, error: SignInNeeded | SignInRefused
    ) -> None:
        """The mailbox's grant is gone: its mail waits, the channel stays enabled, and one alert (its
        fix: sign in again) says so until a sign-in clears it; then the mail goes at its next look."""
        async with self._store.transaction() as tx:
            open_alerts = await tx.alerts.list(mailbox_id=mailbox.id)
        alert = not any(a.code == error.code and a.item_ref is None for a in open_alerts)
        await self._hold(email, mailbox, error.code, error.message, alert=False)
        if alert:
            facts = {"address": mailbox.address, "server": "the outgoing server", "detail": error.message}
            await self._alert(Severity.ERROR, error.code, mailbox, None, facts)

    async def _disable_outgoing(self, mailbox: Mailbox, error: PermanentError) -> None:
        async with self._store.transaction() as tx:
            current = await tx.mailboxes.get(mailbox.id) if mailbox.id is not None else None
            if current is not None:
                outgoing = dataclasses.replace(
                    current.outgoing, enabled=False, test_status=ConnectionTestStatus.FAILURE, failed_step=error.code
                )
                await tx.mailboxes.update(dataclasses.replace(current, outgoing=outgoing))
        facts = {"address": mailbox.address, "server": "the outgoing server", "detail": error.message}
        await self._alert(Severity.ERROR, error.code, mailbox, None, facts)

    async def _alert(
        self,
        severity: Severity,
        code: str,
        mailbox: Mailbox | None,
        item: str | None,
        facts: dict[str, str],
        says: str | None = None,
    ) -> None:
        async with self._store.transaction() as tx:
            alert = await tx.alerts.add(
                Alert(
                    severity,
                    AlertScope.ITEM if item else AlertScope.MAILBOX,
                    code,
                    facts,
                    mailbox_id=mailbox.id if mailbox else None,
                    profile_id=mailbox.profile_id if mailbox else None,
                    item_ref=item,
                    created_at=self._now(),
                    says=says,
                )
            )
        self._bus.publish(AlertRaised(alert))
