"""The whole command line: the options every command takes, and each noun's sub-commands as the noun
registers them (in the order ``--help`` lists them)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TextIO

from desktop_sync import __version__
from desktop_sync.cli import (
    act,
    alerts,
    email,
    engine,
    filters,
    mailboxes,
    migrate,
    profiles,
    records,
    settings,
    store,
    sync,
    users,
)
from desktop_sync.cli.context import EXIT_BAD_INPUT, PROG, Commands, Parser, UsageError, run

NOUNS = (profiles, users, mailboxes, sync, records, act, alerts, filters, email, engine, store, settings, migrate)


def build_parser() -> Parser:
    common = Parser(add_help=False)
    common.add_argument(
        "--db",
        metavar="URL",
        default=argparse.SUPPRESS,
        help="the store: sqlite:///PATH or postgresql://USER@HOST/DB "
        "(default: $DESKTOP_SYNC_DB, else SQLite in the user data dir)",
    )

    parser = Parser(
        prog=PROG,
        parents=[common],
        description="Desktop Sync: run without a command for the application, "
        "or give a command to administer from the shell.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    commands = Commands(parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser), common)
    for noun in NOUNS:
        noun.register(commands)
    return parser


def parse(argv: Sequence[str]) -> argparse.Namespace:
    """Parse ``argv``; raises UsageError for bad input."""
    return build_parser().parse_args(list(argv))


def main(
    argv: Sequence[str] | None = None,
    *,
    out: TextIO | None = None,
    err: TextIO | None = None,
    stdin: TextIO | None = None,
) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        args = parse(sys.argv[1:] if argv is None else argv)
    except UsageError as exc:
        print(f"{PROG}: error: {exc}", file=err)  # already one line (Parser.error)
        return EXIT_BAD_INPUT
    return run(args, out=out, err=err, stdin=stdin or sys.stdin)
