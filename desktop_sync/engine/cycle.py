"""One synchronization cycle of one mailbox's incoming email, and what follows from its outcome.

fetch batches -> parse -> accept? -> resolve parties -> correlate -> commit items and cursor in
one transaction. Errors become a retry with back-off, or a disabled channel with an alert; the
next cycle's time is computed when this one ends.

This module reads (folders, batches, retries, replies read before their parent) and lands each
batch; ``decision`` decides each mail, ``commit`` commits a batch, ``outcomes`` handles the end.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import Sequence
from typing import Unpack

from desktop_sync.domain.errors import DesktopSyncError, ErrorScope, PermanentError, TransientError
from desktop_sync.domain.model import (
    UNDELIVERABLE_CATEGORY,
    ApprovalState,
    Channel,
    Mailbox,
    MailboxId,
    MailboxState,
    Profile,
    SyncMethod,
    effective_process_email_from,
)
from desktop_sync.domain.ports.connectors import Batch, Categorizing, Credentials, IncomingMail, ItemFailure
from desktop_sync.engine.collaborators import Collaborators, EngineJob
from desktop_sync.engine.commit import BatchCommitter
from desktop_sync.engine.credentials import login_for as login_for  # importable from here as before #13
from desktop_sync.engine.credentials import resolve_credentials as resolve_credentials
from desktop_sync.engine.credentials import secret_key as secret_key
from desktop_sync.engine.cycle_context import Committed, Context, CycleOutcome
from desktop_sync.engine.cycle_context import CycleSettings as CycleSettings
from desktop_sync.engine.events import CycleFinished, CycleStarted, ImportProgress, MailboxStateChanged
from desktop_sync.engine.outcomes import CycleOutcomes, ProfileHealth, StatusBuffer
from desktop_sync.engine.parsing import MailParser, Parsed, default_processes
from desktop_sync.engine.throttle import ThrottleKey
from desktop_sync.engine.waiting_replies import WaitingReplies

log = logging.getLogger("desktop_sync.engine.cycle")


class MailboxCycle(EngineJob):
    """One mailbox's incoming cycle: reads the batches and lands each one (``BatchCommitter``), then
    hands the cycle's end to ``CycleOutcomes``."""

    def __init__(
        self,
        *,
        settings: CycleSettings | None = None,
        health: ProfileHealth | None = None,
        status_buffer: StatusBuffer | None = None,
        **parts: Unpack[Collaborators],
    ):
        super().__init__(**parts)
        self._settings = settings or CycleSettings()
        processes = self._settings.parse_processes
        self.waiting = WaitingReplies()  # replies read before their parent, under "replies" or "known senders"
        self._committer = BatchCommitter(
            settings=self._settings,
            parser=MailParser(default_processes() if processes is None else processes),
            waiting=self.waiting,
            **parts,
        )
        self._outcomes = CycleOutcomes(
            settings=self._settings, health=health or ProfileHealth(), status_buffer=status_buffer, **parts
        )

    @property
    def parser(self) -> MailParser:
        """Parses the batches (in worker processes); the committer parses with the same one."""
        return self._committer.parser

    @parser.setter
    def parser(self, parser: MailParser) -> None:
        self._committer.parser = parser

    # --- the cycle -----------------------------------------------------------------------------

    async def run(self, mailbox_id: MailboxId, preloaded: Context | None = None) -> CycleOutcome:
        """One cycle; ``preloaded`` comes from ``load_contexts`` (the engine loads many at once)."""
        ctx = preloaded or (await self.load_contexts([mailbox_id])).get(mailbox_id)
        if ctx is None:
            return CycleOutcome(None)
        incoming = ctx.mailbox.incoming
        if incoming.method is not SyncMethod.SERVER_SIDE or not incoming.enabled:
            act = ctx.mailbox.act
            if not (act.method is SyncMethod.SERVER_SIDE and act.enabled):
                await self._outcomes.set_state(ctx, MailboxState.DISABLED, next_sync_at=None)
            return CycleOutcome(None)  # nothing incoming; the engine schedules what else it syncs
        if ctx.mailbox.approval is not ApprovalState.APPROVED:
            await self._outcomes.needs_approval(ctx)
            return CycleOutcome(None, error_code="mailbox_not_approved")

        started = self._now()
        clock_start = time.perf_counter()
        self._committer.learning[ctx.id] = time.monotonic()  # what this cycle finds, the engine learns of now
        self._bus.publish(CycleStarted(ctx.id, ctx.mailbox.address, started))
        self._bus.publish(MailboxStateChanged(ctx.id, ctx.mailbox.address, MailboxState.SYNCING))
        try:
            items, more = await self._sync_incoming(ctx)
        except DesktopSyncError as exc:
            outcome = await self._outcomes.failed(ctx, exc)
        except Exception as exc:  # a bug must not stop the engine: seen, retried, never looped silently
            log.exception("cycle of %s failed unexpectedly", ctx.mailbox.address)
            error = TransientError(f"{type(exc).__name__}: {exc}", code="internal_error")
            outcome = await self._outcomes.failed(ctx, error)
        else:
            outcome = await self._outcomes.succeeded(ctx, items, more)
        duration = time.perf_counter() - clock_start
        self._committer.learning.pop(ctx.id, None)
        self._counters.cycle_finished(ctx.mailbox.address, duration)
        self._bus.publish(
            CycleFinished(
                ctx.id,
                ctx.mailbox.address,
                self._now(),
                outcome.items,
                duration,
                outcome.error_code,
                outcome.next_sync_at,
                outcome.more_pending,
            )
        )
        return outcome

    async def load_contexts(self, mailbox_ids: Sequence[MailboxId]) -> dict[MailboxId, Context]:
        """Everything the cycles of these mailboxes start from, in one transaction.

        Loading in bulk matters: an idle poll must cost far less than a transaction of its own.
        """
        async with self._store.transaction() as tx:
            mailboxes = await tx.mailboxes.get_many(mailbox_ids)
            profiles = {p.id: p for p in await tx.profiles.list()}
            owners = {m.user_id for m in mailboxes.values() if m.user_id is not None}
            users = await tx.users.get_many(list(owners))
            statuses = await tx.status.get_many(list(mailboxes))
            cursors = await tx.cursors.get_many(list(mailboxes), Channel.INCOMING)
            retries = await tx.failed_items.due_many(list(mailboxes), self._now())
            folders = await tx.tracked_folders.for_mailboxes(list(mailboxes))
        contexts = {}
        for mailbox_id, mailbox in mailboxes.items():
            user = users.get(mailbox.user_id) if mailbox.user_id is not None else None
            contexts[mailbox_id] = Context(
                mailbox,
                profiles[mailbox.profile_id],
                user.tracking if user else None,
                bool(user and user.auto_create_contacts),
                statuses[mailbox_id],
                cursors.get(mailbox_id, {}),
                tuple(retries.get(mailbox_id, ())),
                tuple(folders.get(mailbox_id, ())),
            )
        return contexts

    async def credentials(self, profile: Profile, mailbox: Mailbox) -> Credentials:
        return await resolve_credentials(self._secrets, profile, mailbox, self._tokens)

    async def _sync_incoming(self, ctx: Context) -> tuple[int, bool]:
        credentials = await self.credentials(ctx.profile, ctx.mailbox)
        since = effective_process_email_from(ctx.profile, ctx.mailbox)
        total, more = 0, False
        async with self._throttles.slot(ThrottleKey.of(ctx.profile, ctx.mailbox), ctx.profile.max_connections):
            names = tuple(f.folder_name for f in ctx.tracked_folders)
            connector = self._connectors.incoming(ctx.profile, ctx.mailbox, credentials, names)
            if ctx.tracked_folders:
                ctx = await self._follow_renames(ctx, connector)
                if tuple(f.folder_name for f in ctx.tracked_folders) != names:
                    await connector.close()  # one connection at a time: the old one goes first
                    names = tuple(f.folder_name for f in ctx.tracked_folders)
                    connector = self._connectors.incoming(ctx.profile, ctx.mailbox, credentials, names)
            try:
                total += await self._retry_failed_items(ctx, connector)
                budget = self._settings.items_per_cycle
                # A batch is parsed while the one before it is committed (and the next is read): parsing
                # runs in other processes, so the three overlap. Batches still commit one by one, in order.
                pending: tuple[Batch, asyncio.Task[Parsed]] | None = None
                batches = aiter(connector.fetch(ctx.cursors, since, budget))
                try:
                    while True:
                        try:
                            batch = await anext(batches)
                        except StopAsyncIteration:
                            break
                        except DesktopSyncError:
                            if pending is not None:  # what was read before the server failed is kept
                                landed, pending = pending, None
                                total += await self._land(ctx, connector, *landed, total, after_failure=True)
                            raise
                        parsing = asyncio.ensure_future(self.parser.parse(batch.items, self._settings.attachment_limit))
                        if pending is not None:
                            total += await self._land(ctx, connector, *pending, total)
                        pending = (batch, parsing)
                    if pending is not None:
                        landed, pending = pending, None
                        total += await self._land(ctx, connector, *landed, total)
                        more = landed[0].more
                    total += await self._read_waiting_replies(ctx, connector)
                finally:
                    if pending is not None:  # an error or a cancellation: the parse ahead is dropped
                        pending[1].cancel()
                        await asyncio.gather(pending[1], return_exceptions=True)
            finally:
                await connector.close()
        return total, more

    async def _land(
        self,
        ctx: Context,
        connector: IncomingMail,
        batch: Batch,
        parsing: asyncio.Task[Parsed],
        before: int,
        *,
        after_failure: bool = False,
    ) -> int:
        """Commit one batch, say how far an import has come, then tell the server what follows from
        it: categories, deletions after download. After the connection failed, those are tried and,
        if they fail too, left for the next cycle (the error that stopped the cycle is the one told)."""
        result = await self._committer.commit(ctx, batch, await parsing)
        if batch.more or batch.remaining:  # an import under way: how far it has come
            done = ctx.status.items_synced + before + result.new
            remaining = batch.remaining
            total = done + remaining if remaining is not None else None
            self._bus.publish(ImportProgress(ctx.id, ctx.mailbox.address, done, total))
        try:
            await self._write_categories(ctx, connector, result)
            if result.committed:
                await connector.delete_committed(result.committed)
        except DesktopSyncError as exc:
            if not after_failure:
                raise
            log.info("%s: after a failed read, %s", ctx.mailbox.address, exc.message)
        return result.new

    async def _read_waiting_replies(self, ctx: Context, connector: IncomingMail) -> int:
        """Mail left untracked because it reached the server before its parent, whose parent is tracked
        now: read again and decided as if it came after it. What cannot be read again is let go."""
        new = 0
        while due := self.waiting.take_due(ctx.id):
            for number, server_id in enumerate(due):
                try:
                    item = await connector.fetch_item(server_id)
                except PermanentError as exc:
                    log.info("%s: a reply read before its parent is gone: %s", ctx.mailbox.address, exc.message)
                    continue
                except TransientError as exc:  # the cycle's mail is committed: these wait for the next one
                    self.waiting.due_again(ctx.id, due[number:])
                    log.info("%s: replies read before their parent wait: %s", ctx.mailbox.address, exc.message)
                    return new
                result = await self._committer.commit(ctx, Batch(items=(item,), cursor=None))
                await self._write_categories(ctx, connector, result)
                new += result.new
        return new

    async def _follow_renames(self, ctx: Context, connector: IncomingMail) -> Context:
        """A tracked folder renamed or moved on the server keeps its rule: it is found by its id."""
        try:
            on_server = {f.id: f for f in await connector.list_folders()}
        except DesktopSyncError:
            await connector.close()
            raise
        followed = []
        async with self._store.transaction() as tx:
            for folder in ctx.tracked_folders:
                current = on_server.get(folder.folder_id)
                if current is None or current.name == folder.folder_name:
                    followed.append(folder)  # gone folders are reported by the fetch, as an item failure
                    continue
                log.info("%s: tracked folder %s is now %s", ctx.mailbox.address, folder.folder_name, current.name)
                assert folder.id is not None
                await tx.tracked_folders.rename(folder.id, current.name)
                await tx.cursors.rename(ctx.id, Channel.INCOMING, folder.folder_name, current.name)
                followed.append(dataclasses.replace(folder, folder_name=current.name))
                if folder.folder_name in ctx.cursors:
                    ctx.cursors[current.name] = ctx.cursors.pop(folder.folder_name)
        return dataclasses.replace(ctx, tracked_folders=tuple(followed))

    async def _retry_failed_items(self, ctx: Context, connector: IncomingMail) -> int:
        new = 0
        for entry in ctx.retries:
            if entry.channel is not Channel.INCOMING:
                continue
            try:
                item = await connector.fetch_item(entry.item_ref)
            except PermanentError as exc:
                failure = ItemFailure(entry.item_ref, entry.folder or "", exc.code, exc.message, transient=False)
                await self._committer.record_failures(ctx, [failure])
                continue
            batch = Batch(items=(item,), cursor=None)
            result = await self._committer.commit(ctx, batch)
            await self._write_categories(ctx, connector, result)
            new += result.new
        return new

    async def _write_categories(self, ctx: Context, connector: IncomingMail, result: Committed) -> None:
        """Exchange: the profile's category on the items tracked, "Undeliverable" on those that failed.

        The items are committed already: a failure here is logged, and the next cycle goes on."""
        if not isinstance(connector, Categorizing):
            return
        writes = [(result.tracked, ctx.profile.tracked_category)]
        if ctx.profile.tag_undeliverable:
            writes.append((result.undeliverable, UNDELIVERABLE_CATEGORY))
        for server_ids, category in writes:
            if not server_ids or not category:
                continue
            try:
                await connector.categorize(server_ids, category)
            except DesktopSyncError as exc:
                if not isinstance(exc, TransientError) and exc.scope is not ErrorScope.ITEM:
                    raise
                log.warning(
                    "%s: could not write the category %r on %d items: %s",
                    ctx.mailbox.address,
                    category,
                    len(server_ids),
                    exc.message,
                )
