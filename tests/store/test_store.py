"""The store on SQLite and PostgreSQL: schema upgrades, round trips, and the rules the database keeps."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from desktop_sync.domain.errors import ValidationError
from desktop_sync.domain.mailbox_state import advance_import, end_import
from desktop_sync.domain.messages import LEGACY_TEXT
from desktop_sync.domain.model import (
    Alert,
    AlertScope,
    ApprovalState,
    ChannelState,
    ConnectionTestStatus,
    Endpoint,
    Mailbox,
    Profile,
    ProfileKind,
    Security,
    Severity,
    SyncMethod,
    SyncStatus,
    User,
)
from desktop_sync.store import SqlStore, open_store
from desktop_sync.store.database import make_sync_engine, resolve_url
from desktop_sync.store.models import Base

EXPECTED_TABLES = {
    "users",
    "queues",
    "contacts",
    "accounts",
    "leads",
    "email_server_profiles",
    "mailboxes",
    "email_activities",
    "activity_parties",
    "attachments",
    "appointments",
    "tasks",
    "server_cursors",
    "item_links",
    "alerts",
    "failed_items",
    "counters",
    "alembic_version",
}


def profile(name: str = "Corp") -> Profile:
    return Profile(
        name=name,
        kind=ProfileKind.IMAP,
        incoming=Endpoint("imap.example.test", 993, Security.TLS),
        outgoing=Endpoint("smtp.example.test", 587, Security.STARTTLS),
        process_email_from=dt.datetime(2026, 3, 1, 8, 30, tzinfo=dt.UTC),
    )


def test_opening_upgrades_the_schema_to_every_table(store: SqlStore, store_url: str) -> None:
    engine = make_sync_engine(resolve_url(store_url))
    try:
        assert set(inspect(engine).get_table_names()) >= EXPECTED_TABLES
    finally:
        engine.dispose()


def test_opening_twice_is_harmless(store: SqlStore, store_url: str) -> None:
    again = open_store(store_url)
    asyncio.run(again.close())


def test_migrations_match_the_models(store: SqlStore, store_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    engine = make_sync_engine(resolve_url(store_url))
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()


def test_profile_round_trip_keeps_every_field_and_aware_times(store: SqlStore) -> None:
    async def scenario() -> tuple[Profile, Profile | None]:
        async with store.transaction() as tx:
            added = await tx.profiles.add(profile())
        async with store.transaction() as tx:
            return added, await tx.profiles.by_name("Corp")

    added, loaded = asyncio.run(scenario())
    assert loaded == added
    assert loaded is not None and loaded.process_email_from is not None
    assert loaded.process_email_from.utcoffset() == dt.timedelta(0)


def test_mailbox_channels_round_trip(store: SqlStore) -> None:
    tested = dt.datetime(2026, 11, 2, tzinfo=dt.UTC)

    async def scenario() -> tuple[Mailbox, Mailbox | None]:
        async with store.transaction() as tx:
            p = await tx.profiles.add(profile())
            assert p.id is not None
            mailbox = Mailbox(
                address="alice@example.test",
                profile_id=p.id,
                approval=ApprovalState.APPROVED,
                incoming=ChannelState(SyncMethod.SERVER_SIDE, True, ConnectionTestStatus.SUCCESS, None, tested),
                outgoing=ChannelState(
                    SyncMethod.SERVER_SIDE, False, ConnectionTestStatus.FAILURE, "authenticate", tested
                ),
            )
            added = await tx.mailboxes.add(mailbox)
        async with store.transaction() as tx:
            return added, await tx.mailboxes.by_address("ALICE@example.test")

    added, loaded = asyncio.run(scenario())
    assert loaded == added
    assert loaded is not None and loaded.outgoing.failed_step == "authenticate"


def test_an_imports_progress_round_trips_with_the_status_and_is_cleared(store: SqlStore) -> None:
    at = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)

    async def scenario() -> tuple[SyncStatus, SyncStatus, SyncStatus]:
        async with store.transaction() as tx:
            p = await tx.profiles.add(profile())
            assert p.id is not None
            m = await tx.mailboxes.add(Mailbox(address="big@example.test", profile_id=p.id))
            assert m.id is not None
            first = advance_import(SyncStatus(m.id, items_synced=1_000), 1_000, 12_000, at)
            await tx.status.save(advance_import(first, 2_000, 12_000, at + dt.timedelta(seconds=90)))
        async with store.transaction() as tx:
            saved = await tx.status.get(m.id)
            await tx.status.save(end_import(saved))
        async with store.transaction() as tx:
            ended = await tx.status.get(m.id)
            [listed] = await tx.status.list()
        return saved, ended, listed

    saved, ended, listed = asyncio.run(scenario())
    assert (saved.import_done, saved.import_total, saved.import_base) == (2_000, 12_000, 1_000)
    assert saved.import_started_at == at and saved.import_started_at.tzinfo is not None
    assert saved.import_eta_at == at + dt.timedelta(seconds=90) + dt.timedelta(seconds=(12_000 - 2_000) * 90 / 1_000)
    assert ended == listed == end_import(saved)
    assert (ended.import_done, ended.import_total, ended.import_eta_at) == (None, None, None)


def test_a_failed_transaction_writes_nothing(store: SqlStore) -> None:
    async def scenario() -> int:
        with pytest.raises(RuntimeError):
            async with store.transaction() as tx:
                await tx.profiles.add(profile())
                raise RuntimeError("boom")
        async with store.transaction() as tx:
            return len(await tx.profiles.list())

    assert asyncio.run(scenario()) == 0


def test_the_database_keeps_a_user_to_one_mailbox(store: SqlStore) -> None:
    async def scenario() -> None:
        async with store.transaction() as tx:
            p = await tx.profiles.add(profile())
            user = await tx.users.add(User(email="alice@example.test", name="Alice"))
            assert p.id is not None
            await tx.mailboxes.add(Mailbox(address="a@example.test", profile_id=p.id, user_id=user.id))
        async with store.transaction() as tx:
            assert p.id is not None
            await tx.mailboxes.add(Mailbox(address="b@example.test", profile_id=p.id, user_id=user.id))

    with pytest.raises(ValidationError):
        asyncio.run(scenario())


def test_duplicate_profile_names_are_refused(store: SqlStore) -> None:
    async def scenario() -> None:
        async with store.transaction() as tx:
            await tx.profiles.add(profile())
        async with store.transaction() as tx:
            await tx.profiles.add(dataclasses.replace(profile(), incoming=Endpoint("other.test", 993, Security.TLS)))

    with pytest.raises(ValidationError) as info:
        asyncio.run(scenario())
    assert "name" in info.value.errors


def test_foreign_keys_are_enforced(store: SqlStore, store_url: str) -> None:
    engine = make_sync_engine(resolve_url(store_url))
    try:
        with pytest.raises(IntegrityError), engine.begin() as connection:
            connection.execute(
                text("INSERT INTO activity_parties (activity_id, role, address) VALUES (999, 'to', 'x@example.test')")
            )
    finally:
        engine.dispose()


def test_alerts_list_newest_first_and_by_mailbox(store: SqlStore) -> None:
    async def scenario() -> tuple[list[str], list[str]]:
        async with store.transaction() as tx:
            p = await tx.profiles.add(profile())
            assert p.id is not None
            m = await tx.mailboxes.add(Mailbox(address="a@example.test", profile_id=p.id))
            for n, mailbox_id in enumerate([None, m.id, None]):
                await tx.alerts.add(
                    Alert(
                        Severity.WARNING,
                        AlertScope.MAILBOX,
                        f"c{n}",
                        {"title": f"t{n}", "cause": "cause", "fix": "fix"},
                        says=LEGACY_TEXT,
                        mailbox_id=mailbox_id,
                        created_at=dt.datetime(2026, 1, 1 + n, tzinfo=dt.UTC),
                    )
                )
        async with store.transaction() as tx:
            everything = [a.code for a in await tx.alerts.list()]
            assert m.id is not None
            mine = [a.code for a in await tx.alerts.list(mailbox_id=m.id)]
        return everything, mine

    assert asyncio.run(scenario()) == (["c2", "c1", "c0"], ["c1"])


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: object) -> None:
    url = f"sqlite:///{tmp_path}/wal.sqlite3"
    asyncio.run(open_store(url).close())
    engine = make_sync_engine(resolve_url(url))
    try:
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    finally:
        engine.dispose()


def test_urls_resolve_to_the_right_drivers(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    monkeypatch.delenv("DESKTOP_SYNC_DB", raising=False)
    assert resolve_url(None).get_backend_name() == "sqlite"
    assert str(resolve_url(None).database).endswith("desktop-sync.sqlite3")
    assert resolve_url("postgresql://crm@127.0.0.1/crm").drivername == "postgresql+psycopg"
    assert resolve_url("postgres://crm@127.0.0.1/crm").drivername == "postgresql+psycopg"
    monkeypatch.setenv("DESKTOP_SYNC_DB", f"sqlite:///{tmp_path}/env.sqlite3")
    assert resolve_url(None).database == f"{tmp_path}/env.sqlite3"


def test_an_unreachable_store_is_a_clear_error() -> None:
    from desktop_sync.store import StoreUnavailable

    with pytest.raises(StoreUnavailable) as info:
        open_store("postgresql://crm:hunter22@127.0.0.1:1/nothing")
    assert "hunter22" not in str(info.value)
    assert "127.0.0.1:1" in str(info.value)


def _seed_regarding_records(store_url: str) -> None:
    engine = make_sync_engine(resolve_url(store_url))
    try:
        with engine.begin() as connection:
            for name, email in (("Contoso", "info@contoso.test"), ("100% Fabrikam_", None), ("Northwind", None)):
                connection.execute(
                    text("INSERT INTO accounts (name, email, created_at) VALUES (:n, :e, CURRENT_TIMESTAMP)"),
                    {"n": name, "e": email},
                )
            connection.execute(
                text(
                    "INSERT INTO contacts (full_name, email, created_from_email, modified_at) VALUES "
                    "('Marc Lefevre', 'marc@contoso.test', false, CURRENT_TIMESTAMP)"
                )
            )
            connection.execute(
                text(
                    "INSERT INTO leads (full_name, email, company, created_at) VALUES "
                    "('Ann Contos', 'ann@lead.test', 'Lead Inc', CURRENT_TIMESTAMP)"
                )
            )
    finally:
        engine.dispose()


def test_regarding_records_are_searched_by_name_or_email_any_case(store: SqlStore, store_url: str) -> None:
    from desktop_sync.domain.folders import REGARDING_TYPES
    from desktop_sync.domain.model import RecordType

    _seed_regarding_records(store_url)

    async def search(words: str, limit: int = 20) -> list[tuple[str, str]]:
        async with store.transaction() as tx:
            found = await tx.records.search(words, REGARDING_TYPES, limit)
        return [(c.record_type.value, c.name) for c in found]

    async def scenario() -> None:
        # names that start with the words first, then the others by name
        assert await search("CONTO") == [("account", "Contoso"), ("lead", "Ann Contos"), ("contact", "Marc Lefevre")]
        assert await search("contoso", limit=1) == [("account", "Contoso")]
        assert await search("%") == [("account", "100% Fabrikam_")]  # wildcards are plain characters
        assert await search("_") == [("account", "100% Fabrikam_")]
        assert await search("   ") == []
        async with store.transaction() as tx:
            ids = {c.name: c.record_id for c in await tx.records.search("o", REGARDING_TYPES, 20)}
            named = await tx.records.choices([(RecordType.ACCOUNT, ids["Contoso"]), (RecordType.LEAD, 999_999)])
        assert [(c.name, c.email) for c in named.values()] == [("Contoso", "info@contoso.test")]

    asyncio.run(scenario())


def test_any_search_text_finds_only_records_that_contain_it(tmp_path: object) -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from desktop_sync.domain.folders import REGARDING_TYPES

    url = f"sqlite:///{tmp_path}/search.sqlite3"
    opened = open_store(url)
    _seed_regarding_records(url)
    loop = asyncio.new_event_loop()

    @settings(max_examples=1000, deadline=None)
    @given(st.text(max_size=30))
    def check(words: str) -> None:
        async def search() -> list[tuple[str, str | None]]:
            async with opened.transaction() as tx:
                return [(c.name, c.email) for c in await tx.records.search(words, REGARDING_TYPES, 20)]

        for name, email in loop.run_until_complete(search()):
            wanted = words.replace("\x00", "").strip().lower()
            assert wanted in name.lower() or wanted in (email or "").lower()

    try:
        check()
    finally:
        loop.run_until_complete(opened.close())
        loop.close()
