"""The parsing that stopped a mailbox in issue 11: the standard library's own reading of the
Message-ID, which raises IndexError on the obsolete route syntax (``<@relay:id@host>``).

The engine's parser reads such a header tolerantly now; this one keeps the old failure, so tests
can show that a parser raising on one message costs that message alone. Module-level, so that the
engine's worker processes can be given it.
"""

from __future__ import annotations

import dataclasses
from email import policy
from email.parser import BytesParser

from desktop_sync.domain.mail import ParsedEmail, parse_message


def parse_as_before(raw: bytes, attachment_limit: int) -> ParsedEmail:
    message = BytesParser(policy=policy.default).parsebytes(raw)
    str(message.get("message-id", ""))  # IndexError on the obsolete syntax, as before
    return parse_message(raw, attachment_limit)


def parse_with_a_size_no_store_holds(raw: bytes, attachment_limit: int) -> ParsedEmail:
    """parse_message, but a message saying ``X-Size: huge`` gets a size past SQLite's 64-bit
    integers: a value the store refuses for that message alone, as a parser bug would give one."""
    parsed = parse_message(raw, attachment_limit)
    return dataclasses.replace(parsed, size=2**70) if b"X-Size: huge" in raw else parsed


def parse_with_no_subject_text(raw: bytes, attachment_limit: int) -> ParsedEmail:
    """parse_message, but a message saying ``X-Subject: none`` gets no subject text at all (None):
    correlation raises TypeError on that message alone, as a parser bug would make it."""
    parsed = parse_message(raw, attachment_limit)
    return dataclasses.replace(parsed, subject=None) if b"X-Subject: none" in raw else parsed  # type: ignore[arg-type]
