"""``desktop-sync migrate router``: the E-mail Router migration on the command line.

It relies on what the context offers (store, secrets, stdin, print, print_json) and goes through
the migration service.

Passwords are never arguments. With ``--password-stdin`` one line is read per account, in the order
the dry run lists them (an empty line skips an account); otherwise, when standard input is a
terminal, each is asked with getpass; otherwise none is asked and the profiles concerned are left
marked "credentials needed".
"""

from __future__ import annotations

import argparse
import getpass
from collections.abc import Mapping, Sequence
from typing import Any

from desktop_sync.cli.context import Commands, Context
from desktop_sync.cli.output import counted
from desktop_sync.domain.email_router import MAX_ROUTERS, Account
from desktop_sync.domain.email_router.model import EntraApp
from desktop_sync.domain.errors import ValidationError
from desktop_sync.services.migration import MigrationService, MigrationStep

MIGRATE_EXIT_OK = 0


def _passwords_from_stdin(ctx: Context, accounts: Sequence[Account]) -> dict[Account, str]:
    text = ctx.stdin.read()
    lines = text.splitlines()
    if len(lines) != len(accounts):
        raise ValidationError.single(
            "password_stdin",
            f"{counted(len(accounts), 'line')} expected, one per account in the order the dry run lists them (an empty "
            f"line skips one); {len(lines)} given",
        )
    return {account: line for account, line in zip(accounts, lines, strict=True) if line}


def _passwords_from_terminal(ctx: Context, accounts: Sequence[Account]) -> dict[Account, str]:
    passwords: dict[Account, str] = {}
    for number, account in enumerate(accounts, 1):
        answer = getpass.getpass(f"Password {number}/{len(accounts)} for {account.label} (Enter skips): ")
        if answer:
            passwords[account] = answer
    return passwords


def _ask_passwords(ctx: Context, args: argparse.Namespace, accounts: Sequence[Account]) -> Mapping[Account, str]:
    if args.password_stdin:
        return _passwords_from_stdin(ctx, accounts)
    if not accounts:
        return {}
    isatty = getattr(ctx.stdin, "isatty", None)
    if callable(isatty) and isatty():
        return _passwords_from_terminal(ctx, accounts)
    if not args.json:  # with --json the report's credentials say it
        ctx.print(
            f"{counted(len(accounts), 'password')} not asked (standard input is not a terminal; use --password-stdin): "
            "the profiles concerned are marked 'credentials needed'."
        )
    return {}


async def migrate_router(ctx: Context, args: argparse.Namespace) -> int:
    service = MigrationService(ctx.store, ctx.secrets)
    reading = await service.read_routers(args.routers)
    if (args.client_id is None) != (args.tenant is None):
        missing = "tenant" if args.tenant is None else "client_id"
        raise ValidationError.single(missing, "the Entra application needs both --client-id and --tenant")
    entra_app = EntraApp(args.client_id, args.tenant) if args.client_id is not None else None
    plan = service.plan(reading, args.select or None, args.allow_insecure or (), entra_app)
    if args.dry_run:
        if args.json:
            ctx.print_json(plan.to_dict())
        else:
            ctx.out.write(plan.to_text())
        return MIGRATE_EXIT_OK
    passwords = _ask_passwords(ctx, args, plan.accounts)

    def progress(step: MigrationStep, done: int, total: int) -> None:
        if not args.json and done == total:
            ctx.print(f"{step.value}: {done}/{total}")

    report = await service.run(plan, passwords, progress)
    if args.json:
        ctx.print_json(report.to_dict())
    else:
        ctx.print()
        ctx.out.write(report.to_text())
    return MIGRATE_EXIT_OK


def register(cli: Commands) -> None:
    add_migrate_commands(cli.commands, cli.common, cli.group, cli.command)


def add_migrate_commands(commands: Any, common: Any, group: Any, command: Any) -> None:
    """Register ``migrate router`` with the given ``group`` and ``command`` helpers (``Commands``'s)."""
    migrate = group("migrate", "move from the legacy Dynamics CRM E-mail Router")
    router = command(
        migrate,
        "router",
        migrate_router,
        "migrate the profiles and mailboxes of up to four E-mail Routers",
        fields={
            "routers": "DIR",
            "select": "--select",
            "allow_insecure": "--allow-insecure",
            "password_stdin": "--password-stdin",
            "password": "--password-stdin",
        },
    )
    router.add_argument(
        "routers",
        metavar="DIR",
        nargs="+",
        help=f"a folder holding a router's Microsoft.Crm.Tools.EmailAgent.xml, its SystemState.xml and "
        f"EncryptionKey.xml (up to {MAX_ROUTERS}, at most 32 MB in all)",
    )
    router.add_argument(
        "--select",
        metavar="NAME",
        action="append",
        help="migrate only this merged profile (repeat for several; default: all that can be migrated)",
    )
    router.add_argument(
        "--allow-insecure",
        metavar="NAME",
        action="append",
        help="migrate this merged profile although its router used no SSL/TLS: passwords cross the network in "
        "clear text (repeat for several; without it such a profile is blocked)",
    )
    router.add_argument(
        "--client-id",
        metavar="ID",
        help="Exchange Online: the application (client) id of the Microsoft Entra application every Exchange "
        "Online profile signs in as (with --tenant); without it such profiles are not migrated",
    )
    router.add_argument("--tenant", metavar="TENANT", help="Exchange Online: the Entra tenant id or domain")
    router.add_argument("--dry-run", action="store_true", help="print what would be created; write nothing")
    router.add_argument("--json", action="store_true")
    router.add_argument(
        "--password-stdin",
        action="store_true",
        help="read one password per line, for the accounts in the order the dry run lists them "
        "(an empty line skips one)",
    )
