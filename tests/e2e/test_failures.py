"""End to end on real servers: what an admin sees when the server, its certificate or the network fails.

An untrusted certificate and a wrong password are permanent (the channel is disabled, an error alert
says why); a connection cut in the middle of a FETCH is transient (backing off, a warning) and a
later cycle brings in everything, nothing lost and nothing twice; a UIDVALIDITY reset resynchronizes
without duplicates. Dovecot runs on loopback; the faults come from a TCP proxy in front of it and
from ``doveadm``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import sqlite3
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from connectors.mailkit import TcpProxy
from servers.dovecot import DovecotServer, MailUser
from servers.ports import LOOPBACK
from servers.tls import make_temp_ca
from support.cli_admin import Admin as CliAdmin
from support.waiting import eventually

from desktop_sync.connectors.factory import MailConnectorFactory
from desktop_sync.engine.engine import Engine, EngineSettings
from desktop_sync.secrets import KeyringSecrets
from desktop_sync.store import open_store

pytestmark = [pytest.mark.dovecot]


# --- helpers


class Admin(CliAdmin):
    """The CLI as an admin types it, on one SQLite store, with a look at what no command shows."""

    def __init__(self, path: Path):
        super().__init__(f"sqlite:///{path}")
        self.path = path

    def status(self, address: str) -> dict[str, Any]:
        """The engine's record of a mailbox (``mailbox_status``), which no CLI command shows yet."""
        with contextlib.closing(sqlite3.connect(self.path)) as db:
            db.row_factory = sqlite3.Row
            row = db.execute(
                "SELECT s.state, s.failure_count, s.last_error_code, s.last_error, s.backoff_until, s.next_sync_at "
                "FROM mailbox_status s JOIN mailboxes m ON m.id = s.mailbox_id WHERE m.address = ?",
                (address,),
            ).fetchone()
        assert row is not None, f"no status for {address}"
        return dict(row)

    def incoming_channel(self, address: str) -> dict[str, Any]:
        [mailbox] = [m for m in self.json("mailbox", "list") if m["address"] == address]
        return dict(mailbox["incoming"])

    def incoming_activities(self) -> list[dict[str, Any]]:
        return list(self.json("email", "list", "--direction", "incoming", "--limit", "100000"))


@pytest.fixture
def admin(tmp_path: Path) -> Admin:
    return Admin(tmp_path / "crm.sqlite3")


@pytest.fixture(scope="module")
def other_ca() -> Iterator[Path]:
    """The certificate of a CA that did not sign Dovecot's certificate."""
    directory, files = make_temp_ca()
    yield files.ca_cert
    shutil.rmtree(directory, ignore_errors=True)


