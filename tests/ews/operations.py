"""EWS operations of the test server: one function per SOAP operation, answering in Microsoft's shapes.

Each handler takes the request context and the operation element (the first child of ``s:Body``) and
returns the response element for ``s:Body``. A problem with one item or folder of a batch becomes an
error response message for it (``EwsError``); a problem with the whole request raises ``SoapFault``,
which the server sends as a SOAP fault with HTTP 500, the way Exchange does.
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import email.policy
import email.utils
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.parser import BytesParser

from lxml import etree

from . import soap
from .schema import child_order
from .soap import M, T, local, m, t
from .store import (
    FOLDER_TYPES,
    ITEM_TYPES,
    Folder,
    InvalidSyncState,
    Item,
    Mailbox,
    SentMessage,
    Shape,
    Store,
    build_mime,
    canonical,
    decode_change_key,
    decode_id,
    decode_sync_state,
    delete_indexed,
    encode_id,
    encode_sync_state,
    extended_key,
    field_name,
    mailbox_element,
    merge_indexed,
    message_from_mime,
    plain_text,
    recipient_addresses,
)

MAX_SYNC_CHANGES = 512


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


# --- ids, shapes and rendering


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


def effective_rights() -> etree._Element:
    rights = t("EffectiveRights")
    for name in child_order("EffectiveRightsType"):
        rights.append(t(name, True))
    return rights


def render_item(item: Item, shape: Shape, store: Store) -> etree._Element:
    type_name, default_class = ITEM_TYPES.get(item.tag, ITEM_TYPES["Item"])
    wanted = [name for name in child_order(type_name) if shape.wants(name)]
    item.ensure_parsed(wanted)
    element = t(item.tag)
    for name in wanted:
        for child in _item_field(item, name, shape, default_class, store):
            element.append(child)
    return element


def _item_field(item: Item, name: str, shape: Shape, default_class: str, store: Store) -> Iterator[etree._Element]:
    props = item.props
    if name == "MimeContent":
        mime = item.mime
        if mime is None and item.tag == "Message":
            mime = build_mime(item, item.folder.mailbox)
        if mime is not None:
            yield t("MimeContent", base64.b64encode(mime).decode(), CharacterSet="UTF-8")
    elif name == "ItemId":
        yield item_id_element(item)
    elif name == "ParentFolderId":
        yield t("ParentFolderId", Id=item.folder.id, ChangeKey=item.folder.change_key)
    elif name == "ItemClass" and name not in props:
        yield t("ItemClass", default_class)
    elif name == "DateTimeReceived":
        yield t("DateTimeReceived", item.received)
    elif name == "DateTimeCreated":
        yield t("DateTimeCreated", item.created)
    elif name == "LastModifiedTime":
        yield t("LastModifiedTime", item.modified)
    elif name == "Size":
        size = len(item.mime) if item.mime is not None else sum(len(etree.tostring(e)) for e in props.values())
        yield t("Size", size)
    elif name == "HasAttachments" and name not in props:
        yield t("HasAttachments", props.get("Attachments") is not None and len(props["Attachments"]) > 0)
    elif name == "IsRead" and item.tag == "Message" and name not in props:
        yield t("IsRead", False)
    elif name in ("DisplayTo", "DisplayCc") and name not in props:
        source = "ToRecipients" if name == "DisplayTo" else "CcRecipients"
        pairs = recipient_addresses(props.get(source))
        if pairs:
            yield t(name, "; ".join(n or a for n, a in pairs))
    elif name == "TextBody":
        if "Body" in props:
            yield t("TextBody", plain_text(props["Body"]), BodyType="Text")
    elif name == "EffectiveRights":
        yield effective_rights()
    elif name == "IsAssociated":
        yield t("IsAssociated", False)
    elif name == "ExtendedProperty":
        wanted_keys = {extended_key(path) for path in shape.extended}
        for prop in item.extended:
            path = prop.find(q(T, "ExtendedFieldURI"))
            if shape.base == "AllProperties" or (path is not None and extended_key(path) in wanted_keys):
                yield copy.deepcopy(prop)
    elif name in props:
        yield copy.deepcopy(props[name])


FOLDER_DEFAULT_FIELDS = frozenset({"FolderId", "DisplayName", "TotalCount", "ChildFolderCount", "UnreadCount"})


def render_folder(folder: Folder, shape: Shape) -> etree._Element:
    element = t(folder.tag)
    for name in child_order(FOLDER_TYPES[folder.tag]):
        if shape.base == "IdOnly" and name not in shape.fields and name != "FolderId":
            continue
        if shape.base == "Default" and name not in shape.fields and name not in FOLDER_DEFAULT_FIELDS:
            continue
        for child in _folder_field(folder, name):
            element.append(child)
    return element


def _folder_field(folder: Folder, name: str) -> Iterator[etree._Element]:
    if name == "FolderId":
        yield folder_id_element(folder)
    elif name == "ParentFolderId" and folder.parent is not None:
        yield folder_id_element(folder.parent, "ParentFolderId")
    elif name == "FolderClass" and folder.folder_class:
        yield t("FolderClass", folder.folder_class)
    elif name == "DisplayName":
        yield t("DisplayName", folder.name)
    elif name == "TotalCount":
        yield t("TotalCount", len(folder.items))
    elif name == "ChildFolderCount":
        yield t("ChildFolderCount", len(folder.children()))
    elif name == "EffectiveRights":
        yield effective_rights()
    elif name == "DistinguishedFolderId" and folder.distinguished:
        yield t("DistinguishedFolderId", folder.distinguished)
    elif name == "UnreadCount":
        yield t("UnreadCount", folder.unread_count)


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


# --- folders


def get_folder(ctx: Context, op: etree._Element) -> etree._Element:
    shape = parse_shape(op.find(q(M, "FolderShape")))

    def build(element: etree._Element) -> etree._Element:
        folder = resolve_folder(ctx, element)
        message = soap.response_message("GetFolder")
        folders = etree.SubElement(message, q(M, "Folders"))
        folders.append(render_folder(folder, shape))
        return message

    return each("GetFolder", id_children(op, "FolderIds"), build)


def paging(op: etree._Element, view_tag: str, total: int) -> tuple[int, int]:
    view = op.find(q(M, view_tag))
    if view is None:
        return 0, total
    offset = int(view.get("Offset") or 0)
    limit = int(view.get("MaxEntriesReturned") or total or 1)
    if view.get("BasePoint") == "End":
        offset = max(total - offset - limit, 0)
    return offset, limit


def find_folder(ctx: Context, op: etree._Element) -> etree._Element:
    shape = parse_shape(op.find(q(M, "FolderShape")))
    deep = op.get("Traversal") == "Deep"
    restriction = op.find(q(M, "Restriction"))

    def build(element: etree._Element) -> etree._Element:
        parent = resolve_folder(ctx, element)
        found = list(parent.descendants()) if deep else parent.children()
        if restriction is not None and len(restriction):
            found = [f for f in found if matches(restriction[0], lambda name, f=f: folder_values(f, name))]
        offset, limit = paging(op, "IndexedPageFolderView", len(found))
        page = found[offset : offset + limit]
        message = soap.response_message("FindFolder")
        last = offset + len(page) >= len(found)
        root = etree.SubElement(message, q(M, "RootFolder"))
        root.set("IndexedPagingOffset", str(offset + len(page)))
        root.set("TotalItemsInView", str(len(found)))
        root.set("IncludesLastItemInRange", "true" if last else "false")
        folders = etree.SubElement(root, q(T, "Folders"))
        for folder in page:
            folders.append(render_folder(folder, shape))
        return message

    return each("FindFolder", id_children(op, "ParentFolderIds"), build)


def folder_values(folder: Folder, name: str) -> list[str]:
    values = {"DisplayName": folder.name, "FolderClass": folder.folder_class or "", "FolderId": folder.id}
    return [values[name]] if name in values else []


def create_folder(ctx: Context, op: etree._Element) -> etree._Element:
    parent_holder = op.find(q(M, "ParentFolderId"))
    try:
        parent = resolve_folder(ctx, parent_holder[0])
    except EwsError as error:
        return soap.response("CreateFolder", [error_message("CreateFolder", error)])
    messages = []
    for spec in id_children(op, "Folders"):
        name = spec.findtext(q(T, "DisplayName")) or "New Folder"
        if any(child.name == name for child in parent.children()):
            messages.append(error_message("CreateFolder", EwsError("ErrorFolderExists")))
            continue
        folder_class = spec.findtext(q(T, "FolderClass")) or {
            "CalendarFolder": "IPF.Appointment",
            "ContactsFolder": "IPF.Contact",
            "TasksFolder": "IPF.Task",
        }.get(local(spec), "IPF.Note")
        folder = ctx.store.create_folder(ctx.mailbox, parent, name, folder_class)
        message = soap.response_message("CreateFolder")
        folders = etree.SubElement(message, q(M, "Folders"))
        holder = t(folder.tag)
        holder.append(folder_id_element(folder))
        folders.append(holder)
        messages.append(message)
    return soap.response("CreateFolder", messages)


def update_folder(ctx: Context, op: etree._Element) -> etree._Element:
    def build(change: etree._Element) -> etree._Element:
        folder = resolve_folder(ctx, change[0])
        updates = change.find(q(T, "Updates"))
        for update in updates if updates is not None else ():
            if local(update) != "SetFolderField":
                continue
            for value in update.iter(q(T, "DisplayName")):
                ctx.store.update_folder(folder, name=value.text or "")
        message = soap.response_message("UpdateFolder")
        folders = etree.SubElement(message, q(M, "Folders"))
        holder = t(folder.tag)
        holder.append(folder_id_element(folder))
        folders.append(holder)
        return message

    return each("UpdateFolder", id_children(op, "FolderChanges"), build)


def move_folder(ctx: Context, op: etree._Element) -> etree._Element:
    target = resolve_folder(ctx, op.find(q(M, "ToFolderId"))[0])

    def build(element: etree._Element) -> etree._Element:
        folder = resolve_folder(ctx, element)
        ctx.store.update_folder(folder, parent=target)
        message = soap.response_message("MoveFolder")
        folders = etree.SubElement(message, q(M, "Folders"))
        holder = t(folder.tag)
        holder.append(folder_id_element(folder))
        folders.append(holder)
        return message

    return each("MoveFolder", id_children(op, "FolderIds"), build)


def delete_folder(ctx: Context, op: etree._Element) -> etree._Element:
    def build(element: etree._Element) -> etree._Element:
        folder = resolve_folder(ctx, element)
        if folder.distinguished:
            raise EwsError("ErrorDeleteDistinguishedFolder")
        ctx.store.delete_folder(folder)
        return soap.response_message("DeleteFolder")

    return each("DeleteFolder", id_children(op, "FolderIds"), build)


# --- finding and reading items


def item_values(item: Item, name: str) -> list[str]:
    """The comparable values of one field of an item, for restrictions and sorting."""
    item.ensure_parsed({name})
    if name == "ItemId":
        return [item.id]
    if name == "ParentFolderId":
        return [item.folder.id]
    if name in ("DateTimeReceived", "DateTimeCreated", "LastModifiedTime"):
        value = {"DateTimeReceived": item.received, "DateTimeCreated": item.created, "LastModifiedTime": item.modified}
        return [soap.format_datetime(value[name])]
    if name == "ItemClass" and name not in item.props:
        return [ITEM_TYPES.get(item.tag, ITEM_TYPES["Item"])[1]]
    if name == "IsRead" and name not in item.props:
        return ["false"]
    element = item.props.get(name)
    if element is None:
        return []
    if name == "Categories":
        return [s.text or "" for s in element]
    if len(element) and element.find(f".//{q(T, 'EmailAddress')}") is not None:
        return [address for _, address in recipient_addresses(element)]
    return ["".join(element.itertext())]


def _constant(node: etree._Element) -> str | None:
    constant = node.find(f"{q(T, 'FieldURIOrConstant')}/{q(T, 'Constant')}")
    return None if constant is None else constant.get("Value", "")


def _compare(left: str, right: str) -> int:
    for parse in (_as_datetime, _as_number):
        a, b = parse(left), parse(right)
        if a is not None and b is not None:
            return (a > b) - (a < b)
    a, b = left.lower(), right.lower()
    return (a > b) - (a < b)


def _as_datetime(value: str) -> dt.datetime | None:
    if not re.match(r"^\d{4}-\d\d-\d\dT", value):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _as_number(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:
        return None


COMPARISONS = {
    "IsEqualTo": lambda c: c == 0,
    "IsNotEqualTo": lambda c: c != 0,
    "IsGreaterThan": lambda c: c > 0,
    "IsGreaterThanOrEqualTo": lambda c: c >= 0,
    "IsLessThan": lambda c: c < 0,
    "IsLessThanOrEqualTo": lambda c: c <= 0,
}


def matches(node: etree._Element, values_of: Callable[[str], list[str]]) -> bool:
    kind = local(node)
    if kind == "And":
        return all(matches(child, values_of) for child in node)
    if kind == "Or":
        return any(matches(child, values_of) for child in node)
    if kind == "Not":
        return not matches(node[0], values_of)
    path = next((child for child in node if local(child) in ("FieldURI", "IndexedFieldURI", "ExtendedFieldURI")), None)
    name = field_name(path) if path is not None else None
    values = values_of(name) if name else []
    if kind == "Exists":
        return bool(values)
    if kind in COMPARISONS:
        constant = _constant(node)
        if constant is None:
            raise unsupported("restrictions comparing two fields")
        if kind == "IsNotEqualTo" and not values:
            return True
        return any(COMPARISONS[kind](_compare(value, constant)) for value in values)
    if kind == "Contains":
        constant = node.find(q(T, "Constant"))
        wanted = "" if constant is None else constant.get("Value", "")
        mode = node.get("ContainmentMode", "FullString")
        ignore_case = "IgnoreCase" in node.get("ContainmentComparison", "Exact")
        for value in values:
            a, b = (value.lower(), wanted.lower()) if ignore_case else (value, wanted)
            if (
                (mode == "FullString" and a == b)
                or (mode == "Prefixed" and a.startswith(b))
                or (mode in ("Substring", "PrefixOnWords", "ExactPhrase") and b in a)
            ):
                return True
        return False
    raise unsupported(f"the {kind} restriction")


def sorted_items(items: list[Item], sort: etree._Element | None) -> list[Item]:
    # Without a SortOrder, newest first (Exchange's default view order); ties broken by creation order.
    ordered = sorted(items, key=lambda item: (item.received, item.number), reverse=True)
    if sort is None:
        return ordered
    for order in reversed([o for o in sort if isinstance(o.tag, str)]):
        path = next((child for child in order if isinstance(child.tag, str)), None)
        name = field_name(path) if path is not None else None
        if not name:
            continue
        descending = order.get("Order") == "Descending"
        ordered.sort(key=_sort_key(name), reverse=descending)
    return ordered


def _sort_key(name: str) -> Callable[[Item], tuple]:
    def key(item: Item) -> tuple:
        values = item_values(item, name)
        value = values[0] if values else ""
        stamp = _as_datetime(value)
        if stamp is not None:
            return (0, stamp.timestamp(), "")
        number = _as_number(value)
        if number is not None:
            return (1, number, "")
        return (2, 0.0, value.lower())

    return key


def find_item(ctx: Context, op: etree._Element) -> etree._Element:
    shape = parse_shape(op.find(q(M, "ItemShape")))
    restriction = op.find(q(M, "Restriction"))
    sort = op.find(q(M, "SortOrder"))
    if op.find(q(M, "QueryString")) is not None:
        raise unsupported("FindItem with a QueryString (AQS)")
    if op.find(q(M, "GroupBy")) is not None or op.find(q(M, "DistinguishedGroupBy")) is not None:
        raise unsupported("grouped FindItem")
    calendar_view = op.find(q(M, "CalendarView"))

    def build(element: etree._Element) -> etree._Element:
        folder = resolve_folder(ctx, element)
        items = list(folder.items.values()) if op.get("Traversal", "Shallow") == "Shallow" else []
        if restriction is not None and len(restriction):
            items = [i for i in items if matches(restriction[0], lambda name, i=i: item_values(i, name))]
        if calendar_view is not None:
            start = calendar_view.get("StartDate") or ""
            end = calendar_view.get("EndDate") or ""
            items = [
                i
                for i in items
                if _compare((item_values(i, "Start") or [""])[0], end) < 0
                and _compare((item_values(i, "End") or [""])[0], start) > 0
            ]
            items.sort(key=_sort_key("Start"))
            limit = int(calendar_view.get("MaxEntriesReturned") or len(items) or 1)
            offset = 0
        else:
            items = sorted_items(items, sort)
            offset, limit = paging(op, "IndexedPageItemView", len(items))
        page = items[offset : offset + limit]
        message = soap.response_message("FindItem")
        root = etree.SubElement(message, q(M, "RootFolder"))
        root.set("IndexedPagingOffset", str(offset + len(page)))
        root.set("TotalItemsInView", str(len(items)))
        root.set("IncludesLastItemInRange", "true" if offset + len(page) >= len(items) else "false")
        container = etree.SubElement(root, q(T, "Items"))
        for item in page:
            container.append(render_item(item, shape, ctx.store))
        return message

    return each("FindItem", id_children(op, "ParentFolderIds"), build)


def get_item(ctx: Context, op: etree._Element) -> etree._Element:
    shape = parse_shape(op.find(q(M, "ItemShape")))

    def build(element: etree._Element) -> etree._Element:
        item = resolve_item(ctx, element)
        if item.id in ctx.store.get_item_errors:
            raise EwsError(ctx.store.get_item_errors[item.id])
        message = soap.response_message("GetItem")
        items = etree.SubElement(message, q(M, "Items"))
        items.append(render_item(item, shape, ctx.store))
        return message

    return each("GetItem", id_children(op, "ItemIds"), build)


# --- creating and changing items

DEFAULT_FOLDERS = {"Message": "drafts", "CalendarItem": "calendar", "Contact": "contacts", "Task": "tasks"}
SUPPORTED_ITEM_TAGS = ("Message", "CalendarItem", "Contact", "Task")


def item_from_element(ctx: Context, spec: etree._Element, folder: Folder) -> Item:
    tag = local(spec)
    if tag not in SUPPORTED_ITEM_TAGS:
        raise unsupported(f"creating {tag} items")
    item = ctx.store.new_item(tag, folder)
    for child in spec:
        if not isinstance(child.tag, str):
            continue
        name = local(child)
        if name == "MimeContent":
            item.set_mime(base64.b64decode(child.text or ""))
        elif name == "ExtendedProperty":
            item.extended.append(copy.deepcopy(child))
        elif name in ("ItemId", "ParentFolderId"):
            continue
        else:
            item.props[name] = canonical(copy.deepcopy(child), tag)
    if "Attachments" in item.props:
        _number_attachments(item)
    return item


def _number_attachments(item: Item) -> None:
    for attachment in item.props["Attachments"]:
        old = attachment.find(q(T, "AttachmentId"))
        if old is not None:
            attachment.remove(old)
        attachment.insert(
            0, t("AttachmentId", Id=encode_id("attachment", uuid.uuid4().int % 10**12), RootItemId=item.id)
        )
    item.props["HasAttachments"] = t("HasAttachments", len(item.props["Attachments"]) > 0)


def _prepare(ctx: Context, item: Item, *, draft: bool) -> None:
    """Fields Exchange sets itself when an item is saved."""
    props = item.props
    if item.tag == "Message":
        props.setdefault("IsRead", t("IsRead", not draft))
        props["IsDraft"] = t("IsDraft", draft)
    elif item.tag == "CalendarItem":
        props.setdefault("UID", t("UID", str(uuid.uuid4())))
        props.setdefault("Organizer", _organizer(ctx.mailbox))
        attendees = any(name in props for name in ("RequiredAttendees", "OptionalAttendees", "Resources"))
        props.setdefault("IsMeeting", t("IsMeeting", attendees))
        props.setdefault(
            "CalendarItemType", t("CalendarItemType", "RecurringMaster" if "Recurrence" in props else "Single")
        )
        props.setdefault("MyResponseType", t("MyResponseType", "Organizer"))
    elif item.tag == "Task":
        props.setdefault("Status", t("Status", "NotStarted"))
        props.setdefault("PercentComplete", t("PercentComplete", 0))


def _organizer(mailbox: Mailbox) -> etree._Element:
    organizer = t("Organizer")
    organizer.append(mailbox.mailbox_element())
    return organizer


def _attendee_addresses(item: Item) -> list[str]:
    addresses = []
    for name in ("RequiredAttendees", "OptionalAttendees", "Resources"):
        addresses.extend(address for _, address in recipient_addresses(item.props.get(name)))
    return addresses


def send_message(ctx: Context, item: Item, save_in: Folder | None) -> None:
    """Send a message as the mailbox owner: record it, deliver it locally, keep a copy if asked."""
    sender = ctx.mailbox
    item.ensure_parsed()
    recipients = [
        address
        for name in ("ToRecipients", "CcRecipients", "BccRecipients")
        for _, address in recipient_addresses(item.props.get(name))
    ]
    if not recipients:
        raise EwsError("ErrorInvalidRecipients", "At least one recipient is required.")
    if item.mime is not None:
        mime = _without_bcc(item.mime)
    else:
        mime = build_mime(item, sender)
        headers = BytesParser(policy=email.policy.default).parsebytes(mime, headersonly=True)
        item.props["InternetMessageId"] = t("InternetMessageId", str(headers["Message-ID"]))
    ctx.store.sent.append(SentMessage(sender.address, tuple(recipients), mime))
    if save_in is not None:
        copy_item = ctx.store.new_item("Message", save_in)
        copy_item.props = {name: copy.deepcopy(value) for name, value in item.props.items()}
        copy_item.set_mime(mime)
        copy_item.props["IsRead"] = t("IsRead", True)
        copy_item.props["IsDraft"] = t("IsDraft", False)
        copy_item.props.setdefault("From", _single("From", sender))
        copy_item.props.setdefault("Sender", _single("Sender", sender))
        copy_item.props.pop("Attachments", None)
        ctx.store.add_item(copy_item)
    for address in dict.fromkeys(a.lower() for a in recipients):
        target = ctx.store.mailboxes.get(address)
        if target is not None:
            delivered = message_from_mime(ctx.store, target.distinguished["inbox"], mime)
            ctx.store.add_item(delivered, new_mail=True)


def _single(tag: str, mailbox: Mailbox) -> etree._Element:
    element = t(tag)
    element.append(mailbox_element(mailbox.display_name, mailbox.address))
    return element


def _without_bcc(mime: bytes) -> bytes:
    head, separator, body = mime.partition(b"\r\n\r\n")
    if not separator:
        head, separator, body = mime.partition(b"\n\n")
    lines = re.split(rb"(\r?\n)(?=\S)", head)
    kept = []
    skip = False
    for chunk in lines:
        if re.match(rb"(?i)bcc:", chunk):
            skip = True
            continue
        if re.match(rb"\r?\n$", chunk) and skip:
            skip = False
            continue
        kept.append(chunk)
    return b"".join(kept) + separator + body


def create_item(ctx: Context, op: etree._Element) -> etree._Element:
    disposition = op.get("MessageDisposition") or "SaveOnly"
    invitations = op.get("SendMeetingInvitations") or "SendToNone"
    saved_holder = op.find(q(M, "SavedItemFolderId"))
    messages = []
    for spec in id_children(op, "Items"):
        try:
            tag = local(spec)
            if saved_holder is not None and len(saved_holder):
                folder = resolve_folder(ctx, saved_holder[0])
            elif tag == "Message" and disposition == "SendAndSaveCopy":
                folder = ctx.mailbox.distinguished["sentitems"]
            else:
                folder = ctx.mailbox.distinguished[DEFAULT_FOLDERS.get(tag, "drafts")]
            item = item_from_element(ctx, spec, folder)
            message = soap.response_message("CreateItem")
            items = etree.SubElement(message, q(M, "Items"))
            if tag == "Message" and disposition in ("SendOnly", "SendAndSaveCopy"):
                _prepare(ctx, item, draft=False)
                send_message(ctx, item, folder if disposition == "SendAndSaveCopy" else None)
            else:
                _prepare(ctx, item, draft=tag == "Message")
                ctx.store.add_item(item)
                if tag == "CalendarItem" and invitations in ("SendOnlyToAll", "SendToAllAndSaveCopy"):
                    _invite(ctx, item, "meeting_request")
                items.append(_id_only(item))
            messages.append(message)
        except EwsError as error:
            messages.append(error_message("CreateItem", error))
    return soap.response("CreateItem", messages)


def _id_only(item: Item) -> etree._Element:
    element = t(item.tag)
    element.append(item_id_element(item))
    attachments = item.props.get("Attachments")
    if attachments is not None and len(attachments):
        holder = t("Attachments")
        for attachment in attachments:
            entry = t(local(attachment))
            entry.append(copy.deepcopy(attachment.find(q(T, "AttachmentId"))))
            holder.append(entry)
        element.append(holder)
    return element


def _invite(ctx: Context, item: Item, kind: str) -> None:
    attendees = _attendee_addresses(item)
    if attendees:
        mime = (
            f"From: {ctx.mailbox.address}\r\nTo: {', '.join(attendees)}\r\n"
            f"Subject: {item.text('Subject') or ''}\r\nX-Ews-Test-Kind: {kind}\r\n\r\n"
        ).encode()
        ctx.store.sent.append(SentMessage(ctx.mailbox.address, tuple(attendees), mime, kind=kind))


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


def apply_update(item: Item, update: etree._Element) -> str:
    """Apply one SetItemField/AppendToItemField/DeleteItemField; return the field's local name."""
    kind = local(update)
    path = update[0]
    name = field_name(path) or ""
    item.ensure_parsed({name})
    if local(path) == "ExtendedFieldURI":
        key = extended_key(path)
        item.extended = [p for p in item.extended if extended_key(p.find(q(T, "ExtendedFieldURI"))) != key]
        if kind != "DeleteItemField":
            value_holder = next(child for child in update if isinstance(child.tag, str) and child is not path)
            item.extended.extend(copy.deepcopy(p) for p in value_holder.iter(q(T, "ExtendedProperty")))
        return name
    if kind == "DeleteItemField":
        if local(path) == "IndexedFieldURI":
            container = item.props.get(name)
            if container is not None:
                uri = path.get("FieldURI", "")
                sub_field = uri.split(":")[2] if uri.count(":") == 2 else None
                delete_indexed(container, path.get("FieldIndex", ""), sub_field)
                if not len(container):
                    del item.props[name]
        else:
            item.props.pop(name, None)
        return name
    holder = next(child for child in update if isinstance(child.tag, str) and child is not path)
    values = [child for child in holder if isinstance(child.tag, str)]
    if not values:
        raise EwsError("ErrorIncorrectUpdatePropertyCount")
    value = values[0]
    name = local(value)
    if local(path) == "IndexedFieldURI":
        container = item.props.setdefault(name, t(name))
        for entry in value:
            merge_indexed(container, entry)
    elif kind == "AppendToItemField" and name in item.props:
        existing = item.props[name]
        if len(value):
            for child in value:
                existing.append(copy.deepcopy(child))
        else:
            existing.text = (existing.text or "") + (value.text or "")
    else:
        item.props[name] = canonical(copy.deepcopy(value), item.tag)
    if name == "Attachments":
        _number_attachments(item)
    return name


