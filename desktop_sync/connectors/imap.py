"""IMAP incoming mail: incremental fetch by (folder, UIDVALIDITY, UID), IDLE push, and the Sent folder.

Why imapclient in a worker thread rather than aioimaplib: imapclient is the mature, complete IMAP
client for Python. It parses every response we rely on (FETCH with literals and INTERNALDATE,
LIST with special-use flags, SELECT with UIDVALIDITY/UIDNEXT/HIGHESTMODSEQ, SEARCH, IDLE), speaks
STARTTLS with a caller's SSLContext, maps server refusals to typed exceptions and redacts LOGIN
in its own debug log. aioimaplib 2.0 has no STARTTLS at all (it would have to be grafted onto its
transport) and hands back raw response lines that we would have to parse ourselves, literals
included; a home-grown parser is exactly where hostile mail breaks things. The cost of a blocking
library is contained here, as ARCHITECTURE.md asks: every call runs in a worker thread of the IMAP
connectors' own pool (``workers``) on a connection that is used by one thread at a time, every
socket has the profile's time-out, and IDLE does not hold a thread while it waits: the event loop
watches the socket (``add_reader``) and a worker only reads once the server has spoken.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import datetime as dt
import functools
import imaplib
import logging
import select
import socket
import ssl
import threading
import time
from collections.abc import AsyncIterator, Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import imapclient

from desktop_sync.connectors.errors import ErrorCode, credentials_scope, error, translate
from desktop_sync.connectors.holdback import read_folders
from desktop_sync.connectors.imap_pool import ImapPool
from desktop_sync.connectors.reconnect import RECONNECT_DELAYS, Reconnect
from desktop_sync.connectors.transport import (
    Address,
    IncomingSettings,
    StepRecorder,
    connect_first,
    resolve,
    secret_fingerprint,
    tls_detail,
)
from desktop_sync.connectors.workers import Kind, call_in_thread, in_thread, open_in_thread
from desktop_sync.domain.connectors import (
    Batch,
    ConnectionTest,
    ConnectionTestStep,
    Credentials,
    Cursor,
    ItemFailure,
    RawMessage,
    ThrottleKey,
    step_text,
)
from desktop_sync.domain.errors import DesktopSyncError, ErrorScope, PermanentError, TransientError
from desktop_sync.domain.folders import ServerFolder
from desktop_sync.domain.model import Profile, Security

log = logging.getLogger("desktop_sync.connectors.imap")

T = TypeVar("T")

INBOX = "INBOX"
BATCH_SIZE = 50
BATCH_BYTES = 16 * 1024 * 1024  # a batch is cut earlier when its messages add up to this
IDLE_RENEW_SECONDS = 25 * 60.0  # RFC 2177: servers may drop an IDLE after 30 minutes
SPECIAL_USE = frozenset(
    {"\\all", "\\archive", "\\drafts", "\\flagged", "\\junk", "\\sent", "\\trash", "\\important"}
)  # RFC 6154, compared case-insensitively
SENT_NAMES = ("Sent", "Sent Items", "Sent Messages", "INBOX.Sent", "INBOX/Sent")
CURSOR_VERSION = "v1"
STALE_AFTER_SECONDS = 5.0  # a connection unused this long is retried once if found dead
_MASK = "********"


# --- values


@dataclass(frozen=True, slots=True)
class Folder:
    """One folder of the account as LIST shows it; ``special_use`` is e.g. "\\Sent" or None."""

    name: str
    delimiter: str | None
    flags: tuple[str, ...]
    special_use: str | None = None

    @property
    def selectable(self) -> bool:
        return not any(flag.lower() in ("\\noselect", "\\nonexistent") for flag in self.flags)


@dataclass(frozen=True, slots=True)
class FolderCursor:
    """Where sync stands in one folder: every UID up to ``uid`` under ``uidvalidity`` was handed over.

    Text form: ``v1;uidvalidity=123;uid=456;modseq=789`` (modseq only when the server has CONDSTORE).
    """

    uidvalidity: int
    uid: int
    modseq: int | None = None

    def encode(self) -> str:
        text = f"{CURSOR_VERSION};uidvalidity={self.uidvalidity};uid={self.uid}"
        return text if self.modseq is None else f"{text};modseq={self.modseq}"

    @classmethod
    def decode(cls, text: str) -> FolderCursor | None:
        """The cursor in ``text``, or None when it is not one we wrote (the folder is then read afresh)."""
        version, _, rest = text.partition(";")
        if version != CURSOR_VERSION:
            return None
        values: dict[str, int] = {}
        for part in rest.split(";"):
            key, sep, value = part.partition("=")
            if not sep or not value.isdigit():
                return None
            values[key] = int(value)
        if "uidvalidity" not in values or "uid" not in values:
            return None
        return cls(values["uidvalidity"], values["uid"], values.get("modseq"))


def unchanged(cursor: FolderCursor, now: FolderCursorState) -> bool:
    """Whether a folder whose sync stands at ``cursor`` has nothing new, by what the server says ``now``.

    Nothing arrived when UIDVALIDITY is the same and UIDNEXT has not moved past the cursor's UID
    (every UID below UIDNEXT was handed over or covered). A server that gives no UIDNEXT is
    trusted on HIGHESTMODSEQ (RFC 7162: any new message raises it) when the cursor has one; a
    cursor written mid-folder keeps the HIGHESTMODSEQ of the last complete pass, so it never
    matches while mail is left to read. Otherwise the folder is read.
    """
    if now.uidvalidity != cursor.uidvalidity:
        return False
    if now.uidnext is not None:
        return now.uidnext <= cursor.uid + 1
    return cursor.modseq is not None and now.highestmodseq == cursor.modseq


class FolderCursorState(Protocol):
    """What ``unchanged`` reads of a folder's state (STATUS or EXAMINE)."""

    @property
    def uidvalidity(self) -> int: ...

    @property
    def uidnext(self) -> int | None: ...

    @property
    def highestmodseq(self) -> int | None: ...


