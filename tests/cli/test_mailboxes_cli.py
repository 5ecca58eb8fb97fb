"""``desktop-sync mailbox ...`` as documented: mapping, approval, JSON keys, the state columns, and
passwords to the keyring."""

from __future__ import annotations

from pathlib import Path

import keyring
from support.cli_runner import Cli, add_imap


def test_mailbox_add_with_unknown_profile_or_user_or_bad_address(run: Cli) -> None:
    add_imap(run)
    run("user", "add", "alice@example.test", "--name", "Alice")
    for argv, field in [
        (["mailbox", "add", "a@example.test", "--profile", "Nope"], "--profile"),
        (["mailbox", "add", "a@example.test", "--profile", "Corp", "--user", "who@example.test"], "--user"),
        (["mailbox", "add", "not-an-address", "--profile", "Corp"], "EMAIL"),
    ]:
        result = run(*argv)
        assert result.code == 2 and field in result.err and result.err.count("\n") == 1, result.err
    assert run("mailbox", "list", "--json").json() == []


def test_mailbox_map_needs_yes_to_remap(run: Cli) -> None:
    add_imap(run)
    run("user", "add", "alice@example.test", "--name", "Alice")
    run("user", "add", "bob@example.test", "--name", "Bob")
    assert run("mailbox", "add", "shared@example.test", "--profile", "Corp", "--user", "alice@example.test").code == 0
    before = run("mailbox", "list", "--json").json()

    asked = run("mailbox", "map", "shared@example.test", "--user", "bob@example.test")
    assert asked.code == 3
    assert "This mailbox is mapped to Alice <alice@example.test>" in asked.out
    assert run("mailbox", "list", "--json").json() == before

    done = run("mailbox", "map", "shared@example.test", "--user", "bob@example.test", "--yes")
    assert done.code == 0, done.err
    [mailbox] = run("mailbox", "list", "--json").json()  # type: ignore[misc]
    assert mailbox["user"] == "bob@example.test"


def test_mailbox_approve_and_list_json_keys(run: Cli) -> None:
    add_imap(run, "Corp", "--process-email-from", "2026-03-01")
    run("user", "add", "alice@example.test", "--name", "Alice")
    run(
        "mailbox",
        "add",
        "alice@example.test",
        "--profile",
        "Corp",
        "--user",
        "alice@example.test",
        "--login",
        "alice",
        "--process-email-from",
        "2026-01-01",
    )
    assert run("mailbox", "approve", "alice@example.test").code == 0
    [mailbox] = run("mailbox", "list", "--json").json()  # type: ignore[misc]
    assert set(mailbox) == {
        "address",
        "name",
        "profile",
        "user",
        "queue",
        "login",
        "approval",
        "incoming",
        "outgoing",
        "act",
        "process_email_from",
        "effective_process_email_from",
        "has_password",
        "state",
        "engine_state",
        "last_sync_at",
        "next_sync_at",
        "backoff_until",
        "items_synced",
        "last_error_code",
        "last_error",
        "import_done",
        "import_total",
        "import_eta_seconds",
    }
    # approved but never tested: not "idle", whatever the engine last did (nothing yet)
    assert mailbox["state"] == "not_tested" and mailbox["engine_state"] == "idle"
    assert mailbox["last_sync_at"] is None
    assert (mailbox["import_done"], mailbox["import_total"], mailbox["import_eta_seconds"]) == (None, None, None)
    assert mailbox["approval"] == "approved"
    assert mailbox["incoming"] == {
        "method": "server_side",
        "enabled": False,
        "test_status": "not_run",
        "failed_step": None,
    }
    assert mailbox["act"]["method"] == "none"
    assert mailbox["effective_process_email_from"] == "2026-03-01T00:00:00+00:00"
    assert run("mailbox", "approve", "nobody@example.test").code == 2


def test_mailbox_list_text_shows_state_last_and_next_sync_and_last_error(run: Cli) -> None:
    add_imap(run)
    run("user", "add", "alice@example.test", "--name", "Alice")
    run("mailbox", "add", "alice@example.test", "--profile", "Corp", "--user", "alice@example.test")
    run("mailbox", "add", "bob@example.test", "--profile", "Corp")
    run("mailbox", "approve", "bob@example.test")
    result = run("mailbox", "list")
    assert result.code == 0, result.err
    header, *lines = result.out.splitlines()
    assert header.split() == ["ADDRESS", "PROFILE", "OWNER", "STATE", "LAST", "SYNC", "NEXT", "SYNC", "LAST", "ERROR"]
    alice = next(line for line in lines if line.startswith("alice@"))
    bob = next(line for line in lines if line.startswith("bob@"))
    assert "Pending approval" in alice and "Not tested" in bob
    assert "not_run" not in result.out and "off (" not in result.out


def test_password_stdin_goes_to_the_keyring(run: Cli) -> None:
    add_imap(run)
    result = run(
        "mailbox",
        "add",
        "alice@example.test",
        "--profile",
        "Corp",
        "--login",
        "alice",
        "--password-stdin",
        stdin="pa ss\n",
    )
    assert result.code == 0, result.err
    assert keyring.get_password("desktop-sync", "mailbox:alice@example.test") == "pa ss"
    [mailbox] = run("mailbox", "list", "--json").json()  # type: ignore[misc]
    assert mailbox["has_password"] is True
    assert "pa ss" not in Path(run.db.removeprefix("sqlite:///")).read_bytes().decode("latin-1")


def test_password_is_refused_without_a_secure_keyring(run: Cli) -> None:
    from keyring.backends import fail

    add_imap(run)
    keyring.set_keyring(fail.Keyring())
    result = run("mailbox", "add", "alice@example.test", "--profile", "Corp", "--password-stdin", stdin="pw\n")
    assert result.code == 1
    assert "no secure keyring" in result.err
    assert run("mailbox", "list", "--json").json() == []
