"""Incoming mail of one Exchange Online mailbox through Microsoft Graph.

One delta chain per synchronized folder (``mailFolders/{id}/messages/delta``): a page lists the
changed messages with the few properties we need, the MIME of the new ones is read in ``$batch``es of
``$value``, and the batch goes to the engine with the link that follows the page as its cursor (a next
link mid-round, the delta link at its end), so a crash resumes where the last committed page ended.
The cursor names the folder's id: a folder deleted and made again under the same name starts afresh.
A token the server forgot (410) starts the folder again (``Batch.reset``; the engine's Message-ID
guard drops what it has). Messages carrying the profile's tracked category are ours already (the
category we wrote comes back as a change) and are not read again.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import AsyncGenerator, AsyncIterator, Mapping, Sequence
from typing import Any

from desktop_sync.connectors.errors import ErrorCode, error
from desktop_sync.connectors.graph.answers import BatchAnswer, BatchRequest, DeltaGone, Page, failure, removed
from desktop_sync.connectors.graph.client import GraphClient, decode_batch_bytes
from desktop_sync.connectors.graph.folders import FolderTree, read_tree
from desktop_sync.connectors.graph.probe import run_test
from desktop_sync.connectors.holdback import read_folders
from desktop_sync.domain.errors import DesktopSyncError, ErrorScope, PermanentError
from desktop_sync.domain.folders import INBOX, ServerFolder
from desktop_sync.domain.ports.connectors import Batch, ConnectionTest, Cursor, ItemFailure, RawMessage

log = logging.getLogger("desktop_sync.connectors.graph")

CURSOR_PREFIX = "graph1|"  # "graph1|<folder id>|<next or delta link>"
PAGE_SIZE = 200  # messages a delta page lists
BATCH_SIZE = 80  # messages per committed batch: their MIME in four $batch requests of 20, sent side by side
DELTA_FIELDS = "id,receivedDateTime,categories,internetMessageId,subject"


def encode_cursor(folder_id: str, link: str) -> str:
    return f"{CURSOR_PREFIX}{folder_id}|{link}"


def decode_cursor(value: str | None, folder_id: str) -> str | None:
    """The link to go on from, when ``value`` is a cursor of this folder; None to start afresh."""
    if not value or not value.startswith(CURSOR_PREFIX):
        return None
    found, _, link = value[len(CURSOR_PREFIX) :].partition("|")
    return link if found == folder_id and link.startswith("https://") else None


def received_at(item: Mapping[str, Any]) -> dt.datetime | None:
    value = item.get("receivedDateTime")
    if not isinstance(value, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def _item_gone(server_id: str, why: str) -> PermanentError:
    problem = error(ErrorCode.ITEM_NOT_FOUND, f"{server_id}: {why}", scope=ErrorScope.ITEM)
    assert isinstance(problem, PermanentError)
    return problem


class GraphIncoming:
    """Incoming mail of one mailbox: the Inbox plus ``folders`` (tracked folders, by path)."""

    def __init__(
        self,
        client: GraphClient,
        *,
        folders: Sequence[str] = (),
        tracked_category: str = "",
        batch_size: int = BATCH_SIZE,
        page_size: int = PAGE_SIZE,
    ) -> None:
        if batch_size < 1 or page_size < 1:
            raise ValueError("batch_size and page_size must be at least 1")
        self.client = client
        self._folders = tuple(name for name in dict.fromkeys(folders) if name != INBOX)
        self._tracked_category = tracked_category
        self._batch_size = batch_size
        self._page_size = page_size
        self._tree: FolderTree | None = None
        self._categories: dict[str, list[str]] = {}  # what each message read carries, for categorize()

    @property
    def folders(self) -> tuple[str, ...]:
        return (INBOX, *self._folders)

    # --- IncomingMail

    async def fetch(self, cursors: Mapping[str, str], since: dt.datetime | None, limit: int) -> AsyncIterator[Batch]:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        plan: list[tuple[str, str]] = [(INBOX, "inbox")]
        gone: list[Batch] = []
        if self._folders:
            tree = await self._hierarchy()
            for name in self._folders:
                folder_id = tree.id_of(name)
                if folder_id is None:  # a tracked folder deleted on the server must not stop the others
                    failure = ItemFailure(
                        name, name, ErrorCode.MAILBOX_NOT_FOUND.value, f"no folder {name} any more", False
                    )
                    gone.append(Batch((), Cursor(name, cursors.get(name, "")), (failure,)))
                else:
                    plan.append((name, folder_id))
        readers = [functools.partial(self._fetch_folder, name, key, cursors.get(name), since) for name, key in plan]
        async for batch in read_folders(readers, limit, gone):
            yield batch

    async def _fetch_folder(
        self, name: str, folder_key: str, previous: str | None, since: dt.datetime | None, limit: int
    ) -> AsyncIterator[tuple[Batch, bool]]:
        """Batches of one folder, each paired with "changes were left because ``limit`` ran out"."""
        start = decode_cursor(previous, folder_key)
        reset = bool(previous) and start is None
        first = True
        pages: AsyncGenerator[Page, None] = self._pages(folder_key, start)
        while True:
            try:
                page = await anext(pages)
            except StopAsyncIteration:
                return
            except DeltaGone:
                if start is None:
                    raise
                log.warning("%s %s: the delta token is no longer valid; reading the folder again", self._address, name)
                start, reset = None, True
                pages = self._pages(folder_key, None)
                continue
            except DesktopSyncError as problem:
                if problem.code != ErrorCode.ITEM_NOT_FOUND or name == INBOX:
                    raise
                failure = ItemFailure(name, name, ErrorCode.MAILBOX_NOT_FOUND.value, problem.message, transient=False)
                yield Batch((), Cursor(name, previous or ""), (failure,)), False
                return
            link = page.next_link or page.delta_link
            assert link is not None  # the client's delta() refuses a page without either
            cursor = Cursor(name, encode_cursor(folder_key, link))
            wanted = [item for item in page.items if self._wanted(item, since)]
            last_page = page.delta_link is not None
            if not wanted and (link != start or reset):
                yield Batch((), cursor, reset=reset and first), (not last_page and limit <= 0)
                first = False
            groups = [wanted[i : i + self._batch_size] for i in range(0, len(wanted), self._batch_size)]
            for number, group in enumerate(groups):
                items, failures = await self._read_group(name, group)
                limit -= len(items) + len(failures)
                last_group = number == len(groups) - 1
                left_over = last_group and not last_page and limit <= 0
                yield Batch(items, cursor if last_group else None, failures, reset=reset and first), left_over
                first = False
            if last_page or limit <= 0:
                await pages.aclose()
                return

    def _pages(self, folder_key: str, start: str | None) -> AsyncGenerator[Page, None]:
        if start is not None:
            return self.client.delta(start, page_size=self._page_size)
        path = f"mailFolders/{folder_key}/messages/delta"
        return self.client.delta(path, {"$select": DELTA_FIELDS}, page_size=self._page_size)

    def _wanted(self, item: Mapping[str, Any], since: dt.datetime | None) -> bool:
        if removed(item):
            return False  # mail stays in the CRM when it leaves the mailbox
        categories = item.get("categories")
        categories = [c for c in categories if isinstance(c, str)] if isinstance(categories, list) else []
        self._categories[item["id"]] = categories
        if self._tracked_category and self._tracked_category in categories:
            return False  # tracked already: our own category came back as a change
        received = received_at(item)
        return since is None or received is None or received >= since

    async def _read_group(
        self, folder: str, group: Sequence[Mapping[str, Any]]
    ) -> tuple[tuple[RawMessage, ...], tuple[ItemFailure, ...]]:
        asked = [BatchRequest(str(n), "GET", f"messages/{item['id']}/$value") for n, item in enumerate(group)]
        answers = await self.client.batch(asked)
        items: list[RawMessage] = []
        failures: list[ItemFailure] = []
        for request, item in zip(asked, group, strict=True):
            server_id = item["id"]
            answer = answers[request.id]
            subject = item.get("subject") if isinstance(item.get("subject"), str) else None
            try:
                raw = self._mime_of(answer, server_id)
            except DesktopSyncError as problem:
                transient = problem.code != ErrorCode.ITEM_NOT_FOUND
                failures.append(
                    ItemFailure(server_id, folder, problem.code, problem.message, transient, subject=subject)
                )
                continue
            items.append(RawMessage(server_id, folder, raw, received_at(item)))
        return tuple(items), tuple(failures)

    def _mime_of(self, answer: BatchAnswer, server_id: str) -> bytes:
        if not answer.ok:
            raise self._refused(answer, f"messages/{server_id}/$value")
        raw = decode_batch_bytes(answer)
        if not raw:
            raise _item_gone(server_id, "the server gave no MIME")
        return raw

    async def fetch_item(self, server_id: str) -> RawMessage:
        try:
            raw = await self.client.get_bytes(f"messages/{server_id}/$value")
            about = await self.client.get(f"messages/{server_id}", {"$select": "id,parentFolderId,receivedDateTime"})
        except PermanentError as problem:
            if problem.code in (ErrorCode.ITEM_NOT_FOUND, ErrorCode.PROTOCOL_ERROR):
                raise _item_gone(server_id, problem.message) from problem
            raise
        except DesktopSyncError as problem:
            if problem.code == ErrorCode.PROTOCOL_ERROR and "ErrorInvalidIdMalformed" in problem.message:
                raise _item_gone(server_id, problem.message) from problem
            raise
        if not raw:
            raise _item_gone(server_id, "the server gave no MIME")
        folder = INBOX
        about = about if isinstance(about, dict) else {}
        if self._folders:
            tree = await self._hierarchy()
            name = tree.name_of(about.get("parentFolderId"))
            folder = name if name in self._folders else INBOX
        return RawMessage(server_id, folder, raw, received_at(about))

    async def delete_committed(self, items: Sequence[RawMessage]) -> None:
        """Exchange mail stays on the server: nothing to do."""

    async def list_folders(self) -> list[ServerFolder]:
        self._tree = await read_tree(self.client)
        return self._tree.server_folders()

    async def _hierarchy(self) -> FolderTree:
        if self._tree is None:
            self._tree = await read_tree(self.client)
        return self._tree

    async def categorize(self, server_ids: Sequence[str], category: str) -> None:
        """Add ``category`` to these messages, keeping their own; messages gone since are skipped."""
        unknown = [i for i in server_ids if i not in self._categories]
        if unknown:
            asked = [BatchRequest(str(n), "GET", f"messages/{i}?$select=id,categories") for n, i in enumerate(unknown)]
            answers = await self.client.batch(asked)
            for request, server_id in zip(asked, unknown, strict=True):
                body = answers[request.id].body
                if answers[request.id].ok and isinstance(body, dict) and isinstance(body.get("categories"), list):
                    self._categories[server_id] = [c for c in body["categories"] if isinstance(c, str)]
        writes = []
        for server_id in server_ids:
            own = self._categories.get(server_id)
            if own is None or category in own:
                continue
            writes.append((server_id, [*own, category]))
        asked = [BatchRequest(str(n), "PATCH", f"messages/{i}", {"categories": c}) for n, (i, c) in enumerate(writes)]
        answers = await self.client.batch(asked) if asked else {}
        for request, (server_id, categories) in zip(asked, writes, strict=True):
            answer = answers[request.id]
            if answer.ok:
                self._categories[server_id] = categories
            elif answer.status != 404:
                raise self._refused(answer, f"messages/{server_id}")

    async def test(self) -> ConnectionTest:
        return await run_test(self.client, access="inbox", list_folders=True)

    def push(self) -> None:
        """Graph pushes by webhooks to a public URL, which a desktop engine does not have: it polls."""
        return None

    async def close(self) -> None:
        await self.client.close()

    def _refused(self, answer: BatchAnswer, path: str) -> DesktopSyncError:
        return failure(answer.status, answer.body, mailbox=self._address, path=path, server=self.client.server,
                       auth_scope=ErrorScope.MAILBOX, headers=answer.headers)  # fmt: skip

    @property
    def _address(self) -> str:
        return self.client.mailbox
