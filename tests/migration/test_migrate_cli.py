"""``desktop-sync migrate router``: dry run, passwords from standard input or the terminal, exit codes."""

from __future__ import annotations

import argparse
import asyncio
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from migration.router_samples import ONLINE, POP3_SMTP, SAMPLE_PROFILES, RouterFactory, seed_directory

from desktop_sync import cli
from desktop_sync.cli import migrate as cli_migrate
from desktop_sync.domain.email_router import AGENT_FILE
from desktop_sync.store import open_store


def _wired() -> bool:
    """Whether cli.py registers the migrate commands yet; until then the tests build its parser here."""
    try:
        cli.parse(["migrate", "router", "DIR", "--dry-run"])
    except cli.UsageError:
        return False
    return True


def _parser() -> cli.Parser:
    """cli.build_parser's helpers, with the migrate commands only."""
    common = cli.Parser(add_help=False)
    common.add_argument("--db", metavar="URL", default=argparse.SUPPRESS)
    parser = cli.Parser(prog=cli.PROG, parents=[common])
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=cli.Parser)

    def group(name: str, help_text: str) -> Any:
        sub = commands.add_parser(name, help=help_text, parents=[common])
        return sub.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=cli.Parser)

    def command(actions: Any, name: str, handler: Any, help_text: str, fields: dict[str, str] | None = None) -> Any:
        sub = actions.add_parser(name, help=help_text, parents=[common])
        sub.set_defaults(handler=handler, positional_fields=fields or {})
        return sub

    cli_migrate.add_migrate_commands(commands, common, group, command)
    return parser


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


class TtyInput(io.StringIO):
    def isatty(self) -> bool:
        return True


class Cli:
    def __init__(self, db: str):
        self.db = db

    def __call__(self, *argv: str, stdin: str | io.StringIO = "") -> Result:
        out, err = io.StringIO(), io.StringIO()
        given = stdin if isinstance(stdin, io.StringIO) else io.StringIO(stdin)
        full = ["--db", self.db, *argv]
        if argv[0] != "migrate" or _wired():
            code = cli.main(full, out=out, err=err, stdin=given)
        else:
            try:
                args = _parser().parse_args(full)
            except cli.UsageError as exc:
                print(f"{cli.PROG}: error: {exc}", file=err)
                code = cli.EXIT_BAD_INPUT
            else:
                code = cli.run(args, out=out, err=err, stdin=given)
        return Result(code, out.getvalue(), err.getvalue())


@pytest.fixture
def run(tmp_path: Path) -> Cli:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"

    async def seed() -> None:
        store = open_store(url)
        try:
            await seed_directory(store)
        finally:
            await store.close()

    asyncio.run(seed())
    return Cli(url)


# the Microsoft Entra application the Exchange Online profile signs in as
ENTRA = ("--client-id", "11111111-2222-3333-4444-555555555555", "--tenant", "contoso.onmicrosoft.com")


def test_exchange_online_needs_the_entra_application_and_never_a_password(run: Cli, sample_router: Path) -> None:
    half = run("migrate", "router", str(sample_router), "--client-id", "x", "--dry-run")
    assert half.code == 2 and half.err == (
        "desktop-sync: error: --tenant: the Entra application needs both --client-id and --tenant\n"
    )
    without = run("migrate", "router", str(sample_router), "--allow-insecure", POP3_SMTP, "--dry-run", "--json")
    [skipped] = [s for s in without.json()["skipped"] if s["subject"] == ONLINE]  # type: ignore[index]
    assert "--client-id ID --tenant TENANT" in skipped["reason"]
    migrated = run("migrate", "router", str(sample_router), "--allow-insecure", POP3_SMTP, *ENTRA)
    assert migrated.code == 0, migrated.err
    online = run("profile", "show", ONLINE, "--json").json()
    assert (online["kind"], online["auth"], online["credentials_on"], online["login"]) == (  # type: ignore[index]
        "exchange-online",
        "oauth2",
        "profile",
        None,
    )
    assert online["oauth"]["client_id"] == ENTRA[1] and online["oauth"]["tenant"] == ENTRA[3]  # type: ignore[index]


