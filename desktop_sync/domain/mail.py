"""Reading an RFC 5322 message into what the CRM keeps of it: headers, parties, bodies, attachments.

Malformed mail is read as far as it can be, and what could not be read is said in ``defects``;
only mail with nothing usable at all raises MalformedMessage.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import hashlib
import re
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesHeaderParser, BytesParser
from email.policy import EmailPolicy
from email.utils import getaddresses, parsedate_to_datetime
from typing import Any

from desktop_sync.domain.errors import ErrorScope, PermanentError
from desktop_sync.domain.model import PartyRole

ATTACHMENT_LIMIT_DEFAULT = 5 * 1024 * 1024


class MalformedMessage(PermanentError):
    code = "malformed_message"

    def __init__(self, message: str):
        super().__init__(message, scope=ErrorScope.ITEM)


@dataclass(frozen=True, slots=True)
class Party:
    role: PartyRole
    address: str
    display_name: str = ""


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str
    content_type: str
    size: int
    content: bytes | None = field(repr=False)  # None when over the size limit
    content_id: str | None = None
    skipped_reason: str | None = None


@dataclass(frozen=True, slots=True)
class ParsedEmail:
    message_id: str
    subject: str
    parties: tuple[Party, ...]
    sent_at: dt.datetime | None
    in_reply_to: str | None
    references: tuple[str, ...]
    body_text: str | None
    body_html: str | None
    attachments: tuple[Attachment, ...]
    size: int
    defects: tuple[str, ...] = ()

    @property
    def sender(self) -> Party | None:
        return next((p for p in self.parties if p.role is PartyRole.FROM), None)

    def addresses(self, *roles: PartyRole) -> list[str]:
        return [p.address for p in self.parties if not roles or p.role in roles]


def sanitize_filename(name: str | None) -> str:
    """A file name safe to show and to save: no directories, no control characters, bounded length.

    ``../../etc/passwd`` becomes ``passwd``; ``C:\\x\\y.exe`` becomes ``y.exe``.
    """
    if not name:
        return "attachment"
    base = re.split(r"[/\\]", str(name))[-1]
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '<>:"|?*')
    base = base.strip().lstrip(".").strip()
    if len(base) > 200:
        stem, dot, extension = base.rpartition(".")
        base = (stem[: 200 - len(extension) - 1] + dot + extension) if dot and len(extension) <= 10 else base[:200]
    return base or "attachment"


_LINESEP = re.compile(r"\n|\r")


_MEMO_NAMES = frozenset({"content-type", "content-transfer-encoding", "mime-version", "content-disposition"})
_MEMO_MAX_LENGTH = 200
HEADER_MAX_LENGTH = 16 * 1024  # longer header fields are cut: the stdlib parses some in quadratic time


@functools.lru_cache(maxsize=512)
def _parsed_header(name: str, value: str) -> Any:
    return policy.default.header_factory(name, value)


class _MemoizedPolicy(EmailPolicy):
    """policy.default, with parsed headers memoized by (name, value).

    The parser and get_content_type() parse Content-Type and friends again on every access; the
    same few values recur in every message, so the parsed (immutable) header objects are shared.
    This is what makes an import run at more than a thousand messages a second.
    """

    def header_fetch_parse(self, name: str, value: str) -> Any:
        if hasattr(value, "name"):
            return value
        unfolded = "".join(_LINESEP.split(value))
        if name.lower() not in _MEMO_NAMES or len(unfolded) > _MEMO_MAX_LENGTH:
            # unique per message (Message-ID, Subject, References...): keeping them would only hold
            # thousands of parsed trees alive for the garbage collector to walk
            return policy.default.header_factory(name, unfolded)
        return _parsed_header(name, unfolded)


_POLICY = _MemoizedPolicy()


def _bounded_headers(raw: bytes) -> tuple[bytes, bool]:
    """Cut header fields longer than HEADER_MAX_LENGTH (folding included) before the parser sees them.

    A 1 MB Cc or References line costs the stdlib tens of seconds, and a Subject of many encoded
    words gigabytes; no real header is that long. Only the top-level header block is looked at.
    """
    end = raw.find(b"\r\n\r\n")
    end = raw.find(b"\n\n") if end < 0 else end
    head = raw if end < 0 else raw[:end]
    if len(head) <= HEADER_MAX_LENGTH:
        return raw, False
    fields: list[bytes] = []
    for line in head.splitlines(keepends=True):
        if fields and line[:1] in (b" ", b"\t"):
            fields[-1] += line
        else:
            fields.append(line)
    if all(len(f) <= HEADER_MAX_LENGTH for f in fields):
        return raw, False
    kept = []
    for f in fields:
        if len(f) > HEADER_MAX_LENGTH:
            f = f[:HEADER_MAX_LENGTH].replace(b"\r", b" ").replace(b"\n", b" ").rstrip() + b"\r\n"
        kept.append(f)
    return b"".join(kept) + (b"" if end < 0 else raw[end:]), True


def _clean(text: str, limit: int | None = None) -> str:
    """No NUL characters (PostgreSQL refuses them in text) and at most ``limit`` characters."""
    if "\x00" in text:
        text = text.replace("\x00", "")
    return text[:limit] if limit is not None else text


def _storable(text: str) -> str:
    """``text`` without lone surrogates: undecodable bytes read as UTF-8 where they are, else U+FFFD."""
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")


# Header values of the plainest shape, which the stdlib's header parser would give back unchanged
# (as far as what is read of them: addresses, message ids, text): taken as written, they skip that
# parser, half of a message's parsing time. Anything else (encoded words, quotes, comments, groups,
# obsolete syntax, other characters) goes through the parser. tests/domain/test_mail_fast_headers.py
# checks, on generated values, that both ways read the same.
_ATOM = r"[A-Za-z0-9_+\-]+"
_ADDRESS = rf"{_ATOM}(?:\.{_ATOM})*@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*"
_MAILBOX = rf" *(?:{_ADDRESS}|(?:[A-Za-z0-9_\-]+(?: [A-Za-z0-9_\-]+)* ?)?<{_ADDRESS}>) *"
_MESSAGE_ID = rf"<{_ATOM}(?:\.{_ATOM})*@[A-Za-z0-9_\-]+(?:\.[A-Za-z0-9_\-]+)*>"
_ADDRESSES = re.compile(rf"{_MAILBOX}(?:,{_MAILBOX})*")
_MESSAGE_IDS = re.compile(rf" *{_MESSAGE_ID}(?: +{_MESSAGE_ID})* *")
PLAIN_HEADERS = {
    "from": _ADDRESSES,
    "to": _ADDRESSES,
    "cc": _ADDRESSES,
    "bcc": _ADDRESSES,
    "message-id": re.compile(rf" *{_MESSAGE_ID} *"),
    "in-reply-to": _MESSAGE_IDS,
    "references": _MESSAGE_IDS,
    "subject": re.compile(r"(?:(?!=\?)[\x20-\x7e])*"),  # printable ASCII without an encoded word
    # the parser gives a date it reads formatted again (read back the same), else the text as written
    "date": re.compile(r"[\x20-\x7e]*"),
}


def _plain_values(message: EmailMessage, name: str) -> list[str] | None:
    """The values of header ``name`` as written, when each has the plainest shape; else None."""
    shape = PLAIN_HEADERS.get(name)
    if shape is None:
        return None
    values = ["".join(_LINESEP.split(value)) for key, value in message.raw_items() if key.lower() == name]
    return values if all(shape.fullmatch(value) for value in values) else None


def _header_values(message: EmailMessage, name: str, defects: list[str]) -> list[str]:
    """Every value of header ``name`` as text; a value the stdlib's header parser cannot read
    (an obsolete-syntax ``Message-ID: <@host>`` raises IndexError in it) is taken as it was written
    and said in ``defects``, so that one odd header never costs the whole message."""
    plain = _plain_values(message, name)
    if plain is not None:
        return plain
    try:
        return [str(value) for value in message.get_all(name, [])]
    except Exception:  # any error of the header parser: the raw text is still there
        defects.append(f"Unreadable{name.title().replace('-', '')}Header")
        # bytes that are no UTF-8 come back as lone surrogates, which no store can encode
        raw = [str(value) for key, value in message.raw_items() if key.lower() == name]
        return [_storable(value) for value in raw]


def _header(message: EmailMessage, name: str, defects: list[str]) -> str | None:
    values = _header_values(message, name, defects)
    return values[0] if values else None


def _message_ids(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    ids = []
    for token in str(value).replace(",", " ").split():
        token = token.strip()
        if token.startswith("<") and token.endswith(">") and len(token) > 2:
            ids.append(token)
    return tuple(ids)


def _parties(message: EmailMessage, defects: list[str]) -> tuple[Party, ...]:
    parties = []
    for role, header in ((PartyRole.FROM, "from"), (PartyRole.TO, "to"), (PartyRole.CC, "cc"), (PartyRole.BCC, "bcc")):
        values = _header_values(message, header, defects)
        for name, address in getaddresses(values):
            address = _clean(address.strip().lower(), 320)
            if "@" in address:
                parties.append(Party(role, address, _clean(name.strip(), 200)))
    return tuple(parties)


def _sent_at(message: EmailMessage, defects: list[str]) -> dt.datetime | None:
    value = _header(message, "date", defects)
    if not value:
        return None
    try:
        return _utc(parsedate_to_datetime(str(value)))
    except (TypeError, ValueError, OverflowError, IndexError):
        return None  # a date we cannot read is no date: the mail itself is still imported


def _utc(parsed: dt.datetime) -> dt.datetime:
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)


def _text(part: EmailMessage) -> str | None:
    try:
        content = part.get_content()
    except Exception:  # an unknown or broken charset, a codec that is no text codec...: the bytes as UTF-8
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else None
    return content if isinstance(content, str) else None


def _first_text(message: EmailMessage) -> str | None:
    """The first leaf that reads as text, found by walking the tree by hand: for trees that the
    stdlib's get_body cannot walk (a multipart whose payload is a string)."""
    stack: list[Any] = [message]
    while stack:
        part = stack.pop(0)
        if not isinstance(part, EmailMessage):
            continue
        payload = part.get_payload()
        if isinstance(payload, list):
            stack[:0] = payload
            continue
        with contextlib.suppress(Exception):
            # a multipart whose payload is a string is text the parser could not split
            if part.get_content_maintype() in ("text", "multipart"):
                return _text(part)
    return None


