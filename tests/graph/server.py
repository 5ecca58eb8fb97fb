"""A Microsoft Graph v1.0 test server on 127.0.0.1 over TLS: mail, as Exchange Online serves it.

``GraphServer`` keeps mailboxes in memory (``store.py``) and answers at Graph's paths under ``/v1.0``
(``protocol.py`` holds what the routes share: errors, paging, delta links): mail folders, a folder's
``messages/delta`` (pages of ``Prefer: odata.maxpagesize``, ``@odata.nextLink`` then ``@odata.deltaLink``,
``@removed`` for what left the folder, 410 ``syncStateNotFound`` for an expired token), a message and its
MIME (``$value``), PATCH of categories and flags, ``sendMail`` with a MIME body (the copy lands in Sent
Items), ``$filter=internetMessageId eq '…'``, ``$select`` and JSON ``$batch`` of at most 20 requests
(``mail.py``); contacts, a calendar view's delta, To Do tasks and the category list, writes checked against
the metadata (``records.py``). Access tokens are the OAuth test provider's: delegated for the signed-in
user's own mailbox, app-only (``.default``) for the mailboxes an application access policy allows. Faults:
429 with ``Retry-After``, 503, dropped connections. Every JSON answer is checked against Microsoft's
metadata before it is sent; a wrong one is recorded in ``invalid`` and answered 500.
"""

from __future__ import annotations

import base64
import contextlib
import json
import socket
import threading
import time
import urllib.parse
from dataclasses import dataclass
from types import TracebackType
from typing import Self

from oauth.provider import OAuthProvider
from servers.https import TlsHandler, TlsHttpServer
from servers.ports import LOOPBACK
from servers.tls import TlsFiles

from . import mail, records
from .metadata import GraphSchema
from .protocol import Answer, GraphError, Request, error_body, preference
from .store import GraphStore, Mailbox

APP_SCOPE = "https://graph.microsoft.com/.default"  # app-only tokens for Graph: its ".default" scope
MAX_BATCH = 20


@dataclass(frozen=True, slots=True)
class Call:
    method: str
    path: str
    status: int


