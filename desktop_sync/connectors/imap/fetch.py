"""IMAP incoming mail: incremental fetch by (folder, UIDVALIDITY, UID), without touching flags."""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import logging
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence

from desktop_sync.connectors.errors import ErrorCode, credentials_scope, error, translate
from desktop_sync.connectors.holdback import read_folders
from desktop_sync.connectors.imap.cursor import FolderCursor, parse_server_id, server_id, unchanged
from desktop_sync.connectors.imap.idle import IDLE_RENEW_SECONDS, ImapIdleListener
from desktop_sync.connectors.imap.link import Link, Parking, pool_key
from desktop_sync.connectors.imap.session import INBOX, FolderChanged, FolderState, Session, utc
from desktop_sync.connectors.imap_pool import ImapPool
from desktop_sync.connectors.reconnect import RECONNECT_DELAYS
from desktop_sync.connectors.transport import IncomingSettings, StepRecorder, refused_before_connecting
from desktop_sync.connectors.workers import Kind, in_thread
from desktop_sync.domain.errors import DesktopSyncError, ErrorScope, PermanentError
from desktop_sync.domain.folders import ServerFolder
from desktop_sync.domain.model import Profile
from desktop_sync.domain.ports.connectors import (
    Batch,
    ConnectionTest,
    ConnectionTestStep,
    Credentials,
    Cursor,
    ItemFailure,
    RawMessage,
    ThrottleKey,
    step_text,
)

log = logging.getLogger("desktop_sync.connectors.imap")

BATCH_SIZE = 50
BATCH_BYTES = 16 * 1024 * 1024  # a batch is cut earlier when its messages add up to this


