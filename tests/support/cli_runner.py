"""The admin CLI run in-process on one store, as the command tests (tests/cli) drive it."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass

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
