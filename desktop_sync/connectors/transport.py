"""Opening connections the same way for every connector: the TLS policy, name resolution, the first
address that answers, the connection-test step recorder and the settings a session is opened with."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import hmac
import secrets
import socket
import ssl
import time
from dataclasses import dataclass, field
from typing import Any

from desktop_sync.connectors.errors import (
    DNS_NOT_FOUND,
    UNREACHABLE_ERRNOS,
    ErrorCode,
    credentials_scope,
    describe,
    error,
    translate,
)
from desktop_sync.connectors.workers import Kind, in_thread
from desktop_sync.domain.errors import DesktopSyncError, ErrorScope
from desktop_sync.domain.model import Endpoint, Profile, Security
from desktop_sync.domain.ports.connectors import (
    BearerTokens,
    ConnectionTest,
    ConnectionTestStep,
    Credentials,
    StepResult,
    step_text,
)


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


async def resolve(endpoint: Endpoint, timeout: float, workers: Kind) -> list[Address]:
    """The TCP addresses of ``endpoint``; HOST_NOT_FOUND, SERVER_UNREACHABLE or TIMEOUT when there are none.

    The lookup blocks a worker of the connector's kind (``workers``), not of the default pool."""
    host = endpoint.host
    lookup = in_thread(workers, socket.getaddrinfo, host, endpoint.port, 0, socket.SOCK_STREAM)
    try:
        infos = await asyncio.wait_for(lookup, timeout=timeout)
    except socket.gaierror as exc:
        if exc.errno in DNS_NOT_FOUND:
            raise error(ErrorCode.HOST_NOT_FOUND, step_text("name_not_found", host=host)) from exc
        reason = exc.strerror or describe(exc)
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
    if isinstance(exc, OSError) and exc.errno in UNREACHABLE_ERRNOS:
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
class ServerSettings:
    """How to reach and log in to one server of a profile; built once per connector."""

    endpoint: Endpoint
    context: ssl.SSLContext | None
    timeout: float
    login: str
    secret: str | None = field(repr=False)
    auth_scope: ErrorScope
    bearer: BearerTokens | None = field(default=None, repr=False)  # an OAuth profile's tokens, not a password

    @classmethod
    def of(cls, profile: Profile, credentials: Credentials, endpoint: Endpoint | None = None) -> ServerSettings:
        """The settings for ``endpoint``: the profile's incoming server (IMAP, POP3) unless given."""
        endpoint = profile.incoming if endpoint is None else endpoint
        return cls(
            endpoint=endpoint,
            context=transport_context(profile, endpoint),
            timeout=float(profile.timeout_seconds),
            login=credentials.login,
            secret=credentials.secret,
            auth_scope=credentials_scope(profile),
            bearer=credentials.bearer,
        )


def server_text(value: object) -> str:
    """What a server said (bytes as the libraries hand them over), as text; undecodable bytes replaced."""
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("utf-8", "replace")
    return "" if value is None else str(value)


def require_secret(settings: ServerSettings) -> str:
    """The password to log in with; PASSWORD_MISSING, in the credentials' scope, when there is none."""
    if settings.secret is None:
        raise error(
            ErrorCode.PASSWORD_MISSING, step_text("no_password", login=settings.login), scope=settings.auth_scope
        )
    return settings.secret


def refused_before_connecting(problem: DesktopSyncError) -> ConnectionTest:
    """The connection test of a connector whose settings refuse to connect (clear text the profile
    does not allow, an unusable CA file): its TLS step fails, before any connection is made."""
    steps = StepRecorder()
    steps.begin(ConnectionTestStep.TLS)
    steps.fail(problem)
    return steps.result()


IncomingSettings = ServerSettings  # how to reach an incoming server (IMAP, POP3)
