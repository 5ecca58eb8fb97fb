"""Committing a mailbox's batches: look-ups for the whole batch at once, each mail decided, its
items and cursor in one transaction, and the failed items in the ledger."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import time
from typing import Unpack

from desktop_sync.domain.correlation import Lookup, correlation_lookups, decision_order, waits_for
from desktop_sync.domain.isolation import ITEM_FAILED, Step, failure_reason
from desktop_sync.domain.mailbox_state import advance_import, end_import
from desktop_sync.domain.messages import name_item
from desktop_sync.domain.model import (
    Alert,
    AlertScope,
    Channel,
    FailedItem,
    MailboxId,
    RecordType,
    Severity,
    TrackingChoice,
)
from desktop_sync.domain.ports import IncomingEmail, Transaction
from desktop_sync.domain.ports.connectors import Batch, ItemFailure
from desktop_sync.engine.collaborators import Collaborators, EngineJob
from desktop_sync.engine.cycle_context import Committed, Context, CycleSettings
from desktop_sync.engine.decision import isolated_step, track_decision
from desktop_sync.engine.events import AlertRaised, ItemsSynced
from desktop_sync.engine.parsing import MailParser, Parsed
from desktop_sync.engine.waiting_replies import WaitingReplies

log = logging.getLogger("desktop_sync.engine.cycle")  # the cycle's records, under its name as before the split


class BatchCommitter(EngineJob):
    """Commits batches: each one's items (decided, correlated, their parties resolved) and its cursor
    in one transaction; when the store refuses a batch, its items one by one."""

    def __init__(
        self,
        *,
        settings: CycleSettings,
        parser: MailParser,
        waiting: WaitingReplies,
        **parts: Unpack[Collaborators],
    ):
        super().__init__(**parts)
        self._settings = settings
        self.parser = parser
        self.waiting = waiting
        self.learning: dict[MailboxId, float] = {}  # when each running cycle began listing (monotonic)
        self._imported: set[MailboxId] = set()  # mailboxes whose import this engine has advanced

    async def commit(self, ctx: Context, batch: Batch, parsed_batch: Parsed | None = None) -> Committed:
        """Commit a batch's items and its cursor in one transaction; says what it committed.

        When the store refuses the batch, its items are committed one by one to find the one it
        refuses: if the store still answers, that item is the cause, and goes to the ledger."""
        # parsing is CPU work on untrusted input: off the event loop, so the loop (and the GUI) never waits
        if parsed_batch is None:
            parsed_batch = await self.parser.parse(batch.items, self._settings.attachment_limit)
        try:
            return await self._commit_parsed(ctx, batch, parsed_batch)
        except Exception as refused:
            if not parsed_batch[0] or not await self._store_answers(ctx):
                raise
            log.warning("%s: the store refused a batch (%s); committing its items one by one", ctx.mailbox.address,
                        type(refused).__name__)  # fmt: skip
            return await self._commit_one_by_one(ctx, batch, parsed_batch)

    async def _store_answers(self, ctx: Context) -> bool:
        """Whether the store takes a write at all: if not, the batch's failure is the store's, not an
        item's. A write, not a read: a locked SQLite file in WAL mode still reads."""
        try:
            async with self._store.transaction() as tx:
                await tx.status.save(await tx.status.get(ctx.id))
        except Exception:
            return False
        return True

    async def _commit_one_by_one(self, ctx: Context, batch: Batch, parsed_batch: Parsed) -> Committed:
        parsed, unreadable = parsed_batch
        refused: list[ItemFailure] = []
        results: list[Committed] = []
        for item, email in parsed:
            try:
                results.append(await self._commit_parsed(ctx, Batch((item,), None), ([(item, email)], [])))
            except Exception as exc:
                if not await self._store_answers(ctx):
                    raise
                log.warning("%s: the store refused %s: %s", ctx.mailbox.address, item.server_id, type(exc).__name__)
                reason = failure_reason(Step.STORE, exc, item.server_id, len(item.raw))
                refused.append(ItemFailure(item.server_id, item.folder, ITEM_FAILED, reason, transient=False))
        rest = dataclasses.replace(batch, items=(), failures=(*batch.failures, *refused))
        results.append(await self._commit_parsed(ctx, rest, ([], unreadable)))  # the failures and the cursor
        return Committed(
            [raw for result in results for raw in result.committed],
            sum(result.new for result in results),
            tracked=[server_id for result in results for server_id in result.tracked],
            undeliverable=[server_id for result in results for server_id in result.undeliverable],
        )

    async def _commit_parsed(self, ctx: Context, batch: Batch, parsed_batch: Parsed) -> Committed:
        parsed, unreadable = parsed_batch
        failures = [*batch.failures, *unreadable]
        now = self._now()
        async with self._store.transaction() as tx:
            # look-ups for the whole batch at once: a batch costs a handful of statements, not an item's worth each
            linked = await tx.activities.linked_server_ids(ctx.id, [item.server_id for item, _ in parsed])
            fresh = [(item, email) for item, email in parsed if item.server_id not in linked]
            prefix = ctx.profile.tracking_token_prefix
            smart = self._settings.smart_matching
            lookups: dict[str, list[Lookup]] = {}
            for item, email in fresh:
                with isolated_step(item, Step.CORRELATE, failures):
                    lookups[item.server_id] = correlation_lookups(email, prefix, smart_matching=smart)
            fresh = [(item, email) for item, email in fresh if item.server_id in lookups]
            message_ids = [m for plan in lookups.values() for lookup in plan for m in lookup.message_ids]
            by_message_id = await tx.activities.activities_by_message_id(message_ids)
            tokens = [lookup.activity_id for plan in lookups.values() for lookup in plan if lookup.activity_id]
            known_ids = await tx.activities.existing_ids(tokens)
            smart_lookups = [lookup for plan in lookups.values() for lookup in plan if lookup.subject_key]
            candidates = await tx.activities.smart_candidates(
                [lookup.subject_key for lookup in smart_lookups if lookup.subject_key],
                list({address for lookup in smart_lookups for address in lookup.addresses}),
            )
            records = await tx.records.find_many_by_email(
                list({address for _, email in fresh for address in email.addresses()})
            )
            # A reply whose parent is in this batch is decided after it and correlates to it exactly as if
            # the parent had been imported before (parents in earlier batches are in the store already).
            in_batch = {email.message_id for _, email in fresh}
            waits = [waits_for(lookups[item.server_id], by_message_id, known_ids, in_batch) for item, _ in fresh]
            tracked_here: set[str] = set()  # Message-IDs of the mail of this batch decided tracked so far
            decided: dict[int, IncomingEmail] = {}
            for position in decision_order([email.message_id for _, email in fresh], waits):
                item, email = fresh[position]
                incoming = None
                with isolated_step(item, Step.TRACK, failures):
                    incoming = track_decision(
                        ctx,
                        item,
                        email,
                        lookups[item.server_id],
                        by_message_id,
                        tracked_here,
                        known_ids,
                        candidates,
                        records,
                    )
                if incoming is not None:
                    decided[position] = await self._create_sender_contact(tx, ctx, incoming, records)
                    tracked_here.add(email.message_id)
            tracked = [(fresh[position][0], decided[position]) for position in sorted(decided)]
            isolated = {failure.server_id for failure in failures}
            committed = [item for item, _ in parsed if item.server_id not in isolated]
            results = await tx.activities.add_incoming_many(ctx.id, [incoming for _, incoming in tracked])
            # replies that came before their parent (a server's order is not thread order) join it now
            await tx.activities.correlate_waiting_replies(list(tracked_here))
            new = sum(1 for result in results if result is not None)
            await tx.failed_items.resolve_many(ctx.id, Channel.INCOMING, [item.server_id for item in committed])
            for failure in failures:
                await self._record_failure(tx, ctx, failure, now)
            if batch.cursor is not None:
                await tx.cursors.set(ctx.id, Channel.INCOMING, batch.cursor.folder, batch.cursor.value)
            importing = batch.more or bool(batch.remaining)
            if new or importing:
                status = await tx.status.get(ctx.id)
                status = dataclasses.replace(status, items_synced=status.items_synced + new)
                if importing:  # how far an import has come is told with the batch, to other processes too
                    done = status.items_synced
                    total = done + batch.remaining if batch.remaining is not None else None
                    if ctx.id not in self._imported:  # resumed by this engine: its rate starts now
                        self._imported.add(ctx.id)
                        status = end_import(status)
                    status = advance_import(status, done, total, now)
                await tx.status.save(status)
        self.waiting.tracked(ctx.id, tracked_here)
        undecided_on_correlation = ctx.tracking in (TrackingChoice.REPLIES, TrackingChoice.KNOWN_SENDERS)
        if undecided_on_correlation and not ctx.profile.delete_after_download:  # else it cannot be read again
            for position, (item, _) in enumerate(fresh):
                if position not in decided:  # tracked if what it answers were: it may come later
                    wanted = [m for lookup in lookups[item.server_id] for m in lookup.message_ids]
                    self.waiting.wait(ctx.id, item.server_id, wanted)
        learned = self.learning.get(ctx.id)  # the delay the sync adds, not the mail's age
        self._counters.items_committed(new, None if learned is None else time.monotonic() - learned)
        if new:
            self._bus.publish(ItemsSynced(ctx.id, ctx.mailbox.address, Channel.INCOMING, new))
        return Committed(
            committed,
            new,
            tracked=[raw.server_id for raw, _ in tracked],
            undeliverable=[failure.server_id for failure in failures if not failure.transient],
        )

    async def _create_sender_contact(
        self,
        tx: Transaction,
        ctx: Context,
        incoming: IncomingEmail,
        records: dict[str, tuple[RecordType, int]],
    ) -> IncomingEmail:
        """The user's "create contacts" option: a contact for the unknown sender of tracked mail.

        A store step, outside the item's isolation: the store failing is not the item's fault."""
        sender = incoming.parsed.sender
        if sender is None or not ctx.auto_create_contacts:
            return incoming
        if sender.address not in records:
            contact_id = await tx.records.add_contact_from_email(
                sender.address, sender.display_name, ctx.mailbox.user_id
            )
            records[sender.address] = (RecordType.CONTACT, contact_id)
        if sender.address in incoming.resolved_parties:
            return incoming
        resolved = {**incoming.resolved_parties, sender.address: records[sender.address]}
        return dataclasses.replace(incoming, resolved_parties=resolved)

    async def record_failures(self, ctx: Context, failures: list[ItemFailure]) -> None:
        now = self._now()
        async with self._store.transaction() as tx:
            for failure in failures:
                await self._record_failure(tx, ctx, failure, now)

    async def _record_failure(self, tx: Transaction, ctx: Context, failure: ItemFailure, now: dt.datetime) -> None:
        retry_at = now + dt.timedelta(seconds=self._settings.retry.backoff) if failure.transient else None
        entry = await tx.failed_items.record(
            FailedItem(
                mailbox_id=ctx.id,
                channel=Channel.INCOMING,
                item_ref=failure.server_id,
                folder=failure.folder,
                code=failure.code,
                reason=failure.reason,
                subject=failure.subject,
                sender=failure.sender,
                item_date=failure.date,
                permanent=not failure.transient,
                last_failed_at=now,
                next_retry_at=retry_at,
            )
        )
        if entry.attempts >= self._settings.retry.max_attempts and not entry.permanent:
            assert entry.id is not None
            await tx.failed_items.schedule_retry(entry.id, now + dt.timedelta(days=3650))
        self._counters.error("transient" if failure.transient else "permanent", failure.code)
        if entry.attempts == 1:
            item = name_item(entry.subject, entry.sender, entry.item_date, failure.folder)
            alert = await tx.alerts.add(
                Alert(
                    Severity.WARNING,
                    AlertScope.ITEM,
                    failure.code,
                    {"address": ctx.mailbox.address, "item": item, "detail": failure.reason},
                    mailbox_id=ctx.id,
                    profile_id=ctx.profile.id,
                    item_ref=failure.server_id,
                    created_at=now,
                )
            )
            self._bus.publish(AlertRaised(alert))
