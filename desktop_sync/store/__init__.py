"""The CRM store: SQLAlchemy models, repositories and Alembic migrations.

The only package that imports SQLAlchemy. ``open_store`` upgrades the schema and returns a store
whose transactions hand out repositories of domain value objects.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from desktop_sync.store.database import (
    StoreUnavailable,
    default_database_path,
    describe,
    make_async_engine,
    resolve_url,
    upgrade_schema,
)
from desktop_sync.store.repositories import SqlAlerts, SqlMailboxes, SqlProfiles, SqlQueues, SqlUsers

__all__ = ["SqlStore", "SqlTransaction", "StoreUnavailable", "default_database_path", "open_store"]


class SqlTransaction:
    """One unit of work over one session."""

    def __init__(self, session: AsyncSession):
        self.session = session
        self.profiles = SqlProfiles(session)
        self.users = SqlUsers(session)
        self.queues = SqlQueues(session)
        self.mailboxes = SqlMailboxes(session)
        self.alerts = SqlAlerts(session)


class SqlStore:
    def __init__(self, engine: AsyncEngine, label: str):
        self._engine = engine
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)
        self._label = label

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

    async def close(self) -> None:
        await self._engine.dispose()


def open_store(url: str | None = None) -> SqlStore:
    """Open the store named by ``url`` (or $DESKTOP_SYNC_DB, or the embedded SQLite file).

    Upgrades the schema first; raises StoreUnavailable with a readable reason when it cannot.
    """
    resolved = resolve_url(url)
    upgrade_schema(resolved)
    return SqlStore(make_async_engine(resolved), describe(resolved))
