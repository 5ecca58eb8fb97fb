"""Exchange incoming and outgoing mail over EWS, through exchangelib in worker threads.

Incoming: ``SyncFolderItems`` per folder (the Inbox, and the tracked folders found by id through
``SyncFolderHierarchy``) with the folder's SyncState as its cursor. A page lists at most 512
changes with item ids and DateTimeReceived only; the MIME of the new items is then read with
``GetItem`` in batches, so memory stays flat however large the mailbox. An invalid SyncState
starts the folder again (``Batch.reset``): the engine's Message-ID guard drops what it has. Push
is a streaming subscription read by a thread of its own, which holds no worker of the event
loop's pool. Outgoing: ``CreateItem`` with our MIME and ``SendAndSaveCopy``, so the Message-ID we
chose is the one in Sent Items, where ``find_sent`` looks for it.

exchangelib's services are subclassed only to read their answers as plain values; no exchangelib
type leaves this module.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import datetime as dt
import email.policy
import logging
import socket
import threading
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from email.parser import BytesParser
from email.utils import getaddresses
from typing import Any, TypeVar

from exchangelib.errors import (
    ErrorExpiredSubscription,
    ErrorInvalidSyncStateData,
    ErrorSubscriptionNotFound,
)
from exchangelib.fields import FieldPath
from exchangelib.folders import Folder
from exchangelib.items import ID_ONLY, SEND_AND_SAVE_COPY
from exchangelib.items import Message as EwsMessage
from exchangelib.properties import DistinguishedFolderId, FolderId, ItemId
from exchangelib.properties import Mailbox as EwsMailbox
from exchangelib.restriction import Q, Restriction
from exchangelib.services import (
    CreateItem,
    FindItem,
    GetFolder,
    GetItem,
    GetStreamingEvents,
    SubscribeToStreaming,
    SyncFolderHierarchy,
    SyncFolderItems,
    Unsubscribe,
    UpdateItem,
)
from exchangelib.util import TNS

from desktop_sync.connectors.errors import (
    ErrorCode,
    StepRecorder,
    connect_first,
    error,
    resolve,
    tls_detail,
    transport_context,
)
from desktop_sync.connectors.exchange_errors import REJECTIONS, may_have_reached_server, translate_ews
from desktop_sync.connectors.exchange_session import EwsSessions, EwsTarget, Recorder, endpoint_of, utc
from desktop_sync.domain.connectors import (
    Batch,
    ConnectionTest,
    ConnectionTestStep,
    Cursor,
    ItemFailure,
    OutgoingMessage,
    RawMessage,
    SendOutcome,
    SendResult,
    step_text,
)
from desktop_sync.domain.errors import DeliveryUnknown, DesktopSyncError, ErrorScope, PermanentError
from desktop_sync.domain.folders import INBOX, ServerFolder

log = logging.getLogger("desktop_sync.connectors.exchange")

T = TypeVar("T")

PAGE_SIZE = 512  # changes per SyncFolderItems page: the most Exchange allows
BATCH_SIZE = 50  # messages per GetItem (MIME) and per committed batch
CURSOR_PREFIX = "ews1:"  # a cursor is "ews1:" + the folder's SyncState
DELIMITER = "/"  # folder paths as the admin sees them: "INBOX/Customers/Key accounts"
STREAM_MINUTES = 30  # GetStreamingEvents connection time-out (the most EWS allows); then it is reopened
RECONNECT_DELAYS = (1.0, 2.0, 5.0, 10.0, 30.0, 60.0)  # streaming back-off, then the listener gives up
MAX_PUSH_FOLDERS = 100  # folders a streaming subscription watches: the Inbox and those under it
WAKE_EVENTS = frozenset({"NewMailEvent", "CreatedEvent", "MovedEvent", "CopiedEvent"})
TRACKED_CATEGORY = "Tracked to CRM"
SPECIAL_USE = {
    "sentitems": "\\Sent",
    "deleteditems": "\\Trash",
    "junkemail": "\\Junk",
    "drafts": "\\Drafts",
    "archive": "\\Archive",
}


# --- values read from EWS answers


@dataclass(frozen=True, slots=True)
class _Change:
    """One entry of a SyncFolderItems page."""

    kind: str  # "create", "update", "delete", "read_flag_change"
    item_id: str
    change_key: str | None
    received: dt.datetime | None


@dataclass(frozen=True, slots=True)
class _Page:
    changes: tuple[_Change, ...]
    sync_state: str
    last: bool


@dataclass(frozen=True, slots=True)
class _Fetched:
    """One item of a GetItem answer: its MIME, or the error the server gave for it."""

    item_id: str
    mime: bytes | None
    received: dt.datetime | None
    parent_id: str | None
    problem: BaseException | None = None


@dataclass(frozen=True, slots=True)
class _FolderRow:
    id: str
    parent_id: str | None
    name: str
    folder_class: str | None
    distinguished: str | None


class _Tree:
    """The mailbox's folders under the top of the information store, named as paths from it."""

    def __init__(self, rows: Mapping[str, _FolderRow], inbox_id: str) -> None:
        self.rows = dict(rows)
        self.inbox_id = inbox_id
        self._paths: dict[str, str] = {}
        for folder_id in self.rows:
            self._paths[folder_id] = self._path(folder_id)
        self._by_path = {path: folder_id for folder_id, path in self._paths.items()}

    def _path(self, folder_id: str) -> str:
        parts: list[str] = []
        seen: set[str] = set()
        current: str | None = folder_id
        while current is not None and current in self.rows and current not in seen:
            seen.add(current)
            row = self.rows[current]
            parts.append(INBOX if current == self.inbox_id else row.name)
            current = row.parent_id
        return DELIMITER.join(reversed(parts))

    def name_of(self, folder_id: str | None) -> str | None:
        return self._paths.get(folder_id) if folder_id else None

    def id_of(self, name: str) -> str | None:
        return self._by_path.get(name)

    def under_inbox(self) -> list[str]:
        prefix = INBOX + DELIMITER
        return [folder_id for folder_id, path in self._paths.items() if path.startswith(prefix)]

    def server_folders(self) -> list[ServerFolder]:
        found = []
        for folder_id, row in self.rows.items():
            mail = row.folder_class is None or row.folder_class == "" or row.folder_class.startswith("IPF.Note")
            special = SPECIAL_USE.get(row.distinguished or "")
            found.append(ServerFolder(folder_id, self._paths[folder_id], DELIMITER, special, mail))
        return sorted(found, key=lambda f: f.name.lower())


