"""At most one IMAP connection per connector, opened on demand, reused, and parked between cycles."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import TypeVar

from desktop_sync.connectors.bearer import signed_in
from desktop_sync.connectors.errors import ErrorCode
from desktop_sync.connectors.imap.session import Session, survives
from desktop_sync.connectors.imap_pool import ImapPool
from desktop_sync.connectors.transport import Address, IncomingSettings, StepRecorder, resolve, secret_fingerprint
from desktop_sync.connectors.workers import Kind, call_in_thread, in_thread, open_in_thread
from desktop_sync.domain.errors import DesktopSyncError
from desktop_sync.domain.model import Profile
from desktop_sync.domain.ports.connectors import ConnectionTestStep, Credentials, ThrottleKey, step_text
from desktop_sync.domain.signin import AccessToken

log = logging.getLogger("desktop_sync.connectors.imap")

T = TypeVar("T")

STALE_AFTER_SECONDS = 5.0  # a connection unused this long is retried once if found dead


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
class Parking:
    """Where a connector parks its connection when it closes, and takes one back when it opens."""

    pool: ImapPool
    group: ThrottleKey  # the connection limit it counts against
    key: Hashable  # server, login and settings: who may reuse the connection
    server: Hashable  # host and port


class Link:
    """At most one IMAP connection, opened on demand and reused, whose calls run in worker threads.

    With ``parking``, the connection comes from the pool when one is parked there, and goes back to
    it on ``close()``.
    """

    def __init__(self, settings: Callable[[], IncomingSettings], parking: Parking | None = None) -> None:
        self._settings = settings
        self._parking = parking
        self._session: Session | None = None
        self._lock = asyncio.Lock()
        self._closing: set[asyncio.Task[None]] = set()

    @property
    def session(self) -> Session | None:
        return self._session

    async def call(self, fn: Callable[[Session], T], *, retry_stale: bool = True) -> T:
        """Run ``fn`` on the connection.

        A connection that sat unused for a while, or was parked, may have been closed by the server
        (autologout, a NAT time-out): when its first command finds it dead, it is replaced once. A
        drop in the middle of work is reported, not hidden.
        """
        async with self._lock:
            reused = False
            if self._session is None and self._parking is not None:
                parked = self._parking.pool.take(self._parking.group, self._parking.key)
                if isinstance(parked, Session):
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

    async def open_for_test(self, steps: StepRecorder) -> Session:
        """A connection that the caller owns, its steps recorded (RESOLVE included)."""
        settings = self._settings()
        steps.begin(ConnectionTestStep.RESOLVE)
        addresses = await resolve(settings.endpoint, settings.timeout, Kind.IMAP)
        names = sorted({address.host for address in addresses})
        steps.ok(step_text("resolved", host=settings.endpoint.host, addresses=", ".join(names)))
        return await self._connect(settings, addresses, steps)

    async def _open(self) -> Session:
        settings = self._settings()
        addresses = await resolve(settings.endpoint, settings.timeout, Kind.IMAP)
        self._session = await self._connect(settings, addresses, StepRecorder())
        return self._session

    async def _connect(self, settings: IncomingSettings, addresses: list[Address], steps: StepRecorder) -> Session:
        return await signed_in(
            settings.bearer, steps, lambda token: self._connect_with(settings, addresses, steps, token)
        )

    async def _connect_with(
        self, settings: IncomingSettings, addresses: list[Address], steps: StepRecorder, token: AccessToken | None
    ) -> Session:
        return await open_in_thread(
            Kind.IMAP,
            lambda: Session.open(settings, addresses, steps, token),
            close_orphan=self._schedule_close,  # it finished opening after its caller gave up
            auth_scope=settings.auth_scope,
        )

    async def _run(self, session: Session, fn: Callable[[Session], T]) -> T:
        return await call_in_thread(
            Kind.IMAP, session, fn, survives=survives, drop=self.discard, auth_scope=session.settings.auth_scope
        )

    def discard(self) -> None:
        """Drop the connection now (it is broken, or a call on it was abandoned); closed in the background."""
        session, self._session = self._session, None
        if session is not None:
            session.interrupt()
            self._schedule_close(session)

    def _schedule_close(self, session: Session) -> None:
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
    def _park(parking: Parking, session: Session) -> bool:
        session.state = None  # what SELECT said is stale by the next cycle; the folder stays selected
        return parking.pool.park(parking.group, parking.key, parking.server, session)