class ImapIncoming:
    """Incoming mail of one IMAP mailbox: INBOX plus ``folders``, fetched by UID without touching flags.

    ``fetch`` yields batches whose cursor covers every UID up to the last one handed over (messages
    before ``since`` are skipped but covered). A changed UIDVALIDITY restarts the folder from its
    first message with ``Batch.reset``; the engine's Message-ID guard drops what it already has.
    """

    def __init__(
        self,
        profile: Profile,
        credentials: Credentials,
        *,
        folders: Sequence[str] = (),
        batch_size: int = BATCH_SIZE,
        batch_bytes: int = BATCH_BYTES,
        push_renew_seconds: float = IDLE_RENEW_SECONDS,
        reconnect_delays: Sequence[float] = RECONNECT_DELAYS,
        pool: ImapPool | None = None,
        group: ThrottleKey | None = None,
    ) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        if (pool is None) != (group is None):
            raise ValueError("a pool needs the ThrottleKey its connections count against, and only a pool does")
        self._profile = profile
        self._credentials = credentials
        self._folders = tuple(dict.fromkeys([INBOX, *folders]))
        self._batch_size = batch_size
        self._batch_bytes = batch_bytes
        self._push_renew_seconds = push_renew_seconds
        self._reconnect_delays = tuple(reconnect_delays)
        self._settings_cache: IncomingSettings | None = None
        parking = None
        if pool is not None and group is not None:
            server = (profile.incoming.host, profile.incoming.port)
            parking = Parking(pool, group, pool_key(profile, credentials), server)
        self._link = Link(self._settings, parking)
        # UIDNEXT of INBOX at the last fetch: the push listener wakes at once if mail came after it.
        self.inbox_uidnext: int | None = None

    def _settings(self) -> IncomingSettings:
        if self._settings_cache is None:
            self._settings_cache = IncomingSettings.of(self._profile, self._credentials)
        return self._settings_cache

    @property
    def folders(self) -> tuple[str, ...]:
        return self._folders

    # --- IncomingMail

    async def fetch(self, cursors: Mapping[str, str], since: dt.datetime | None, limit: int) -> AsyncIterator[Batch]:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        since = utc(since)
        readers = [
            functools.partial(self._fetch_folder, folder, cursors.get(folder), since) for folder in self._folders
        ]
        async for batch in read_folders(readers, limit):
            yield batch

    async def _fetch_folder(
        self, folder: str, previous: str | None, since: dt.datetime | None, limit: int
    ) -> AsyncIterator[tuple[Batch, bool]]:
        """Batches of one folder, each paired with "UIDs were left because ``limit`` ran out".

        With a cursor, one command first tells whether anything arrived (``Session.poll``); only
        then is the folder EXAMINEd and searched.
        """
        cursor = FolderCursor.decode(previous) if previous else None
        try:
            state: FolderState | None = None
            if cursor is not None:
                polled = await self._link.call(lambda s: s.poll(folder))
                if folder == INBOX:
                    self.inbox_uidnext = polled.uidnext
                if unchanged(cursor, polled):
                    return
                if polled.exists is not None:
                    state = polled  # the poll was an EXAMINE: the folder is selected
            if state is None:
                state = await self._link.call(lambda s: s.select(folder))
        except DesktopSyncError as problem:
            if problem.code != ErrorCode.MAILBOX_NOT_FOUND or folder == INBOX:
                raise
            # A tracked folder that was deleted or renamed must not stop the other folders.
            failure = ItemFailure(folder, folder, problem.code, problem.message, transient=False)
            yield Batch((), Cursor(folder, previous or ""), (failure,)), False
            return
        if folder == INBOX:
            self.inbox_uidnext = state.uidnext
        reset = bool(previous) and (cursor is None or cursor.uidvalidity != state.uidvalidity)
        if reset:
            log.warning("IMAP folder %s: UIDVALIDITY changed or cursor unreadable; reading it again", folder)
        start = 0 if reset or cursor is None else cursor.uid
        modseq = None if reset or cursor is None else cursor.modseq
        if state.uidnext is not None and state.uidnext <= start + 1:
            uids: list[int] = []  # nothing new, known without a SEARCH
        else:
            uids = await self._link.call(lambda s: s.search_new(folder, state.uidvalidity, start, since))
        # What lies below UIDNEXT and a search does not return (before ``since``, expunged) is covered.
        high_water = max(start, (state.uidnext or 1) - 1, uids[-1] if uids else 0)
        final = FolderCursor(state.uidvalidity, high_water, state.highestmodseq)
        if not uids:
            if reset or final.encode() != previous:
                yield Batch((), Cursor(folder, final.encode()), reset=reset), False
            return

        first = True
        position = 0
        while position < len(uids):
            page = uids[position : position + min(self._batch_size, limit)]
            position += len(page)
            last_page = position >= len(uids)
            meta = await self._fetch_meta(folder, state.uidvalidity, page)
            wanted = [uid for uid in page if uid in meta and _wanted(meta[uid][1], since)]
            if not wanted:
                if last_page:  # only skipped messages at the end: still move the cursor past them
                    yield Batch((), Cursor(folder, final.encode()), reset=reset and first), False
                continue
            groups = list(_groups(wanted, meta, self._batch_bytes))
            for number, group in enumerate(groups):
                items, failures = await self._fetch_group(folder, state.uidvalidity, group, meta)
                limit -= len(items) + len(failures)
                last_group = number == len(groups) - 1
                done = last_page and last_group
                covered = page[-1] if last_group else group[-1]
                value = final if done else FolderCursor(state.uidvalidity, covered, modseq)
                left_over = not done and limit <= 0
                remaining = len(uids) - bisect.bisect_right(uids, covered)  # in this folder: for progress
                moved = Cursor(folder, value.encode())
                yield Batch(items, moved, failures, reset=reset and first, remaining=remaining), left_over
                first = False
                if left_over:
                    return

    async def _fetch_meta(
        self, folder: str, uidvalidity: int, uids: list[int]
    ) -> dict[int, tuple[int, dt.datetime | None]]:
        return await self._link.call(lambda s: s.fetch_meta(folder, uidvalidity, uids))

    async def _fetch_group(
        self, folder: str, uidvalidity: int, group: list[int], meta: Mapping[int, tuple[int, dt.datetime | None]]
    ) -> tuple[tuple[RawMessage, ...], tuple[ItemFailure, ...]]:
        try:
            # INTERNALDATE came with the sizes (``meta``): not parsed a second time.
            bodies = await self._link.call(lambda s: s.fetch_bodies(folder, uidvalidity, group, dates=False))
        except DesktopSyncError as problem:
            if isinstance(problem, FolderChanged) or self._link.session is None or len(group) == 1:
                raise  # the connection is gone: a batch-level failure
            # The server refused the batch (NO/BAD) but is still there: find the culprit one by one.
            log.info("IMAP batch fetch in %s refused (%s); fetching one by one", folder, problem.code)
            bodies = {}
            failures: list[ItemFailure] = []
            for uid in group:

                def fetch_one(session: Session, uid: int = uid) -> dict[int, tuple[bytes | None, dt.datetime | None]]:
                    return session.fetch_bodies(folder, uidvalidity, [uid], dates=False)

                try:
                    bodies.update(await self._link.call(fetch_one))
                except DesktopSyncError as single:
                    if isinstance(single, FolderChanged) or self._link.session is None:
                        raise
                    failures.append(
                        ItemFailure(
                            server_id(folder, uidvalidity, uid),
                            folder,
                            single.code,
                            single.message,
                            date=meta[uid][1] if uid in meta else None,  # its arrival names it
                        )
                    )
            return self._messages(folder, uidvalidity, group, bodies, meta, failures)
        return self._messages(folder, uidvalidity, group, bodies, meta, [])

    @staticmethod
    def _messages(
        folder: str,
        uidvalidity: int,
        group: list[int],
        bodies: Mapping[int, tuple[bytes | None, dt.datetime | None]],
        meta: Mapping[int, tuple[int, dt.datetime | None]],
        failures: list[ItemFailure],
    ) -> tuple[tuple[RawMessage, ...], tuple[ItemFailure, ...]]:
        failed = {failure.server_id for failure in failures}
        items = []
        for uid in group:
            identity = server_id(folder, uidvalidity, uid)
            if identity in failed:
                continue
            raw, received = bodies.get(uid, (None, None))
            if raw is None:
                failures.append(
                    ItemFailure(
                        identity,
                        folder,
                        ErrorCode.ITEM_NOT_FOUND.value,
                        "the server returned no content for it",
                        date=meta[uid][1] if uid in meta else None,
                    )
                )
                continue
            items.append(RawMessage(identity, folder, raw, received or meta[uid][1]))
        return tuple(items), tuple(failures)

    async def fetch_item(self, server_id: str) -> RawMessage:
        try:
            folder, uidvalidity, uid = parse_server_id(server_id)
        except ValueError as exc:
            raise _item_gone(server_id, "not an IMAP server id") from exc
        try:
            bodies = await self._link.call(lambda s: s.fetch_bodies(folder, uidvalidity, [uid]))
        except FolderChanged as exc:
            raise _item_gone(server_id, "the folder was replaced (UIDVALIDITY changed)") from exc
        except DesktopSyncError as problem:
            if problem.code == ErrorCode.MAILBOX_NOT_FOUND:
                raise _item_gone(server_id, problem.message) from problem
            raise
        raw, received = bodies.get(uid, (None, None))
        if raw is None:
            raise _item_gone(server_id, "no such message on the server any more")
        return RawMessage(server_id, folder, raw, received)

    async def delete_committed(self, items: Sequence[RawMessage]) -> None:
        """IMAP mail stays on the server: nothing to do."""

    async def list_folders(self) -> list[ServerFolder]:
        """Every folder, with an id that survives a rename: MAILBOXID where the server has OBJECTID,
        else the folder's UIDVALIDITY (which RENAME keeps on common servers, Dovecot among them)."""
        return await self._link.call(lambda s: s.server_folders())

    async def test(self) -> ConnectionTest:
        try:
            self._settings()
        except DesktopSyncError as problem:
            return refused_before_connecting(problem)
        steps = StepRecorder()
        await self._link.close(park=False)  # at most one connection: the test's own replaces the held one
        session: Session | None = None
        try:
            session = await self._link.open_for_test(steps)
            steps.begin(ConnectionTestStep.LIST_FOLDERS)
            steps.exchange('LIST "" "*"')
            folders = await in_thread(Kind.IMAP, session.run, lambda s: s.list_folders())
            names = [folder.name for folder in folders]
            sent = next((folder.name for folder in folders if folder.special_use == "\\Sent"), None)
            steps.answer(f"{len(folders)} folders")
            if INBOX not in names:
                raise error(ErrorCode.MAILBOX_NOT_FOUND, step_text("no_inbox"))
            steps.ok(
                step_text("folders", count=len(folders), sent=sent)
                if sent
                else step_text("folders_no_sent", count=len(folders))
            )
        except DesktopSyncError as problem:
            steps.fail(problem)
        except Exception as exc:
            steps.fail(translate(exc, auth_scope=credentials_scope(self._profile)))
        finally:
            if session is not None:
                await in_thread(Kind.IMAP, session.logout)
        return steps.result()

    def push(self) -> ImapIdleListener:
        return ImapIdleListener(
            self._settings,
            renew_seconds=self._push_renew_seconds,
            reconnect_delays=self._reconnect_delays,
            baseline=lambda: self.inbox_uidnext,
        )

    async def close(self) -> None:
        await self._link.close()


def _item_gone(identity: str, why: str) -> PermanentError:
    problem = error(ErrorCode.ITEM_NOT_FOUND, f"{identity}: {why}", scope=ErrorScope.ITEM)
    assert isinstance(problem, PermanentError)
    return problem


def _wanted(received: dt.datetime | None, since: dt.datetime | None) -> bool:
    return since is None or received is None or received >= since


def _groups(uids: list[int], meta: Mapping[int, tuple[int, dt.datetime | None]], budget: int) -> Iterable[list[int]]:
    """Consecutive UIDs cut so that a group's messages add up to at most ``budget`` bytes (one at least)."""
    group: list[int] = []
    size = 0
    for uid in uids:
        message_size = meta[uid][0]
        if group and size + message_size > budget:
            yield group
            group, size = [], 0
        group.append(uid)
        size += message_size
    if group:
        yield group
