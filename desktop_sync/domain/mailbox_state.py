"""The one state a person is shown for a mailbox, computed once from everything known about it.

The engine's ``MailboxState`` says what the engine last did; a mailbox that is pending approval,
never tested or switched off may still say ``idle`` there. ``mailbox_state`` weighs approval, the
channels' switches and tests, the last error, back-off, a running import and the next sync into
one ``DisplayState`` and the facts that go with it, for the Mailboxes view, the tray and the CLI.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from dataclasses import dataclass

from desktop_sync.domain.model import (
    ApprovalState,
    ChannelState,
    ConnectionTestStatus,
    Mailbox,
    MailboxState,
    SyncMethod,
    SyncStatus,
)

# A permanent error of these codes means the mailbox's owner must sign in again (OAuth consent
# withdrawn or expired); no connector records one yet, an interactive sign-in will.
SIGN_IN_CODES = frozenset({"sign_in_required"})

# An import's time left is told up to this; a rate so slow it says more is no estimate.
LONGEST_ETA = dt.timedelta(days=365)


class DisplayState(enum.Enum):
    """What a person is told about a mailbox; worst first (the order of sorting and of the tray)."""

    NEEDS_SIGN_IN = "needs_sign_in"  # the owner must sign in again
    NEEDS_ATTENTION = "needs_attention"  # an error stopped it, or an admin must act
    BACKING_OFF = "backing_off"  # a transient error: tried again at backoff_until
    PENDING_APPROVAL = "pending_approval"  # its address is not approved
    NOT_TESTED = "not_tested"  # nothing enabled and no test ever run: Test & Enable it
    DISABLED = "disabled"  # nothing enabled, by choice
    IMPORT_PAUSED = "import_paused"  # an import stopped half-way with its engine: no engine runs; it resumes with one
    IMPORTING = "importing"  # a first import or a catch-up runs, n of N
    SYNCING = "syncing"  # a regular cycle runs
    IDLE = "idle"  # synchronized; the next sync at next_sync_at

    @property
    def healthy(self) -> bool:
        """Whether the mailbox synchronizes as it should (a green or blue dot, not grey or amber)."""
        return self in (DisplayState.IDLE, DisplayState.IMPORTING, DisplayState.SYNCING)

    @property
    def active(self) -> bool:
        """Whether a cycle runs now."""
        return self in (DisplayState.IMPORTING, DisplayState.SYNCING)


@dataclass(frozen=True, slots=True)
class ImportFacts:
    """How far an import is, as far as it is known: the count done, of how many, and time left."""

    done: int = 0
    total: int | None = None
    seconds_left: float | None = None


@dataclass(frozen=True, slots=True)
class StateFacts:
    """A mailbox's state and the facts its text names (until when, n of N, next sync, the error)."""

    state: DisplayState
    next_sync_at: dt.datetime | None = None
    backoff_until: dt.datetime | None = None
    last_sync_at: dt.datetime | None = None
    progress: ImportFacts | None = None
    error_code: str | None = None
    error: str | None = None


def _synchronized(channel: ChannelState) -> bool:
    return channel.method is SyncMethod.SERVER_SIDE


def advance_import(status: SyncStatus, done: int, total: int | None, now: dt.datetime) -> SyncStatus:
    """``status`` with an import's progress after a batch: ``done`` items of ``total`` (None: the server
    does not tell), and when it should end at the rate since the import was first seen."""
    started = status.import_started_at if status.import_done is not None else None
    if started is None:
        started, base = now, done
    else:
        base = min(status.import_base, done)
    eta = None
    progressed, elapsed = done - base, (now - started).total_seconds()
    if total is not None and done < total and progressed > 0 and elapsed > 0:
        left = (total - done) * elapsed / progressed
        if left <= LONGEST_ETA.total_seconds():  # beyond that, no time left is told: it means nothing
            eta = now + dt.timedelta(seconds=left)
    return dataclasses.replace(
        status, import_done=done, import_total=total, import_base=base, import_started_at=started, import_eta_at=eta
    )