def update_item(ctx: Context, op: etree._Element) -> etree._Element:
    resolution = op.get("ConflictResolution") or "AutoResolve"
    disposition = op.get("MessageDisposition") or "SaveOnly"
    notify = op.get("SendMeetingInvitationsOrCancellations") or "SendToNone"
    messages = []
    for change in id_children(op, "ItemChanges"):
        try:
            id_element = change[0]
            item = resolve_item(ctx, id_element)
            updates = [u for u in change.find(q(T, "Updates")) if isinstance(u.tag, str)]
            names = {field_name(u[0]) or "" for u in updates}
            check_change_key(item, id_element.get("ChangeKey"), resolution, names)
            changed = {apply_update(item, update) for update in updates}
            message = soap.response_message("UpdateItem")
            items = etree.SubElement(message, q(M, "Items"))
            if item.tag == "Message" and disposition in ("SendOnly", "SendAndSaveCopy"):
                save_in = ctx.mailbox.distinguished["sentitems"] if disposition == "SendAndSaveCopy" else None
                send_message(ctx, item, save_in)
                ctx.store.remove_item(item)
            else:
                ctx.store.modify_item(item, changed)
                if item.tag == "CalendarItem" and notify in ("SendOnlyToAll", "SendToAllAndSaveCopy"):
                    _invite(ctx, item, "meeting_request")
                items.append(_id_only(item))
            conflicts = etree.SubElement(message, q(M, "ConflictResults"))
            conflicts.append(t("Count", 0))
            messages.append(message)
        except EwsError as error:
            messages.append(error_message("UpdateItem", error))
    return soap.response("UpdateItem", messages)


