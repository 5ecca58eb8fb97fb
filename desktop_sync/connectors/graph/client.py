"""A thin asyncio client of Microsoft Graph v1.0 for one mailbox, over aiohttp.

It owns what every Graph connector needs and nothing more: the bearer token of each request (asked of
``BearerTokens`` each time, cheap while it is fresh; a 401 rejects it and tries once more with a new
one), at most four requests at once per mailbox (Graph's own limit), ``Prefer: IdType="ImmutableId"``
so that ids survive moves, ``Retry-After`` on 429 and 503 (every request of the mailbox pauses, not
only the one refused) and back-off on dropped connections for requests that may be repeated, paging
by ``@odata.nextLink``, delta rounds, JSON ``$batch`` of at most 20 requests, and errors mapped onto
our taxonomy (``answers.py``). Links the server hands back are followed only on the server's own
origin: the token never goes anywhere else.

Paths are relative to the mailbox (``/users/{address}/``): ``client.get("mailFolders/inbox")``.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import ssl
import urllib.parse
import weakref
from collections.abc import AsyncGenerator, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp

from desktop_sync.connectors.errors import ErrorCode, certificate_problem, error, translate
from desktop_sync.connectors.graph.answers import (
    BatchAnswer,
    BatchRequest,
    Page,
    busy,
    failure,
    read_batch,
    read_page,
    retry_after,
)
from desktop_sync.domain.errors import DesktopSyncError, ErrorScope
from desktop_sync.domain.ports.connectors import BearerTokens
from desktop_sync.logs import remember_secret

log = logging.getLogger("desktop_sync.connectors.graph")

GRAPH_URL = "https://graph.microsoft.com/v1.0"
PER_MAILBOX = 4  # Graph allows four concurrent requests per mailbox and application
MAX_BATCH = 20  # requests in one JSON batch: Graph's limit
PAGE_SIZE = 100  # items a page of a collection or delta round holds (odata.maxpagesize)
ATTEMPTS = 5  # tries of one request whose connection dropped
# A throttled request is asked again after each Retry-After while the waits add up to less than
# PATIENCE and it was refused fewer than THROTTLED_TRIES times: a 429 storm slows a cycle down instead
# of failing it. A single Retry-After past MAX_WAIT goes back to the engine, which waits that long.
PATIENCE = 300.0
THROTTLED_TRIES = 50
MAX_WAIT = 60.0
BACKOFF = (0.5, 1.0, 2.0, 4.0)  # between tries after a dropped connection or a 503 without Retry-After
IMMUTABLE_IDS = 'IdType="ImmutableId"'
_CONNECT_TIMEOUT: type[BaseException] = getattr(aiohttp, "ConnectionTimeoutError", aiohttp.ClientConnectorError)


class MailboxGate:
    """What the requests to one mailbox share: at most ``PER_MAILBOX`` at once, and the pause a throttled
    answer asks for, which every request to the mailbox then waits out."""

    def __init__(self, limit: int = PER_MAILBOX) -> None:
        self.slots = asyncio.Semaphore(limit)
        self.resume_at = 0.0  # loop time before which no request is sent
        self.throttled = 0  # answers 429 or 503 seen, for tests and benchmarks

    def pause(self, seconds: float) -> None:
        loop = asyncio.get_running_loop()
        self.resume_at = max(self.resume_at, loop.time() + seconds)

    async def wait(self) -> None:
        loop = asyncio.get_running_loop()
        while (delay := self.resume_at - loop.time()) > 0:
            await asyncio.sleep(delay)


class MailboxGates:
    """One gate per mailbox and event loop, shared by the connectors a factory builds."""

    def __init__(self, limit: int = PER_MAILBOX) -> None:
        self._limit = limit
        self._gates: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, MailboxGate]] = (
            weakref.WeakKeyDictionary()
        )

    def gate(self, mailbox: str) -> MailboxGate:
        gates = self._gates.setdefault(asyncio.get_running_loop(), {})
        return gates.setdefault(mailbox.lower(), MailboxGate(self._limit))


@dataclass(frozen=True, slots=True)
class Answer:
    """A successful answer: its status, headers and body (decoded JSON, bytes for ``raw``, None when empty)."""

    status: int
    headers: Mapping[str, str]
    body: Any


class GraphClient:
    """Requests to one mailbox of one Graph service (``base_url``, e.g. https://graph.microsoft.com/v1.0).

    ``session``: an aiohttp session to borrow (kept open by its owner); without one the client opens
    its own on first use and ``close()`` closes it. ``gates``: where the mailbox's gate is shared with
    its other clients (else the client has a gate of its own).
    """

    def __init__(
        self,
        base_url: str,
        mailbox: str,
        tokens: BearerTokens,
        *,
        ssl_context: ssl.SSLContext | None,
        timeout: float = 60.0,
        gates: MailboxGates | None = None,
        session: aiohttp.ClientSession | None = None,
        auth_scope: ErrorScope = ErrorScope.MAILBOX,
        attempts: int = ATTEMPTS,
        max_wait: float = MAX_WAIT,
        patience: float = PATIENCE,
        backoff: Sequence[float] = BACKOFF,
    ) -> None:
        parts = urllib.parse.urlsplit(base_url.rstrip("/"))
        if parts.scheme != "https" or not parts.hostname:
            raise ValueError(f"not an https URL: {base_url!r}")
        self.base_url = base_url.rstrip("/")
        self.mailbox = mailbox
        self.server = parts.hostname
        self._origin = f"{parts.scheme}://{parts.netloc}"
        self._root = parts.path  # "/v1.0"
        self._user = f"/users/{urllib.parse.quote(mailbox, safe='@')}"
        self._tokens = tokens
        self._ssl = ssl_context
        self._timeout = timeout
        self._gates = gates
        self._last_token = ""
        self._gate: MailboxGate | None = None
        self._session = session
        self._own_session = session is None
        self._auth_scope = auth_scope
        self._attempts = max(1, attempts)
        self._max_wait = max_wait
        self._patience = patience
        self._backoff = tuple(backoff) or (0.0,)

    def __repr__(self) -> str:
        return f"GraphClient({self.base_url!r}, {self.mailbox!r})"

    @property
    def gate(self) -> MailboxGate:
        if self._gate is None:
            self._gate = self._gates.gate(self.mailbox) if self._gates is not None else MailboxGate()
        return self._gate

    # --- the public requests

    async def get(self, path: str, params: Mapping[str, str] | None = None) -> Any:
        return (await self.request("GET", path, params=params)).body

    async def get_bytes(self, path: str) -> bytes:
        body = (await self.request("GET", path, raw=True)).body
        assert isinstance(body, bytes)
        return body

    async def post(
        self,
        path: str,
        json_body: Any = None,
        *,
        data: bytes | None = None,
        content_type: str | None = None,
        repeatable: bool = False,
    ) -> Any:
        """POST; ``repeatable`` when sending it twice does no harm (a query), so a dropped one is tried again."""
        answer = await self.request(
            "POST", path, json_body=json_body, data=data, content_type=content_type, repeatable=repeatable
        )
        return answer.body

    async def patch(self, path: str, json_body: Any) -> Any:
        return (await self.request("PATCH", path, json_body=json_body, repeatable=True)).body

    async def delete(self, path: str) -> None:
        await self.request("DELETE", path, repeatable=True)

    async def pages(
        self, path: str, params: Mapping[str, str] | None = None, *, page_size: int = PAGE_SIZE
    ) -> AsyncGenerator[Page, None]:
        """Every page of a collection, following ``@odata.nextLink``."""
        link: str | None = path
        first = True
        while link is not None:
            answer = await self.request("GET", link, params=params if first else None, page_size=page_size)
            page = read_page(answer.body, f"{self.mailbox} {_no_query(path)}")
            yield page
            link, first = page.next_link, False

    async def delta(
        self, start: str, params: Mapping[str, str] | None = None, *, page_size: int = PAGE_SIZE
    ) -> AsyncGenerator[Page, None]:
        """The pages of one delta round: from ``start`` (a delta path, or the delta link a round ended with)
        through next links to the page that carries the new ``@odata.deltaLink``. A token the server no
        longer knows raises ``DeltaGone`` (start again from the path, without a token)."""
        async for page in self.pages(start, params, page_size=page_size):
            if page.next_link is None and page.delta_link is None:
                raise error(ErrorCode.PROTOCOL_ERROR, f"{self.mailbox}: a delta page ended with neither link")
            yield page

    async def batch(self, requests: Sequence[BatchRequest]) -> dict[str, BatchAnswer]:
        """Answers by id, in JSON batches of at most 20 sent side by side (the mailbox's gate keeps them to
        four at once). URLs are relative to the mailbox like every path; an answer throttled inside a
        batch is asked again after its Retry-After."""
        chunks = [list(requests[start : start + MAX_BATCH]) for start in range(0, len(requests), MAX_BATCH)]
        if len(chunks) == 1:
            return await self._batch_chunk(chunks[0])
        answers: dict[str, BatchAnswer] = {}
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(self._batch_chunk(chunk)) for chunk in chunks]
        for task in tasks:
            answers.update(task.result())
        return answers

    async def _batch_chunk(self, chunk: list[BatchRequest]) -> dict[str, BatchAnswer]:
        answers: dict[str, BatchAnswer] = {}
        waited = 0.0
        for attempt in range(1, THROTTLED_TRIES + 1):
            found = await self._batch_once(chunk)
            answers.update(found)
            again = [r for r in chunk if busy(found[r.id].status)]
            if not again:
                break
            waits = [retry_after(found[r.id].headers) for r in again]
            wait = max((w for w in waits if w is not None), default=self._delay(attempt))
            self.gate.throttled += len(again)
            waited += wait
            if attempt == THROTTLED_TRIES or wait > self._max_wait or waited > self._patience:
                raise error(
                    ErrorCode.SERVER_BUSY,
                    f"{self.server} kept throttling {self.mailbox} ({len(again)} requests of a batch)",
                    retry_after=wait,
                )
            self.gate.pause(wait)
            chunk = again
        return answers

    async def _batch_once(self, chunk: Sequence[BatchRequest]) -> dict[str, BatchAnswer]:
        inner = [
            BatchRequest(
                r.id, r.method, f"{self._user}/{r.url.lstrip('/')}", r.body, {"Prefer": IMMUTABLE_IDS, **r.headers}
            )
            for r in chunk
        ]
        body = {"requests": [r.to_json() for r in inner]}
        answer = await self.request("POST", self.base_url + "/$batch", json_body=body, repeatable=True)
        return read_batch(answer.body, [r.id for r in chunk])

    async def close(self) -> None:
        session, self._session = self._session, None
        if session is not None and self._own_session:
            await session.close()

    # --- one request

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
        data: bytes | None = None,
        content_type: str | None = None,
        raw: bool = False,
        repeatable: bool | None = None,
        page_size: int | None = None,
        accept: Collection[int] = (),
    ) -> Answer:
        """One request with its retries: 401 once with a new token; 429 and 503 after Retry-After; a
        dropped connection again after back-off when ``repeatable`` (GET, PATCH, DELETE by default).
        A status in ``accept`` is answered like a success, for the caller to read (a refused send)."""
        url = self.url_of(path)
        if repeatable is None:
            repeatable = method in ("GET", "PATCH", "DELETE", "PUT")
        headers = {"Prefer": IMMUTABLE_IDS if page_size is None else f"{IMMUTABLE_IDS}, odata.maxpagesize={page_size}"}
        payload: bytes | None = data
        if json_body is not None:
            payload = json.dumps(json_body).encode()
            headers["Content-Type"] = "application/json"
        elif content_type is not None:
            headers["Content-Type"] = content_type
        refreshed = False
        attempt = throttled = 0
        waited = 0.0
        while True:
            attempt += 1
            token = await self._tokens.token()
            if token.token != self._last_token:
                self._last_token = token.token
                remember_secret(token.token)  # masked in every log text, tracebacks included
            headers["Authorization"] = f"Bearer {token.token}"
            try:
                status, answer_headers, body = await self._send(method, url, params, headers, payload, raw)
            except DesktopSyncError as dropped:
                if not repeatable or attempt >= self._attempts or dropped.code != ErrorCode.CONNECTION_DROPPED:
                    raise
                log.info("%s %s: %s; trying again", method, _no_query(path), dropped.message)
                await asyncio.sleep(self._delay(attempt))
                continue
            if 200 <= status < 300 or status in accept:
                return Answer(status, answer_headers, body)
            attempt = 0  # the connection held: dropped tries count afresh
            if status == 401 and not refreshed:
                self._tokens.rejected(token)
                refreshed = True
                continue
            problem = failure(
                status,
                body,
                mailbox=self.mailbox,
                path=_relative(path, self._user),
                server=self.server,
                auth_scope=self._auth_scope,
                headers=answer_headers,
            )
            if not busy(status):
                raise problem
            self.gate.throttled += 1
            throttled += 1
            wait = retry_after(answer_headers)
            wait = self._delay(throttled) if wait is None else wait
            waited += wait
            if throttled >= THROTTLED_TRIES or wait > self._max_wait or waited > self._patience:
                raise problem
            log.info("%s %s: %s answered %d; waiting %.1f s", method, _no_query(path), self.server, status, wait)
            self.gate.pause(wait)

    def _delay(self, attempt: int) -> float:
        return self._backoff[min(attempt, len(self._backoff)) - 1]

    def url_of(self, path: str) -> str:
        """The absolute URL of ``path`` (under the mailbox), or ``path`` itself when it is a link of this
        server; a link elsewhere is refused, so the token is never sent to another origin."""
        if path.startswith(("https://", "http://")):
            if not (path.startswith(self._origin + "/") and urllib.parse.urlsplit(path).path.startswith(self._root)):
                raise error(ErrorCode.PROTOCOL_ERROR, f"{self.server} handed out a link to another server: {path[:80]}")
            return path
        return f"{self.base_url}{self._user}/{path.lstrip('/')}"

    async def _send(
        self,
        method: str,
        url: str,
        params: Mapping[str, str] | None,
        headers: Mapping[str, str],
        payload: bytes | None,
        raw: bool,
    ) -> tuple[int, dict[str, str], Any]:
        gate = self.gate
        session = self._open()
        async with gate.slots:
            await gate.wait()
            try:
                async with session.request(method, url, params=params, headers=headers, data=payload) as response:
                    status = response.status
                    answer_headers = {k: v for k, v in response.headers.items()}
                    content = await response.read()
            except DesktopSyncError:
                raise
            except (aiohttp.ClientError, OSError, TimeoutError) as exc:
                raise translate_http(exc) from exc
        if raw and 200 <= status < 300:
            return status, answer_headers, content
        if not content:
            return status, answer_headers, None
        try:
            return status, answer_headers, json.loads(content)
        except (ValueError, UnicodeDecodeError) as exc:
            if 200 <= status < 300:
                raise error(ErrorCode.PROTOCOL_ERROR, f"{self.server} answered {method} with a body not JSON") from exc
            return status, answer_headers, None  # an error page of a proxy: the status says enough

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = open_session(self._ssl, self._timeout)
            self._own_session = True
        return self._session


class GraphSessions:
    """aiohttp sessions kept open while an engine runs, one per event loop and TLS settings, so that a
    cycle reuses the connections of the one before it instead of opening its own (and its TLS handshake)."""

    def __init__(self) -> None:
        self._sessions: dict[tuple[int, str, float], tuple[asyncio.AbstractEventLoop, aiohttp.ClientSession]] = {}
        self.sharing = False

    def session(self, ssl_context: ssl.SSLContext | None, key: str, timeout: float) -> aiohttp.ClientSession | None:
        """The shared session for these settings (``key`` names the CA), or None when not sharing now."""
        if not self.sharing:
            return None
        loop = asyncio.get_running_loop()
        index = (id(loop), key, timeout)
        found = self._sessions.get(index)
        if found is None or found[0] is not loop or found[1].closed:
            found = (loop, open_session(ssl_context, timeout))
            self._sessions[index] = found
        return found[1]

    async def close(self) -> None:
        """Close the sessions of the running loop and share no more."""
        self.sharing = False
        loop = asyncio.get_running_loop()
        for index, (owner, session) in list(self._sessions.items()):
            if owner is loop:
                del self._sessions[index]
                await session.close()


def open_session(ssl_context: ssl.SSLContext | None, timeout: float, limit: int = 100) -> aiohttp.ClientSession:
    """An aiohttp session that verifies with ``ssl_context`` and ignores proxy variables of the environment."""
    connector = aiohttp.TCPConnector(ssl=ssl_context if ssl_context is not None else True, limit=limit)
    return aiohttp.ClientSession(
        connector=connector,
        timeout=aiohttp.ClientTimeout(total=None, sock_connect=timeout, sock_read=timeout),
        raise_for_status=False,
        auto_decompress=True,
    )


def translate_http(exc: BaseException) -> DesktopSyncError:
    """The domain error for an aiohttp, socket or TLS failure."""
    if isinstance(exc, aiohttp.ClientConnectorCertificateError):
        problem = exc.certificate_error
        if isinstance(problem, ssl.SSLCertVerificationError):
            return error(ErrorCode.CERTIFICATE_INVALID, certificate_problem(problem))
        return error(ErrorCode.CERTIFICATE_INVALID, str(problem))
    if isinstance(exc, aiohttp.ClientConnectorSSLError):
        return error(ErrorCode.TLS_UNAVAILABLE, str(exc))
    if isinstance(exc, aiohttp.ClientConnectorError):
        return translate(exc.os_error)
    if isinstance(exc, TimeoutError):
        return error(ErrorCode.TIMEOUT, f"no answer in time ({type(exc).__name__})")
    if isinstance(exc, aiohttp.InvalidURL):
        return error(ErrorCode.PROTOCOL_ERROR, f"not a valid URL: {exc}")
    if isinstance(exc, aiohttp.ClientError | OSError):
        return error(ErrorCode.CONNECTION_DROPPED, f"{type(exc).__name__}: {exc}".rstrip(": "))
    return translate(exc)


def connected_before_failing(problem: BaseException) -> bool:
    """Whether a request that failed may have reached the server: anything but a failure to connect."""
    cause = problem.__cause__
    return not isinstance(cause, aiohttp.ClientConnectorError | _CONNECT_TIMEOUT)


def decode_batch_bytes(answer: BatchAnswer) -> bytes:
    """The bytes of a ``$value`` answered inside a batch (Graph sends them base64-encoded)."""
    if isinstance(answer.body, str):
        try:
            return base64.b64decode(answer.body, validate=True)
        except ValueError:
            pass
    raise error(ErrorCode.PROTOCOL_ERROR, f"$batch: response {answer.id} holds no base64 content")


def _no_query(path: str) -> str:
    return path.split("?")[0]


def _relative(path: str, user: str) -> str:
    """The part of ``path`` under the mailbox, to name the permission it needs."""
    found = urllib.parse.urlsplit(path).path
    marker = found.find("/users/")
    if marker >= 0:
        rest = found[marker + len("/users/") :]
        return rest.partition("/")[2]
    return found.removeprefix(user).lstrip("/")
