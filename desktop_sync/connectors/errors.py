"""The edge where network failures become domain errors: the stable codes and the one translation.

Opening connections (TLS, name resolution, the step recorder) lives in ``transport``.
"""

from __future__ import annotations

import enum
import errno
import imaplib
import poplib
import socket
import ssl

import aiosmtplib

from desktop_sync.domain.errors import DesktopSyncError, ErrorScope, PermanentError, TransientError
from desktop_sync.domain.model import CredentialsOn, Profile
from desktop_sync.domain.ports.connectors import step_text


class ErrorCode(enum.StrEnum):
    """Every code a connector raises; user-facing text for each lives in domain.messages."""

    AUTH_FAILED = "auth_failed"  # permanent: the server refused the login or password
    PASSWORD_MISSING = "password_missing"  # permanent: no secret to log in with
    CERTIFICATE_INVALID = "certificate_invalid"  # permanent: verification failed, or the CA file is unusable
    TLS_UNAVAILABLE = "tls_unavailable"  # permanent: no STARTTLS offered, or no TLS spoken on that port
    INSECURE_TRANSPORT = "insecure_transport"  # permanent: clear text without the profile allowing it
    HOST_NOT_FOUND = "host_not_found"  # permanent: the name does not resolve (NXDOMAIN)
    SERVER_UNREACHABLE = "server_unreachable"  # transient: refused, no route, DNS temporarily failing
    SERVER_BUSY = "server_busy"  # transient: the server said "later" (IMAP [UNAVAILABLE], POP3 [IN-USE])
    CONNECTION_DROPPED = "connection_dropped"  # transient: reset or closed in the middle of an exchange
    TIMEOUT = "timeout"  # transient: no answer within the profile's time-out
    MAILBOX_NOT_FOUND = "mailbox_not_found"  # permanent: the folder or mailbox does not exist
    ITEM_NOT_FOUND = "item_not_found"  # permanent, item scope: the message is gone
    PROTOCOL_ERROR = "protocol_error"  # transient: an answer we did not expect; retried, then escalated
    SMTP_TEMPORARY = "smtp_temporary"  # transient: an SMTP 4xx reply
    DELIVERY_UNKNOWN = "delivery_unknown"  # transient: the connection failed after the content went out
    NOT_SUPPORTED = "not_supported"  # permanent: the profile kind cannot do that


# Scopes: what a failure puts out of action. The server's name, certificate and reachability are
# shared by every mailbox of the profile; the rest concerns one mailbox's session.
_PROFILE_WIDE = frozenset(
    {
        ErrorCode.CERTIFICATE_INVALID,
        ErrorCode.TLS_UNAVAILABLE,
        ErrorCode.INSECURE_TRANSPORT,
        ErrorCode.HOST_NOT_FOUND,
        ErrorCode.SERVER_UNREACHABLE,
        ErrorCode.NOT_SUPPORTED,
    }
)
_TRANSIENT = frozenset(
    {
        ErrorCode.SERVER_UNREACHABLE,
        ErrorCode.SERVER_BUSY,
        ErrorCode.CONNECTION_DROPPED,
        ErrorCode.TIMEOUT,
        ErrorCode.PROTOCOL_ERROR,
        ErrorCode.SMTP_TEMPORARY,
        ErrorCode.DELIVERY_UNKNOWN,
    }
)

# Server response codes (RFC 5530 for IMAP, RFC 3206 for POP3) that mean "try again later".
_BUSY_MARKERS = ("[UNAVAILABLE]", "[INUSE]", "[LIMIT]", "[IN-USE]", "[SYS/TEMP]", "[OVERQUOTA]")
DNS_NOT_FOUND = frozenset(
    code for code in (getattr(socket, name, None) for name in ("EAI_NONAME", "EAI_NODATA", "EAI_FAIL")) if code
)
UNREACHABLE_ERRNOS = frozenset({errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EHOSTDOWN, errno.ENETDOWN})