def delete_item(ctx: Context, op: etree._Element) -> etree._Element:
    delete_type = op.get("DeleteType") or "MoveToDeletedItems"
    cancellations = op.get("SendMeetingCancellations") or "SendToNone"

    def build(element: etree._Element) -> etree._Element:
        item = resolve_item(ctx, element)
        if item.tag == "CalendarItem" and cancellations in ("SendOnlyToAll", "SendToAllAndSaveCopy"):
            _invite(ctx, item, "meeting_cancellation")
        deleted_items = ctx.mailbox.distinguished["deleteditems"]
        if delete_type == "MoveToDeletedItems" and item.folder is not deleted_items:
            ctx.store.move_item(item, deleted_items)
        else:
            ctx.store.remove_item(item)
        return soap.response_message("DeleteItem")

    return each("DeleteItem", id_children(op, "ItemIds"), build)


def send_item(ctx: Context, op: etree._Element) -> etree._Element:
    """Send saved drafts; like Exchange, the draft leaves its folder and the copy goes to SavedItemFolderId."""
    save = op.get("SaveItemToFolder", "true") in ("true", "1")
    holder = op.find(q(M, "SavedItemFolderId"))
    save_in = None
    if save:
        save_in = (
            resolve_folder(ctx, holder[0])
            if holder is not None and len(holder)
            else ctx.mailbox.distinguished["sentitems"]
        )

    def build(element: etree._Element) -> etree._Element:
        item = resolve_item(ctx, element)
        if item.tag != "Message":
            raise EwsError("ErrorInvalidItemForOperationSendItem")
        check_change_key(item, element.get("ChangeKey"), "NeverOverwrite", set())
        send_message(ctx, item, save_in)
        ctx.store.remove_item(item)
        return soap.response_message("SendItem")

    return each("SendItem", id_children(op, "ItemIds"), build)


