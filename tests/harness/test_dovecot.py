"""The Dovecot fixture speaks real IMAP and POP3, plain, STARTTLS and implicit TLS, checked against the test CA."""

import imaplib
import poplib
import socket
import ssl
import uuid
from pathlib import Path

import pytest
from servers.dovecot import DovecotServer, MailUser
from servers.tls import TlsFiles

pytestmark = pytest.mark.dovecot


def make_message(subject: str, to: str = "alice@example.test") -> bytes:
    return (
        f"From: Carol Customer <carol@example.test>\r\nTo: {to}\r\nSubject: {subject}\r\n"
        f"Message-ID: <{uuid.uuid4()}@example.test>\r\n\r\nHello from the harness.\r\n"
    ).encode()


def verifying_context(tls_ca: Path) -> ssl.SSLContext:
    """What the app builds from a profile's CA file: verification and host-name check stay on."""
    return ssl.create_default_context(cafile=str(tls_ca))


def test_imap_starttls_login_and_read_a_delivered_message(dovecot: DovecotServer, tls_ca: Path) -> None:
    raw = make_message("starttls delivery")
    dovecot.deliver("alice", raw)
    with imaplib.IMAP4("localhost", dovecot.ports["imap"], timeout=10) as imap:
        imap.starttls(ssl_context=verifying_context(tls_ca))
        imap.login("alice", "alicepw")
        imap.select("INBOX")
        status, found = imap.search(None, '(HEADER Subject "starttls delivery")')
        assert status == "OK"
        numbers = found[0].split()
        assert len(numbers) == 1
        status, fetched = imap.fetch(numbers[0], "(BODY.PEEK[])")
        assert fetched[0][1] == raw  # type: ignore[index]


def test_imaps_with_the_ip_address_in_the_certificate(dovecot: DovecotServer, tls_ca: Path) -> None:
    with imaplib.IMAP4_SSL(
        "127.0.0.1", dovecot.ports["imaps"], ssl_context=verifying_context(tls_ca), timeout=10
    ) as imap:
        assert imap.login("bob", "bobpw")[0] == "OK"


def test_strict_x509_verification_accepts_the_test_certificates(dovecot: DovecotServer, tls_files: TlsFiles) -> None:
    # Python 3.13 turns VERIFY_X509_STRICT on by default; the test CA must already pass it.
    with imaplib.IMAP4_SSL("localhost", dovecot.ports["imaps"], ssl_context=tls_files.client_context()) as imap:
        assert imap.login("bob", "bobpw")[0] == "OK"


def test_a_client_without_the_test_ca_refuses_the_server(dovecot: DovecotServer) -> None:
    with pytest.raises(ssl.SSLCertVerificationError):
        imaplib.IMAP4_SSL("localhost", dovecot.ports["imaps"], ssl_context=ssl.create_default_context(), timeout=10)


def test_capabilities_after_login_include_idle_condstore_qresync(dovecot: DovecotServer, tls_ca: Path) -> None:
    with imaplib.IMAP4_SSL("localhost", dovecot.ports["imaps"], ssl_context=verifying_context(tls_ca)) as imap:
        imap.login("alice", "alicepw")
        status, data = imap.capability()
        assert status == "OK"
        capabilities = set(data[0].decode().upper().split())
        assert {"IDLE", "CONDSTORE", "QRESYNC", "UIDPLUS", "MOVE", "SPECIAL-USE"} <= capabilities
        assert imap.enable("QRESYNC")[0] == "OK"
        assert imap.response("ENABLED") == ("ENABLED", [b"QRESYNC"])


def test_list_shows_sent_and_drafts_special_use(dovecot: DovecotServer, mail_user: MailUser) -> None:
    with imaplib.IMAP4("127.0.0.1", dovecot.ports["imap"]) as imap:
        imap.login(mail_user.name, mail_user.password)
        status, lines = imap.list()
        assert status == "OK"
        listing = b"\n".join(line for line in lines if isinstance(line, bytes))
        assert rb'\Sent) "/" Sent' in listing
        assert rb'\Drafts) "/" Drafts' in listing


def test_idle_reports_a_delivery(dovecot: DovecotServer, mail_user: MailUser) -> None:
    with imaplib.IMAP4("127.0.0.1", dovecot.ports["imap"], timeout=10) as imap:
        imap.login(mail_user.name, mail_user.password)
        imap.select("INBOX")
        imap.send(b"I1 IDLE\r\n")
        assert imap.readline().startswith(b"+")
        dovecot.deliver(mail_user.name, make_message("while idling", to=mail_user.address))
        assert imap.readline().strip() == b"* 1 EXISTS"
        imap.send(b"DONE\r\n")
        while not imap.readline().startswith(b"I1 OK"):
            pass


def test_bad_password_is_refused(dovecot: DovecotServer) -> None:
    with (
        imaplib.IMAP4("127.0.0.1", dovecot.ports["imap"]) as imap,
        pytest.raises(imaplib.IMAP4.error, match="AUTHENTICATIONFAILED"),
    ):
        imap.login("alice", "not-the-password")


def test_added_user_can_log_in_at_once(dovecot: DovecotServer) -> None:
    dovecot.add_user("harness-new-user", "s3cret pass")
    with imaplib.IMAP4("127.0.0.1", dovecot.ports["imap"]) as imap:
        assert imap.login("harness-new-user", "s3cret pass")[0] == "OK"


def test_pop3_plain_stls_and_pop3s(dovecot: DovecotServer, mail_user: MailUser, tls_ca: Path) -> None:
    raw = make_message("for pop3", to=mail_user.address)
    dovecot.deliver(mail_user.name, raw)

    plain = poplib.POP3("127.0.0.1", dovecot.ports["pop3"], timeout=10)
    try:
        plain.user(mail_user.name)
        plain.pass_(mail_user.password)
        assert plain.stat()[0] == 1
        response, lines, _size = plain.retr(1)
        assert response.startswith(b"+OK")
        assert b"\r\n".join(lines) + b"\r\n" == raw
    finally:
        plain.quit()

    upgraded = poplib.POP3("localhost", dovecot.ports["pop3"], timeout=10)
    try:
        upgraded.stls(context=verifying_context(tls_ca))
        upgraded.user(mail_user.name)
        upgraded.pass_(mail_user.password)
        assert len(upgraded.uidl()[1]) == 1
    finally:
        upgraded.quit()

    implicit = poplib.POP3_SSL("localhost", dovecot.ports["pop3s"], context=verifying_context(tls_ca), timeout=10)
    try:
        implicit.user(mail_user.name)
        with pytest.raises(poplib.error_proto):
            implicit.pass_("wrong")
    finally:
        implicit.close()


def test_all_ports_listen_only_on_loopback(dovecot: DovecotServer) -> None:
    for port in dovecot.ports.values():
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            pass
