"""One item's own failure, said so that an admin can act on it: which step failed, on which item,
with which exception. An error of one item goes to the failed-item ledger; the others go on.
"""

from __future__ import annotations

import enum

ITEM_FAILED = "item_failed"  # the failed-item ledger's code for an item a step could not process
_DETAIL_LIMIT = 400


class Step(enum.Enum):
    """The per-item steps of synchronization, as the ledger names them."""

    READ = "reading"  # the connector turning the server's answer into an item
    PARSE = "parsing"
    CORRELATE = "correlating"
    TRACK = "deciding whether to track"
    CONVERT = "converting"
    STORE = "storing"
    APPLY = "applying"


def _one_line(text: str, limit: int = _DETAIL_LIMIT) -> str:
    text = " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def failure_reason(step: Step, exc: BaseException, ref: str, size: int | None = None) -> str:
    """``parsing failed on INBOX;7;512 (2,340 bytes): IndexError: list index out of range``."""
    detail = _one_line(str(exc))
    what = f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
    where = f"{_one_line(ref, 200)} ({size:,} bytes)" if size is not None else _one_line(ref, 200)
    return f"{step.value} failed on {where}: {what}"