def _local(tag: object) -> str:
    text = str(tag)
    return text.rsplit("}", 1)[-1]


def _item_id(elem: Any) -> tuple[str, str | None]:
    node = elem.find(f"{{{TNS}}}ItemId")
    if node is None:
        found = (child.find(f"{{{TNS}}}ItemId") for child in elem)
        node = next((candidate for candidate in found if candidate is not None), None)
    if node is None:
        return "", None
    return str(node.get("Id") or ""), node.get("ChangeKey")


def _text(elem: Any, tag: str) -> str | None:
    node = elem.find(f"{{{TNS}}}{tag}")
    return None if node is None or node.text is None else str(node.text)


class _SyncItems(SyncFolderItems):  # type: ignore[misc]
    def _elem_to_obj(self, elem: Any) -> _Change:
        kind = self.change_types_map[elem.tag]
        item_id, change_key = _item_id(elem)
        received = None
        if kind in (self.CREATE, self.UPDATE) and len(elem):
            received = utc(_text(elem[0], "DateTimeReceived"))
        return _Change(kind, item_id, change_key, received)


class _SyncFolders(SyncFolderHierarchy):  # type: ignore[misc]
    def _elem_to_obj(self, elem: Any) -> tuple[str, _FolderRow]:
        kind = self.change_types_map[elem.tag]
        if kind == self.DELETE:
            node = elem.find(f"{{{TNS}}}FolderId")
            return kind, _FolderRow(str(node.get("Id") if node is not None else ""), None, "", None, None)
        folder = elem[0]
        ident = folder.find(f"{{{TNS}}}FolderId")
        parent = folder.find(f"{{{TNS}}}ParentFolderId")
        return kind, _FolderRow(
            str(ident.get("Id") if ident is not None else ""),
            str(parent.get("Id")) if parent is not None else None,
            _text(folder, "DisplayName") or "",
            _text(folder, "FolderClass"),
            _text(folder, "DistinguishedFolderId"),
        )


