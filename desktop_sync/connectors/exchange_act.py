"""Exchange appointments, contacts and tasks over EWS, through exchangelib in worker threads.

``changes`` reads the Calendar, Contacts or Tasks folder with ``SyncFolderItems`` (ids and change
keys only, at most ``limit`` changes a page, the folder's SyncState as the cursor), then the
mapped fields of the created and changed items with ``GetItem`` in batches; a deletion comes back
as an ``ExchangeItem`` with ``deleted``. An invalid SyncState reads the folder again from the
start: the planner knows the linked items by id and change key, so nothing is duplicated.

Items we create carry the tracking category and the CRM id in an extended property of our own, so
a link lost in a crash is found again. ``update`` sends the change key with ``NeverOverwrite``:
an item changed meanwhile is a transient ``change_key_stale`` and the next cycle plans again.
Values cross this module with the CRM field names of ``domain/act.py``'s MAPPING, as plain
Python values (aware UTC datetimes, tuples of addresses, a recurrence as a dict), converted by
``exchange_act_values``; no exchangelib type leaves the connectors.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from exchangelib import errors as ews
from exchangelib.items import ID_ONLY
from exchangelib.properties import DistinguishedFolderId, ItemId
from exchangelib.properties import Mailbox as EwsMailbox
from exchangelib.services import DeleteItem

from desktop_sync.connectors.act_errors import invalid, stale
from desktop_sync.connectors.ews_services import (
    ChangesPage,
    CreateItems,
    GetItemsEach,
    Unreadable,
    UpdateIndexedItems,
    decode_sync_state,
    encode_sync_state,
    raise_first,
    sync_page,
)
from desktop_sync.connectors.exchange_act_values import CRM_ID_FIELD, MODELS, exchange_item, field_paths, fill
from desktop_sync.connectors.exchange_calls import TRACKED_CATEGORY
from desktop_sync.connectors.exchange_errors import BUSY, translate_ews
from desktop_sync.connectors.exchange_link import EwsLink, run_test
from desktop_sync.connectors.exchange_session import EwsSessions, EwsTarget
from desktop_sync.domain.act import ExchangeItem
from desktop_sync.domain.errors import DesktopSyncError, ErrorScope, PermanentError, TransientError
from desktop_sync.domain.isolation import ITEM_FAILED, Step, failure_reason
from desktop_sync.domain.model import RecordType
from desktop_sync.domain.ports.connectors import ActChanges, CalendarWindow, ConnectionTest, ItemFailure

log = logging.getLogger("desktop_sync.connectors.exchange")

PAGE_SIZE = 512  # changes per SyncFolderItems page: the most Exchange allows
GET_BATCH = 100  # items per GetItem
CURSOR_PREFIX = "act1:"  # a cursor is "act1:" + the folder's SyncState

T = TypeVar("T")
FOLDERS = {RecordType.APPOINTMENT: "calendar", RecordType.CONTACT: "contacts", RecordType.TASK: "tasks"}
# --- requests


def _folder(account: Any, record_type: RecordType) -> Any:
    return DistinguishedFolderId(
        id=FOLDERS[record_type], mailbox=EwsMailbox(email_address=account.primary_smtp_address)
    )


def _sync_page(account: Any, record_type: RecordType, state: str | None, size: int) -> ChangesPage | None:
    """One SyncFolderItems page of ids and change keys; None when the server no longer knows ``state``."""
    return sync_page(account, _folder(account, record_type), state, size)


def _get_items(account: Any, record_type: RecordType, ids: Sequence[str]) -> list[Any]:
    fields = field_paths(record_type)
    service = GetItemsEach(account=account, chunk_size=GET_BATCH)
    return list(service.call(items=[ItemId(id=i) for i in ids], additional_fields=fields, shape=ID_ONLY))


def _convert(record_type: RecordType, reference: str, fill: Callable[[], T]) -> T:
    """Our conversion of one record's values: a ValueError is a value Exchange cannot take (tried
    again next cycle); any other error is this record's failure for good, never the server's."""
    try:
        return fill()
    except ValueError:
        raise
    except Exception as exc:
        reason = failure_reason(Step.CONVERT, exc, reference)
        raise PermanentError(reason, code=ITEM_FAILED, scope=ErrorScope.ITEM) from exc


def _create(
    account: Any, record_type: RecordType, values: Mapping[str, Any], local_id: int, send_invitations: bool
) -> tuple[str, str | None]:
    model = MODELS[record_type]
    item = model(account=account)
    content = {k: v for k, v in values.items() if v is not None and v != "" and v != ()}
    _convert(record_type, f"{record_type.value}:{local_id}", lambda: fill(record_type, item, content, context=values))
    if record_type is RecordType.CONTACT and not item.display_name:
        names = [values.get("first_name"), values.get("last_name")]
        item.display_name = " ".join(str(n) for n in names if n) or str(values.get("email") or "(no name)")
    if record_type is RecordType.APPOINTMENT and item.end is None and item.start is not None:
        item.end = item.start
    item.categories = [TRACKED_CATEGORY]
    setattr(item, CRM_ID_FIELD, local_id)
    invitations = "SendToAllAndSaveCopy" if send_invitations else "SendToNone"
    (result,) = raise_first(
        CreateItems(account=account).call(
            items=[item],
            folder=_folder(account, record_type),
            message_disposition="SaveOnly",
            send_meeting_invitations=invitations,
        )
    )
    return str(result.id), result.changekey


def _update(
    account: Any, record_type: RecordType, server_id: str, change_key: str | None, values: Mapping[str, Any]
) -> str | None:
    model = MODELS[record_type]
    item = model(account=account, id=server_id, changekey=change_key)
    names, given = _convert(record_type, server_id, lambda: fill(record_type, item, values, context=values))
    if not names:
        return change_key
    if record_type is RecordType.APPOINTMENT and ("start" in names or "end" in names):
        # exchangelib sends a moved start or end with its time zone; both need a value to send.
        for name in ("start", "end"):
            if getattr(item, name) is None:
                names = [n for n in names if n != name]
    (result,) = raise_first(
        UpdateIndexedItems(account=account, given=given).call(
            items=[(item, names)],
            conflict_resolution="NeverOverwrite",
            message_disposition="SaveOnly",
            send_meeting_invitations_or_cancellations="SendToNone",
            suppress_read_receipts=True,
        )
    )
    _, new_key = result
    return str(new_key) if new_key else None


def _delete(account: Any, record_type: RecordType, server_id: str) -> None:
    # A meeting we organize is cancelled for its attendees (the planner only deletes those in the future);
    # the item goes to Deleted Items, where the user can still find it.
    cancellations = "SendToAllAndSaveCopy" if record_type is RecordType.APPOINTMENT else "SendToNone"
    results = DeleteItem(account=account).call(
        items=[ItemId(id=server_id)],
        delete_type="MoveToDeletedItems",
        send_meeting_cancellations=cancellations,
        affected_task_occurrences="AllOccurrences",  # a recurring task goes as a whole, like a series
        suppress_read_receipts=True,
    )
    for result in results:
        if isinstance(result, ews.ErrorItemNotFound):
            continue  # gone already: what we wanted
        if isinstance(result, BaseException):
            raise result


class ExchangeAct:
    """Appointments, contacts and tasks of one Exchange mailbox (the ``ActSync`` of domain/connectors.py)."""

    def __init__(self, sessions: EwsSessions, target: EwsTarget, *, page_size: int = PAGE_SIZE) -> None:
        if not 1 <= page_size <= PAGE_SIZE:
            raise ValueError("page_size must be within 1-512")
        self._link = EwsLink(sessions, target)
        self._page_size = page_size

    async def changes(
        self, record_type: RecordType, cursor: str | None, limit: int, *, window: CalendarWindow | None = None
    ) -> ActChanges:
        """``window`` is for calendar views (Graph): EWS reads the whole Calendar folder."""
        if limit < 1:
            raise ValueError("limit must be at least 1")
        size = min(self._page_size, limit)
        state = decode_sync_state(CURSOR_PREFIX, cursor)

        def sync(account: Any, state: str | None = state) -> ChangesPage | None:
            return _sync_page(account, record_type, state, size)

        page = await self._link.call(sync)
        full = state is None
        if page is None:
            if state is None:
                raise TransientError(
                    f"{FOLDERS[record_type]}: the server refused a sync from the start", code="protocol_error"
                )
            log.warning(
                "%s %s: the SyncState is no longer valid; reading the folder again",
                self._link.target.address,
                FOLDERS[record_type],
            )
            page = await self._link.call(lambda a: _sync_page(a, record_type, None, size))
            full = True
            if page is None:
                raise TransientError(
                    f"{FOLDERS[record_type]}: the server refused a sync from the start", code="protocol_error"
                )
        items: list[ExchangeItem] = []
        failures: list[ItemFailure] = []
        wanted: list[str] = []
        for change in page.changes:
            if not change.item_id:
                continue
            if change.kind == "delete":
                items.append(ExchangeItem(change.item_id, None, {}, False, deleted=True))
            elif change.kind in ("create", "update"):
                wanted.append(change.item_id)
        wanted = list(dict.fromkeys(wanted))
        if wanted:
            fetched = await self._link.call(lambda a: _get_items(a, record_type, wanted))
            model = MODELS[record_type]
            folder = FOLDERS[record_type]
            for item_id, result in zip(wanted, fetched, strict=True):
                if isinstance(result, ews.ErrorItemNotFound):
                    items.append(ExchangeItem(item_id, None, {}, False, deleted=True))  # gone since
                elif isinstance(result, Unreadable):
                    reason = failure_reason(Step.READ, result.problem, item_id)
                    failures.append(ItemFailure(item_id, folder, ITEM_FAILED, reason, transient=False))
                elif isinstance(result, BaseException):
                    if not _about_this_item(result):
                        raise _translate(self._link.target, result)
                    # the server's answer about this one item (ErrorCorruptData...): its failure alone
                    reason = failure_reason(Step.READ, result, item_id)
                    failures.append(ItemFailure(item_id, folder, ITEM_FAILED, reason, transient=False))
                elif type(result) is model:  # a distribution list among contacts, a note among tasks: not ours
                    try:
                        items.append(exchange_item(record_type, result))
                    except Exception as exc:  # one item's values we cannot convert: that item's failure alone
                        reason = failure_reason(Step.CONVERT, exc, item_id)
                        failures.append(ItemFailure(item_id, folder, ITEM_FAILED, reason, transient=False))
        next_cursor = encode_sync_state(CURSOR_PREFIX, page.sync_state)
        return ActChanges(tuple(items), next_cursor, more=not page.last, failures=tuple(failures), full=full)

    async def create(
        self, record_type: RecordType, values: Mapping[str, Any], *, local_id: int, send_invitations: bool = False
    ) -> tuple[str, str | None]:
        def create(account: Any) -> tuple[str, str | None]:
            try:
                return _create(account, record_type, values, local_id, send_invitations)
            except ValueError as problem:
                raise invalid(record_type, problem) from problem

        return await self._link.call(create)

    async def update(
        self, record_type: RecordType, server_id: str, change_key: str | None, values: Mapping[str, Any]
    ) -> str | None:
        return await self._link.call(lambda a: _update_checked(a, record_type, server_id, change_key, values))

    async def delete(self, record_type: RecordType, server_id: str, change_key: str | None) -> None:
        await self._link.call(lambda a: _delete(a, record_type, server_id))

    async def test(self) -> ConnectionTest:
        return await run_test(self._link.sessions, self._link.target, access="calendar", list_folders=False)

    async def close(self) -> None:
        """The connection went back to its pool after each request; a mailbox's own pool closes it now."""
        await self._link.release()