def server_id(folder: str, uidvalidity: int, uid: int) -> str:
    return f"{folder};{uidvalidity};{uid}"


def parse_server_id(text: str) -> tuple[str, int, int]:
    """(folder, uidvalidity, uid) of a server id; a folder name may itself contain ';'."""
    folder, uidvalidity, uid = text.rsplit(";", 2)
    if not folder or not uidvalidity.isdigit() or not uid.isdigit():
        raise ValueError(text)
    return folder, int(uidvalidity), int(uid)


def pool_key(profile: Profile, credentials: Credentials) -> tuple[object, ...]:
    """What two connectors must share to reuse each other's connection: server, login, password
    (its keyed hash: the key holds no secret) and every setting that shapes the connection."""
    return (
        profile.incoming,
        profile.ca_file,
        profile.allow_insecure,
        profile.timeout_seconds,
        credentials.login,
        secret_fingerprint(credentials.secret),
    )


@dataclass(frozen=True, slots=True)
class _FolderState:
    """What SELECT (EXAMINE) said about a folder."""

    uidvalidity: int
    uidnext: int | None
    highestmodseq: int | None
    exists: int | None  # None from STATUS, which is not asked for it


class _FolderChanged(TransientError):
    """UIDVALIDITY changed between SELECT and a later command: the folder was replaced while read."""

    def __init__(self, folder: str) -> None:
        super().__init__(f"the folder {folder} was replaced while it was read", code=ErrorCode.PROTOCOL_ERROR.value)


# --- the blocking side: one connection, used by one worker thread at a time


class _Imap4(imaplib.IMAP4):
    """imaplib on a socket we open ourselves, so the test steps can time CONNECT and TLS apart."""

    def __init__(self, host: str, port: int, opener: Callable[[], socket.socket]) -> None:
        self._opener = opener
        super().__init__(host, port)

    def _create_socket(self, timeout: float | None = None) -> socket.socket:
        return self._opener()


class _Client(imapclient.IMAPClient):  # type: ignore[misc]
    """IMAPClient over ``_Imap4``: the only hook we take is where it creates its imaplib object."""

    def __init__(self, host: str, port: int, opener: Callable[[], socket.socket], timeout: float) -> None:
        self._opener = opener
        # ssl=False: the opener wraps the socket itself for implicit TLS.
        super().__init__(host, port, ssl=False, timeout=timeout)
        if not logging.getLogger("imapclient.imaplib").isEnabledFor(logging.DEBUG):
            # imapclient sets imaplib's debug level to 5 for its logger; imaplib then formats every
            # response (mail bodies included, with repr) before the logger drops it: a fifth of
            # the connector's CPU in a first import.
            self._imap.debug = 0

    def _create_IMAP4(self) -> Any:
        return _Imap4(self.host, self.port, self._opener)


