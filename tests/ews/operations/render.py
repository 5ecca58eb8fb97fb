"""Items and folders written as EWS elements, in the order ``types.xsd`` gives, with the fields a shape asks for."""

from __future__ import annotations

import base64
import copy
from collections.abc import Iterator

from lxml import etree

from ..fields import (
    FOLDER_TYPES,
    ITEM_TYPES,
    Shape,
    extended_key,
)
from ..mime import build_mime, plain_text, recipient_addresses
from ..schema import child_order
from ..soap import T, t
from ..store import Folder, Item, Store
from .request import folder_id_element, item_id_element, q


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