def _move_or_copy(operation: str, copy_only: bool) -> Callable[[Context, etree._Element], etree._Element]:
    def handler(ctx: Context, op: etree._Element) -> etree._Element:
        target = resolve_folder(ctx, op.find(q(M, "ToFolderId"))[0])

        def build(element: etree._Element) -> etree._Element:
            item = resolve_item(ctx, element)
            moved = ctx.store.move_item(item, target, copy_only=copy_only)
            message = soap.response_message(operation)
            items = etree.SubElement(message, q(M, "Items"))
            items.append(_id_only(moved))
            return message

        return each(operation, id_children(op, "ItemIds"), build)

    return handler


# --- synchronisation


def sync_folder_items(ctx: Context, op: etree._Element) -> etree._Element:
    shape = parse_shape(op.find(q(M, "ItemShape")))
    try:
        folder = resolve_folder(ctx, op.find(q(M, "SyncFolderId"))[0])
        limit = int(op.findtext(q(M, "MaxChangesReturned")) or MAX_SYNC_CHANGES)
        if not 1 <= limit <= MAX_SYNC_CHANGES:
            raise SoapFault(
                "ErrorSchemaValidation",
                f"The request failed schema validation: MaxChangesReturned {limit} is out of range 1-512.",
            )
        token = op.findtext(q(M, "SyncState"))
        try:
            position = decode_sync_state(token, "items", folder.id) if token else 0
        except InvalidSyncState:
            raise EwsError("ErrorInvalidSyncStateData") from None
    except EwsError as error:
        return soap.response("SyncFolderItems", [error_message("SyncFolderItems", error)])
    ignored = {child.get("Id") for child in id_children(op, "Ignore")}
    changes, new_position, last = ctx.store.item_changes(folder, position, limit)
    message = soap.response_message("SyncFolderItems")
    message.append(m("SyncState", encode_sync_state("items", folder.id, new_position)))
    message.append(m("IncludesLastItemInRange", last))
    container = etree.SubElement(message, q(M, "Changes"))
    for change, ident in changes:
        if ident in ignored:
            continue
        node = t(change)
        if change == "Delete":
            node.append(t("ItemId", Id=ident))
        else:
            node.append(render_item(folder.items[ident], shape, ctx.store))
        container.append(node)
    return soap.response("SyncFolderItems", [message])


