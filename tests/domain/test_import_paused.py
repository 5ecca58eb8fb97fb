"""With no engine running (stopped cleanly or killed), nothing is under way: an import left half-way
is paused, with how far it came and no time left, until an engine takes the mailbox again."""

from __future__ import annotations

import datetime as dt

from domain.test_mailbox_state import NOW, mailbox, mailboxes, progresses, status, statuses
from hypothesis import given, settings

from desktop_sync.domain.mailbox_state import DisplayState, ImportFacts, mailbox_state
from desktop_sync.domain.model import Mailbox, MailboxState, SyncStatus

STORED = {
    "import_done": 1200,
    "import_total": 3000,
    "import_base": 0,
    "import_started_at": NOW - dt.timedelta(minutes=2),
    "import_eta_at": NOW + dt.timedelta(minutes=3),
}


def test_a_stored_import_is_under_way_while_an_engine_runs_and_paused_when_none_does() -> None:
    stored = status(state=MailboxState.SYNCING, last_sync_at=NOW, **STORED)
    running = mailbox_state(mailbox(), stored, now=NOW)
    assert running.state is DisplayState.IMPORTING
    assert running.progress == ImportFacts(1200, 3000, 180.0)
    stopped = mailbox_state(mailbox(), stored, now=NOW, engine_running=False)
    assert stopped.state is DisplayState.IMPORT_PAUSED
    assert stopped.progress == ImportFacts(1200, 3000, None)  # how far it came; no time left told


def test_a_first_cycle_cut_short_before_its_first_batch_is_paused_and_a_later_one_is_idle() -> None:
    first = status(state=MailboxState.SYNCING)
    assert mailbox_state(mailbox(), first, engine_running=False).state is DisplayState.IMPORT_PAUSED
    later = status(state=MailboxState.SYNCING, last_sync_at=NOW, next_sync_at=NOW)
    assert mailbox_state(mailbox(), later, engine_running=False).state is DisplayState.IDLE


@settings(max_examples=2000, deadline=None)
@given(mailboxes, statuses, progresses)
def test_with_no_engine_running_nothing_is_shown_under_way_or_with_a_time_left(
    box: Mailbox, engine: SyncStatus | None, progress: ImportFacts | None
) -> None:
    shown = mailbox_state(box, engine, progress, engine_running=False)
    assert not shown.state.active
    assert shown.progress is None or shown.progress.seconds_left is None
    if shown.state is DisplayState.IMPORT_PAUSED and progress is not None:
        assert (shown.progress.done, shown.progress.total) == (progress.done, progress.total)  # type: ignore[union-attr]
    # the same mailbox with an engine running is shown the same, but for an import or a cycle under way
    running = mailbox_state(box, engine, progress, engine_running=True)
    if running.state is not shown.state:
        assert running.state.active and shown.state in (DisplayState.IMPORT_PAUSED, DisplayState.IDLE)
