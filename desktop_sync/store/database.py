"""Where the store lives and how to reach it: URL resolution, engines, schema upgrades.

SQLite by default (a file in the user data dir, WAL, foreign keys on); PostgreSQL by URL.
The schema is upgraded with Alembic whenever the store is opened.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import platformdirs
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from desktop_sync.domain.errors import DesktopSyncError, PermanentError
from desktop_sync.private_files import private_directory, private_file

log = logging.getLogger("desktop_sync.store")

ENV_VAR = "DESKTOP_SYNC_DB"
APP_NAME = "desktop-sync"
MIGRATIONS = Path(__file__).with_name("migrations")


class StoreUnavailable(PermanentError):
    code = "store_unavailable"


class StoreMissing(StoreUnavailable):
    """An SQLite store named explicitly does not exist, and was not asked to be created."""

    code = "store_missing"

    def __init__(self, path: Path):
        super().__init__(f"no store at {path}")
        self.path = path


def default_database_path() -> Path:
    """The embedded SQLite file, in the user's data directory."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "desktop-sync.sqlite3"


def resolve_url(url: str | None) -> URL:
    """The store URL: ``--db`` first, then $DESKTOP_SYNC_DB, then the embedded SQLite file.

    Plain file paths are accepted as SQLite files; ``postgresql://`` and ``postgres://`` use psycopg.
    """
    raw = url or os.environ.get(ENV_VAR) or ""
    if not raw:
        path = default_database_path()
        return URL.create("sqlite", database=str(path))
    if "://" not in raw:
        return URL.create("sqlite", database=str(Path(raw).expanduser().resolve()))
    try:
        parsed = make_url(raw)
    except ArgumentError as exc:
        raise DesktopSyncError(f"--db: not a database URL: {exc}", code="bad_db_url") from exc
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return parsed.set(drivername="sqlite")
    if backend in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+psycopg")
    raise DesktopSyncError(
        f"--db: unsupported database {backend!r}; use sqlite:///PATH or postgresql://USER@HOST/DB",
        code="bad_db_url",
    )


def describe(url: URL) -> str:
    """A label for the store that is safe to show and log: never the password."""
    if url.get_backend_name() == "sqlite":
        return f"SQLite: {url.database or ':memory:'}"
    return "PostgreSQL: " + url.set(drivername="postgresql").render_as_string(hide_password=True)


def is_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite"


def sqlite_file(url: URL) -> Path | None:
    """The file of an SQLite store; None for PostgreSQL and in-memory SQLite."""
    if not is_sqlite(url) or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_sync_engine(url: URL) -> Engine:
    if is_sqlite(url):
        _ensure_sqlite_dir(url)
        engine = create_engine(url, poolclass=NullPool, hide_parameters=True)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, poolclass=NullPool, hide_parameters=True, connect_args={"connect_timeout": 10})


def make_async_engine(url: URL) -> AsyncEngine:
    if is_sqlite(url):
        _ensure_sqlite_dir(url)
        engine = create_async_engine(url.set(drivername="sqlite+aiosqlite"), hide_parameters=True)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    # hide_parameters: SQL parameters (mail bodies, addresses) never reach a log or an error text
    return create_async_engine(url, pool_pre_ping=True, hide_parameters=True, connect_args={"connect_timeout": 10})


def _ensure_sqlite_dir(url: URL) -> None:
    """The store's directory 0700 and its file 0600 before SQLite creates it with the umask's mode
    (SQLite gives its -wal and -shm files the database file's mode)."""
    if url.database and url.database != ":memory:" and not url.database.startswith("file:"):
        path = Path(url.database)
        default = path == default_database_path()
        # An existing folder or file the admin chose (--db) keeps its mode; ours are narrowed.
        private_directory(path.parent, narrow=default)
        private_file(path, narrow=default)


def alembic_config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def upgrade_schema(url: URL) -> None:
    """Bring the schema to the newest revision; a no-op when it is already there.

    Alembic's own INFO lines ("Context impl SQLiteImpl.", "Running upgrade ...") are kept out of the
    output: the store logs one line of its own instead.
    """
    engine = make_sync_engine(url)
    try:
        with engine.begin() as connection, _alembic_quiet():
            current = MigrationContext.configure(connection).get_current_revision()
            head = ScriptDirectory.from_config(alembic_config()).get_current_head()
            if current != head:
                log.info("upgrading store schema from %s to %s", current, head)
                command.upgrade(alembic_config(connection), "head")
    except (OperationalError, DBAPIError) as exc:
        raise StoreUnavailable(f"cannot open the store ({describe(url)}): {_first_line(exc)}") from exc
    finally:
        engine.dispose()


@contextlib.contextmanager
def _alembic_quiet() -> Iterator[None]:
    """Alembic's loggers at WARNING while it runs, whatever the root logger's level."""
    alembic_log = logging.getLogger("alembic")
    before = alembic_log.level
    alembic_log.setLevel(logging.WARNING)
    try:
        yield
    finally:
        alembic_log.setLevel(before)


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc)
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__
