"""The admin CLI as an admin types it, in-process, for end-to-end tests; and a plain test mail."""

from __future__ import annotations

import io
import json
from typing import Any

from desktop_sync import cli


def mail(n: int, to: str, sender: str = "carol@customer.test") -> bytes:
    return (
        f"From: Carol <{sender}>\r\nTo: {to}\r\nSubject: order {n}\r\nMessage-ID: <order{n}.{to}>\r\n"
        f"Date: Wed, 25 Nov 2026 10:00:00 +0000\r\n\r\nPlease ship order {n}.\r\n"
    ).encode()


class Admin:
    """The CLI as an admin types it, on one store."""

    def __init__(self, db: str):
        self.db = db

    def __call__(self, *argv: str, stdin: str = "", ok: bool = True) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        code = cli.main(["--db", self.db, *argv], out=out, err=err, stdin=io.StringIO(stdin))
        if ok:
            assert code == 0, f"{argv}: {err.getvalue()}{out.getvalue()}"
        return code, out.getvalue(), err.getvalue()

    def json(self, *argv: str) -> Any:
        return json.loads(self(*argv, "--json")[1])
