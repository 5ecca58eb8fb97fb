"""The EWS operations exchangelib lacks, under public names: its services subclassed to read their
answers as plain values (no exchangelib type leaves the connectors), or to send what it would not.

Every Exchange module asks EWS through these; none subclasses an exchangelib service of its own.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import socket
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from exchangelib.errors import ErrorInvalidSyncStateData
from exchangelib.fields import FieldPath, IndexedField
from exchangelib.items import ID_ONLY
from exchangelib.properties import DistinguishedFolderId, FolderId
from exchangelib.properties import Mailbox as EwsMailbox
from exchangelib.services import (
    CreateItem,
    GetFolder,
    GetItem,
    GetStreamingEvents,
    SyncFolderHierarchy,
    SyncFolderItems,
    UpdateItem,
)
from exchangelib.util import TNS

from desktop_sync.connectors.exchange_session import utc

Given = dict[str, dict[str, dict[str, Any]]]  # indexed container -> label -> subfield -> value (None: clear)


@dataclass(frozen=True, slots=True)
class Change:
    """One entry of a SyncFolderItems page."""

    kind: str  # "create", "update", "delete", "read_flag_change"
    item_id: str
    change_key: str | None
    received: dt.datetime | None


@dataclass(frozen=True, slots=True)
class ChangesPage:
    changes: tuple[Change, ...]
    sync_state: str
    last: bool


@dataclass(frozen=True, slots=True)
class Fetched:
    """One item of a GetItem answer: its MIME, or the error the server gave for it."""

    item_id: str
    mime: bytes | None
    received: dt.datetime | None
    parent_id: str | None
    problem: BaseException | None = None


@dataclass(frozen=True, slots=True)
class FolderRow:
    id: str
    parent_id: str | None
    name: str
    folder_class: str | None
    distinguished: str | None


def local_name(tag: object) -> str:
    text = str(tag)
    return text.rsplit("}", 1)[-1]


def read_item_id(elem: Any) -> tuple[str, str | None]:
    node = elem.find(f"{{{TNS}}}ItemId")
    if node is None:
        found = (child.find(f"{{{TNS}}}ItemId") for child in elem)
        node = next((candidate for candidate in found if candidate is not None), None)
    if node is None:
        return "", None
    return str(node.get("Id") or ""), node.get("ChangeKey")


def child_text(elem: Any, tag: str) -> str | None:
    node = elem.find(f"{{{TNS}}}{tag}")
    return None if node is None or node.text is None else str(node.text)


class SyncItems(SyncFolderItems):  # type: ignore[misc]
    def _elem_to_obj(self, elem: Any) -> Change:
        kind = self.change_types_map[elem.tag]
        item_id, change_key = read_item_id(elem)
        received = None
        if kind in (self.CREATE, self.UPDATE) and len(elem):
            received = utc(child_text(elem[0], "DateTimeReceived"))
        return Change(kind, item_id, change_key, received)


class SyncFolders(SyncFolderHierarchy):  # type: ignore[misc]
    def _elem_to_obj(self, elem: Any) -> tuple[str, FolderRow]:
        kind = self.change_types_map[elem.tag]
        if kind == self.DELETE:
            node = elem.find(f"{{{TNS}}}FolderId")
            return kind, FolderRow(str(node.get("Id") if node is not None else ""), None, "", None, None)
        folder = elem[0]
        ident = folder.find(f"{{{TNS}}}FolderId")
        parent = folder.find(f"{{{TNS}}}ParentFolderId")
        return kind, FolderRow(
            str(ident.get("Id") if ident is not None else ""),
            str(parent.get("Id")) if parent is not None else None,
            child_text(folder, "DisplayName") or "",
            child_text(folder, "FolderClass"),
            child_text(folder, "DistinguishedFolderId"),
        )


class GetMime(GetItem):  # type: ignore[misc]
    def _elem_to_obj(self, elem: Any) -> Fetched:
        item_id, _ = read_item_id(elem)
        mime_node = elem.find(f"{{{TNS}}}MimeContent")
        mime = base64.b64decode(mime_node.text) if mime_node is not None and mime_node.text else None
        parent = elem.find(f"{{{TNS}}}ParentFolderId")
        return Fetched(
            item_id,
            mime,
            utc(child_text(elem, "DateTimeReceived")),
            str(parent.get("Id")) if parent is not None else None,
        )


class GetFolderInfo(GetFolder):  # type: ignore[misc]
    def _elems_to_objs(self, elems: Iterable[Any]) -> Iterable[Any]:
        for elem in elems:
            if isinstance(elem, Exception):
                yield elem
                continue
            ident = elem.find(f"{{{TNS}}}FolderId")
            yield (
                str(ident.get("Id")) if ident is not None else "",
                child_text(elem, "DisplayName") or "",
                int(child_text(elem, "TotalCount") or 0),
                int(child_text(elem, "UnreadCount") or 0),
            )


class StreamingEvents(GetStreamingEvents):  # type: ignore[misc]
    def _elem_to_obj(self, elem: Any) -> list[str]:
        return [local_name(child.tag) for child in elem if local_name(child.tag).endswith("Event")]

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


def field_path(model: Any, name: str) -> Any:
    return FieldPath(field=model.get_field_by_fieldname(name))


def distinguished(account: Any, name: str) -> Any:
    return DistinguishedFolderId(id=name, mailbox=EwsMailbox(email_address=account.primary_smtp_address))


def folder_ref(account: Any, folder_id: str | None) -> Any:
    return distinguished(account, "inbox") if folder_id is None else FolderId(id=folder_id)


def sync_page(
    account: Any, folder: Any, state: str | None, page_size: int, fields: set[Any] | None = None
) -> ChangesPage | None:
    """One SyncFolderItems page of ``folder`` (ids, change keys and ``fields``); None when the server
    no longer knows ``state``."""
    service = SyncItems(account=account)
    try:
        changes = tuple(
            service.call(
                folder=folder,
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
    return ChangesPage(changes, str(service.sync_state or ""), bool(service.includes_last_item_in_range))


class GetCategories(GetItem):  # type: ignore[misc]
    def _elem_to_obj(self, elem: Any) -> tuple[str, str | None, list[str]]:
        item_id, change_key = read_item_id(elem)
        node = elem.find(f"{{{TNS}}}Categories")
        categories = [str(child.text) for child in node] if node is not None else []
        return item_id, change_key, categories


@dataclass(frozen=True, slots=True)
class Unreadable:
    """An item of a GetItem answer that exchangelib could not read (a field's value it cannot convert)."""

    item_id: str
    problem: Exception


class GetItemsEach(GetItem):  # type: ignore[misc]
    """GetItem where one item exchangelib cannot read is that item's problem, not the whole answer's:
    an Integer extended property holding text raises ValueError in exchangelib, for example."""

    def _elem_to_obj(self, elem: Any) -> Any:
        try:
            return super()._elem_to_obj(elem)
        except Exception as exc:
            return Unreadable(read_item_id(elem)[0], exc)


class CreateItems(CreateItem):  # type: ignore[misc]
    """CreateItem into a distinguished folder without reading the folder first (exchangelib would)."""

    def call(self, items: Sequence[Any], folder: Any, message_disposition: str, send_meeting_invitations: str) -> Any:
        return self._elems_to_objs(
            self._chunked_get_elements(
                self.get_payload,
                items=items,
                folder=folder,
                message_disposition=message_disposition,
                send_meeting_invitations=send_meeting_invitations,
            )
        )


class UpdateIndexedItems(UpdateItem):  # type: ignore[misc]
    """UpdateItem that sets or deletes only the indexed entries given (exchangelib deletes all the others)."""

    def __init__(self, *args: Any, given: Given, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._given = given

    def _delete_field_elems(self, field: Any) -> Any:
        if isinstance(field, IndexedField) and field.name in self._given:
            yield from self._set_field_elems(None, field, ())  # every given entry cleared: delete those only
            return
        yield from super()._delete_field_elems(field)

    def _set_field_elems(self, target_model: Any, field: Any, value: Any) -> Any:
        if not isinstance(field, IndexedField):
            yield from super()._set_field_elems(target_model, field, value)
            return
        for label, parts in self._given.get(field.name, {}).items():
            for name, part in parts.items():
                subfield = field.value_cls.get_field_by_fieldname(name)
                path = FieldPath(field=field, label=label, subfield=subfield)
                if part is None:
                    yield self._delete_field_elem(field_path=path)
                else:
                    entry = field.value_cls(**{"label": label, name: part})
                    yield self._set_field_elem(target_model=target_model, field_path=path, value=entry)


def encode_sync_state(prefix: str, state: str) -> str:
    """A cursor: ``prefix`` (which says whose cursor it is, e.g. "ews1:") and a folder's SyncState."""
    return prefix + state


def decode_sync_state(prefix: str, value: str | None) -> str | None:
    """The SyncState in a cursor ``encode_sync_state`` made with ``prefix``; None for any other text."""
    if not value or not value.startswith(prefix):
        return None
    return value[len(prefix) :] or None


def raise_first(results: Iterable[Any]) -> list[Any]:
    found = list(results)
    for result in found:
        if isinstance(result, BaseException):
            raise result
    return found
