"""Mailbox and recipient elements, and the bridge between MIME messages and EWS message fields: the
fields a delivered message's headers and body give, and the MIME a message created from fields gets.
"""

from __future__ import annotations

import base64
import datetime as dt
import email.errors
import email.header
import email.policy
import email.utils
import re
from collections.abc import Iterable
from email.message import EmailMessage
from typing import TYPE_CHECKING

from lxml import etree

from .soap import T, format_datetime, now, t

if TYPE_CHECKING:
    from .store import Item, Mailbox


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
