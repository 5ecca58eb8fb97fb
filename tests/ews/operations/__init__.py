"""EWS operations of the test server: one function per SOAP operation, answering in Microsoft's shapes.

Each handler takes the request context and the operation element (the first child of ``s:Body``) and
returns the response element for ``s:Body``. A problem with one item or folder of a batch becomes an
error response message for it (``EwsError``); a problem with the whole request raises ``SoapFault``,
which the server sends as a SOAP fault with HTTP 500, the way Exchange does. The handlers live one
module per family: ``folders``, ``items`` (with ``restrictions`` and ``sending``), ``sync``,
``notifications`` and ``directory``; ``request`` and ``render`` are what they share.
"""

from __future__ import annotations

from collections.abc import Callable

from lxml import etree

from .directory import convert_id, resolve_names
from .folders import create_folder, delete_folder, find_folder, get_folder, move_folder, update_folder
from .items import (
    DEFAULT_FOLDERS,
    create_item,
    delete_item,
    find_item,
    get_item,
    item_from_element,
    move_or_copy,
    prepare_item,
    update_item,
)
from .notifications import get_events, notification_element, subscribe, unsubscribe
from .request import Context, EwsError, SoapFault, forced_error_response, unsupported
from .sending import send_item
from .sync import sync_folder_hierarchy, sync_folder_items

__all__ = [
    "DEFAULT_FOLDERS",
    "HANDLERS",
    "Context",
    "EwsError",
    "SoapFault",
    "forced_error_response",
    "item_from_element",
    "notification_element",
    "prepare_item",
    "unsupported",
]

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
    "MoveItem": move_or_copy("MoveItem", copy_only=False),
    "CopyItem": move_or_copy("CopyItem", copy_only=True),
    "SyncFolderItems": sync_folder_items,
    "SyncFolderHierarchy": sync_folder_hierarchy,
    "Subscribe": subscribe,
    "Unsubscribe": unsubscribe,
    "GetEvents": get_events,
    "ConvertId": convert_id,
    "ResolveNames": resolve_names,
}
