"""Alerts in the store as a code and its facts: stores made before (revision 0011, alerts stored as
English sentences) are migrated and still show every old alert as it was written; facts of any
shape round-trip; on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import random

from alembic import command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from desktop_sync.domain.messages import LEGACY_TEXT, explain
from desktop_sync.domain.model import Alert, AlertScope, Severity
from desktop_sync.store import SqlStore, open_store
from desktop_sync.store.alert_repository import facts_from_json
from desktop_sync.store.database import alembic_config, make_sync_engine, resolve_url

# What old alerts held: the engine's sentences, and whatever a server put in them.
PIECES = [
    "imap.example.test:993", "did not accept", "{address}", "{{", "}", "%s", "l'adresse", "naïve", "日本語",
    "\n", "\t", ": ", '"quoted"', "\\", "O'Neil", "😀", "\u200b", "<b>", "&amp;", "", "x" * 300,
]  # fmt: skip


def sentences(count: int, seed: int = 13) -> list[tuple[str, str, str, str]]:
    """``count`` generated (code, title, cause, fix), the same on every run."""
    rng = random.Random(seed)

    def sentence(longest: int) -> str:
        return "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 8)))[:longest]

    codes = ["auth_failed", "timeout", "act_safety_stop", "no_such_code", ""]
    return [(rng.choice(codes), sentence(300), sentence(4000), sentence(4000)) for _ in range(count)]


def _store_at_0011_with_alerts(url: str, old: list[tuple[str, str, str, str]]) -> None:
    engine = make_sync_engine(resolve_url(url))
    try:
        with engine.begin() as connection:
            command.upgrade(alembic_config(connection), "0011")
            connection.execute(
                text(
                    "INSERT INTO alerts (severity, scope, code, title, cause, fix, created_at) "
                    "VALUES ('warning', 'mailbox', :code, :title, :cause, :fix, :created_at)"
                ),
                [
                    {"code": c, "title": t, "cause": ca, "fix": f, "created_at": dt.datetime(2026, 1, 1, tzinfo=dt.UTC)}
                    for c, t, ca, f in old
                ],
            )
    finally:
        engine.dispose()


def _alerts(store: SqlStore) -> list[Alert]:
    async def read() -> list[Alert]:
        async with store.transaction() as tx:
            return list(await tx.alerts.list(include_cleared=True))

    return asyncio.run(read())


def test_old_alerts_are_migrated_and_show_their_sentences(store_url: str) -> None:
    old = sentences(1000)
    _store_at_0011_with_alerts(store_url, old)
    store = open_store(store_url)  # upgrades to the newest revision
    try:
        alerts = sorted(_alerts(store), key=lambda a: a.id or 0)
    finally:
        asyncio.run(store.close())
    assert len(alerts) == len(old)
    for alert, (code, title, cause, fix) in zip(alerts, old, strict=True):
        assert alert.code == code and alert.says == LEGACY_TEXT
        assert (alert.title, alert.cause, alert.fix) == (title, cause, fix)


def test_a_downgrade_writes_the_sentences_back(store_url: str) -> None:
    old = sentences(50, seed=7)
    _store_at_0011_with_alerts(store_url, old)
    store = open_store(store_url)
    facts = {"address": "a@x.test", "server": "imap.x.test:993", "detail": "LOGIN failed"}
    try:

        async def add() -> None:
            async with store.transaction() as tx:
                await tx.alerts.add(Alert(Severity.ERROR, AlertScope.MAILBOX, "auth_failed", facts))

        asyncio.run(add())
    finally:
        asyncio.run(store.close())
    engine = make_sync_engine(resolve_url(store_url))
    try:
        with engine.begin() as connection:
            command.downgrade(alembic_config(connection), "0011")
            rows = connection.execute(text("SELECT code, title, cause, fix FROM alerts ORDER BY id")).all()
    finally:
        engine.dispose()
    english = explain("auth_failed", **facts)
    assert [tuple(r) for r in rows] == [*old, ("auth_failed", english.title, english.cause, english.fix)]


FACTS = st.dictionaries(
    st.text(min_size=1, max_size=20),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=200),
    max_size=6,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(facts=FACTS, code=st.sampled_from(["auth_failed", "act_safety_stop", "retries_exhausted", "unknown"]))
def test_facts_of_any_shape_round_trip_and_render(store: SqlStore, facts: dict[str, str], code: str) -> None:
    async def scenario() -> Alert:
        async with store.transaction() as tx:
            added = await tx.alerts.add(Alert(Severity.WARNING, AlertScope.ITEM, code, facts))
        async with store.transaction() as tx:
            [back] = [a for a in await tx.alerts.list() if a.id == added.id]
            return back

    back = asyncio.run(scenario())
    assert back.code == code and dict(back.facts) == facts
    assert back.explanation() == explain(code, **facts)  # never fails, whatever the facts


@settings(max_examples=2000, deadline=None)
@given(stored=st.one_of(st.text(max_size=200), FACTS.map(json.dumps), st.builds(json.dumps, st.lists(st.integers()))))
def test_stored_facts_read_back_as_names_and_strings_whatever_the_row_holds(stored: str) -> None:
    facts = facts_from_json(stored)
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in facts.items())
    Alert(Severity.WARNING, AlertScope.ITEM, "auth_failed", facts).explanation()
