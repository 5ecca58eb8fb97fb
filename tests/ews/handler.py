"""The HTTP side of the EWS test server: the threading HTTP(S) server on loopback, connections (TLS
handshake, counting), routing by path, Basic/NTLM/bearer authentication, autodiscover and the OAuth
token endpoint. The EWS requests themselves are answered by ``dispatch.EwsDispatch``.
"""

from __future__ import annotations

import base64
import contextlib
import json
import re
import select
import socket
import ssl
import sys
import urllib.parse
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

import spnego
import spnego.exceptions
from lxml import etree

from . import autodiscover
from .auth import AuthScheme, Principal
from .autodiscover import ANS, AUTODISCOVER_SVC, AUTODISCOVER_XML
from .dispatch import Drop, EwsDispatch
from .faults import RequestRecord

if TYPE_CHECKING:
    from .server import EwsServer


LOOPBACK = "127.0.0.1"
EWS_PATH = "/EWS/Exchange.asmx"


class HttpServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, ews: EwsServer) -> None:
        self.ews = ews
        super().__init__((LOOPBACK, 0), Handler)

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


class Handler(EwsDispatch, BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: HttpServer
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
        self.connection_number = self.ews.stats.connection_opened(hung_up=self._hung_up_connections())
        self.ntlm: spnego.ContextProxy | None = None
        self.ntlm_principal: Principal | None = None
        self.ews._connections.add(self.request)

    def _hung_up_connections(self) -> int:
        """Open connections whose client has closed its end already (the kernel has its FIN; the
        connection's thread has not read it yet). Plain sockets only: a TLS one counts as open."""
        hung_up = 0
        for connection in list(self.ews._connections):
            if isinstance(connection, ssl.SSLSocket):
                continue
            try:
                readable, _, _ = select.select([connection], [], [], 0)
                if readable and connection.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b"":
                    hung_up += 1
            except (BlockingIOError, InterruptedError):
                continue
            except (OSError, ValueError):
                hung_up += 1  # reset, or closed meanwhile
        return hung_up

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
        except Drop:
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

    # --- autodiscover and tokens

    def _autodiscover_soap(self, body: bytes) -> None:
        principal = self._authenticate()
        if principal is None:
            return
        request = etree.fromstring(body)
        users = [(e.text or "").strip() for e in request.iter(f"{{{ANS}}}Mailbox")]
        self.ews.stats.record(
            RequestRecord("GetUserSettings", users[0] if users else None, principal.name, 200, self.connection_number)
        )
        self._send(200, autodiscover.user_settings(self.ews.store, self.ews.url, users))

    def _autodiscover_pox(self, body: bytes) -> None:
        principal = self._authenticate()
        if principal is None:
            return
        match = re.search(rb"<EMailAddress>\s*([^<\s]+)\s*</EMailAddress>", body)
        address = match.group(1).decode() if match else ""
        self.ews.stats.record(RequestRecord("Autodiscover", address, principal.name, 200, self.connection_number))
        self._send(200, autodiscover.pox_settings(self.ews.store, self.ews.url, LOOPBACK, address))

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
