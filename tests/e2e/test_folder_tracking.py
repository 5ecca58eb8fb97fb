"""Folder-level tracking on a real Dovecot: mail put in a tracked folder is tracked, renames keep the rule."""

from __future__ import annotations

import imaplib
import ssl
from pathlib import Path

import pytest
from servers.dovecot import DovecotServer, MailUser
from sqlalchemy import text
from support.cli_admin import Admin, mail

from desktop_sync.store.database import make_sync_engine, resolve_url

pytestmark = pytest.mark.dovecot


@pytest.fixture
def admin(tmp_path: Path) -> Admin:
    return Admin(f"sqlite:///{tmp_path / 'crm.sqlite3'}")


def imap(dovecot: DovecotServer, user: MailUser, tls_ca: Path) -> imaplib.IMAP4_SSL:
    connection = imaplib.IMAP4_SSL(
        "localhost", dovecot.ports["imaps"], ssl_context=ssl.create_default_context(cafile=str(tls_ca))
    )
    connection.login(user.name, user.password)
    return connection


def sql(admin: Admin, statement: str) -> list[tuple[object, ...]]:
    engine = make_sync_engine(resolve_url(admin.db))
    try:
        with engine.begin() as connection:
            result = connection.execute(text(statement))
            return [tuple(r) for r in result] if result.returns_rows else []
    finally:
        engine.dispose()


def test_a_tracked_folder_tracks_its_mail_and_follows_a_rename(
    admin: Admin, dovecot: DovecotServer, mail_user: MailUser, tls_ca: Path
) -> None:
    address = mail_user.address
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
    admin("user", "add", address, "--name", "Sam")
    admin("user", "tracking", address, "none")  # only the folder rule tracks anything
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
        stdin=mail_user.password,
    )
    admin("mailbox", "approve", address)
    admin("mailbox", "test-enable", address)
    sql(admin, "INSERT INTO accounts (name, created_at) VALUES ('Contoso', CURRENT_TIMESTAMP)")
    with imap(dovecot, mail_user, tls_ca) as connection:
        connection.create("INBOX/Deals")

    folders = {f["name"]: f for f in admin.json("mailbox", "folders", address)}
    assert folders["INBOX/Deals"]["trackable"] and not folders["INBOX/Deals"]["tracked"]
    assert not folders["Sent"]["trackable"] and not folders["INBOX"]["trackable"]

    admin("mailbox", "track-folder", address, "INBOX/Deals", "--regarding", "account:1")
    with imap(dovecot, mail_user, tls_ca) as connection:
        connection.append("INBOX/Deals", None, None, mail(1, address))
    dovecot.deliver(mail_user.name, mail(2, address))  # the Inbox: not tracked ("none")
    admin("engine", "run", "--once")
    [tracked] = admin.json("email", "list")
    assert (tracked["subject"], tracked["regarding"]) == ("order 1", {"type": "account", "id": 1})
    assert tracked["tracked_reason"] == "in the tracked folder INBOX/Deals"

    with imap(dovecot, mail_user, tls_ca) as connection:
        assert connection.rename("INBOX/Deals", "INBOX/Won")[0] == "OK"
        connection.append("INBOX/Won", None, None, mail(3, address))
    admin("sync", "now", address)  # not due for minutes otherwise
    admin("engine", "run", "--once")
    subjects = sorted(a["subject"] for a in admin.json("email", "list"))
    assert subjects == ["order 1", "order 3"]  # the rule followed the rename; nothing twice
    assert (
        admin.json("mailbox", "folders", address)
        and {f["name"]: f["tracked"] for f in admin.json("mailbox", "folders", address)}["INBOX/Won"]
    )


def test_only_folders_under_the_inbox_and_known_records(
    admin: Admin, dovecot: DovecotServer, mail_user: MailUser, tls_ca: Path
) -> None:
    address = mail_user.address
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
        address,
        "--profile",
        "Corp",
        "--login",
        mail_user.name,
        "--password-stdin",
        stdin=mail_user.password,
    )
    with imap(dovecot, mail_user, tls_ca) as connection:
        connection.create("INBOX/Deals")
    for argv, field in [
        (("Sent",), "FOLDER"),
        (("INBOX",), "FOLDER"),
        (("INBOX/Nope",), "FOLDER"),
        (("INBOX/Deals", "--regarding", "task:1"), "--regarding"),
        (("INBOX/Deals", "--regarding", "account:99"), "--regarding"),
    ]:
        code, _, err = admin("mailbox", "track-folder", address, *argv, ok=False)
        assert code == 2 and field in err, err
    assert admin.json("mailbox", "folders", address)