class _Session:
    """A logged-in IMAP connection. Its methods block; ``_Link`` runs them in worker threads."""

    def __init__(self, client: Any, settings: IncomingSettings) -> None:
        self.client = client
        self.settings = settings
        self.lock = threading.Lock()  # one worker thread at a time, also against a concurrent close
        self.selected: str | None = None
        self.state: _FolderState | None = None
        self.closed = False
        self.last_used = time.monotonic()
        client.normalise_times = False  # INTERNALDATE with its time zone
        self.condstore = bool(client.has_capability("CONDSTORE"))  # from LOGIN's answer: no command

    # opening

    @classmethod
    def open(cls, settings: IncomingSettings, addresses: list[Address], steps: StepRecorder) -> _Session:
        endpoint = settings.endpoint
        implicit = endpoint.security is Security.TLS

        def opener() -> socket.socket:
            sock = connect_first(addresses, settings.timeout, endpoint.host)
            if not implicit:
                return sock
            steps.ok(step_text("connected", address=sock.getpeername()[0], port=endpoint.port))
            steps.begin(ConnectionTestStep.TLS)
            assert settings.context is not None
            try:
                return settings.context.wrap_socket(sock, server_hostname=endpoint.host)
            except BaseException:
                sock.close()
                raise

        steps.begin(ConnectionTestStep.CONNECT)
        client = _Client(endpoint.host, endpoint.port, opener, settings.timeout)
        try:
            greeting = _text(client.welcome)
            steps.exchange("", greeting)
            if implicit:
                steps.ok(tls_detail(client.socket()))
            else:
                steps.ok(
                    step_text(
                        "connected_greeting",
                        address=client.socket().getpeername()[0],
                        port=endpoint.port,
                        greeting=greeting,
                    )
                )
                steps.begin(ConnectionTestStep.TLS)
                if endpoint.security is Security.STARTTLS:
                    steps.exchange("STARTTLS")
                    if not client.has_capability("STARTTLS"):
                        raise error(
                            ErrorCode.TLS_UNAVAILABLE, step_text("no_starttls", host=endpoint.host, port=endpoint.port)
                        )
                    steps.answer(_text(client.starttls(settings.context)))
                    steps.ok(tls_detail(client.socket()))
                else:
                    steps.ok(step_text("clear_text"))
            steps.begin(ConnectionTestStep.AUTHENTICATE)
            if settings.secret is None:
                raise error(
                    ErrorCode.PASSWORD_MISSING,
                    step_text("no_password", login=settings.login),
                    scope=settings.auth_scope,
                )
            steps.exchange(f"LOGIN {settings.login} {_MASK}")
            steps.answer(_text(client.login(settings.login, settings.secret)))
            if client.has_capability("CONDSTORE") and client.has_capability("ENABLE"):
                client.enable("CONDSTORE")
            steps.ok(step_text("logged_in", login=settings.login))
        except BaseException:
            _shutdown(client)
            raise
        return cls(client, settings)

    def run(self, fn: Callable[[_Session], T]) -> T:
        with self.lock:
            if self.closed:
                raise ConnectionAbortedError("the IMAP connection was closed")
            try:
                return fn(self)
            finally:
                self.last_used = time.monotonic()

    # commands

    def select(self, folder: str) -> _FolderState:
        """EXAMINE ``folder`` (read-only: no flag can change, \\Recent is kept)."""
        response = self.client.select_folder(folder, readonly=True)
        state = _FolderState(
            uidvalidity=int(response[b"UIDVALIDITY"]),
            uidnext=_optional_int(response.get(b"UIDNEXT")),
            highestmodseq=_optional_int(response.get(b"HIGHESTMODSEQ")),
            exists=int(response.get(b"EXISTS", 0)),
        )
        self.selected, self.state = folder, state
        return state

    def poll(self, folder: str) -> _FolderState:
        """Where ``folder`` stands, in one command: STATUS (UIDVALIDITY UIDNEXT, and HIGHESTMODSEQ
        with CONDSTORE), or EXAMINE when it is the selected folder (RFC 3501 advises against STATUS
        there). A server that leaves UIDNEXT out of STATUS is EXAMINEd."""
        if self.selected == folder:
            return self.select(folder)
        items = ["UIDVALIDITY", "UIDNEXT", *(["HIGHESTMODSEQ"] if self.condstore else [])]
        response = self.client.folder_status(folder, items)
        if b"UIDVALIDITY" not in response or b"UIDNEXT" not in response:
            return self.select(folder)
        return _FolderState(
            uidvalidity=int(response[b"UIDVALIDITY"]),
            uidnext=int(response[b"UIDNEXT"]),
            highestmodseq=_optional_int(response.get(b"HIGHESTMODSEQ")),
            exists=None,
        )

    def ensure_selected(self, folder: str, uidvalidity: int | None = None) -> _FolderState:
        state = self.state if self.selected == folder and self.state is not None else self.select(folder)
        if uidvalidity is not None and state.uidvalidity != uidvalidity:
            raise _FolderChanged(folder)
        return state

    def list_folders(self) -> list[Folder]:
        folders = []
        for flags, delimiter, name in self.client.list_folders():
            texts = tuple(_text(flag) for flag in flags)
            special = next((flag for flag in texts if flag.lower() in SPECIAL_USE), None)
            folders.append(Folder(str(name), _text(delimiter) if delimiter else None, texts, special))
        return folders

    def server_folders(self) -> list[ServerFolder]:
        objectid = b"OBJECTID" in self.client.capabilities()
        found = []
        for folder in self.list_folders():
            folder_id = folder.name
            if folder.selectable:
                items = ["MAILBOXID"] if objectid else ["UIDVALIDITY"]
                status = self.client.folder_status(folder.name, items)
                if objectid and b"MAILBOXID" in status:
                    folder_id = "mailboxid:" + _text(
                        status[b"MAILBOXID"][0]
                        if isinstance(status[b"MAILBOXID"], (list, tuple))
                        else status[b"MAILBOXID"]
                    )
                elif b"UIDVALIDITY" in status:
                    folder_id = f"uidvalidity:{int(status[b'UIDVALIDITY'])}"
            found.append(ServerFolder(folder_id, folder.name, folder.delimiter, folder.special_use, folder.selectable))
        return found

    def search_new(self, folder: str, uidvalidity: int, after_uid: int, since: dt.datetime | None) -> list[int]:
        self.ensure_selected(folder, uidvalidity)
        criteria: list[Any] = ["UID", f"{after_uid + 1}:*"]
        if since is not None:
            # SEARCH SINCE compares dates only, in the message's own time zone: ask for a day more
            # and filter on the exact INTERNALDATE afterwards.
            criteria += ["SINCE", (since - dt.timedelta(days=1)).date()]
        # "n:*" always matches the highest UID, even below n.
        return sorted(uid for uid in self.client.search(criteria) if uid > after_uid)

    def fetch_meta(self, folder: str, uidvalidity: int, uids: list[int]) -> dict[int, tuple[int, dt.datetime | None]]:
        self.ensure_selected(folder, uidvalidity)
        response = self.client.fetch(uids, ["RFC822.SIZE", "INTERNALDATE"])
        return {
            uid: (int(data.get(b"RFC822.SIZE") or 0), _utc(data.get(b"INTERNALDATE"))) for uid, data in response.items()
        }

    def fetch_bodies(
        self, folder: str, uidvalidity: int, uids: list[int], *, dates: bool = True
    ) -> dict[int, tuple[bytes | None, dt.datetime | None]]:
        """BODY[] of each UID, with INTERNALDATE unless ``dates`` is False (a caller that has it)."""
        self.ensure_selected(folder, uidvalidity)
        # BODY.PEEK[] never sets \Seen; the folder is EXAMINEd read-only besides.
        response = self.client.fetch(uids, ["BODY.PEEK[]", "INTERNALDATE"] if dates else ["BODY.PEEK[]"])
        return {
            uid: (_bytes_or_none(data.get(b"BODY[]")), _utc(data.get(b"INTERNALDATE")))
            for uid, data in response.items()
        }

    def append(self, folder: str, raw: bytes) -> None:
        self.client.append(folder, raw, flags=(b"\\Seen",))
        if self.selected == folder:
            self.selected = self.state = None  # its UIDNEXT moved

    def search_header(self, folder: str, name: str, value: str) -> list[int]:
        self.select(folder)  # always afresh: an append may have happened since
        return list(self.client.search(["HEADER", name, value]))

    def noop(self) -> list[Any]:
        return list(self.client.noop()[1])

    def idle_start(self) -> None:
        self.client.idle()

    def idle_check(self) -> list[Any]:
        return list(self.client.idle_check(timeout=0))

    def idle_done(self) -> list[Any]:
        return list(self.client.idle_done()[1])

    def socket(self) -> socket.socket:
        sock: socket.socket = self.client.socket()
        return sock

    # closing

    def logout(self, timeout: float | None = None) -> None:
        """LOGOUT, then close the socket whatever happens (under the lock: waits for a running call).

        ``timeout`` shortens the wait for the server's answer (a parked connection's goodbye)."""
        with self.lock:
            if self.closed:
                return
            self.closed = True
            with contextlib.suppress(Exception):  # already gone: nothing to say goodbye to
                if timeout is not None:
                    self.client.socket().settimeout(timeout)
                self.client.logout()
            _shutdown(self.client)

    def close(self) -> None:
        with self.lock:
            self.closed = True
            _shutdown(self.client)

    def interrupt(self) -> None:
        """Unblock a worker stuck on this connection (called from the event loop, without the lock)."""
        with contextlib.suppress(OSError):
            self.client.socket().shutdown(socket.SHUT_RDWR)


