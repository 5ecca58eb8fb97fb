"""One translation from library, socket and TLS failures to domain errors, with stable codes and scopes."""

from __future__ import annotations

import imaplib
import poplib
import socket
import ssl
from pathlib import Path

import aiosmtplib
import pytest

from desktop_sync.connectors.errors import ErrorCode, error, translate
from desktop_sync.connectors.transport import transport_context
from desktop_sync.domain.errors import DesktopSyncError, ErrorScope, PermanentError, TransientError
from desktop_sync.domain.messages import known_codes
from desktop_sync.domain.model import Endpoint, Profile, ProfileKind, Security


def connect_error(cause: BaseException) -> aiosmtplib.SMTPConnectError:
    try:
        raise aiosmtplib.SMTPConnectError("Error connecting") from cause
    except aiosmtplib.SMTPConnectError as exc:
        return exc


PERMANENT, TRANSIENT = PermanentError, TransientError
PROFILE, MAILBOX = ErrorScope.PROFILE, ErrorScope.MAILBOX

CASES: list[tuple[BaseException, str, type[DesktopSyncError], ErrorScope]] = [
    (
        ssl.SSLCertVerificationError("certificate verify failed"),
        "certificate_invalid",
        PermanentError,
        ErrorScope.PROFILE,
    ),
    (ssl.SSLError("WRONG_VERSION_NUMBER"), "tls_unavailable", PERMANENT, PROFILE),
    (ssl.SSLEOFError("EOF occurred"), "connection_dropped", TRANSIENT, MAILBOX),
    (
        socket.gaierror(socket.EAI_NONAME, "Name or service not known"),
        "host_not_found",
        PermanentError,
        ErrorScope.PROFILE,
    ),
    (socket.gaierror(socket.EAI_AGAIN, "Temporary failure"), "server_unreachable", TRANSIENT, PROFILE),
    (ConnectionRefusedError(111, "Connection refused"), "server_unreachable", TRANSIENT, PROFILE),
    (ConnectionResetError(104, "reset by peer"), "connection_dropped", TRANSIENT, MAILBOX),
    (TimeoutError("timed out"), "timeout", TRANSIENT, MAILBOX),
    (TimeoutError("timed out"), "timeout", TRANSIENT, MAILBOX),
    (imaplib.IMAP4.abort("socket error: EOF"), "connection_dropped", TRANSIENT, MAILBOX),
    (
        imaplib.IMAP4.error("b'[AUTHENTICATIONFAILED] Authentication failed.'"),
        "auth_failed",
        PermanentError,
        ErrorScope.MAILBOX,
    ),
    (
        imaplib.IMAP4.error("b'[NONEXISTENT] Mailbox doesn't exist: Gone'"),
        "mailbox_not_found",
        PermanentError,
        ErrorScope.MAILBOX,
    ),
    (imaplib.IMAP4.error("b'[UNAVAILABLE] Temporary failure'"), "server_busy", TRANSIENT, MAILBOX),
    (imaplib.IMAP4.error("b'Error in IMAP command: unknown'"), "protocol_error", TRANSIENT, MAILBOX),
    (poplib.error_proto("-ERR [AUTH] Authentication failed."), "auth_failed", PERMANENT, MAILBOX),
    (poplib.error_proto("-ERR [IN-USE] Mailbox locked"), "server_busy", TRANSIENT, MAILBOX),
    (poplib.error_proto("-ERR EOF"), "connection_dropped", TRANSIENT, MAILBOX),
    (
        aiosmtplib.SMTPAuthenticationError(535, "5.7.8 Authentication failed"),
        "auth_failed",
        PermanentError,
        ErrorScope.MAILBOX,
    ),
    (aiosmtplib.SMTPAuthenticationError(454, "4.7.0 Try later"), "smtp_temporary", TRANSIENT, MAILBOX),
    (aiosmtplib.SMTPResponseException(451, "4.3.0 Try again"), "smtp_temporary", TRANSIENT, MAILBOX),
    (aiosmtplib.SMTPServerDisconnected("Connection lost"), "connection_dropped", TRANSIENT, MAILBOX),
    (aiosmtplib.SMTPReadTimeoutError("Timed out"), "timeout", TRANSIENT, MAILBOX),
    (aiosmtplib.SMTPConnectTimeoutError("Timed out connecting"), "timeout", TRANSIENT, MAILBOX),
    (connect_error(ConnectionRefusedError(111, "refused")), "server_unreachable", TRANSIENT, PROFILE),
    (
        connect_error(ssl.SSLCertVerificationError("bad cert")),
        "certificate_invalid",
        PermanentError,
        ErrorScope.PROFILE,
    ),
    (aiosmtplib.SMTPConnectResponseError(421, "too busy"), "server_busy", TRANSIENT, MAILBOX),
    (ValueError("something unexpected"), "protocol_error", TRANSIENT, MAILBOX),
]