class Faults:
    """What the next requests suffer: ``throttle`` (429), ``unavailable`` (503), ``drop`` (no answer),
    ``drop_after`` (done, then no answer), ``slow`` (answered late). ``path`` narrows a fault to the requests
    whose path holds it ("/sendMail"); the others pass it by."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self._queue: list[tuple[str, float, str]] = []

    def _add(self, kind: str, value: float, count: int, path: str) -> None:
        with self.lock:
            self._queue.extend([(kind, value, path)] * count)

    def throttle(self, count: int, retry_after: float = 1, path: str = "") -> None:
        self._add("429", retry_after, count, path)

    def unavailable(self, count: int, retry_after: float = 1, path: str = "") -> None:
        self._add("503", retry_after, count, path)

    def drop(self, count: int, path: str = "") -> None:
        self._add("drop", 0, count, path)

    def drop_after(self, count: int, path: str = "") -> None:
        """The next ``count`` requests are carried out, then the connection drops before the answer (a crash
        between the server's work and the client hearing of it)."""
        self._add("drop_after", 0, count, path)

    def slow(self, count: int, seconds: float, path: str = "") -> None:
        """The next ``count`` requests are answered after ``seconds`` (to see how many a client has in flight)."""
        self._add("slow", seconds, count, path)

    def next(self, path: str = "") -> tuple[str, float] | None:
        with self.lock:
            for position, (kind, value, wanted) in enumerate(self._queue):
                if wanted in path:
                    del self._queue[position]
                    return kind, value
            return None

    def pending(self) -> int:
        with self.lock:
            return len(self._queue)


class GraphServer:
    def __init__(self, tls: TlsFiles, provider: OAuthProvider) -> None:
        self.tls = tls
        self.provider = provider
        self.store = GraphStore()
        self.schema = GraphSchema.load()
        self.faults = Faults()
        self.calls: list[Call] = []
        self.sent: list[str] = []  # the Sent Items copy of each mail sendMail took, in order
        self.in_flight = 0  # requests being answered now, and the most there ever were at once
        self.most_in_flight = 0
        self._flight = threading.Lock()
        self.invalid: list[str] = []  # answers that did not match the metadata (each also answered 500)
        self.app_access: dict[str, set[str] | None] = {}  # client id -> mailboxes allowed (None: all)
        self._http: _HttpServer | None = None

    @property
    def url(self) -> str:
        assert self._http is not None, "the server is not running"
        return f"https://{LOOPBACK}:{self._http.server_address[1]}/v1.0"

    def allow_application(self, client_id: str, mailboxes: set[str] | None = None) -> None:
        """Grant app-only access (Mail.ReadWrite, Mail.Send…) to every mailbox, or only to ``mailboxes``."""
        self.app_access[client_id] = None if mailboxes is None else {m.lower() for m in mailboxes}

    def start(self) -> Self:
        self._http = _HttpServer(self)
        self._http.start("graph-test-server")
        return self

    def stop(self) -> None:
        if self._http is not None:
            self._http.stop()
        self._http = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()

    # --- answering

    def answer(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Answer:
        """One request, authenticated, routed, its JSON answer checked against the metadata."""
        try:
            status, answer_headers, payload, json_type = self._route(method, target, headers, body)
        except GraphError as error:
            status, answer_headers, json_type = error.status, error.headers, None
            payload = error_body(error.code, str(error))
        if 200 <= status < 300:
            answer_headers = {**preference(headers), **answer_headers}  # Prefer: IdType applies to every answer
        if json_type is not None:
            kind, _, type_name = json_type.partition(":")
            check = self.schema.check_collection if kind == "collection" else self.schema.check
            problems = check(type_name, payload)
            if problems:
                self.invalid.extend(f"{method} {target}: {p}" for p in problems)
                status, payload = 500, error_body("generalException", "the test server's answer broke the metadata")
        return status, answer_headers, payload, json_type

    def _route(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Answer:
        parts = urllib.parse.urlsplit(target)
        query = dict(urllib.parse.parse_qsl(parts.query))
        path = parts.path.removeprefix("/v1.0")
        if path == "/$batch" and method == "POST":
            return self._batch(headers, body)
        segments = [urllib.parse.unquote(s) for s in path.strip("/").split("/")]
        if len(segments) < 2 or segments[0] != "users":
            raise GraphError(400, "BadRequest", f"Resource not found for the segment '{segments[0]}'.")
        mailbox = self._authorize(headers, segments[1])
        request = Request(self, mailbox, method, segments[2:], query, headers, body, target)
        for routes in (mail.route, records.route):
            answer = routes(request)
            if answer is not None:
                return answer
        raise GraphError(400, "BadRequest", f"Unsupported request: {method} {parts.path}")

    # --- tokens and permissions

    def _authorize(self, headers: dict[str, str], user: str) -> Mailbox:
        scheme, _, token = headers.get("authorization", "").partition(" ")
        found = self.provider.state.live_access_token(token) if scheme.lower() == "bearer" else None
        if found is None:
            raise GraphError(401, "InvalidAuthenticationToken", "Access token is empty, expired or not valid.",
                             {"WWW-Authenticate": 'Bearer error="invalid_token"'})  # fmt: skip
        mailbox = self.store.mailbox(user)
        if mailbox is None:
            raise GraphError(404, "ErrorInvalidUser", f"The requested user '{user}' is invalid.")
        person = found.grant.user
        if person is not None:  # delegated: one's own mailbox only
            if person.email.lower() != mailbox.address.lower():
                raise GraphError(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.")
        else:
            allowed = self.app_access.get(found.grant.client_id, set())
            if APP_SCOPE not in found.scopes or (allowed is not None and mailbox.address.lower() not in allowed):
                raise GraphError(403, "ErrorAccessDenied", "Access to OData is disabled: application access policy.")
        return mailbox

    def _batch(self, headers: dict[str, str], body: bytes) -> Answer:
        try:
            requests = json.loads(body)["requests"]
            assert isinstance(requests, list)
        except (ValueError, KeyError, TypeError, AssertionError):
            raise GraphError(400, "BadRequest", "Invalid batch payload.") from None
        if len(requests) > MAX_BATCH:
            raise GraphError(400, "BadRequest", f"The number of batch requests exceeds the limit of {MAX_BATCH}.")
        responses = []
        for request in requests:
            inner_headers = {"authorization": headers.get("authorization", "")}
            inner_headers.update({k.lower(): v for k, v in (request.get("headers") or {}).items()})
            inner_body = json.dumps(request["body"]).encode() if request.get("body") is not None else b""
            status, answer_headers, payload, _ = self.answer(
                request["method"], "/v1.0" + request["url"], inner_headers, inner_body
            )
            if isinstance(payload, bytes):  # $value inside a batch comes back base64-encoded
                payload = base64.b64encode(payload).decode()
            responses.append({"id": request["id"], "status": status, "headers": answer_headers, "body": payload})
        return 200, {}, {"responses": responses}, None


# --- the HTTP side


class _HttpServer(TlsHttpServer):
    def __init__(self, graph: GraphServer) -> None:
        self.graph = graph
        super().__init__(graph.tls, _Handler)


class _Handler(TlsHandler):
    server: _HttpServer

    def setup(self) -> None:
        # Headers and body go out in two writes: without TCP_NODELAY the body waits for the client's
        # delayed ACK (40 ms) on a kept-alive connection, which Graph does not make its clients do.
        with contextlib.suppress(OSError):
            self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().setup()

    def do_GET(self) -> None:
        self._answer("GET")

    def do_POST(self) -> None:
        self._answer("POST")

    def do_PATCH(self) -> None:
        self._answer("PATCH")

    def do_DELETE(self) -> None:
        self._answer("DELETE")

    def _answer(self, method: str) -> None:
        graph = self.server.graph
        with graph._flight:
            graph.in_flight += 1
            graph.most_in_flight = max(graph.most_in_flight, graph.in_flight)
        try:
            self._answer_counted(method)
        finally:
            with graph._flight:
                graph.in_flight -= 1

    def _answer_counted(self, method: str) -> None:
        graph = self.server.graph
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path = self.path.split("?")[0]
        fault = graph.faults.next(path)
        if fault is not None and fault[0] == "slow":
            time.sleep(fault[1])
            fault = None
        if fault is not None and fault[0] == "drop_after":
            headers = {name.lower(): value for name, value in self.headers.items()}
            graph.answer(method, self.path, headers, body)
            fault = ("drop", 0)
        if fault is not None and fault[0] == "drop":
            graph.calls.append(Call(method, path, 0))  # 0: no answer reached the client
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.request.shutdown(socket.SHUT_RDWR)
            return
        if fault is not None:
            status = int(fault[0])
            code = "TooManyRequests" if status == 429 else "ServiceUnavailable"
            answer_headers, payload = {"Retry-After": str(int(fault[1]))}, error_body(code, "Please retry later.")
        else:
            headers = {name.lower(): value for name, value in self.headers.items()}
            status, answer_headers, payload, _ = graph.answer(method, self.path, headers, body)
        graph.calls.append(Call(method, path, status))
        if isinstance(payload, bytes):
            data, content_type = payload, answer_headers.pop("Content-Type", "application/octet-stream")
        elif payload is None:
            data, content_type = b"", "application/json"
        else:
            data, content_type = json.dumps(payload).encode(), "application/json; odata.metadata=minimal"
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        for name, value in answer_headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