def _bodies(message: EmailMessage, defects: list[str]) -> tuple[str | None, str | None]:
    """The plain text and the HTML body; a tree the stdlib cannot walk still gives its first text."""
    try:
        text_part = message.get_body(preferencelist=("plain",))
        html_part = message.get_body(preferencelist=("html",))
        return (
            _text(text_part) if isinstance(text_part, EmailMessage) else None,
            _text(html_part) if isinstance(html_part, EmailMessage) else None,
        )
    except Exception:
        defects.append("UnreadableMimeStructure")
        try:
            return _first_text(message), None
        except Exception:
            return None, None


def _attachment(part: Any, attachment_limit: int) -> Attachment:
    assert isinstance(part, EmailMessage)
    payload = part.get_payload(decode=True)
    data = payload if isinstance(payload, bytes) else b""
    name = sanitize_filename(part.get_filename())
    content_id = part.get("content-id")
    cid = str(content_id) if content_id else None
    if len(data) > attachment_limit:
        limit = f"larger than the {attachment_limit} byte limit"
        return Attachment(name, part.get_content_type(), len(data), None, cid, limit)
    return Attachment(name, part.get_content_type(), len(data), data, cid)


def _attachments(message: EmailMessage, attachment_limit: int, defects: list[str]) -> list[Attachment]:
    """Each attachment, or what can be said of one that cannot be read: it is listed, not kept."""
    try:
        parts = list(message.iter_attachments())
    except Exception:
        defects.append("UnreadableMimeStructure")
        return []
    attachments = []
    for part in parts:
        try:
            attachments.append(_attachment(part, attachment_limit))
        except Exception as exc:
            defects.append("UnreadableAttachment")
            payload = part.get_payload() if isinstance(part, EmailMessage) else None
            size = len(payload) if isinstance(payload, str | bytes) else 0
            reason = f"could not be read ({type(exc).__name__})"
            attachments.append(Attachment("attachment", "application/octet-stream", size, None, None, reason))
    return attachments


