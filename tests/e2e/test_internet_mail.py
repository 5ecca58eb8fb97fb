"""End to end on real servers: an admin configures with the CLI, the engine tracks and sends mail.

Dovecot (IMAP, POP3) and the SMTP server run on loopback; nothing is faked.
"""

from __future__ import annotations

import asyncio
import imaplib
import json
import ssl
from pathlib import Path

import pytest
from connectors.mailkit import TcpProxy
from servers.dovecot import DovecotServer, MailUser
from servers.smtp import SmtpServer
from support.cli_admin import Admin, mail
from support.waiting import eventually

from desktop_sync.connectors.factory import MailConnectorFactory
from desktop_sync.engine.engine import Engine, EngineSettings
from desktop_sync.secrets import KeyringSecrets
from desktop_sync.store import open_store

pytestmark = [pytest.mark.dovecot, pytest.mark.smtp]


@pytest.fixture
def admin(tmp_path: Path) -> Admin:
    return Admin(f"sqlite:///{tmp_path / 'crm.sqlite3'}")


def sent_folder(dovecot: DovecotServer, user: MailUser, tls_ca: Path) -> list[bytes]:
    context = ssl.create_default_context(cafile=str(tls_ca))
    with imaplib.IMAP4_SSL("localhost", dovecot.ports["imaps"], ssl_context=context) as imap:
        imap.login(user.name, user.password)
        imap.select("Sent", readonly=True)
        _, data = imap.search(None, "ALL")
        found = []
        for number in data[0].split():
            _, parts = imap.fetch(number, "(BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
            found.append(parts[0][1])  # type: ignore[index]
        return found


def test_imap_and_smtp_from_configuration_to_tracked_and_sent_mail(
    admin: Admin, dovecot: DovecotServer, smtp_server: SmtpServer, mail_user: MailUser, tls_ca: Path
) -> None:
    admin(
        "profile",
        "add",
        "Corp",
        "--kind",
        "imap",
        "--incoming-host",
        "localhost",
        "--incoming-port",
        str(dovecot.ports["imaps"]),
        "--outgoing-host",
        "localhost",
        "--outgoing-port",
        str(smtp_server.port),
        "--outgoing-security",
        "starttls",
        "--ca-file",
        str(tls_ca),
        "--timeout",
        "20",
    )
    address = mail_user.address
    admin("user", "add", address, "--name", "Test User")
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
        mail_user.name,
        "--password-stdin",
        stdin=mail_user.password + "\n",
    )
    admin("mailbox", "approve", address)
    report = admin.json("mailbox", "test-enable", address)
    channels = {c["channel"]: c for c in report["channels"]}
    assert report["ok"], report
    assert channels["incoming"]["enabled"] and channels["outgoing"]["enabled"]
    assert [s["step"] for s in channels["incoming"]["steps"]] == [
        "resolve",
        "connect",
        "tls",
        "authenticate",
        "list_folders",
    ]

    for n in range(3):
        dovecot.deliver(mail_user.name, mail(n, address))
    admin("engine", "run", "--once")
    incoming = admin.json("email", "list", "--direction", "incoming")
    assert sorted(a["subject"] for a in incoming) == ["order 0", "order 1", "order 2"]
    assert incoming[0]["tracked_reason"] == "the user tracks all mail"

    admin(
        "email",
        "send",
        "--from",
        address,
        "--to",
        "bob@example.test",
        "--subject",
        "Shipped",
        "--body",
        "Your order is on its way.",
    )
    admin("engine", "run", "--once")
    [sent] = admin.json("outgoing", "list")
    assert (sent["status"], sent["step"]) == ("sent", "sent")
    delivered = [m for m in smtp_server.messages if sent["message_id"].encode() in m.raw]
    assert len(delivered) == 1 and list(delivered[0].rcpt_tos) == ["bob@example.test"]
    assert any(sent["message_id"].encode() in header for header in sent_folder(dovecot, mail_user, tls_ca))

    admin("engine", "run", "--once")  # nothing new, nothing twice
    assert len(admin.json("email", "list", "--direction", "incoming")) == 3
    assert len([m for m in smtp_server.messages if sent["message_id"].encode() in m.raw]) == 1


def test_pop3_mailbox_imports_and_leaves_mail_on_the_server(
    admin: Admin, dovecot: DovecotServer, mail_user: MailUser, tls_ca: Path
) -> None:
    admin(
        "profile",
        "add",
        "Pop",
        "--kind",
        "pop3",
        "--incoming-host",
        "localhost",
        "--incoming-port",
        str(dovecot.ports["pop3s"]),
        "--ca-file",
        str(tls_ca),
    )
    address = mail_user.address
    admin("queue", "add", address, "--name", "Support")
    admin(
        "mailbox",
        "add",
        address,
        "--profile",
        "Pop",
        "--queue",
        address,
        "--login",
        mail_user.name,
        "--password-stdin",
        stdin=mail_user.password,
    )
    admin("mailbox", "approve", address)
    assert admin.json("mailbox", "test-enable", address)["ok"]
    dovecot.deliver(mail_user.name, mail(1, address))
    admin("engine", "run", "--once")
    admin("engine", "run", "--once")
    assert [a["subject"] for a in admin.json("email", "list")] == ["order 1"]


