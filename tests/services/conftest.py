"""Services over a real SQLite store and the in-memory keyring."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_sync.secrets import KeyringSecrets
from desktop_sync.store import SqlStore, open_store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStore]:
    opened = open_store(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    yield opened
    asyncio.run(opened.close())


@pytest.fixture
def secrets() -> KeyringSecrets:
    return KeyringSecrets()
