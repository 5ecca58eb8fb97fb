"""The argument types of the command line (dates, counts, ids, ports...) and the password read from
standard input: each refuses bad input with a one-line message naming what it expected."""

from __future__ import annotations

import argparse
import datetime as dt
import math
from typing import TextIO

from desktop_sync.domain.errors import ValidationError


def iso_date(text: str) -> dt.datetime:
    """An ISO date or date-time; without a zone it is UTC."""
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO date like 2026-01-31") from exc
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def whole_number(text: str, not_a_number: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not {not_a_number}") from None


def count(text: str) -> int:
    """A number of things: a whole number, 1 or more."""
    value = whole_number(text, "a whole number")
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not a count (1 or more)")
    return value


def record_id(text: str) -> int:
    """An id as ``list`` shows it: a whole number, 1 or more."""
    value = whole_number(text, "an id (a whole number)")
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not an id (ids start at 1)")
    return value


def percent(text: str) -> int:
    value = whole_number(text, "a whole number")
    if not 0 <= value <= 100:
        raise argparse.ArgumentTypeError(f"{value} is outside 0-100")
    return value


def seconds(text: str) -> float:
    """A duration in seconds: more than 0, finite."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"{value:g} is not a duration (more than 0 seconds)")
    return value


def port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"port {value} is outside 1-65535")
    return value


def read_password(stdin: TextIO) -> str:
    text = stdin.read()
    if text.endswith("\r\n"):
        text = text[:-2]
    elif text.endswith("\n"):
        text = text[:-1]
    if not text:
        raise ValidationError.single("password_stdin", "no password on standard input")
    return text
