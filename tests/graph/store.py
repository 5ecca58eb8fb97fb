"""The Graph test server's mailboxes: folders, messages with their MIME, contacts, events and To Do tasks,
a change log and delta tokens.

Ids are immutable (what ``Prefer: IdType="ImmutableId"`` gives): a moved message keeps its id. Each
change (a message created, updated, moved in or out, deleted) is one position in the mailbox's
change log; a delta token is the folder and the position it has seen, so a delta round answers
exactly what changed since, once. ``expire_delta_tokens()`` makes every token issued so far answer
410 Gone (``syncStateNotFound``), as Graph does when it drops a sync state.
"""

from __future__ import annotations

import base64
import datetime as dt
import email
import email.policy
import itertools
import secrets
import threading
from dataclasses import dataclass, field
from email.header import decode_header, make_header
from email.utils import getaddresses, parsedate_to_datetime
from typing import Any

WELL_KNOWN = {"inbox": "Inbox", "sentitems": "Sent Items", "drafts": "Drafts", "deleteditems": "Deleted Items",
              "archive": "Archive", "junkemail": "Junk Email", "outbox": "Outbox"}  # fmt: skip


def graph_time(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


class DeltaTokenGone(ValueError):
    """The delta token was issued before the server dropped its sync states (410 Gone)."""


@dataclass(slots=True)
class Folder:
    id: str
    display_name: str
    well_known: str | None
    parent_id: str | None


@dataclass(slots=True)
class Message:
    id: str
    folder_id: str
    mime: bytes
    received: dt.datetime
    categories: list[str] = field(default_factory=list)
    is_read: bool = False
    change: int = 1
    modified: dt.datetime = field(default_factory=now)
    extended: dict[str, str] = field(default_factory=dict)  # singleValueExtendedProperties by id
    _cached: tuple[Any, dict[str, Any]] | None = field(default=None, repr=False, compare=False)
    _from_mime: dict[str, Any] | None = field(default=None, repr=False, compare=False)

    def parsed(self) -> email.message.EmailMessage:
        return email.message_from_bytes(self.mime, policy=email.policy.default)  # type: ignore[return-value]

    def resource(self) -> dict[str, Any]:
        """The message as Graph's JSON (microsoft.graph.message); ``select`` in the server narrows it.
        Made again only when the message changed (parsing its MIME is what a large mailbox costs)."""
        stamp = (self.change, self.folder_id, self.is_read, tuple(self.categories), self.modified)
        if self._cached is None or self._cached[0] != stamp:
            self._cached = (stamp, self._resource())
        return dict(self._cached[1])

    def _resource(self) -> dict[str, Any]:
        if self._from_mime is None:
            self._from_mime = _mime_fields(self.mime)
        return {
            "id": self.id,
            "changeKey": f"CQAAA{self.change:08d}",
            "createdDateTime": graph_time(self.received),
            "lastModifiedDateTime": graph_time(self.modified),
            "receivedDateTime": graph_time(self.received),
            "parentFolderId": self.folder_id,
            "categories": list(self.categories),
            "isRead": self.is_read,
            "isDraft": False,
            **self._from_mime,
        }


def _header_text(value: Any) -> str:
    if value is None:
        return ""
    try:
        return str(make_header(decode_header(str(value))))
    except (LookupError, UnicodeError, ValueError):
        return str(value)


def _mime_fields(mime: bytes) -> dict[str, Any]:
    """What a message's JSON takes from its MIME, read with the fast compat32 parser (the MIME never changes)."""
    parsed = email.message_from_bytes(mime, policy=email.policy.compat32)

    def recipients(header: str) -> list[dict[str, Any]]:
        values = [_header_text(v) for v in parsed.get_all(header, [])]
        return [{"emailAddress": {"name": n, "address": a}} for n, a in getaddresses(values) if a]

    sender = recipients("From")
    try:
        sent = parsedate_to_datetime(str(parsed["Date"])) if parsed["Date"] else None
    except (TypeError, ValueError, IndexError):
        sent = None
    body, subtype, attachments = None, "plain", False
    for part in parsed.walk():
        attached = str(part.get("Content-Disposition", "")).lower().startswith("attachment")
        attachments = attachments or attached
        readable = part.get_content_maintype() == "text" and part.get_content_subtype() in ("plain", "html")
        if body is None and not attached and readable:
            payload = part.get_payload(decode=True)
            charset = part.get_content_charset() or "utf-8"
            try:
                body = payload.decode(charset, "replace") if isinstance(payload, bytes) else ""
            except LookupError:
                body = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
            subtype = part.get_content_subtype()
    content = body or ""
    message_id = _header_text(parsed["Message-ID"]).strip()
    return {
        "sentDateTime": graph_time(sent) if sent and sent.tzinfo else None,
        "subject": _header_text(parsed["Subject"]),
        "internetMessageId": message_id or None,
        "hasAttachments": attachments,
        "from": sender[0] if sender else None,
        "sender": sender[0] if sender else None,
        "toRecipients": recipients("To"),
        "ccRecipients": recipients("Cc"),
        "bodyPreview": content[:255],
        "body": {"contentType": "html" if subtype == "html" else "text", "content": content},
    }


# What each kind of record needs beyond what the client sent (non-nullable in the metadata).
RECORD_DEFAULTS: dict[str, dict[str, Any]] = {
    "contact": {},
    "event": {},
    "todoTask": {"importance": "normal", "isReminderOn": False, "status": "notStarted"},
}


@dataclass(slots=True)
class Record:
    """A contact, an event or a To Do task: its Graph JSON as last written, and its bookkeeping."""

    id: str
    kind: str  # the metadata's type name
    container_id: str
    data: dict[str, Any]
    created: dt.datetime = field(default_factory=now)
    modified: dt.datetime = field(default_factory=now)
    change: int = 1
    extended: dict[str, str] = field(default_factory=dict)  # singleValueExtendedProperties: id -> value
    linked: list[dict[str, Any]] = field(default_factory=list)  # a To Do task's linkedResources

    def resource(self, expand: str = "") -> dict[str, Any]:
        stamps: dict[str, Any] = {
            "createdDateTime": graph_time(self.created),
            "lastModifiedDateTime": graph_time(self.modified),
        }
        if self.kind == "todoTask":
            stamps["bodyLastModifiedDateTime"] = graph_time(self.modified)
        else:
            stamps["changeKey"] = f"EQAAA{self.change:08d}"
        found = {**RECORD_DEFAULTS[self.kind], **self.data, **stamps, "id": self.id}
        if "singleValueExtendedProperties" in expand:
            wanted = _expand_filter(expand)
            found["singleValueExtendedProperties"] = [
                {"id": key, "value": value}
                for key, value in self.extended.items()
                if wanted is None or key.lower() == wanted
            ]
        if "linkedResources" in expand:
            found["linkedResources"] = list(self.linked)
        return found


def _expand_filter(expand: str) -> str | None:
    """The id in ``singleValueExtendedProperties($filter=id eq '…')``, lower-cased; None for all."""
    marker = "$filter=id eq '"
    start = expand.find(marker)
    if start < 0:
        return None
    end = expand.find("'", start + len(marker))
    return expand[start + len(marker) : end].lower() if end > 0 else None


@dataclass(slots=True)
class Container:
    """A contact folder, a calendar or a To Do list."""

    id: str
    kind: str  # "contactFolder", "calendar", "todoTaskList"
    display_name: str
    default: bool


@dataclass(slots=True)
class Change:
    position: int
    message_id: str
    folder_id: str
    removed: bool  # the message left this folder (deleted or moved away)


class Mailbox:
    def __init__(self, address: str, ids: itertools.count[int]) -> None:
        self.address = address
        self.user_id = secrets.token_hex(16)
        self._ids = ids
        self.folders: dict[str, Folder] = {}
        self.messages: dict[str, Message] = {}
        self.records: dict[str, Record] = {}
        self.categories: list[dict[str, Any]] = []
        self.log: list[Change] = []
        self.folder_log_id = self._new_id("L")  # where folder changes are logged (mailFolders/delta)
        for well_known, name in WELL_KNOWN.items():
            folder = Folder(self._new_id("F"), name, well_known, None)
            self.folders[folder.id] = folder
        self.containers = {
            c.id: c
            for c in (
                Container(self._new_id("C"), "contactFolder", "Contacts", True),
                Container(self._new_id("A"), "calendar", "Calendar", True),
                Container(self._new_id("T"), "todoTaskList", "Tasks", True),
            )
        }

    def container(self, kind: str, name_or_id: str | None = None) -> Container | None:
        for container in self.containers.values():
            if container.kind == kind and (
                name_or_id in (None, container.id) or (container.default and name_or_id == "default")
            ):
                return container
        return None

    def exists(self, item_id: str) -> bool:
        return item_id in self.messages or item_id in self.records or item_id in self.folders

    def _new_id(self, kind: str) -> str:
        raw = f"{kind}{next(self._ids):012d}{secrets.token_hex(8)}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def folder(self, name_or_id: str) -> Folder | None:
        if name_or_id in self.folders:
            return self.folders[name_or_id]
        lowered = name_or_id.lower()
        return next((f for f in self.folders.values() if f.well_known == lowered), None)

    def position(self) -> int:
        return self.log[-1].position if self.log else 0


class GraphStore:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self._ids = itertools.count(1)
        self._positions = itertools.count(1)
        self.mailboxes: dict[str, Mailbox] = {}  # by lower-cased address and by user id
        self.token_epoch = 0  # delta tokens of an older epoch are gone

    def add_mailbox(self, address: str) -> Mailbox:
        with self.lock:
            mailbox = Mailbox(address, self._ids)
            self.mailboxes[address.lower()] = mailbox
            self.mailboxes[mailbox.user_id] = mailbox
            for folder in mailbox.folders.values():  # a first mailFolders/delta round lists them
                self._log(mailbox, folder.id, mailbox.folder_log_id, removed=False)
            return mailbox

    def mailbox(self, user: str) -> Mailbox | None:
        return self.mailboxes.get(user.lower()) or self.mailboxes.get(user)

    # --- what happens in the mailbox (as mail arrives, or as its owner does in Outlook)

    def deliver(self, address: str, mime: bytes, folder: str = "inbox", received: dt.datetime | None = None) -> Message:
        with self.lock:
            mailbox = self.mailbox(address)
            assert mailbox is not None, f"no mailbox {address}"
            target = mailbox.folder(folder)
            assert target is not None, f"no folder {folder}"
            message = Message(mailbox._new_id("M"), target.id, mime, received or now())
            mailbox.messages[message.id] = message
            self._log(mailbox, message.id, target.id, removed=False)
            return message

    def update(self, mailbox: Mailbox, message: Message, **changes: Any) -> None:
        with self.lock:
            for name, value in changes.items():
                setattr(message, name, value)
            message.change += 1
            message.modified = now()
            self._log(mailbox, message.id, message.folder_id, removed=False)

    def move(self, mailbox: Mailbox, message: Message, folder_id: str) -> None:
        with self.lock:
            self._log(mailbox, message.id, message.folder_id, removed=True)
            message.folder_id = folder_id
            message.change += 1
            self._log(mailbox, message.id, folder_id, removed=False)

    def rename_folder(self, mailbox: Mailbox, folder: Folder, name: str) -> None:
        with self.lock:
            folder.display_name = name
            self._log(mailbox, folder.id, mailbox.folder_log_id, removed=False)

    def add_folder(self, mailbox: Mailbox, name: str, parent: Folder | None = None) -> Folder:
        with self.lock:
            folder = Folder(mailbox._new_id("F"), name, None, parent.id if parent else None)
            mailbox.folders[folder.id] = folder
            self._log(mailbox, folder.id, mailbox.folder_log_id, removed=False)
            return folder

    # --- contacts, events, tasks

    def add_record(self, mailbox: Mailbox, container: Container, kind: str, data: dict[str, Any]) -> Record:
        with self.lock:
            record = Record(mailbox._new_id("R"), kind, container.id, dict(data))
            mailbox.records[record.id] = record
            self._log(mailbox, record.id, container.id, removed=False)
            return record

    def update_record(self, mailbox: Mailbox, record: Record, data: dict[str, Any]) -> None:
        with self.lock:
            record.data.update(data)
            record.change += 1
            record.modified = now()
            self._log(mailbox, record.id, record.container_id, removed=False)

    def delete_record(self, mailbox: Mailbox, record: Record) -> None:
        with self.lock:
            del mailbox.records[record.id]
            self._log(mailbox, record.id, record.container_id, removed=True)

    def delete(self, mailbox: Mailbox, message: Message) -> None:
        with self.lock:
            del mailbox.messages[message.id]
            self._log(mailbox, message.id, message.folder_id, removed=True)

    def _log(self, mailbox: Mailbox, message_id: str, folder_id: str, removed: bool) -> None:
        mailbox.log.append(Change(next(self._positions), message_id, folder_id, removed))

    # --- delta

    def delta_token(self, folder_id: str, position: int) -> str:
        raw = f"{self.token_epoch}:{folder_id}:{position}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def read_delta_token(self, token: str, folder_id: str) -> int:
        try:
            epoch, folder, position = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode().split(":")
            if folder != folder_id:
                raise ValueError("another folder's token")
            if int(epoch) != self.token_epoch:
                raise DeltaTokenGone(token)
            return int(position)
        except DeltaTokenGone:
            raise
        except (ValueError, UnicodeDecodeError) as exc:
            raise ValueError("not a delta token of this server") from exc

    def changes(self, mailbox: Mailbox, folder_id: str, since: int, upto: int) -> list[tuple[str, bool]]:
        """(message id, removed) for the folder in (since, upto], each message once, its last state winning.

        A first round (``since`` 0) tells only what is there: nothing was seen yet to be removed."""
        with self.lock:
            latest: dict[str, bool] = {}
            for change in mailbox.log:
                if since < change.position <= upto and change.folder_id == folder_id:
                    latest.pop(change.message_id, None)
                    latest[change.message_id] = change.removed
            return [(message_id, removed) for message_id, removed in latest.items()
                    if (removed and since > 0) or (not removed and mailbox.exists(message_id))]  # fmt: skip

    def expire_delta_tokens(self) -> None:
        with self.lock:
            self.token_epoch += 1
