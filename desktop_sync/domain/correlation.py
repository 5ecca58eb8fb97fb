"""Finding the conversation a mail belongs to: In-Reply-To, the tracking token, then References.

Pure: it says what to look up, in which order; the engine does the look-ups in the store.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from desktop_sync.domain.mail import ParsedEmail

TOKEN_DIGITS = 7


class CorrelationMethod(enum.Enum):
    IN_REPLY_TO = "in_reply_to"
    TRACKING_TOKEN = "tracking_token"
    REFERENCES = "references"
    SMART_MATCHING = "smart_matching"


def tracking_token(prefix: str, activity_id: int) -> str:
    """The token put in the subject of mail sent from the CRM, e.g. ``CRM:0001234``."""
    return f"{prefix}{activity_id:0{TOKEN_DIGITS}d}"


def find_token(subject: str, prefix: str) -> int | None:
    """The activity id in a tracking token of ``subject``, if there is one."""
    match = re.search(re.escape(prefix) + r"(\d{" + str(TOKEN_DIGITS) + r",})", subject)
    return int(match.group(1)) if match else None


@dataclass(frozen=True, slots=True)
class Lookup:
    method: CorrelationMethod
    message_ids: tuple[str, ...] = ()
    activity_id: int | None = None


def correlation_lookups(email: ParsedEmail, token_prefix: str) -> list[Lookup]:
    """The look-ups to try, in order; the first that finds an activity wins."""
    lookups = []
    if email.in_reply_to:
        lookups.append(Lookup(CorrelationMethod.IN_REPLY_TO, message_ids=(email.in_reply_to,)))
    token = find_token(email.subject, token_prefix)
    if token is not None:
        lookups.append(Lookup(CorrelationMethod.TRACKING_TOKEN, activity_id=token))
    if email.references:
        lookups.append(Lookup(CorrelationMethod.REFERENCES, message_ids=tuple(reversed(email.references))))
    return lookups
