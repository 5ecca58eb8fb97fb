"""POP3 incoming mail: new messages found by diffing UIDL against the set already committed.

poplib blocks, so every call runs in a worker thread on a connection used by one thread at a time.
A POP3 session sees the maildrop as it was at login, so each fetch opens its own session and ends it
with QUIT; mail stays on the server unless the profile says to delete it once committed.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import email.parser
import email.policy
import logging
import poplib
import socket
import ssl
import threading
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from email.utils import parsedate_to_datetime
from typing import TypeVar

from desktop_sync.connectors import bearer
from desktop_sync.connectors.bearer import signed_in
from desktop_sync.connectors.errors import ErrorCode, error, translate
from desktop_sync.connectors.transport import (
    Address,
    IncomingSettings,
    StepRecorder,
    connect_first,
    refused_before_connecting,
    require_secret,
    resolve,
    server_text,
    tls_detail,
)
from desktop_sync.connectors.workers import Kind, call_in_thread, in_thread, open_in_thread
from desktop_sync.domain.errors import DesktopSyncError, ErrorScope, PermanentError
from desktop_sync.domain.folders import ServerFolder
from desktop_sync.domain.model import Profile, Security
from desktop_sync.domain.ports.connectors import (
    Batch,
    ConnectionTest,
    ConnectionTestStep,
    Credentials,
    Cursor,
    ItemFailure,
    RawMessage,
    step_text,
)
from desktop_sync.domain.signin import AccessToken

log = logging.getLogger("desktop_sync.connectors.pop3")

T = TypeVar("T")

FOLDER = "INBOX"  # POP3 has one folder; it is called as IMAP calls its inbox
BATCH_SIZE = 50
CURSOR_VERSION = "v1"
# poplib refuses lines over 2 KiB; real mail (and hostile mail) has longer ones. The limit stays so
# that a server sending an endless line cannot exhaust memory.
MAX_LINE = 64 * 1024 * 1024
_MASK = "********"


def encode_uidls(uidls: Iterable[str]) -> str:
    """The cursor text for a set of UIDLs: a version line, then one UIDL a line, sorted."""
    return "\n".join([CURSOR_VERSION, *sorted(set(uidls))])


def decode_uidls(text: str) -> frozenset[str] | None:
    """The UIDLs of a cursor text, or None when it is not one we wrote."""
    version, _, rest = text.partition("\n")
    if version != CURSOR_VERSION:
        return None
    return frozenset(line for line in rest.split("\n") if line)


class _LineTooLong(poplib.error_proto):
    """A line over MAX_LINE: the rest of that answer cannot be read, so the session is lost."""


class _Pop3(poplib.POP3):
    """poplib on a socket we open ourselves (timed steps, implicit TLS), accepting long lines."""

    def __init__(self, host: str, port: int, opener: Callable[[], socket.socket]) -> None:
        self._opener = opener
        try:
            super().__init__(host, port)
        except BaseException:
            # No greeting (a server that hangs up at once, a time-out): poplib leaves its socket and
            # the file reading it open, as imaplib does not.
            with contextlib.suppress(AttributeError, OSError):
                self.close()
            raise

    def _create_socket(self, timeout: float) -> socket.socket:
        return self._opener()

    def command(self, line: str) -> bytes:
        """One command and its one-line answer ("+OK", or "+ " for a SASL challenge); "-ERR" raises."""
        answer: bytes = self._shortcmd(line)  # type: ignore[attr-defined]
        return answer

    def _getline(self) -> tuple[bytes, int]:
        line = self.file.readline(MAX_LINE + 1)
        if len(line) > MAX_LINE:
            raise _LineTooLong(f"-ERR line longer than {MAX_LINE} bytes")
        if not line:
            raise poplib.error_proto("-ERR EOF")
        octets = len(line)
        if line[-2:] == b"\r\n":
            return line[:-2], octets
        if line[:1] == b"\r":
            return line[1:-1], octets
        return line[:-1], octets


class _Session:
    """A logged-in POP3 session. Its methods block; they run in worker threads one at a time."""

    def __init__(self, client: _Pop3) -> None:
        self.client = client
        self.lock = threading.Lock()
        self.closed = False
        self.numbers: dict[str, int] = {}  # UIDL -> message number in this session

    @classmethod
    def open(
        cls, settings: IncomingSettings, addresses: list[Address], steps: StepRecorder, token: AccessToken | None = None
    ) -> _Session:
        """A session signed in with the password (USER/PASS), or with ``token`` by SASL (AUTH)."""
        endpoint = settings.endpoint
        implicit = endpoint.security is Security.TLS
        context = settings.context
        opened: list[socket.socket] = []

        def opener() -> socket.socket:
            sock = connect_first(addresses, settings.timeout, endpoint.host)
            opened.append(sock)
            if not implicit:
                return sock
            steps.ok(step_text("connected", address=sock.getpeername()[0], port=endpoint.port))
            steps.begin(ConnectionTestStep.TLS)
            assert context is not None
            wrapped = context.wrap_socket(sock, server_hostname=endpoint.host)
            opened.append(wrapped)
            return wrapped

        steps.begin(ConnectionTestStep.CONNECT)
        try:
            client = _Pop3(endpoint.host, endpoint.port, opener)
        except BaseException:
            for sock in opened:
                sock.close()
            raise
        try:
            greeting = server_text(client.getwelcome())
            steps.exchange("", greeting)
            if implicit:
                steps.ok(tls_detail(client.sock if isinstance(client.sock, ssl.SSLSocket) else None))
            else:
                steps.ok(
                    step_text(
                        "connected_greeting",
                        address=client.sock.getpeername()[0],
                        port=endpoint.port,
                        greeting=greeting,
                    )
                )
                steps.begin(ConnectionTestStep.TLS)
                if endpoint.security is Security.STARTTLS:
                    steps.exchange("CAPA")
                    try:
                        capabilities = client.capa()
                    except poplib.error_proto:
                        capabilities = {}
                    if "STLS" not in capabilities:
                        raise error(
                            ErrorCode.TLS_UNAVAILABLE, step_text("no_stls", host=endpoint.host, port=endpoint.port)
                        )
                    steps.exchange("STLS")
                    assert context is not None
                    steps.answer(server_text(client.stls(context)))
                    steps.ok(tls_detail(client.sock if isinstance(client.sock, ssl.SSLSocket) else None))
                else:
                    steps.ok(step_text("clear_text"))
            steps.begin(ConnectionTestStep.AUTHENTICATE)
            try:
                if token is None:
                    secret = require_secret(settings)
                    steps.exchange(f"USER {settings.login}")
                    client.user(settings.login)
                    steps.exchange(f"PASS {_MASK}")
                    steps.answer(server_text(client.pass_(secret)))
                    steps.ok(step_text("logged_in", login=settings.login))
                else:
                    _sign_in_with_token(client, settings, token, steps)
            except poplib.error_proto as exc:
                problem = translate(exc, auth_scope=settings.auth_scope)
                if problem.code == ErrorCode.PROTOCOL_ERROR:  # a bare "-ERR" to PASS or AUTH is a refusal
                    problem = error(ErrorCode.AUTH_FAILED, problem.message, scope=settings.auth_scope)
                raise problem from exc
        except BaseException:
            _close_quietly(client)
            raise
        return cls(client)

    def run(self, fn: Callable[[_Session], T]) -> T:
        with self.lock:
            if self.closed:
                raise ConnectionAbortedError("the POP3 connection was closed")
            return fn(self)

    # commands

    def uidl(self) -> list[tuple[int, str]]:
        _response, lines, _octets = self.client.uidl()
        listing = []
        for line in lines:
            number, _, uidl = server_text(line).partition(" ")
            if number.isdigit() and uidl:
                listing.append((int(number), uidl.strip()))
        self.numbers = {uidl: number for number, uidl in listing}
        return listing

    def number_of(self, uidl: str) -> int | None:
        if not self.numbers:
            self.uidl()
        return self.numbers.get(uidl)

    def retr(self, number: int) -> bytes:
        _response, lines, _octets = self.client.retr(number)
        return b"\r\n".join(lines) + b"\r\n"

    def headers(self, number: int) -> bytes:
        _response, lines, _octets = self.client.top(number, 0)
        return b"\r\n".join(lines) + b"\r\n"

    def stat(self) -> tuple[int, int]:
        count, size = self.client.stat()
        return int(count), int(size)

    def dele(self, number: int) -> None:
        self.client.dele(number)

    # closing

    def quit(self) -> None:
        """QUIT (which commits any DELE), then close whatever happens."""
        with self.lock:
            if self.closed:
                return
            self.closed = True
            try:
                self.client.quit()
            finally:
                _close_quietly(self.client)

    def close(self) -> None:
        """Close without QUIT: DELEs of this session are not committed."""
        with self.lock:
            self.closed = True
            _close_quietly(self.client)

    def interrupt(self) -> None:
        with contextlib.suppress(OSError):
            self.client.sock.shutdown(socket.SHUT_RDWR)


def _sign_in_with_token(client: _Pop3, settings: IncomingSettings, token: AccessToken, steps: StepRecorder) -> None:
    """AUTH (RFC 5034) with the mechanism CAPA's SASL line offers, by hand: poplib has no AUTH. The
    response goes on its own line, since a token makes the command longer than its 255 octets."""
    endpoint = settings.endpoint
    steps.exchange("CAPA")
    try:
        offered = client.capa().get("SASL", [])
    except poplib.error_proto:
        offered = []
    mechanism = bearer.choose(offered)
    if mechanism is None:
        raise error(ErrorCode.NOT_SUPPORTED, step_text("no_oauth_offered", host=endpoint.host))
    steps.exchange(f"AUTH {mechanism}")
    client.command(f"AUTH {mechanism}")  # "+ ": go on; "-ERR" raises
    steps.exchange(_MASK)
    answer = client.command(bearer.encoded(mechanism, settings.login, token.token, endpoint.host, endpoint.port))
    if not answer.startswith(b"+OK"):  # "+ <error>": the server's reasons, then -ERR to our acknowledgement
        steps.answer(server_text(answer))
        answer = client.command(bearer.ERROR_ACKNOWLEDGEMENT[mechanism])
    steps.answer(server_text(answer))
    steps.ok(step_text("sasl_logged_in", login=settings.login, mechanism=mechanism))


def _close_quietly(client: poplib.POP3) -> None:
    """Close the socket; after a failed TLS handshake it is already detached, which is fine."""
    with contextlib.suppress(OSError):
        client.close()


def _survives(exc: BaseException) -> bool:
    """Whether the session is still usable: the server answered -ERR, the stream is in step."""
    return isinstance(exc, poplib.error_proto) and not isinstance(exc, _LineTooLong) and "EOF" not in str(exc)


def received_at(head: bytes) -> dt.datetime | None:
    """When the server received a message: the date of its newest Received header, else its Date."""
    headers = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(head)
    candidates = [str(value).rpartition(";")[2] for value in (headers.get_all("Received") or [])[:1]]
    candidates.append(str(headers.get("Date") or ""))
    for text in candidates:
        try:
            moment = parsedate_to_datetime(text.strip())
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=dt.UTC)
            return moment.astimezone(dt.UTC)
        except (TypeError, ValueError, IndexError, OverflowError):
            continue  # a date beyond the calendar is no date
    return None


class Pop3Incoming:
    """Incoming mail of one POP3 mailbox; its cursor is the set of UIDLs already committed."""

    def __init__(self, profile: Profile, credentials: Credentials, *, batch_size: int = BATCH_SIZE) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self._profile = profile
        self._credentials = credentials
        self._batch_size = batch_size
        self._settings_cache: IncomingSettings | None = None
        self._lock = asyncio.Lock()
        self._session: _Session | None = None  # the running fetch's session, shared with its callers

    def _settings(self) -> IncomingSettings:
        if self._settings_cache is None:
            self._settings_cache = IncomingSettings.of(self._profile, self._credentials)
        return self._settings_cache

    # --- connection handling

    async def _open(self, steps: StepRecorder | None = None) -> _Session:
        settings = self._settings()
        recorder = steps or StepRecorder()
        recorder.begin(ConnectionTestStep.RESOLVE)
        addresses = await resolve(settings.endpoint, settings.timeout, Kind.POP3)
        recorder.ok(f"{settings.endpoint.host}: {', '.join(sorted({a.host for a in addresses}))}")

        async def open_with(token: AccessToken | None) -> _Session:
            return await open_in_thread(
                Kind.POP3,
                lambda: _Session.open(settings, addresses, recorder, token),
                close_orphan=_Session.close,  # nobody used it yet: closing does not wait on the network
                auth_scope=settings.auth_scope,
            )

        return await signed_in(settings.bearer, recorder, open_with)

    async def _call(self, session: _Session, fn: Callable[[_Session], T]) -> T:
        async def drop() -> None:
            session.interrupt()
            await in_thread(Kind.POP3, session.close)

        return await call_in_thread(
            Kind.POP3, session, fn, survives=_survives, drop=drop, auth_scope=self._settings().auth_scope
        )

    async def _current_or_own(self) -> tuple[_Session, bool]:
        """The running fetch's session, or a session of the caller's own (True), which the caller ends."""
        if self._session is not None:
            return self._session, False
        return await self._open(), True

    async def _end(self, session: _Session) -> None:
        try:
            await in_thread(Kind.POP3, session.quit)
        except Exception as exc:  # the mail is committed already; a failed goodbye loses nothing but DELEs
            log.info("POP3 QUIT failed: %s", translate(exc).message)

    # --- IncomingMail

    async def fetch(self, cursors: Mapping[str, str], since: dt.datetime | None, limit: int) -> AsyncIterator[Batch]:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        previous = cursors.get(FOLDER)
        known = decode_uidls(previous) if previous else frozenset()
        reset = known is None
        if known is None:
            log.warning("POP3 cursor unreadable; every message on the server is read again")
            known = frozenset()
        if since is not None and since.tzinfo is None:
            since = since.replace(tzinfo=dt.UTC)

        async with self._lock:
            session = self._session = await self._open()
        try:
            async with self._lock:
                listing = await self._call(session, lambda s: s.uidl())
            on_server = {uidl for _number, uidl in listing}
            covered = set(known & on_server)  # UIDLs of deleted mail leave the cursor
            new = [(number, uidl) for number, uidl in listing if uidl not in known]
            if not new:
                value = encode_uidls(covered)
                if reset or value != previous:
                    yield Batch((), Cursor(FOLDER, value), reset=reset)
                return
            taken, left_over = new[:limit], len(new) > limit
            pages = [taken[start : start + self._batch_size] for start in range(0, len(taken), self._batch_size)]
            for index, page in enumerate(pages):
                items: list[RawMessage] = []
                failures: list[ItemFailure] = []
                lost = False
                for number, uidl in page:
                    covered.add(uidl)
                    try:
                        async with self._lock:
                            message = await self._retrieve(session, number, uidl, since)
                    except DesktopSyncError as problem:
                        if not session.closed:
                            failures.append(ItemFailure(uidl, FOLDER, problem.code, problem.message))
                            continue
                        if not isinstance(problem.__cause__, _LineTooLong):
                            raise
                        # This message cannot be read over POP3: record it, end here, go on next time.
                        failures.append(ItemFailure(uidl, FOLDER, problem.code, problem.message, transient=False))
                        lost = True
                        break
                    if message is not None:
                        items.append(message)
                last = index == len(pages) - 1
                more = lost or not last or left_over
                remaining = len(new) - sum(len(p) for p in pages[: index + 1])
                yield Batch(
                    tuple(items),
                    Cursor(FOLDER, encode_uidls(covered)),
                    tuple(failures),
                    more,
                    reset and not index,
                    remaining=remaining,
                )
                if lost:
                    return
        finally:
            async with self._lock:
                self._session = None
                if not session.closed:
                    await self._end(session)

    async def _retrieve(
        self, session: _Session, number: int, uidl: str, since: dt.datetime | None
    ) -> RawMessage | None:
        """The message, or None when it is older than ``since`` (judged from its headers alone)."""
        if since is not None:
            head = await self._call(session, lambda s: s.headers(number))
            when = received_at(head)
            if when is not None and when < since:
                return None
        raw = await self._call(session, lambda s: s.retr(number))
        return RawMessage(uidl, FOLDER, raw, received_at(raw))

    async def fetch_item(self, server_id: str) -> RawMessage:
        async with self._lock:
            session, own = await self._current_or_own()
            try:
                number = await self._call(session, lambda s: s.number_of(server_id))
                if number is None:
                    raise _item_gone(server_id)
                raw = await self._call(session, lambda s: s.retr(number))
            finally:
                if own and not session.closed:
                    await self._end(session)
        return RawMessage(server_id, FOLDER, raw, received_at(raw))

    async def delete_committed(self, items: Sequence[RawMessage]) -> None:
        """DELE each item by its UIDL, then QUIT: only when the profile deletes after download."""
        if not self._profile.delete_after_download or not items:
            return
        async with self._lock:
            session, own = await self._current_or_own()
            try:
                for item in items:
                    await self._call(session, _deleter(item.server_id))
                if own:
                    await in_thread(Kind.POP3, session.quit)  # QUIT is what commits the DELEs
            except Exception as exc:
                if own and not session.closed:
                    await in_thread(Kind.POP3, session.close)
                raise translate(exc, auth_scope=self._settings().auth_scope) from exc

    async def test(self) -> ConnectionTest:
        try:
            self._settings()
        except DesktopSyncError as problem:
            return refused_before_connecting(problem)
        steps = StepRecorder()
        async with self._lock:
            session: _Session | None = None
            try:
                session = await self._open(steps)
                steps.begin(ConnectionTestStep.LIST_FOLDERS)
                steps.exchange("STAT")
                count, size = await self._call(session, lambda s: s.stat())
                steps.exchange("UIDL")
                listing = await self._call(session, lambda s: s.uidl())
                steps.answer(f"{len(listing)} messages")
                steps.ok(step_text("pop3_inbox", count=count, size=size))
            except DesktopSyncError as problem:
                steps.fail(problem)
            finally:
                if session is not None and not session.closed:
                    await self._end(session)
        return steps.result()

    async def list_folders(self) -> list[ServerFolder]:
        """POP3 has one folder, the Inbox."""
        return [ServerFolder("INBOX", "INBOX")]

    def push(self) -> None:
        """POP3 cannot push: the engine polls."""
        return None

    async def close(self) -> None:
        async with self._lock:
            session, self._session = self._session, None
            if session is not None and not session.closed:
                await in_thread(Kind.POP3, session.close)


def _deleter(uidl: str) -> Callable[[_Session], None]:
    def delete(session: _Session) -> None:
        number = session.number_of(uidl)
        if number is not None:  # gone already: nothing to delete
            session.dele(number)

    return delete


def _item_gone(identity: str) -> PermanentError:
    problem = error(
        ErrorCode.ITEM_NOT_FOUND, f"{identity}: no such message on the server any more", scope=ErrorScope.ITEM
    )
    assert isinstance(problem, PermanentError)
    return problem