def sync_folder_hierarchy(ctx: Context, op: etree._Element) -> etree._Element:
    shape = parse_shape(op.find(q(M, "FolderShape")))
    try:
        holder = op.find(q(M, "SyncFolderId"))
        scope = resolve_folder(ctx, holder[0]) if holder is not None and len(holder) else ctx.mailbox.root
        token = op.findtext(q(M, "SyncState"))
        try:
            position = decode_sync_state(token, "folders", scope.id) if token else 0
        except InvalidSyncState:
            raise EwsError("ErrorInvalidSyncStateData") from None
    except EwsError as error:
        return soap.response("SyncFolderHierarchy", [error_message("SyncFolderHierarchy", error)])
    changes, new_position, last = ctx.store.folder_changes(ctx.mailbox, scope, position, 10**9)
    message = soap.response_message("SyncFolderHierarchy")
    message.append(m("SyncState", encode_sync_state("folders", scope.id, new_position)))
    message.append(m("IncludesLastFolderInRange", last))
    container = etree.SubElement(message, q(M, "Changes"))
    for change, ident in changes:
        node = t(change)
        if change == "Delete":
            node.append(t("FolderId", Id=ident))
        else:
            node.append(render_folder(ctx.mailbox.folders[ident], shape))
        container.append(node)
    return soap.response("SyncFolderHierarchy", [message])