def end_import(status: SyncStatus) -> SyncStatus:
    """``status`` with no import under way."""
    return dataclasses.replace(
        status, import_done=None, import_total=None, import_base=0, import_started_at=None, import_eta_at=None
    )


def import_facts(status: SyncStatus, now: dt.datetime | None = None) -> ImportFacts | None:
    """The stored progress of an import under way, the time left counted from ``now``; None if none runs."""
    if status.import_done is None:
        return None
    left = None
    if status.import_eta_at is not None and now is not None:
        left = max(0.0, (status.import_eta_at - now).total_seconds())
    return ImportFacts(status.import_done, status.import_total, left)


def mailbox_state(
    mailbox: Mailbox,
    status: SyncStatus | None = None,
    progress: ImportFacts | None = None,
    *,
    now: dt.datetime | None = None,
    engine_running: bool = True,
) -> StateFacts:
    """The state of ``mailbox`` given the engine's ``status`` and its import ``progress``: the GUI,
    which follows imports live, gives it; otherwise it is the one the engine stored in ``status``,
    with the time left counted from ``now``. With no engine running (``engine_running`` False: it
    stopped or was killed), nothing is under way: an import it left half-way is paused, with no
    time left told, until an engine takes the mailbox again."""
    if progress is None and status is not None:
        progress = import_facts(status, now)
    error_code = status.last_error_code if status else None
    error = status.last_error if status else None
    last_sync = status.last_sync_at if status else None
    next_sync = status.next_sync_at if status else None

    def facts(
        state: DisplayState,
        *,
        next_sync_at: dt.datetime | None = None,
        backoff_until: dt.datetime | None = None,
        progress: ImportFacts | None = None,
    ) -> StateFacts:
        return StateFacts(state, next_sync_at, backoff_until, last_sync, progress, error_code, error)

    if mailbox.approval is ApprovalState.PENDING:
        return facts(DisplayState.PENDING_APPROVAL)
    if mailbox.approval is ApprovalState.REJECTED:
        return facts(DisplayState.NEEDS_ATTENTION)
    if error_code in SIGN_IN_CODES:
        return facts(DisplayState.NEEDS_SIGN_IN)

    channels = [c for c in (mailbox.incoming, mailbox.outgoing, mailbox.act) if _synchronized(c)]
    failed = any(c.test_status is ConnectionTestStatus.FAILURE for c in channels)
    if not any(c.enabled for c in channels):
        if failed:
            return facts(DisplayState.NEEDS_ATTENTION)
        if channels and all(c.test_status is ConnectionTestStatus.NOT_RUN for c in channels):
            return facts(DisplayState.NOT_TESTED)
        return facts(DisplayState.DISABLED)

    engine = status.state if status else MailboxState.IDLE
    if engine is MailboxState.BACKING_OFF:
        return facts(DisplayState.BACKING_OFF, backoff_until=status.backoff_until if status else None)
    stopped_by_error = engine is MailboxState.DISABLED and bool(error_code or error)
    if failed or stopped_by_error or engine is MailboxState.NEEDS_ATTENTION:
        return facts(DisplayState.NEEDS_ATTENTION)
    if not engine_running and (progress is not None or (engine is MailboxState.SYNCING and last_sync is None)):
        paused = dataclasses.replace(progress, seconds_left=None) if progress is not None else None
        return facts(DisplayState.IMPORT_PAUSED, progress=paused)
    if progress is not None:
        return facts(DisplayState.IMPORTING, progress=progress, next_sync_at=next_sync)
    if engine is MailboxState.SYNCING and engine_running:
        first = last_sync is None
        return facts(DisplayState.IMPORTING if first else DisplayState.SYNCING, next_sync_at=next_sync)
    # a success clears the engine's error; "disabled" without an error is stale when a channel
    # was enabled since, or means the mailbox only sends: its next look says "idle"
    return facts(DisplayState.IDLE, next_sync_at=next_sync)
