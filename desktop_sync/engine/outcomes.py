"""What follows from a mailbox cycle's outcome: success schedules the next cycle, an error a retry
with back-off or a disabled channel with an alert; the profile's health across its mailboxes."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Unpack

from desktop_sync.domain.errors import DesktopSyncError, ErrorScope, TransientError
from desktop_sync.domain.mailbox_state import end_import
from desktop_sync.domain.model import (
    Alert,
    AlertScope,
    ConnectionTestStatus,
    MailboxId,
    MailboxState,
    ProfileId,
    Severity,
    SyncStatus,
)
from desktop_sync.domain.ports import Store, Transaction
from desktop_sync.domain.retry import GiveUp, RetryLater
from desktop_sync.domain.signin import SIGNIN_NEEDED, SIGNIN_REFUSED
from desktop_sync.engine.collaborators import Collaborators, EngineJob
from desktop_sync.engine.cycle_context import Context, CycleOutcome, CycleSettings
from desktop_sync.engine.events import AlertRaised, MailboxStateChanged

RESUME_SECONDS = 5.0  # a mailbox stopped at the per-cycle cap comes back this soon
HEALTH_WINDOW = dt.timedelta(hours=1)
SIGNIN_RECHECK = dt.timedelta(hours=1)  # a mailbox waiting for a sign-in, unless a sign-in asks sooner


class ProfileHealth:
    """Remembers which mailboxes of each profile failed in the last hour."""

    def __init__(self) -> None:
        self._failures: dict[ProfileId, dict[MailboxId, dt.datetime]] = {}
        self._alerted: dict[ProfileId, dt.datetime] = {}

    def succeeded(self, profile: ProfileId, mailbox: MailboxId) -> None:
        self._failures.get(profile, {}).pop(mailbox, None)

    def failed(self, profile: ProfileId, mailbox: MailboxId, now: dt.datetime, total: int) -> int | None:
        """Record a failure; returns how many failed when that is more than half and not yet alerted."""
        failures = self._failures.setdefault(profile, {})
        failures[mailbox] = now
        for key, at in list(failures.items()):
            if now - at > HEALTH_WINDOW:
                del failures[key]
        last = self._alerted.get(profile)
        # with a single mailbox its own alert says it all; a profile alert needs two or more
        if total >= 2 and len(failures) * 2 > total and (last is None or now - last > HEALTH_WINDOW):
            self._alerted[profile] = now
            return len(failures)
        return None


class StatusBuffer:
    """Statuses of idle polls waiting to be written together (the newest per mailbox wins).

    Losing them in a crash costs nothing that matters: the mailbox is polled a little sooner.
    """

    def __init__(self) -> None:
        self._pending: dict[MailboxId, SyncStatus] = {}

    def put(self, status: SyncStatus) -> None:
        self._pending[status.mailbox_id] = status

    def __len__(self) -> int:
        return len(self._pending)

    def take(self, mailbox_id: MailboxId) -> SyncStatus | None:
        """The status waiting for ``mailbox_id``, taken out to be written with a change."""
        return self._pending.pop(mailbox_id, None)

    async def flush(self, store: Store) -> None:
        if not self._pending:
            return
        pending, self._pending = self._pending, {}
        async with store.transaction() as tx:
            await tx.status.save_many(list(pending.values()))


class CycleOutcomes(EngineJob):
    """What follows from a cycle's end: the mailbox's status and next time, a retry with back-off or
    a disabled channel, and the alerts that go with them."""

    def __init__(
        self,
        *,
        settings: CycleSettings,
        health: ProfileHealth,
        status_buffer: StatusBuffer | None,
        **parts: Unpack[Collaborators],
    ):
        super().__init__(**parts)
        self._settings = settings
        self._health = health
        self._status_buffer = status_buffer

    async def succeeded(self, ctx: Context, items: int, more: bool) -> CycleOutcome:
        now = self._now()
        policy = self._settings.schedule
        interval = policy.next_interval(ctx.status.interval_seconds, items, ctx.profile.min_poll_seconds)
        wait = RESUME_SECONDS if more else policy.with_jitter(interval, ctx.profile.min_poll_seconds)
        next_sync = now + dt.timedelta(seconds=wait)
        assert ctx.profile.id is not None
        self._health.succeeded(ctx.profile.id, ctx.id)
        changes = {
            "state": MailboxState.IDLE,
            "last_sync_at": now,
            "next_sync_at": next_sync,
            "interval_seconds": interval,
            "failure_count": 0,
            "last_error_code": None,
            "last_error": None,
            "backoff_until": None,
        }
        if not more:  # the import, if one ran, has ended
            changes |= {"import_done": None, "import_total": None, "import_base": 0, "import_started_at": None,
                        "import_eta_at": None}  # fmt: skip
        if items == 0 and not ctx.status.last_error_code and self._status_buffer is not None:
            # an idle poll: its status is written with others' in one transaction a moment later
            self._status_buffer.put(dataclasses.replace(ctx.status, **changes))  # type: ignore[arg-type]
        else:
            async with self._store.transaction() as tx:
                status = await tx.status.get(ctx.id)  # items_synced moved with the items
                if status.last_error_code:
                    await tx.alerts.clear_code(ctx.id, [status.last_error_code], now)
                await tx.status.save(dataclasses.replace(status, **changes))  # type: ignore[arg-type]
        self._bus.publish(MailboxStateChanged(ctx.id, ctx.mailbox.address, MailboxState.IDLE, next_sync_at=next_sync))
        return CycleOutcome(next_sync, items, more_pending=more)

    async def failed(self, ctx: Context, error: DesktopSyncError) -> CycleOutcome:
        now = self._now()
        kind = "transient" if isinstance(error, TransientError) else "permanent"
        self._counters.error(kind, error.code)
        async with self._store.transaction() as tx:
            status = await tx.status.get(ctx.id)
            attempt = status.failure_count + 1
            decision = self._settings.retry.decide(error, attempt)
            facts = {
                "address": ctx.mailbox.address,
                "server": ctx.server,
                "detail": error.message,
                "attempts": str(attempt),
            }
            new_code = status.last_error_code != error.code
            if error.code in (SIGNIN_NEEDED, SIGNIN_REFUSED):
                # Its channels stay enabled but wait: a new sign-in asks for a sync, and the mailbox goes
                # on from its cursors. Until then it is looked at again only hourly (not at every reload
                # of the mailbox list), and one alert stands however often the engine finds it so.
                backoff_until, severity = None, Severity.ERROR
                next_sync = now + SIGNIN_RECHECK
                state, raise_alert, says = MailboxState.NEEDS_ATTENTION, new_code, None
            elif isinstance(decision, RetryLater):
                backoff_until = now + dt.timedelta(seconds=decision.delay)
                state, next_sync, severity = MailboxState.BACKING_OFF, backoff_until, Severity.WARNING
                raise_alert = new_code
                says = None
            else:
                assert isinstance(decision, GiveUp)
                backoff_until, next_sync, severity = None, None, Severity.ERROR
                state = MailboxState.DISABLED
                raise_alert = True
                status = end_import(status)  # stopped: no import runs until it is enabled again
                says = "retries_exhausted" if decision.exhausted else None
                await self._disable_incoming(tx, ctx, error.code)
            await tx.status.save(
                dataclasses.replace(
                    status,
                    state=state,
                    next_sync_at=next_sync,
                    failure_count=attempt,
                    last_error_code=error.code,
                    last_error=error.message,
                    backoff_until=backoff_until,
                    last_sync_at=now,
                )
            )
            alerts: list[Alert] = []
            if raise_alert:
                scope = AlertScope.PROFILE if error.scope is ErrorScope.PROFILE else AlertScope.MAILBOX
                alerts.append(
                    await tx.alerts.add(
                        Alert(
                            severity,
                            scope,
                            error.code,
                            facts,
                            mailbox_id=ctx.id,
                            profile_id=ctx.profile.id,
                            created_at=now,
                            says=says,
                        )
                    )
                )
            alerts.extend(await self._check_profile_health(tx, ctx, now))
        for alert in alerts:
            self._bus.publish(AlertRaised(alert))
        self._bus.publish(
            MailboxStateChanged(ctx.id, ctx.mailbox.address, state, error.message, next_sync, backoff_until)
        )
        return CycleOutcome(next_sync, 0, error.code)

    async def _disable_incoming(self, tx: Transaction, ctx: Context, code: str) -> None:
        mailbox = await tx.mailboxes.get(ctx.id)
        if mailbox is None:
            return
        incoming = dataclasses.replace(
            mailbox.incoming, enabled=False, test_status=ConnectionTestStatus.FAILURE, failed_step=code
        )
        await tx.mailboxes.update(dataclasses.replace(mailbox, incoming=incoming))

    async def _check_profile_health(self, tx: Transaction, ctx: Context, now: dt.datetime) -> list[Alert]:
        assert ctx.profile.id is not None
        active = [
            m
            for m in await tx.mailboxes.list()
            if m.profile_id == ctx.profile.id and (m.incoming.enabled or m.id == ctx.id)
        ]
        failing = self._health.failed(ctx.profile.id, ctx.id, now, len(active))
        if failing is None:
            return []
        alert = await tx.alerts.add(
            Alert(
                Severity.ERROR,
                AlertScope.PROFILE,
                "profile_failing",
                {"failing": str(failing), "total": str(len(active)), "profile": ctx.profile.name},
                profile_id=ctx.profile.id,
                created_at=now,
            )
        )
        return [alert]

    async def needs_approval(self, ctx: Context) -> None:
        now = self._now()
        async with self._store.transaction() as tx:
            status = await tx.status.get(ctx.id)
            alert = None
            if status.last_error_code != "mailbox_not_approved":
                alert = await tx.alerts.add(
                    Alert(
                        Severity.WARNING,
                        AlertScope.MAILBOX,
                        "mailbox_not_approved",
                        {"address": ctx.mailbox.address},
                        mailbox_id=ctx.id,
                        profile_id=ctx.profile.id,
                        created_at=now,
                    )
                )
            await tx.status.save(
                dataclasses.replace(
                    status,
                    state=MailboxState.NEEDS_ATTENTION,
                    next_sync_at=None,
                    last_error_code="mailbox_not_approved",
                    last_error="the mailbox is not approved",
                )
            )
        if alert is not None:
            self._bus.publish(AlertRaised(alert))
        self._bus.publish(
            MailboxStateChanged(ctx.id, ctx.mailbox.address, MailboxState.NEEDS_ATTENTION, "not approved")
        )

    async def set_state(self, ctx: Context, state: MailboxState, next_sync_at: dt.datetime | None) -> None:
        if ctx.status.state is state and ctx.status.next_sync_at == next_sync_at:
            return
        async with self._store.transaction() as tx:
            status = await tx.status.get(ctx.id)
            await tx.status.save(dataclasses.replace(status, state=state, next_sync_at=next_sync_at))
        self._bus.publish(MailboxStateChanged(ctx.id, ctx.mailbox.address, state))