def parse_message(raw: bytes, attachment_limit: int = ATTACHMENT_LIMIT_DEFAULT) -> ParsedEmail:
    """Read ``raw``; a message without a Message-ID gets a stable one derived from its bytes."""
    if not raw or not raw.strip():
        raise MalformedMessage("the message is empty")
    raw, cut = _bounded_headers(raw)
    try:
        message = BytesParser(policy=_POLICY).parsebytes(raw)
    except Exception as exc:  # the stdlib parser is lenient; anything it raises means unreadable
        raise MalformedMessage(f"the message cannot be parsed: {exc}") from exc
    assert isinstance(message, EmailMessage)
    defects = [type(d).__name__ for d in message.defects] + (["HeaderTooLong"] if cut else [])
    if not message.keys():
        raise MalformedMessage("the message has no headers")

    ids = _message_ids(_header(message, "message-id", defects))
    message_id = ids[0] if ids else f"<{hashlib.sha256(raw).hexdigest()[:32]}@desktop-sync.invalid>"
    if not ids:
        defects.append("MissingMessageId")
    in_reply_to = _message_ids(_header(message, "in-reply-to", defects))
    body_text, body_html = _bodies(message, defects)
    attachments = _attachments(message, attachment_limit, defects)
    subject = _clean((_header(message, "subject", defects) or "").strip(), 4000)
    return ParsedEmail(
        message_id=_clean(message_id, 998),
        subject=subject,
        parties=_parties(message, defects),
        sent_at=_sent_at(message, defects),
        in_reply_to=_clean(in_reply_to[0], 998) if in_reply_to else None,
        references=tuple(_clean(r, 998) for r in _message_ids(_header(message, "references", defects)))[-50:],
        body_text=_clean(body_text) if body_text is not None else None,
        body_html=_clean(body_html) if body_html is not None else None,
        attachments=tuple(
            dataclasses.replace(
                a,
                content_type=_clean(a.content_type, 200),
                content_id=_clean(a.content_id, 998) if a.content_id else None,
            )
            for a in attachments
        ),
        size=len(raw),
        defects=tuple(defects),
    )


