"""The admin CLI exactly as documented: commands, flags, exit codes, JSON keys, one-line errors.

The commands of each noun are tested in ``test_<noun>_cli.py``; here, what all share: the store
named by the environment and the installed entry point."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop_sync import cli


def test_db_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "env.sqlite3"
    monkeypatch.setenv("DESKTOP_SYNC_DB", f"sqlite:///{db}")
    out, err = io.StringIO(), io.StringIO()
    assert cli.main(["init"], out=out, err=err) == 0
    assert db.exists()
    assert cli.main(["user", "add", "a@example.test", "--name", "A"], out=out, err=err) == 0


def test_the_installed_entry_point_speaks_the_same_contract(tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("desktop-sync")
    env = dict(os.environ, DESKTOP_SYNC_DB=f"sqlite:///{tmp_path / 'entry.sqlite3'}")

    def call(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(exe), *argv], capture_output=True, text=True, env=env, timeout=60)

    assert call("init").returncode == 0
    bad = call("profile", "add", "X", "--kind", "imap", "--incoming-host", "h.example.test", "--timeout", "500")
    assert (bad.returncode, bad.stderr.strip().splitlines()) == (
        2,
        ["desktop-sync: error: --timeout: 500 s is outside 1-100 s (default 60)"],
    )
    assert call("profile", "add", "X", "--kind", "imap", "--incoming-host", "h.example.test").returncode == 0
    assert call("user", "add", "a@example.test", "--name", "A").returncode == 0
    assert call("user", "add", "b@example.test", "--name", "B").returncode == 0
    assert call("mailbox", "add", "m@example.test", "--profile", "X", "--user", "a@example.test").returncode == 0
    asked = call("mailbox", "map", "m@example.test", "--user", "b@example.test")
    assert asked.returncode == 3 and "A <a@example.test>" in asked.stdout
    assert call("--version").stdout.startswith("desktop-sync ")
