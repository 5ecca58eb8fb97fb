"""A password is nowhere on disk after failing logins: the canary test of issue #11.

Mailboxes on IMAP, POP3, SMTP and Exchange (the project's EWS test server) first log in with their
right password, then get a canary password the servers refuse. The engine runs a cycle with it
(incoming and a mail to send), Test & Enable tests with it, and the profile editor's connection
test tries it, all with logging at DEBUG. Then every file the product wrote (store, settings, logs,
cache) and everything the CLI printed are searched for the canary, in clear and in the encodings a
login puts it in (AUTH PLAIN, AUTH LOGIN).
"""

from __future__ import annotations

import asyncio
import base64
import json
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from ews.fixtures import ALICE, PASSWORDS
from ews.server import EwsServer
from servers.dovecot import DovecotServer, MailUser
from servers.smtp import SmtpServer
from support.cli_admin import Admin

from desktop_sync import logs
from desktop_sync.connectors.factory import MailConnectorFactory
from desktop_sync.domain.model import Channel, ProfileKind, Security
from desktop_sync.domain.validation import ProfileInput
from desktop_sync.secrets import KeyringSecrets
from desktop_sync.services.connection_test import ConnectionTestAccount, ConnectionTestService
from desktop_sync.services.profiles import ProfileService
from desktop_sync.store import open_store
from desktop_sync.store.database import default_database_path

pytestmark = [pytest.mark.dovecot, pytest.mark.smtp, pytest.mark.slow]


class RecordingAdmin(Admin):
    """The CLI with its log at DEBUG, keeping everything it printed."""

    def __init__(self, db: str) -> None:
        super().__init__(db)
        self.printed: list[str] = []

    def __call__(self, *argv: str, stdin: str = "", ok: bool = True) -> tuple[int, str, str]:
        # Logging at DEBUG to the log file for each command (a command closes the log when it ends;
        # engine run sets it up again from the settings file, at DEBUG too).
        logs.configure(console_level=None, level="debug")
        code, out, err = super().__call__(*argv, stdin=stdin, ok=ok)
        self.printed += [out, err]
        return code, out, err


@pytest.fixture
def home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """The user's data, config, log and cache directories, all under one folder searched at the end."""
    root = tmp_path / "home"
    for name in ("DATA", "CONFIG", "STATE", "CACHE"):
        monkeypatch.setenv(f"XDG_{name}_HOME", str(root / name.lower()))
    monkeypatch.delenv("DESKTOP_SYNC_DB", raising=False)
    yield root
    logs.close()
    logs.forget_secrets()


def encodings(login: str, password: str) -> dict[str, bytes]:
    """The canary as a file could hold it: clear (UTF-8, UTF-16), or as an AUTH PLAIN / AUTH LOGIN would."""
    return {
        "clear": password.encode(),
        "utf-16": password.encode("utf-16-le"),
        "auth plain": base64.b64encode(f"\0{login}\0{password}".encode()),
        "auth plain with authzid": base64.b64encode(f"{login}\0{login}\0{password}".encode()),
        "auth login": base64.b64encode(password.encode()),
    }


def channels_of(admin: Admin, address: str) -> dict[str, dict[str, object]]:
    code, out, err = admin("mailbox", "test-enable", address, "--json", ok=False)
    assert code in (0, 4), err
    return {c["channel"]: c for c in json.loads(out)["channels"]}


