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

import contextlib
import datetime as dt
import imaplib
import logging
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import imapclient

from desktop_sync.connectors import bearer
from desktop_sync.connectors.errors import ErrorCode, error
from desktop_sync.connectors.transport import (
    Address,
    IncomingSettings,
    StepRecorder,
    connect_first,
    require_secret,
    server_text,
    tls_detail,
)
from desktop_sync.domain.errors import DesktopSyncError, TransientError
from desktop_sync.domain.folders import ServerFolder
from desktop_sync.domain.model import Security
from desktop_sync.domain.ports.connectors import ConnectionTestStep, step_text
from desktop_sync.domain.signin import AccessToken

log = logging.getLogger("desktop_sync.connectors.imap")

T = TypeVar("T")

INBOX = "INBOX"
SPECIAL_USE = frozenset(
    {"\\all", "\\archive", "\\drafts", "\\flagged", "\\junk", "\\sent", "\\trash", "\\important"}
)  # RFC 6154, compared case-insensitively
_MASK = "********"


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
class FolderState:
    """What SELECT (EXAMINE) said about a folder."""

    uidvalidity: int
    uidnext: int | None
    highestmodseq: int | None
    exists: int | None  # None from STATUS, which is not asked for it


class FolderChanged(TransientError):
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


class Session:
    """A logged-in IMAP connection. Its methods block; ``Link`` runs them in worker threads."""

    def __init__(self, client: Any, settings: IncomingSettings) -> None:
        self.client = client
        self.settings = settings
        self.lock = threading.Lock()  # one worker thread at a time, also against a concurrent close
        self.selected: str | None = None
        self.state: FolderState | None = None
        self.closed = False
        self.last_used = time.monotonic()
        client.normalise_times = False  # INTERNALDATE with its time zone
        self.condstore = bool(client.has_capability("CONDSTORE"))  # from LOGIN's answer: no command

    # opening

    @classmethod
    def open(
        cls, settings: IncomingSettings, addresses: list[Address], steps: StepRecorder, token: AccessToken | None = None
    ) -> Session:
        """A connection signed in with the password, or with ``token`` (an OAuth profile's) by SASL."""
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
            greeting = server_text(client.welcome)
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
                    steps.answer(server_text(client.starttls(settings.context)))
                    steps.ok(tls_detail(client.socket()))
                else:
                    steps.ok(step_text("clear_text"))
            steps.begin(ConnectionTestStep.AUTHENTICATE)
            if token is None:
                secret = require_secret(settings)
                steps.exchange(f"LOGIN {settings.login} {_MASK}")
                steps.answer(server_text(client.login(settings.login, secret)))
            else:
                _sign_in_with_token(client, settings, token, steps)
            if client.has_capability("CONDSTORE") and client.has_capability("ENABLE"):
                client.enable("CONDSTORE")
            if token is None:
                steps.ok(step_text("logged_in", login=settings.login))
        except BaseException:
            _shutdown(client)
            raise
        return cls(client, settings)

    def run(self, fn: Callable[[Session], T]) -> T:
        with self.lock:
            if self.closed:
                raise ConnectionAbortedError("the IMAP connection was closed")
            try:
                return fn(self)
            finally:
                self.last_used = time.monotonic()

    # commands

    def select(self, folder: str) -> FolderState:
        """EXAMINE ``folder`` (read-only: no flag can change, \\Recent is kept)."""
        response = self.client.select_folder(folder, readonly=True)
        state = FolderState(
            uidvalidity=int(response[b"UIDVALIDITY"]),
            uidnext=_optional_int(response.get(b"UIDNEXT")),
            highestmodseq=_optional_int(response.get(b"HIGHESTMODSEQ")),
            exists=int(response.get(b"EXISTS", 0)),
        )
        self.selected, self.state = folder, state
        return state

    def poll(self, folder: str) -> FolderState:
        """Where ``folder`` stands, in one command: STATUS (UIDVALIDITY UIDNEXT, and HIGHESTMODSEQ
        with CONDSTORE), or EXAMINE when it is the selected folder (RFC 3501 advises against STATUS
        there). A server that leaves UIDNEXT out of STATUS is EXAMINEd."""
        if self.selected == folder:
            return self.select(folder)
        items = ["UIDVALIDITY", "UIDNEXT", *(["HIGHESTMODSEQ"] if self.condstore else [])]
        response = self.client.folder_status(folder, items)
        if b"UIDVALIDITY" not in response or b"UIDNEXT" not in response:
            return self.select(folder)
        return FolderState(
            uidvalidity=int(response[b"UIDVALIDITY"]),
            uidnext=int(response[b"UIDNEXT"]),
            highestmodseq=_optional_int(response.get(b"HIGHESTMODSEQ")),
            exists=None,
        )

    def ensure_selected(self, folder: str, uidvalidity: int | None = None) -> FolderState:
        state = self.state if self.selected == folder and self.state is not None else self.select(folder)
        if uidvalidity is not None and state.uidvalidity != uidvalidity:
            raise FolderChanged(folder)
        return state

    def list_folders(self) -> list[Folder]:
        folders = []
        for flags, delimiter, name in self.client.list_folders():
            texts = tuple(server_text(flag) for flag in flags)
            special = next((flag for flag in texts if flag.lower() in SPECIAL_USE), None)
            folders.append(Folder(str(name), server_text(delimiter) if delimiter else None, texts, special))
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
                    folder_id = "mailboxid:" + server_text(
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
            uid: (int(data.get(b"RFC822.SIZE") or 0), utc(data.get(b"INTERNALDATE"))) for uid, data in response.items()
        }

    def fetch_bodies(
        self, folder: str, uidvalidity: int, uids: list[int], *, dates: bool = True
    ) -> dict[int, tuple[bytes | None, dt.datetime | None]]:
        """BODY[] of each UID, with INTERNALDATE unless ``dates`` is False (a caller that has it)."""
        self.ensure_selected(folder, uidvalidity)
        # BODY.PEEK[] never sets \Seen; the folder is EXAMINEd read-only besides.
        response = self.client.fetch(uids, ["BODY.PEEK[]", "INTERNALDATE"] if dates else ["BODY.PEEK[]"])
        return {
            uid: (_bytes_or_none(data.get(b"BODY[]")), utc(data.get(b"INTERNALDATE"))) for uid, data in response.items()
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


def _sign_in_with_token(client: Any, settings: IncomingSettings, token: AccessToken, steps: StepRecorder) -> None:
    """AUTHENTICATE with the mechanism the server offers (OAUTHBEARER, else XOAUTH2)."""
    host = settings.endpoint.host
    mechanism = bearer.choose(str(c, "ascii", "replace").removeprefix("AUTH=") for c in client.capabilities())
    if mechanism is None:
        raise error(ErrorCode.NOT_SUPPORTED, step_text("no_oauth_offered", host=host))
    steps.exchange(f"AUTHENTICATE {mechanism} {_MASK}")
    if mechanism == bearer.XOAUTH2:
        answer = client.oauth2_login(settings.login, token.token)
    else:
        answer = client.oauthbearer_login(settings.login, token.token)
    steps.answer(server_text(answer))
    steps.ok(step_text("sasl_logged_in", login=settings.login, mechanism=mechanism))


def _shutdown(client: Any) -> None:
    try:
        client.shutdown()
    except Exception:
        with contextlib.suppress(Exception):
            client.socket().close()


def _optional_int(value: Any) -> int | None:
    return None if value is None else int(value)


def _bytes_or_none(value: Any) -> bytes | None:
    return bytes(value) if isinstance(value, bytes | bytearray) else None


def utc(value: object) -> dt.datetime | None:
    if not isinstance(value, dt.datetime):
        return None
    moment = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def survives(exc: BaseException) -> bool:
    """Whether the connection is still usable after ``exc``: the server said NO or BAD, nothing worse."""
    if isinstance(exc, DesktopSyncError):
        return isinstance(exc, FolderChanged) or exc.code in (ErrorCode.ITEM_NOT_FOUND, ErrorCode.MAILBOX_NOT_FOUND)
    return isinstance(exc, imaplib.IMAP4.error) and not isinstance(exc, imaplib.IMAP4.abort)