def nothing_written(run: Cli) -> bool:
    return run("profile", "list", "--json").json() == [] and run("mailbox", "list", "--json").json() == []


def test_dry_run_prints_the_plan_and_writes_nothing(run: Cli, sample_router: Path) -> None:
    result = run("migrate", "router", str(sample_router), "--allow-insecure", POP3_SMTP, *ENTRA, "--dry-run")
    assert result.code == 0, result.err
    for name in SAMPLE_PROFILES:
        assert f"[create] {name}" in result.out
    assert "[create] queue sales@contoso.com (Sales <sales@contoso.com>)" in result.out
    assert "1. CONTOSO\\svc-crmpop on pop.contoso-mail.net" in result.out
    assert "outlook.office365.com" not in result.out.split("ccount")[-1]  # Exchange Online: no password asked
    assert "warning: incoming Exchange with outgoing SMTP" in result.out
    assert nothing_written(run)

    data = run(
        "migrate", "router", str(sample_router), "--allow-insecure", POP3_SMTP, *ENTRA, "--dry-run", "--json"
    ).json()
    assert [p["name"] for p in data["profiles"]] == SAMPLE_PROFILES
    assert {"routers", "router_profiles", "forward_mailboxes", "mailboxes", "skipped", "accounts", "warnings"} <= set(
        data
    )
    assert nothing_written(run)


def test_migrate_with_passwords_on_standard_input(run: Cli, sample_router: Path, memory_keyring: Any) -> None:
    result = run(
        "migrate", "router", str(sample_router), "--allow-insecure", POP3_SMTP, *ENTRA, "--password-stdin",
        stdin="pop-pw\n\n",
    )  # fmt: skip
    assert result.code == 0, result.err
    assert "Creating email server profiles: 4/4" in result.out
    assert "Updating user and queue mailboxes: 7/7" in result.out
    assert "Test & Enable" in result.out and "at most 200 mailboxes per batch" in result.out
    assert "-pw" not in result.out
    assert sorted(memory_keyring.passwords.values()) == ["pop-pw"]
    assert f"[needed] {ONLINE}: no sign-in yet: run desktop-sync profile sign-in" in result.out
    assert "Sign the application of 1 profile in" in result.out
    assert len(run("mailbox", "list", "--json").json()) == 8
    profiles = {p["name"]: p for p in run("profile", "list", "--json").json()}
    assert profiles[POP3_SMTP]["login"] == "CONTOSO\\svc-crmpop"

    again = run("migrate", "router", str(sample_router), "--allow-insecure", POP3_SMTP, *ENTRA, "--json")
    assert again.code == 0, again.err
    report = again.json()
    assert {p["result"] for p in report["profiles"]} == {"kept"}
    assert {m["result"] for m in report["mailboxes"]} == {"unchanged"}
    assert len(run("mailbox", "list", "--json").json()) == 8


def test_wrong_number_of_password_lines_is_bad_input(run: Cli, sample_router: Path) -> None:
    result = run(
        "migrate", "router", str(sample_router), "--allow-insecure", POP3_SMTP, "--password-stdin", stdin="only-one\n"
    )
    assert result.code == 2
    assert result.err.startswith("desktop-sync: error: --password-stdin: 2 lines expected")
    assert result.err.count("\n") == 1
    assert nothing_written(run)