def _shutdown(client: Any) -> None:
    try:
        client.shutdown()
    except Exception:
        with contextlib.suppress(Exception):
            client.socket().close()


def _text(value: Any) -> str:
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("utf-8", "replace")
    return "" if value is None else str(value)


def _optional_int(value: Any) -> int | None:
    return None if value is None else int(value)


def _bytes_or_none(value: Any) -> bytes | None:
    return bytes(value) if isinstance(value, bytes | bytearray) else None


def _utc(value: object) -> dt.datetime | None:
    if not isinstance(value, dt.datetime):
        return None
    moment = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def _survives(exc: BaseException) -> bool:
    """Whether the connection is still usable after ``exc``: the server said NO or BAD, nothing worse."""
    if isinstance(exc, DesktopSyncError):
        return isinstance(exc, _FolderChanged) or exc.code in (ErrorCode.ITEM_NOT_FOUND, ErrorCode.MAILBOX_NOT_FOUND)
    return isinstance(exc, imaplib.IMAP4.error) and not isinstance(exc, imaplib.IMAP4.abort)


# --- the async side


@dataclass(frozen=True, slots=True)
class Parking:
    """Where a connector parks its connection when it closes, and takes one back when it opens."""

    pool: ImapPool
    group: ThrottleKey  # the connection limit it counts against
    key: Hashable  # server, login and settings: who may reuse the connection
    server: Hashable  # host and port


