"""The SMTP fixture: STARTTLS and implicit TLS with the test CA, AUTH, delivery into Dovecot, rejections."""

import imaplib
import smtplib
import ssl
import uuid
from email.message import EmailMessage
from pathlib import Path

import pytest
from servers.dovecot import DovecotServer, MailUser
from servers.smtp import SmtpServer, Stage

pytestmark = [pytest.mark.smtp, pytest.mark.dovecot]


def make_message(sender: str, recipient: str, subject: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = subject
    message["Message-ID"] = f"<{uuid.uuid4()}@example.test>"
    message.set_content("Sent through the harness.\n")
    return message


def verifying_context(tls_ca: Path) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(tls_ca))


def test_starttls_auth_send_arrives_in_the_recipients_inbox(
    smtp_server: SmtpServer, dovecot: DovecotServer, mail_user: MailUser, tls_ca: Path
) -> None:
    subject = f"harness {uuid.uuid4()}"
    with smtplib.SMTP("localhost", smtp_server.port, timeout=10) as smtp:
        smtp.starttls(context=verifying_context(tls_ca))
        smtp.login("alice", "alicepw")
        smtp.send_message(make_message("alice@example.test", mail_user.address, subject))

    [received] = smtp_server.messages
    assert received.mail_from == "alice@example.test"
    assert received.rcpt_tos == (mail_user.address,)
    assert received.login == "alice"
    assert received.tls
    assert received.parsed()["Subject"] == subject

    with imaplib.IMAP4_SSL("localhost", dovecot.ports["imaps"], ssl_context=verifying_context(tls_ca)) as imap:
        imap.login(mail_user.name, mail_user.password)
        imap.select("INBOX", readonly=True)
        status, found = imap.search(None, "HEADER", "Subject", f'"{subject}"')
        assert status == "OK"
        assert len(found[0].split()) == 1


def test_bob_receives_mail_from_alice(smtp_server: SmtpServer, dovecot: DovecotServer, tls_ca: Path) -> None:
    subject = f"for bob {uuid.uuid4()}"
    with smtplib.SMTP("127.0.0.1", smtp_server.port, timeout=10) as smtp:
        smtp.starttls(context=verifying_context(tls_ca))
        smtp.login("alice", "alicepw")
        smtp.send_message(make_message("alice@example.test", "bob@example.test", subject))

    with imaplib.IMAP4("127.0.0.1", dovecot.ports["imap"]) as imap:
        imap.login("bob", "bobpw")
        imap.select("INBOX", readonly=True)
        status, found = imap.search(None, "HEADER", "Subject", f'"{subject}"')
        assert status == "OK"
        assert len(found[0].split()) == 1


def test_implicit_tls_with_auth_login(smtp_server: SmtpServer, mail_user: MailUser, tls_ca: Path) -> None:
    with smtplib.SMTP_SSL("localhost", smtp_server.tls_port, context=verifying_context(tls_ca), timeout=10) as smtp:
        smtp.ehlo()
        smtp.user, smtp.password = mail_user.name, mail_user.password
        code, _ = smtp.auth("LOGIN", smtp.auth_login, initial_response_ok=False)
        assert code == 235
        smtp.sendmail(mail_user.address, ["someone@elsewhere.test"], b"Subject: implicit\r\n\r\nhi\r\n")

    [received] = smtp_server.messages
    assert received.tls
    assert received.login == mail_user.name
    assert received.rcpt_tos == ("someone@elsewhere.test",)


def test_auth_is_offered_only_after_starttls_and_required_before_mail(smtp_server: SmtpServer) -> None:
    with smtplib.SMTP("127.0.0.1", smtp_server.port, timeout=10) as smtp:
        smtp.ehlo()
        assert smtp.has_extn("starttls")
        assert not smtp.has_extn("auth")
        code, reply = smtp.mail("alice@example.test")
        assert (code, reply) == (530, b"5.7.0 Authentication required")
    assert smtp_server.messages == []


def test_bad_password_is_refused(smtp_server: SmtpServer, tls_ca: Path) -> None:
    with smtplib.SMTP("localhost", smtp_server.port, timeout=10) as smtp:
        smtp.starttls(context=verifying_context(tls_ca))
        with pytest.raises(smtplib.SMTPAuthenticationError) as refused:
            smtp.login("alice", "wrong")
    assert refused.value.smtp_code == 535


@pytest.mark.parametrize("reply", ["550 5.7.1 Refused by policy", "451 4.3.0 Try again later"])
def test_reject_switch_refuses_the_next_message_only(smtp_server: SmtpServer, tls_ca: Path, reply: str) -> None:
    smtp_server.reject_next(reply)
    with smtplib.SMTP("localhost", smtp_server.port, timeout=10) as smtp:
        smtp.starttls(context=verifying_context(tls_ca))
        smtp.login("alice", "alicepw")
        with pytest.raises(smtplib.SMTPDataError) as refused:
            smtp.sendmail("alice@example.test", ["bob@example.test"], b"Subject: no\r\n\r\nno\r\n")
        assert refused.value.smtp_code == int(reply[:3])
        assert refused.value.smtp_error.decode() == reply[4:]

        smtp.sendmail("alice@example.test", ["bob@example.test"], b"Subject: yes\r\n\r\nyes\r\n")
    assert len(smtp_server.messages) == 1


def test_reject_switch_at_rcpt(smtp_server: SmtpServer, tls_ca: Path) -> None:
    smtp_server.reject_next("550 5.1.1 No such user", at=Stage.RCPT)
    with smtplib.SMTP("localhost", smtp_server.port, timeout=10) as smtp:
        smtp.starttls(context=verifying_context(tls_ca))
        smtp.login("alice", "alicepw")
        with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
            smtp.sendmail("alice@example.test", ["ghost@example.test"], b"Subject: x\r\n\r\nx\r\n")
    assert refused.value.recipients["ghost@example.test"][0] == 550
    assert smtp_server.messages == []


def test_reject_next_wants_a_4xx_or_5xx_reply(smtp_server: SmtpServer) -> None:
    with pytest.raises(ValueError):
        smtp_server.reject_next("250 OK")
