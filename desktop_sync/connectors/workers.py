"""The connectors' own worker threads, and the one way a blocking client session runs in them.

Each kind of connector (IMAP, POP3, SMTP, Exchange) has a bounded thread pool of its own, so that
slow mailboxes of one kind wait for each other and never for the event loop's default pool, where
keyring reads and the GUI's saves run. A blocking session is opened in a worker, shielded from its
caller's cancellation (a session that finishes opening after its caller gave up is closed, not
leaked), and each of its calls runs in a worker too; a failure comes back as a domain error.
"""

from __future__ import annotations

import asyncio
import contextvars
import enum
import functools
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol, TypeVar

from desktop_sync.connectors.errors import translate
from desktop_sync.domain.errors import DesktopSyncError, ErrorScope

T = TypeVar("T")
S = TypeVar("S")


class BlockingSession(Protocol):
    """What the runner needs of a blocking session: ``run`` makes one call under the session's lock."""

    def run(self, fn: Callable[[Any], T]) -> T: ...


Session = TypeVar("Session", bound=BlockingSession)


class Kind(enum.StrEnum):
    """The kinds of connector, each with its own worker threads."""

    IMAP = "imap"
    POP3 = "pop3"
    SMTP = "smtp"
    EXCHANGE = "exchange"


# Workers per kind. A worker is held for one blocking command or name lookup (IDLE waits on the
# event loop, the EWS stream on a thread of its own, SMTP itself is asynchronous: its pool only
# looks names up), so a pool this size serves many more mailboxes than it has threads; past it, the
# kind's commands queue behind each other and nothing else does.
WORKERS: dict[Kind, int] = {Kind.IMAP: 16, Kind.POP3: 8, Kind.SMTP: 4, Kind.EXCHANGE: 16}

_pools: dict[Kind, ThreadPoolExecutor] = {}
_pools_lock = threading.Lock()


def executor(kind: Kind) -> ThreadPoolExecutor:
    """The thread pool of ``kind``, created on first use and kept for the process."""
    with _pools_lock:
        pool = _pools.get(kind)
        if pool is None:
            pool = ThreadPoolExecutor(max_workers=WORKERS[kind], thread_name_prefix=f"desktop-sync-{kind.value}")
            _pools[kind] = pool
        return pool


async def in_thread(kind: Kind, fn: Callable[..., T], /, *args: object) -> T:
    """``fn(*args)`` in a worker of ``kind``, with the caller's context (as ``asyncio.to_thread``)."""
    loop = asyncio.get_running_loop()
    context = contextvars.copy_context()
    return await loop.run_in_executor(executor(kind), functools.partial(context.run, fn, *args))


async def open_in_thread(
    kind: Kind, opener: Callable[[], S], *, close_orphan: Callable[[S], object], auth_scope: ErrorScope
) -> S:
    """The session ``opener`` opens in a worker, shielded: when the caller is cancelled meanwhile,
    the session that still finishes opening is handed to ``close_orphan``."""
    task = asyncio.ensure_future(in_thread(kind, opener))

    def orphaned(done: asyncio.Future[S]) -> None:
        if not done.cancelled() and done.exception() is None:
            close_orphan(done.result())

    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        task.add_done_callback(orphaned)
        raise
    except Exception as exc:
        raise translate(exc, auth_scope=auth_scope) from exc


async def call_in_thread(
    kind: Kind,
    session: Session,
    fn: Callable[[Session], T],
    *,
    survives: Callable[[BaseException], bool],
    drop: Callable[[], Awaitable[None] | None],
    auth_scope: ErrorScope,
) -> T:
    """``fn(session)`` in a worker of ``kind``.

    When the caller is cancelled, or the call fails in a way the session does not ``survive``, the
    session is dropped (``drop`` interrupts and closes it; what it returns is awaited, shielded).
    A library's exception comes back as the domain error ``translate`` makes of it.
    """
    try:
        return await in_thread(kind, session.run, fn)
    except asyncio.CancelledError:
        closing = drop()
        if closing is not None:
            await asyncio.shield(closing)
        raise
    except Exception as exc:
        if not survives(exc):
            closing = drop()
            if closing is not None:
                await closing
        if isinstance(exc, DesktopSyncError):
            raise
        raise translate(exc, auth_scope=auth_scope) from exc