# --- notifications


def subscribe(ctx: Context, op: etree._Element) -> etree._Element:
    request = next(child for child in op if isinstance(child.tag, str))
    kind = local(request)
    if kind == "PushSubscriptionRequest":
        raise unsupported("push subscriptions")
    try:
        folder_ids: frozenset[str] | None = None
        if request.get("SubscribeToAllFolders") not in ("true", "1"):
            holder = request.find(q(T, "FolderIds"))
            folder_ids = frozenset(resolve_folder(ctx, f).id for f in (holder if holder is not None else ()))
        event_types = frozenset((e.text or "").strip() for e in request.iter(q(T, "EventType")))
        subscription = ctx.store.subscribe(
            ctx.mailbox, folder_ids, event_types, streaming=kind != "PullSubscriptionRequest"
        )
    except EwsError as error:
        return soap.response("Subscribe", [error_message("Subscribe", error)])
    message = soap.response_message("Subscribe")
    message.append(m("SubscriptionId", subscription.id))
    if not subscription.streaming:
        message.append(m("Watermark", base64.b64encode(f"wm:{ctx.store.position()}".encode()).decode()))
    return soap.response("Subscribe", [message])


def unsubscribe(ctx: Context, op: etree._Element) -> etree._Element:
    ident = (op.findtext(q(M, "SubscriptionId")) or "").strip()
    subscription = ctx.store.subscriptions.get(ident)
    if subscription is None or subscription.mailbox is not ctx.mailbox:
        return soap.response("Unsubscribe", [error_message("Unsubscribe", EwsError("ErrorSubscriptionNotFound"))])
    del ctx.store.subscriptions[ident]
    ctx.store.changed.notify_all()
    return soap.response("Unsubscribe", [soap.response_message("Unsubscribe")])


