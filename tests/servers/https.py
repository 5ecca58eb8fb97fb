"""An HTTPS server on a free loopback port, in a thread of its own, for the project's HTTP test servers.

The TLS handshake runs in the request's thread (not in the accepting one), so a client that does not
trust the test CA, or goes away, costs only its own connection; such failures are not reported as
errors. Request lines are not logged: their queries carry codes and tokens.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from .ports import LOOPBACK
from .tls import TlsFiles

QUIET = (ConnectionError, ssl.SSLError, TimeoutError, OSError)


class TlsHttpServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, tls: TlsFiles, handler: type[TlsHandler]) -> None:
        self.tls_context = tls.server_context()
        super().__init__((LOOPBACK, 0), handler)
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def start(self, name: str) -> None:
        self._thread = threading.Thread(
            target=self.serve_forever, kwargs={"poll_interval": 0.05}, name=name, daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def get_request(self) -> tuple[socket.socket, Any]:
        sock, address = super().get_request()
        return self.tls_context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), address

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], QUIET):
            return  # a client that went away, or did not trust our certificate
        super().handle_error(request, client_address)


class TlsHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout_seconds = 30.0

    def setup(self) -> None:
        self.request.settimeout(self.timeout_seconds)
        self.handshake_failed = False
        try:
            self.request.do_handshake()
        except (ssl.SSLError, OSError):
            self.handshake_failed = True
        super().setup()

    def handle(self) -> None:
        if not self.handshake_failed:
            with contextlib.suppress(ConnectionError, ssl.SSLError, TimeoutError):
                super().handle()

    def log_message(self, format: str, *args: Any) -> None:
        pass
