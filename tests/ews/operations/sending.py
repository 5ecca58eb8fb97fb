"""Sending as Exchange does: SendItem, and the sending side of CreateItem/UpdateItem (the sent record, the
copy in Sent Items, local delivery, Bcc left out of the MIME) and meeting invitations and cancellations.
"""

from __future__ import annotations

import copy
import email.policy
import email.utils
import re
from email.parser import BytesParser

from lxml import etree

from .. import soap
from ..mime import build_mime, recipient_addresses, single_recipient
from ..soap import M, t
from ..store import Folder, Item, SentMessage, message_from_mime
from .request import Context, EwsError, check_change_key, each, id_children, q, resolve_folder, resolve_item


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
        copy_item.props.setdefault("From", single_recipient("From", sender.display_name, sender.address))
        copy_item.props.setdefault("Sender", single_recipient("Sender", sender.display_name, sender.address))
        copy_item.props.pop("Attachments", None)
        ctx.store.add_item(copy_item)
    for address in dict.fromkeys(a.lower() for a in recipients):
        target = ctx.store.mailboxes.get(address)
        if target is not None:
            delivered = message_from_mime(ctx.store, target.distinguished["inbox"], mime)
            ctx.store.add_item(delivered, new_mail=True)


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


def invite(ctx: Context, item: Item, kind: str) -> None:
    attendees = _attendee_addresses(item)
    if attendees:
        mime = (
            f"From: {ctx.mailbox.address}\r\nTo: {', '.join(attendees)}\r\n"
            f"Subject: {item.text('Subject') or ''}\r\nX-Ews-Test-Kind: {kind}\r\n\r\n"
        ).encode()
        ctx.store.sent.append(SentMessage(ctx.mailbox.address, tuple(attendees), mime, kind=kind))


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
