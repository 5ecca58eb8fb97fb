"""Notifications: Subscribe, Unsubscribe, GetEvents (pull) and the notification element that
GetStreamingEvents also writes (the streaming itself is in ``dispatch.py``).
"""

from __future__ import annotations

import base64

from lxml import etree

from .. import soap
from ..soap import M, T, local, m, t
from .request import Context, EwsError, error_message, q, resolve_folder, unsupported


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
