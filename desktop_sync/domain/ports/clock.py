"""The clock's side of the ports: what the engine asks the time of, so tests can hand it theirs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

Clock = Callable[[], dt.datetime]


def utcnow() -> dt.datetime:
    """The system clock, as an aware UTC datetime (every time the product stores is one)."""
    return dt.datetime.now(dt.UTC)
