"""Test & Enable leaves alerts on real servers, as the reference product does.

A channel that fails records an error alert on the mailbox saying what went wrong and what to do
(wrong password, unreachable server, untrusted certificate, missing permission); a mailbox that
passes without being approved records a warning. A later passing test, and approving, clear them.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ews.fixtures import ALICE, BOB, PASSWORDS
from ews.server import EwsServer
from servers.dovecot import DovecotServer, MailUser
from servers.ports import free_port
from servers.tls import make_temp_ca
from support.cli_admin import Admin

pytestmark = [pytest.mark.dovecot]


@pytest.fixture
def admin(tmp_path: Path) -> Admin:
    return Admin(f"sqlite:///{tmp_path / 'crm.sqlite3'}")


@pytest.fixture(scope="module")
def other_ca() -> Iterator[Path]:
    """The certificate of a CA that did not sign Dovecot's certificate."""
    directory, files = make_temp_ca()
    yield files.ca_cert
    shutil.rmtree(directory, ignore_errors=True)


def imap_profile(admin: Admin, port: int, ca_file: Path) -> None:
    admin(
        "profile", "add", "Corp", "--kind", "imap", "--incoming-host", "localhost",
        "--incoming-port", str(port), "--ca-file", str(ca_file), "--timeout", "10",
    )  # fmt: skip


def add_mailbox(admin: Admin, address: str, login: str, password: str, *, approve: bool = True) -> None:
    admin("user", "add", address, "--name", address.split("@")[0])
    admin(
        "mailbox", "add", address, "--profile", "Corp", "--user", address, "--login", login,
        "--password-stdin", stdin=password,
    )  # fmt: skip
    if approve:
        admin("mailbox", "approve", address)


def run_test_enable(admin: Admin, address: str) -> dict[str, Any]:
    code, out, err = admin("mailbox", "test-enable", address, "--json", ok=False)
    assert code in (0, 4), err
    return dict(json.loads(out))


def alerts(admin: Admin, address: str) -> list[dict[str, Any]]:
    return list(admin.json("alerts", "list", "--mailbox", address))


@pytest.mark.parametrize("cause", ["wrong password", "unreachable server", "untrusted certificate"])
def test_a_failing_channel_records_an_error_alert_with_the_cause_and_the_fix(
    admin: Admin, dovecot: DovecotServer, mail_user: MailUser, tls_ca: Path, other_ca: Path, cause: str
) -> None:
    port = free_port() if cause == "unreachable server" else dovecot.ports["imaps"]
    imap_profile(admin, port, other_ca if cause == "untrusted certificate" else tls_ca)
    password = "not-" + mail_user.password if cause == "wrong password" else mail_user.password
    add_mailbox(admin, mail_user.address, mail_user.name, password)

    report = run_test_enable(admin, mail_user.address)
    assert not report["ok"]
    [alert] = alerts(admin, mail_user.address)
    assert (alert["severity"], alert["scope"], alert["code"]) == ("error", "mailbox", "test_enable_failed")
    expected = {
        "wrong password": ("The server refused the credentials", "password"),
        "unreachable server": ("The server cannot be reached", "port"),
        "untrusted certificate": ("The server's certificate is not trusted", "CA file"),
    }[cause]
    assert alert["title"] == expected[0]
    assert expected[1] in alert["fix"]
    assert mail_user.address in alert["cause"] or "localhost" in alert["cause"]
    assert "incoming email test failed" in alert["cause"]


def test_the_error_clears_when_a_later_test_passes_and_the_warning_when_approved(
    admin: Admin, dovecot: DovecotServer, mail_user: MailUser, tls_ca: Path
) -> None:
    imap_profile(admin, dovecot.ports["imaps"], tls_ca)
    address = mail_user.address
    add_mailbox(admin, address, mail_user.name, "not-" + mail_user.password, approve=False)
    run_test_enable(admin, address)
    assert [a["code"] for a in alerts(admin, address)] == ["test_enable_failed"]

    admin("mailbox", "set-password", address, stdin=mail_user.password)
    report = run_test_enable(admin, address)
    assert report["ok"] and not report["approved"]
    [warning] = alerts(admin, address)  # the error is gone; passing without approval is a warning
    assert (warning["severity"], warning["code"], warning["title"]) == (
        "warning",
        "mailbox_awaiting_approval",
        "Mailbox must be approved",
    )
    assert f"desktop-sync mailbox approve {address}" in warning["fix"]

    admin("mailbox", "approve", address)
    assert alerts(admin, address) == []
    report = run_test_enable(admin, address)
    assert report["ok"] and report["approved"]
    assert alerts(admin, address) == []
    cleared = admin.json("alerts", "list", "--mailbox", address, "--all")
    assert {a["code"] for a in cleared} == {"test_enable_failed", "mailbox_awaiting_approval"}
    assert all(a["cleared"] for a in cleared)


def test_a_missing_permission_records_an_error_alert(admin: Admin, ews_server: EwsServer) -> None:
    # bob may sign in but has no right to act for alice's mailbox
    admin(
        "profile", "add", "Corp", "--kind", "exchange", "--ews-url", ews_server.url, "--impersonation",
        "--login", BOB, "--password-stdin", "--allow-insecure", "--timeout", "10", stdin=PASSWORDS[BOB],
    )  # fmt: skip
    admin("user", "add", ALICE, "--name", "Alice")
    admin("mailbox", "add", ALICE, "--profile", "Corp", "--user", ALICE)
    admin("mailbox", "approve", ALICE)
    report = run_test_enable(admin, ALICE)
    assert not report["ok"]
    codes = {c["error_code"] for c in report["channels"] if c["status"] == "failure"}
    assert codes == {"impersonation_denied"}, report
    failed = [c for c in report["channels"] if c["status"] == "failure"]
    found = alerts(admin, ALICE)
    assert len(found) == len(failed)  # one per failed channel, each saying which
    for alert in found:
        assert (alert["severity"], alert["code"]) == ("error", "test_enable_failed")
        assert alert["title"] == "The service account may not act for the mailbox"
        assert "ApplicationImpersonation" in alert["fix"]
    assert {a["cause"].split(" test failed")[0].rsplit("the ", 1)[1] for a in found} == {
        {"incoming": "incoming email", "outgoing": "outgoing email", "act": "appointments, contacts and tasks"}[
            c["channel"]
        ]
        for c in failed
    }
