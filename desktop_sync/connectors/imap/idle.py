"""IMAP push: IDLE on INBOX over a connection of its own, renewed, reconnected with the shared policy."""

from __future__ import annotations

import asyncio
import logging
import select
import socket
import ssl
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from desktop_sync.connectors.errors import ErrorCode, error
from desktop_sync.connectors.imap.link import Link
from desktop_sync.connectors.imap.session import INBOX
from desktop_sync.connectors.reconnect import RECONNECT_DELAYS, Reconnect
from desktop_sync.connectors.transport import IncomingSettings
from desktop_sync.connectors.workers import Kind, in_thread
from desktop_sync.domain.errors import DesktopSyncError

log = logging.getLogger("desktop_sync.connectors.imap")

IDLE_RENEW_SECONDS = 25 * 60.0  # RFC 2177: servers may drop an IDLE after 30 minutes


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
        self._link = Link(settings)
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
