"""The Mailboxes view reads an import's stored progress when it opens: another process's engine may
be importing, and this window hears none of its events. With no engine running, it is paused."""

from __future__ import annotations

import datetime as dt

import pytest
from ui.test_mailbox_states import language  # noqa: F401 - the English and French fixture
from ui.test_mailboxes_model import Clock, view

from desktop_sync.domain.mailbox_state import DisplayState
from desktop_sync.domain.model import MailboxId, MailboxState, SyncStatus
from desktop_sync.engine.events import CycleStarted, ImportProgress
from desktop_sync.services.monitoring import StatusView
from desktop_sync.services.sync_control import EngineStatus, StatusChange
from desktop_sync.ui.mailboxes_model import STATE_ROLE, Column, MailboxTableModel

pytestmark = pytest.mark.gui
READ = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC)
EXPECTED = {
    "en": ("Importing (1,200 of 3,000, about 3 min left)", "Import paused (1,200 of 3,000)"),
    "fr": (
        "Importation en cours (1\u202f200 sur 3\u202f000, encore environ 3 min)",
        "Importation interrompue (1\u202f200 sur 3\u202f000)",
    ),
}


def stored(running: bool) -> StatusView:
    status = SyncStatus(
        MailboxId(1),
        state=MailboxState.SYNCING,
        last_sync_at=READ - dt.timedelta(minutes=2),
        import_done=1200,
        import_total=3000,
        import_started_at=READ - dt.timedelta(minutes=2),
        import_eta_at=READ + dt.timedelta(minutes=3),
    )
    return StatusView(view(1).mailbox, status, READ, running)


def state_text(model: MailboxTableModel) -> str:
    return str(model.index(0, Column.STATE).data()).replace("\u00a0", "\u202f")


def test_an_import_of_another_process_shows_at_once_and_its_time_left_counts_down(language) -> None:  # noqa: F811
    clock = Clock()
    model = MailboxTableModel(clock=clock)
    model.load([view(1)], [stored(running=True)])
    assert model.index(0, Column.STATE).data(STATE_ROLE) is DisplayState.IMPORTING
    assert state_text(model) == EXPECTED[language][0]
    clock.now += 120  # two minutes on, with no event: a minute left
    assert model.shown(model.row_at(0)).progress.seconds_left == 60  # type: ignore[union-attr]
    # the live events of this process's engine take over from what was stored
    model.on_import_progress(ImportProgress(MailboxId(1), "m1@example.test", 1500, 3000))
    assert model.shown(model.row_at(0)).progress.done == 1500  # type: ignore[union-attr]


def test_an_import_no_engine_runs_is_shown_paused_without_a_time_left(language) -> None:  # noqa: F811
    model = MailboxTableModel(clock=Clock())
    model.load([view(1)], [stored(running=False)])
    assert model.index(0, Column.STATE).data(STATE_ROLE) is DisplayState.IMPORT_PAUSED
    assert state_text(model) == EXPECTED[language][1]
    assert model.index(0, Column.NEXT_SYNC).data() == "—"


def test_an_import_of_this_windows_engine_is_paused_when_the_engine_pauses(language) -> None:  # noqa: F811
    clock = Clock()
    model = MailboxTableModel(clock=clock)
    model.load([view(1)], [StatusView(view(1).mailbox, SyncStatus(MailboxId(1)), READ, True)])
    model.on_cycle_started(CycleStarted(MailboxId(1), "m1@example.test", READ))
    model.on_import_progress(ImportProgress(MailboxId(1), "m1@example.test", 600, 3000))
    clock.now += 60
    model.on_import_progress(ImportProgress(MailboxId(1), "m1@example.test", 1200, 3000))
    assert model.shown(model.row_at(0)).progress.seconds_left is not None  # type: ignore[union-attr]
    model.on_engine_status(StatusChange(EngineStatus.RUNNING))  # nothing changes while it runs
    assert model.index(0, Column.STATE).data(STATE_ROLE) is DisplayState.IMPORTING
    model.on_engine_status(StatusChange(EngineStatus.PAUSED))
    assert model.index(0, Column.STATE).data(STATE_ROLE) is DisplayState.IMPORT_PAUSED
    assert state_text(model) == EXPECTED[language][1]
    model.on_cycle_started(CycleStarted(MailboxId(1), "m1@example.test", READ))  # resumed
    assert model.index(0, Column.STATE).data(STATE_ROLE) is DisplayState.IMPORTING
