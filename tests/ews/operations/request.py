"""What every EWS operation handler of the test server shares: the request context, the two kinds of
error (one element's ``EwsError``, the whole request's ``SoapFault``), resolving ids, reading shapes and
paging, and answering a batch with one response message per element.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree

from .. import soap
from ..fields import (
    Shape,
    field_name,
)
from ..ids import decode_change_key, decode_id
from ..soap import M, T, local, t
from ..store import Folder, Item, Mailbox, Store


class EwsError(Exception):
    """An error for one element of a batch: becomes ``ResponseClass="Error"`` with this code."""

    def __init__(self, code: str, text: str | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.text = text or soap.fault_text(code)


UNSUPPORTED = "ErrorNotSupportedByTestServer"  # no such EWS code: exchangelib raises a plain, loud SOAPError


def unsupported(what: str) -> SoapFault:
    return SoapFault(UNSUPPORTED, f"The EWS test server does not support {what}.")


class SoapFault(Exception):
    """An error for the whole request: becomes a SOAP fault (HTTP 500)."""

    def __init__(self, code: str, text: str | None = None, *, back_off_ms: int | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.text = text or soap.fault_text(code)
        self.back_off_ms = back_off_ms


@dataclass
class Context:
    """One request: who authenticated, whose mailbox it acts on, and the server's state."""

    store: Store
    mailbox: Mailbox  # the mailbox the request acts on (its own, or the impersonated one)
    principal: str  # who authenticated

    def mailbox_by_address(self, address: str | None) -> Mailbox:
        if not address:
            return self.mailbox
        mailbox = self.store.mailboxes.get(address.lower())
        if mailbox is None:
            raise EwsError("ErrorNonExistentMailbox")
        if mailbox is not self.mailbox:
            raise EwsError("ErrorAccessDenied")
        return mailbox


def q(ns: str, tag: str) -> str:
    return f"{{{ns}}}{tag}"


# --- ids, shapes and paging


def resolve_folder(ctx: Context, element: etree._Element) -> Folder:
    name = local(element)
    if name == "DistinguishedFolderId":
        mailbox = ctx.mailbox_by_address(element.findtext(f"{q(T, 'Mailbox')}/{q(T, 'EmailAddress')}"))
        folder = mailbox.distinguished.get(element.get("Id") or "")
        if folder is None:
            raise EwsError("ErrorFolderNotFound")
        return folder
    if name in ("FolderId", "ParentFolderId"):
        ident = element.get("Id") or ""
        if decode_id(ident, "folder") is None:
            raise EwsError("ErrorInvalidIdMalformed")
        folder = ctx.store.folders.get(ident)
        if folder is None:
            raise EwsError("ErrorFolderNotFound")
        if folder.mailbox is not ctx.mailbox:
            raise EwsError("ErrorAccessDenied")
        return folder
    raise unsupported(f"folder ids of type {name}")


def resolve_item(ctx: Context, element: etree._Element) -> Item:
    if local(element) != "ItemId":
        raise unsupported(f"item ids of type {local(element)}")
    ident = element.get("Id") or ""
    if decode_id(ident, "item") is None:
        raise EwsError("ErrorInvalidIdMalformed")
    item = ctx.store.find_item(ident)
    if item is None:
        raise EwsError("ErrorItemNotFound")
    if item.folder.mailbox is not ctx.mailbox:
        raise EwsError("ErrorAccessDenied")
    return item


def parse_shape(element: etree._Element | None) -> Shape:
    if element is None:
        return Shape()
    base = element.findtext(q(T, "BaseShape")) or "IdOnly"
    names: set[str] = set()
    extended: list[etree._Element] = []
    properties = element.find(q(T, "AdditionalProperties"))
    if properties is not None:
        for path in properties:
            if not isinstance(path.tag, str):
                continue
            name = field_name(path)
            if name:
                names.add(name)
            if local(path) == "ExtendedFieldURI":
                extended.append(path)
    return Shape(base.strip(), frozenset(names), tuple(extended))


def item_id_element(item: Item, tag: str = "ItemId") -> etree._Element:
    return t(tag, Id=item.id, ChangeKey=item.change_key)


def folder_id_element(folder: Folder, tag: str = "FolderId") -> etree._Element:
    return t(tag, Id=folder.id, ChangeKey=folder.change_key)


def paging(op: etree._Element, view_tag: str, total: int) -> tuple[int, int]:
    view = op.find(q(M, view_tag))
    if view is None:
        return 0, total
    offset = int(view.get("Offset") or 0)
    limit = int(view.get("MaxEntriesReturned") or total or 1)
    if view.get("BasePoint") == "End":
        offset = max(total - offset - limit, 0)
    return offset, limit


def root_folder(message: etree._Element, offset: int, shown: int, total: int) -> etree._Element:
    """The ``m:RootFolder`` of a FindItem/FindFolder page: where the next page starts, and whether this is the last."""
    root = etree.SubElement(message, q(M, "RootFolder"))
    root.set("IndexedPagingOffset", str(offset + shown))
    root.set("TotalItemsInView", str(total))
    root.set("IncludesLastItemInRange", "true" if offset + shown >= total else "false")
    return root


def check_change_key(item: Item, change_key: str | None, resolution: str, names: set[str]) -> None:
    if not change_key or resolution == "AlwaysOverwrite":
        return
    decoded = decode_change_key(change_key)
    if decoded is None or decoded[0] != item.number:
        raise EwsError("ErrorInvalidChangeKey")
    seen_version = decoded[1]
    if seen_version >= item.version:
        return
    if resolution == "NeverOverwrite":
        raise EwsError("ErrorIrresolvableConflict")
    changed_since = {name for name, version in item.field_versions.items() if version > seen_version}
    if changed_since & names:
        raise EwsError("ErrorIrresolvableConflict")


# --- answering a batch


# Response messages whose schema type requires an (empty, on error) Items container.
ITEM_INFO_OPERATIONS = frozenset({"GetItem", "CreateItem", "UpdateItem", "MoveItem", "CopyItem"})


SYNC_LAST_ELEMENT = {"SyncFolderItems": "IncludesLastItemInRange", "SyncFolderHierarchy": "IncludesLastFolderInRange"}


def error_message(operation: str, error: EwsError) -> etree._Element:
    message = soap.response_message(operation, error.code, error.text)
    if operation in ITEM_INFO_OPERATIONS:
        etree.SubElement(message, q(M, "Items"))
    elif operation in SYNC_LAST_ELEMENT:
        # Exchange writes every element of a sync response message, even on error (exchangelib reads
        # SyncState and IncludesLast…InRange before it looks at the response code).
        etree.SubElement(message, q(M, "SyncState"))
        etree.SubElement(message, q(M, SYNC_LAST_ELEMENT[operation])).text = "true"
    return message


def each(operation: str, elements: list[etree._Element], build: Callable[[etree._Element], etree._Element]):
    """One response message per request element; an EwsError only fails its own message."""
    messages = []
    for element in elements:
        try:
            messages.append(build(element))
        except EwsError as error:
            messages.append(error_message(operation, error))
    return soap.response(operation, messages)


def id_children(op: etree._Element, tag: str) -> list[etree._Element]:
    holder = op.find(q(M, tag))
    return [] if holder is None else [child for child in holder if isinstance(child.tag, str)]


def forced_error_response(operation: str, code: str) -> etree._Element:
    """A response whose only message carries ``code`` (fault injection of a per-message error)."""
    return soap.response(operation, [error_message(operation, EwsError(code))])
