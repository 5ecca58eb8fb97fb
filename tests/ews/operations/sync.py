"""Synchronisation: SyncFolderItems and SyncFolderHierarchy, paging through the change logs with sync states."""

from __future__ import annotations

from lxml import etree

from .. import soap
from ..ids import InvalidSyncState, decode_sync_state, encode_sync_state
from ..soap import M, m, t
from .render import render_folder, render_item
from .request import Context, EwsError, SoapFault, error_message, id_children, parse_shape, q, resolve_folder

MAX_SYNC_CHANGES = 512


def _position(op: etree._Element, scope: str, folder_id: str) -> int:
    """Where in the change log the client's SyncState points (0 without one)."""
    token = op.findtext(q(M, "SyncState"))
    try:
        return decode_sync_state(token, scope, folder_id) if token else 0
    except InvalidSyncState:
        raise EwsError("ErrorInvalidSyncStateData") from None


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
        position = _position(op, "items", folder.id)
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
        position = _position(op, "folders", scope.id)
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
