"""``desktop-sync``: the application without a command, the admin CLI with one."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from desktop_sync import __version__


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list == ["--version"]:
        # Answered before the CLI's imports (services, store, SQLAlchemy): a second of CPU less.
        print(f"desktop-sync {__version__}")
        return 0
    from desktop_sync import cli

    try:
        args = cli.parse(args_list)
    except cli.UsageError as exc:
        print(f"{cli.PROG}: error: {exc}", file=sys.stderr)
        return cli.EXIT_BAD_INPUT
    if args.command is None:
        from desktop_sync import app  # the GUI stack loads only when the GUI is asked for

        return app.main(getattr(args, "db", None))
    return cli.run(args, out=sys.stdout, err=sys.stderr, stdin=sys.stdin)


def entry() -> None:
    """The console script: like ``main``, but quiet when the reader of our output goes away."""
    try:
        code = main()
        sys.stdout.flush()
    except BrokenPipeError:
        # e.g. `desktop-sync mailbox list --json | head`: nothing left to say, and nobody to say it to
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = 0
    sys.exit(code)


if __name__ == "__main__":
    entry()