def test_failing_logins_leave_the_canary_password_nowhere(
    home: Path,
    dovecot: DovecotServer,
    mail_user: MailUser,
    smtp_server: SmtpServer,
    ews_server: EwsServer,
    tls_ca: Path,
) -> None:
    canary = "Canary-" + secrets.token_hex(8)
    admin = RecordingAdmin(str(default_database_path()))
    admin("settings", "set", "log_level", "debug")

    # IMAP in, SMTP out
    imap_user = mail_user
    admin(
        "profile", "add", "Corp", "--kind", "imap", "--incoming-host", "localhost",
        "--incoming-port", str(dovecot.ports["imaps"]), "--outgoing-host", "localhost",
        "--outgoing-port", str(smtp_server.port), "--outgoing-security", "starttls",
        "--ca-file", str(tls_ca), "--timeout", "10",
    )  # fmt: skip
    # POP3 in
    pop_user = dovecot.add_user(f"pop{secrets.token_hex(3)}", "pop-pw")
    admin(
        "profile", "add", "Pop", "--kind", "pop3", "--incoming-host", "localhost",
        "--incoming-port", str(dovecot.ports["pop3s"]), "--ca-file", str(tls_ca), "--timeout", "10",
    )  # fmt: skip
    # Exchange, each mailbox with its own credentials
    admin(
        "profile", "add", "Exchange", "--kind", "exchange", "--ews-url", ews_server.url,
        "--allow-insecure", "--timeout", "10",
    )  # fmt: skip

    accounts = [
        (imap_user.address, "Corp", imap_user.name, imap_user.password),
        (pop_user.address, "Pop", pop_user.name, pop_user.password),
        (ALICE, "Exchange", ALICE, PASSWORDS[ALICE]),
    ]
    for address, profile, login, password in accounts:
        admin("user", "add", address, "--name", address.split("@")[0])
        admin(
            "mailbox", "add", address, "--profile", profile, "--user", address, "--login", login,
            "--password-stdin", stdin=password,
        )  # fmt: skip
        admin("mailbox", "approve", address)
        passed = channels_of(admin, address)
        assert all(c["status"] == "success" for c in passed.values() if c["status"] != "not_run"), passed
        admin("mailbox", "set-password", address, stdin=canary)

    # The engine's cycles with the canary: incoming on all three, a mail to send through SMTP and EWS.
    for sender in (imap_user.address, ALICE):
        admin("email", "send", "--from", sender, "--to", "carol@customer.test", "--subject", "canary")
    admin("engine", "run", "--once")

    # Test & Enable with the canary: each channel fails at authentication.
    for address, *_ in accounts:
        failed = {name: c for name, c in channels_of(admin, address).items() if c["status"] != "not_run"}
        assert failed and all(c["error_code"] == "auth_failed" for c in failed.values()), failed

    # The profile editor's connection test with the canary, logging at DEBUG in this process too.
    logs.configure(console_level=None, level="debug")

    async def connection_tests() -> list[str]:
        store = open_store(str(default_database_path()))
        factory = MailConnectorFactory()
        try:
            service = ConnectionTestService(ProfileService(store, KeyringSecrets()), factory)
            forms = [
                (
                    ProfileInput(
                        name="Try IMAP", kind=ProfileKind.IMAP, incoming_host="localhost",
                        incoming_port=dovecot.ports["imaps"], outgoing_host="localhost",
                        outgoing_port=smtp_server.port, outgoing_security=Security.STARTTLS,
                        ca_file=str(tls_ca), timeout_seconds=10,
                    ),
                    ConnectionTestAccount(imap_user.address, imap_user.name, canary),
                ),
                (
                    ProfileInput(
                        name="Try POP3", kind=ProfileKind.POP3, incoming_host="localhost",
                        incoming_port=dovecot.ports["pop3s"], ca_file=str(tls_ca), timeout_seconds=10,
                    ),
                    ConnectionTestAccount(pop_user.address, pop_user.name, canary),
                ),
                (
                    ProfileInput(
                        name="Try Exchange", kind=ProfileKind.EXCHANGE, ews_url=ews_server.url,
                        allow_insecure=True, timeout_seconds=10,
                    ),
                    ConnectionTestAccount(ALICE, ALICE, canary),
                ),
            ]  # fmt: skip
            codes = []
            for form, account in forms:
                async for result in service.run(form, account):
                    if result.channel is not Channel.ACT:
                        failure = result.result.failure
                        codes.append(failure.error_code if failure else "passed")
            return codes
        finally:
            factory.close()
            await store.close()

    codes = asyncio.run(connection_tests())
    assert set(codes) == {"auth_failed"}, codes
    logs.close()

    # Logging really was at DEBUG and saw the failures: otherwise finding nothing would prove nothing.
    log_files = list((home / "state").rglob("*.log*"))
    assert log_files
    logged = "\n".join(p.read_text(encoding="utf-8") for p in log_files)
    assert " DEBUG " in logged and "auth" in logged.lower()

    written = [p for p in home.rglob("*") if p.is_file()]
    assert any(p.suffix == ".sqlite3" for p in written) and any(p.name == "settings.json" for p in written)
    found = []
    logins = {login for _, _, login, _ in accounts} | {imap_user.address, pop_user.address}
    for path in written:
        content = path.read_bytes()
        for login in logins:
            for form, needle in encodings(login, canary).items():
                if needle in content:
                    found.append(f"{path.relative_to(home)} ({form})")
    for text in admin.printed:
        if canary in text:
            found.append(f"the CLI's output: {text[:200]!r}")
    assert not found, f"the canary password was found in: {sorted(set(found))}"
