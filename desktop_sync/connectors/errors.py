"""The edge where network failures become domain errors: the stable codes and the one translation.

Besides ``translate`` this holds the few connection-opening pieces every connector shares (name
resolution, the TLS policy, the connection-test step recorder), because that is where most of those
failures arise and where each must get the same code whatever the protocol.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import enum
import errno
import hashlib
import hmac
import imaplib
import poplib
import secrets
import socket
import ssl
import time
from dataclasses import dataclass, field
from typing import Any

import aiosmtplib

from desktop_sync.domain.connectors import ConnectionTest, ConnectionTestStep, Credentials, StepResult, step_text
from desktop_sync.domain.errors import DesktopSyncError, ErrorScope, PermanentError, TransientError
from desktop_sync.domain.model import CredentialsOn, Endpoint, Profile, Security


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
_DNS_NOT_FOUND = frozenset(
    code for code in (getattr(socket, name, None) for name in ("EAI_NONAME", "EAI_NODATA", "EAI_FAIL")) if code
)
_UNREACHABLE_ERRNOS = frozenset({errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EHOSTDOWN, errno.ENETDOWN})


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
    text = _describe(exc)
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
        if exc.errno in _DNS_NOT_FOUND:
            return error(ErrorCode.HOST_NOT_FOUND, text)
        return error(ErrorCode.SERVER_UNREACHABLE, text)
    if isinstance(exc, ConnectionRefusedError):
        return error(ErrorCode.SERVER_UNREACHABLE, text)
    if isinstance(exc, ConnectionError | EOFError):
        return error(ErrorCode.CONNECTION_DROPPED, text)
    if isinstance(exc, OSError):
        if exc.errno in _UNREACHABLE_ERRNOS:
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
    said = verify_message if isinstance(verify_message, str) and verify_message else _describe(exc)
    if code == "certificate_wrong_name":  # "Hostname mismatch, certificate is not valid for 'name'."
        quoted = said.split("'")
        return step_text(code, host=quoted[-2] if len(quoted) >= 3 else "?")
    return step_text(code) if code else step_text("certificate_not_verified", reason=said)


def _describe(exc: BaseException) -> str:
    """The exception's text, readable: imaplib packs server text as a bytes repr."""
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return f"{exc.code} {exc.message}"
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        return "; ".join(f"{refused.recipient}: {refused.code} {refused.message}" for refused in exc.recipients)
    text = str(exc) or type(exc).__name__
    if text.startswith(("b'", 'b"')) and text.endswith(("'", '"')):
        text = text[2:-1]
    return text


# --- opening connections: what every connector does the same way


def transport_context(profile: Profile, endpoint: Endpoint) -> ssl.SSLContext | None:
    """The verifying TLS context for ``endpoint``, or None for clear text the profile allows.

    A profile's CA file replaces the system store for that profile (it names the one CA that signs
    the server), so a private CA cannot vouch for other hosts. Clear text without
    ``allow_insecure`` is refused before any connection is made.
    """
    if endpoint.security is Security.NONE:
        if not profile.allow_insecure:
            raise error(
                ErrorCode.INSECURE_TRANSPORT,
                f"{endpoint.host}:{endpoint.port} is set to clear text, and the profile does not allow "
                "insecure transport",
            )
        return None
    try:
        context = ssl.create_default_context(cafile=profile.ca_file)
    except (OSError, ValueError) as exc:  # ssl.SSLError is an OSError
        raise error(ErrorCode.CERTIFICATE_INVALID, f"the CA file {profile.ca_file} cannot be used: {exc}") from exc
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


@dataclass(frozen=True, slots=True)
class Address:
    """One way to reach a server, as name resolution gave it."""

    family: socket.AddressFamily
    kind: socket.SocketKind
    proto: int
    sockaddr: tuple[Any, ...]

    @property
    def host(self) -> str:
        return str(self.sockaddr[0])


async def resolve(endpoint: Endpoint, timeout: float) -> list[Address]:
    """The TCP addresses of ``endpoint``; HOST_NOT_FOUND, SERVER_UNREACHABLE or TIMEOUT when there are none."""
    loop = asyncio.get_running_loop()
    host = endpoint.host
    try:
        infos = await asyncio.wait_for(loop.getaddrinfo(host, endpoint.port, type=socket.SOCK_STREAM), timeout=timeout)
    except socket.gaierror as exc:
        if exc.errno in _DNS_NOT_FOUND:
            raise error(ErrorCode.HOST_NOT_FOUND, step_text("name_not_found", host=host)) from exc
        reason = exc.strerror or _describe(exc)
        raise error(ErrorCode.SERVER_UNREACHABLE, step_text("name_lookup_failed", host=host, reason=reason)) from exc
    except TimeoutError as exc:
        raise error(ErrorCode.TIMEOUT, step_text("name_lookup_timeout", host=host, seconds=_seconds(timeout))) from exc
    except OSError as exc:
        raise translate(exc) from exc
    addresses = [Address(family, kind, proto, tuple(sockaddr)) for family, kind, proto, _name, sockaddr in infos]
    if not addresses:
        raise error(ErrorCode.HOST_NOT_FOUND, step_text("name_without_address", host=host))
    return addresses


def _seconds(value: float) -> str:
    return f"{value:g}"