def test_a_wrong_password_fails_test_and_enable_at_authenticate(
    admin: Admin, dovecot: DovecotServer, mail_user: MailUser, tls_ca: Path
) -> None:
    admin(
        "profile",
        "add",
        "Corp",
        "--kind",
        "imap",
        "--incoming-host",
        "localhost",
        "--incoming-port",
        str(dovecot.ports["imaps"]),
        "--ca-file",
        str(tls_ca),
    )
    admin(
        "mailbox",
        "add",
        mail_user.address,
        "--profile",
        "Corp",
        "--login",
        mail_user.name,
        "--password-stdin",
        stdin="wrong",
    )
    admin("mailbox", "approve", mail_user.address)
    code, out, _ = admin("mailbox", "test-enable", mail_user.address, "--json", ok=False)
    assert code == 4
    incoming = next(c for c in json.loads(out)["channels"] if c["channel"] == "incoming")
    assert (incoming["status"], incoming["failed_step"], incoming["error_code"]) == (
        "failure",
        "authenticate",
        "auth_failed",
    )


class CountingProxy(TcpProxy):
    """A proxy in front of Dovecot that counts the connections open at once: the server's view."""

    def __init__(self, target_port: int):
        super().__init__(target_port)
        self.open = 0
        self.peak = 0

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.open += 1
        self.peak = max(self.peak, self.open)
        try:
            await super().serve(reader, writer)
        finally:
            self.open -= 1


@pytest.mark.asyncio
async def test_the_connection_limit_holds_at_the_server(
    tmp_path: Path, dovecot: DovecotServer, mail_user: MailUser, tls_ca: Path
) -> None:
    proxy = await CountingProxy(dovecot.ports["imaps"]).start()
    db = f"sqlite:///{tmp_path / 'crm.sqlite3'}"
    admin = Admin(db)
    await asyncio.to_thread(
        admin,
        "profile",
        "add",
        "Shared",
        "--kind",
        "imap",
        "--incoming-host",
        "localhost",
        "--incoming-port",
        str(proxy.port),
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
    for n in range(8):
        await asyncio.to_thread(admin, "mailbox", "add", f"box{n}@example.test", "--profile", "Shared")
        await asyncio.to_thread(admin, "mailbox", "approve", f"box{n}@example.test")
        await asyncio.to_thread(admin, "mailbox", "test-enable", f"box{n}@example.test")
    for n in range(20):
        dovecot.deliver(mail_user.name, mail(n, mail_user.address))
    assert proxy.peak <= 2
    proxy.peak = 0
    store = open_store(db)
    engine = Engine(
        store=store,
        connectors=MailConnectorFactory(),
        secrets=KeyringSecrets(),
        settings=EngineSettings(mailbox_workers=8, push=False),
    )
    await engine.start()
    try:
        await engine.run_once()
    finally:
        await engine.stop()
        await store.close()
        await proxy.close()
    assert proxy.peak == 2  # used to the full, never beyond
    assert engine.items_committed == 8 * 20  # unowned mailboxes track all mail: each saw the 20


@pytest.mark.asyncio
async def test_idle_brings_new_mail_in_seconds(
    tmp_path: Path, dovecot: DovecotServer, mail_user: MailUser, tls_ca: Path
) -> None:
    db = f"sqlite:///{tmp_path / 'crm.sqlite3'}"
    admin = Admin(db)
    address = mail_user.address
    for argv, stdin in [
        (
            (
                "profile",
                "add",
                "Corp",
                "--kind",
                "imap",
                "--incoming-host",
                "localhost",
                "--incoming-port",
                str(dovecot.ports["imaps"]),
                "--ca-file",
                str(tls_ca),
            ),
            "",
        ),
        (("queue", "add", address, "--name", "Sales"), ""),
        (
            (
                "mailbox",
                "add",
                address,
                "--profile",
                "Corp",
                "--queue",
                address,
                "--login",
                mail_user.name,
                "--password-stdin",
            ),
            mail_user.password,
        ),
        (("mailbox", "approve", address), ""),
        (("mailbox", "test-enable", address), ""),
    ]:
        await asyncio.to_thread(admin, *argv, stdin=stdin)
    store = open_store(db)
    engine = Engine(
        store=store,
        connectors=MailConnectorFactory(),
        secrets=KeyringSecrets(),
        settings=EngineSettings(tick_seconds=0.05, refresh_seconds=0.2),
    )
    await engine.start()
    runner = asyncio.create_task(engine.run())
    try:

        async def listening() -> bool:
            return bool(engine._push_tasks) and engine.cycles_run >= 1

        await eventually(listening, what="the first cycle and the IDLE listener")
        await asyncio.sleep(0.5)
        dovecot.deliver(mail_user.name, mail(42, address))

        async def arrived() -> bool:
            async with store.transaction() as tx:
                return await tx.activities.count() == 1

        await eventually(arrived, timeout=15, what="the pushed mail")  # polling alone: minutes
    finally:
        engine.request_stop()
        await runner
        await engine.stop()
        await store.close()
