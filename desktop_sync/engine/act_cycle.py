"""Appointments, contacts and tasks of one mailbox, both ways: snapshot, plan, execute.

For each record type: the user's CRM records with their sync-filter verdict, the Exchange changes
since the type's cursor, and the links go into the pure planner (domain/act.py); each action runs
with its link row in one transaction; the cursor is saved last, so an interrupted cycle plans the
same changes again and the links make that harmless (an item created but not yet linked is found
again by the CRM id stamped on it).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, Unpack

from desktop_sync.domain.act import (
    Action,
    ConflictPolicy,
    CrmRecord,
    HeldPlan,
    PlanSettings,
    PlanSummary,
    SafetyLimits,
    StopReason,
    describe_counts,
    plan,
    record_headline,
    safety_stop,
    summarize,
)
from desktop_sync.domain.errors import DesktopSyncError, ErrorScope, PermanentError, TransientError
from desktop_sync.domain.isolation import ITEM_FAILED, Step, failure_reason
from desktop_sync.domain.model import (
    Alert,
    AlertScope,
    ApprovalState,
    Channel,
    ConnectionTestStatus,
    Mailbox,
    MailboxId,
    Profile,
    RecordType,
    Severity,
    SyncMethod,
    User,
)
from desktop_sync.domain.ports import Transaction
from desktop_sync.domain.ports.connectors import ActSync, CalendarWindow
from desktop_sync.domain.signin import SIGNIN_NEEDED, SIGNIN_REFUSED
from desktop_sync.domain.sync_filters import SYNCED_TYPES, selects
from desktop_sync.engine.act_executor import ActExecutor, ActLedger, item_reference, mapped
from desktop_sync.engine.collaborators import Collaborators, EngineJob
from desktop_sync.engine.credentials import resolve_credentials
from desktop_sync.engine.events import AlertRaised
from desktop_sync.engine.throttle import ThrottleKey

log = logging.getLogger("desktop_sync.engine.act")


@dataclass(frozen=True, slots=True)
class ActSettings:
    delete_on_leaving_filter: bool = False
    conflict_policy: ConflictPolicy = ConflictPolicy.KEEP_CRM
    changes_per_cycle: int = 512
    safety: SafetyLimits = field(default_factory=SafetyLimits)
    calendar: CalendarWindow = field(default_factory=CalendarWindow)  # where a calendar view is read (Graph)


SAFETY_ALERT = "act_safety_stop"
KINDS = {RecordType.APPOINTMENT: "appointments", RecordType.CONTACT: "contacts", RecordType.TASK: "tasks"}
_STOP_WHY = {
    StopReason.CRM_EMPTY: "the CRM has none of the user's records at all",
    StopReason.EXCHANGE_EMPTY: "Exchange reports no item at all",
    StopReason.CRM_MASS_REMOVAL: "because of changes in the CRM",
    StopReason.EXCHANGE_MASS_REMOVAL: "because of changes in Exchange",
}


def stop_why(reason: StopReason) -> str:
    """Why a plan is held, as the alert and the CLI say it."""
    return _STOP_WHY[reason]


@dataclass(frozen=True, slots=True)
class TypeReport:
    record_type: RecordType
    actions: tuple[Action, ...]
    failed: tuple[str, ...] = ()
    more: bool = False  # Exchange has more changes than one page: the next cycle comes in seconds
    stop: StopReason | None = None  # the safety stop's verdict on this plan (a dry run says it too)
    held: HeldPlan | None = None  # the plan waits for confirmation: none of ``actions`` was done
    confirmed: bool = False  # a held plan, confirmed, ran
    changed_since_held: bool = False  # a confirmation came for another plan than this one: held anew
    summary: PlanSummary | None = None  # the plan counted (links before it, actions, removals)
    item_titles: Mapping[str, str] = field(default_factory=dict)  # Exchange items' titles, to name them


@dataclass(frozen=True, slots=True)
class ActReport:
    address: str
    dry_run: bool
    types: tuple[TypeReport, ...] = ()
    skipped: str | None = None  # why nothing was done
    error: str | None = None
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def more(self) -> bool:
        return any(t.more for t in self.types)


class ActCycle(EngineJob):
    """Appointments, contacts and tasks of a mailbox, per record type: snapshot, plan, execute."""

    def __init__(self, *, settings: ActSettings | None = None, **parts: Unpack[Collaborators]):
        super().__init__(**parts)
        self._settings = settings or ActSettings()
        self._ledger = ActLedger(self._store, self._bus, self._now)

    async def confirm(
        self,
        mailbox_id: MailboxId,
        record_types: Collection[RecordType] | None = None,
        seen: Mapping[RecordType, str] | None = None,
    ) -> tuple[tuple[RecordType, ...], ActReport | None]:
        """Run once the plans the safety stop holds for ``mailbox_id`` (of ``record_types``, else all),
        or, with ``seen``, the plans a preview showed (their fingerprints by type).

        Each runs only if planning again gives the same removals the admin saw (its fingerprint);
        otherwise the new plan is held in its place (``changed_since_held`` in the report). Returns
        the types that were waiting, and the cycle's report (None when none was).
        """
        if seen is None:
            async with self._store.transaction() as tx:
                seen = {h.record_type: h.fingerprint for h in await tx.act_holds.list(mailbox_id)}
        confirm = {t: f for t, f in seen.items() if record_types is None or t in record_types}
        if not confirm:
            return (), None
        return tuple(confirm), await self.run(mailbox_id, confirm=confirm)

    async def run(
        self,
        mailbox_id: MailboxId,
        *,
        dry_run: bool = False,
        confirm: Mapping[RecordType, str] | None = None,
    ) -> ActReport:
        """One ACT cycle of the mailbox. ``confirm``: the fingerprints of held plans to run this once
        (only those record types are synchronized then)."""
        async with self._store.transaction() as tx:
            mailbox = await tx.mailboxes.get(mailbox_id)
            profile = await tx.profiles.get(mailbox.profile_id) if mailbox else None
            user = await tx.users.get(mailbox.user_id) if mailbox and mailbox.user_id is not None else None
            held_types = {h.record_type for h in await tx.act_holds.list(mailbox_id)} if mailbox else set()
        if mailbox is None or profile is None:
            return ActReport("?", dry_run, skipped="the mailbox no longer exists")
        if mailbox.act.method is not SyncMethod.SERVER_SIDE or (not mailbox.act.enabled and not dry_run):
            return ActReport(mailbox.address, dry_run, skipped="appointments, contacts and tasks are not enabled")
        if mailbox.approval is not ApprovalState.APPROVED and not dry_run:
            return ActReport(mailbox.address, dry_run, skipped="the mailbox is not approved")
        if user is None:
            return ActReport(
                mailbox.address, dry_run, skipped="only a user's mailbox has appointments, contacts and tasks"
            )
        try:
            credentials = await resolve_credentials(self._secrets, profile, mailbox, self._tokens)
            async with self._throttles.slot(ThrottleKey.of(profile, mailbox), profile.max_connections):
                connector = self._connectors.act(profile, mailbox, credentials)
                try:
                    reports = []
                    for record_type in SYNCED_TYPES:
                        if confirm is not None and record_type not in confirm:
                            continue
                        confirmed = confirm.get(record_type) if confirm is not None else None
                        reports.append(
                            await self._sync_type(
                                connector, mailbox, user, record_type, dry_run, confirmed, record_type in held_types
                            )
                        )
                finally:
                    await connector.close()
        except DesktopSyncError as exc:
            if not dry_run:
                await self._failed(mailbox, profile, exc)
            return ActReport(mailbox.address, dry_run, error=f"{exc.code}: {exc.message}")
        counts: dict[str, int] = {}
        for report in reports:
            if report.held is not None:
                continue  # planned, not done
            for action in report.actions:
                name = type(action).__name__
                counts[name] = counts.get(name, 0) + 1
        return ActReport(mailbox.address, dry_run, tuple(reports), counts=counts)

    async def _sync_type(
        self,
        connector: ActSync,
        mailbox: Mailbox,
        user: User,
        record_type: RecordType,
        dry_run: bool,
        confirmed: str | None = None,
        was_held: bool = False,
    ) -> TypeReport:
        assert mailbox.id is not None and user.id is not None
        now = self._now()
        async with self._store.transaction() as tx:
            filters = await tx.sync_filters.list(user_id=user.id, record_type=record_type)
            records = await tx.crm.list(record_type, owner=user.id)
            links = await tx.act_links.list(mailbox.id, record_type)
            deleted = await tx.crm.deleted_ids(record_type, [link.local_id for link in links])
            cursor = (await tx.cursors.get_all(mailbox.id, Channel.ACT)).get(record_type.value)
        changes = await connector.changes(
            record_type, cursor, self._settings.changes_per_cycle, window=self._settings.calendar
        )
        crm = [
            CrmRecord(local_id, mapped(record_type, values), selects(filters, record_type, values, now, user.email))
            for local_id, values in records
        ]
        settings = PlanSettings(
            delete_on_leaving_filter=self._settings.delete_on_leaving_filter,
            conflict_policy=self._settings.conflict_policy,
            user=user.email,
            now=now,
        )
        # the whole folder in one page (read from the start): a linked item not in it is gone
        complete = (cursor is None or changes.full) and not changes.more
        actions = plan(record_type, crm, changes.items, links, settings, deleted, complete)
        summary = summarize(actions, links)
        stop = safety_stop(
            summary,
            self._settings.safety,
            crm_empty=not records,
            exchange_empty=complete and not changes.items,
        )
        # what each side knows of a record, to name it (not by its ids) when it fails
        by_local: dict[int, Mapping[str, Any]] = {local_id: values for local_id, values in records}
        by_server: dict[str, Mapping[str, Any]] = {item.server_id: item.values for item in changes.items}

        def known(action: Action) -> Mapping[str, Any]:
            local_id, server_id = getattr(action, "local_id", None), getattr(action, "server_id", None)
            own = getattr(action, "values", None) or {}
            return {**by_server.get(server_id or "", {}), **by_local.get(local_id or -1, {}), **own}

        unreadable = tuple(f"{failure.server_id}: {failure.reason}" for failure in changes.failures)
        if dry_run:
            titles = {
                server_id: record_headline(record_type, values)[0] or "" for server_id, values in by_server.items()
            }
            return TypeReport(record_type, tuple(actions), unreadable, stop=stop, summary=summary, item_titles=titles)
        if stop is not None and confirmed != summary.fingerprint:
            held = HeldPlan.of(mailbox.id, record_type, stop, summary, now)
            await self._hold(mailbox, held)
            log.warning(
                "%s: the %s plan is held for confirmation (%s: %s)",
                mailbox.address,
                record_type.value,
                stop.value,
                describe_counts(summary.counts),
            )
            return TypeReport(
                record_type,
                tuple(actions),
                stop=stop,
                held=held,
                changed_since_held=confirmed is not None,
                summary=summary,
            )
        for failure in changes.failures:  # in the ledger; they do not hold the type's cursor back
            await self._ledger.record(
                mailbox, record_type, failure.server_id, "read", failure.code, failure.reason,
                title=failure.subject, date=failure.date,
            )  # fmt: skip
        executor = ActExecutor(
            store=self._store,
            bus=self._bus,
            clock=self._now,
            ledger=self._ledger,
            connector=connector,
            mailbox=mailbox,
            user=user,
            record_type=record_type,
            links={link.server_id: link for link in links},
            known=known,
        )
        failed = []
        unapplied = []
        for action in actions:
            try:
                await action.run(executor)
            except TransientError as exc:
                failed.append(f"{type(action).__name__}: {exc.message}")
                await self._ledger.item_failure(mailbox, record_type, action, exc, known(action))
            except PermanentError as exc:
                if exc.scope is not ErrorScope.ITEM:
                    raise
                unapplied.append(f"{type(action).__name__}: {exc.message}")  # this item's for good: in the ledger
                await self._ledger.item_failure(mailbox, record_type, action, exc, known(action))
            except DesktopSyncError:
                raise
            except Exception as exc:  # this record's or item's own failure (a value our conversion cannot take)
                reference = item_reference(record_type, action)
                log.warning("%s: %s of %s failed: %s", mailbox.address, type(action).__name__, reference,
                            type(exc).__name__)  # fmt: skip
                reason = failure_reason(Step.APPLY, exc, reference)
                unapplied.append(f"{type(action).__name__}: {reason}")
                title, when = record_headline(record_type, known(action))
                await self._ledger.record(
                    mailbox, record_type, reference, type(action).__name__, ITEM_FAILED, reason,
                    title=title, date=when if isinstance(when, dt.datetime) else None,
                )  # fmt: skip
        if not failed:
            async with self._store.transaction() as tx:
                await tx.cursors.set(mailbox.id, Channel.ACT, record_type.value, changes.cursor)
        if was_held:  # no longer waiting (confirmed, or the cause went away), nor its alert
            await self._release(mailbox, record_type)
        self._counters.add("desktop_sync_act_actions_total", len(actions) - len(failed), type=record_type.value)
        return TypeReport(
            record_type,
            tuple(actions),
            (*unreadable, *unapplied, *failed),
            more=changes.more and not failed,
            stop=stop,
            confirmed=stop is not None,
            summary=summary,
        )

    async def _hold(self, mailbox: Mailbox, held: HeldPlan) -> None:
        """Keep the plan for confirmation; a new or different one gets a warning alert (its older one goes)."""
        assert mailbox.id is not None
        counts = held.counts
        facts = {
            "kind": KINDS[held.record_type],
            "type": held.record_type.value,
            "address": mailbox.address,
            "changes": describe_counts(counts),
            "removed": str(counts.get("DeleteInExchange", 0) + counts.get("Unlink", 0)),
            "links": str(held.links),
            "why": stop_why(held.reason),
        }
        async with self._store.transaction() as tx:
            if not await tx.act_holds.hold(held):
                return
            await self._clear_safety_alerts(tx, mailbox.id, held.record_type)
            alert = await tx.alerts.add(
                Alert(
                    Severity.WARNING,
                    AlertScope.MAILBOX,
                    SAFETY_ALERT,
                    facts,
                    mailbox_id=mailbox.id,
                    profile_id=mailbox.profile_id,
                    item_ref=held.record_type.value,
                    created_at=held.held_at,
                )
            )
        self._bus.publish(AlertRaised(alert))

    async def _release(self, mailbox: Mailbox, record_type: RecordType) -> None:
        """The type's plan runs: a plan held before is no longer waiting, nor its alert."""
        assert mailbox.id is not None
        async with self._store.transaction() as tx:
            if await tx.act_holds.release(mailbox.id, record_type):
                await self._clear_safety_alerts(tx, mailbox.id, record_type)

    async def _clear_safety_alerts(self, tx: Transaction, mailbox_id: MailboxId, record_type: RecordType) -> None:
        stale = [
            a.id
            for a in await tx.alerts.list(mailbox_id=mailbox_id)
            if a.code == SAFETY_ALERT and a.item_ref == record_type.value and a.id is not None
        ]
        if stale:
            await tx.alerts.clear(stale, self._now())

    async def _failed(self, mailbox: Mailbox, profile: Profile, error: DesktopSyncError) -> None:
        """A permanent error disables the ACT channel; a transient one waits for the next cycle, and so
        does a grant that needs a new sign-in (one alert until then: the sign-in clears it)."""
        now = self._now()
        facts = {
            "address": mailbox.address,
            "server": profile.ews_url or profile.incoming.host,
            "detail": error.message,
        }
        waits = error.code in (SIGNIN_NEEDED, SIGNIN_REFUSED)
        async with self._store.transaction() as tx:
            if waits and any(a.code == error.code for a in await tx.alerts.list(mailbox_id=mailbox.id)):
                return
            if isinstance(error, PermanentError) and not waits and mailbox.id is not None:
                current = await tx.mailboxes.get(mailbox.id)
                if current is not None:
                    act = dataclasses.replace(
                        current.act, enabled=False, test_status=ConnectionTestStatus.FAILURE, failed_step=error.code
                    )
                    await tx.mailboxes.update(dataclasses.replace(current, act=act))
            alert = await tx.alerts.add(
                Alert(
                    Severity.ERROR if isinstance(error, PermanentError) else Severity.WARNING,
                    AlertScope.MAILBOX,
                    error.code,
                    facts,
                    mailbox_id=mailbox.id,
                    profile_id=mailbox.profile_id,
                    created_at=now,
                )
            )
        self._bus.publish(AlertRaised(alert))
        self._counters.error("permanent" if isinstance(error, PermanentError) else "transient", error.code)


def describe(action: Action) -> dict[str, Any]:
    """An action as data, for the dry run's output."""
    data: dict[str, Any] = {"action": type(action).__name__}
    for name in ("local_id", "server_id", "change_key", "field_name", "reason", "send_invitations"):
        if hasattr(action, name):
            data[name] = getattr(action, name)
    values = getattr(action, "values", None)
    if values is not None:
        data["values"] = {k: (v.isoformat() if isinstance(v, dt.datetime) else v) for k, v in values.items()}
    return data
