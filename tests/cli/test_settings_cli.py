"""``desktop-sync settings show|set``: the documented keys, one-line errors, nothing written on bad input."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from desktop_sync import cli


@pytest.fixture
def settings_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    db = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    assert cli.main(["--db", db, "init"], out=io.StringIO(), err=io.StringIO()) == 0

    def call(*argv: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        code = cli.main(["--db", db, "settings", *argv], out=out, err=err, stdin=io.StringIO())
        return code, out.getvalue(), err.getvalue()

    return call


def test_show_lists_every_setting_with_its_default_and_where_it_lives(settings_cli) -> None:
    import json

    code, out, _ = settings_cli("show", "--json")
    assert code == 0
    shown = {row["key"]: row for row in json.loads(out)}
    assert shown["items_per_cycle"] == {
        "key": "items_per_cycle",
        "value": 500,
        "default": 500,
        "scope": "store",
        "where": shown["items_per_cycle"]["where"],
    }
    assert shown["log_level"]["scope"] == "local" and shown["log_level"]["where"].endswith("settings.json")
    assert set(shown) >= {"mailbox_workers", "max_retries", "backoff_seconds", "smart_matching", "language", "store"}


def test_set_then_show(settings_cli, tmp_path: Path) -> None:
    assert settings_cli("set", "items_per_cycle", "250")[:2] == (0, "items_per_cycle = 250\n")
    assert settings_cli("set", "smart_matching", "yes")[1] == "smart_matching = true\n"
    assert settings_cli("set", "log_level", "DEBUG")[1] == "log_level = debug\n"
    code, out, _ = settings_cli("show")
    assert code == 0
    lines = {line.split()[0]: line.split() for line in out.splitlines() if line.strip()}
    assert lines["items_per_cycle"][1:] == ["250", "500", "store"]
    assert lines["smart_matching"][1] == "true"
    assert lines["log_level"][1:3] == ["debug", "info"]
    assert (tmp_path / "config" / "desktop-sync" / "settings.json").is_file()


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (["items_per_cycle", "5"], "desktop-sync: error: items_per_cycle: 5 is outside 10-10000 (default 500)\n"),
        (["smart_matching", "maybe"], "desktop-sync: error: smart_matching: 'maybe' is not true or false\n"),
        (["language", "de"], "desktop-sync: error: language: 'de' is not one of: system, en, fr\n"),
    ],
)
def test_bad_values_are_one_line_naming_the_key_and_write_nothing(settings_cli, argv, line, tmp_path) -> None:
    assert settings_cli("set", *argv) == (2, "", line)
    _code, out, _ = settings_cli("show")
    assert [row.split()[:2] for row in out.splitlines() if row.startswith("items_per_cycle")] == [
        ["items_per_cycle", "500"]
    ]
    assert not (tmp_path / "config" / "desktop-sync" / "settings.json").exists()


def test_an_unknown_key_is_refused(settings_cli) -> None:
    code, out, err = settings_cli("set", "workers", "3")
    assert code == 2 and out == ""
    assert err.startswith("desktop-sync: error: KEY: 'workers' is not a setting (one of: mailbox_workers, ")
    assert err.count("\n") == 1


@pytest.mark.dovecot
def test_engine_run_takes_the_limits_from_the_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request) -> None:
    """Set once with `settings set`, obeyed by the next `engine run` on the store (a real Dovecot)."""
    from support.cli_admin import Admin, mail

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    dovecot = request.getfixturevalue("dovecot")
    mail_user = request.getfixturevalue("mail_user")
    tls_ca = request.getfixturevalue("tls_ca")
    admin = Admin(f"sqlite:///{tmp_path / 'crm.sqlite3'}")
    address = mail_user.address
    admin("profile", "add", "Corp", "--kind", "imap", "--incoming-host", "localhost",
          "--incoming-port", str(dovecot.ports["imaps"]), "--ca-file", str(tls_ca))  # fmt: skip
    admin("user", "add", address, "--name", "Sam")
    admin("user", "tracking", address, "all")
    admin("mailbox", "add", address, "--profile", "Corp", "--user", address, "--login", mail_user.name,
          "--password-stdin", stdin=mail_user.password)  # fmt: skip
    admin("mailbox", "approve", address)
    admin("mailbox", "test-enable", address)
    for n in range(15):
        dovecot.deliver(mail_user.name, mail(n, address))

    admin("settings", "set", "items_per_cycle", "10")
    admin("engine", "run", "--once")
    assert len(admin.json("email", "list", "--limit", "100")) == 10  # the stored limit, not the default 500
    admin("sync", "now", address)
    admin("engine", "run", "--once")
    assert len(admin.json("email", "list", "--limit", "100")) == 15  # the rest in the next cycle
