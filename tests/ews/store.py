"""The EWS test server's state: mailboxes, folders, items, change logs and subscriptions, in memory.

Items keep their fields as EWS ``t:`` elements keyed by local name, exactly as a client sent them in
CreateItem/UpdateItem (or as derived from a delivered MIME message), and are written back in the order
``types.xsd`` gives for their type. Every folder has a change log (global sequence numbers); a sync
state is an opaque token naming a folder and a position in that log, so SyncFolderItems and
SyncFolderHierarchy return real incremental changes. Everything is guarded by one re-entrant lock.
"""

from __future__ import annotations

import base64
import bisect
import copy
import datetime as dt
import email.errors
import email.header
import email.policy
import email.utils
import itertools
import re
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.parser import BytesParser

from lxml import etree

from .schema import child_order, child_types
from .soap import T, format_datetime, local, t

# --- ids


def encode_id(kind: str, number: int) -> str:
    return base64.b64encode(f"ews-test:{kind}:{number}".encode()).decode()


def decode_id(value: str, kind: str) -> int | None:
    try:
        text = base64.b64decode(value.encode(), validate=True).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    prefix = f"ews-test:{kind}:"
    if not text.startswith(prefix) or not text[len(prefix) :].isdigit():
        return None
    return int(text[len(prefix) :])


def encode_change_key(number: int, version: int) -> str:
    return base64.b64encode(f"ck:{number}:{version}".encode()).decode()


def decode_change_key(value: str) -> tuple[int, int] | None:
    try:
        text = base64.b64decode(value.encode(), validate=True).decode()
        kind, number, version = text.split(":")
    except (ValueError, UnicodeDecodeError):
        return None
    if kind != "ck" or not number.isdigit() or not version.isdigit():
        return None
    return int(number), int(version)


class InvalidSyncState(ValueError):
    """A sync state this server did not issue, or one issued for another folder."""


def encode_sync_state(scope: str, folder_id: str, position: int) -> str:
    return base64.b64encode(f"sync:{scope}:{folder_id}:{position}".encode()).decode()


def decode_sync_state(value: str, scope: str, folder_id: str) -> int:
    try:
        text = base64.b64decode(value.encode(), validate=True).decode()
        kind, token_scope, rest = text.split(":", 2)
        token_folder, position = rest.rsplit(":", 1)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidSyncState(value) from exc
    if kind != "sync" or token_scope != scope or token_folder != folder_id or not position.isdigit():
        raise InvalidSyncState(value)
    return int(position)


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


# --- item types

ITEM_TYPES = {
    "Message": ("MessageType", "IPM.Note"),
    "CalendarItem": ("CalendarItemType", "IPM.Appointment"),
    "Contact": ("ContactItemType", "IPM.Contact"),
    "Task": ("TaskType", "IPM.Task"),
    "Item": ("ItemType", "IPM.Note"),
}
FOLDER_TYPES = {
    "Folder": "FolderType",
    "CalendarFolder": "CalendarFolderType",
    "ContactsFolder": "ContactsFolderType",
    "TasksFolder": "TasksFolderType",
}
FOLDER_TAG_BY_CLASS = {"IPF.Appointment": "CalendarFolder", "IPF.Contact": "ContactsFolder", "IPF.Task": "TasksFolder"}

# Indexed field URIs name one entry of a dictionary element.
INDEXED_CONTAINERS = {
    "EmailAddress": "EmailAddresses",
    "PhoneNumber": "PhoneNumbers",
    "ImAddress": "ImAddresses",
    "PhysicalAddress": "PhysicalAddresses",
}

# Fields read from a MIME message's headers, and those that need its body.
MIME_HEADER_FIELDS = frozenset(
    {
        "Subject",
        "Sender",
        "From",
        "ToRecipients",
        "CcRecipients",
        "InternetMessageId",
        "DateTimeSent",
        "References",
        "InReplyTo",
        "ConversationTopic",
        "Importance",
        "ReplyTo",
    }
)
MIME_BODY_FIELDS = frozenset({"Body", "TextBody", "HasAttachments", "UniqueBody"})

