"""The E-mail Router samples, routers made from them, and stores holding the sample's users and queue."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from migration.router_samples import SAMPLES, sample_text

from desktop_sync.domain.email_router import AGENT_FILE, KEY_FILE, ROUTER_FILES, STATE_FILE
from desktop_sync.store import SqlStore, open_store


@pytest.fixture
def make_router(tmp_path: Path) -> Callable[..., Path]:
    """A router folder made from the samples; ``agent``/``state``/``key`` replace a file's text,
    ``edit`` is applied to the agent file's text, ``missing`` leaves files out."""
    numbers = iter(range(1, 100))

    def make(
        *,
        agent: str | None = None,
        state: str | None = None,
        key: str | None = None,
        edit: Callable[[str], str] | None = None,
        missing: tuple[str, ...] = (),
        name: str | None = None,
    ) -> Path:
        directory = tmp_path / (name or f"router{next(numbers)}")
        directory.mkdir()
        texts = {
            AGENT_FILE: agent if agent is not None else sample_text(AGENT_FILE),
            STATE_FILE: state if state is not None else sample_text(STATE_FILE),
            KEY_FILE: key if key is not None else sample_text(KEY_FILE),
        }
        if edit is not None:
            texts[AGENT_FILE] = edit(texts[AGENT_FILE])
        for file_name in ROUTER_FILES:
            if file_name not in missing:
                (directory / file_name).write_text(texts[file_name], encoding="utf-8")
        return directory

    return make


@pytest.fixture
def sample_router(tmp_path: Path) -> Path:
    """A copy of the shared samples, as an admin would give them."""
    directory = tmp_path / "sample-router"
    directory.mkdir()
    for name in ROUTER_FILES:
        shutil.copy(SAMPLES / name, directory / name)
    return directory


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqlStore]:
    """The store on SQLite and on PostgreSQL; a test seeds it (seed_directory) in its own event loop."""
    url = (
        f"sqlite:///{tmp_path / 'store.sqlite3'}"
        if request.param == "sqlite"
        else str(request.getfixturevalue("pg_url"))
    )
    opened = open_store(url)
    yield opened
    asyncio.run(opened.close())


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStore]:
    """An SQLite store; a test seeds it (seed_directory) in its own event loop."""
    opened = open_store(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    yield opened
    asyncio.run(opened.close())