def connect_error(exc: BaseException, host: str, address: Address, timeout: float) -> DesktopSyncError:
    """The domain error for a TCP connection to ``address`` (a name of ``host``) that failed, said as
    a person would: refused, no answer, no route; anything else as ``translate`` says it."""
    facts = {"host": host, "address": address.host, "port": str(address.sockaddr[1])}
    if isinstance(exc, ConnectionRefusedError):
        return error(ErrorCode.SERVER_UNREACHABLE, step_text("refused", **facts))
    if isinstance(exc, TimeoutError):
        return error(ErrorCode.TIMEOUT, step_text("no_answer", seconds=_seconds(timeout), **facts))
    if isinstance(exc, OSError) and exc.errno in _UNREACHABLE_ERRNOS:
        return error(ErrorCode.SERVER_UNREACHABLE, step_text("unreachable", **facts))
    return translate(exc)


def connect_first(addresses: list[Address], timeout: float, host: str = "") -> socket.socket:
    """A blocking TCP connection to the first address that answers (for the worker-thread connectors);
    the last address's failure, as a domain error, when none does."""
    last: tuple[OSError, Address] | None = None
    for address in addresses:
        sock = socket.socket(address.family, address.kind, address.proto)
        try:
            sock.settimeout(timeout)
            sock.connect(address.sockaddr)
        except OSError as exc:
            sock.close()
            last = (exc, address)
            continue
        return sock
    assert last is not None, "resolve() never returns an empty list"
    raise connect_error(last[0], host or last[1].host, last[1], timeout) from last[0]


@dataclass(slots=True)
class StepRecorder:
    """Collects the steps of a connection test, each timed from its ``begin``; the first failure ends it.

    Opening code records into one whatever the caller: outside a test nobody reads it.
    """

    steps: list[StepResult] = field(default_factory=list)
    current: ConnectionTestStep = ConnectionTestStep.RESOLVE
    last_request: str = ""
    last_response: str = ""
    transcript: list[str] = field(default_factory=list)
    _started: float = field(default_factory=time.monotonic)

    def begin(self, step: ConnectionTestStep) -> None:
        self.current = step
        self._started = time.monotonic()

    def _elapsed_ms(self) -> float:
        return round((time.monotonic() - self._started) * 1000.0, 3)

    def ok(self, detail: str = "") -> None:
        self.steps.append(StepResult(self.current, True, detail, None, self._elapsed_ms()))

    def fail(self, problem: DesktopSyncError) -> None:
        self.steps.append(StepResult(self.current, False, problem.message, problem.code, self._elapsed_ms()))
        if self.last_request and not self.last_response:
            self.last_response = problem.message  # the refusal is the answer to the last request
        self.transcript.append(f"! {problem.message}")

    def exchange(self, request: str, response: str = "") -> None:
        """Remember a command and its answer; callers mask secrets before they get here."""
        self.last_request = request
        self.last_response = response
        if request:
            self.transcript.append(f"> {request}")
        if response:
            self.transcript.append(f"< {response}")

    def answer(self, response: str) -> None:
        self.last_response = response
        if response:
            self.transcript.append(f"< {response}")

    def result(self) -> ConnectionTest:
        return ConnectionTest(tuple(self.steps), self.last_request, self.last_response, tuple(self.transcript))


def tls_detail(sock: ssl.SSLSocket | ssl.SSLObject | None) -> str:
    """What a finished TLS handshake agreed on, and whose certificate it verified until when."""
    if sock is None:
        return "TLS"
    cipher = sock.cipher()
    facts = {"version": sock.version() or "TLS", "cipher": cipher[0] if cipher else "?"}
    certificate = sock.getpeercert() or {}
    if not certificate:
        return step_text("tls_plain", **facts)
    expiry = certificate.get("notAfter")
    if isinstance(expiry, str):
        with contextlib.suppress(ValueError):
            expiry = dt.datetime.fromtimestamp(ssl.cert_time_to_seconds(expiry), dt.UTC).date().isoformat()
    return step_text(
        "tls",
        subject=_name(certificate.get("subject")),
        issuer=_name(certificate.get("issuer")),
        expiry=expiry or "?",
        **facts,
    )


def _name(rdns: Any) -> str:
    """A certificate name as its common name (or organization), e.g. ``imap.contoso.test``."""
    attributes = {key: value for rdn in rdns or () for key, value in rdn}
    return str(attributes.get("commonName") or attributes.get("organizationName") or "?")


_FINGERPRINT_KEY = secrets.token_bytes(32)  # per process: a fingerprint means nothing outside it


def secret_fingerprint(secret: str | None) -> str | None:
    """A keyed hash of ``secret`` for keys that must change with it (connection reuse), never the secret.

    Two connectors with the same password share a connection, a changed password does not, and a
    key, its repr or a dump of a cache shows nothing that would help guess the password."""
    if secret is None:
        return None
    return hmac.new(_FINGERPRINT_KEY, secret.encode("utf-8"), hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class IncomingSettings:
    """How to reach and log in to an incoming server (IMAP, POP3); built once per connector."""

    endpoint: Endpoint
    context: ssl.SSLContext | None
    timeout: float
    login: str
    secret: str | None = field(repr=False)
    auth_scope: ErrorScope

    @classmethod
    def of(cls, profile: Profile, credentials: Credentials) -> IncomingSettings:
        return cls(
            endpoint=profile.incoming,
            context=transport_context(profile, profile.incoming),
            timeout=float(profile.timeout_seconds),
            login=credentials.login,
            secret=credentials.secret,
            auth_scope=credentials_scope(profile),
        )
