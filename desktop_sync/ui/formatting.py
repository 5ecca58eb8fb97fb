"""How times, durations and counts read in the GUI, in the user's locale."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QCoreApplication, QDateTime, QLocale


def to_qdatetime(value: dt.datetime) -> QDateTime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return QDateTime.fromMSecsSinceEpoch(int(value.timestamp() * 1000))


def format_when(value: dt.datetime | None, now: dt.datetime | None = None) -> str:
    """A time of today as its clock time, another day with its date; "—" when there is none."""
    if value is None:
        return "—"
    locale = QLocale()
    local = to_qdatetime(value).toLocalTime()
    today = to_qdatetime(now or dt.datetime.now(dt.UTC)).toLocalTime().date()
    if local.date() == today:
        return locale.toString(local.time(), QLocale.FormatType.ShortFormat)
    return locale.toString(local, QLocale.FormatType.ShortFormat)


def format_count(value: float) -> str:
    return QLocale().toString(int(value))


def format_number(value: float, decimals: int = 1) -> str:
    return QLocale().toString(float(value), "f", decimals)


def format_duration(seconds: float) -> str:
    """A rough duration: "less than a minute", "about 3 min", "about 2 h"."""
    if seconds < 60:
        return QCoreApplication.translate("Formatting", "less than a minute")
    minutes = round(seconds / 60)
    if minutes < 90:
        return QCoreApplication.translate("Formatting", "about %n min", "", minutes)
    return QCoreApplication.translate("Formatting", "about %n h", "", round(minutes / 60))
