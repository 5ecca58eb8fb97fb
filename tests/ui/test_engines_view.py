"""The Engines view: each engine host on a PostgreSQL store with what it holds, a lost one with the
time its mailboxes were taken over, in English and in French."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from support.engine_world import World

from desktop_sync.domain.ports.connectors import ThrottleKey
from desktop_sync.services.hosts import HostsService
from desktop_sync.store import SqlStore, open_store
from desktop_sync.ui.engines_view import EnginesPage
from tests.ui.conftest import UiWorld, save_grab

pytestmark = [pytest.mark.gui, pytest.mark.postgres]


@pytest.fixture
def hosts_store(pg_url: str, tmp_path: Path, run: Callable[[Awaitable[Any]], Any]) -> Iterator[SqlStore]:
    """Two hosts: "lisbon" alive with three mailboxes and two connections of "Service"; "oslo" lost,
    its mailbox taken over by lisbon."""
    store = open_store(pg_url)

    async def seed() -> None:
        world = World(store, tmp_path)
        await world.profile("Service", on_profile=True, max_connections=4)
        mailboxes = [await world.mailbox(f"m{n}@example.test", "Service") for n in range(3)]
        ids = [m.id for m in mailboxes if m.id is not None]
        now = dt.datetime.now(dt.UTC)
        past = now - dt.timedelta(minutes=5)
        async with store.transaction() as tx:
            await tx.leases.heartbeat("oslo:4711:1a2b3c4d", "oslo", 4711, past, past + dt.timedelta(seconds=40))
            await tx.leases.claim("oslo:4711:1a2b3c4d", past, past + dt.timedelta(seconds=40), ids, 1)
            expires = now + dt.timedelta(seconds=40)
            await tx.leases.heartbeat("lisbon:812:9f8e7d6c", "lisbon", 812, now, expires)
            await tx.leases.claim("lisbon:812:9f8e7d6c", now, expires, ids, 3)
            key = ThrottleKey("profile", mailboxes[0].profile_id)
            await tx.slots.take("lisbon:812:9f8e7d6c", key, 4, 2, now, expires)

    run(seed())
    yield store
    run(store.close())


def _page(ui: UiWorld, store: SqlStore, run: Callable[[Awaitable[Any]], Any]) -> EnginesPage:
    context = dataclasses.replace(ui.context, hosts=HostsService(store))
    page = EnginesPage(context, ui.presenter())
    page.resize(1100, 400)
    run(page.refresh())
    return page


def _rows(page: EnginesPage) -> list[list[str]]:
    model = page.model
    return [[model.item(r, c).text() for c in range(model.columnCount())] for r in range(model.rowCount())]


def _shots(name: str, page: EnginesPage, tmp_path: Path) -> None:
    folder = Path(os.environ.get("ENGINES_SCREENSHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    page.show()
    save_grab(page, folder / name)
    page.hide()
    page.deleteLater()


def test_the_engines_view_shows_each_host_and_a_lost_one(
    ui: UiWorld, hosts_store: SqlStore, run: Callable[[Awaitable[Any]], Any], tmp_path: Path
) -> None:
    page = _page(ui, hosts_store, run)
    rows = {row[1]: row for row in _rows(page)}
    assert set(rows) == {"lisbon", "oslo"}
    assert rows["lisbon"][4] == "3" and rows["lisbon"][5] == "Service: 2" and rows["lisbon"][6] == "Running"
    assert rows["oslo"][4] == "0" and rows["oslo"][6].startswith("Lost (mailboxes taken over ")
    assert page.summary.text().startswith("1 engine")  # "1 engine running" once the English plurals load
    _shots("engines-en.png", page, tmp_path)


def test_the_engines_view_reads_in_french(
    ui: UiWorld, hosts_store: SqlStore, run: Callable[[Awaitable[Any]], Any], tmp_path: Path, french: None
) -> None:
    page = _page(ui, hosts_store, run)
    rows = {row[1]: row for row in _rows(page)}
    assert rows["lisbon"][5] == "Service : 2" and rows["lisbon"][6] == "En marche"
    assert rows["oslo"][6].startswith("Perdu (boîtes reprises ")
    assert page.summary.text() == "1 moteur en marche"
    assert page.model.headerData(3, Qt.Orientation.Horizontal) == "Dernier signe de vie"
    _shots("engines-fr.png", page, tmp_path)
