"""Exchange incoming and outgoing mail over EWS, through exchangelib in worker threads.

Incoming: ``SyncFolderItems`` per folder (the Inbox, and the tracked folders found by id through
``SyncFolderHierarchy``) with the folder's SyncState as its cursor. A page lists at most 512
changes with item ids and DateTimeReceived only; the MIME of the new items is then read with
``GetItem`` in batches, so memory stays flat however large the mailbox. An invalid SyncState
starts the folder again (``Batch.reset``): the engine's Message-ID guard drops what it has. Push
is a streaming subscription read by a thread of its own, which holds no Exchange worker.
Outgoing: ``CreateItem`` with our MIME and ``SendAndSaveCopy``, so the Message-ID we
chose is the one in Sent Items, where ``find_sent`` looks for it.

What is asked of EWS is in ``exchange_calls`` (one blocking function each) on the services of
``ews_services``; no exchangelib type leaves the connectors.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import email.policy
import functools
import logging
import threading
from collections.abc import AsyncIterator, Mapping, Sequence
from email.parser import BytesParser
from email.utils import getaddresses
from typing import Any, TypeVar

from exchangelib.errors import ErrorExpiredSubscription, ErrorSubscriptionNotFound

from desktop_sync.connectors.errors import ErrorCode, error
from desktop_sync.connectors.ews_services import (
    Change,
    ChangesPage,
    StreamingEvents,
    decode_sync_state,
    encode_sync_state,
)
from desktop_sync.connectors.exchange_calls import (
    BATCH_SIZE,
    TRACKED_CATEGORY,
    WAKE_EVENTS,
    Tree,
    add_category,
    find_in_sent,
    get_mime,
    read_tree,
    send_mime,
    subscribe,
    sync_mail,
    unsubscribe,
)
from desktop_sync.connectors.exchange_errors import REJECTIONS, may_have_reached_server, translate_ews
from desktop_sync.connectors.exchange_link import EwsLink, run_test
from desktop_sync.connectors.exchange_session import EwsSessions, EwsTarget, utc
from desktop_sync.connectors.holdback import read_folders
from desktop_sync.connectors.reconnect import RECONNECT_DELAYS, Reconnect
from desktop_sync.connectors.workers import Kind, in_thread
from desktop_sync.domain.errors import DeliveryUnknown, DesktopSyncError, ErrorScope, PermanentError
from desktop_sync.domain.folders import INBOX, ServerFolder
from desktop_sync.domain.ports.connectors import (
    Batch,
    ConnectionTest,
    Cursor,
    ItemFailure,
    OutgoingMessage,
    RawMessage,
    SendOutcome,
    SendResult,
)

log = logging.getLogger("desktop_sync.connectors.exchange")

T = TypeVar("T")

PAGE_SIZE = 512  # changes per SyncFolderItems page: the most Exchange allows
CURSOR_PREFIX = "ews1:"  # a cursor is "ews1:" + the folder's SyncState
STREAM_MINUTES = 30  # GetStreamingEvents connection time-out (the most EWS allows); then it is reopened
MAX_PUSH_FOLDERS = 100  # folders a streaming subscription watches: the Inbox and those under it


def _wanted(received: dt.datetime | None, since: dt.datetime | None) -> bool:
    return since is None or received is None or received >= since


def _chunks(values: Sequence[T], size: int) -> list[Sequence[T]]:
    return [values[i : i + size] for i in range(0, len(values), size)]


class ExchangeIncoming:
    """Incoming mail of one Exchange mailbox: the Inbox plus ``folders`` (tracked folders, by path).

    ``fetch`` yields batches of at most ``batch_size`` messages; the cursor of a folder moves with
    the last batch of each SyncFolderItems page, and items older than ``since`` are skipped but
    covered by it.
    """

    def __init__(
        self,
        sessions: EwsSessions,
        target: EwsTarget,
        *,
        folders: Sequence[str] = (),
        batch_size: int = BATCH_SIZE,
        page_size: int = PAGE_SIZE,
        stream_minutes: int = STREAM_MINUTES,
        reconnect_delays: Sequence[float] = RECONNECT_DELAYS,
    ) -> None:
        if batch_size < 1 or not 1 <= page_size <= PAGE_SIZE:
            raise ValueError("batch_size must be at least 1 and page_size within 1-512")
        self._link = EwsLink(sessions, target)
        self._folders = tuple(name for name in dict.fromkeys(folders) if name != INBOX)
        self._batch_size = batch_size
        self._page_size = page_size
        self._stream_minutes = stream_minutes
        self._reconnect_delays = tuple(reconnect_delays)
        self._tree: Tree | None = None

    @property
    def folders(self) -> tuple[str, ...]:
        return (INBOX, *self._folders)

    # --- IncomingMail

    async def fetch(self, cursors: Mapping[str, str], since: dt.datetime | None, limit: int) -> AsyncIterator[Batch]:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        since = utc(since)
        plan: list[tuple[str, str | None]] = [(INBOX, None)]
        missing: list[str] = []
        if self._folders:
            tree = await self._hierarchy()
            for name in self._folders:
                folder_id = tree.id_of(name)
                if folder_id is None:
                    missing.append(name)
                else:
                    plan.append((name, folder_id))
        # A tracked folder deleted on the server must not stop the others.
        gone = [
            Batch(
                (),
                Cursor(name, cursors.get(name, "")),
                (ItemFailure(name, name, ErrorCode.MAILBOX_NOT_FOUND.value, f"no folder {name} any more", False),),
            )
            for name in missing
        ]
        readers = [
            functools.partial(self._fetch_folder, name, folder_id, cursors.get(name), since) for name, folder_id in plan
        ]
        async for batch in read_folders(readers, limit, gone):
            yield batch

    async def _fetch_folder(
        self, name: str, folder_id: str | None, previous: str | None, since: dt.datetime | None, limit: int
    ) -> AsyncIterator[tuple[Batch, bool]]:
        """Batches of one folder, each paired with "changes were left because ``limit`` ran out"."""
        state = decode_sync_state(CURSOR_PREFIX, previous)
        reset = bool(previous) and state is None
        first = True
        while True:
            page_size = min(self._page_size, limit)
            asked = state

            def sync(account: Any, asked: str | None = asked, page_size: int = page_size) -> ChangesPage | None:
                return sync_mail(account, folder_id, asked, page_size)

            try:
                page = await self._link.call(sync)
            except DesktopSyncError as problem:
                if problem.code != ErrorCode.MAILBOX_NOT_FOUND or name == INBOX:
                    raise
                failure = ItemFailure(name, name, problem.code, problem.message, transient=False)
                yield Batch((), Cursor(name, previous or ""), (failure,)), False
                return
            if page is None:
                if asked is None:
                    raise error(ErrorCode.PROTOCOL_ERROR, f"{name}: the server refused a sync from the start")
                log.warning("%s %s: the SyncState is no longer valid; reading the folder again", self._address, name)
                state, reset = None, True
                continue
            cursor = Cursor(name, encode_sync_state(CURSOR_PREFIX, page.sync_state))
            wanted = [c for c in page.changes if c.kind == "create" and c.item_id and _wanted(c.received, since)]
            if not wanted and (page.sync_state != asked or reset):
                left_over = not page.last and limit <= 0
                yield Batch((), cursor, reset=reset and first), left_over
                first = False
            groups = _chunks(wanted, self._batch_size)
            for number, group in enumerate(groups):
                items, failures = await self._fetch_group(name, group)
                limit -= len(items) + len(failures)
                last_group = number == len(groups) - 1
                left_over = last_group and not page.last and limit <= 0
                yield Batch(items, cursor if last_group else None, failures, reset=reset and first), left_over
                first = False
            if page.last or page.sync_state == asked or limit <= 0:
                return
            state = page.sync_state

    async def _fetch_group(
        self, folder: str, group: Sequence[Change]
    ) -> tuple[tuple[RawMessage, ...], tuple[ItemFailure, ...]]:
        fetched = await self._link.call(lambda a: get_mime(a, [(c.item_id, c.change_key) for c in group]))
        items: list[RawMessage] = []
        failures: list[ItemFailure] = []
        for change, result in zip(group, fetched, strict=True):
            if result.problem is not None:
                problem = translate_ews(result.problem, server=self._link.target.server)
                gone = problem.code == ErrorCode.ITEM_NOT_FOUND
                failures.append(ItemFailure(change.item_id, folder, problem.code, problem.message, transient=not gone))
            elif result.mime is None:
                code = ErrorCode.ITEM_NOT_FOUND.value
                failures.append(ItemFailure(change.item_id, folder, code, "the server gave no MIME", transient=False))
            else:
                received = result.received or change.received
                items.append(RawMessage(change.item_id, folder, result.mime, received, change.change_key))
        return tuple(items), tuple(failures)

    async def fetch_item(self, server_id: str) -> RawMessage:
        try:
            (result,) = await self._link.call(lambda a: get_mime(a, [(server_id, None)]))
        except DesktopSyncError as refused:
            if refused.code == ErrorCode.PROTOCOL_ERROR and "IdMalformed" in refused.message:
                raise _item_gone(server_id, refused.message) from refused
            raise
        if result.problem is not None:
            problem = translate_ews(result.problem, server=self._link.target.server)
            if problem.code == ErrorCode.ITEM_NOT_FOUND or "IdMalformed" in type(result.problem).__name__:
                raise _item_gone(server_id, problem.message) from result.problem
            raise problem from result.problem
        if result.mime is None:
            raise _item_gone(server_id, "the server gave no MIME")
        folder = INBOX
        if self._folders:
            tree = await self._hierarchy()
            name = tree.name_of(result.parent_id)
            folder = name if name in self._folders else INBOX
        return RawMessage(server_id, folder, result.mime, result.received)

    async def delete_committed(self, items: Sequence[RawMessage]) -> None:
        """Exchange mail stays on the server: nothing to do."""

    async def list_folders(self) -> list[ServerFolder]:
        """Every folder under the top of the store, by id (a rename or a move keeps it), named as a path
        from there with the Inbox as "INBOX" ("INBOX/Customers")."""
        self._tree = await self._link.call(read_tree)
        return self._tree.server_folders()

    async def _hierarchy(self) -> Tree:
        if self._tree is None:
            self._tree = await self._link.call(read_tree)
        return self._tree

    async def categorize(self, server_ids: Sequence[str], category: str = TRACKED_CATEGORY) -> None:
        """Add ``category`` to these items (kept with the user's own categories); items gone are skipped."""
        if server_ids:
            await self._link.call(lambda a: add_category(a, server_ids, category))

    async def test(self) -> ConnectionTest:
        return await run_test(self._link.sessions, self._link.target, access="inbox", list_folders=True)

    def push(self) -> ExchangeStreamingListener:
        return ExchangeStreamingListener(
            self._link.sessions,
            self._link.target,
            stream_minutes=self._stream_minutes,
            reconnect_delays=self._reconnect_delays,
        )

    async def close(self) -> None:
        """The connection went back to its pool after each request; a mailbox's own pool closes it now."""
        await self._link.release()

    @property
    def _address(self) -> str:
        return self._link.target.address


def _item_gone(identity: str, why: str) -> PermanentError:
    problem = error(ErrorCode.ITEM_NOT_FOUND, f"{identity}: {why}", scope=ErrorScope.ITEM)
    assert isinstance(problem, PermanentError)
    return problem


# --- outgoing


def _bcc(raw: bytes, recipients: Sequence[str]) -> list[str]:
    """The recipients that the MIME headers do not name: Exchange must be told them (they are Bcc)."""
    headers = BytesParser(policy=email.policy.compat32).parsebytes(raw, headersonly=True)
    named = {address.lower() for _, address in getaddresses(headers.get_all("To", []) + headers.get_all("Cc", []))}
    return [address for address in dict.fromkeys(recipients) if address.lower() not in named]


class ExchangeOutgoing:
    """Sending as the mailbox owner through EWS, with a copy in Sent Items (SendAndSaveCopy)."""

    def __init__(self, sessions: EwsSessions, target: EwsTarget) -> None:
        self._link = EwsLink(sessions, target)

    async def send(self, message: OutgoingMessage) -> SendResult:
        target = self._link.target
        bcc = _bcc(message.raw, message.recipients)
        await self._link.fresh_token()
        try:
            await in_thread(Kind.EXCHANGE, self._link.run, lambda a: send_mime(a, message.raw, bcc))
        except DesktopSyncError:
            raise  # refused before anything was sent (no password, clear text)
        except REJECTIONS as exc:
            return SendResult(SendOutcome.REJECTED, f"{type(exc).__name__}: {exc}")
        except Exception as exc:
            if may_have_reached_server(exc):
                raise DeliveryUnknown(
                    f"{message.message_id}: the connection to {target.server} failed after the mail was handed "
                    f"over ({type(exc).__name__}: {exc})"
                ) from exc
            raise translate_ews(exc, auth_scope=target.auth_scope, server=target.server) from exc
        return SendResult(SendOutcome.ACCEPTED, "sent with SendAndSaveCopy", copied_to_sent=True)

    async def copy_to_sent(self, message: OutgoingMessage) -> bool:
        """SendAndSaveCopy already put it there."""
        return True

    async def find_sent(self, message_id: str) -> bool | None:
        return await self._link.call(lambda a: find_in_sent(a, message_id.strip()))

    async def test(self) -> ConnectionTest:
        return await run_test(self._link.sessions, self._link.target, access="sentitems", list_folders=False)

    async def close(self) -> None:
        """The connection went back to its pool after each request; a mailbox's own pool closes it now."""
        await self._link.release()


# --- push


class ExchangeStreamingListener:
    """A streaming subscription on the Inbox and the folders under it: returns when new mail arrives.

    A thread of its own reads GetStreamingEvents (one pool connection while it is open) and hands
    the events to the event loop. The stream is reopened when the server closes it after its time-out,
    and after a failure with the delays in ``reconnect_delays`` (the listener gives up with the last
    error after the last one). When the subscription itself was lost, events may have been missed:
    the listener re-subscribes and returns at once so that a poll catches up.
    """

    def __init__(
        self,
        sessions: EwsSessions,
        target: EwsTarget,
        *,
        stream_minutes: int = STREAM_MINUTES,
        reconnect_delays: Sequence[float] = RECONNECT_DELAYS,
    ) -> None:
        self._link = EwsLink(sessions, target)
        self._stream_minutes = max(1, min(30, stream_minutes))
        self._reconnect = Reconnect(reconnect_delays, log, f"EWS stream of {target.address}")
        self._subscription: str | None = None
        self._subscribed_once = False
        self._queue: asyncio.Queue[tuple[str, Any]] | None = None
        self._thread: threading.Thread | None = None
        self._service: StreamingEvents | None = None
        self._closed = False

    async def wait_for_changes(self) -> None:
        while True:
            if self._closed:
                raise error(ErrorCode.CONNECTION_DROPPED, "the streaming listener was closed")
            try:
                if self._subscription is None:
                    lost = self._subscribed_once
                    self._subscription = await self._link.call(self._subscribe)
                    self._subscribed_once = True
                    if lost:
                        return  # the old subscription's events are gone: let a poll catch up
                if self._thread is None:
                    self._start_stream()
                assert self._queue is not None
                kind, value = await self._queue.get()
                if kind == "events":
                    self._reconnect.reset()
                    if WAKE_EVENTS & set(value):
                        return
                    continue
                self._thread = None
                if kind == "closed":
                    self._reconnect.reset()
                    continue  # the server ended the stream after its time-out: open it again
                raise value
            except (ErrorSubscriptionNotFound, ErrorExpiredSubscription):
                self._subscription = None  # expired (30 minutes without a stream): subscribe again
            except Exception as exc:
                problem = (
                    exc if isinstance(exc, DesktopSyncError) else translate_ews(exc, server=self._link.target.server)
                )
                if not await self._reconnect.pause(problem, closed=self._closed):
                    if problem is exc:
                        raise
                    raise problem from exc

    def _subscribe(self, account: Any) -> str:
        folders: list[str | None] = [None]  # the Inbox
        tree = read_tree(account)
        folders += tree.under_inbox()[: MAX_PUSH_FOLDERS - 1]
        return subscribe(account, folders)

    def _start_stream(self) -> None:
        loop = asyncio.get_running_loop()
        if self._queue is None:
            self._queue = asyncio.Queue()
        queue = self._queue
        subscription = self._subscription
        assert subscription is not None
        account = self._link.account()
        service = StreamingEvents(account=account)
        self._service = service

        def post(kind: str, value: Any) -> None:
            with contextlib.suppress(RuntimeError):  # the loop is gone: nobody is listening any more
                loop.call_soon_threadsafe(queue.put_nowait, (kind, value))

        def read() -> None:
            try:
                for events in service.call(subscription_ids=[subscription], connection_timeout=self._stream_minutes):
                    if self._closed:
                        return
                    post("events", events)
                post("closed", None)
            except BaseException as exc:  # handed to the loop; a thread must not die with it
                post("error", exc)
            finally:
                with contextlib.suppress(Exception):
                    service.stop_streaming()

        self._thread = threading.Thread(target=read, name=f"ews-stream-{self._link.target.address}", daemon=True)
        self._thread.start()

    async def close(self) -> None:
        self._closed = True
        service, thread = self._service, self._thread
        if service is not None:
            service.interrupt()
        if thread is not None:
            await in_thread(Kind.EXCHANGE, thread.join, 5.0)
            if thread.is_alive():
                log.warning("EWS stream of %s did not stop in time", self._link.target.address)
        self._thread = None
        subscription, self._subscription = self._subscription, None
        if subscription is not None:
            account = self._link.account()
            await in_thread(Kind.EXCHANGE, unsubscribe, account, subscription)
        await self._link.release()
