"""The command tests' store: a fresh one, named by --db and created by init."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.cli_runner import Cli


@pytest.fixture
def run(tmp_path: Path) -> Cli:
    cli_on_store = Cli(f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    assert cli_on_store("init").code == 0  # a store named by --db is created by init only
    return cli_on_store
