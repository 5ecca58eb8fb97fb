"""Reading an RFC 5322 message into what the CRM keeps of it: headers, parties, bodies, attachments.

Malformed mail is read as far as it can be, and what could not be read is said in ``defects``;
only mail with nothing usable at all raises MalformedMessage.
"""

from __future__ import annotations

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


def _message_ids(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    ids = []
    for token in str(value).replace(",", " ").split():
        token = token.strip()
        if token.startswith("<") and token.endswith(">") and len(token) > 2:
            ids.append(token)
    return tuple(ids)


def _parties(message: EmailMessage) -> tuple[Party, ...]:
    parties = []
    for role, header in ((PartyRole.FROM, "from"), (PartyRole.TO, "to"), (PartyRole.CC, "cc"), (PartyRole.BCC, "bcc")):
        values = [str(v) for v in message.get_all(header, [])]
        for name, address in getaddresses(values):
            address = _clean(address.strip().lower(), 320)
            if "@" in address:
                parties.append(Party(role, address, _clean(name.strip(), 200)))
    return tuple(parties)


def _sent_at(message: EmailMessage) -> dt.datetime | None:
    value = message.get("date")
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(str(value))
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=dt.UTC)
        return parsed.astimezone(dt.UTC)
    except (TypeError, ValueError, OverflowError, IndexError):
        return None  # a date we cannot read is no date: the mail itself is still imported


def _text(part: EmailMessage) -> str | None:
    try:
        content = part.get_content()
    except (LookupError, ValueError, AssertionError):
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else None
    return content if isinstance(content, str) else None


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

    ids = _message_ids(message.get("message-id"))
    message_id = ids[0] if ids else f"<{hashlib.sha256(raw).hexdigest()[:32]}@desktop-sync.invalid>"
    if not ids:
        defects.append("MissingMessageId")
    in_reply_to = _message_ids(message.get("in-reply-to"))
    body_text = body_html = None
    text_part = message.get_body(preferencelist=("plain",))
    if isinstance(text_part, EmailMessage):
        body_text = _text(text_part)
    html_part = message.get_body(preferencelist=("html",))
    if isinstance(html_part, EmailMessage):
        body_html = _text(html_part)

    attachments = []
    for part in message.iter_attachments():
        assert isinstance(part, EmailMessage)
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        name = sanitize_filename(part.get_filename())
        content_id = part.get("content-id")
        if len(data) > attachment_limit:
            attachments.append(
                Attachment(
                    name,
                    part.get_content_type(),
                    len(data),
                    None,
                    str(content_id) if content_id else None,
                    f"larger than the {attachment_limit} byte limit",
                )
            )
        else:
            attachments.append(
                Attachment(name, part.get_content_type(), len(data), data, str(content_id) if content_id else None)
            )
    subject = _clean(str(message.get("subject", "") or "").strip(), 4000)
    return ParsedEmail(
        message_id=_clean(message_id, 998),
        subject=subject,
        parties=_parties(message),
        sent_at=_sent_at(message),
        in_reply_to=_clean(in_reply_to[0], 998) if in_reply_to else None,
        references=tuple(_clean(r, 998) for r in _message_ids(message.get("references")))[-50:],
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
        date = _sent_at(message)  # type: ignore[arg-type]
    except Exception:
        date = None
    return Headline(subject, sender, date)