# Fields a Default shape returns (Exchange's default set is similar: ids, subject, flags, dates, people).
DEFAULT_FIELDS = frozenset(
    {
        "ItemId",
        "ParentFolderId",
        "ItemClass",
        "Subject",
        "Sensitivity",
        "DateTimeReceived",
        "Size",
        "Importance",
        "HasAttachments",
        "DateTimeSent",
        "DateTimeCreated",
        "DisplayTo",
        "DisplayCc",
        "From",
        "IsRead",
        "Start",
        "End",
        "Location",
        "Organizer",
        "DisplayName",
        "GivenName",
        "Surname",
        "CompanyName",
        "EmailAddresses",
        "Status",
        "DueDate",
        "PercentComplete",
    }
)


@dataclass(frozen=True, slots=True)
class Shape:
    """What a GetItem/FindItem/SyncFolderItems request asked for."""

    base: str = "IdOnly"  # IdOnly | Default | AllProperties
    fields: frozenset[str] = frozenset()
    extended: tuple[etree._Element, ...] = ()

    def wants(self, name: str) -> bool:
        if name in ("ItemId", "FolderId") or name in self.fields:
            return True
        if self.base == "AllProperties":
            return name not in ("MimeContent", "UniqueBody", "TextBody", "NormalizedBody")
        if self.base == "Default":
            return name in DEFAULT_FIELDS
        return False


def field_name(path: etree._Element) -> str | None:
    """The element local name that a ``t:FieldURI``/``t:IndexedFieldURI`` path points at."""
    uri = path.get("FieldURI") or ""
    name = local(path)
    if name == "IndexedFieldURI":
        head = uri.split(":")[1] if ":" in uri else uri
        return INDEXED_CONTAINERS.get(head, head)
    if name == "ExtendedFieldURI":
        return "ExtendedProperty"
    return uri.split(":")[-1] if uri else None


# --- mailbox contents


class ChangeLog:
    """Sequence-numbered (kind, id) entries: kind is "add", "mod" or "del"."""

    def __init__(self) -> None:
        self.positions: list[int] = []
        self.entries: list[tuple[str, str]] = []

    def append(self, position: int, kind: str, ident: str) -> None:
        self.positions.append(position)
        self.entries.append((kind, ident))

    def since(self, position: int) -> Iterator[tuple[int, str, str]]:
        start = bisect.bisect_right(self.positions, position)
        for index in range(start, len(self.positions)):
            kind, ident = self.entries[index]
            yield self.positions[index], kind, ident

    @property
    def last(self) -> int:
        return self.positions[-1] if self.positions else 0


@dataclass(eq=False)
class Folder:
    id: str
    number: int
    mailbox: Mailbox
    parent: Folder | None
    name: str
    folder_class: str | None
    tag: str = "Folder"
    distinguished: str | None = None
    version: int = 1
    items: dict[str, Item] = field(default_factory=dict)
    log: ChangeLog = field(default_factory=ChangeLog)

    @property
    def change_key(self) -> str:
        return encode_change_key(self.number, self.version)

    def children(self) -> list[Folder]:
        return [f for f in self.mailbox.folders.values() if f.parent is self]

    def descendants(self) -> Iterator[Folder]:
        for child in self.children():
            yield child
            yield from child.descendants()

    def is_under(self, ancestor: Folder) -> bool:
        node = self.parent
        while node is not None:
            if node is ancestor:
                return True
            node = node.parent
        return False

    @property
    def unread_count(self) -> int:
        return sum(1 for item in self.items.values() if item.tag == "Message" and not item.is_read)


