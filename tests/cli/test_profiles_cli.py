"""``desktop-sync profile ...`` as documented: flags, JSON keys, one-line errors that write nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.cli_runner import Cli, add_imap


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
