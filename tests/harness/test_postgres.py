"""The PostgreSQL fixture: SQLAlchemy with psycopg (sync and async) connects, and every database starts empty."""

from collections.abc import Callable

import pytest
import sqlalchemy
from servers.postgres import PostgresServer
from sqlalchemy.ext.asyncio import create_async_engine

pytestmark = pytest.mark.postgres


def test_sqlalchemy_connects_with_psycopg(pg_url: str) -> None:
    assert pg_url.startswith("postgresql+psycopg://")
    engine = sqlalchemy.create_engine(pg_url)
    try:
        with engine.connect() as connection:
            assert connection.scalar(sqlalchemy.text("SHOW server_encoding")) == "UTF8"
            assert connection.scalar(sqlalchemy.text("SELECT current_database()")).startswith("test_")
            tables = connection.scalar(
                sqlalchemy.text("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")
            )
            assert tables == 0
    finally:
        engine.dispose()


def test_databases_are_independent(pg_url: str, pg_database_factory: Callable[[], str]) -> None:
    other_url = pg_database_factory()
    assert other_url != pg_url
    first, second = sqlalchemy.create_engine(pg_url), sqlalchemy.create_engine(other_url)
    try:
        with first.begin() as connection:
            connection.execute(sqlalchemy.text("CREATE TABLE contact (name text)"))
            connection.execute(sqlalchemy.text("INSERT INTO contact VALUES ('Carol')"))
        with second.connect() as connection:
            assert not sqlalchemy.inspect(connection).has_table("contact")
        with first.connect() as connection:
            assert connection.scalar(sqlalchemy.text("SELECT name FROM contact")) == "Carol"
    finally:
        first.dispose()
        second.dispose()


def test_wrong_password_is_refused(postgres: PostgresServer) -> None:
    url = postgres.url().replace(postgres.password, "wrong-password")
    engine = sqlalchemy.create_engine(url)
    try:
        with pytest.raises(sqlalchemy.exc.OperationalError, match="password authentication failed"):
            engine.connect()
    finally:
        engine.dispose()


@pytest.mark.asyncio
async def test_async_psycopg_through_sqlalchemy(pg_url: str) -> None:
    engine = create_async_engine(pg_url)
    try:
        async with engine.connect() as connection:
            assert await connection.scalar(sqlalchemy.text("SELECT 41 + 1")) == 42
    finally:
        await engine.dispose()