def test_one_account_is_counted_in_the_singular(run: Cli, sample_router: Path) -> None:
    one_profile = ("migrate", "router", str(sample_router), "--select", POP3_SMTP, "--allow-insecure", POP3_SMTP)
    result = run(*one_profile, "--password-stdin", stdin="a\nb\n")
    assert result.code == 2
    assert result.err.startswith("desktop-sync: error: --password-stdin: 1 line expected, one per account"), result.err
    assert nothing_written(run)

    result = run(*one_profile)  # standard input is no terminal: nothing is asked
    assert result.code == 0, result.err
    assert "1 password not asked (standard input is not a terminal" in result.out


def test_passwords_asked_on_the_terminal(
    run: Cli, sample_router: Path, memory_keyring: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    prompts: list[str] = []

    def fake_getpass(prompt: str = "") -> str:
        prompts.append(prompt)
        return "typed" if len(prompts) == 1 else ""

    monkeypatch.setattr(cli_migrate.getpass, "getpass", fake_getpass)
    result = run("migrate", "router", str(sample_router), "--allow-insecure", POP3_SMTP, stdin=TtyInput())
    assert result.code == 0, result.err
    assert len(prompts) == 2 and prompts[0].startswith("Password 1/2 for CONTOSO\\svc-crmpop")
    assert list(memory_keyring.passwords.values()) == ["typed"]


def test_without_a_terminal_no_password_is_asked(run: Cli, sample_router: Path) -> None:
    result = run("migrate", "router", str(sample_router), "--allow-insecure", POP3_SMTP)
    assert result.code == 0, result.err
    assert "2 passwords not asked" in result.out
    assert "[needed]" in result.out
    alerts = run("alerts", "list", "--json").json()
    assert {a["code"] for a in alerts} == {"migration_credentials_needed"}


def test_a_broken_file_is_one_line_naming_it(run: Cli, make_router: RouterFactory) -> None:
    router = make_router(edit=lambda text: text.replace("</MaxThreads>", "</MaxThreads"))
    result = run("migrate", "router", str(router))
    assert result.code == 2
    assert result.err.startswith(f"desktop-sync: error: DIR: {router / AGENT_FILE}: not well-formed XML")
    assert result.err.count("\n") == 1
    assert nothing_written(run)


def test_bad_selection_and_missing_folder(run: Cli, sample_router: Path, tmp_path: Path) -> None:
    result = run("migrate", "router", str(sample_router), "--select", "Nope", "--dry-run")
    assert result.code == 2 and result.err.startswith("desktop-sync: error: --select: no profile 'Nope'")
    missing = run("migrate", "router", str(tmp_path / "absent"))
    assert missing.code == 2 and "DIR: " in missing.err and "no such folder" in missing.err
    assert run("migrate", "router").code == 2


def test_no_secure_keyring_is_exit_1_and_nothing_written(run: Cli, sample_router: Path) -> None:
    import keyring
    import keyring.backends.fail

    keyring.set_keyring(keyring.backends.fail.Keyring())
    result = run(
        "migrate", "router", str(sample_router), "--allow-insecure", POP3_SMTP, "--password-stdin", stdin="a\nb\n"
    )
    assert result.code == 1 and "no secure keyring" in result.err
    assert nothing_written(run)


def test_a_profile_without_tls_is_blocked_unless_allow_insecure_names_it(run: Cli, sample_router: Path) -> None:
    blocked = run("migrate", "router", str(sample_router), "--dry-run", "--json")
    assert blocked.code == 0, blocked.err
    data = blocked.json()
    assert POP3_SMTP not in {p["name"] for p in data["profiles"]}
    assert any(s["subject"] == POP3_SMTP and s["reason"].startswith("blocked") for s in data["skipped"])
    allowed = run("migrate", "router", str(sample_router), "--dry-run", "--json", "--allow-insecure", POP3_SMTP)
    assert POP3_SMTP in {p["name"] for p in allowed.json()["profiles"]}
    unknown = run("migrate", "router", str(sample_router), "--dry-run", "--allow-insecure", "Nope")
    assert unknown.code == 2 and unknown.err.startswith("desktop-sync: error: --allow-insecure: no profile 'Nope'")
