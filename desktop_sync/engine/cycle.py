"""One synchronization cycle of one mailbox's incoming email, and what follows from its outcome.

fetch batches -> parse -> accept? -> resolve parties -> correlate -> commit items and cursor in
one transaction. Errors become a retry with back-off, or a disabled channel with an alert; the
next cycle's time is computed when this one ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import logging
import time
from collections.abc import Callable, Container, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from desktop_sync.domain.connectors import (
    Batch,
    Categorizing,
    ConnectorFactory,
    Credentials,
    IncomingMail,
    ItemFailure,
    RawMessage,
)
from desktop_sync.domain.correlation import (
    CorrelationMethod,
    Lookup,
    correlation_lookups,
    decision_order,
    smart_match,
    subject_key,
    waits_for,
)
from desktop_sync.domain.errors import DesktopSyncError, ErrorScope, PermanentError, TransientError
from desktop_sync.domain.folders import TrackedFolder
from desktop_sync.domain.isolation import ITEM_FAILED, Step, failure_reason
from desktop_sync.domain.mail import ParsedEmail
from desktop_sync.domain.mailbox_state import advance_import, end_import
from desktop_sync.domain.messages import name_item
from desktop_sync.domain.model import (
    UNDELIVERABLE_CATEGORY,
    Alert,
    AlertScope,
    ApprovalState,
    Channel,
    ConnectionTestStatus,
    CredentialsOn,
    FailedItem,
    Mailbox,
    MailboxId,
    MailboxState,
    Profile,
    ProfileId,
    RecordType,
    Severity,
    SyncMethod,
    SyncStatus,
    TrackingChoice,
    effective_process_email_from,
    mailbox_secret_key,
    profile_secret_key,
)
from desktop_sync.domain.ports import IncomingEmail, SecretStore, Store, Transaction
from desktop_sync.domain.retry import GiveUp, RetryLater, RetryPolicy
from desktop_sync.domain.schedule import SchedulePolicy
from desktop_sync.domain.tracking import TrackingDecision, decide_tracking
from desktop_sync.engine.counters import Counters
from desktop_sync.engine.events import (
    AlertRaised,
    CycleFinished,
    CycleStarted,
    EventBus,
    ImportProgress,
    ItemsSynced,
    MailboxStateChanged,
)
from desktop_sync.engine.parsing import MailParser, Parsed, default_processes
from desktop_sync.engine.throttle import ThrottleKey, Throttles
from desktop_sync.engine.waiting_replies import WaitingReplies

log = logging.getLogger("desktop_sync.engine.cycle")

RESUME_SECONDS = 5.0  # a mailbox stopped at the per-cycle cap comes back this soon
HEALTH_WINDOW = dt.timedelta(hours=1)


def secret_key(profile: Profile, mailbox: Mailbox) -> str:
    """Where the password lives in the keyring (the services use the same keys)."""
    if profile.credentials_on is CredentialsOn.PROFILE:
        return profile_secret_key(profile.name)
    return mailbox_secret_key(mailbox.address)


def login_for(profile: Profile, mailbox: Mailbox) -> str:
    """The user name to sign in with: the service account, the mailbox's login, or its address."""
    if profile.credentials_on is CredentialsOn.PROFILE:
        return profile.login or mailbox.address
    return mailbox.login or mailbox.address


async def resolve_credentials(secrets: SecretStore, profile: Profile, mailbox: Mailbox) -> Credentials:
    """The login and the password from the keyring; PermanentError ``password_missing`` without one."""
    secret = await secrets.get_secret(secret_key(profile, mailbox))
    if secret is None:
        raise PermanentError(
            f"no password is stored for {mailbox.address}",
            code="password_missing",
            scope=ErrorScope.PROFILE if profile.credentials_on is CredentialsOn.PROFILE else ErrorScope.MAILBOX,
        )
    return Credentials(login_for(profile, mailbox), secret)


@dataclass(frozen=True, slots=True)
class CycleSettings:
    items_per_cycle: int = 500
    attachment_limit: int = 5 * 1024 * 1024
    smart_matching: bool = False  # correlate by subject words and two shared addresses (after the headers)
    parse_processes: int | None = None  # worker processes parsing mail; None: one per core (up to 4), 0: a thread
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    schedule: SchedulePolicy = field(default_factory=SchedulePolicy)


@dataclass(frozen=True, slots=True)
class Committed:
    """What one batch's transaction committed."""

    committed: list[RawMessage]  # every item read (tracked or not): the connector may let go of them
    new: int  # email activities created
    tracked: list[str]  # server ids of the items tracked
    undeliverable: list[str]  # server ids of the items that failed for good