@dataclass(eq=False)
class Item:
    id: str
    number: int
    tag: str
    folder: Folder
    props: dict[str, etree._Element] = field(default_factory=dict)
    extended: list[etree._Element] = field(default_factory=list)
    version: int = 1
    field_versions: dict[str, int] = field(default_factory=dict)
    mime: bytes | None = None
    created: dt.datetime = field(default_factory=now)
    received: dt.datetime = field(default_factory=now)
    modified: dt.datetime = field(default_factory=now)
    _headers_parsed: bool = True
    _body_parsed: bool = True
    _header_fields_read: frozenset[str] = frozenset()

    @property
    def change_key(self) -> str:
        return encode_change_key(self.number, self.version)

    @property
    def is_read(self) -> bool:
        element = self.props.get("IsRead")
        return element is not None and (element.text or "").strip() in ("true", "1")

    def text(self, name: str) -> str | None:
        self.ensure_parsed({name})
        element = self.props.get(name)
        return None if element is None else (element.text or "")

    def ensure_parsed(self, names: Iterable[str] | None = None) -> None:
        """Fill the fields that come from the MIME source, the first time any of them is needed."""
        if self.mime is None:
            return
        wanted = set(names) if names is not None else MIME_HEADER_FIELDS | MIME_BODY_FIELDS
        missing = (wanted & MIME_HEADER_FIELDS) - self._header_fields_read
        if not self._headers_parsed and missing:
            for name, element in props_from_headers(raw_headers(self.mime), missing).items():
                self.props.setdefault(name, element)
            self._header_fields_read |= missing
            if self._header_fields_read >= MIME_HEADER_FIELDS:
                self._headers_parsed = True
        if not self._body_parsed and wanted & MIME_BODY_FIELDS:
            message = BytesParser(policy=email.policy.default).parsebytes(self.mime)
            for name, element in props_from_body(message).items():
                self.props.setdefault(name, element)
            self._body_parsed = True

    def set_mime(self, raw: bytes) -> None:
        """Make ``raw`` the item's MIME source; fields not set explicitly are read from it when needed."""
        self.mime = raw
        self._headers_parsed = self._body_parsed = False
        self._header_fields_read = frozenset()

    def touch(self, names: Iterable[str]) -> None:
        self.version += 1
        for name in names:
            self.field_versions[name] = self.version
        self.modified = now()


@dataclass(eq=False)
class Mailbox:
    address: str
    display_name: str
    password: str
    impersonation_right: bool
    folders: dict[str, Folder] = field(default_factory=dict)
    distinguished: dict[str, Folder] = field(default_factory=dict)
    hierarchy_log: ChangeLog = field(default_factory=ChangeLog)

    @property
    def root(self) -> Folder:
        return self.distinguished["root"]

    def folder(self, name: str) -> Folder:
        """A distinguished folder by id ("inbox") or a folder by its path under the root ("inbox/Projects")."""
        if name in self.distinguished:
            return self.distinguished[name]
        parts = name.split("/")
        node = self.distinguished.get(parts[0]) or self.distinguished["msgfolderroot"]
        rest = parts[1:] if parts[0] in self.distinguished else parts
        for part in rest:
            matches = [child for child in node.children() if child.name == part]
            if not matches:
                raise KeyError(f"{self.address}: no folder {name!r}")
            node = matches[0]
        return node

    def mailbox_element(self, tag: str = "Mailbox") -> etree._Element:
        return mailbox_element(self.display_name, self.address, tag=tag)


# Distinguished folders every mailbox gets: (id, display name, folder class, parent id).
DISTINGUISHED_FOLDERS = (
    ("root", "", None, None),
    ("msgfolderroot", "Top of Information Store", None, "root"),
    ("inbox", "Inbox", "IPF.Note", "msgfolderroot"),
    ("sentitems", "Sent Items", "IPF.Note", "msgfolderroot"),
    ("drafts", "Drafts", "IPF.Note", "msgfolderroot"),
    ("deleteditems", "Deleted Items", "IPF.Note", "msgfolderroot"),
    ("outbox", "Outbox", "IPF.Note", "msgfolderroot"),
    ("junkemail", "Junk Email", "IPF.Note", "msgfolderroot"),
    ("calendar", "Calendar", "IPF.Appointment", "msgfolderroot"),
    ("contacts", "Contacts", "IPF.Contact", "msgfolderroot"),
    ("tasks", "Tasks", "IPF.Task", "msgfolderroot"),
)


