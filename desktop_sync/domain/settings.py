"""The application's settings, declared once: each key's kind, range, default and where it lives.

Engine limits live in the store (every engine on it, the GUI's and ``desktop-sync engine run``,
reads the same values when it starts); what must be known before the store opens (its location,
the log level, the language, starting minimized) lives in a small file of the user's config
directory. Never a secret in either.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any
from urllib.parse import urlsplit

from desktop_sync.domain.errors import ValidationError
from desktop_sync.domain.hosts import LEASE_SECONDS_DEFAULT, LEASE_SECONDS_MAX, LEASE_SECONDS_MIN

Value = int | float | bool | str


class Scope(enum.Enum):
    STORE = "store"  # shared by every engine on the store
    LOCAL = "local"  # this user's config file, read before the store opens


class Kind(enum.Enum):
    INTEGER = "integer"
    BOOLEAN = "boolean"
    CHOICE = "choice"
    TEXT = "text"


@dataclass(frozen=True, slots=True)
class Spec:
    key: str
    scope: Scope
    kind: Kind
    default: Value
    minimum: int | None = None
    maximum: int | None = None
    choices: tuple[str, ...] = ()
    unit: str = ""
    summary: str = ""


LOG_LEVELS = ("debug", "info", "warning", "error")
LANGUAGES = ("system", "en", "fr")

SPECS: tuple[Spec, ...] = (
    Spec("mailbox_workers", Scope.STORE, Kind.INTEGER, 8, 1, 64, summary="mailboxes synchronized at once"),
    Spec("outgoing_workers", Scope.STORE, Kind.INTEGER, 2, 1, 16, summary="mails sent at once"),
    Spec("operation_workers", Scope.STORE, Kind.INTEGER, 2, 1, 16, summary="Test & Enable and bulk jobs at once"),
    Spec("max_retries", Scope.STORE, Kind.INTEGER, 10, 1, 100, summary="tries of a transient error"),
    Spec("backoff_seconds", Scope.STORE, Kind.INTEGER, 300, 10, 86_400, unit="s", summary="wait before a retry"),
    Spec("items_per_cycle", Scope.STORE, Kind.INTEGER, 500, 10, 10_000, summary="items per mailbox per cycle"),
    Spec("attachment_limit_mb", Scope.STORE, Kind.INTEGER, 5, 1, 150, unit="MB", summary="larger: no content"),
    Spec("smart_matching", Scope.STORE, Kind.BOOLEAN, False, summary="correlate by subject and addresses"),
    Spec(
        "act_safety_percent",
        Scope.STORE,
        Kind.INTEGER,
        20,
        1,
        100,
        unit="%",
        summary="hold an ACT plan removing more than this share of the links",
    ),
    Spec(
        "act_safety_min",
        Scope.STORE,
        Kind.INTEGER,
        5,
        0,
        100_000,
        summary="... and more than this many links",
    ),
    Spec(
        "act_calendar_days_back",
        Scope.STORE,
        Kind.INTEGER,
        30,
        0,
        3650,
        unit="days",
        summary="Exchange Online: appointments synchronized from this many days back",
    ),
    Spec(
        "act_calendar_days_ahead",
        Scope.STORE,
        Kind.INTEGER,
        365,
        1,
        3650,
        unit="days",
        summary="... to this many days ahead",
    ),
    Spec(
        "lease_seconds",
        Scope.STORE,
        Kind.INTEGER,
        LEASE_SECONDS_DEFAULT,
        LEASE_SECONDS_MIN,
        LEASE_SECONDS_MAX,
        unit="s",
        summary="engines on PostgreSQL: a dead engine's mailboxes are taken over within this time",
    ),
    Spec("store", Scope.LOCAL, Kind.TEXT, "", summary="database URL or SQLite path; empty: the embedded file"),
    Spec("log_level", Scope.LOCAL, Kind.CHOICE, "info", choices=LOG_LEVELS),
    Spec("language", Scope.LOCAL, Kind.CHOICE, "system", choices=LANGUAGES),
    Spec("start_minimized", Scope.LOCAL, Kind.BOOLEAN, False, summary="start in the tray"),
)
SPEC_BY_KEY = {spec.key: spec for spec in SPECS}
_TRUE = ("true", "yes", "on", "1")
_FALSE = ("false", "no", "off", "0")


@dataclass(frozen=True, slots=True)
class EngineLimits:
    """The engine's limits as the store keeps them (mapped onto EngineSettings by the settings service)."""

    mailbox_workers: int = 8
    outgoing_workers: int = 2
    operation_workers: int = 2
    max_retries: int = 10
    backoff_seconds: int = 300
    items_per_cycle: int = 500
    attachment_limit_mb: int = 5
    smart_matching: bool = False
    act_safety_percent: int = 20
    act_safety_min: int = 5
    act_calendar_days_back: int = 30
    act_calendar_days_ahead: int = 365
    lease_seconds: int = LEASE_SECONDS_DEFAULT


