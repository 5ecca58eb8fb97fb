"""A stateful Exchange Web Services server on 127.0.0.1 that exchangelib talks to unmodified.

``EwsServer`` serves SOAP 1.1 at ``/EWS/Exchange.asmx`` (HTTP or HTTPS), SOAP autodiscover at
``/autodiscover/autodiscover.svc``, POX autodiscover at ``/autodiscover/autodiscover.xml`` and an
OAuth 2 client-credentials token endpoint at ``/{tenant}/oauth2/v2.0/token``. It keeps mailboxes,
folders and items in memory (see ``store.py``; the operations are in ``operations.py``), authenticates
with Basic, NTLM (pyspnego acceptor, one handshake per connection, as IIS does) or a bearer token,
honours ``ExchangeImpersonation`` for accounts that have the right, and can inject faults
(``server.faults``). With ``validation=Validation.STRICT`` every SOAP response is checked against
Microsoft's schemas before it is sent; an invalid one is recorded and replaced by a loud SOAP fault.
"""

from __future__ import annotations

import atexit
import base64
import contextlib
import datetime as dt
import enum
import json
import os
import re
import secrets
import socket
import ssl
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

import spnego
import spnego.exceptions
from lxml import etree

from . import operations, soap
from .faults import DROP, HTTP_401, HTTP_503, SLOW, FaultInjector, RequestRecord, Stats
from .schema import EwsSchema, SchemaError, load_schema
from .soap import SOAP, M, T
from .store import Folder, Item, Mailbox, SentMessage, Store, message_from_mime, now

if TYPE_CHECKING:
    from servers.tls import TlsFiles

LOOPBACK = "127.0.0.1"
EWS_PATH = "/EWS/Exchange.asmx"
AUTODISCOVER_SVC = "/autodiscover/autodiscover.svc"
AUTODISCOVER_XML = "/autodiscover/autodiscover.xml"
ANS = "http://schemas.microsoft.com/exchange/2010/Autodiscover"
POX_RESPONSE = "http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006"
POX_OUTLOOK = "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a"


class Validation(enum.Enum):
    OFF = "off"  # no checking (fastest; for benchmarks)
    COLLECT = "collect"  # check every response, keep the failures in ``server.invalid_responses``
    STRICT = "strict"  # as COLLECT, and answer a SOAP fault instead of the invalid response


class AuthScheme(enum.Enum):
    BASIC = "Basic"
    NTLM = "NTLM"
    BEARER = "Bearer"


@dataclass(frozen=True, slots=True)
class InvalidResponse:
    operation: str
    errors: tuple[SchemaError, ...]
    document: bytes


@dataclass(eq=False)
class Principal:
    """Who authenticated: a mailbox owner, or an OAuth application (no mailbox, may impersonate)."""

    name: str
    impersonation_right: bool
    mailbox: Mailbox | None


# --- NTLM credentials
# pyspnego's NTLM acceptor reads its users from the file named by $NTLM_USER_FILE, which is
# process-wide: every EwsServer of the process registers its users in one file.

_ntlm_lock = threading.Lock()
_ntlm_users: dict[tuple[str, str], str] = {}
_ntlm_file: Path | None = None


def _register_ntlm_user(domain: str, username: str, password: str) -> None:
    global _ntlm_file
    with _ntlm_lock:
        if _ntlm_file is None:
            handle, name = tempfile.mkstemp(prefix="ews-test-ntlm-", suffix=".txt")
            os.close(handle)
            _ntlm_file = Path(name)
            atexit.register(_ntlm_file.unlink, missing_ok=True)
            os.environ["NTLM_USER_FILE"] = name
        for user_domain in (domain, ""):
            _ntlm_users[(user_domain.upper(), username.upper())] = password
        lines = [f"{d}:{u}:{p}" for (d, u), p in _ntlm_users.items()]
        _ntlm_file.write_text("\n".join(lines) + "\n")


# --- the HTTP side


class _HttpServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, ews: EwsServer) -> None:
        self.ews = ews
        super().__init__((LOOPBACK, 0), _Handler)

    def get_request(self) -> tuple[socket.socket, Any]:
        sock, address = super().get_request()
        if self.ews.tls_context is not None:
            sock = self.ews.tls_context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return sock, address

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that went away mid-request is normal in fault tests; anything else is a bug to see.
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, ssl.SSLError, TimeoutError, OSError)):
            return
        super().handle_error(request, client_address)