class _GetMime(GetItem):  # type: ignore[misc]
    def _elem_to_obj(self, elem: Any) -> _Fetched:
        item_id, _ = _item_id(elem)
        mime_node = elem.find(f"{{{TNS}}}MimeContent")
        mime = base64.b64decode(mime_node.text) if mime_node is not None and mime_node.text else None
        parent = elem.find(f"{{{TNS}}}ParentFolderId")
        return _Fetched(
            item_id, mime, utc(_text(elem, "DateTimeReceived")), str(parent.get("Id")) if parent is not None else None
        )


class _GetFolderInfo(GetFolder):  # type: ignore[misc]
    def _elems_to_objs(self, elems: Iterable[Any]) -> Iterable[Any]:
        for elem in elems:
            if isinstance(elem, Exception):
                yield elem
                continue
            ident = elem.find(f"{{{TNS}}}FolderId")
            yield (
                str(ident.get("Id")) if ident is not None else "",
                _text(elem, "DisplayName") or "",
                int(_text(elem, "TotalCount") or 0),
                int(_text(elem, "UnreadCount") or 0),
            )


class _StreamingEvents(GetStreamingEvents):  # type: ignore[misc]
    def _elem_to_obj(self, elem: Any) -> list[str]:
        return [_local(child.tag) for child in elem if _local(child.tag).endswith("Event")]

    def interrupt(self) -> None:
        """Wake the thread blocked reading the stream (called from another thread): shut its socket down."""
        response = self._streaming_response
        if response is None:
            return
        raw = getattr(response, "raw", None)
        connection = getattr(raw, "connection", None) or getattr(raw, "_connection", None)
        sock = getattr(connection, "sock", None)
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


def _field(model: Any, name: str) -> Any:
    return FieldPath(field=model.get_field_by_fieldname(name))


def _distinguished(account: Any, name: str) -> Any:
    return DistinguishedFolderId(id=name, mailbox=EwsMailbox(email_address=account.primary_smtp_address))


def _folder_ref(account: Any, folder_id: str | None) -> Any:
    return _distinguished(account, "inbox") if folder_id is None else FolderId(id=folder_id)


# --- the blocking side: one function per thing we ask of EWS


def _sync_page(account: Any, folder_id: str | None, state: str | None, page_size: int) -> _Page | None:
    """One SyncFolderItems page; None when the server no longer knows ``state``."""
    service = _SyncItems(account=account)
    fields = {_field(EwsMessage, "datetime_received")}
    try:
        changes = tuple(
            service.call(
                folder=_folder_ref(account, folder_id),
                shape=ID_ONLY,
                additional_fields=fields,
                sync_state=state,
                ignore=None,
                max_changes_returned=page_size,
                sync_scope=None,
            )
        )
    except ErrorInvalidSyncStateData:
        return None
    return _Page(changes, str(service.sync_state or ""), bool(service.includes_last_item_in_range))


def _get_mime(account: Any, ids: Sequence[tuple[str, str | None]]) -> list[_Fetched]:
    fields = {_field(EwsMessage, name) for name in ("mime_content", "datetime_received", "parent_folder_id")}
    service = _GetMime(account=account, chunk_size=max(1, len(ids)))
    item_ids = [ItemId(id=i, changekey=k) for i, k in ids]
    results = list(service.call(items=item_ids, additional_fields=fields, shape=ID_ONLY))
    fetched = []
    for (item_id, _), result in zip(ids, results, strict=True):
        if isinstance(result, BaseException):
            fetched.append(_Fetched(item_id, None, None, None, result))
        else:
            fetched.append(result)
    return fetched