class _Link:
    """At most one IMAP connection, opened on demand and reused, whose calls run in worker threads.

    With ``parking``, the connection comes from the pool when one is parked there, and goes back to
    it on ``close()``.
    """

    def __init__(self, settings: Callable[[], IncomingSettings], parking: Parking | None = None) -> None:
        self._settings = settings
        self._parking = parking
        self._session: _Session | None = None
        self._lock = asyncio.Lock()
        self._closing: set[asyncio.Task[None]] = set()

    @property
    def session(self) -> _Session | None:
        return self._session

    async def call(self, fn: Callable[[_Session], T], *, retry_stale: bool = True) -> T:
        """Run ``fn`` on the connection.

        A connection that sat unused for a while, or was parked, may have been closed by the server
        (autologout, a NAT time-out): when its first command finds it dead, it is replaced once. A
        drop in the middle of work is reported, not hidden.
        """
        async with self._lock:
            reused = False
            if self._session is None and self._parking is not None:
                parked = self._parking.pool.take(self._parking.group, self._parking.key)
                if isinstance(parked, _Session):
                    self._session, reused = parked, True
            session = self._session
            # A parked connection may have been closed by the server however recently it was used.
            stale = session is not None and (reused or time.monotonic() - session.last_used > STALE_AFTER_SECONDS)
            if session is None:
                session = await self._open()
            try:
                return await self._run(session, fn)
            except DesktopSyncError as problem:
                if not stale or not retry_stale or problem.code != ErrorCode.CONNECTION_DROPPED:
                    raise
                log.info("IMAP connection to %s was gone; reconnecting", session.settings.endpoint.host)
            return await self._run(await self._open(), fn)

    async def open_for_test(self, steps: StepRecorder) -> _Session:
        """A connection that the caller owns, its steps recorded (RESOLVE included)."""
        settings = self._settings()
        steps.begin(ConnectionTestStep.RESOLVE)
        addresses = await resolve(settings.endpoint, settings.timeout)
        names = sorted({address.host for address in addresses})
        steps.ok(step_text("resolved", host=settings.endpoint.host, addresses=", ".join(names)))
        return await self._connect(settings, addresses, steps)

    async def _open(self) -> _Session:
        settings = self._settings()
        addresses = await resolve(settings.endpoint, settings.timeout)
        self._session = await self._connect(settings, addresses, StepRecorder())
        return self._session

    async def _connect(self, settings: IncomingSettings, addresses: list[Address], steps: StepRecorder) -> _Session:
        return await open_in_thread(
            Kind.IMAP,
            lambda: _Session.open(settings, addresses, steps),
            close_orphan=self._schedule_close,  # it finished opening after its caller gave up
            auth_scope=settings.auth_scope,
        )

    async def _run(self, session: _Session, fn: Callable[[_Session], T]) -> T:
        return await call_in_thread(
            Kind.IMAP, session, fn, survives=_survives, drop=self.discard, auth_scope=session.settings.auth_scope
        )

    def discard(self) -> None:
        """Drop the connection now (it is broken, or a call on it was abandoned); closed in the background."""
        session, self._session = self._session, None
        if session is not None:
            session.interrupt()
            self._schedule_close(session)

    def _schedule_close(self, session: _Session) -> None:
        task = asyncio.ensure_future(in_thread(Kind.IMAP, session.close))
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    async def close(self, *, park: bool = True) -> None:
        """Park the connection for the next connector (with ``parking``, while the pool takes it), or LOGOUT."""
        async with self._lock:
            session, self._session = self._session, None
            if session is not None:
                parking = self._parking
                if not (park and parking is not None and self._park(parking, session)):
                    await in_thread(Kind.IMAP, session.logout)
        if self._closing:
            await asyncio.gather(*self._closing, return_exceptions=True)

    @staticmethod
    def _park(parking: Parking, session: _Session) -> bool:
        session.state = None  # what SELECT said is stale by the next cycle; the folder stays selected
        return parking.pool.park(parking.group, parking.key, parking.server, session)


