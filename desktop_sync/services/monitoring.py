"""What an admin watches and fixes: alerts, the failed-item ledger, sync status, and Sync now."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from desktop_sync.domain.errors import NotFoundError, ValidationError
from desktop_sync.domain.mailbox_state import StateFacts, mailbox_state
from desktop_sync.domain.model import (
    Alert,
    AlertId,
    FailedItem,
    FailedItemId,
    Mailbox,
    MailboxId,
    Severity,
    SyncStatus,
)
from desktop_sync.domain.ports import Store, Transaction
from desktop_sync.domain.validation import normalize_address


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True, slots=True)
class AlertView:
    alert: Alert
    mailbox: str | None  # the mailbox's address
    profile: str | None  # the profile's name


@dataclass(frozen=True, slots=True)
class FailedItemView:
    item: FailedItem
    mailbox: str


@dataclass(frozen=True, slots=True)
class StatusView:
    mailbox: Mailbox
    status: SyncStatus
    at: dt.datetime | None = None  # when it was read: an import's time left counts from then
    engine_running: bool = True  # whether an engine ran on the store then (else no import is under way)

    @property
    def shown(self) -> StateFacts:
        """The state a person is told (Pending approval, Not tested, ..., Idle), with its facts."""
        return mailbox_state(self.mailbox, self.status, now=self.at, engine_running=self.engine_running)


class MonitoringService:
    def __init__(self, store: Store, clock: Callable[[], dt.datetime] = utcnow):
        self._store = store
        self._clock = clock

    async def _mailbox_id(self, address: str, field: str = "mailbox") -> MailboxId:
        async with self._store.transaction() as tx:
            mailbox = await tx.mailboxes.by_address(normalize_address(address, field))
        if mailbox is None or mailbox.id is None:
            raise NotFoundError(field, f"no mailbox {address}")
        return mailbox.id

    # --- alerts --------------------------------------------------------------------------------

    async def alerts(
        self,
        *,
        mailbox: str | None = None,
        severity: Severity | None = None,
        include_cleared: bool = False,
    ) -> Sequence[AlertView]:
        mailbox_id = await self._mailbox_id(mailbox) if mailbox else None
        async with self._store.transaction() as tx:
            alerts = await tx.alerts.list(mailbox_id=mailbox_id, include_cleared=include_cleared)
            addresses = {m.id: m.address for m in await tx.mailboxes.list()}
            profiles = {p.id: p.name for p in await tx.profiles.list()}
        return [
            AlertView(
                a,
                addresses.get(a.mailbox_id) if a.mailbox_id else None,
                profiles.get(a.profile_id) if a.profile_id else None,
            )
            for a in alerts
            if severity is None or a.severity is severity
        ]

    async def clear_alerts(self, alert_ids: Sequence[int]) -> int:
        """Clear the alerts ``alert_ids``; says how many were not cleared already. An id of no alert
        is bad input: nothing is cleared, not even the alerts that exist."""
        async with self._store.transaction() as tx:
            known = {a.id for a in await tx.alerts.list(include_cleared=True)}
            unknown = [i for i in dict.fromkeys(alert_ids) if i not in known]
            if unknown:
                named = ", ".join(str(i) for i in unknown)
                raise NotFoundError("id", f"no alert {named}" if len(unknown) == 1 else f"no alerts {named}")
            return await tx.alerts.clear([AlertId(i) for i in alert_ids], self._clock())

    # --- failed items --------------------------------------------------------------------------

    async def failed_items(
        self, *, mailbox: str | None = None, include_resolved: bool = False
    ) -> Sequence[FailedItemView]:
        mailbox_id = await self._mailbox_id(mailbox) if mailbox else None
        async with self._store.transaction() as tx:
            items = await tx.failed_items.list(mailbox_id=mailbox_id, include_resolved=include_resolved)
            addresses = {m.id: m.address for m in await tx.mailboxes.list()}
        return [FailedItemView(i, addresses.get(i.mailbox_id, "?")) for i in items]

    async def retry_failed(self, item_ids: Sequence[int] | None = None, *, mailbox: str | None = None) -> int:
        """Mark failed items for retry in their mailbox's next cycle (and ask for that cycle now).

        ``item_ids`` None means every open item (of ``mailbox`` when given).
        """
        now = self._clock()
        chosen = await self.failed_items(mailbox=mailbox)
        if item_ids is not None:
            wanted = set(item_ids)
            known = {v.item.id for v in chosen}
            unknown = sorted(wanted - known)
            if unknown:
                raise ValidationError.single("id", f"no open failed item with id {unknown[0]}")
            chosen = [v for v in chosen if v.item.id in wanted]
        async with self._store.transaction() as tx:
            for view in chosen:
                assert view.item.id is not None
                await tx.failed_items.schedule_retry(FailedItemId(view.item.id), now)
            for mailbox_id in {v.item.mailbox_id for v in chosen}:
                await tx.status.request_sync(mailbox_id, now)
        return len(chosen)

    # --- status and Sync now -------------------------------------------------------------------

    async def request_sync(self, address: str) -> Mailbox:
        """Ask the engine (in this process or another, on this host or another) to sync now."""
        async with self._store.transaction() as tx:
            mailbox = await tx.mailboxes.by_address(normalize_address(address, "address"))
            if mailbox is None or mailbox.id is None:
                raise NotFoundError("address", f"no mailbox {address}")
            await tx.status.request_sync(mailbox.id, self._clock())
            return mailbox

    async def statuses(self) -> Sequence[StatusView]:
        now = self._clock()
        async with self._store.transaction() as tx:
            mailboxes = await tx.mailboxes.list()
            statuses = {s.mailbox_id: s for s in await tx.status.list()}
            running = await self.engine_running(tx, now)
        return [
            StatusView(m, statuses.get(m.id) or SyncStatus(m.id), now, running) for m in mailboxes if m.id is not None
        ]

    async def engine_running(self, tx: Transaction, now: dt.datetime) -> bool:
        """Whether an engine runs on this store now: on SQLite one holds the engine lock; on a shared
        store one has sent a heartbeat within the lease time."""
        if self._store.shared:
            return await tx.leases.live_hosts(now) > 0
        return self._store.engine_lock_held()
