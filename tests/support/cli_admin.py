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
        self.initialised = False

    def __call__(self, *argv: str, stdin: str = "", ok: bool = True) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        if not self.initialised:  # as an admin starts: a store named by --db is created by init only
            said = io.StringIO()
            assert cli.main(["--db", self.db, "init"], out=said, err=said) == 0, said.getvalue()
            self.initialised = True
        code = cli.main(["--db", self.db, *argv], out=out, err=err, stdin=io.StringIO(stdin))
        if ok:
            assert code == 0, f"{argv}: {err.getvalue()}{out.getvalue()}"
        return code, out.getvalue(), err.getvalue()

    def json(self, *argv: str) -> Any:
        return json.loads(self(*argv, "--json")[1])

    def imap_mailbox(
        self, address: str, login: str, password: str, tracking: str, profile: str = "Corp", name: str = "Alice Seller"
    ) -> None:
        """A user tracking ``tracking`` and their IMAP mailbox on ``profile``, approved and Test & Enabled."""
        self("user", "add", address, "--name", name)
        self("user", "tracking", address, tracking)
        self(
            "mailbox", "add", address, "--profile", profile, "--user", address, "--login", login,
            "--password-stdin", stdin=password,
        )  # fmt: skip
        self("mailbox", "approve", address)
        self("mailbox", "test-enable", address)

    def exchange_mailbox(
        self, ews_url: str, service_password: str, address: str, *profile_options: str, tracking: str | None = None
    ) -> dict[str, dict[str, Any]]:
        """An Exchange profile "Exchange" whose service account ``svc`` impersonates; ``address``'s user
        and mailbox added, approved and Test & Enabled. Returns the test's channels by name."""
        self(
            "profile",
            "add",
            "Exchange",
            "--kind",
            "exchange",
            "--ews-url",
            ews_url,
            "--impersonation",
            "--login",
            "svc",
            "--password-stdin",
            "--allow-insecure",
            "--timeout",
            "10",
            *profile_options,
            stdin=service_password,
        )
        self("user", "add", address, "--name", address.split("@")[0].capitalize())
        if tracking is not None:
            self("user", "set", address, "--tracking", tracking)
        self("mailbox", "add", address, "--profile", "Exchange", "--user", address)
        self("mailbox", "approve", address)
        _, out, _ = self("mailbox", "test-enable", address, "--json", ok=False)
        return {c["channel"]: c for c in json.loads(out)["channels"]}
