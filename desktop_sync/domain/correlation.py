"""Finding the conversation a mail belongs to: In-Reply-To, the tracking token, References, then
(when switched on) smart matching: the same subject words and at least two shared addresses.

Pure: it says what to look up, in which order; the engine does the look-ups in the store.
"""

from __future__ import annotations

import enum
import hashlib
import re
from dataclasses import dataclass

from desktop_sync.domain.mail import ParsedEmail

TOKEN_DIGITS = 7
SMART_MATCH_MIN_SHARED_ADDRESSES = 2

# "Re:", "Fwd:", "AW:", "[ext] RE:" ... in the languages mail clients commonly write them
_REPLY_PREFIX = re.compile(
    r"^\s*(?:\[[^\]]{0,30}\]\s*)?(?:re|fw|fwd|aw|wg|tr|sv|vs|antw|rv|ref|réf)(?:\[\d+\])?\s*:\s*",
    re.IGNORECASE,
)
_WORD = re.compile(r"\w+", re.UNICODE)


class CorrelationMethod(enum.Enum):
    IN_REPLY_TO = "in_reply_to"
    TRACKING_TOKEN = "tracking_token"
    REFERENCES = "references"
    SMART_MATCHING = "smart_matching"


def tracking_token(prefix: str, activity_id: int) -> str:
    """The token put in the subject of mail sent from the CRM, e.g. ``CRM:0001234``."""
    return f"{prefix}{activity_id:0{TOKEN_DIGITS}d}"


MAX_ACTIVITY_ID = 2**31 - 1  # the store's ids are INTEGER columns (32 bits on PostgreSQL)


def find_token(subject: str, prefix: str) -> int | None:
    """The activity id in a tracking token of ``subject``, if there is one.

    ASCII digits only (``\\d`` would take Arabic-Indic or full-width ones), and no number past what
    an id can be: "CRM:9999999999" is no token, not an error of the store's look-up (PostgreSQL:
    integer out of range) that would fail the whole batch."""
    match = re.search(re.escape(prefix) + r"([0-9]{" + str(TOKEN_DIGITS) + r",10})(?![0-9])", subject)
    if match is None:
        return None
    activity_id = int(match.group(1))
    return activity_id if activity_id <= MAX_ACTIVITY_ID else None


def subject_key(subject: str, token_prefix: str | None = None) -> str | None:
    """What smart matching compares of a subject: its words, lower-cased, without reply and forward
    prefixes or a tracking token; hashed to a fixed length for an index. None for a subject without
    words (those never match)."""
    text = subject
    if token_prefix:
        text = re.sub(re.escape(token_prefix) + r"\d{" + str(TOKEN_DIGITS) + r",}", " ", text)
    while True:
        stripped = _REPLY_PREFIX.sub("", text, count=1)
        if stripped == text:
            break
        text = stripped
    words = _WORD.findall(text.casefold())
    if not words:
        return None
    return hashlib.sha1(" ".join(words).encode(), usedforsecurity=False).hexdigest()


@dataclass(frozen=True, slots=True)
class Lookup:
    method: CorrelationMethod
    message_ids: tuple[str, ...] = ()
    activity_id: int | None = None
    subject_key: str | None = None  # smart matching: the subject's words ...
    addresses: frozenset[str] = frozenset()  # ... and the addresses of the mail


def smart_match(candidates: dict[int, set[str]], addresses: frozenset[str]) -> int | None:
    """Among activities with the same subject words (id -> their addresses), the newest that shares at
    least two addresses with the mail."""
    matching = [
        activity_id
        for activity_id, theirs in candidates.items()
        if len(theirs & addresses) >= SMART_MATCH_MIN_SHARED_ADDRESSES
    ]
    return max(matching) if matching else None


def correlation_lookups(email: ParsedEmail, token_prefix: str, *, smart_matching: bool = False) -> list[Lookup]:
    """The look-ups to try, in order; the first that finds an activity wins."""
    lookups = []
    if email.in_reply_to:
        lookups.append(Lookup(CorrelationMethod.IN_REPLY_TO, message_ids=(email.in_reply_to,)))
    token = find_token(email.subject, token_prefix)
    if token is not None:
        lookups.append(Lookup(CorrelationMethod.TRACKING_TOKEN, activity_id=token))
    if email.references:
        lookups.append(Lookup(CorrelationMethod.REFERENCES, message_ids=tuple(reversed(email.references))))
    if smart_matching:
        key = subject_key(email.subject, token_prefix)
        addresses = frozenset(email.addresses())
        if key is not None and len(addresses) >= SMART_MATCH_MIN_SHARED_ADDRESSES:
            lookups.append(Lookup(CorrelationMethod.SMART_MATCHING, subject_key=key, addresses=addresses))
    return lookups
