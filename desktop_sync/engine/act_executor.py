"""Carrying out the ACT planner's actions, one method per kind, each with its link row in one
transaction; and the failed-item ledger of appointments, contacts and tasks.

``ActExecutor`` is an ``ActionRunner``: ``await action.run(executor)`` runs the action's own
method. It is made for one record type of one mailbox per cycle, with the links it updates as it
goes (an update in Exchange followed by one in the CRM keeps the new change key).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from desktop_sync.domain.act import (
    FROM_EXCHANGE,
    MAPPING,
    NO_ORGANIZER,
    Action,
    Adopt,
    Conflict,
    ConflictPolicy,
    CopyInCrm,
    CreateInCrm,
    CreateInExchange,
    DeleteInExchange,
    Link,
    Rekey,
    Skip,
    Unlink,
    UpdateInCrm,
    UpdateInExchange,
    record_headline,
)
from desktop_sync.domain.errors import DesktopSyncError, PermanentError
from desktop_sync.domain.messages import name_item
from desktop_sync.domain.model import (
    Alert,
    AlertScope,
    Channel,
    FailedItem,
    Mailbox,
    MailboxId,
    RecordType,
    Severity,
    User,
)
from desktop_sync.domain.ports import Store
from desktop_sync.domain.ports.connectors import ActSync
from desktop_sync.engine.events import AlertRaised, EventBus


def item_reference(record_type: RecordType, action: Action) -> str:
    """The ledger's name for an action's item: the Exchange item, else the CRM record."""
    return str(getattr(action, "server_id", None) or f"{record_type.value}:{getattr(action, 'local_id', '?')}")


def mapped(record_type: RecordType, values: Mapping[str, Any]) -> dict[str, Any]:
    """Only the fields the mapping of ``record_type`` knows."""
    names = {m.crm for m in MAPPING[record_type]}
    return {k: v for k, v in values.items() if k in names}


class ActLedger:
    """Failed appointments, contacts and tasks in the ledger, with an alert the first time."""

    def __init__(self, store: Store, bus: EventBus, clock: Callable[[], dt.datetime]):
        self._store = store
        self._bus = bus
        self._now = clock

    async def item_failure(
        self,
        mailbox: Mailbox,
        record_type: RecordType,
        action: Action,
        error: DesktopSyncError,
        known: Mapping[str, Any],
    ) -> None:
        reference = item_reference(record_type, action)
        permanent = isinstance(error, PermanentError)
        title, when = record_headline(record_type, known)
        await self.record(
            mailbox, record_type, reference, type(action).__name__, error.code, error.message, permanent,
            title=title, date=when if isinstance(when, dt.datetime) else None,
        )  # fmt: skip

    async def record(
        self,
        mailbox: Mailbox,
        record_type: RecordType,
        reference: str,
        step: str,
        code: str,
        reason: str,
        permanent: bool = True,
        *,
        title: str | None = None,
        date: dt.datetime | None = None,
    ) -> None:
        """An item in the failed-item ledger (an alert the first time), named by its title and date
        where they are known; the reference is for support (the ledger's key, a tooltip)."""
        assert mailbox.id is not None
        now = self._now()
        async with self._store.transaction() as tx:
            entry = await tx.failed_items.record(
                FailedItem(
                    mailbox_id=mailbox.id,
                    channel=Channel.ACT,
                    item_ref=reference,
                    code=code,
                    reason=reason,
                    summary=f"{record_type.value}: {step}",
                    subject=title,
                    item_date=date,
                    permanent=permanent,
                    last_failed_at=now,
                )
            )
            alert = None
            if entry.attempts == 1:
                if code == "act_no_organizer":
                    facts, says = {"item": name_item(title, date=date)}, None
                else:
                    facts, says = {"detail": reason}, f"act_{record_type.value}_failed"
                alert = await tx.alerts.add(
                    Alert(
                        Severity.WARNING,
                        AlertScope.ITEM,
                        code,
                        facts,
                        mailbox_id=mailbox.id,
                        profile_id=mailbox.profile_id,
                        item_ref=reference,
                        created_at=now,
                        says=says,
                    )
                )
        if alert is not None:
            self._bus.publish(AlertRaised(alert))


class ActExecutor:
    """Runs the actions of one record type of one mailbox: one method per kind of action."""

    def __init__(
        self,
        *,
        store: Store,
        bus: EventBus,
        clock: Callable[[], dt.datetime],
        ledger: ActLedger,
        connector: ActSync,
        mailbox: Mailbox,
        user: User,
        record_type: RecordType,
        links: dict[str, Link],
        known: Callable[[Action], Mapping[str, Any]],
    ):
        assert mailbox.id is not None
        self._store = store
        self._bus = bus
        self._now = clock
        self._ledger = ledger
        self._connector = connector
        self._mailbox = mailbox
        self._mid: MailboxId = mailbox.id
        self._user = user
        self._record_type = record_type
        self._links = links  # updated as actions run: a later action of the same link sees them
        self._pushed: set[str] = set()  # items updated in Exchange this cycle (their change key is new)
        self._known = known  # what each side knows of an action's record, to name it

    async def create_in_exchange(self, action: CreateInExchange) -> None:
        record_type = self._record_type
        values = mapped(record_type, action.values)
        server_id, change_key = await self._connector.create(
            record_type, values, local_id=action.local_id, send_invitations=action.send_invitations
        )
        async with self._store.transaction() as tx:
            await tx.act_links.put(self._mid, record_type, action.local_id, server_id, change_key, values)

    async def update_in_exchange(self, action: UpdateInExchange) -> None:
        record_type, links = self._record_type, self._links
        change_key = await self._connector.update(record_type, action.server_id, action.change_key, action.values)
        base = {**links[action.server_id].base, **action.values}
        async with self._store.transaction() as tx:
            await tx.act_links.put(self._mid, record_type, action.local_id, action.server_id, change_key, base)
        # An UpdateInCrm of the same link may follow: it keeps this change key and these values.
        links[action.server_id] = Link(action.local_id, action.server_id, change_key, base)
        self._pushed.add(action.server_id)

    async def delete_in_exchange(self, action: DeleteInExchange) -> None:
        await self._connector.delete(self._record_type, action.server_id, action.change_key)
        async with self._store.transaction() as tx:
            await tx.act_links.remove(self._mid, self._record_type, action.server_id)

    async def create_in_crm(self, action: CreateInCrm) -> None:
        record_type = self._record_type
        values = mapped(record_type, action.values)
        base = {**values, FROM_EXCHANGE: True}
        async with self._store.transaction() as tx:
            local_id = await tx.crm.create(record_type, self._user.id, values)
            await tx.act_links.put(self._mid, record_type, local_id, action.server_id, action.change_key, base)

    async def update_in_crm(self, action: UpdateInCrm) -> None:
        record_type, links = self._record_type, self._links
        base = {**links[action.server_id].base, **action.values}
        change_key = links[action.server_id].change_key if action.server_id in self._pushed else action.change_key
        async with self._store.transaction() as tx:
            await tx.crm.update(record_type, action.local_id, action.values)
            await tx.act_links.put(self._mid, record_type, action.local_id, action.server_id, change_key, base)

    async def copy_in_crm(self, action: CopyInCrm) -> None:
        async with self._store.transaction() as tx:
            await tx.crm.create(self._record_type, self._user.id, mapped(self._record_type, action.values))

    async def adopt(self, action: Adopt) -> None:
        record_type = self._record_type
        base = mapped(record_type, action.values)
        async with self._store.transaction() as tx:
            await tx.act_links.put(self._mid, record_type, action.local_id, action.server_id, action.change_key, base)
        # An UpdateInExchange of the same item may follow (the record changed since the item was made).
        self._links[action.server_id] = Link(action.local_id, action.server_id, action.change_key, base)

    async def rekey(self, action: Rekey) -> None:
        link = self._links[action.server_id]
        async with self._store.transaction() as tx:
            await tx.act_links.put(
                self._mid, self._record_type, link.local_id, link.server_id, action.change_key, link.base
            )

    async def unlink(self, action: Unlink) -> None:
        async with self._store.transaction() as tx:
            await tx.act_links.remove(self._mid, self._record_type, action.server_id)

    async def conflict(self, action: Conflict) -> None:
        mailbox, mid, record_type, known = self._mailbox, self._mid, self._record_type, self._known(action)
        async with self._store.transaction() as tx:
            title, when = record_headline(record_type, known)
            conflict_id = await tx.conflicts.add(
                mid,
                record_type,
                action.local_id,
                action.server_id,
                action.field_name,
                action.crm_value,
                action.exchange_value,
                action.kept,
            )
            facts = {
                "field": action.field_name,
                "record": name_item(title, date=when),
                "crm_value": repr(action.crm_value),
                "exchange_value": repr(action.exchange_value),
                "kept": "Exchange" if action.kept is ConflictPolicy.KEEP_EXCHANGE else "CRM",
                "conflict_id": str(conflict_id),
            }
            alert = await tx.alerts.add(
                Alert(
                    Severity.INFORMATION,
                    AlertScope.ITEM,
                    "act_conflict",
                    facts,
                    mailbox_id=mid,
                    profile_id=mailbox.profile_id,
                    item_ref=action.server_id,
                    created_at=self._now(),
                )
            )
        self._bus.publish(AlertRaised(alert))

    async def skip(self, action: Skip) -> None:
        code = "act_no_organizer" if action.reason == NO_ORGANIZER else "act_skipped"
        await self._ledger.item_failure(
            self._mailbox, self._record_type, action, PermanentError(action.reason, code=code), self._known(action)
        )