def _read_tree(account: Any) -> _Tree:
    service = _SyncFolders(account=account)
    names = ["parent_folder_id", "name", "folder_class"]
    distinguished = Folder.get_field_by_fieldname("_distinguished_id")
    fields = {_field(Folder, name) for name in names}
    if distinguished.supports_version(account.version):
        fields.add(FieldPath(field=distinguished))
    rows: dict[str, _FolderRow] = {}
    state = None
    for _ in range(1000):  # pages of a hierarchy; a runaway server cannot loop us forever
        for kind, row in service.call(
            folder=_distinguished(account, "msgfolderroot"), shape=ID_ONLY, additional_fields=fields, sync_state=state
        ):
            if kind == service.DELETE:
                rows.pop(row.id, None)
            else:
                rows[row.id] = row
        if service.includes_last_item_in_range or service.sync_state == state:
            break
        state = service.sync_state
    inbox_id = next((row.id for row in rows.values() if row.distinguished == "inbox"), None)
    if inbox_id is None:  # servers that do not return DistinguishedFolderId: ask for the Inbox's id
        inbox_id = _folder_info(account, "inbox")[0]
    return _Tree(rows, inbox_id)


def _folder_info(account: Any, name: str) -> tuple[str, str, int, int]:
    """(id, display name, total, unread) of a distinguished folder: one GetFolder."""
    fields = {_field(Folder, n) for n in ("name", "total_count", "unread_count")}
    (result,) = _GetFolderInfo(account=account).call(
        folders=[_distinguished(account, name)], additional_fields=fields, shape=ID_ONLY
    )
    if isinstance(result, BaseException):
        raise result
    info: tuple[str, str, int, int] = result
    return info


def _find_in_sent(account: Any, message_id: str) -> bool:
    restriction = Restriction(Q(message_id=message_id), folders=[Folder()], applies_to=Restriction.ITEMS)
    found = FindItem(account=account).call(
        folders=[_distinguished(account, "sentitems")],
        additional_fields=None,
        restriction=restriction,
        order_fields=None,
        shape=ID_ONLY,
        query_string=None,
        depth="Shallow",
        calendar_view=None,
        max_items=1,
        offset=0,
    )
    return any(not isinstance(item, BaseException) for item in found)


def _send(account: Any, raw: bytes, bcc: Sequence[str]) -> None:
    message = EwsMessage(
        account=account,
        mime_content=raw,
        bcc_recipients=[EwsMailbox(email_address=address) for address in bcc] or None,
    )
    # No SavedItemFolderId: SendAndSaveCopy keeps the copy in the mailbox's own Sent Items.
    results = list(
        CreateItem(account=account).call(
            items=[message], folder=None, message_disposition=SEND_AND_SAVE_COPY, send_meeting_invitations="SendToNone"
        )
    )
    for result in results:
        if isinstance(result, BaseException):
            raise result


# --- the async side


class _Link:
    """One mailbox's exchangelib Account, on its factory's shared protocol, used from worker threads."""

    def __init__(self, sessions: EwsSessions, target: EwsTarget) -> None:
        self.sessions = sessions
        self.target = target
        self._account: Any = None
        self._lock = threading.Lock()

    def account(self) -> Any:
        with self._lock:
            if self._account is None:
                self._account = self.sessions.account(self.target)
            return self._account

    async def release(self) -> None:
        """The connector is done: its connection may be closed (see ``EwsSessions.release``)."""
        with self._lock:
            used, self._account = self._account is not None, None
        if used:
            await asyncio.to_thread(self.sessions.release, self.target)

    async def call(self, fn: Callable[[Any], T]) -> T:
        """Run ``fn(account)`` in a worker thread; exchangelib's exceptions come back as domain errors."""
        try:
            return await asyncio.to_thread(self._run, fn)
        except DesktopSyncError:
            raise
        except Exception as exc:
            raise translate_ews(exc, auth_scope=self.target.auth_scope, server=self.target.server) from exc

    def _run(self, fn: Callable[[Any], T]) -> T:
        return fn(self.account())