@dataclass(frozen=True, slots=True)
class Context:
    mailbox: Mailbox
    profile: Profile
    tracking: TrackingChoice | None  # the owner's choice; None for queues and unowned mailboxes
    auto_create_contacts: bool
    status: SyncStatus
    cursors: dict[str, str]
    retries: tuple[FailedItem, ...]  # failed items due for another try
    tracked_folders: tuple[TrackedFolder, ...] = ()

    @property
    def id(self) -> MailboxId:
        assert self.mailbox.id is not None
        return self.mailbox.id

    @property
    def server(self) -> str:
        return f"{self.profile.incoming.host}:{self.profile.incoming.port}"


@dataclass(frozen=True, slots=True)
class CycleOutcome:
    next_sync_at: dt.datetime | None  # None: not scheduled again until something changes
    items: int = 0
    error_code: str | None = None
    more_pending: bool = False  # stopped at the per-cycle cap: the next cycle resumes in seconds


@contextlib.contextmanager
def _isolated(item: RawMessage, step: Step, failures: list[ItemFailure]) -> Iterator[None]:
    """Run one item's own step (pure work on what the server sent: no store, no connection): whatever
    it raises is this item's failure, added to ``failures`` for the ledger, and the batch goes on."""
    try:
        yield
    except Exception as exc:
        log.warning("%s failed on %s: %s", step.value, item.server_id, type(exc).__name__)
        reason = failure_reason(step, exc, item.server_id, len(item.raw))
        failures.append(ItemFailure(item.server_id, item.folder, ITEM_FAILED, reason, transient=False))


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


