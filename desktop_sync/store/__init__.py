"""The CRM store: SQLAlchemy models, repositories and Alembic migrations.

The only package that imports SQLAlchemy. ``open_store`` upgrades the schema and returns a store
whose transactions hand out repositories of domain value objects.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import psycopg
from psycopg import sql
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from desktop_sync.domain.errors import PermanentError
from desktop_sync.domain.model import MailboxId
from desktop_sync.private_files import private_file
from desktop_sync.store.act_repository import SqlActHolds, SqlActLinks, SqlConflicts, SqlCrmRecords
from desktop_sync.store.activity_repository import SqlActivities
from desktop_sync.store.alert_repository import SqlAlerts
from desktop_sync.store.counter_repository import SqlCounters
from desktop_sync.store.cursor_repository import SqlCursors
from desktop_sync.store.database import (
    StoreMissing,
    StoreUnavailable,
    default_database_path,
    describe,
    make_async_engine,
    resolve_url,
    sqlite_file,
    upgrade_schema,
)
from desktop_sync.store.failed_item_repository import SqlFailedItems
from desktop_sync.store.filter_repository import SqlSyncFilters
from desktop_sync.store.folder_repository import SqlTrackedFolders
from desktop_sync.store.lease_repository import SqlLeases
from desktop_sync.store.mailbox_repository import SqlMailboxes
from desktop_sync.store.outgoing_repository import SqlOutgoing
from desktop_sync.store.profile_repository import SqlProfiles
from desktop_sync.store.queue_repository import SqlQueues
from desktop_sync.store.record_repository import SqlRecords
from desktop_sync.store.settings_repository import SqlAppSettings
from desktop_sync.store.slot_repository import SqlSlots
from desktop_sync.store.status_repository import SYNC_NOW_CHANNEL, SqlStatus
from desktop_sync.store.user_repository import SqlUsers

__all__ = [
    "EngineAlreadyRunning",
    "SqlStore",
    "SqlTransaction",
    "StoreMissing",
    "StoreUnavailable",
    "default_database_path",
    "open_store",
    "store_file",
]


class EngineAlreadyRunning(PermanentError):
    code = "engine_already_running"


class SqlTransaction:
    """One unit of work over one session."""

    def __init__(self, session: AsyncSession):
        self.session = session
        self.profiles = SqlProfiles(session)
        self.users = SqlUsers(session)
        self.queues = SqlQueues(session)
        self.mailboxes = SqlMailboxes(session)
        self.alerts = SqlAlerts(session)
        self.status = SqlStatus(session)
        self.cursors = SqlCursors(session)
        self.activities = SqlActivities(session)
        self.failed_items = SqlFailedItems(session)
        self.counters = SqlCounters(session)
        self.leases = SqlLeases(session)
        self.slots = SqlSlots(session)
        self.records = SqlRecords(session)
        self.outgoing = SqlOutgoing(session)
        self.sync_filters = SqlSyncFilters(session)
        self.tracked_folders = SqlTrackedFolders(session)
        self.crm = SqlCrmRecords(session)
        self.act_links = SqlActLinks(session)
        self.conflicts = SqlConflicts(session)
        self.act_holds = SqlActHolds(session)
        self.app_settings = SqlAppSettings(session)


class SqlStore:
    def __init__(self, engine: AsyncEngine, label: str, sqlite_path: str | None = None):
        self._engine = engine
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)
        self._label = label
        self._sqlite_path = sqlite_path

    @property
    def shared(self) -> bool:
        return self._engine.dialect.name != "sqlite"

    @contextlib.contextmanager
    def single_engine_lock(self) -> Iterator[None]:
        """On SQLite, an exclusive lock file beside the database; the OS frees it if we die."""
        if self._sqlite_path is None:
            yield
            return
        lock_path = private_file(Path(self._sqlite_path + ".engine.lock"))
        handle = open(lock_path, "a+")  # noqa: SIM115 - held for the whole block
        try:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as exc:
                handle.seek(0)
                holder = handle.read().strip() or "another process"
                raise EngineAlreadyRunning(
                    f"another engine ({holder}) is already running on {self._label}; an embedded SQLite "
                    "store takes one engine. Stop the other one, or use PostgreSQL to run several."
                ) from exc
            handle.seek(0)
            handle.truncate()
            handle.write(f"pid {os.getpid()}")
            handle.flush()
            yield
        finally:
            handle.close()  # releases the lock

    def engine_lock_held(self) -> bool:
        """Probe the lock file without taking it for long: a shared lock is refused while an engine
        holds it (the OS frees it when that engine dies, even by SIGKILL)."""
        if self._sqlite_path is None:
            return False
        try:
            fd = os.open(self._sqlite_path + ".engine.lock", os.O_RDONLY)
        except FileNotFoundError:
            return False  # no engine ever ran on this store
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        else:
            fcntl.flock(fd, fcntl.LOCK_UN)
            return False
        finally:
            os.close(fd)

    @property
    def label(self) -> str:
        return self._label

    @property
    def dialect(self) -> str:
        return self._engine.dialect.name

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[SqlTransaction]:
        try:
            async with self._sessions() as session, session.begin():
                yield SqlTransaction(session)
        except (OperationalError, DBAPIError) as exc:
            raise StoreUnavailable(f"the store ({self._label}) failed: {str(exc.orig).strip()}") from exc

    async def sync_requests(self) -> AsyncIterator[MailboxId]:
        """Mailboxes asked to sync now, as they are asked, from any process (PostgreSQL LISTEN on its
        own connection); on SQLite nothing: its one engine looks at the requests every 2 seconds."""
        if not self.shared:
            return
        conninfo = self._engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        try:
            async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True, connect_timeout=10) as conn:
                await conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(SYNC_NOW_CHANNEL)))
                async for notice in conn.notifies():
                    if notice.payload.isdigit():
                        yield MailboxId(int(notice.payload))
        except psycopg.Error as exc:
            raise StoreUnavailable(f"the store ({self._label}) failed: {str(exc).strip()}") from exc

    async def close(self) -> None:
        await self._engine.dispose()


def store_file(url: str | None = None) -> Path | None:
    """The file of the SQLite store ``url`` names (as open_store resolves it); None for PostgreSQL."""
    return sqlite_file(resolve_url(url))


def open_store(url: str | None = None, *, create: bool = True) -> SqlStore:
    """Open the store named by ``url`` (or $DESKTOP_SYNC_DB, or the embedded SQLite file).

    Upgrades the schema first; raises StoreUnavailable with a readable reason when it cannot. With
    ``create=False`` an SQLite file that does not exist is not created: StoreMissing names it.
    """
    resolved = resolve_url(url)
    path = sqlite_file(resolved)
    if not create and path is not None and not path.exists():
        raise StoreMissing(path)
    upgrade_schema(resolved)
    sqlite_path = resolved.database if resolved.get_backend_name() == "sqlite" else None
    return SqlStore(make_async_engine(resolved), describe(resolved), sqlite_path)