def _encode(state: str) -> str:
    return CURSOR_PREFIX + state


def _decode(value: str | None) -> str | None:
    if not value or not value.startswith(CURSOR_PREFIX):
        return None
    return value[len(CURSOR_PREFIX) :] or None


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
        self._link = _Link(sessions, target)
        self._folders = tuple(name for name in dict.fromkeys(folders) if name != INBOX)
        self._batch_size = batch_size
        self._page_size = page_size
        self._stream_minutes = stream_minutes
        self._reconnect_delays = tuple(reconnect_delays)
        self._tree: _Tree | None = None

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
        held: Batch | None = None
        remaining = limit
        stopped_early = False
        for name in missing:
            # A tracked folder deleted on the server must not stop the others.
            failure = ItemFailure(name, name, ErrorCode.MAILBOX_NOT_FOUND.value, f"no folder {name} any more", False)
            if held is not None:
                yield replace(held, more=True)
            held = Batch((), Cursor(name, cursors.get(name, "")), (failure,))
        for name, folder_id in plan:
            if remaining <= 0:
                stopped_early = True
                break
            async for batch, left_over in self._fetch_folder(name, folder_id, cursors.get(name), since, remaining):
                remaining -= len(batch.items) + len(batch.failures)
                if held is not None:
                    yield replace(held, more=True)
                held = batch
                stopped_early = left_over
            if stopped_early:
                break
        if held is not None:
            yield replace(held, more=stopped_early)

    async def _fetch_folder(
        self, name: str, folder_id: str | None, previous: str | None, since: dt.datetime | None, limit: int
    ) -> AsyncIterator[tuple[Batch, bool]]:
        """Batches of one folder, each paired with "changes were left because ``limit`` ran out"."""
        state = _decode(previous)
        reset = bool(previous) and state is None
        first = True
        while True:
            page_size = min(self._page_size, limit)
            asked = state

            def sync(account: Any, asked: str | None = asked, page_size: int = page_size) -> _Page | None:
                return _sync_page(account, folder_id, asked, page_size)

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
            cursor = Cursor(name, _encode(page.sync_state))
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
        self, folder: str, group: Sequence[_Change]
    ) -> tuple[tuple[RawMessage, ...], tuple[ItemFailure, ...]]:
        fetched = await self._link.call(lambda a: _get_mime(a, [(c.item_id, c.change_key) for c in group]))
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
            (result,) = await self._link.call(lambda a: _get_mime(a, [(server_id, None)]))
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
        self._tree = await self._link.call(_read_tree)
        return self._tree.server_folders()

    async def _hierarchy(self) -> _Tree:
        if self._tree is None:
            self._tree = await self._link.call(_read_tree)
        return self._tree

    async def categorize(self, server_ids: Sequence[str], category: str = TRACKED_CATEGORY) -> None:
        """Add ``category`` to these items (kept with the user's own categories); items gone are skipped."""
        if server_ids:
            await self._link.call(lambda a: _add_category(a, server_ids, category))

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


def _add_category(account: Any, server_ids: Sequence[str], category: str) -> None:
    fields = {_field(EwsMessage, "categories")}
    current = list(
        _GetCategories(account=account, chunk_size=BATCH_SIZE).call(
            items=[ItemId(id=i) for i in server_ids], additional_fields=fields, shape=ID_ONLY
        )
    )
    changes = []
    for result in current:
        if isinstance(result, BaseException):
            continue  # moved or deleted since: nothing to mark
        item_id, change_key, categories = result
        if category in categories:
            continue
        item = EwsMessage(account=account, id=item_id, changekey=change_key, categories=[*categories, category])
        changes.append((item, ["categories"]))
    if changes:
        list(
            UpdateItem(account=account, chunk_size=BATCH_SIZE).call(
                items=changes,
                conflict_resolution="AutoResolve",
                message_disposition="SaveOnly",
                send_meeting_invitations_or_cancellations="SendToNone",
                suppress_read_receipts=True,
            )
        )


