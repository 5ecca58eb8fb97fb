"""Mail routes of the Graph test server: folders, message delta, a message and its MIME, PATCH, sendMail."""

from __future__ import annotations

import base64
import binascii
from email.utils import getaddresses
from typing import Any

from .protocol import Answer, GraphError, Request, not_found, selected
from .store import Mailbox, Message


def route(request: Request) -> Answer | None:
    mailbox, select = request.mailbox, request.select
    match (request.method, request.rest):
        case ("GET", ["mailFolders"]):
            return (
                200,
                {},
                {"value": [folder_resource(mailbox, f.id) for f in mailbox.folders.values()]},
                "collection:mailFolder",
            )
        case ("GET", ["mailFolders", "delta"]):
            return request.delta(
                mailbox.folder_log_id, lambda i: folder_resource(mailbox, i, missing_ok=True), "mailFolder"
            )
        case ("GET", ["mailFolders", folder]):
            return 200, {}, folder_resource(mailbox, folder), "entity:mailFolder"
        case ("GET", ["mailFolders", name, "messages", "delta"]):
            folder = mailbox.folder(name)
            if folder is None:
                raise not_found()
            return request.delta(folder.id, lambda i: _resource(mailbox, i), "message")
        case ("GET", ["mailFolders", folder, "messages"]):
            return _find(mailbox, folder, request.query.get("$filter", ""), select)
        case ("GET", ["messages", message_id]):
            return 200, {}, selected(message(mailbox, message_id).resource(), select), "entity:message"
        case ("GET", ["messages", message_id, "$value"]):
            return 200, {"Content-Type": "message/rfc822"}, message(mailbox, message_id).mime, None
        case ("PATCH", ["messages", message_id]):
            return _patch(request, message_id)
        case ("POST", ["sendMail"]):
            return _send(request)
    return None


def folder_resource(mailbox: Mailbox, name: str, missing_ok: bool = False) -> Any:
    folder = mailbox.folder(name)
    if folder is None:
        if missing_ok:
            return None
        raise not_found()
    inside = [m for m in mailbox.messages.values() if m.folder_id == folder.id]
    return {"id": folder.id, "displayName": folder.display_name, "parentFolderId": folder.parent_id,
            "childFolderCount": 0, "totalItemCount": len(inside),
            "unreadItemCount": sum(1 for m in inside if not m.is_read), "isHidden": False}  # fmt: skip


def message(mailbox: Mailbox, message_id: str) -> Message:
    found = mailbox.messages.get(message_id)
    if found is None:
        raise not_found()
    return found


def _resource(mailbox: Mailbox, message_id: str) -> dict[str, Any] | None:
    found = mailbox.messages.get(message_id)
    return None if found is None else found.resource()


def _find(mailbox: Mailbox, name: str, where: str, select: str | None) -> Answer:
    folder = mailbox.folder(name)
    if folder is None:
        raise not_found()
    prefix = "internetMessageId eq '"
    if not (where.startswith(prefix) and where.endswith("'")):
        raise GraphError(400, "BadRequest", "Only $filter=internetMessageId eq '...' is supported here.")
    wanted = where[len(prefix) : -1].replace("''", "'")
    found = [selected(m.resource(), select) for m in mailbox.messages.values()
             if m.folder_id == folder.id and (m.resource()["internetMessageId"] or "") == wanted]  # fmt: skip
    return 200, {}, {"value": found}, "collection:message"


def _patch(request: Request, message_id: str) -> Answer:
    found = message(request.mailbox, message_id)
    changes = request.json_body()
    problems = request.server.schema.check("message", {"id": found.id, **changes})
    if problems or not set(changes) <= {"categories", "isRead"}:
        raise GraphError(400, "BadRequest", f"Invalid update: {problems or sorted(changes)}")
    fields = {"categories": changes["categories"]} if "categories" in changes else {}
    if "isRead" in changes:
        fields["is_read"] = changes["isRead"]
    request.server.store.update(request.mailbox, found, **fields)
    return 200, {}, found.resource(), "entity:message"


def _send(request: Request) -> Answer:
    if not request.headers.get("content-type", "").startswith("text/plain"):
        raise GraphError(400, "BadRequest", "A MIME message is sent base64-encoded as text/plain.")
    try:
        mime = base64.b64decode(request.body, validate=True)
    except (binascii.Error, ValueError):
        raise GraphError(
            400, "ErrorMimeContentInvalidBase64String", "Invalid base64 string for MIME content."
        ) from None
    if b"\r\n\r\n" not in mime and b"\n\n" not in mime:
        raise GraphError(400, "ErrorMimeContentInvalid", "The MIME content is not valid.")
    store, mailbox = request.server.store, request.mailbox
    copy = store.deliver(mailbox.address, mime, folder="sentitems")  # the sender's copy keeps its Bcc
    store.update(mailbox, copy, is_read=True)
    parsed = copy.parsed()
    hidden = [address for _, address in getaddresses([str(v) for v in parsed.get_all("Bcc", [])]) if address]
    if hidden:  # Exchange delivers to the Bcc header's recipients and strips it from what they get
        del parsed["Bcc"]
        mime = parsed.as_bytes()
    named = [r["emailAddress"]["address"] for r in copy.resource()["toRecipients"] + copy.resource()["ccRecipients"]]
    for address in dict.fromkeys(named + hidden):
        if store.mailbox(address) is not None:
            store.deliver(address, mime)
    request.server.sent.append(copy.id)
    return 202, {}, None, None