HEADLINE_HEAD_LIMIT = 256 * 1024  # a header block is never this long: the rest is body
HEADLINE_MAX_LENGTH = 300


@dataclass(frozen=True, slots=True)
class Headline:
    """What names a mail to a person: its subject, its sender and its date, where they can be read."""

    subject: str | None = None
    sender: str | None = None  # "Name <address>", or the address alone
    date: dt.datetime | None = None


def _one_line(text: str) -> str | None:
    text = "".join(ch if ch.isprintable() else " " for ch in _clean(text))  # no control characters
    text = " ".join(text.split())  # nor line breaks, tabs or runs of spaces
    return text[:HEADLINE_MAX_LENGTH].strip() or None


def read_headline(raw: bytes) -> Headline:
    """The subject, sender and date of ``raw`` as far as its header block can be read; never raises.

    For mail that could not be synchronized (malformed, refused by the store): it is named in the
    failed items by these rather than by its server reference.
    """
    try:
        head, _cut = _bounded_headers(raw[:HEADLINE_HEAD_LIMIT])
        message = BytesHeaderParser(policy=_POLICY).parsebytes(head)
    except Exception:  # unreadable: nothing names it
        return Headline()
    subject = sender = None
    date = None
    try:
        subject = _one_line(str(message.get("subject", "") or ""))
    except Exception:  # one unreadable field leaves the others
        subject = None
    try:
        values = [str(v) for v in message.get_all("from", [])]
        for name, address in getaddresses(values):
            name, address = (_one_line(name) or ""), (_one_line(address) or "")
            if address or name:
                sender = _one_line(f"{name} <{address}>" if name and address else name or address)
                break
    except Exception:
        sender = None
    try:
        date = _sent_at(message, [])  # type: ignore[arg-type]
    except Exception:
        date = None
    return Headline(subject, sender, date)