class _GetCategories(GetItem):  # type: ignore[misc]
    def _elem_to_obj(self, elem: Any) -> tuple[str, str | None, list[str]]:
        item_id, change_key = _item_id(elem)
        node = elem.find(f"{{{TNS}}}Categories")
        categories = [str(child.text) for child in node] if node is not None else []
        return item_id, change_key, categories


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
        self._link = _Link(sessions, target)

    async def send(self, message: OutgoingMessage) -> SendResult:
        target = self._link.target
        bcc = _bcc(message.raw, message.recipients)
        try:
            await asyncio.to_thread(self._link._run, lambda a: _send(a, message.raw, bcc))
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
        return await self._link.call(lambda a: _find_in_sent(a, message_id.strip()))

    async def test(self) -> ConnectionTest:
        return await run_test(self._link.sessions, self._link.target, access="sentitems", list_folders=False)

    async def close(self) -> None:
        """The connection went back to its pool after each request; a mailbox's own pool closes it now."""
        await self._link.release()


# --- the connection test


async def run_test(sessions: EwsSessions, target: EwsTarget, *, access: str, list_folders: bool) -> ConnectionTest:
    """RESOLVE, CONNECT, TLS (each on a socket of its own), AUTHENTICATE (version probe, OAuth token),
    ACCESS (GetFolder of ``access`` in the mailbox) and LIST_FOLDERS, on a protocol of the test's own."""
    steps = StepRecorder()
    recorder = Recorder()
    account: Any = None
    timeout = float(target.profile.timeout_seconds)
    try:
        steps.begin(ConnectionTestStep.RESOLVE)
        how = "profile" if target.profile.ews_url else "autodiscover"
        url = await _call(target, lambda: sessions.endpoint(target))
        endpoint = endpoint_of(url)
        try:
            context = transport_context(target.profile, endpoint)
        except DesktopSyncError as problem:
            steps.ok(step_text(f"ews_url_{how}", url=url))
            steps.begin(ConnectionTestStep.TLS)
            raise problem
        addresses = await resolve(endpoint, timeout)
        names = ", ".join(sorted({address.host for address in addresses}))
        steps.ok(step_text(f"ews_resolved_{how}", url=url, host=endpoint.host, addresses=names))
        steps.begin(ConnectionTestStep.CONNECT)
        sock = await _call(target, lambda: connect_first(addresses, timeout, endpoint.host))
        peer = sock.getpeername()[0]
        try:
            steps.ok(step_text("connected", address=peer, port=endpoint.port))
            steps.begin(ConnectionTestStep.TLS)
            if context is None:
                steps.ok(step_text("clear_text"))
            else:

                def handshake() -> str:
                    with context.wrap_socket(sock, server_hostname=endpoint.host) as tls:
                        return tls_detail(tls)

                steps.ok(await _call(target, handshake))
        finally:
            sock.close()
        steps.begin(ConnectionTestStep.AUTHENTICATE)
        account = await _call(target, lambda: sessions.private_account(target, recorder))
        version = await _call(target, lambda: account.protocol.version)
        steps.exchange(recorder.request, recorder.response)
        steps.ok(
            step_text("ews_signed_in", login=target.login, auth=target.profile.auth.value, version=version.api_version)
        )
        steps.begin(ConnectionTestStep.ACCESS)
        _, name, total, unread = await _call(target, lambda: _folder_info(account, access))
        steps.exchange(recorder.request, recorder.response)
        access_text = "ews_access_impersonated" if target.impersonation else "ews_access_own"
        facts = {"address": target.address, "login": target.login, "folder": name, "total": total, "unread": unread}
        steps.ok(step_text(access_text, **facts))
        if list_folders:
            steps.begin(ConnectionTestStep.LIST_FOLDERS)
            tree = await _call(target, lambda: _read_tree(account))
            steps.exchange(recorder.request, recorder.response)
            under = len(tree.under_inbox())
            steps.ok(step_text("ews_folders", count=len(tree.rows), under=under))
    except DesktopSyncError as problem:
        if recorder.request:
            steps.exchange(recorder.request, recorder.response)
        steps.fail(problem)
    finally:
        if account is not None:
            await asyncio.to_thread(account.protocol.close)
    return steps.result()