def error(
    code: ErrorCode, message: str, *, scope: ErrorScope | None = None, retry_after: float | None = None
) -> DesktopSyncError:
    """The domain error for ``code``: transient or permanent, with its usual scope."""
    if scope is None:
        scope = ErrorScope.PROFILE if code in _PROFILE_WIDE else ErrorScope.MAILBOX
    if code in _TRANSIENT:
        return TransientError(message, code=code.value, scope=scope, retry_after=retry_after)
    return PermanentError(message, code=code.value, scope=scope)


def credentials_scope(profile: Profile) -> ErrorScope:
    """A refused login disables the mailbox, or the whole profile when it has one service account."""
    return ErrorScope.PROFILE if profile.credentials_on is CredentialsOn.PROFILE else ErrorScope.MAILBOX


def translate(exc: BaseException, *, auth_scope: ErrorScope = ErrorScope.MAILBOX) -> DesktopSyncError:
    """The domain error for a library, socket or TLS exception; the caller raises it ``from exc``."""
    if isinstance(exc, DesktopSyncError):
        return exc
    text = describe(exc)
    if isinstance(exc, aiosmtplib.SMTPException):
        return _translate_smtp(exc, text, auth_scope)
    if isinstance(exc, ssl.SSLCertVerificationError):
        return error(ErrorCode.CERTIFICATE_INVALID, certificate_problem(exc))
    if isinstance(exc, ssl.SSLEOFError | ssl.SSLZeroReturnError):
        return error(ErrorCode.CONNECTION_DROPPED, text)
    if isinstance(exc, ssl.SSLError):
        # A handshake that fails for any other reason (WRONG_VERSION_NUMBER, no shared protocol) means
        # the server does not speak acceptable TLS on that port.
        return error(ErrorCode.TLS_UNAVAILABLE, text)
    if isinstance(exc, TimeoutError):
        return error(ErrorCode.TIMEOUT, text)
    if isinstance(exc, socket.gaierror):
        if exc.errno in DNS_NOT_FOUND:
            return error(ErrorCode.HOST_NOT_FOUND, text)
        return error(ErrorCode.SERVER_UNREACHABLE, text)
    if isinstance(exc, ConnectionRefusedError):
        return error(ErrorCode.SERVER_UNREACHABLE, text)
    if isinstance(exc, ConnectionError | EOFError):
        return error(ErrorCode.CONNECTION_DROPPED, text)
    if isinstance(exc, OSError):
        if exc.errno in UNREACHABLE_ERRNOS:
            return error(ErrorCode.SERVER_UNREACHABLE, text)
        return error(ErrorCode.CONNECTION_DROPPED, text)
    if isinstance(exc, imaplib.IMAP4.abort):
        # imaplib aborts on EOF, on a failed send and on an unterminated line: the session is gone.
        return error(ErrorCode.CONNECTION_DROPPED, text)
    if isinstance(exc, imaplib.IMAP4.error):
        return _translate_server_text(text, auth_scope, login=type(exc).__name__ == "LoginError")
    if isinstance(exc, poplib.error_proto):
        if "EOF" in text:
            return error(ErrorCode.CONNECTION_DROPPED, text)
        return _translate_server_text(text, auth_scope, login=False)
    return error(ErrorCode.PROTOCOL_ERROR, f"{type(exc).__name__}: {text}")


def _translate_server_text(text: str, auth_scope: ErrorScope, *, login: bool) -> DesktopSyncError:
    upper = text.upper()
    if any(marker in upper for marker in _BUSY_MARKERS):
        return error(ErrorCode.SERVER_BUSY, text)
    if login or "[AUTHENTICATIONFAILED]" in upper or "[AUTH]" in upper or "[AUTHORIZATIONFAILED]" in upper:
        return error(ErrorCode.AUTH_FAILED, text, scope=auth_scope)
    if "[NONEXISTENT]" in upper or "DOESN'T EXIST" in upper or "NO SUCH MAILBOX" in upper:
        return error(ErrorCode.MAILBOX_NOT_FOUND, text)
    return error(ErrorCode.PROTOCOL_ERROR, text)