@pytest.mark.parametrize(("exc", "code", "kind", "scope"), CASES, ids=[f"{type(c[0]).__name__}-{c[1]}" for c in CASES])
def test_each_failure_gets_its_stable_code_class_and_scope(
    exc: BaseException, code: str, kind: type[DesktopSyncError], scope: ErrorScope
) -> None:
    translated = translate(exc)
    assert translated.code == code
    assert type(translated) is kind
    assert translated.scope is scope
    assert not translated.message.startswith("b'")


def test_a_refused_login_takes_the_scope_the_caller_gives() -> None:
    translated = translate(imaplib.IMAP4.error("b'[AUTHENTICATIONFAILED] no'"), auth_scope=ErrorScope.PROFILE)
    assert translated.code == "auth_failed" and translated.scope is ErrorScope.PROFILE


def test_a_domain_error_passes_through_unchanged() -> None:
    original = error(ErrorCode.TIMEOUT, "slow")
    assert translate(original) is original


def test_every_user_facing_code_has_its_text_except_those_listed_for_the_messages_module() -> None:
    # Codes new with the connectors; their title, cause and fix are to be added to domain.messages.
    pending = {"insecure_transport", "item_not_found", "protocol_error", "smtp_temporary", "delivery_unknown"}
    missing = {code.value for code in ErrorCode} - known_codes()
    assert missing <= pending


def profile(security: Security, **changes: object) -> Profile:
    return Profile("p", ProfileKind.IMAP, Endpoint("localhost", 993, security), **changes)  # type: ignore[arg-type]


def test_clear_text_needs_the_profile_to_allow_it() -> None:
    with pytest.raises(PermanentError) as caught:
        transport_context(profile(Security.NONE), Endpoint("localhost", 143, Security.NONE))
    assert caught.value.code == "insecure_transport"
    assert transport_context(profile(Security.NONE, allow_insecure=True), Endpoint("h", 143, Security.NONE)) is None


def test_tls_verifies_certificates_and_host_names(tls_ca: Path) -> None:
    context = transport_context(profile(Security.TLS, ca_file=str(tls_ca)), Endpoint("h", 993, Security.TLS))
    assert context is not None
    assert context.verify_mode is ssl.CERT_REQUIRED and context.check_hostname
    assert context.minimum_version >= ssl.TLSVersion.TLSv1_2


def test_an_unreadable_ca_file_is_a_certificate_problem(tmp_path: Path) -> None:
    for ca_file in (tmp_path / "missing.pem", tmp_path / "garbage.pem"):
        if ca_file.name == "garbage.pem":
            ca_file.write_text("not a certificate")
        with pytest.raises(PermanentError) as caught:
            transport_context(profile(Security.TLS, ca_file=str(ca_file)), Endpoint("h", 993, Security.TLS))
        assert caught.value.code == "certificate_invalid" and caught.value.scope is ErrorScope.PROFILE
