"""What the mail connector asks of EWS, one blocking function each (run in a worker thread): sync and
read mail, read the folder tree, look in Sent Items, send, categorize, subscribe to push."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from typing import Any

from exchangelib.fields import FieldPath
from exchangelib.folders import Folder
from exchangelib.items import ID_ONLY, SEND_AND_SAVE_COPY
from exchangelib.items import Message as EwsMessage
from exchangelib.properties import ItemId
from exchangelib.properties import Mailbox as EwsMailbox
from exchangelib.restriction import Q, Restriction
from exchangelib.services import CreateItem, FindItem, SubscribeToStreaming, Unsubscribe, UpdateItem

from desktop_sync.connectors.ews_services import (
    ChangesPage,
    Fetched,
    FolderRow,
    GetCategories,
    GetFolderInfo,
    GetMime,
    SyncFolders,
    distinguished,
    field_path,
    folder_ref,
    sync_page,
)
from desktop_sync.domain.folders import INBOX, ServerFolder, folder_paths

BATCH_SIZE = 50  # messages per GetItem (MIME) and per committed batch
DELIMITER = "/"  # folder paths as the admin sees them: "INBOX/Customers/Key accounts"
WAKE_EVENTS = frozenset({"NewMailEvent", "CreatedEvent", "MovedEvent", "CopiedEvent"})
TRACKED_CATEGORY = "Tracked to CRM"
SPECIAL_USE = {
    "sentitems": "\\Sent",
    "deleteditems": "\\Trash",
    "junkemail": "\\Junk",
    "drafts": "\\Drafts",
    "archive": "\\Archive",
}


class Tree:
    """The mailbox's folders under the top of the information store, named as paths from it."""

    def __init__(self, rows: Mapping[str, FolderRow], inbox_id: str) -> None:
        self.rows = dict(rows)
        self.inbox_id = inbox_id
        self._paths = folder_paths({i: (row.name, row.parent_id) for i, row in self.rows.items()}, inbox_id, DELIMITER)
        self._by_path = {path: folder_id for folder_id, path in self._paths.items()}

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


def sync_mail(account: Any, folder_id: str | None, state: str | None, page_size: int) -> ChangesPage | None:
    """One SyncFolderItems page of a mail folder (the Inbox when ``folder_id`` is None), with each
    item's DateTimeReceived; None when the server no longer knows ``state``."""
    return sync_page(
        account, folder_ref(account, folder_id), state, page_size, {field_path(EwsMessage, "datetime_received")}
    )


def get_mime(account: Any, ids: Sequence[tuple[str, str | None]]) -> list[Fetched]:
    fields = {field_path(EwsMessage, name) for name in ("mime_content", "datetime_received", "parent_folder_id")}
    service = GetMime(account=account, chunk_size=max(1, len(ids)))
    item_ids = [ItemId(id=i, changekey=k) for i, k in ids]
    results = list(service.call(items=item_ids, additional_fields=fields, shape=ID_ONLY))
    fetched = []
    for (item_id, _), result in zip(ids, results, strict=True):
        if isinstance(result, BaseException):
            fetched.append(Fetched(item_id, None, None, None, result))
        else:
            fetched.append(result)
    return fetched


def read_tree(account: Any) -> Tree:
    service = SyncFolders(account=account)
    names = ["parent_folder_id", "name", "folder_class"]
    distinguished_id = Folder.get_field_by_fieldname("_distinguished_id")
    fields = {field_path(Folder, name) for name in names}
    if distinguished_id.supports_version(account.version):
        fields.add(FieldPath(field=distinguished_id))
    rows: dict[str, FolderRow] = {}
    state = None
    for _ in range(1000):  # pages of a hierarchy; a runaway server cannot loop us forever
        for kind, row in service.call(
            folder=distinguished(account, "msgfolderroot"), shape=ID_ONLY, additional_fields=fields, sync_state=state
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
        inbox_id = folder_info(account, "inbox")[0]
    return Tree(rows, inbox_id)


def folder_info(account: Any, name: str) -> tuple[str, str, int, int]:
    """(id, display name, total, unread) of a distinguished folder: one GetFolder."""
    fields = {field_path(Folder, n) for n in ("name", "total_count", "unread_count")}
    (result,) = GetFolderInfo(account=account).call(
        folders=[distinguished(account, name)], additional_fields=fields, shape=ID_ONLY
    )
    if isinstance(result, BaseException):
        raise result
    info: tuple[str, str, int, int] = result
    return info


def find_in_sent(account: Any, message_id: str) -> bool:
    restriction = Restriction(Q(message_id=message_id), folders=[Folder()], applies_to=Restriction.ITEMS)
    found = FindItem(account=account).call(
        folders=[distinguished(account, "sentitems")],
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


def send_mime(account: Any, raw: bytes, bcc: Sequence[str]) -> None:
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


def add_category(account: Any, server_ids: Sequence[str], category: str) -> None:
    fields = {field_path(EwsMessage, "categories")}
    current = list(
        GetCategories(account=account, chunk_size=BATCH_SIZE).call(
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


def subscribe(account: Any, folder_ids: Sequence[str | None]) -> str:
    folders = [folder_ref(account, folder_id) for folder_id in folder_ids]
    (result,) = SubscribeToStreaming(account=account).call(folders=folders, event_types=sorted(WAKE_EVENTS))
    if isinstance(result, BaseException):
        raise result
    return str(result)


def unsubscribe(account: Any, subscription_id: str) -> None:
    with contextlib.suppress(Exception):  # it expires by itself on the server
        Unsubscribe(account=account).get(subscription_id=subscription_id)
