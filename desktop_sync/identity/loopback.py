"""The app's end of a browser sign-in: a one-shot HTTP listener on 127.0.0.1 (RFC 8252 section 7.3).

The provider sends the browser back to ``http://127.0.0.1:<port>/`` with the authorization code (or
the error) in the query, or in a form the browser posts there (``response_mode=form_post``). The
listener takes the first answer whose ``state`` is ours, shows the person a page saying they may close
the window, and stops. Anything else (a stray request, a wrong state) is answered and ignored.
"""

from __future__ import annotations

import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

DONE_PAGE = (
    "<!doctype html><html><head><meta charset='utf-8'><title>Desktop Sync</title></head><body>"
    "<p>{text}</p></body></html>"
)
SIGNED_IN = "You are signed in. You may close this window and go back to Desktop Sync."
NOT_SIGNED_IN = "The sign-in did not complete. Go back to Desktop Sync to see why."


class LoopbackReceiver:
    """Listens on 127.0.0.1 (a free port unless one is given) until one answer with our state arrives."""

    def __init__(self, state: str, port: int = 0) -> None:
        self._state = state
        self._answer: dict[str, str] | None = None
        self._arrived = threading.Event()
        self._server = HTTPServer(("127.0.0.1", port), _Handler)
        self._server.receiver = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
        self._thread.start()

    @property
    def state(self) -> str:
        """The value the provider must give back (RFC 6749 10.12): an answer without it is not ours."""
        return self._state

    @property
    def redirect_uri(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/"

    def wait(self, timeout: float, cancelled: threading.Event | None = None) -> dict[str, str] | None:
        """The provider's answer (``code`` and ``state``, or ``error``), or None on time-out or cancel."""
        step = 0.2
        waited = 0.0
        while waited < timeout:
            if self._arrived.wait(step):
                return self._answer
            if cancelled is not None and cancelled.is_set():
                return None
            waited += step
        return None

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> LoopbackReceiver:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _offer(self, params: dict[str, str]) -> bool:
        """Take ``params`` if they answer our sign-in; True when they did."""
        if self._arrived.is_set() or params.get("state") != self._state:
            return False
        if "code" not in params and "error" not in params:
            return False
        self._answer = params
        self._arrived.set()
        return True


class _Handler(BaseHTTPRequestHandler):
    server: Any

    def do_GET(self) -> None:
        query = urllib.parse.urlsplit(self.path).query
        self._take(dict(urllib.parse.parse_qsl(query)))

    def do_POST(self) -> None:
        length = min(int(self.headers.get("Content-Length") or 0), 64 * 1024)
        body = self.rfile.read(length).decode("utf-8", "replace")
        self._take(dict(urllib.parse.parse_qsl(body)))

    def _take(self, params: dict[str, str]) -> None:
        receiver: LoopbackReceiver = self.server.receiver
        taken = receiver._offer(params)
        ok = taken and "code" in params
        page = DONE_PAGE.format(text=SIGNED_IN if ok else NOT_SIGNED_IN).encode("utf-8")
        self.send_response(200 if taken else 400)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(page)))
        self.end_headers()
        self.wfile.write(page)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the query carries the authorization code: never logged
