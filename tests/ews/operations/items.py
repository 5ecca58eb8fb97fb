"""The item operations: FindItem, GetItem, CreateItem, UpdateItem, DeleteItem, MoveItem and CopyItem."""

from __future__ import annotations

import base64
import copy
import uuid
from collections.abc import Callable

from lxml import etree

from .. import soap
from ..fields import (
    canonical,
    delete_indexed,
    extended_key,
    field_name,
    merge_indexed,
)
from ..ids import encode_id
from ..mime import single_recipient
from ..soap import M, T, local, t
from ..store import Folder, Item
from .render import render_item
from .request import (
    Context,
    EwsError,
    check_change_key,
    each,
    error_message,
    id_children,
    item_id_element,
    paging,
    parse_shape,
    q,
    resolve_folder,
    resolve_item,
    root_folder,
    unsupported,
)
from .restrictions import compare, item_values, matches, sort_key, sorted_items
from .sending import invite, send_message

# --- finding and reading items


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
                if compare((item_values(i, "Start") or [""])[0], end) < 0
                and compare((item_values(i, "End") or [""])[0], start) > 0
            ]
            items.sort(key=sort_key("Start"))
            limit = int(calendar_view.get("MaxEntriesReturned") or len(items) or 1)
            offset = 0
        else:
            items = sorted_items(items, sort)
            offset, limit = paging(op, "IndexedPageItemView", len(items))
        page = items[offset : offset + limit]
        message = soap.response_message("FindItem")
        root = root_folder(message, offset, len(page), len(items))
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


def prepare_item(ctx: Context, item: Item, *, draft: bool) -> None:
    """Fields Exchange sets itself when an item is saved."""
    props = item.props
    if item.tag == "Message":
        props.setdefault("IsRead", t("IsRead", not draft))
        props["IsDraft"] = t("IsDraft", draft)
    elif item.tag == "CalendarItem":
        props.setdefault("UID", t("UID", str(uuid.uuid4())))
        props.setdefault("Organizer", single_recipient("Organizer", ctx.mailbox.display_name, ctx.mailbox.address))
        attendees = any(name in props for name in ("RequiredAttendees", "OptionalAttendees", "Resources"))
        props.setdefault("IsMeeting", t("IsMeeting", attendees))
        props.setdefault(
            "CalendarItemType", t("CalendarItemType", "RecurringMaster" if "Recurrence" in props else "Single")
        )
        props.setdefault("MyResponseType", t("MyResponseType", "Organizer"))
    elif item.tag == "Task":
        props.setdefault("Status", t("Status", "NotStarted"))
        props.setdefault("PercentComplete", t("PercentComplete", 0))


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
                prepare_item(ctx, item, draft=False)
                send_message(ctx, item, folder if disposition == "SendAndSaveCopy" else None)
            else:
                prepare_item(ctx, item, draft=tag == "Message")
                ctx.store.add_item(item)
                if tag == "CalendarItem" and invitations in ("SendOnlyToAll", "SendToAllAndSaveCopy"):
                    invite(ctx, item, "meeting_request")
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
                    invite(ctx, item, "meeting_request")
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
            invite(ctx, item, "meeting_cancellation")
        deleted_items = ctx.mailbox.distinguished["deleteditems"]
        if delete_type == "MoveToDeletedItems" and item.folder is not deleted_items:
            ctx.store.move_item(item, deleted_items)
        else:
            ctx.store.remove_item(item)
        return soap.response_message("DeleteItem")

    return each("DeleteItem", id_children(op, "ItemIds"), build)


def move_or_copy(operation: str, copy_only: bool) -> Callable[[Context, etree._Element], etree._Element]:
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
