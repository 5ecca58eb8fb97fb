"""Exchange Online appointments, contacts and tasks through Microsoft Graph (the ``ActSync`` port).

``changes`` reads one delta page of the record type's collection: the default contact folder's
``contacts/delta``, the calendar's ``calendarView/delta`` over a window (``CalendarWindow``), the default
To Do list's ``tasks/delta``. The page names what changed; the items themselves are read in ``$batch``es
(20 a request) with our CRM-id stamp ``$expand``ed, since a delta page carries no extended property. The
cursor is the link that follows the page (a next link mid-round, the delta link at its end) with the
container it belongs to. A delta token the server forgot (410) reads the collection again from the start:
the planner knows the linked items by id and change key, so nothing is duplicated.

The calendar view is a window, never the whole calendar: an item that leaves it is not deleted, so an
``@removed`` event is read again before it counts as deleted, and appointment changes are never ``full``
(a linked appointment outside the window is not taken for deleted). Once a day the window moves forward:
the old round is read to its end, then a new round over the new window starts, and what it lists again
is known by id and change key, so nothing is sent twice.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from desktop_sync.connectors.act_errors import invalid, stale
from desktop_sync.connectors.errors import ErrorCode, error
from desktop_sync.connectors.graph.act_values import change_key as change_key_of
from desktop_sync.connectors.graph.act_values import (
    expand,
    graph_body,
    graph_item,
    mapped,
    stamp,
)
from desktop_sync.connectors.graph.answers import BatchAnswer, BatchRequest, DeltaGone, failure, read_object, read_page
from desktop_sync.connectors.graph.client import GraphClient
from desktop_sync.connectors.transport import StepRecorder
from desktop_sync.domain.act import ExchangeItem
from desktop_sync.domain.errors import DesktopSyncError, ErrorScope, TransientError
from desktop_sync.domain.isolation import ITEM_FAILED, Step, failure_reason
from desktop_sync.domain.model import RecordType
from desktop_sync.domain.ports.connectors import (
    ActChanges,
    CalendarWindow,
    ConnectionTest,
    ConnectionTestStep,
    ItemFailure,
    step_text,
)

log = logging.getLogger("desktop_sync.connectors.graph")

CURSOR_PREFIX = "gact1:"  # "gact1:" + JSON {"c": container, "l": link, "w": [window start, end]}
PAGE_SIZE = 500  # changes a delta page lists (the engine asks for at most 512 a cycle, as EWS pages)
KINDS = {RecordType.APPOINTMENT: "calendar", RecordType.CONTACT: "contacts", RecordType.TASK: "tasks"}
PREFER = {"Prefer": 'IdType="ImmutableId", outlook.timezone="UTC"'}  # item reads: ids that survive moves, times in UTC


def _around(window: CalendarWindow, today: dt.date) -> tuple[str, str]:
    start = today - dt.timedelta(days=window.days_back)
    end = today + dt.timedelta(days=window.days_ahead)
    return f"{start.isoformat()}T00:00:00Z", f"{end.isoformat()}T00:00:00Z"


@dataclass(frozen=True, slots=True)
class _Cursor:
    container: str  # the contact folder's or the To Do list's id; "" for the calendar view
    link: str | None  # where to go on from: None starts a round afresh
    window: tuple[str, str] | None = None  # a calendar view's window

    def encode(self) -> str:
        state: dict[str, Any] = {"c": self.container, "l": self.link}
        if self.window is not None:
            state["w"] = list(self.window)
        return CURSOR_PREFIX + json.dumps(state, separators=(",", ":"))


def _decode(value: str | None) -> _Cursor | None:
    if not value or not value.startswith(CURSOR_PREFIX):
        return None
    try:
        state = json.loads(value[len(CURSOR_PREFIX) :])
        link = state.get("l")
        window = state.get("w")
        return _Cursor(
            str(state["c"]),
            link if isinstance(link, str) and link.startswith("https://") else None,
            (str(window[0]), str(window[1])) if isinstance(window, list) and len(window) == 2 else None,
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


class GraphAct:
    """Appointments, contacts and tasks of one Exchange Online mailbox (the ``ActSync`` of domain/ports)."""

    def __init__(
        self,
        client: GraphClient,
        *,
        tracked_category: str,
        window: CalendarWindow | None = None,
        page_size: int = PAGE_SIZE,
        today: Callable[[], dt.date] | None = None,
    ) -> None:
        if page_size < 1:
            raise ValueError("page_size must be at least 1")
        self.client = client
        self._tracked = tracked_category
        self._window = window or CalendarWindow()
        self._page_size = page_size
        self._today = today or (lambda: dt.datetime.now(dt.UTC).date())
        self._containers: dict[RecordType, str] = {}

    # --- where each kind lives

    async def _container(self, record_type: RecordType) -> str:
        if record_type is RecordType.APPOINTMENT:
            return ""
        if record_type not in self._containers:
            if record_type is RecordType.CONTACT:
                found = await self._default_contact_folder()
            else:
                lists = [t async for page in self.client.pages("todo/lists") for t in page.items]
                found = next((t for t in lists if t.get("wellknownListName") == "defaultList"), None)
            if found is None:
                raise error(ErrorCode.PROTOCOL_ERROR, f"{self.client.mailbox} has no default {KINDS[record_type]} list")
            self._containers[record_type] = str(found["id"])
        return self._containers[record_type]

    async def _default_contact_folder(self) -> dict[str, Any] | None:
        """The mailbox's own Contacts folder, by its well-known name (whatever the mailbox's language calls
        it); a server that does not know the name is asked for its folders, and the one named Contacts."""
        try:
            return read_object(await self.client.get("contactFolders/contacts"), "the Contacts folder")
        except DesktopSyncError as problem:
            if problem.code not in (ErrorCode.ITEM_NOT_FOUND.value, ErrorCode.PROTOCOL_ERROR.value):
                raise
        folders = [f async for page in self.client.pages("contactFolders") for f in page.items]
        return next((f for f in folders if f.get("displayName") == "Contacts"), None)

    def _collection(self, record_type: RecordType, container: str) -> str:
        quoted = urllib.parse.quote(container, safe="")
        if record_type is RecordType.CONTACT:
            return f"contactFolders/{quoted}/contacts"
        if record_type is RecordType.TASK:
            return f"todo/lists/{quoted}/tasks"
        return "events"

    def _item(self, record_type: RecordType, container: str, server_id: str) -> str:
        quoted = urllib.parse.quote(server_id, safe="")
        if record_type is RecordType.CONTACT:
            return f"contacts/{quoted}"  # an id names the contact whatever its folder
        return f"{self._collection(record_type, container)}/{quoted}"

    def _start(self, record_type: RecordType, container: str, window: tuple[str, str] | None) -> str:
        if record_type is RecordType.APPOINTMENT:
            assert window is not None
            query = urllib.parse.urlencode({"startDateTime": window[0], "endDateTime": window[1]})
            return f"calendarView/delta?{query}"
        return f"{self._collection(record_type, container)}/delta"

    # --- ActSync

    async def changes(
        self, record_type: RecordType, cursor: str | None, limit: int, *, window: CalendarWindow | None = None
    ) -> ActChanges:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        state = _decode(cursor)
        if state is not None and state.container and record_type is not RecordType.APPOINTMENT:
            self._containers.setdefault(record_type, state.container)  # known: no need to ask again
        container = await self._container(record_type)
        calendar = record_type is RecordType.APPOINTMENT
        span = _around(window or self._window, self._today()) if calendar else None
        if state is not None and state.container != container:
            state = None  # the default folder or list is another one now: start there afresh
        # A calendar window a day old: its round is read to its end first, then the new window starts.
        old_round = calendar and state is not None and state.window != span and state.link is not None
        if state is not None and state.link is not None and (old_round or state.window == span):
            link, round_window, fresh = state.link, state.window, False
        else:
            link, round_window, fresh = self._start(record_type, container, span), span, state is None
        try:
            page = await self._page(link, limit)
        except DesktopSyncError as problem:
            if isinstance(problem, DeltaGone):
                log.warning("%s %s: the delta token is gone; reading again", self.client.mailbox, record_type)
            elif problem.code == ErrorCode.ITEM_NOT_FOUND.value and record_type in self._containers:
                log.warning("%s %s: the folder is gone; reading the default one", self.client.mailbox, record_type)
                del self._containers[record_type]
                container = await self._container(record_type)
            else:
                raise
            link, round_window, fresh, old_round = self._start(record_type, container, span), span, True, False
            page = await self._page(link, limit)
        items, failures = await self._read(record_type, page.items)
        if old_round and page.next_link is None:
            next_cursor, more = _Cursor(container, None, span), True
        else:
            next_cursor = _Cursor(container, page.next_link or page.delta_link, round_window)
            more = page.next_link is not None
        # A calendar view is a window: what it lacks may lie outside it, so it is never the whole folder.
        full = fresh and not calendar
        return ActChanges(tuple(items), next_cursor.encode(), more=more, failures=tuple(failures), full=full)

    async def _page(self, link: str, limit: int) -> Any:
        answer = await self.client.request("GET", link, page_size=min(self._page_size, limit))
        return read_page(answer.body, f"{self.client.mailbox} delta")

    async def _read(
        self, record_type: RecordType, listed: tuple[dict[str, Any], ...]
    ) -> tuple[list[ExchangeItem], list[ItemFailure]]:
        """The items a delta page names, read with their stamp; deletions as deleted items."""
        items: list[ExchangeItem] = []
        failures: list[ItemFailure] = []
        wanted: list[str] = []
        for entry in listed:
            server_id = str(entry["id"])
            if "@removed" in entry and record_type is not RecordType.APPOINTMENT:
                items.append(ExchangeItem(server_id, None, {}, False, deleted=True))
                continue
            master = entry.get("seriesMasterId")  # an occurrence of a series: the series is the item
            wanted.append(str(master) if isinstance(master, str) and master else server_id)
        wanted = list(dict.fromkeys(wanted))
        if not wanted:
            return items, failures
        container = await self._container(record_type)
        query = urllib.parse.urlencode({"$expand": expand(record_type)})
        requests = [
            BatchRequest(str(n), "GET", f"{self._item(record_type, container, i)}?{query}", headers=PREFER)
            for n, i in enumerate(wanted)
        ]
        answers = await self.client.batch(requests)
        for n, server_id in enumerate(wanted):
            answer = answers[str(n)]
            if answer.status == 404:
                items.append(ExchangeItem(server_id, None, {}, False, deleted=True))
            elif not answer.ok:
                problem = self._failure(answer, self._item(record_type, container, server_id))
                if problem.scope is not ErrorScope.ITEM:
                    raise problem
                reason = failure_reason(Step.READ, problem, server_id)
                failures.append(ItemFailure(server_id, KINDS[record_type], ITEM_FAILED, reason, transient=False))
            else:
                try:
                    resource = read_object(answer.body, server_id)
                    items.append(graph_item(record_type, resource, self._tracked))
                except (ValueError, DesktopSyncError) as exc:  # this item's values alone
                    reason = failure_reason(Step.CONVERT, exc, server_id)
                    failures.append(ItemFailure(server_id, KINDS[record_type], ITEM_FAILED, reason, transient=False))
        return items, failures

    def _failure(self, answer: BatchAnswer, path: str) -> DesktopSyncError:
        problem = failure(
            answer.status,
            answer.body,
            mailbox=self.client.mailbox,
            path=path,
            server=self.client.server,
            auth_scope=ErrorScope.MAILBOX,
            headers=answer.headers,
        )
        if 400 <= answer.status < 500 and answer.status not in (401, 403, 404, 410, 429):
            # the server's word about this one item (a value it cannot serve): the ledger's, not the mailbox's
            return TransientError(problem.message, code=ITEM_FAILED, scope=ErrorScope.ITEM)
        return problem

    async def create(
        self, record_type: RecordType, values: Mapping[str, Any], *, local_id: int, send_invitations: bool = False
    ) -> tuple[str, str | None]:
        content = {k: v for k, v in values.items() if v is not None and v != "" and v != ()}
        context = dict(values)
        if record_type is RecordType.APPOINTMENT and not context.get("ends_at"):
            content["ends_at"] = context["ends_at"] = context.get("starts_at")
        try:
            body = graph_body(record_type, content, context=context)
        except ValueError as problem:
            raise invalid(record_type, problem, "Exchange Online") from problem
        if record_type is RecordType.CONTACT and not body.get("displayName"):
            names = [values.get("first_name"), values.get("last_name")]
            body["displayName"] = " ".join(str(n) for n in names if n) or str(values.get("email") or "(no name)")
        if record_type is RecordType.TASK and not body.get("title"):
            body["title"] = "(no subject)"
        body["categories"] = [self._tracked]
        body.update(stamp(record_type, local_id))
        # Graph invites the attendees of every event created with them (there is no "send to none"): an
        # event without its attendees would lose them in the CRM at its next change, which is worse.
        container = await self._container(record_type)
        created = await self.client.post(self._collection(record_type, container), body)
        resource = read_object(created, f"{self.client.mailbox} new {record_type.value}")
        return str(resource["id"]), change_key_of(resource)

    async def update(
        self, record_type: RecordType, server_id: str, change_key: str | None, values: Mapping[str, Any]
    ) -> str | None:
        container = await self._container(record_type)
        path = self._item(record_type, container, server_id)
        try:
            current: Mapping[str, Any] | None = None
            if any(m.graph and "/" in m.graph for m in mapped(record_type) if m.crm in values):
                current = await self.client.get(path, {"$select": "emailAddresses,businessPhones,businessAddress"})
            body = graph_body(record_type, values, context=values, current=current)
            if not body:
                return change_key
            # Only if the item is still the one planned from (EWS's NeverOverwrite): Graph's ETag is W/"changeKey".
            condition = (
                {"If-Match": change_key if change_key.startswith('W/"') else f'W/"{change_key}"'} if change_key else {}
            )
            answer = await self.client.request("PATCH", path, json_body=body, headers=condition, accept=(412,))
            if answer.status == 412:
                raise stale(server_id, "the item changed in Exchange meanwhile; it is planned again next cycle")
            updated = answer.body
        except ValueError as problem:
            raise invalid(record_type, problem, "Exchange Online") from problem
        except DesktopSyncError as problem:
            if problem.code == ErrorCode.ITEM_NOT_FOUND.value:
                raise stale(server_id, "the item was deleted in Exchange meanwhile") from None
            raise
        return change_key_of(updated) if isinstance(updated, Mapping) else None

    async def delete(self, record_type: RecordType, server_id: str, change_key: str | None) -> None:
        # A meeting the user organizes is cancelled for its attendees by Graph itself (the planner only
        # deletes those in the future); the item goes to Deleted Items, where the user can still find it.
        container = await self._container(record_type)
        path = self._item(record_type, container, server_id)
        try:
            await self.client.delete(path)
        except DesktopSyncError as problem:
            if problem.code != ErrorCode.ITEM_NOT_FOUND.value:
                raise  # else gone already: what we wanted

    async def test(self) -> ConnectionTest:
        """A token, then each of the three collections read once (Contacts, Calendars, Tasks permissions)."""
        steps = StepRecorder()
        steps.begin(ConnectionTestStep.AUTHENTICATE)
        try:
            steps.exchange(f"GET {self.client.base_url}/users/{self.client.mailbox}/contactFolders")
            await self._container(RecordType.CONTACT)
            steps.ok(step_text("logged_in", login=self.client.mailbox))
            steps.begin(ConnectionTestStep.ACCESS)
            steps.exchange("GET todo/lists")
            await self._container(RecordType.TASK)
            start, end = _around(self._window, self._today())
            steps.exchange("GET calendarView/delta (one event)")
            await self.client.request("GET", self._start(RecordType.APPOINTMENT, "", (start, end)), page_size=1)
            steps.ok(step_text("graph_act_access", address=self.client.mailbox))
        except DesktopSyncError as problem:
            steps.fail(problem)
        return steps.result()

    async def close(self) -> None:
        await self.client.close()