class ImapIncoming:
    """Incoming mail of one IMAP mailbox: INBOX plus ``folders``, fetched by UID without touching flags.

    ``fetch`` yields batches whose cursor covers every UID up to the last one handed over (messages
    before ``since`` are skipped but covered). A changed UIDVALIDITY restarts the folder from its
    first message with ``Batch.reset``; the engine's Message-ID guard drops what it already has.
    """

    def __init__(
        self,
        profile: Profile,
        credentials: Credentials,
        *,
        folders: Sequence[str] = (),
        batch_size: int = BATCH_SIZE,
        batch_bytes: int = BATCH_BYTES,
        push_renew_seconds: float = IDLE_RENEW_SECONDS,
        reconnect_delays: Sequence[float] = RECONNECT_DELAYS,
        pool: ImapPool | None = None,
        group: ThrottleKey | None = None,
    ) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        if (pool is None) != (group is None):
            raise ValueError("a pool needs the ThrottleKey its connections count against, and only a pool does")
        self._profile = profile
        self._credentials = credentials
        self._folders = tuple(dict.fromkeys([INBOX, *folders]))
        self._batch_size = batch_size
        self._batch_bytes = batch_bytes
        self._push_renew_seconds = push_renew_seconds
        self._reconnect_delays = tuple(reconnect_delays)
        self._settings_cache: IncomingSettings | None = None
        parking = None
        if pool is not None and group is not None:
            server = (profile.incoming.host, profile.incoming.port)
            parking = Parking(pool, group, pool_key(profile, credentials), server)
        self._link = _Link(self._settings, parking)
        # UIDNEXT of INBOX at the last fetch: the push listener wakes at once if mail came after it.
        self.inbox_uidnext: int | None = None

    def _settings(self) -> IncomingSettings:
        if self._settings_cache is None:
            self._settings_cache = IncomingSettings.of(self._profile, self._credentials)
        return self._settings_cache

    @property
    def folders(self) -> tuple[str, ...]:
        return self._folders

    # --- IncomingMail

    async def fetch(self, cursors: Mapping[str, str], since: dt.datetime | None, limit: int) -> AsyncIterator[Batch]:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        since = _utc(since)
        readers = [
            functools.partial(self._fetch_folder, folder, cursors.get(folder), since) for folder in self._folders
        ]
        async for batch in read_folders(readers, limit):
            yield batch

    async def _fetch_folder(
        self, folder: str, previous: str | None, since: dt.datetime | None, limit: int
    ) -> AsyncIterator[tuple[Batch, bool]]:
        """Batches of one folder, each paired with "UIDs were left because ``limit`` ran out".

        With a cursor, one command first tells whether anything arrived (``_Session.poll``); only
        then is the folder EXAMINEd and searched.
        """
        cursor = FolderCursor.decode(previous) if previous else None
        try:
            state: _FolderState | None = None
            if cursor is not None:
                polled = await self._link.call(lambda s: s.poll(folder))
                if folder == INBOX:
                    self.inbox_uidnext = polled.uidnext
                if unchanged(cursor, polled):
                    return
                if polled.exists is not None:
                    state = polled  # the poll was an EXAMINE: the folder is selected
            if state is None:
                state = await self._link.call(lambda s: s.select(folder))
        except DesktopSyncError as problem:
            if problem.code != ErrorCode.MAILBOX_NOT_FOUND or folder == INBOX:
                raise
            # A tracked folder that was deleted or renamed must not stop the other folders.
            failure = ItemFailure(folder, folder, problem.code, problem.message, transient=False)
            yield Batch((), Cursor(folder, previous or ""), (failure,)), False
            return
        if folder == INBOX:
            self.inbox_uidnext = state.uidnext
        reset = bool(previous) and (cursor is None or cursor.uidvalidity != state.uidvalidity)
        if reset:
            log.warning("IMAP folder %s: UIDVALIDITY changed or cursor unreadable; reading it again", folder)
        start = 0 if reset or cursor is None else cursor.uid
        modseq = None if reset or cursor is None else cursor.modseq
        if state.uidnext is not None and state.uidnext <= start + 1:
            uids: list[int] = []  # nothing new, known without a SEARCH
        else:
            uids = await self._link.call(lambda s: s.search_new(folder, state.uidvalidity, start, since))
        # What lies below UIDNEXT and a search does not return (before ``since``, expunged) is covered.
        high_water = max(start, (state.uidnext or 1) - 1, uids[-1] if uids else 0)
        final = FolderCursor(state.uidvalidity, high_water, state.highestmodseq)
        if not uids:
            if reset or final.encode() != previous:
                yield Batch((), Cursor(folder, final.encode()), reset=reset), False
            return

        first = True
        position = 0
        while position < len(uids):
            page = uids[position : position + min(self._batch_size, limit)]
            position += len(page)
            last_page = position >= len(uids)
            meta = await self._fetch_meta(folder, state.uidvalidity, page)
            wanted = [uid for uid in page if uid in meta and _wanted(meta[uid][1], since)]
            if not wanted:
                if last_page:  # only skipped messages at the end: still move the cursor past them
                    yield Batch((), Cursor(folder, final.encode()), reset=reset and first), False
                continue
            groups = list(_groups(wanted, meta, self._batch_bytes))
            for number, group in enumerate(groups):
                items, failures = await self._fetch_group(folder, state.uidvalidity, group, meta)
                limit -= len(items) + len(failures)
                last_group = number == len(groups) - 1
                done = last_page and last_group
                covered = page[-1] if last_group else group[-1]
                value = final if done else FolderCursor(state.uidvalidity, covered, modseq)
                left_over = not done and limit <= 0
                remaining = len(uids) - bisect.bisect_right(uids, covered)  # in this folder: for progress
                moved = Cursor(folder, value.encode())
                yield Batch(items, moved, failures, reset=reset and first, remaining=remaining), left_over
                first = False
                if left_over:
                    return

    async def _fetch_meta(
        self, folder: str, uidvalidity: int, uids: list[int]
    ) -> dict[int, tuple[int, dt.datetime | None]]:
        return await self._link.call(lambda s: s.fetch_meta(folder, uidvalidity, uids))

    async def _fetch_group(
        self, folder: str, uidvalidity: int, group: list[int], meta: Mapping[int, tuple[int, dt.datetime | None]]
    ) -> tuple[tuple[RawMessage, ...], tuple[ItemFailure, ...]]:
        try:
            # INTERNALDATE came with the sizes (``meta``): not parsed a second time.
            bodies = await self._link.call(lambda s: s.fetch_bodies(folder, uidvalidity, group, dates=False))
        except DesktopSyncError as problem:
            if isinstance(problem, _FolderChanged) or self._link.session is None or len(group) == 1:
                raise  # the connection is gone: a batch-level failure
            # The server refused the batch (NO/BAD) but is still there: find the culprit one by one.
            log.info("IMAP batch fetch in %s refused (%s); fetching one by one", folder, problem.code)
            bodies = {}
            failures: list[ItemFailure] = []
            for uid in group:

                def fetch_one(session: _Session, uid: int = uid) -> dict[int, tuple[bytes | None, dt.datetime | None]]:
                    return session.fetch_bodies(folder, uidvalidity, [uid], dates=False)

                try:
                    bodies.update(await self._link.call(fetch_one))
                except DesktopSyncError as single:
                    if isinstance(single, _FolderChanged) or self._link.session is None:
                        raise
                    failures.append(
                        ItemFailure(
                            server_id(folder, uidvalidity, uid),
                            folder,
                            single.code,
                            single.message,
                            date=meta[uid][1] if uid in meta else None,  # its arrival names it
                        )
                    )
            return self._messages(folder, uidvalidity, group, bodies, meta, failures)
        return self._messages(folder, uidvalidity, group, bodies, meta, [])

    @staticmethod
    def _messages(
        folder: str,
        uidvalidity: int,
        group: list[int],
        bodies: Mapping[int, tuple[bytes | None, dt.datetime | None]],
        meta: Mapping[int, tuple[int, dt.datetime | None]],
        failures: list[ItemFailure],
    ) -> tuple[tuple[RawMessage, ...], tuple[ItemFailure, ...]]:
        failed = {failure.server_id for failure in failures}
        items = []
        for uid in group:
            identity = server_id(folder, uidvalidity, uid)
            if identity in failed:
                continue
            raw, received = bodies.get(uid, (None, None))
            if raw is None:
                failures.append(
                    ItemFailure(
                        identity,
                        folder,
                        ErrorCode.ITEM_NOT_FOUND.value,
                        "the server returned no content for it",
                        date=meta[uid][1] if uid in meta else None,
                    )
                )
                continue
            items.append(RawMessage(identity, folder, raw, received or meta[uid][1]))
        return tuple(items), tuple(failures)

    async def fetch_item(self, server_id: str) -> RawMessage:
        try:
            folder, uidvalidity, uid = parse_server_id(server_id)
        except ValueError as exc:
            raise _item_gone(server_id, "not an IMAP server id") from exc
        try:
            bodies = await self._link.call(lambda s: s.fetch_bodies(folder, uidvalidity, [uid]))
        except _FolderChanged as exc:
            raise _item_gone(server_id, "the folder was replaced (UIDVALIDITY changed)") from exc
        except DesktopSyncError as problem:
            if problem.code == ErrorCode.MAILBOX_NOT_FOUND:
                raise _item_gone(server_id, problem.message) from problem
            raise
        raw, received = bodies.get(uid, (None, None))
        if raw is None:
            raise _item_gone(server_id, "no such message on the server any more")
        return RawMessage(server_id, folder, raw, received)

    async def delete_committed(self, items: Sequence[RawMessage]) -> None:
        """IMAP mail stays on the server: nothing to do."""

    async def list_folders(self) -> list[ServerFolder]:
        """Every folder, with an id that survives a rename: MAILBOXID where the server has OBJECTID,
        else the folder's UIDVALIDITY (which RENAME keeps on common servers, Dovecot among them)."""
        return await self._link.call(lambda s: s.server_folders())

    async def test(self) -> ConnectionTest:
        steps = StepRecorder()
        try:
            self._settings()
        except DesktopSyncError as problem:
            steps.begin(ConnectionTestStep.TLS)
            steps.fail(problem)
            return steps.result()
        await self._link.close(park=False)  # at most one connection: the test's own replaces the held one
        session: _Session | None = None
        try:
            session = await self._link.open_for_test(steps)
            steps.begin(ConnectionTestStep.LIST_FOLDERS)
            steps.exchange('LIST "" "*"')
            folders = await in_thread(Kind.IMAP, session.run, lambda s: s.list_folders())
            names = [folder.name for folder in folders]
            sent = next((folder.name for folder in folders if folder.special_use == "\\Sent"), None)
            steps.answer(f"{len(folders)} folders")
            if INBOX not in names:
                raise error(ErrorCode.MAILBOX_NOT_FOUND, step_text("no_inbox"))
            steps.ok(
                step_text("folders", count=len(folders), sent=sent)
                if sent
                else step_text("folders_no_sent", count=len(folders))
            )
        except DesktopSyncError as problem:
            steps.fail(problem)
        except Exception as exc:
            steps.fail(translate(exc, auth_scope=credentials_scope(self._profile)))
        finally:
            if session is not None:
                await in_thread(Kind.IMAP, session.logout)
        return steps.result()

    def push(self) -> ImapIdleListener:
        return ImapIdleListener(
            self._settings,
            renew_seconds=self._push_renew_seconds,
            reconnect_delays=self._reconnect_delays,
            baseline=lambda: self.inbox_uidnext,
        )

    async def close(self) -> None:
        await self._link.close()