@dataclass(frozen=True, slots=True)
class Event:
    """One notification event, as GetStreamingEvents reports it."""

    kind: str  # NewMailEvent | CreatedEvent | ModifiedEvent | DeletedEvent | MovedEvent | CopiedEvent
    watermark: str
    timestamp: dt.datetime
    item_id: str | None
    item_change_key: str | None
    folder_id: str | None
    parent_folder_id: str
    old_item_id: str | None = None
    old_parent_folder_id: str | None = None
    unread_count: int | None = None


@dataclass(eq=False)
class Subscription:
    id: str
    mailbox: Mailbox
    folder_ids: frozenset[str] | None  # None: all folders
    event_types: frozenset[str]
    events: list[Event] = field(default_factory=list)
    streaming: bool = True

    def matches(self, kind: str, folder_ids: Iterable[str]) -> bool:
        if kind not in self.event_types:
            return False
        return self.folder_ids is None or any(f in self.folder_ids for f in folder_ids)


@dataclass(frozen=True, slots=True)
class SentMessage:
    """A message the server "sent": its sender, envelope recipients and final MIME."""

    sender: str
    recipients: tuple[str, ...]
    mime: bytes
    kind: str = "message"  # "message" | "meeting_request" | "meeting_cancellation"


class Store:
    """All mailboxes of one server; every method must be called with ``lock`` held (it is re-entrant)."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.changed = threading.Condition(self.lock)
        self.mailboxes: dict[str, Mailbox] = {}
        self.folders: dict[str, Folder] = {}
        self.items: dict[str, Item] = {}
        self.subscriptions: dict[str, Subscription] = {}
        self.sent: list[SentMessage] = []
        # GetItem answers ResponseClass="Error" with this code for these items (one item's fault)
        self.get_item_errors: dict[str, str] = {}
        self._numbers = itertools.count(1)
        self._positions = itertools.count(1)

    def position(self) -> int:
        return next(self._positions)

    # --- mailboxes and folders

    def add_mailbox(self, address: str, password: str, *, display_name: str, impersonation_right: bool) -> Mailbox:
        key = address.lower()
        if key in self.mailboxes:
            raise ValueError(f"mailbox {address} exists already")
        mailbox = Mailbox(address, display_name, password, impersonation_right)
        self.mailboxes[key] = mailbox
        for ident, name, folder_class, parent in DISTINGUISHED_FOLDERS:
            parent_folder = mailbox.distinguished[parent] if parent else None
            folder = self.create_folder(mailbox, parent_folder, name, folder_class, log=False)
            folder.distinguished = ident
            mailbox.distinguished[ident] = folder
        return mailbox

    def create_folder(
        self, mailbox: Mailbox, parent: Folder | None, name: str, folder_class: str | None, *, log: bool = True
    ) -> Folder:
        number = next(self._numbers)
        tag = FOLDER_TAG_BY_CLASS.get(folder_class or "", "Folder")
        folder = Folder(encode_id("folder", number), number, mailbox, parent, name, folder_class, tag)
        mailbox.folders[folder.id] = folder
        self.folders[folder.id] = folder
        mailbox.hierarchy_log.append(self.position(), "add", folder.id)
        if log and parent is not None:
            self._folder_changed(parent, count_only=True)
            self.emit(mailbox, "CreatedEvent", folder=folder)
        return folder

    def update_folder(self, folder: Folder, *, name: str | None = None, parent: Folder | None = None) -> None:
        old_parent = folder.parent
        if name is not None:
            folder.name = name
        if parent is not None and parent is not folder.parent:
            folder.parent = parent
        folder.version += 1
        folder.mailbox.hierarchy_log.append(self.position(), "mod", folder.id)
        if parent is not None and old_parent is not None and parent is not old_parent:
            self.emit(folder.mailbox, "MovedEvent", folder=folder, old_parent=old_parent)
        else:
            self.emit(folder.mailbox, "ModifiedEvent", folder=folder)

    def delete_folder(self, folder: Folder) -> None:
        for child in folder.children():
            self.delete_folder(child)
        for item in list(folder.items.values()):
            self.remove_item(item)
        del folder.mailbox.folders[folder.id]
        del self.folders[folder.id]
        folder.mailbox.hierarchy_log.append(self.position(), "del", folder.id)
        self.emit(folder.mailbox, "DeletedEvent", folder=folder)

    def _folder_changed(self, folder: Folder, *, count_only: bool = False) -> None:
        # Exchange bumps a folder's change key when its counts change; hierarchy sync reports it.
        folder.version += 1
        folder.mailbox.hierarchy_log.append(self.position(), "mod", folder.id)

    # --- items

    def new_item(self, tag: str, folder: Folder) -> Item:
        number = next(self._numbers)
        return Item(encode_id("item", number), number, tag, folder)

    def add_item(self, item: Item, *, new_mail: bool = False, event: bool = True) -> Item:
        folder = item.folder
        folder.items[item.id] = item
        self.items[item.id] = item
        folder.log.append(self.position(), "add", item.id)
        if event:
            self.emit(folder.mailbox, "CreatedEvent", item=item)
            if new_mail:
                self.emit(folder.mailbox, "NewMailEvent", item=item)
        return item

    def modify_item(self, item: Item, names: Iterable[str]) -> None:
        item.touch(names)
        item.folder.log.append(self.position(), "mod", item.id)
        self.emit(item.folder.mailbox, "ModifiedEvent", item=item)

    def remove_item(self, item: Item, *, event: bool = True) -> None:
        folder = item.folder
        del folder.items[item.id]
        del self.items[item.id]
        folder.log.append(self.position(), "del", item.id)
        if event:
            self.emit(folder.mailbox, "DeletedEvent", item=item)

    def move_item(self, item: Item, target: Folder, *, copy_only: bool = False) -> Item:
        """Move (or copy) an item; like Exchange, the item gets a new id in the target folder."""
        moved = self.new_item(item.tag, target)
        moved.props = {name: copy.deepcopy(element) for name, element in item.props.items()}
        moved.extended = [copy.deepcopy(element) for element in item.extended]
        moved.mime = item.mime
        moved._headers_parsed, moved._body_parsed = item._headers_parsed, item._body_parsed
        moved._header_fields_read = item._header_fields_read
        moved.created, moved.received = item.created, item.received
        self.add_item(moved, event=False)
        if not copy_only:
            self.remove_item(item, event=False)
        self.emit(
            target.mailbox,
            "CopiedEvent" if copy_only else "MovedEvent",
            item=moved,
            old_item=item,
            old_parent=item.folder,
        )
        return moved

    def find_item(self, item_id: str) -> Item | None:
        return self.items.get(item_id)

    # --- sync

    def item_changes(self, folder: Folder, position: int, limit: int) -> tuple[list[tuple[str, str]], int, bool]:
        """Net item changes after ``position``: ([(change, item_id)], new position, includes last)."""
        return _net_changes(folder.log, position, limit, lambda ident: ident in folder.items)

    def folder_changes(
        self, mailbox: Mailbox, scope: Folder, position: int, limit: int
    ) -> tuple[list[tuple[str, str]], int, bool]:
        def exists(ident: str) -> bool:
            folder = mailbox.folders.get(ident)
            return folder is not None and folder.is_under(scope)

        return _net_changes(mailbox.hierarchy_log, position, limit, exists)

    # --- notifications

    def subscribe(
        self, mailbox: Mailbox, folder_ids: frozenset[str] | None, event_types: frozenset[str], *, streaming: bool
    ) -> Subscription:
        subscription = Subscription(str(uuid.uuid4()), mailbox, folder_ids, event_types, streaming=streaming)
        self.subscriptions[subscription.id] = subscription
        return subscription

    def emit(
        self,
        mailbox: Mailbox,
        kind: str,
        *,
        item: Item | None = None,
        folder: Folder | None = None,
        old_item: Item | None = None,
        old_parent: Folder | None = None,
    ) -> None:
        if not self.subscriptions:
            return
        parent = item.folder if item is not None else folder.parent if folder is not None else None
        if parent is None:
            return
        watched = [parent.id] + ([old_parent.id] if old_parent is not None else [])
        event = Event(
            kind=kind,
            watermark=base64.b64encode(f"wm:{self.position()}".encode()).decode(),
            timestamp=now(),
            item_id=item.id if item is not None else None,
            item_change_key=item.change_key if item is not None else None,
            folder_id=folder.id if folder is not None else None,
            parent_folder_id=parent.id,
            old_item_id=old_item.id if old_item is not None else None,
            old_parent_folder_id=old_parent.id if old_parent is not None else None,
            unread_count=parent.unread_count if kind == "ModifiedEvent" and item is None else None,
        )
        delivered = False
        for subscription in self.subscriptions.values():
            if subscription.mailbox is mailbox and subscription.matches(kind, watched):
                subscription.events.append(event)
                delivered = True
        if delivered:
            self.changed.notify_all()


def _net_changes(
    log: ChangeLog, position: int, limit: int, exists: Callable[[str], bool]
) -> tuple[list[tuple[str, str]], int, bool]:
    """Walk the log after ``position`` and return at most ``limit`` net changes, in first-touch order.

    An object whose first entry after ``position`` is "add" did not exist then: it is a Create if it
    still exists, nothing otherwise. Any other first entry means the client knows it: Update if it
    still exists, Delete if not. The new position stops just before the first object left for the
    next page, so objects that did not fit are reported in full on the next call.
    """
    seen: set[str] = set()
    changes: list[tuple[str, str]] = []
    new_position = position
    for entry_position, kind, ident in log.since(position):
        if ident in seen:
            new_position = entry_position
            continue
        if len(changes) >= limit:
            return changes, new_position, False
        seen.add(ident)
        new_position = entry_position
        alive = exists(ident)
        if kind == "add":
            if alive:
                changes.append(("Create", ident))
        elif alive:
            changes.append(("Update", ident))
        else:
            changes.append(("Delete", ident))
    return changes, new_position, True


# --- building and reading item fields


def mailbox_element(name: str | None, address: str, *, tag: str = "Mailbox") -> etree._Element:
    element = t(tag)
    if name:
        element.append(t("Name", name))
    element.append(t("EmailAddress", address))
    element.append(t("RoutingType", "SMTP"))
    element.append(t("MailboxType", "Mailbox"))
    return element


def recipients_element(tag: str, addresses: Iterable[tuple[str, str]]) -> etree._Element:
    element = t(tag)
    for name, address in addresses:
        element.append(mailbox_element(name, address))
    return element


def single_recipient(tag: str, name: str, address: str) -> etree._Element:
    element = t(tag)
    element.append(mailbox_element(name, address))
    return element


def recipient_addresses(element: etree._Element | None) -> list[tuple[str, str]]:
    """(name, address) pairs of a recipients element (ToRecipients, From, Organizer, RequiredAttendees...)."""
    if element is None:
        return []
    pairs = []
    for mailbox in element.iter(f"{{{T}}}Mailbox"):
        address = mailbox.findtext(f"{{{T}}}EmailAddress") or ""
        name = mailbox.findtext(f"{{{T}}}Name") or ""
        if address:
            pairs.append((name, address))
    return pairs


def _decoded(value: str | None) -> str:
    """A header value with RFC 2047 encoded words decoded (lenient, like a mail client)."""
    if value is None:
        return ""
    try:
        return str(email.header.make_header(email.header.decode_header(value)))
    except (LookupError, ValueError, email.errors.HeaderParseError):
        return value


def _address_list(values: list[str] | None) -> list[tuple[str, str]]:
    if not values:
        return []
    pairs = email.utils.getaddresses([str(v) for v in values])
    return [(_decoded(name), address) for name, address in pairs if address and "@" in address]


def raw_headers(raw: bytes) -> dict[str, list[str]]:
    """The header block of a MIME message, unfolded, by lower-case name (much faster than email.parser)."""
    end = raw.find(b"\r\n\r\n")
    if end < 0:
        end = raw.find(b"\n\n")
    head = (raw if end < 0 else raw[:end]).decode("utf-8", "replace")
    headers: dict[str, list[str]] = {}
    for line in re.sub(r"\r?\n[ \t]+", " ", head).splitlines():
        name, colon, value = line.partition(":")
        if colon:
            headers.setdefault(name.strip().lower(), []).append(value.strip())
    return headers


def props_from_headers(headers: dict[str, list[str]], wanted: set[str]) -> dict[str, etree._Element]:
    """The wanted EWS fields that a message's headers give."""
    props: dict[str, etree._Element] = {}

    def first(name: str) -> str | None:
        values = headers.get(name)
        return values[0] if values else None

    subject = first("subject")
    if subject is not None and wanted & {"Subject", "ConversationTopic"}:
        text = _decoded(subject)
        props["Subject"] = t("Subject", text)
        props["ConversationTopic"] = t("ConversationTopic", re.sub(r"^((re|fwd?|aw|wg):\s*)+", "", text, flags=re.I))
    if wanted & {"From", "Sender"}:
        senders = _address_list(headers.get("from"))
        if senders:
            props["From"] = single_recipient("From", *senders[0])
            props["Sender"] = single_recipient("Sender", *(_address_list(headers.get("sender")) or senders)[0])
    for header, name in (("to", "ToRecipients"), ("cc", "CcRecipients"), ("reply-to", "ReplyTo")):
        if name in wanted:
            pairs = _address_list(headers.get(header))
            if pairs:
                props[name] = recipients_element(name, pairs)
    for header, name in (
        ("message-id", "InternetMessageId"),
        ("references", "References"),
        ("in-reply-to", "InReplyTo"),
    ):
        value = first(header)
        if value and name in wanted:
            props[name] = t(name, " ".join(value.split()))
    date = first("date")
    if date is not None and "DateTimeSent" in wanted:
        try:
            sent = email.utils.parsedate_to_datetime(date)
        except (TypeError, ValueError):
            sent = None
        if sent is not None:
            if sent.tzinfo is None:
                sent = sent.replace(tzinfo=dt.UTC)
            props["DateTimeSent"] = t("DateTimeSent", format_datetime(sent))
    importance = (first("importance") or "").lower()
    if importance in ("high", "low") and "Importance" in wanted:
        props["Importance"] = t("Importance", importance.capitalize())
    return props


