"""The full round trip on real servers: mail written in the CRM goes out by SMTP, reaches the
correspondent's mailbox, and the correspondent's reply comes back by IMAP, tracked and correlated
to the original.

A is a CRM user whose mailbox tracks replies only; B is an outside correspondent with a Dovecot
account of their own, who reads by IMAP and replies through the SMTP server (which delivers into
A's INBOX). Nothing is faked.
"""

from __future__ import annotations

import email.policy
import imaplib
import itertools
import smtplib
import ssl
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import make_msgid
from pathlib import Path
from typing import Any

import pytest
from servers.dovecot import DovecotServer, MailUser
from servers.smtp import SmtpServer
from support.cli_admin import Admin

pytestmark = [pytest.mark.dovecot, pytest.mark.smtp]

_correspondents = itertools.count(1)


@pytest.fixture
def admin(tmp_path: Path) -> Admin:
    return Admin(f"sqlite:///{tmp_path / 'crm.sqlite3'}")


@pytest.fixture
def correspondent(dovecot: DovecotServer) -> MailUser:
    """B: someone outside the CRM, with a mailbox of their own on the same server."""
    name = f"outside{next(_correspondents)}"
    return dovecot.add_user(name, f"{name}-pw")


def set_up_crm_user(admin: Admin, dovecot: DovecotServer, smtp_server: SmtpServer, user: MailUser, tls_ca: Path) -> str:
    """A's profile, user (tracking replies) and mailbox, tested and enabled for incoming and outgoing."""
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
    address = user.address
    admin("user", "add", address, "--name", "Alice Seller")
    admin("user", "tracking", address, "replies")
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
        stdin=user.password,
    )
    admin("mailbox", "approve", address)
    report = admin.json("mailbox", "test-enable", address)
    assert report["ok"], report
    return address


def send_from_crm(admin: Admin, sender: str, to: str, subject: str) -> dict[str, Any]:
    queued = admin.json(
        "email", "send", "--from", sender, "--to", to, "--subject", subject, "--body", f"About: {subject}."
    )
    assert queued["status"] == "pending_send"
    return dict(queued)


def inbox_of(dovecot: DovecotServer, user: MailUser, tls_ca: Path) -> list[EmailMessage]:
    """Every message in ``user``'s INBOX, read by IMAP as the user's own mail program would."""
    context = ssl.create_default_context(cafile=str(tls_ca))
    with imaplib.IMAP4_SSL("localhost", dovecot.ports["imaps"], ssl_context=context, timeout=10) as imap:
        imap.login(user.name, user.password)
        imap.select("INBOX", readonly=True)
        _, data = imap.uid("SEARCH", "ALL")
        found = []
        for uid in data[0].split():
            _, parts = imap.uid("FETCH", uid, "(BODY.PEEK[])")
            raw = parts[0][1]  # type: ignore[index]
            assert isinstance(raw, bytes)
            message = BytesParser(policy=email.policy.default).parsebytes(raw)
            assert isinstance(message, EmailMessage)
            found.append(message)
        return found


def reply_by_smtp(
    smtp_server: SmtpServer,
    tls_ca: Path,
    author: MailUser,
    to: str,
    subject: str,
    *,
    in_reply_to: str | None = None,
    references: str | None = None,
    body: str = "Thanks, that works for us.",
) -> str:
    """``author`` writes to ``to`` through the SMTP server (STARTTLS, AUTH), which delivers into Dovecot."""
    message = EmailMessage()
    message["From"] = f"Bob Buyer <{author.address}>"
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="example.test")
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    if references:
        message["References"] = references
    message.set_content(body)
    with smtplib.SMTP("localhost", smtp_server.port, timeout=10) as smtp:
        smtp.starttls(context=ssl.create_default_context(cafile=str(tls_ca)))
        smtp.login(author.name, author.password)
        smtp.send_message(message)
    return str(message["Message-ID"])


def incoming(admin: Admin) -> dict[str, dict[str, Any]]:
    return {a["message_id"]: a for a in admin.json("email", "list", "--direction", "incoming")}