def _item_gone(identity: str, why: str) -> PermanentError:
    problem = error(ErrorCode.ITEM_NOT_FOUND, f"{identity}: {why}", scope=ErrorScope.ITEM)
    assert isinstance(problem, PermanentError)
    return problem


def _wanted(received: dt.datetime | None, since: dt.datetime | None) -> bool:
    return since is None or received is None or received >= since


def _groups(uids: list[int], meta: Mapping[int, tuple[int, dt.datetime | None]], budget: int) -> Iterable[list[int]]:
    """Consecutive UIDs cut so that a group's messages add up to at most ``budget`` bytes (one at least)."""
    group: list[int] = []
    size = 0
    for uid in uids:
        message_size = meta[uid][0]
        if group and size + message_size > budget:
            yield group
            group, size = [], 0
        group.append(uid)
        size += message_size
    if group:
        yield group


# --- push


_NEW_MAIL = (b"EXISTS", b"RECENT")


def _reports_new_mail(responses: Iterable[Any]) -> bool:
    return any(
        isinstance(response, tuple) and len(response) >= 2 and isinstance(response[0], int) and response[1] in _NEW_MAIL
        for response in responses
    )


def _says_bye(responses: Iterable[Any]) -> bool:
    return any(isinstance(response, tuple) and response[:1] == (b"BYE",) for response in responses)