@dataclass(frozen=True, slots=True)
class LocalSettings:
    """What the application needs before the store opens."""

    store: str = ""
    log_level: str = "info"
    language: str = "system"
    start_minimized: bool = False


def spec(key: str) -> Spec:
    found = SPEC_BY_KEY.get(key)
    if found is None:
        raise ValidationError.single("key", f"{key!r} is not a setting (one of: {', '.join(SPEC_BY_KEY)})")
    return found


def check(key: str, value: object) -> Value:
    """``value`` (typed, or text as typed on a command line) made the setting's type; else ValidationError."""
    wanted = spec(key)
    if wanted.kind is Kind.BOOLEAN:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ValidationError.single(key, f"{value!r} is not true or false")
    if wanted.kind is Kind.INTEGER:
        if isinstance(value, bool):
            raise ValidationError.single(key, f"{value!r} is not a whole number")
        try:
            number = value if isinstance(value, int) else int(str(value).strip())
        except ValueError:
            raise ValidationError.single(key, f"{value!r} is not a whole number") from None
        assert wanted.minimum is not None and wanted.maximum is not None
        if not wanted.minimum <= number <= wanted.maximum:
            unit = f" {wanted.unit}" if wanted.unit else ""
            raise ValidationError.single(
                key,
                f"{number}{unit} is outside {wanted.minimum}-{wanted.maximum}{unit} (default {wanted.default})",
            )
        return number
    text = str(value).strip()
    if wanted.kind is Kind.CHOICE:
        if text.lower() not in wanted.choices:
            raise ValidationError.single(key, f"{text!r} is not one of: {', '.join(wanted.choices)}")
        return text.lower()
    if key == "store":
        return check_store_location(text)
    return text


def check_store_location(text: str) -> str:
    """A database URL or a SQLite file path, with no password in it (the settings file is not a keyring)."""
    if not text:
        return ""
    if "://" not in text:
        return text
    parts = urlsplit(text)
    scheme = parts.scheme.split("+", 1)[0].lower()
    if scheme not in ("sqlite", "postgresql", "postgres"):
        raise ValidationError.single("store", f"{parts.scheme!r} databases are not supported; use sqlite or postgresql")
    try:
        password = parts.password
    except ValueError:
        password = None
    if password:
        raise ValidationError.single(
            "store", "no password in the store location: give it to PostgreSQL in ~/.pgpass or $PGPASSWORD"
        )
    return text


def check_all(values: Mapping[str, object]) -> dict[str, Value]:
    """Every value checked; all the problems at once, keyed by setting."""
    checked: dict[str, Value] = {}
    problems: dict[str, str] = {}
    for key, value in values.items():
        try:
            checked[key] = check(key, value)
        except ValidationError as exc:
            problems.update(exc.errors)
    if problems:
        raise ValidationError(problems)
    return checked


def _tolerant(cls: type[Any], values: Mapping[str, object]) -> Any:
    """Stored values, each checked; a value that no longer fits (an old version's) falls back to its default."""
    kept: dict[str, Any] = {}
    for field in fields(cls):
        if field.name in values:
            try:
                kept[field.name] = check(field.name, values[field.name])
            except ValidationError:
                continue
    return cls(**kept)


def limits_from(values: Mapping[str, object]) -> EngineLimits:
    limits: EngineLimits = _tolerant(EngineLimits, values)
    return limits


def local_from(values: Mapping[str, object]) -> LocalSettings:
    local: LocalSettings = _tolerant(LocalSettings, values)
    return local


def as_values(settings: EngineLimits | LocalSettings) -> dict[str, Value]:
    values: dict[str, Value] = asdict(settings)
    return values


def show(value: Value) -> str:
    """A value as the command line prints and takes it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
