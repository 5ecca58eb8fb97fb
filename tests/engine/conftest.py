"""The engine test world: a real SQLite store, the scripted server, a clock tests move."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio
from support.engine_world import World

from desktop_sync.store import open_store


@pytest_asyncio.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    store = open_store(f"sqlite:///{tmp_path / 'engine.sqlite3'}")
    w = World(store, tmp_path)
    try:
        yield w
    finally:
        for engine in w.engines:
            await engine.stop()
        await store.close()