def message(n: int, to: str, *, size: int = 0, message_id: str | None = None) -> bytes:
    """A customer's mail; ``size`` pads the body to about that many bytes."""
    message_id = message_id or f"<order{n}.{uuid.uuid4().hex}@customer.test>"
    body = f"Please ship order {n}.\r\n"
    if size > len(body):
        line = f"The quick brown fox jumps over the lazy dog, order {n}.\r\n"
        body += line * ((size - len(body)) // len(line) + 1)
    return (
        f"From: Carol <carol@customer.test>\r\nTo: {to}\r\nSubject: order {n}\r\nMessage-ID: {message_id}\r\n"
        f"Date: Wed, 25 Nov 2026 10:00:00 +0000\r\n\r\n{body}"
    ).encode()


def add_profile(admin: Admin, port: int, *, ca_file: Path | None, security: str = "tls") -> None:
    argv = [
        "profile",
        "add",
        "Corp",
        "--kind",
        "imap",
        "--incoming-host",
        "localhost",
        "--incoming-port",
        str(port),
        "--incoming-security",
        security,
        "--timeout",
        "10",
    ]
    if ca_file is not None:
        argv += ["--ca-file", str(ca_file)]
    if security == "none":
        argv.append("--allow-insecure")
    admin(*argv)


def add_mailbox(admin: Admin, user: MailUser, *, password: str | None = None) -> str:
    """A CRM user tracking all mail, with the Dovecot account as mailbox, approved (not yet tested)."""
    address = user.address
    admin("user", "add", address, "--name", f"User {user.name}")
    admin("user", "set", address, "--tracking", "all")
    admin(
        "mailbox",
        "add",
        address,
        "--profile",
        "Corp",
        "--user",
        address,
        "--login",
        user.name,
        "--password-stdin",
        stdin=user.password if password is None else password,
    )
    admin("mailbox", "approve", address)
    return address


def enable(admin: Admin, address: str) -> dict[str, Any]:
    """Test & Enable; the incoming channel's report (with exit 0, or 4 when a channel failed)."""
    code, out, err = admin("mailbox", "test-enable", address, "--json", ok=False)
    assert code in (0, 4), err
    return next(c for c in json.loads(out)["channels"] if c["channel"] == "incoming")


def alerts_of(admin: Admin, code: str) -> list[dict[str, Any]]:
    return [a for a in admin.json("alerts", "list") if a["code"] == code]


def assert_each_once(activities: list[dict[str, Any]], expected: set[str]) -> None:
    ids = [a["message_id"] for a in activities]
    assert len(set(ids)) == len(ids), "an email was imported twice"
    assert set(ids) == expected, (
        f"missing: {sorted(expected - set(ids))[:5]}, unexpected: {sorted(set(ids) - expected)[:5]}"
    )


def message_ids(raws: list[bytes]) -> set[str]:
    found = set()
    for raw in raws:
        for line in raw.split(b"\r\n"):
            if line.startswith(b"Message-ID: "):
                found.add(line.split(b" ", 1)[1].decode())
    return found


# --- certificates


@pytest.mark.parametrize("trust", ["system store", "another CA"])
def test_an_untrusted_certificate_fails_test_and_enable_at_the_tls_step(
    admin: Admin, dovecot: DovecotServer, mail_user: MailUser, other_ca: Path, trust: str
) -> None:
    add_profile(admin, dovecot.ports["imaps"], ca_file=None if trust == "system store" else other_ca)
    address = add_mailbox(admin, mail_user)
    incoming = enable(admin, address)
    assert (incoming["status"], incoming["failed_step"], incoming["error_code"]) == (
        "failure",
        "tls",
        "certificate_invalid",
    ), incoming
    # what is wrong with the certificate, in words (not OpenSSL's "[SSL: CERTIFICATE_VERIFY_FAILED] ...")
    assert incoming["detail"] == "the server's certificate is issued by an authority this computer does not trust"
    steps = {s["step"]: s for s in incoming["steps"]}
    assert steps["connect"]["ok"] and not steps["tls"]["ok"]
    assert "authenticate" not in steps  # no password went to a server we could not verify
    assert not admin.incoming_channel(address)["enabled"]


def test_a_certificate_no_longer_trusted_disables_the_channel_with_an_error_alert(
    admin: Admin, dovecot: DovecotServer, mail_user: MailUser, tls_ca: Path, other_ca: Path, tmp_path: Path
) -> None:
    ca_file = tmp_path / "corp-ca.pem"
    shutil.copy(tls_ca, ca_file)
    add_profile(admin, dovecot.ports["imaps"], ca_file=ca_file)
    address = add_mailbox(admin, mail_user)
    assert enable(admin, address)["status"] == "success"
    dovecot.deliver(mail_user.name, message(1, address))

    shutil.copy(other_ca, ca_file)  # the CA file now names a CA that did not sign the server's certificate
    admin("engine", "run", "--once")  # a failing mailbox is an alert, not a crash

    assert admin.incoming_activities() == []
    channel = admin.incoming_channel(address)
    assert (channel["enabled"], channel["test_status"]) == (False, "failure")
    status = admin.status(address)
    assert (status["state"], status["last_error_code"], status["next_sync_at"]) == (
        "disabled",
        "certificate_invalid",
        None,
    )
    [alert] = alerts_of(admin, "certificate_invalid")
    assert alert["severity"] == "error"
    assert "certificate" in alert["cause"] and "an authority this computer does not trust" in alert["cause"], alert
    assert f"localhost:{dovecot.ports['imaps']}" in alert["cause"]
    assert "CA file" in alert["fix"]

    admin("engine", "run", "--once")  # a disabled channel is left alone: no second alert
    assert len(alerts_of(admin, "certificate_invalid")) == 1

    shutil.copy(tls_ca, ca_file)  # the admin fixes the CA file and runs Test & Enable again
    assert enable(admin, address)["status"] == "success"
    admin("engine", "run", "--once")
    assert [a["subject"] for a in admin.incoming_activities()] == ["order 1"]


# --- credentials


def test_a_wrong_password_on_an_enabled_mailbox_disables_it_with_an_auth_failed_alert(
    admin: Admin, dovecot: DovecotServer, mail_user: MailUser, tls_ca: Path
) -> None:
    add_profile(admin, dovecot.ports["imaps"], ca_file=tls_ca)
    address = add_mailbox(admin, mail_user)
    assert enable(admin, address)["status"] == "success"
    dovecot.deliver(mail_user.name, message(1, address))
    admin("mailbox", "set-password", address, stdin="not-the-password")

    admin("engine", "run", "--once")

    assert admin.incoming_activities() == []
    assert not admin.incoming_channel(address)["enabled"]
    status = admin.status(address)
    assert (status["state"], status["last_error_code"]) == ("disabled", "auth_failed")
    [alert] = alerts_of(admin, "auth_failed")
    assert (alert["severity"], alert["mailbox"]) == ("error", address)
    assert address in alert["cause"] and f"localhost:{dovecot.ports['imaps']}" in alert["cause"]
    assert "not-the-password" not in json.dumps(admin.json("alerts", "list"))

    admin("mailbox", "set-password", address, stdin=mail_user.password)
    assert enable(admin, address)["status"] == "success"
    admin("engine", "run", "--once")
    assert [a["subject"] for a in admin.incoming_activities()] == ["order 1"]


# --- the connection cut in the middle of a fetch


class FaultyProxy(TcpProxy):
    """A proxy in front of Dovecot that breaks once, then behaves.

    ``cut_at_fetch=n``: on the n-th client command asking for message bodies (``BODY.PEEK[]``),
    forward ``cut_after`` bytes of the server's answer, then close both sides (clear text only:
    the proxy must read the commands). ``drop_after=n``: once the server has sent ``n`` bytes in
    all, drop every connection at once (works through TLS).
    """

    def __init__(
        self, target_port: int, *, cut_at_fetch: int | None = None, cut_after: int = 0, drop_after: int | None = None
    ):
        super().__init__(target_port)
        self.fetches = 0
        self.cut_at_fetch = cut_at_fetch
        self.cut_after = cut_after
        self.drop_after = drop_after
        self.downstream_bytes = 0
        self.faults = 0

    async def serve(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        server_reader, server_writer = await asyncio.open_connection(LOOPBACK, self.target_port)
        self._writers.add(server_writer)
        budget: list[int] = []  # set when this connection's answer is to be cut

        async def upstream() -> None:
            while data := await client_reader.read(65536):
                if b"BODY.PEEK[]" in data:
                    self.fetches += 1
                    if self.fetches == self.cut_at_fetch:
                        budget.append(self.cut_after)
                server_writer.write(data)
                await server_writer.drain()

        async def downstream() -> None:
            while data := await server_reader.read(65536):
                if budget:
                    data = data[: budget[0]]
                    budget[0] -= len(data)
                client_writer.write(data)
                await client_writer.drain()
                self.downstream_bytes += len(data)
                if budget and budget[0] <= 0:
                    self.faults += 1
                    return
                if self.drop_after is not None and self.downstream_bytes >= self.drop_after:
                    self.drop_after = None
                    self.faults += 1
                    self.drop_all()
                    return

        pumps = [asyncio.ensure_future(upstream()), asyncio.ensure_future(downstream())]
        try:
            await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for pump in pumps:
                pump.cancel()
            await asyncio.gather(*pumps, return_exceptions=True)
            self._writers.discard(server_writer)
            client_writer.transport.abort()
            server_writer.transport.abort()


def set_up(admin: Admin, user: MailUser, port: int, *, ca_file: Path | None, security: str = "tls") -> str:
    add_profile(admin, port, ca_file=ca_file, security=security)
    address = add_mailbox(admin, user)
    assert enable(admin, address)["status"] == "success"
    return address


def check_transient_then_complete(admin: Admin, address: str, delivered: list[bytes], proxy: FaultyProxy) -> int:
    """The fault is transient and a later cycle completes the import; returns how many mails the
    broken cycle committed. Runs in a worker thread (the CLI runs its own event loop) while the
    proxy forwards on the test's."""
    admin("engine", "run", "--once")
    assert proxy.faults == 1, "the proxy did not break the connection"
    status = admin.status(address)
    assert (status["state"], status["last_error_code"], status["failure_count"]) == (
        "backing_off",
        "connection_dropped",
        1,
    ), status
    assert status["backoff_until"] is not None
    assert admin.incoming_channel(address)["enabled"]  # transient: the channel stays on
    [alert] = alerts_of(admin, "connection_dropped")
    assert alert["severity"] == "warning" and address in alert["cause"]
    committed_before = len(admin.incoming_activities())
    assert committed_before < len(delivered), "the fault came too late to interrupt the import"

    admin("sync", "now", address)  # instead of waiting out the back-off
    admin("engine", "run", "--once")

    assert_each_once(admin.incoming_activities(), message_ids(delivered))
    status = admin.status(address)
    assert (status["state"], status["last_error_code"], status["failure_count"]) == ("idle", None, 0)
    assert alerts_of(admin, "connection_dropped") == []  # cleared by the cycle that succeeded
    assert admin.json("failed", "list") == []
    return committed_before


@pytest.mark.asyncio
async def test_a_connection_cut_in_the_middle_of_a_fetch_is_retried_and_nothing_is_lost_or_doubled(
    admin: Admin, dovecot: DovecotServer, mail_user: MailUser
) -> None:
    # The third batch's FETCH answer stops after 20 kB, in the middle of a message. The connector
    # hands a batch over only once the next one is fetched: the first batch (50 mails) is
    # committed with its cursor, the second and third are not.
    proxy = await FaultyProxy(dovecot.ports["imap"], cut_at_fetch=3, cut_after=20_000).start()
    try:
        address = await asyncio.to_thread(set_up, admin, mail_user, proxy.port, ca_file=None, security="none")
        delivered = [message(n, address, size=2000) for n in range(130)]
        for raw in delivered:
            dovecot.deliver(mail_user.name, raw)
        committed = await asyncio.to_thread(check_transient_then_complete, admin, address, delivered, proxy)
        assert committed == 50
    finally:
        await proxy.close()


@pytest.mark.slow
@pytest.mark.asyncio
async def test_every_connection_dropped_during_a_tls_import_is_retried_and_nothing_is_lost_or_doubled(
    admin: Admin, dovecot: DovecotServer, mail_user: MailUser, tls_ca: Path
) -> None:
    # 300 mails of about 3 kB: the server's side of the import is about 1 MB; everything is dropped
    # at 400 kB, as when the server restarts.
    proxy = await FaultyProxy(dovecot.ports["imaps"]).start()
    try:
        address = await asyncio.to_thread(set_up, admin, mail_user, proxy.port, ca_file=tls_ca)
        proxy.downstream_bytes, proxy.drop_after = 0, 400_000  # counted from the engine's import only
        delivered = [message(n, address, size=3000) for n in range(300)]
        for raw in delivered:
            dovecot.deliver(mail_user.name, raw)
        committed = await asyncio.to_thread(check_transient_then_complete, admin, address, delivered, proxy)
        assert 0 < committed < 300
    finally:
        await proxy.close()


# --- UIDVALIDITY


def doveadm(dovecot: DovecotServer, *argv: str) -> str:
    program = shutil.which("doveadm") or shutil.which("doveadm", path="/usr/bin:/usr/sbin")
    if program is None:
        # doveadm comes with Dovecot: where the servers are installed (CI, scripts/run-tests) it must be there
        if any(
            os.environ.get(name, "").strip().lower() not in ("", "0", "false", "no")
            for name in ("CI", "DESKTOP_SYNC_REQUIRE_SERVERS")
        ):
            pytest.fail("doveadm is not installed, although the test servers are", pytrace=False)
        pytest.skip("doveadm is not installed")
    assert dovecot.root is not None
    result = subprocess.run(
        [program, "-c", str(dovecot.root / "dovecot.conf"), *argv], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def uidvalidity(dovecot: DovecotServer, user: MailUser) -> int:
    out = doveadm(dovecot, "mailbox", "status", "-u", user.name, "uidvalidity", "INBOX")
    return int(out.split("uidvalidity=")[1].split()[0])


def test_a_uidvalidity_reset_resynchronizes_without_duplicates(
    admin: Admin, dovecot: DovecotServer, mail_user: MailUser, tls_ca: Path
) -> None:
    add_profile(admin, dovecot.ports["imaps"], ca_file=tls_ca)
    address = add_mailbox(admin, mail_user)
    assert enable(admin, address)["status"] == "success"
    first = [message(n, address) for n in range(5)]
    # A mail without a Message-ID: only its content tells it is the same mail after the reset.
    anonymous = b"From: carol@customer.test\r\nTo: " + address.encode() + b"\r\nSubject: no id\r\n\r\nHello.\r\n"
    for raw in [*first, anonymous]:
        dovecot.deliver(mail_user.name, raw)
    admin("engine", "run", "--once")
    assert len(admin.incoming_activities()) == 6

    old = uidvalidity(dovecot, mail_user)
    # The server renumbers the folder (as after a restore or a migration): same mail, new UIDVALIDITY.
    doveadm(dovecot, "mailbox", "update", "-u", mail_user.name, "--uid-validity", str(old + 1000), "INBOX")
    assert uidvalidity(dovecot, mail_user) == old + 1000
    later = [message(n, address) for n in range(5, 8)]
    for raw in later:
        dovecot.deliver(mail_user.name, raw)
    admin("sync", "now", address)
    admin("engine", "run", "--once")

    activities = admin.incoming_activities()
    assert len(activities) == 9, sorted(a["subject"] for a in activities)
    assert_each_once([a for a in activities if a["subject"] != "no id"], message_ids(first + later))
    assert [a["subject"] for a in activities].count("no id") == 1
    assert admin.status(address)["state"] == "idle"
    assert admin.json("failed", "list") == []

    admin("sync", "now", address)
    admin("engine", "run", "--once")  # and the cycle after the reset finds nothing new
    assert len(admin.incoming_activities()) == 9


# --- the connection limit and IDLE


@pytest.mark.slow
# When the engine stops, a listener's slot goes to a waiting cycle, which starts to connect and is
# cancelled at once; connectors/imap.py _Link._close_orphan then closes that connection in a task
# nobody awaits, which sometimes outlives the test's event loop (an unclosed SSLSocket).
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.asyncio
async def test_idle_listeners_do_not_starve_the_cycles_of_a_service_account_profile(
    tmp_path: Path, dovecot: DovecotServer, mail_user: MailUser, tls_ca: Path
) -> None:
    admin = Admin(tmp_path / "crm.sqlite3")

    def set_up() -> None:
        admin(
            "profile",
            "add",
            "Shared",
            "--kind",
            "imap",
            "--incoming-host",
            "localhost",
            "--incoming-port",
            str(dovecot.ports["imaps"]),
            "--ca-file",
            str(tls_ca),
            "--credentials-on",
            "profile",
            "--login",
            mail_user.name,
            "--max-connections",
            "2",
            "--password-stdin",
            stdin=mail_user.password,
        )
        for n in range(3):  # one mailbox more than the profile's connections
            address = f"box{n}@example.test"
            admin("queue", "add", address, "--name", f"Queue {n}")
            admin("mailbox", "add", address, "--profile", "Shared", "--queue", address)
            admin("mailbox", "approve", address)
            assert enable(admin, address)["status"] == "success"

    await asyncio.to_thread(set_up)
    dovecot.deliver(mail_user.name, message(1, "box0@example.test"))
    store = open_store(admin.db)
    engine = Engine(
        store=store,
        connectors=MailConnectorFactory(),
        secrets=KeyringSecrets(),
        settings=EngineSettings(tick_seconds=0.05, refresh_seconds=0.2),
    )
    await engine.start()
    runner = asyncio.create_task(engine.run())
    try:

        async def imported() -> bool:
            async with store.transaction() as tx:
                return await tx.activities.count() == 3  # each queue mailbox sees the service account's INBOX

        # Without push the three cycles take well under a second.
        await eventually(imported, timeout=8, what="the first cycles of the three mailboxes")
    finally:
        engine.request_stop()
        await runner
        await engine.stop()
        await store.close()