def props_from_body(message: EmailMessage) -> dict[str, etree._Element]:
    props: dict[str, etree._Element] = {}
    body = message.get_body(preferencelist=("html", "plain"))
    if body is not None:
        try:
            content = body.get_content()
        except (LookupError, ValueError):
            content = ""
        body_type = "HTML" if body.get_content_type() == "text/html" else "Text"
        props["Body"] = t("Body", content, BodyType=body_type)
    has_attachments = any(True for _ in message.iter_attachments()) if message.is_multipart() else False
    props["HasAttachments"] = t("HasAttachments", has_attachments)
    return props


def plain_text(body: etree._Element | None) -> str:
    if body is None:
        return ""
    text = body.text or ""
    if body.get("BodyType") == "HTML":
        text = re.sub(r"<[^>]+>", "", text)
    return text


def build_mime(item: Item, sender: Mailbox) -> bytes:
    """The MIME form of a message created from fields (what Exchange generates when sending)."""
    message = EmailMessage(policy=email.policy.SMTP)
    senders = recipient_addresses(item.props.get("From")) or [(sender.display_name, sender.address)]
    message["From"] = email.utils.formataddr(senders[0])
    for name, header in (("ToRecipients", "To"), ("CcRecipients", "Cc"), ("ReplyTo", "Reply-To")):
        pairs = recipient_addresses(item.props.get(name))
        if pairs:
            message[header] = ", ".join(email.utils.formataddr(pair) for pair in pairs)
    message["Subject"] = item.text("Subject") or ""
    message["Date"] = email.utils.format_datetime(now())
    message_id = item.text("InternetMessageId") or email.utils.make_msgid(domain=sender.address.split("@")[-1])
    message["Message-ID"] = message_id
    for name, header in (("InReplyTo", "In-Reply-To"), ("References", "References")):
        value = item.text(name)
        if value:
            message[header] = value
    body = item.props.get("Body")
    if body is not None and body.get("BodyType") == "HTML":
        message.set_content(body.text or "", subtype="html")
    else:
        message.set_content(plain_text(body))
    for attachment in item.props.get("Attachments", ()):
        content = attachment.findtext(f"{{{T}}}Content")
        if content is None:
            continue  # item attachments are not rendered into MIME by the test server
        maintype, _, subtype = (attachment.findtext(f"{{{T}}}ContentType") or "application/octet-stream").partition("/")
        message.add_attachment(
            base64.b64decode(content),
            maintype=maintype,
            subtype=subtype or "octet-stream",
            filename=attachment.findtext(f"{{{T}}}Name") or "attachment",
        )
    return message.as_bytes()