def _update_checked(
    account: Any, record_type: RecordType, server_id: str, change_key: str | None, values: Mapping[str, Any]
) -> str | None:
    try:
        return _update(account, record_type, server_id, change_key, values)
    except (ews.ErrorIrresolvableConflict, ews.ErrorInvalidChangeKey, ews.ErrorChangeKeyRequiredForWriteOperations):
        raise stale(server_id, "the item changed in Exchange meanwhile; it is planned again next cycle") from None
    except ews.ErrorItemNotFound:
        raise stale(server_id, "the item was deleted in Exchange meanwhile") from None
    except ValueError as problem:
        raise invalid(record_type, problem) from problem


# Per-item answers that speak of the server, the account or the mailbox rather than of the item.
_NOT_THE_ITEMS = (
    *BUSY,
    ews.ErrorTimeoutExpired,
    ews.ErrorAccessDenied,
    ews.ErrorImpersonateUserDenied,
    ews.ErrorNonExistentMailbox,
    ews.UnauthorizedError,
)


def _about_this_item(exc: BaseException) -> bool:
    """Whether a GetItem answer's error for one item is that item's own (ErrorCorruptData, a value the
    server cannot convert...): it goes to the ledger and the page goes on. The server's or the
    mailbox's state (busy, access, sign-in) still fails the page, to be tried again."""
    return isinstance(exc, ews.ResponseMessageError) and not isinstance(exc, _NOT_THE_ITEMS)


def _translate(target: EwsTarget, exc: BaseException) -> DesktopSyncError:
    return translate_ews(exc, auth_scope=target.auth_scope, server=target.server)