def _translate_smtp(exc: aiosmtplib.SMTPException, text: str, auth_scope: ErrorScope) -> DesktopSyncError:
    if isinstance(exc, aiosmtplib.SMTPConnectError) and not isinstance(exc, aiosmtplib.SMTPResponseException):
        cause = exc.__cause__
        if cause is not None and not isinstance(cause, aiosmtplib.SMTPException):
            # aiosmtplib wraps the OSError (refused, DNS, certificate) that says what really happened.
            return translate(cause, auth_scope=auth_scope)
    if isinstance(exc, aiosmtplib.SMTPTimeoutError):
        return error(ErrorCode.TIMEOUT, text)
    if isinstance(exc, aiosmtplib.SMTPServerDisconnected | aiosmtplib.SMTPConnectError) and not isinstance(
        exc, aiosmtplib.SMTPResponseException
    ):
        return error(ErrorCode.CONNECTION_DROPPED, text)
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        temporary = 400 <= exc.code < 500
        if isinstance(exc, aiosmtplib.SMTPAuthenticationError) and not temporary:
            return error(ErrorCode.AUTH_FAILED, text, scope=auth_scope)
        if isinstance(exc, aiosmtplib.SMTPConnectResponseError):
            return error(ErrorCode.SERVER_BUSY, text)
        if temporary:
            return error(ErrorCode.SMTP_TEMPORARY, text)
        return error(ErrorCode.PROTOCOL_ERROR, text)
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        if any(400 <= refused.code < 500 for refused in exc.recipients):
            return error(ErrorCode.SMTP_TEMPORARY, text)
        return error(ErrorCode.PROTOCOL_ERROR, text)
    return error(ErrorCode.PROTOCOL_ERROR, text)


# OpenSSL's verification results (X509_V_ERR_*) by what a person is told
_CERTIFICATE_PROBLEMS = {
    18: "certificate_self_signed",  # DEPTH_ZERO_SELF_SIGNED_CERT
    19: "certificate_self_signed",  # SELF_SIGNED_CERT_IN_CHAIN
    10: "certificate_expired",  # CERT_HAS_EXPIRED
    9: "certificate_not_yet_valid",  # CERT_NOT_YET_VALID
    2: "certificate_unknown_issuer",  # UNABLE_TO_GET_ISSUER_CERT
    20: "certificate_unknown_issuer",  # UNABLE_TO_GET_ISSUER_CERT_LOCALLY
    21: "certificate_unknown_issuer",  # UNABLE_TO_VERIFY_LEAF_SIGNATURE
    62: "certificate_wrong_name",  # HOSTNAME_MISMATCH
    64: "certificate_wrong_name",  # IP_ADDRESS_MISMATCH
}


def certificate_problem(exc: ssl.SSLCertVerificationError) -> str:
    """What is wrong with a certificate that failed verification, in words (a step text)."""
    verify_code, verify_message = getattr(exc, "verify_code", None), getattr(exc, "verify_message", None)
    code = _CERTIFICATE_PROBLEMS.get(verify_code) if isinstance(verify_code, int) else None
    said = verify_message if isinstance(verify_message, str) and verify_message else describe(exc)
    if code == "certificate_wrong_name":  # "Hostname mismatch, certificate is not valid for 'name'."
        quoted = said.split("'")
        return step_text(code, host=quoted[-2] if len(quoted) >= 3 else "?")
    return step_text(code) if code else step_text("certificate_not_verified", reason=said)


def describe(exc: BaseException) -> str:
    """The exception's text, readable: imaplib packs server text as a bytes repr."""
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return f"{exc.code} {exc.message}"
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        return "; ".join(f"{refused.recipient}: {refused.code} {refused.message}" for refused in exc.recipients)
    text = str(exc) or type(exc).__name__
    if text.startswith(("b'", 'b"')) and text.endswith(("'", '"')):
        text = text[2:-1]
    return text
