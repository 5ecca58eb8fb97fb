"""What to do after an error: retry a transient one later, or give up and disable the channel.

Transient errors are retried with back-off (5 minutes by default, or the server's own hint) at
most ``max_attempts`` times; then the same error is recorded again as permanent.
"""

from __future__ import annotations

from dataclasses import dataclass

from desktop_sync.domain.errors import DesktopSyncError, PermanentError, TransientError

DEFAULT_BACKOFF_SECONDS = 5 * 60.0
DEFAULT_MAX_ATTEMPTS = 10


@dataclass(frozen=True, slots=True)
class RetryLater:
    delay: float
    attempt: int  # which attempt failed (1 = the first)


@dataclass(frozen=True, slots=True)
class GiveUp:
    error: PermanentError
    exhausted: bool  # a transient error that ran out of retries


Decision = RetryLater | GiveUp


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    backoff: float = DEFAULT_BACKOFF_SECONDS
    max_attempts: int = DEFAULT_MAX_ATTEMPTS

    def decide(self, error: DesktopSyncError, attempt: int) -> Decision:
        """``attempt`` counts the failures in a row, this one included."""
        if isinstance(error, TransientError):
            if attempt < self.max_attempts:
                hint = error.retry_after
                return RetryLater(hint if hint is not None and hint > 0 else self.backoff, attempt)
            exhausted = PermanentError(
                f"{error.message} (still failing after {attempt} attempts)", code=error.code, scope=error.scope
            )
            return GiveUp(exhausted, exhausted=True)
        if isinstance(error, PermanentError):
            return GiveUp(error, exhausted=False)
        # anything else is a bug or an unknown failure: treat it as permanent so it is seen, not looped
        return GiveUp(PermanentError(error.message, code=error.code, scope=error.scope), exhausted=False)