async def _call(target: EwsTarget, fn: Callable[[], T]) -> T:
    try:
        return await asyncio.to_thread(fn)
    except DesktopSyncError:
        raise
    except Exception as exc:
        raise translate_ews(exc, auth_scope=target.auth_scope, server=target.server) from exc


# --- push


def _subscribe(account: Any, folder_ids: Sequence[str | None]) -> str:
    folders = [_folder_ref(account, folder_id) for folder_id in folder_ids]
    (result,) = SubscribeToStreaming(account=account).call(folders=folders, event_types=sorted(WAKE_EVENTS))
    if isinstance(result, BaseException):
        raise result
    return str(result)


def _unsubscribe(account: Any, subscription_id: str) -> None:
    with contextlib.suppress(Exception):  # it expires by itself on the server
        Unsubscribe(account=account).get(subscription_id=subscription_id)


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
        self._link = _Link(sessions, target)
        self._stream_minutes = max(1, min(30, stream_minutes))
        self._reconnect_delays = tuple(reconnect_delays)
        self._subscription: str | None = None
        self._subscribed_once = False
        self._queue: asyncio.Queue[tuple[str, Any]] | None = None
        self._thread: threading.Thread | None = None
        self._service: _StreamingEvents | None = None
        self._closed = False

    async def wait_for_changes(self) -> None:
        failures = 0
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
                    failures = 0
                    if WAKE_EVENTS & set(value):
                        return
                    continue
                self._thread = None
                if kind == "closed":
                    failures = 0
                    continue  # the server ended the stream after its time-out: open it again
                raise value
            except (ErrorSubscriptionNotFound, ErrorExpiredSubscription):
                self._subscription = None  # expired (30 minutes without a stream): subscribe again
            except Exception as exc:
                target = self._link.target
                problem = exc if isinstance(exc, DesktopSyncError) else translate_ews(exc, server=target.server)
                if self._closed or isinstance(problem, PermanentError) or failures >= len(self._reconnect_delays):
                    if problem is exc:
                        raise
                    raise problem from exc
                delay = self._reconnect_delays[failures]
                failures += 1
                log.info("EWS stream of %s lost (%s); reconnecting in %.0f s", target.address, problem.code, delay)
                await asyncio.sleep(delay)

    def _subscribe(self, account: Any) -> str:
        folders: list[str | None] = [None]  # the Inbox
        tree = _read_tree(account)
        folders += tree.under_inbox()[: MAX_PUSH_FOLDERS - 1]
        return _subscribe(account, folders)

    def _start_stream(self) -> None:
        loop = asyncio.get_running_loop()
        if self._queue is None:
            self._queue = asyncio.Queue()
        queue = self._queue
        subscription = self._subscription
        assert subscription is not None
        account = self._link.account()
        service = _StreamingEvents(account=account)
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
            await asyncio.to_thread(thread.join, 5.0)
            if thread.is_alive():
                log.warning("EWS stream of %s did not stop in time", self._link.target.address)
        self._thread = None
        subscription, self._subscription = self._subscription, None
        if subscription is not None:
            account = self._link.account()
            await asyncio.to_thread(_unsubscribe, account, subscription)
        await self._link.release()