class _Drop(Exception):
    """Close the connection without answering."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _HttpServer
    server_version = "Microsoft-IIS/10.0"
    sys_version = ""

    def setup(self) -> None:
        if isinstance(self.request, ssl.SSLSocket):
            self.request.settimeout(10)
            try:
                self.request.do_handshake()
            except (ssl.SSLError, OSError):
                self.connection_number = 0
                self.ews.stats.connection_opened()
                self.handshake_failed = True
                super().setup()
                self.close_connection = True
                return
            self.request.settimeout(None)
        self.handshake_failed = False
        super().setup()
        self.connection_number = self.ews.stats.connection_opened()
        self.ntlm: spnego.ContextProxy | None = None
        self.ntlm_principal: Principal | None = None
        self.ews._connections.add(self.request)

    def handle(self) -> None:
        if self.handshake_failed:
            return
        with contextlib.suppress(ConnectionError, ssl.SSLError, TimeoutError):
            super().handle()

    def finish(self) -> None:
        with contextlib.suppress(ConnectionError, ssl.SSLError, OSError):
            super().finish()
        self.ews._connections.discard(self.request)
        self.ews.stats.connection_closed()

    @property
    def ews(self) -> EwsServer:
        return self.server.ews

    def log_message(self, format: str, *args: Any) -> None:
        pass

    # --- plumbing

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(
        self,
        status: int,
        body: bytes = b"",
        *,
        content_type: str = "text/xml; charset=utf-8",
        headers: Iterable[tuple[str, str]] = (),
    ) -> None:
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        if body:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()

    def _challenge(self, extra: Iterable[tuple[str, str]] = ()) -> None:
        headers = list(extra) or self.ews._challenges()
        self._send(401, headers=headers)

    def do_GET(self) -> None:
        self._read_body()
        self._send(404 if not self.path.lower().startswith("/ews") else 405)

    def do_HEAD(self) -> None:
        self.send_response(200 if self.path.lower().startswith(("/ews", "/autodiscover")) else 404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_POST(self) -> None:
        body = self._read_body()
        path = urllib.parse.urlsplit(self.path).path
        lowered = path.lower()
        try:
            if lowered == EWS_PATH.lower():
                self._ews(body)
            elif lowered == AUTODISCOVER_SVC:
                self._autodiscover_soap(body)
            elif lowered == AUTODISCOVER_XML:
                self._autodiscover_pox(body)
            elif re.fullmatch(r"/[^/]+/oauth2/v2\.0/token", lowered):
                self._token(body)
            else:
                self._send(404)
        except _Drop:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.request.shutdown(socket.SHUT_RDWR)

    # --- authentication

    def _authenticate(self) -> Principal | None:
        """The authenticated principal, or None after answering 401 (challenge or failure)."""
        header = self.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        scheme = scheme.lower()
        schemes = self.ews.auth_schemes
        if not header:
            if self.ntlm_principal is not None:
                return self.ntlm_principal  # NTLM authenticates the connection, not the request
            self._challenge()
            return None
        if scheme == "basic" and AuthScheme.BASIC in schemes:
            try:
                username, _, password = base64.b64decode(token).decode("utf-8").partition(":")
            except (ValueError, UnicodeDecodeError):
                username = password = ""
            principal = self.ews._login(username, password)
            if principal is None:
                self._challenge()
            return principal
        if scheme in ("ntlm", "negotiate") and AuthScheme.NTLM in schemes:
            return self._ntlm_step(token)
        if scheme == "bearer" and AuthScheme.BEARER in schemes:
            principal = self.ews._bearer(token)
            if principal is None:
                self._challenge([("WWW-Authenticate", 'Bearer error="invalid_token"')])
            return principal
        self._challenge()
        return None

    def _ntlm_step(self, token: str) -> Principal | None:
        try:
            raw = base64.b64decode(token)
        except ValueError:
            self._challenge()
            return None
        if self.ntlm is None or raw[8:12] == b"\x01\x00\x00\x00":  # a NEGOTIATE message starts a handshake
            self.ntlm = spnego.server(protocol="ntlm")
            self.ntlm_principal = None
        try:
            answer = self.ntlm.step(raw)
        except spnego.exceptions.SpnegoError:
            # Wrong password: a plain 401 at once, so the client reports bad credentials.
            self.ntlm = None
            self._challenge()
            return None
        if not self.ntlm.complete:
            self._challenge([("WWW-Authenticate", "NTLM " + base64.b64encode(answer or b"").decode())])
            return None
        principal = self.ews._principal_for(self.ntlm.client_principal or "")
        self.ntlm = None
        if principal is None:
            self._challenge()
            return None
        self.ntlm_principal = principal
        return principal

    # --- EWS

    def _ews(self, body: bytes) -> None:
        principal = self._authenticate()
        if principal is None:
            return
        try:
            request = etree.fromstring(body, etree.XMLParser(resolve_entities=False, huge_tree=True))
            soap_body = request.find(f"{{{SOAP}}}Body")
            op = next(child for child in soap_body if isinstance(child.tag, str))
        except (etree.XMLSyntaxError, StopIteration, TypeError):
            self._answer("(invalid)", soap.fault("ErrorInvalidRequest", "The request is not a SOAP envelope."), 500)
            return
        operation = etree.QName(op).localname
        header = request.find(f"{{{SOAP}}}Header")
        target = self._impersonated(header)
        mailbox_address = target or (principal.mailbox.address if principal.mailbox else None)
        record = {"operation": operation, "mailbox": mailbox_address, "user": principal.name}
        properties = op.find(f"{{{M}}}ItemShape/{{{T}}}AdditionalProperties")
        if properties is not None:
            paths = tuple(_describe_path(path) for path in properties if isinstance(path.tag, str))
            self.ews.stats.record_shape(operation, paths)

        fault = self.ews.faults.take(operation, mailbox_address)
        if fault is not None:
            if fault.kind == DROP:
                self.ews.stats.record(RequestRecord(**record, status=0, connection=self.connection_number))
                raise _Drop
            if fault.kind == SLOW:
                self.ews._stopping.wait(fault.seconds)
            elif fault.kind == HTTP_401:
                self.ews.stats.record(RequestRecord(**record, status=401, connection=self.connection_number))
                self.ntlm_principal = None
                self._challenge()
                return
            elif fault.kind == HTTP_503:
                self.ews.stats.record(RequestRecord(**record, status=503, connection=self.connection_number))
                retry = [("Retry-After", str(max(1, round(fault.back_off_ms / 1000))))] if fault.back_off_ms else []
                self._send(503, b"Service Unavailable", content_type="text/plain", headers=retry)
                return
            elif fault.as_soap_fault:
                element = soap.fault(fault.kind, soap.fault_text(fault.kind), back_off_ms=fault.back_off_ms)
                self._answer(operation, element, 500, record)
                return
            else:
                self._answer(operation, operations.forced_error_response(operation, fault.kind), 200, record)
                return

        with self.ews.store.lock:
            try:
                mailbox = self._acting_mailbox(principal, target)
                ctx = operations.Context(self.ews.store, mailbox, principal.name)
                if operation == "GetStreamingEvents":
                    self._stream(ctx, op, record)
                    return
                handler = operations.HANDLERS.get(operation)
                if handler is None:
                    raise operations.unsupported(f"the {operation} operation")
                element, status = handler(ctx, op), 200
            except operations.SoapFault as exc:
                element, status = soap.fault(exc.code, exc.text, back_off_ms=exc.back_off_ms), 500
            document = soap.serialize(soap.envelope(element, header=status == 200))
        self._answer_document(operation, document, status, record)

    def _acting_mailbox(self, principal: Principal, target: str | None) -> Mailbox:
        """The mailbox a request acts on: the impersonated one (if the principal may), else its own."""
        if target is not None:
            if not principal.impersonation_right:
                raise operations.SoapFault("ErrorImpersonateUserDenied")
            mailbox = self.ews.store.mailboxes.get(target.lower())
            if mailbox is None:
                raise operations.SoapFault("ErrorNonExistentMailbox")
            return mailbox
        if principal.mailbox is None:
            raise operations.SoapFault(
                "ErrorInvalidExchangeImpersonationHeaderData",
                "ExchangeImpersonation SOAP header must be present for this type of OAuth token.",
            )
        return principal.mailbox

    def _impersonated(self, header: etree._Element | None) -> str | None:
        if header is None:
            return None
        node = header.find(f"{{{T}}}ExchangeImpersonation")
        if node is None:
            return None
        for tag in ("PrimarySmtpAddress", "SmtpAddress", "PrincipalName"):
            value = node.findtext(f"{{{T}}}ConnectingSID/{{{T}}}{tag}")
            if value:
                return value.strip()
        return ""

    def _answer(self, operation: str, element: etree._Element, status: int, record: dict | None = None) -> None:
        document = soap.serialize(soap.envelope(element, header=status == 200))
        self._answer_document(operation, document, status, record)

    def _answer_document(self, operation: str, document: bytes, status: int, record: dict | None) -> None:
        if not self.ews._check(operation, document):
            element = soap.fault(
                "ErrorInternalServerError",
                f"EWS test server: invalid {operation} response (see server.invalid_responses)",
            )
            document, status = soap.serialize(soap.envelope(element, header=False)), 500
        if record is not None:
            self.ews.stats.record(RequestRecord(**record, status=status, connection=self.connection_number))
        self._send(status, document)

    # --- streaming notifications

    def _stream(self, ctx: operations.Context, op: etree._Element, record: dict) -> None:
        """GetStreamingEvents: keep the response open and write one envelope per batch of events."""
        store = self.ews.store
        ids = [(e.text or "").strip() for e in op.iter(f"{{{T}}}SubscriptionId")]
        subscriptions = [store.subscriptions.get(i) for i in ids]
        if not ids or any(s is None or s.mailbox is not ctx.mailbox or not s.streaming for s in subscriptions):
            bad = [i for i, s in zip(ids, subscriptions, strict=True) if s is None or s.mailbox is not ctx.mailbox]
            message = soap.response_message("GetStreamingEvents", "ErrorSubscriptionNotFound")
            if bad:
                holder = etree.SubElement(message, f"{{{M}}}ErrorSubscriptionIds")
                for ident in bad:
                    etree.SubElement(holder, f"{{{T}}}SubscriptionId").text = ident
            document = soap.serialize(soap.envelope(soap.response("GetStreamingEvents", [message])))
            store.lock.release()
            try:
                self._answer_document("GetStreamingEvents", document, 200, record)
            finally:
                store.lock.acquire()
            return
        minutes = int(op.findtext(f"{{{M}}}ConnectionTimeout") or 30)
        deadline = time.monotonic() + minutes * self.ews.minute_seconds
        self.ews.stats.record(RequestRecord(**record, status=200, connection=self.connection_number))
        store.lock.release()
        try:
            self.send_response(200)
            self.send_header("Content-Type", "text/xml; charset=utf-8")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self.wfile.flush()
        finally:
            store.lock.acquire()
        last_write = time.monotonic()
        status = "OK"
        try:
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self.ews._stopping.is_set():
                    status = "Closed"
                batches = []
                for subscription in subscriptions:
                    if subscription.events:
                        batches.append((subscription.id, subscription.events))
                        subscription.events = []
                due = time.monotonic() - last_write >= self.ews.heartbeat_seconds
                if batches or due or status == "Closed":
                    self._write_chunk(self._stream_envelope(batches, status))
                    last_write = time.monotonic()
                if status == "Closed":
                    break
                wait = min(remaining, self.ews.heartbeat_seconds - (time.monotonic() - last_write), 0.5)
                store.changed.wait(max(wait, 0.01))
            self._write_raw(b"0\r\n\r\n")
        except (ConnectionError, ssl.SSLError, OSError):
            self.close_connection = True

    def _stream_envelope(self, batches: list[tuple[str, list]], status: str) -> bytes:
        message = soap.response_message("GetStreamingEvents")
        if batches:
            notifications = etree.SubElement(message, f"{{{M}}}Notifications")
            for subscription_id, events in batches:
                notifications.append(operations.notification_element(subscription_id, events))
        message.append(soap.m("ConnectionStatus", status))
        document = soap.serialize(soap.envelope(soap.response("GetStreamingEvents", [message])))
        if not self.ews._check("GetStreamingEvents", document):
            raise ConnectionError("invalid streaming response")
        return document

    def _write_chunk(self, data: bytes) -> None:
        self._write_raw(f"{len(data):X}\r\n".encode() + data + b"\r\n")

    def _write_raw(self, data: bytes) -> None:
        # Written with the store lock released, so one slow client cannot stall the server.
        lock = self.ews.store.lock
        lock.release()
        try:
            self.wfile.write(data)
            self.wfile.flush()
        finally:
            lock.acquire()

    # --- autodiscover

    def _autodiscover_soap(self, body: bytes) -> None:
        principal = self._authenticate()
        if principal is None:
            return
        request = etree.fromstring(body)
        users = [(e.text or "").strip() for e in request.iter(f"{{{ANS}}}Mailbox")]
        self.ews.stats.record(
            RequestRecord("GetUserSettings", users[0] if users else None, principal.name, 200, self.connection_number)
        )
        self._send(200, self.ews._user_settings(users))

    def _autodiscover_pox(self, body: bytes) -> None:
        principal = self._authenticate()
        if principal is None:
            return
        match = re.search(rb"<EMailAddress>\s*([^<\s]+)\s*</EMailAddress>", body)
        address = match.group(1).decode() if match else ""
        self.ews.stats.record(RequestRecord("Autodiscover", address, principal.name, 200, self.connection_number))
        self._send(200, self.ews._pox_settings(address))

    def _token(self, body: bytes) -> None:
        form = urllib.parse.parse_qs(body.decode())
        client_id = (form.get("client_id") or [""])[0]
        secret = (form.get("client_secret") or [""])[0]
        if form.get("grant_type") != ["client_credentials"] or self.ews._oauth_clients.get(client_id) != secret:
            error = {"error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret provided."}
            self._send(401, json.dumps(error).encode(), content_type="application/json")
            return
        token = self.ews.issue_token()
        answer = {"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": token}
        self.ews.stats.record(RequestRecord("Token", None, client_id, 200, self.connection_number))
        self._send(200, json.dumps(answer).encode(), content_type="application/json")


# --- the server


class EwsServer:
    """An EWS server on a free loopback port; ``with EwsServer() as server:`` starts and stops it."""

    def __init__(
        self,
        *,
        tls: TlsFiles | None = None,
        auth: Iterable[AuthScheme] = (AuthScheme.BASIC, AuthScheme.NTLM),
        ntlm_domain: str = "EXAMPLE",
        validation: Validation = Validation.COLLECT,
        minute_seconds: float = 60.0,
        heartbeat_seconds: float = 5.0,
        schema: EwsSchema | None = None,
    ) -> None:
        """``tls``: a ``TlsFiles`` (tests/servers/tls.py) to serve HTTPS; ``minute_seconds``: how long one
        "minute" of GetStreamingEvents' ConnectionTimeout lasts (tests shorten it)."""
        self.tls = tls
        self.tls_context: ssl.SSLContext | None = tls.server_context() if tls is not None else None
        self.auth_schemes = frozenset(auth)
        self.ntlm_domain = ntlm_domain
        self.validation = validation
        self.minute_seconds = minute_seconds
        self.heartbeat_seconds = heartbeat_seconds
        self.schema = schema if schema is not None or validation is Validation.OFF else load_schema()
        self.store = Store()
        self.faults = FaultInjector()
        self.stats = Stats()
        self.responses_checked = 0
        self.invalid_responses: list[InvalidResponse] = []
        self._logins: dict[str, Principal] = {}
        self._tokens: dict[str, Principal] = {}
        self._oauth_clients: dict[str, str] = {}
        self._http: _HttpServer | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._connections: set[socket.socket] = set()
        self._check_lock = threading.Lock()

    # --- lifecycle

    def start(self) -> Self:
        self._http = _HttpServer(self)
        self._thread = threading.Thread(
            target=self._http.serve_forever, kwargs={"poll_interval": 0.05}, name="ews-test-server", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._http is None:
            return
        self._stopping.set()
        with self.store.lock:
            self.store.changed.notify_all()
        self._http.shutdown()
        self._http.server_close()
        for connection in list(self._connections):
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        deadline = time.monotonic() + 5
        while self.stats.connections_open > 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._http = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._http is None:
            raise RuntimeError("the EWS test server is not running")
        return self._http.server_address[1]

    @property
    def base_url(self) -> str:
        return f"{'https' if self.tls_context else 'http'}://{LOOPBACK}:{self.port}"

    @property
    def url(self) -> str:
        return self.base_url + EWS_PATH

    @property
    def autodiscover_url(self) -> str:
        return self.base_url + AUTODISCOVER_SVC

    def token_url(self, tenant: str = "common") -> str:
        return f"{self.base_url}/{tenant}/oauth2/v2.0/token"

    # --- accounts

    def add_mailbox(
        self,
        address: str,
        password: str,
        *,
        impersonation_right: bool = False,
        display_name: str | None = None,
        username: str | None = None,
    ) -> Mailbox:
        """A mailbox with the distinguished folders, and an account that logs in as the address, the local
        part, ``DOMAIN\\local`` or ``username``. ``impersonation_right`` lets it act on any mailbox."""
        local_part = address.split("@")[0]
        name = display_name or local_part.capitalize()
        with self.store.lock:
            mailbox = self.store.add_mailbox(
                address, password, display_name=name, impersonation_right=impersonation_right
            )
        principal = Principal(address, impersonation_right, mailbox)
        logins = {address, local_part, f"{self.ntlm_domain}\\{local_part}"} | ({username} if username else set())
        for login in logins:
            self._logins[login.lower()] = principal
        if AuthScheme.NTLM in self.auth_schemes:
            for login in {address, local_part} | ({username} if username else set()):
                _register_ntlm_user(self.ntlm_domain, login, password)
        return mailbox

    def set_password(self, address: str, password: str) -> None:
        mailbox = self.mailbox(address)
        mailbox.password = password
        if AuthScheme.NTLM in self.auth_schemes:
            for login in {address, address.split("@")[0]}:
                _register_ntlm_user(self.ntlm_domain, login, password)

    def add_oauth_token(self, token: str, address: str | None = None) -> None:
        """Accept ``Authorization: Bearer token``: as the mailbox's owner, or (no address) as an application
        that may act on any mailbox through ExchangeImpersonation, like an app-only EWS.AccessAsApp token."""
        if address is None:
            self._tokens[token] = Principal("oauth-app", True, None)
        else:
            mailbox = self.mailbox(address)
            self._tokens[token] = Principal(address, mailbox.impersonation_right, mailbox)

    def add_oauth_client(self, client_id: str, client_secret: str) -> None:
        """Register an application for the client-credentials grant at ``token_url()``."""
        self._oauth_clients[client_id] = client_secret

    def issue_token(self) -> str:
        token = secrets.token_urlsafe(24)
        self.add_oauth_token(token)
        return token

    def _login(self, username: str, password: str) -> Principal | None:
        principal = self._logins.get(username.lower())
        if principal is None or principal.mailbox is None or principal.mailbox.password != password:
            return None
        return principal

    def _principal_for(self, ntlm_principal: str) -> Principal | None:
        name = ntlm_principal.split("\\")[-1].lower()
        return self._logins.get(name) or self._logins.get(ntlm_principal.lower())

    def _bearer(self, token: str) -> Principal | None:
        return self._tokens.get(token.strip())

    def _challenges(self) -> list[tuple[str, str]]:
        headers = []
        if AuthScheme.NTLM in self.auth_schemes:
            headers.append(("WWW-Authenticate", "NTLM"))
        if AuthScheme.BASIC in self.auth_schemes:
            headers.append(("WWW-Authenticate", 'Basic realm="127.0.0.1"'))
        if AuthScheme.BEARER in self.auth_schemes:
            headers.append(("WWW-Authenticate", 'Bearer client_id="00000002-0000-0ff1-ce00-000000000000"'))
        return headers

    # --- validation

    def _check(self, operation: str, document: bytes) -> bool:
        if self.validation is Validation.OFF or self.schema is None:
            return True
        problems = self.schema.errors(document)
        with self._check_lock:
            self.responses_checked += 1
            if problems:
                self.invalid_responses.append(InvalidResponse(operation, tuple(problems), document))
        return not problems or self.validation is Validation.COLLECT

    def assert_responses_valid(self) -> None:
        """Fail if any response sent so far did not validate against the EWS schemas."""
        if self.invalid_responses:
            first = self.invalid_responses[0]
            listing = "\n  ".join(str(error) for error in first.errors[:10])
            raise AssertionError(
                f"{len(self.invalid_responses)} invalid EWS response(s); the first, for {first.operation}:\n  "
                f"{listing}\n{first.document[:2000].decode(errors='replace')}"
            )

    # --- state helpers for tests

    def mailbox(self, address: str) -> Mailbox:
        with self.store.lock:
            mailbox = self.store.mailboxes.get(address.lower())
        if mailbox is None:
            raise KeyError(f"no mailbox {address}")
        return mailbox

    def folder(self, address: str, name: str = "inbox") -> Folder:
        """A distinguished folder ("inbox") or a path under the top of the store ("inbox/Projects")."""
        with self.store.lock:
            return self.mailbox(address).folder(name)

    def items(self, address: str, folder: str = "inbox") -> list[Item]:
        with self.store.lock:
            return list(self.folder(address, folder).items.values())

    def item(self, item_id: str) -> Item:
        with self.store.lock:
            item = self.store.find_item(item_id)
        if item is None:
            raise KeyError(f"no item {item_id}")
        return item

    @property
    def sent(self) -> list[SentMessage]:
        with self.store.lock:
            return list(self.store.sent)

    def deliver(
        self, address: str, raw_mime: bytes | str | EmailMessage, folder: str = "inbox", *, is_read: bool = False
    ) -> str:
        """Put a message into a mailbox as the transport would (NewMail event included); returns its ItemId."""
        return self.deliver_many(address, [raw_mime], folder, is_read=is_read)[0]

    def deliver_many(
        self,
        address: str,
        messages: Iterable[bytes | str | EmailMessage],
        folder: str = "inbox",
        *,
        is_read: bool = False,
    ) -> list[str]:
        """Deliver many messages at once (10,000 take about a second: their fields are parsed on first use)."""
        ids = []
        with self.store.lock:
            target = self.folder(address, folder)
            for raw in messages:
                item = message_from_mime(self.store, target, _mime_bytes(raw), is_read=is_read)
                self.store.add_item(item, new_mail=folder == "inbox")
                ids.append(item.id)
        return ids

    def seed_messages(self, address: str, count: int, folder: str = "inbox", *, body_size: int = 200) -> list[str]:
        """Deliver ``count`` generated messages (distinct subjects and Message-IDs) for benchmarks."""
        domain = address.split("@")[-1]
        filler = ("lorem ipsum " * (body_size // 12 + 1))[:body_size]
        stamp = now()

        def generate() -> Iterable[bytes]:
            for number in range(count):
                sent = stamp - dt.timedelta(seconds=count - number)
                yield (
                    f"From: Sender {number % 50} <sender{number % 50}@external.test>\r\n"
                    f"To: {address}\r\n"
                    f"Subject: Seeded message {number}\r\n"
                    f"Date: {sent.strftime('%a, %d %b %Y %H:%M:%S +0000')}\r\n"
                    f"Message-ID: <seed-{number}-{secrets.token_hex(4)}@{domain}>\r\n"
                    "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
                    f"Message {number}. {filler}\r\n"
                ).encode()

        return self.deliver_many(address, generate(), folder)

    def create_item(self, address: str, kind: str, fields: Mapping[str, Any], folder: str | None = None) -> str:
        """Create a Message, CalendarItem, Contact or Task as if a user made it in Outlook.

        ``fields`` maps EWS element names to text (``{"Subject": "Hi"}``), to an lxml element of that
        name, or to a list of (name, address) pairs for recipient fields."""
        default = operations.DEFAULT_FOLDERS.get(kind, "inbox")
        with self.store.lock:
            mailbox = self.mailbox(address)
            target = mailbox.folder(folder or default)
            spec = soap.t(kind)
            for element in _field_elements(fields):
                spec.append(element)
            ctx = operations.Context(self.store, mailbox, address)
            item = operations.item_from_element(ctx, spec, target)
            operations._prepare(ctx, item, draft=False)
            self.store.add_item(item, new_mail=kind == "Message" and target is mailbox.distinguished["inbox"])
            return item.id

    def update_item(self, item_id: str, fields: Mapping[str, Any] | None = None, *, remove: Iterable[str] = ()) -> str:
        """Change an item server-side (a user editing it): new values, removed fields; returns the new ChangeKey."""
        with self.store.lock:
            item = self.item(item_id)
            item.ensure_parsed()
            names = []
            for element in _field_elements(fields or {}):
                item.props[etree.QName(element).localname] = element
                names.append(etree.QName(element).localname)
            for name in remove:
                item.props.pop(name, None)
                names.append(name)
            self.store.modify_item(item, names)
            return item.change_key

    def delete_item(self, item_id: str) -> None:
        with self.store.lock:
            self.store.remove_item(self.item(item_id))

    def move_item(self, item_id: str, folder: str) -> str:
        """Move an item to another folder of its mailbox; returns its new ItemId (EWS ids change on move)."""
        with self.store.lock:
            item = self.item(item_id)
            return self.store.move_item(item, item.folder.mailbox.folder(folder)).id

    def mark_read(self, item_id: str, is_read: bool = True) -> None:
        self.update_item(item_id, {"IsRead": "true" if is_read else "false"})

    def create_folder(self, address: str, name: str, parent: str = "inbox", folder_class: str = "IPF.Note") -> str:
        with self.store.lock:
            mailbox = self.mailbox(address)
            return self.store.create_folder(mailbox, mailbox.folder(parent), name, folder_class).id

    def rename_folder(self, folder_id: str, name: str) -> None:
        with self.store.lock:
            self.store.update_folder(self.store.folders[folder_id], name=name)

    def move_folder(self, folder_id: str, parent: str) -> None:
        with self.store.lock:
            folder = self.store.folders[folder_id]
            self.store.update_folder(folder, parent=folder.mailbox.folder(parent))

    def delete_folder(self, folder_id: str) -> None:
        with self.store.lock:
            self.store.delete_folder(self.store.folders[folder_id])

    # --- autodiscover answers

    def _user_settings(self, users: list[str]) -> bytes:
        nsmap = {
            "s": SOAP,
            "a": "http://www.w3.org/2005/08/addressing",
            "i": "http://www.w3.org/2001/XMLSchema-instance",
        }
        envelope = etree.Element(f"{{{SOAP}}}Envelope", nsmap=nsmap)
        header = etree.SubElement(envelope, f"{{{SOAP}}}Header")
        action = etree.SubElement(header, "{http://www.w3.org/2005/08/addressing}Action")
        action.set(f"{{{SOAP}}}mustUnderstand", "1")
        action.text = "http://schemas.microsoft.com/exchange/2010/Autodiscover/Autodiscover/GetUserSettingsResponse"
        info = etree.SubElement(header, f"{{{ANS}}}ServerVersionInfo", nsmap={"h": ANS})
        for tag, value in (
            ("MajorVersion", "15"),
            ("MinorVersion", "1"),
            ("MajorBuildNumber", "2507"),
            ("MinorBuildNumber", "6"),
            ("Version", "Exchange2015"),
        ):
            etree.SubElement(info, f"{{{ANS}}}{tag}").text = value
        body = etree.SubElement(envelope, f"{{{SOAP}}}Body")
        message = etree.SubElement(body, f"{{{ANS}}}GetUserSettingsResponseMessage", nsmap={None: ANS})
        response = etree.SubElement(message, f"{{{ANS}}}Response")
        etree.SubElement(response, f"{{{ANS}}}ErrorCode").text = "NoError"
        etree.SubElement(response, f"{{{ANS}}}ErrorMessage")
        responses = etree.SubElement(response, f"{{{ANS}}}UserResponses")
        for user in users:
            entry = etree.SubElement(responses, f"{{{ANS}}}UserResponse")
            with self.store.lock:
                mailbox = self.store.mailboxes.get(user.lower())
            if mailbox is None:
                etree.SubElement(entry, f"{{{ANS}}}ErrorCode").text = "InvalidUser"
                etree.SubElement(entry, f"{{{ANS}}}ErrorMessage").text = f"Invalid user: '{user}'"
                continue
            etree.SubElement(entry, f"{{{ANS}}}ErrorCode").text = "NoError"
            etree.SubElement(entry, f"{{{ANS}}}ErrorMessage").text = "No error."
            etree.SubElement(entry, f"{{{ANS}}}RedirectTarget").set(
                "{http://www.w3.org/2001/XMLSchema-instance}nil", "true"
            )
            etree.SubElement(entry, f"{{{ANS}}}UserSettingErrors")
            settings = etree.SubElement(entry, f"{{{ANS}}}UserSettings")
            values = {
                "AutoDiscoverSMTPAddress": mailbox.address,
                "UserDisplayName": mailbox.display_name,
                "ExternalEwsUrl": self.url,
                "InternalEwsUrl": self.url,
                "EwsSupportedSchemas": "Exchange2007, Exchange2007_SP1, Exchange2010, Exchange2010_SP1, "
                "Exchange2010_SP2, Exchange2013, Exchange2013_SP1, Exchange2015, Exchange2016",
                "CasVersion": "15.01.2507.006",
            }
            for name, value in values.items():
                setting = etree.SubElement(settings, f"{{{ANS}}}UserSetting")
                setting.set("{http://www.w3.org/2001/XMLSchema-instance}type", "StringSetting")
                etree.SubElement(setting, f"{{{ANS}}}Name").text = name
                etree.SubElement(setting, f"{{{ANS}}}Value").text = value
        return etree.tostring(envelope, xml_declaration=True, encoding="utf-8")

    def _pox_settings(self, address: str) -> bytes:
        root = etree.Element(f"{{{POX_RESPONSE}}}Autodiscover", nsmap={None: POX_RESPONSE})
        with self.store.lock:
            mailbox = self.store.mailboxes.get(address.lower())
        if mailbox is None:
            response = etree.SubElement(root, f"{{{POX_RESPONSE}}}Response")
            error = etree.SubElement(response, f"{{{POX_RESPONSE}}}Error", Time=time.strftime("%H:%M:%S"), Id="1")
            etree.SubElement(error, f"{{{POX_RESPONSE}}}ErrorCode").text = "500"
            etree.SubElement(error, f"{{{POX_RESPONSE}}}Message").text = "The email address can't be found."
            etree.SubElement(error, f"{{{POX_RESPONSE}}}DebugData")
            return etree.tostring(root, xml_declaration=True, encoding="utf-8")
        response = etree.SubElement(root, f"{{{POX_OUTLOOK}}}Response", nsmap={None: POX_OUTLOOK})

        def sub(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
            node = etree.SubElement(parent, f"{{{POX_OUTLOOK}}}{tag}")
            node.text = text
            return node

        user = sub(response, "User")
        sub(user, "DisplayName", mailbox.display_name)
        sub(user, "AutoDiscoverSMTPAddress", mailbox.address)
        account = sub(response, "Account")
        sub(account, "AccountType", "email")
        sub(account, "Action", "settings")
        for kind in ("EXCH", "EXPR"):
            protocol = sub(account, "Protocol")
            sub(protocol, "Type", kind)
            sub(protocol, "Server", LOOPBACK)
            sub(protocol, "ASUrl", self.url)
            sub(protocol, "EwsUrl", self.url)
            sub(protocol, "EmwsUrl", self.url)
        return etree.tostring(root, xml_declaration=True, encoding="utf-8")


def _describe_path(path: etree._Element) -> str:
    """A property path as the tests name it: "item:Subject", "contacts:EmailAddress[EmailAddress1]", or
    "extended:NAME" for an extended property."""
    if etree.QName(path).localname == "ExtendedFieldURI":
        return f"extended:{path.get('PropertyName') or path.get('PropertyTag') or path.get('PropertyId')}"
    index = path.get("FieldIndex")
    return f"{path.get('FieldURI')}[{index}]" if index else str(path.get("FieldURI"))


def _mime_bytes(raw: bytes | str | EmailMessage) -> bytes:
    if isinstance(raw, EmailMessage):
        return raw.as_bytes()
    if isinstance(raw, str):
        return raw.encode()
    return raw


RECIPIENT_FIELDS = {
    "ToRecipients",
    "CcRecipients",
    "BccRecipients",
    "RequiredAttendees",
    "OptionalAttendees",
    "Resources",
    "ReplyTo",
}
SINGLE_RECIPIENT_FIELDS = {"From", "Sender", "Organizer"}


def _field_elements(fields: Mapping[str, Any]) -> list[etree._Element]:
    from .store import mailbox_element, recipients_element

    elements = []
    for name, value in fields.items():
        if isinstance(value, etree._Element):
            elements.append(value)
        elif name in RECIPIENT_FIELDS:
            if name in ("RequiredAttendees", "OptionalAttendees", "Resources"):
                holder = soap.t(name)
                for display, address in value:
                    attendee = soap.t("Attendee")
                    attendee.append(mailbox_element(display, address))
                    holder.append(attendee)
                elements.append(holder)
            else:
                elements.append(recipients_element(name, value))
        elif name in SINGLE_RECIPIENT_FIELDS:
            holder = soap.t(name)
            holder.append(mailbox_element(*value))
            elements.append(holder)
        elif name == "Body":
            text, body_type = (value, "Text") if isinstance(value, str) else value
            elements.append(soap.t("Body", text, BodyType=body_type))
        elif name == "Categories":
            holder = soap.t("Categories")
            for category in value:
                holder.append(soap.t("String", category))
            elements.append(holder)
        else:
            elements.append(soap.t(name, value))
    return elements