def notification_element(
    subscription_id: str, events: list, *, status_watermark: str | None = None, pull: bool = False
) -> etree._Element:
    # GetEvents answers an m:Notification; GetStreamingEvents' Notifications array holds t:Notification.
    notification = m("Notification") if pull else t("Notification")
    notification.append(t("SubscriptionId", subscription_id))
    if pull:
        notification.append(t("PreviousWatermark", status_watermark or ""))
        notification.append(t("MoreEvents", False))
    if not events:
        status = t("StatusEvent")
        status.append(t("Watermark", status_watermark or ""))
        notification.append(status)
    for event in events:
        node = t(event.kind)
        node.append(t("Watermark", event.watermark))
        node.append(t("TimeStamp", event.timestamp))
        if event.item_id is not None:
            node.append(t("ItemId", Id=event.item_id, ChangeKey=event.item_change_key))
        else:
            node.append(t("FolderId", Id=event.folder_id))
        node.append(t("ParentFolderId", Id=event.parent_folder_id))
        if event.kind in ("MovedEvent", "CopiedEvent"):
            if event.item_id is not None:
                node.append(t("OldItemId", Id=event.old_item_id or event.item_id))
            else:
                node.append(t("OldFolderId", Id=event.folder_id))
            node.append(t("OldParentFolderId", Id=event.old_parent_folder_id or event.parent_folder_id))
        elif event.kind == "ModifiedEvent" and event.unread_count is not None:
            node.append(t("UnreadCount", event.unread_count))
        notification.append(node)
    return notification