class MailboxCycle:
    def __init__(
        self,
        *,
        store: Store,
        connectors: ConnectorFactory,
        secrets: SecretStore,
        throttles: Throttles,
        bus: EventBus,
        counters: Counters,
        clock: Callable[[], dt.datetime],
        settings: CycleSettings | None = None,
        health: ProfileHealth | None = None,
        status_buffer: StatusBuffer | None = None,
    ):
        self._store = store
        self._connectors = connectors
        self._secrets = secrets
        self._throttles = throttles
        self._bus = bus
        self._counters = counters
        self._now = clock
        self._settings = settings or CycleSettings()
        self._health = health or ProfileHealth()
        self._status_buffer = status_buffer
        processes = self._settings.parse_processes
        self.parser = MailParser(default_processes() if processes is None else processes)
        self.waiting = WaitingReplies()  # replies read before their parent, under "replies" or "known senders"

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
                await self._set_state(ctx, MailboxState.DISABLED, next_sync_at=None)
            return CycleOutcome(None)  # nothing incoming; the engine schedules what else it syncs
        if ctx.mailbox.approval is not ApprovalState.APPROVED:
            await self._needs_approval(ctx)
            return CycleOutcome(None, error_code="mailbox_not_approved")

        started = self._now()
        clock_start = time.perf_counter()
        self._bus.publish(CycleStarted(ctx.id, ctx.mailbox.address, started))
        self._bus.publish(MailboxStateChanged(ctx.id, ctx.mailbox.address, MailboxState.SYNCING))
        try:
            items, more = await self._sync_incoming(ctx)
        except DesktopSyncError as exc:
            outcome = await self._failed(ctx, exc)
        except Exception as exc:  # a bug must not stop the engine: seen, retried, never looped silently
            log.exception("cycle of %s failed unexpectedly", ctx.mailbox.address)
            error = TransientError(f"{type(exc).__name__}: {exc}", code="internal_error")
            outcome = await self._failed(ctx, error)
        else:
            outcome = await self._succeeded(ctx, items, more)
        duration = time.perf_counter() - clock_start
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
        return await resolve_credentials(self._secrets, profile, mailbox)

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
        result = await self._commit(ctx, batch, await parsing)
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
                result = await self._commit(ctx, Batch(items=(item,), cursor=None))
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
                await self._record_failures(ctx, [failure])
                continue
            batch = Batch(items=(item,), cursor=None)
            result = await self._commit(ctx, batch)
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

    async def _commit(self, ctx: Context, batch: Batch, parsed_batch: Parsed | None = None) -> Committed:
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
        latencies: list[float] = []
        async with self._store.transaction() as tx:
            # look-ups for the whole batch at once: a batch costs a handful of statements, not an item's worth each
            linked = await tx.activities.linked_server_ids(ctx.id, [item.server_id for item, _ in parsed])
            fresh = [(item, email) for item, email in parsed if item.server_id not in linked]
            prefix = ctx.profile.tracking_token_prefix
            smart = self._settings.smart_matching
            lookups: dict[str, list[Lookup]] = {}
            for item, email in fresh:
                with _isolated(item, Step.CORRELATE, failures):
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
                with _isolated(item, Step.TRACK, failures):
                    incoming = self._track(
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
            new = 0
            for (raw, _), result in zip(tracked, results, strict=True):
                if result is not None:
                    new += 1
                    if raw.received_at is not None:
                        latencies.append(max(0.0, (now - raw.received_at).total_seconds()))
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
                    status = advance_import(status, done, total, now)
                await tx.status.save(status)
        self.waiting.tracked(ctx.id, tracked_here)
        undecided_on_correlation = ctx.tracking in (TrackingChoice.REPLIES, TrackingChoice.KNOWN_SENDERS)
        if undecided_on_correlation and not ctx.profile.delete_after_download:  # else it cannot be read again
            for position, (item, _) in enumerate(fresh):
                if position not in decided:  # tracked if what it answers were: it may come later
                    wanted = [m for lookup in lookups[item.server_id] for m in lookup.message_ids]
                    self.waiting.wait(ctx.id, item.server_id, wanted)
        self._counters.items_committed(new, latencies)
        if new:
            self._bus.publish(ItemsSynced(ctx.id, ctx.mailbox.address, Channel.INCOMING, new))
        return Committed(
            committed,
            new,
            tracked=[raw.server_id for raw, _ in tracked],
            undeliverable=[failure.server_id for failure in failures if not failure.transient],
        )

    def _track(
        self,
        ctx: Context,
        item: RawMessage,
        email: ParsedEmail,
        lookups: Sequence[Lookup],
        by_message_id: Mapping[str, int],
        tracked_here: Container[str],
        known_ids: set[int],
        candidates: Mapping[str, dict[int, set[str]]],
        records: dict[str, tuple[RecordType, int]],
    ) -> IncomingEmail | None:
        """Why this mail is tracked, if it is: correlation, the owner's choice, a tracked folder."""
        correlated_id: int | None = None
        correlated_message_id: str | None = None  # tracked mail of this batch: its id is known once recorded
        method: CorrelationMethod | None = None
        for lookup in lookups:
            if lookup.message_ids:
                for message_id in lookup.message_ids:
                    if message_id in by_message_id:
                        correlated_id = by_message_id[message_id]
                        break
                    if message_id in tracked_here:
                        correlated_message_id = message_id
                        break
            elif lookup.activity_id is not None and lookup.activity_id in known_ids:
                correlated_id = lookup.activity_id
            elif lookup.subject_key is not None:
                correlated_id = smart_match(candidates.get(lookup.subject_key, {}), lookup.addresses)
            if correlated_id is not None or correlated_message_id is not None:
                method = lookup.method
                break
        correlated = correlated_id is not None or correlated_message_id is not None
        resolved = {address: records[address] for address in email.addresses() if address in records}
        sender = email.sender
        sender_record = resolved.get(sender.address) if sender else None
        sender_known = sender_record is not None and sender_record[0] in (
            RecordType.CONTACT,
            RecordType.ACCOUNT,
            RecordType.LEAD,
        )
        decision = decide_tracking(ctx.tracking, correlated=correlated, sender_known=sender_known)
        rule = next((f for f in ctx.tracked_folders if f.folder_name == item.folder), None)
        if rule is not None:  # moved into a tracked folder: tracked whatever the tracking choice
            decision = TrackingDecision(True, f"in the tracked folder {rule.folder_name}")
        if not decision.track:
            return None
        return IncomingEmail(
            server_id=item.server_id,
            folder=item.folder,
            parsed=email,
            server_arrival_at=item.received_at,
            tracked_reason=decision.reason,
            correlation_method=method.value if method else None,
            correlated_activity_id=correlated_id,
            correlated_message_id=correlated_message_id,
            regarding=rule.regarding if rule is not None else None,
            resolved_parties=resolved,
            subject_key=subject_key(email.subject, ctx.profile.tracking_token_prefix),
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

    async def _record_failures(self, ctx: Context, failures: list[ItemFailure]) -> None:
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

    # --- outcomes ------------------------------------------------------------------------------

    async def _succeeded(self, ctx: Context, items: int, more: bool) -> CycleOutcome:
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

    async def _failed(self, ctx: Context, error: DesktopSyncError) -> CycleOutcome:
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
            if isinstance(decision, RetryLater):
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

    async def _needs_approval(self, ctx: Context) -> None:
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

    async def _set_state(self, ctx: Context, state: MailboxState, next_sync_at: dt.datetime | None) -> None:
        if ctx.status.state is state and ctx.status.next_sync_at == next_sync_at:
            return
        async with self._store.transaction() as tx:
            status = await tx.status.get(ctx.id)
            await tx.status.save(dataclasses.replace(status, state=state, next_sync_at=next_sync_at))
        self._bus.publish(MailboxStateChanged(ctx.id, ctx.mailbox.address, state))