def message_from_mime(store: Store, folder: Folder, raw: bytes, *, is_read: bool = False) -> Item:
    """An unsaved Message item whose fields are read lazily from ``raw``."""
    item = store.new_item("Message", folder)
    item.set_mime(raw)
    item.props["IsRead"] = t("IsRead", is_read)
    return item


def canonical(element: etree._Element, tag: str) -> etree._Element:
    """Write a client's value the way Exchange writes it back: xs:boolean as true/false (clients may send
    1/0, and exchangelib does), xs:dateTime in UTC with a Z (clients send offsets)."""
    kind = child_types(ITEM_TYPES.get(tag, ITEM_TYPES["Item"])[0]).get(local(element))
    text = (element.text or "").strip()
    if kind == "xs:boolean" and text in ("1", "0"):
        element.text = "true" if text == "1" else "false"
    elif kind == "xs:dateTime" and text:
        try:
            value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return element
        element.text = format_datetime(value if value.tzinfo else value.replace(tzinfo=dt.UTC))
    return element


def merge_indexed(container: etree._Element, entry: etree._Element) -> None:
    """Put a dictionary entry (``<t:Entry Key=…>``) into its container, replacing or merging by Key."""
    key = entry.get("Key")
    for existing in container:
        if existing.get("Key") == key:
            if len(entry):  # PhysicalAddress entries merge their sub-fields
                order = child_order("PhysicalAddressDictionaryEntryType")
                parts = {local(child): child for child in existing}
                for child in entry:
                    parts[local(child)] = copy.deepcopy(child)
                for child in list(existing):
                    existing.remove(child)
                for name in order:
                    if name in parts:
                        existing.append(parts[name])
            else:
                existing.text = entry.text
                for name, value in entry.attrib.items():
                    existing.set(name, value)
            return
    container.append(copy.deepcopy(entry))


def delete_indexed(container: etree._Element, key: str, sub_field: str | None) -> None:
    for existing in list(container):
        if existing.get("Key") != key:
            continue
        if sub_field is None:
            container.remove(existing)
            continue
        for child in list(existing):
            if local(child) == sub_field:
                existing.remove(child)
        if not len(existing):
            container.remove(existing)


def extended_key(path: etree._Element) -> tuple[str, ...]:
    return tuple(
        path.get(name) or ""
        for name in ("DistinguishedPropertySetId", "PropertySetId", "PropertyTag", "PropertyName", "PropertyId")
    )