class ImapIdleListener:
    """IDLE on INBOX over a connection of its own: returns when the server announces new mail.

    IDLE is renewed every ``renew_seconds``; a dropped connection is reopened after the delays in
    ``reconnect_delays`` (the listener gives up with the last error after the last one). It also
    returns at once when INBOX's UIDNEXT moved past what the connector's last fetch saw, so mail
    that arrived while no IDLE was running is not missed.
    """

    def __init__(
        self,
        settings: Callable[[], IncomingSettings],
        *,
        renew_seconds: float = IDLE_RENEW_SECONDS,
        reconnect_delays: Sequence[float] = RECONNECT_DELAYS,
        baseline: Callable[[], int | None] = lambda: None,
    ) -> None:
        self._link = _Link(settings)
        self._renew_seconds = renew_seconds
        self._reconnect = Reconnect(reconnect_delays, log, "IMAP IDLE connection")
        self._baseline = baseline
        self._uidnext: int | None = None
        self._idling_since: float | None = None
        self._closed = False

    async def wait_for_changes(self) -> None:
        while True:
            if self._closed:
                raise error(ErrorCode.CONNECTION_DROPPED, "the IDLE listener was closed")
            try:
                if await self._step():
                    return
                self._reconnect.reset()
            except DesktopSyncError as problem:
                self._link.discard()
                self._idling_since = None
                if not await self._reconnect.pause(problem, closed=self._closed):
                    raise

    async def _step(self) -> bool:
        """One step of the IDLE loop; True when new mail was announced."""
        if self._link.session is None:
            state = await self._link.call(lambda s: s.select(INBOX), retry_stale=False)
            known = max((mark for mark in (self._uidnext, self._baseline()) if mark is not None), default=None)
            self._uidnext = state.uidnext
            self._idling_since = None
            if known is not None and state.uidnext is not None and state.uidnext > known:
                return True
        if self._idling_since is None:
            if _reports_new_mail(await self._link.call(lambda s: s.noop(), retry_stale=False)):
                return True
            await self._link.call(lambda s: s.idle_start(), retry_stale=False)
            self._idling_since = time.monotonic()
        remaining = self._idling_since + self._renew_seconds - time.monotonic()
        if remaining <= 0:
            return await self._leave_idle([])
        session = self._link.session
        assert session is not None
        if not await _readable(session.socket(), remaining):
            return False  # time to renew: the next step leaves and re-enters IDLE
        if self._closed or self._link.session is not session:
            raise error(ErrorCode.CONNECTION_DROPPED, "the IDLE connection was closed")
        responses = await self._link.call(lambda s: s.idle_check(), retry_stale=False)
        if _says_bye(responses):
            raise error(ErrorCode.CONNECTION_DROPPED, "the server ended the IDLE session")
        if _reports_new_mail(responses):
            await self._leave_idle(responses)
            return True
        if not responses:
            # Readable but no line: a TLS record without data, or the end of the stream. Leaving
            # IDLE tells which (DONE fails on a dead connection).
            return await self._leave_idle(responses)
        return False

    async def _leave_idle(self, responses: list[Any]) -> bool:
        self._idling_since = None
        finished = await self._link.call(lambda s: s.idle_done(), retry_stale=False)
        return _reports_new_mail(responses) or _reports_new_mail(finished)

    async def close(self) -> None:
        self._closed = True
        session = self._link.session
        if session is not None and self._idling_since is not None:
            self._idling_since = None
            self._link.discard()  # no polite LOGOUT in the middle of IDLE
        await self._link.close()


async def _readable(sock: socket.socket, timeout: float) -> bool:
    """Wait until ``sock`` has data, without holding a thread; False when ``timeout`` passes first."""
    if isinstance(sock, ssl.SSLSocket) and sock.pending():
        return True
    loop = asyncio.get_running_loop()
    ready: asyncio.Future[None] = loop.create_future()

    def wake() -> None:
        if not ready.done():
            ready.set_result(None)

    fd = sock.fileno()
    try:
        loop.add_reader(fd, wake)
    except NotImplementedError:  # an event loop without readers (Windows proactor)
        return await in_thread(Kind.IMAP, _poll_readable, sock, timeout)
    try:
        await asyncio.wait_for(ready, timeout)
        return True
    except TimeoutError:
        return False
    finally:
        loop.remove_reader(fd)


def _poll_readable(sock: socket.socket, timeout: float) -> bool:
    readable, _, _ = select.select([sock], [], [], timeout)
    return bool(readable)


# --- the Sent folder, for the SMTP sender


class SentFolder:
    """The special-use \\Sent folder of an IMAP mailbox: append a sent mail, find one by Message-ID."""

    def __init__(self, profile: Profile, credentials: Credentials) -> None:
        self._profile = profile
        self._credentials = credentials
        self._settings_cache: IncomingSettings | None = None
        self._link = _Link(self._settings)
        self._name: str | None = None
        self._looked_up = False

    def _settings(self) -> IncomingSettings:
        if self._settings_cache is None:
            self._settings_cache = IncomingSettings.of(self._profile, self._credentials)
        return self._settings_cache

    async def folder(self) -> str | None:
        """The Sent folder's name: the one flagged \\Sent, else a usual name; None when there is none."""
        if not self._looked_up:
            folders = await self._link.call(lambda s: s.list_folders())
            self._name = next((f.name for f in folders if f.special_use == "\\Sent" and f.selectable), None)
            if self._name is None:
                by_name = {f.name.lower(): f.name for f in folders if f.selectable}
                self._name = next((by_name[n.lower()] for n in SENT_NAMES if n.lower() in by_name), None)
            self._looked_up = True
        return self._name

    async def append(self, raw: bytes) -> bool:
        """Store ``raw`` in Sent, marked \\Seen; False when the account has no Sent folder."""
        name = await self.folder()
        if name is None:
            return False
        # Not retried on a dropped connection: the first APPEND may have landed.
        await self._link.call(lambda s: s.append(name, raw), retry_stale=False)
        return True

    async def contains_message_id(self, message_id: str) -> bool | None:
        """Whether Sent holds a mail with this Message-ID; None when there is no Sent folder to look in."""
        name = await self.folder()
        if name is None:
            return None
        needle = message_id.strip()
        found = await self._link.call(lambda s: s.search_header(name, "Message-ID", needle))
        return bool(found)

    async def close(self) -> None:
        await self._link.close()
