"""The EWS test server's state: mailboxes, folders and items in memory (change logs, subscriptions: ``changes.py``).

Items keep their fields as EWS ``t:`` elements keyed by local name, exactly as a client sent them in
CreateItem/UpdateItem (or as derived from a delivered MIME message), and are written back in the order
``types.xsd`` gives for their type. Every folder has a change log (global sequence numbers); a sync
state is an opaque token naming a folder and a position in that log, so SyncFolderItems and
SyncFolderHierarchy return real incremental changes (ids and tokens: ``ids.py``; fields: ``fields.py``,
``mime.py``). Everything is guarded by one re-entrant lock.
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import email.errors
import email.header
import email.policy
import email.utils
import itertools
import threading
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from email.parser import BytesParser

from lxml import etree

from .changes import ChangeLog, Event, Subscription, net_changes
from .fields import FOLDER_TAG_BY_CLASS, MIME_BODY_FIELDS, MIME_HEADER_FIELDS
from .ids import encode_change_key, encode_id
from .mime import props_from_body, props_from_headers, raw_headers
from .soap import now, t

# --- mailbox contents


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
        return net_changes(folder.log, position, limit, lambda ident: ident in folder.items)

    def folder_changes(
        self, mailbox: Mailbox, scope: Folder, position: int, limit: int
    ) -> tuple[list[tuple[str, str]], int, bool]:
        def exists(ident: str) -> bool:
            folder = mailbox.folders.get(ident)
            return folder is not None and folder.is_under(scope)

        return net_changes(mailbox.hierarchy_log, position, limit, exists)

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


def message_from_mime(store: Store, folder: Folder, raw: bytes, *, is_read: bool = False) -> Item:
    """An unsaved Message item whose fields are read lazily from ``raw``."""
    item = store.new_item("Message", folder)
    item.set_mime(raw)
    item.props["IsRead"] = t("IsRead", is_read)
    return item