def test_sent_from_the_crm_received_by_the_correspondent_and_the_reply_correlated_by_in_reply_to(
    admin: Admin,
    dovecot: DovecotServer,
    smtp_server: SmtpServer,
    mail_user: MailUser,
    correspondent: MailUser,
    tls_ca: Path,
) -> None:
    a = set_up_crm_user(admin, dovecot, smtp_server, mail_user, tls_ca)
    b = correspondent.address
    queued = send_from_crm(admin, a, b, "Quote for 12 chairs")
    assert "CRM:" in queued["subject"]  # the tracking token, by default

    admin("engine", "run", "--once")

    [sent] = admin.json("email", "list", "--direction", "outgoing")
    assert (sent["id"], sent["status"], sent["message_id"]) == (queued["id"], "sent", queued["message_id"])
    [handed_over] = smtp_server.messages
    assert (handed_over.login, handed_over.tls, handed_over.rcpt_tos) == (mail_user.name, True, (b,))
    # B's own mailbox holds it, as B's mail program sees it.
    [received] = inbox_of(dovecot, correspondent, tls_ca)
    assert received["Message-ID"] == queued["message_id"]
    assert received["Subject"] == queued["subject"]
    assert mail_user.address in received["From"]

    # B answers: the usual reply headers point at the mail B received.
    reply_id = reply_by_smtp(
        smtp_server,
        tls_ca,
        correspondent,
        a,
        f"Re: {received['Subject']}",
        in_reply_to=received["Message-ID"],
        references=received["Message-ID"],
    )
    unrelated_id = reply_by_smtp(smtp_server, tls_ca, correspondent, a, "Lunch on Friday?")
    admin("sync", "now", a)
    admin("engine", "run", "--once")

    tracked = incoming(admin)
    assert unrelated_id not in tracked  # A tracks replies only
    assert set(tracked) == {reply_id}
    reply = tracked[reply_id]
    assert (reply["correlation_method"], reply["correlated_activity"]) == ("in_reply_to", sent["id"])
    assert reply["tracked_reason"] == "a reply to tracked mail"
    assert (reply["sender"], reply["recipients"], reply["mailbox"]) == (b, [a], a)

    admin("sync", "now", a)
    admin("engine", "run", "--once")  # nothing twice, either way
    assert set(incoming(admin)) == {reply_id}
    assert len(admin.json("email", "list", "--direction", "outgoing")) == 1
    assert len(smtp_server.messages) == 3  # the CRM's mail once, and B's two


def test_a_reply_that_kept_only_the_tracking_token_is_correlated_by_the_token(
    admin: Admin,
    dovecot: DovecotServer,
    smtp_server: SmtpServer,
    mail_user: MailUser,
    correspondent: MailUser,
    tls_ca: Path,
) -> None:
    a = set_up_crm_user(admin, dovecot, smtp_server, mail_user, tls_ca)
    b = correspondent.address
    first = send_from_crm(admin, a, b, "Delivery date")
    second = send_from_crm(admin, a, b, "Invoice 2026-117")
    admin("engine", "run", "--once")
    assert {m["Message-ID"] for m in inbox_of(dovecot, correspondent, tls_ca)} == {
        first["message_id"],
        second["message_id"],
    }

    # A mail program that drops In-Reply-To and References (a web mailer, a forward-and-edit):
    # only the token in the subject ties it to the second mail.
    by_token = reply_by_smtp(smtp_server, tls_ca, correspondent, a, f"AW: {second['subject']}")
    # One that keeps References only (no In-Reply-To) is tied by them.
    by_references = reply_by_smtp(
        smtp_server,
        tls_ca,
        correspondent,
        a,
        "Re: the date",
        references=f"<elsewhere@example.test> {first['message_id']}",
    )
    admin("sync", "now", a)
    admin("engine", "run", "--once")

    tracked = incoming(admin)
    assert set(tracked) == {by_token, by_references}
    assert (tracked[by_token]["correlation_method"], tracked[by_token]["correlated_activity"]) == (
        "tracking_token",
        second["id"],
    )
    assert (tracked[by_references]["correlation_method"], tracked[by_references]["correlated_activity"]) == (
        "references",
        first["id"],
    )
