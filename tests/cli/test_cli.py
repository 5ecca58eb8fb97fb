"""The admin CLI exactly as documented: commands, flags, exit codes, JSON keys, one-line errors."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import keyring
import pytest

from desktop_sync import cli


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> object:
        return json.loads(self.out)


class Cli:
    def __init__(self, db: str):
        self.db = db

    def __call__(self, *argv: str, stdin: str = "") -> Result:
        out, err = io.StringIO(), io.StringIO()
        code = cli.main(["--db", self.db, *argv], out=out, err=err, stdin=io.StringIO(stdin))
        return Result(code, out.getvalue(), err.getvalue())


@pytest.fixture
def run(tmp_path: Path) -> Cli:
    cli_on_store = Cli(f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    assert cli_on_store("init").code == 0  # a store named by --db is created by init only
    return cli_on_store


def add_imap(run: Cli, name: str = "Corp", *extra: str) -> Result:
    return run(
        "profile",
        "add",
        name,
        "--kind",
        "imap",
        "--incoming-host",
        "imap.example.test",
        "--outgoing-host",
        "smtp.example.test",
        *extra,
    )


def test_profile_add_and_list(run: Cli) -> None:
    added = run(
        "profile",
        "add",
        "Corp",
        "--kind",
        "imap",
        "--incoming-host",
        "imap.example.test",
        "--incoming-port",
        "1993",
        "--incoming-security",
        "starttls",
        "--outgoing-host",
        "smtp.example.test",
        "--outgoing-port",
        "2525",
        "--outgoing-security",
        "starttls",
        "--max-connections",
        "25",
        "--timeout",
        "30",
    )
    assert added.code == 0, added.err
    assert (
        run(
            "profile",
            "add",
            "EX",
            "--kind",
            "exchange",
            "--incoming-host",
            "ex.example.test",
            "--ews-url",
            "https://ex.example.test/EWS/Exchange.asmx",
        ).code
        == 0
    )
    listed = run("profile", "list", "--json")
    assert listed.code == 0
    corp, ex = sorted(listed.json(), key=lambda p: p["name"])  # type: ignore[arg-type]
    assert corp == corp | {
        "name": "Corp",
        "kind": "imap",
        "incoming_host": "imap.example.test",
        "incoming_port": 1993,
        "incoming_security": "starttls",
        "outgoing_host": "smtp.example.test",
        "outgoing_port": 2525,
        "outgoing_security": "starttls",
        "max_connections": 25,
        "timeout": 30,
        "allow_insecure": False,
        "ca_file": None,
        "ews_url": None,
    }
    assert ex["ews_url"] == "https://ex.example.test/EWS/Exchange.asmx"
    assert (ex["max_connections"], ex["timeout"]) == (10, 60)
    table = run("profile", "list")
    assert "Corp" in table.out and "imap.example.test:1993 starttls" in table.out


def test_ca_file_must_be_a_pem_file(run: Cli, tmp_path: Path) -> None:
    missing = add_imap(run, "Corp", "--ca-file", str(tmp_path / "nope.pem"))
    assert (missing.code, missing.err.startswith("desktop-sync: error: --ca-file:")) == (2, True)
    pem = tmp_path / "ca.pem"
    pem.write_text("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
    assert add_imap(run, "Corp", "--ca-file", str(pem)).code == 0
    assert run("profile", "list", "--json").json()[0]["ca_file"] == str(pem)  # type: ignore[index]


@pytest.mark.parametrize(
    ("argv", "field"),
    [
        (["--incoming-port", "0"], "--incoming-port"),
        (["--incoming-port", "65536"], "--incoming-port"),
        (["--outgoing-port", "70000"], "--outgoing-port"),
        (["--incoming-port", "abc"], "--incoming-port"),
        (["--max-connections", "0"], "--max-connections"),
        (["--max-connections", "301"], "--max-connections"),
        (["--timeout", "0"], "--timeout"),
        (["--timeout", "101"], "--timeout"),
        (["--incoming-security", "none"], "--incoming-security"),
        (["--outgoing-security", "none"], "--outgoing-security"),
        (["--incoming-security", "ssl"], "--incoming-security"),
    ],
)
def test_bad_profile_input_is_one_line_naming_the_field_and_writes_nothing(
    run: Cli, argv: list[str], field: str
) -> None:
    result = add_imap(run, "Corp", *argv)
    assert result.code == 2
    assert result.err.count("\n") == 1 and result.err.startswith("desktop-sync: error:")
    assert field in result.err
    assert run("profile", "list", "--json").json() == []


def test_insecure_transport_with_consent(run: Cli) -> None:
    result = add_imap(run, "Plain", "--incoming-security", "none", "--outgoing-security", "none", "--allow-insecure")
    assert result.code == 0, result.err
    [profile] = run("profile", "list", "--json").json()  # type: ignore[misc]
    assert (profile["incoming_port"], profile["outgoing_port"], profile["allow_insecure"]) == (143, 25, True)


def test_a_missing_required_flag_or_kind(run: Cli) -> None:
    result = run("profile", "add", "X", "--kind", "smtp", "--incoming-host", "h.example.test")
    assert (result.code, "--kind" in result.err) == (2, True)
    result = run("profile", "add", "X", "--kind", "imap")
    assert (result.code, "--incoming-host" in result.err) == (2, True)


def test_users_queues_and_malformed_addresses(run: Cli) -> None:
    assert run("user", "add", "alice@example.test", "--name", "Alice").code == 0
    guid = "0f8fad5b-d9cb-469f-a165-70867728950e"
    assert run("user", "add", "bob@example.test", "--name", "Bob", "--crm-id", guid).code == 0
    assert run("queue", "add", "support@example.test", "--name", "Support").code == 0
    bad = run("user", "add", "alice@", "--name", "X")
    assert bad.code == 2 and "EMAIL" in bad.err and bad.err.count("\n") == 1
    duplicate = run("user", "add", "ALICE@example.test", "--name", "Again")
    assert duplicate.code == 2
    users = run("user", "list", "--json").json()
    assert users == [
        {"email": "alice@example.test", "name": "Alice", "crm_id": None, "tracking": "replies"},
        {"email": "bob@example.test", "name": "Bob", "crm_id": guid, "tracking": "replies"},
    ]
    assert [q["email"] for q in run("queue", "list", "--json").json()] == ["support@example.test"]  # type: ignore[attr-defined]


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


def test_failed_list_names_items_by_subject_sender_and_date(run: Cli) -> None:
    import asyncio
    import datetime as dt

    from desktop_sync.domain.model import Channel, FailedItem
    from desktop_sync.store import open_store

    add_imap(run)
    run("mailbox", "add", "alice@example.test", "--profile", "Corp")
    when = dt.datetime(2026, 12, 1, 8, 30, tzinfo=dt.UTC)

    async def seed() -> None:
        store = open_store(run.db)
        async with store.transaction() as tx:
            mailbox = await tx.mailboxes.by_address("alice@example.test")
            assert mailbox is not None and mailbox.id is not None
            for ref, subject, sender in (("INBOX;7;4250", "Quarterly figures", "Dan <dan@customer.test>"),):
                await tx.failed_items.record(
                    FailedItem(mailbox.id, Channel.INCOMING, ref, "malformed_message", "bad MIME", "INBOX")
                )
                await tx.failed_items.record(  # a retry that read less keeps what the first failure knew
                    FailedItem(
                        mailbox.id,
                        Channel.INCOMING,
                        ref,
                        "malformed_message",
                        "bad MIME",
                        "INBOX",
                        subject=subject,
                        sender=sender,
                        item_date=when,
                    )
                )
                await tx.failed_items.record(
                    FailedItem(mailbox.id, Channel.INCOMING, ref, "malformed_message", "bad MIME", "INBOX")
                )
            await tx.failed_items.record(FailedItem(mailbox.id, Channel.INCOMING, "INBOX;7;99", "x", "y", "INBOX"))
        await store.close()

    asyncio.run(seed())
    text = run("failed", "list")
    assert text.code == 0, text.err
    header, *_lines = text.out.splitlines()
    assert header.split()[:5] == ["ID", "MAILBOX", "ITEM", "FROM", "DATE"]
    assert "Quarterly figures" in text.out and "Dan <dan@customer.test>" in text.out
    assert "a message in INBOX" in text.out
    assert "4250" not in text.out and "INBOX;7" not in text.out
    items = {i["item"]: i for i in run("failed", "list", "--json").json()}  # type: ignore[union-attr]
    full = items["INBOX;7;4250"]
    assert (full["subject"], full["sender"], full["date"]) == (
        "Quarterly figures",
        "Dan <dan@customer.test>",
        "2026-12-01T08:30:00+00:00",
    )
    assert full["attempts"] == 3
    assert (items["INBOX;7;99"]["subject"], items["INBOX;7;99"]["date"]) == (None, None)


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


def test_sync_filters_from_the_command_line(run: Cli) -> None:
    run("user", "add", "alice@example.test", "--name", "Alice")
    added = run(
        "filter",
        "add",
        "alice@example.test",
        "--type",
        "appointment",
        "--name",
        "Soon",
        "--match",
        "all",
        "--rule",
        "starts_at next_days 30",
        "--rule",
        "owner is_me",
    )
    assert added.code == 0, added.err
    assert (
        run(
            "filter",
            "add",
            "alice@example.test",
            "--type",
            "contact",
            "--name",
            "Customers",
            "--rule",
            "company not_empty",
        ).code
        == 0
    )
    [soon, customers] = sorted(run("filter", "list", "--json").json(), key=lambda f: f["id"])  # type: ignore[arg-type]
    assert (
        soon
        | {
            "user": "alice@example.test",
            "type": "appointment",
            "name": "Soon",
            "active": True,
            "match": "all",
            "rules": ["starts_at next_days 30", "owner is_me"],
        }
        == soon
    )
    assert customers["type"] == "contact"
    assert run("filter", "disable", str(soon["id"])).code == 0
    assert (
        run("filter", "list", "--user", "alice@example.test", "--type", "appointment", "--json").json()[0]["active"]
        is False
    )  # type: ignore[index]
    assert run("filter", "delete", str(customers["id"])).code == 0
    assert len(run("filter", "list", "--json").json()) == 1  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("argv", "field"),
    [
        (["nobody@example.test", "--type", "task", "--name", "X", "--rule", "subject contains a"], "USER"),
        (["alice@example.test", "--type", "task", "--name", "X", "--rule", "nosuch eq 1"], "--rule"),
        (["alice@example.test", "--type", "task", "--name", "X", "--rule", "subject gt 3"], "--rule"),
        (["alice@example.test", "--type", "task", "--name", "X"], "--rule"),
        (["alice@example.test", "--type", "email", "--name", "X", "--rule", "subject eq a"], "--type"),
    ],
)
def test_bad_filters_are_one_line_and_write_nothing(run: Cli, argv: list[str], field: str) -> None:
    run("user", "add", "alice@example.test", "--name", "Alice")
    result = run("filter", "add", *argv)
    assert result.code == 2 and field in result.err and result.err.count("\n") == 1, result.err
    assert run("filter", "list", "--json").json() == []


def test_user_email_options(run: Cli) -> None:
    run("user", "add", "alice@example.test", "--name", "Alice")
    assert run("user", "set", "alice@example.test", "--tracking", "all", "--auto-create-contacts").code == 0
    assert run("user", "list", "--json").json()[0]["tracking"] == "all"  # type: ignore[index]
    assert run("user", "set", "nobody@example.test", "--tracking", "none").code == 2


def test_user_tracking_takes_the_four_choices(run: Cli) -> None:
    run("user", "add", "alice@example.test", "--name", "Alice")
    for choice in ("all", "replies", "known", "none"):
        assert run("user", "tracking", "alice@example.test", choice).code == 0
        assert run("user", "list", "--json").json()[0]["tracking"] == choice  # type: ignore[index]
    assert run("user", "tracking", "alice@example.test", "some").code == 2


def test_email_send_with_attachments_and_email_list_keys(run: Cli, tmp_path: Path) -> None:
    add_imap(run)
    run("mailbox", "add", "alice@example.test", "--profile", "Corp")
    attachment = tmp_path / "quote.pdf"
    attachment.write_bytes(b"%PDF-1.4 quote")
    sent = run(
        "email",
        "send",
        "--from",
        "alice@example.test",
        "--to",
        "carol@customer.test",
        "--subject",
        "Quote",
        "--body",
        "Attached.",
        "--attach",
        str(attachment),
        "--json",
    )
    assert sent.code == 0, sent.err
    [listed] = run("email", "list", "--json").json()  # type: ignore[misc]
    assert {
        "id",
        "mailbox",
        "message_id",
        "subject",
        "sender",
        "recipients",
        "received_at",
        "direction",
        "status",
        "correlation_method",
        "regarding",
        "attachment_count",
    } <= set(listed)
    assert (listed["sender"], listed["recipients"], listed["attachment_count"], listed["status"]) == (
        "alice@example.test",
        ["carol@customer.test"],
        1,
        "pending_send",
    )
    missing = run(
        "email",
        "send",
        "--from",
        "alice@example.test",
        "--to",
        "c@x.test",
        "--subject",
        "S",
        "--attach",
        str(tmp_path / "nope.pdf"),
    )
    assert missing.code == 2 and "--attach" in missing.err


def test_crm_records_from_the_command_line(run: Cli) -> None:
    run("user", "add", "alice@example.test", "--name", "Alice")
    assert (
        run(
            "contact",
            "add",
            "--user",
            "alice@example.test",
            "--first-name",
            "Carol",
            "--last-name",
            "C",
            "--email",
            "Carol@Contoso.test",
        ).code
        == 0
    )
    assert (
        run(
            "appointment",
            "add",
            "--user",
            "alice@example.test",
            "--subject",
            "Review",
            "--start",
            "2026-12-01T10:00",
            "--attendee",
            "carol@contoso.test",
        ).code
        == 0
    )
    assert run("task", "add", "--user", "alice@example.test", "--subject", "Call", "--due", "2026-12-02").code == 0
    [contact] = run("contact", "list", "--json").json()  # type: ignore[misc]
    assert (contact["email"], contact["linked"], contact["owner"]) == (
        "carol@contoso.test",
        False,
        "alice@example.test",
    )
    [appointment] = run("appointment", "list", "--user", "alice@example.test", "--json").json()  # type: ignore[misc]
    assert appointment["ends_at"] == "2026-12-01T11:00:00+00:00"
    bad = run(
        "appointment",
        "add",
        "--user",
        "alice@example.test",
        "--subject",
        "X",
        "--start",
        "2026-12-01T10:00",
        "--end",
        "2026-11-01T10:00",
    )
    assert bad.code == 2 and "--end" in bad.err
    assert run("task", "add", "--user", "nobody@example.test", "--subject", "X").code == 2
    assert run("conflicts", "list", "--json").json() == []
    assert run("conflicts", "resolve", "99", "crm").code == 2


def test_deleting_a_profile_in_use_is_refused_until_its_mailboxes_are_gone(run: Cli) -> None:
    assert add_imap(run).code == 0
    assert run("user", "add", "alice@example.test", "--name", "Alice").code == 0
    assert run("mailbox", "add", "alice@example.test", "--profile", "Corp", "--user", "alice@example.test").code == 0
    refused = run("profile", "delete", "Corp")
    assert refused.code == 2 and "NAME: 1 mailbox uses this profile" in refused.err, refused
    assert run("mailbox", "delete", "alice@example.test").code == 0
    assert run("mailbox", "list", "--json").json() == []
    assert run("profile", "delete", "Corp").code == 0
    assert run("profile", "list", "--json").json() == []
    gone = run("profile", "delete", "Corp")
    assert gone.code != 0 and "Corp" in gone.err
