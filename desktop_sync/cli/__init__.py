"""The admin command line: the same services as the GUI, for scripting and headless hosts.

``parser`` assembles the command line from each noun's module (``profiles``, ``mailboxes``,
``engine``...), each registering its own sub-commands; ``context`` holds what they share (the
store and services, output, errors and exit codes), ``output`` the JSON shapes and text tables.
Only ``engine`` (``engine run``) composes the sync engine; every other command goes through services.

Exit status: 0 done; 1 the command could not run (store or keyring unavailable, another engine
running); 2 bad input, nothing written; 3 a remap needs confirmation (``--yes``), nothing written;
4 Test & Enable ran and a channel failed its test.
"""

from __future__ import annotations

from desktop_sync.cli.context import (
    EXIT_BAD_INPUT,
    EXIT_FAILED,
    EXIT_NOTHING_WAITING,
    EXIT_OK,
    EXIT_REMAP_NEEDED,
    EXIT_TEST_FAILED,
    PROG,
    Context,
    Parser,
    UsageError,
    run,
)
from desktop_sync.cli.parser import build_parser, main, parse

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_FAILED",
    "EXIT_NOTHING_WAITING",
    "EXIT_OK",
    "EXIT_REMAP_NEEDED",
    "EXIT_TEST_FAILED",
    "PROG",
    "Context",
    "Parser",
    "UsageError",
    "build_parser",
    "main",
    "parse",
    "run",
]
