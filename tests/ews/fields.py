"""The EWS field model of the test server: item and folder types, request shapes, field paths, and how
a client's values are written back (booleans, dates, dictionary entries) the way Exchange writes them.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from lxml import etree

from . import soap
from .mime import mailbox_element, recipients_element
from .schema import child_order, child_types
from .soap import format_datetime, local

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


# --- fields given as Python values (the seeding helpers of ``EwsServer``)

RECIPIENT_FIELDS = {
    "ToRecipients",
    "CcRecipients",
    "BccRecipients",
    "RequiredAttendees",
    "OptionalAttendees",
    "Resources",
    "ReplyTo",
}


SINGLE_RECIPIENT_FIELDS = {"From", "Sender", "Organizer"}


def field_elements(fields: Mapping[str, Any]) -> list[etree._Element]:
    elements = []
    for name, value in fields.items():
        if isinstance(value, etree._Element):
            elements.append(value)
        elif name in RECIPIENT_FIELDS:
            if name in ("RequiredAttendees", "OptionalAttendees", "Resources"):
                holder = soap.t(name)
                for display, address in value:
                    attendee = soap.t("Attendee")
                    attendee.append(mailbox_element(display, address))
                    holder.append(attendee)
                elements.append(holder)
            else:
                elements.append(recipients_element(name, value))
        elif name in SINGLE_RECIPIENT_FIELDS:
            holder = soap.t(name)
            holder.append(mailbox_element(*value))
            elements.append(holder)
        elif name == "Body":
            text, body_type = (value, "Text") if isinstance(value, str) else value
            elements.append(soap.t("Body", text, BodyType=body_type))
        elif name == "Categories":
            holder = soap.t("Categories")
            for category in value:
                holder.append(soap.t("String", category))
            elements.append(holder)
        else:
            elements.append(soap.t(name, value))
    return elements
