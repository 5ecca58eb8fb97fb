"""How times, durations and counts read in the GUI, in the interface language's locale.

Every date shows its four-digit year (a locale's short format may have two: "12/7/26"), and a
time that is not today's shows beside its date. Editors of dates use the same formats.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QCoreApplication, QDate, QDateTime, QLocale, QObject


def to_qdatetime(value: dt.datetime) -> QDateTime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return QDateTime.fromMSecsSinceEpoch(int(value.timestamp() * 1000))


def date_format(locale: QLocale | None = None) -> str:
    """The locale's short date format, with a four-digit year."""
    text = (locale or QLocale()).dateFormat(QLocale.FormatType.ShortFormat)
    if "yyyy" not in text:
        text = text.replace("yy", "yyyy")
    return text


def time_format(locale: QLocale | None = None) -> str:
    return (locale or QLocale()).timeFormat(QLocale.FormatType.ShortFormat)


def date_time_format(locale: QLocale | None = None) -> str:
    """A date and a time, as ``format_when`` writes a time that is not today's."""
    return f"{date_format(locale)} {time_format(locale)}"


def format_date(value: dt.date) -> str:
    return QLocale().toString(QDate(value.year, value.month, value.day), date_format())


def format_when(value: dt.datetime | None, now: dt.datetime | None = None) -> str:
    """A time of today as its clock time, another day's with its date before it; "—" when there is none."""
    if value is None:
        return "—"
    locale = QLocale()
    local = to_qdatetime(value).toLocalTime()
    today = to_qdatetime(now or dt.datetime.now(dt.UTC)).toLocalTime().date()
    if local.date() == today:
        return locale.toString(local.time(), time_format(locale))
    return locale.toString(local, date_time_format(locale))


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
        return Formatting().about_minutes(minutes)
    return Formatting().about_hours(round(minutes / 60))


class Formatting(QObject):
    """The translation context of the counted durations: lupdate before PySide6 6.12 reads the count
    of ``self.tr`` but not of ``QCoreApplication.translate``, and would find no plural forms."""

    def about_minutes(self, minutes: int) -> str:
        return self.tr("about %n min", "", minutes)

    def about_hours(self, hours: int) -> str:
        return self.tr("about %n h", "", hours)
