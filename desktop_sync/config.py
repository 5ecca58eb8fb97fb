"""The settings file read before the store opens: ``settings.json`` in the user config directory.

It holds what must be known first (the store's location, the log level, the language, starting
minimized) and never a secret. An unreadable file is reported and the defaults apply; a save
replaces the file atomically.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import platformdirs

from desktop_sync.domain.errors import DesktopSyncError
from desktop_sync.domain.settings import LocalSettings, local_from
from desktop_sync.private_files import private_directory

APP_NAME = "desktop-sync"
STORE_ENV = "DESKTOP_SYNC_DB"
log = logging.getLogger("desktop_sync.config")


def config_directory() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


class ConfigFile:
    def __init__(self, path: Path | None = None):
        self.path = path or config_directory() / "settings.json"

    @property
    def location(self) -> str:
        return str(self.path)

    def load(self) -> dict[str, Any]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        except OSError as exc:
            log.warning("cannot read %s (%s); the default settings apply", self.path, exc)
            return {}
        try:
            values = json.loads(text)
        except ValueError as exc:
            log.warning("%s is not valid JSON (%s); the default settings apply", self.path, exc)
            return {}
        return values if isinstance(values, dict) else {}

    def save(self, values: Mapping[str, Any]) -> None:
        try:
            private_directory(self.path.parent, narrow=self.path.parent == config_directory())
            # mkstemp makes the file 0600, and the replace keeps that mode
            handle, temporary = tempfile.mkstemp(prefix=".settings-", dir=self.path.parent)
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(dict(values), out, indent=2, sort_keys=True)
                out.write("\n")
            os.replace(temporary, self.path)
        except OSError as exc:
            raise DesktopSyncError(
                f"cannot write the settings file {self.path}: {exc}", code="config_unwritable"
            ) from exc


def local_settings(config: ConfigFile | None = None) -> LocalSettings:
    return local_from((config or ConfigFile()).load())


def store_named_by(db: str | None, settings: LocalSettings) -> str | None:
    """What named the store, as the user wrote it (``--db``, ``$DESKTOP_SYNC_DB``, the settings file's
    ``store``); None for the default location, the only one that creates itself."""
    if db:
        return "--db"
    if os.environ.get(STORE_ENV):
        return "$" + STORE_ENV
    return "store (settings file)" if settings.store else None


def store_location(db: str | None, settings: LocalSettings) -> str | None:
    """The store to open: ``--db``, then $DESKTOP_SYNC_DB, then the settings file's, else None (embedded)."""
    if db:
        return db
    if os.environ.get(STORE_ENV):
        return None  # open_store reads it
    return settings.store or None