def get_events(ctx: Context, op: etree._Element) -> etree._Element:
    ident = (op.findtext(q(M, "SubscriptionId")) or "").strip()
    subscription = ctx.store.subscriptions.get(ident)
    if subscription is None or subscription.mailbox is not ctx.mailbox or subscription.streaming:
        return soap.response("GetEvents", [error_message("GetEvents", EwsError("ErrorSubscriptionNotFound"))])
    events, subscription.events = subscription.events, []
    message = soap.response_message("GetEvents")
    watermark = (op.findtext(q(M, "Watermark")) or "").strip()
    message.append(notification_element(ident, events, status_watermark=watermark, pull=True))
    return soap.response("GetEvents", [message])


# --- the rest


def convert_id(ctx: Context, op: etree._Element) -> etree._Element:
    destination = op.get("DestinationFormat") or "EwsId"

    def build(element: etree._Element) -> etree._Element:
        ident = element.get("Id") or ""
        if decode_id(ident, "item") is None and decode_id(ident, "folder") is None:
            raise EwsError("ErrorInvalidIdMalformed")
        message = soap.response_message("ConvertId")
        alternate = m(
            "AlternateId", Format=destination, Id=ident, Mailbox=element.get("Mailbox") or ctx.mailbox.address
        )
        alternate.set("{http://www.w3.org/2001/XMLSchema-instance}type", "t:AlternateIdType")
        message.append(alternate)
        return message

    return each("ConvertId", id_children(op, "SourceIds"), build)


def resolve_names(ctx: Context, op: etree._Element) -> etree._Element:
    wanted = (op.findtext(q(M, "UnresolvedEntry")) or "").strip().lower().removeprefix("smtp:")
    found = [
        mailbox
        for mailbox in ctx.store.mailboxes.values()
        if wanted and (mailbox.address.lower().startswith(wanted) or mailbox.display_name.lower().startswith(wanted))
    ]
    if not found:
        error = EwsError("ErrorNameResolutionNoResults", "No results were found.")
        return soap.response("ResolveNames", [error_message("ResolveNames", error)])
    code = "NoError" if len(found) == 1 else "ErrorNameResolutionMultipleResults"
    message = soap.response_message(
        "ResolveNames",
        code,
        "Multiple results were found.",
        response_class="Success" if code == "NoError" else "Warning",
    )
    resolution_set = etree.SubElement(
        message, q(M, "ResolutionSet"), TotalItemsInView=str(len(found)), IncludesLastItemInRange="true"
    )
    for mailbox in found:
        resolution = etree.SubElement(resolution_set, q(T, "Resolution"))
        resolution.append(mailbox_element(mailbox.display_name, mailbox.address))
    return soap.response("ResolveNames", [message])


HANDLERS: dict[str, Callable[[Context, etree._Element], etree._Element]] = {
    "GetFolder": get_folder,
    "FindFolder": find_folder,
    "CreateFolder": create_folder,
    "UpdateFolder": update_folder,
    "MoveFolder": move_folder,
    "DeleteFolder": delete_folder,
    "FindItem": find_item,
    "GetItem": get_item,
    "CreateItem": create_item,
    "UpdateItem": update_item,
    "DeleteItem": delete_item,
    "SendItem": send_item,
    "MoveItem": _move_or_copy("MoveItem", copy_only=False),
    "CopyItem": _move_or_copy("CopyItem", copy_only=True),
    "SyncFolderItems": sync_folder_items,
    "SyncFolderHierarchy": sync_folder_hierarchy,
    "Subscribe": subscribe,
    "Unsubscribe": unsubscribe,
    "GetEvents": get_events,
    "ConvertId": convert_id,
    "ResolveNames": resolve_names,
}


def forced_error_response(operation: str, code: str) -> etree._Element:
    """A response whose only message carries ``code`` (fault injection of a per-message error)."""
    return soap.response(operation, [error_message(operation, EwsError(code))])
