"""The one reconnect policy of the push listeners (IMAP IDLE, EWS streaming): after a transient
failure, wait the next of a list of delays and try again; give up with the failure after the last
one, at once on a permanent failure or once the listener is closed."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from desktop_sync.domain.errors import DesktopSyncError, PermanentError

RECONNECT_DELAYS = (1.0, 2.0, 5.0, 10.0, 30.0, 60.0)  # push listener back-off, then it gives up


class Reconnect:
    """The back-off of one listener: ``pause`` after each failure, ``reset`` once it works again."""

    def __init__(self, delays: Sequence[float], log: logging.Logger, what: str) -> None:
        self._delays = tuple(delays)
        self._log = log
        self._what = what  # "IMAP IDLE connection", "EWS stream of alice@contoso.test"
        self._failures = 0

    def reset(self) -> None:
        self._failures = 0

    async def pause(self, problem: DesktopSyncError, *, closed: bool) -> bool:
        """Wait before the next attempt after ``problem``; False (at once) when the listener gives up."""
        if closed or isinstance(problem, PermanentError) or self._failures >= len(self._delays):
            return False
        delay = self._delays[self._failures]
        self._failures += 1
        self._log.info("%s lost (%s); reconnecting in %.0f s", self._what, problem.code, delay)
        await asyncio.sleep(delay)
        return True
