"""The one state a mailbox is shown in: never Idle unless it really synchronizes."""

from __future__ import annotations

import dataclasses
import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_sync.domain.mailbox_state import (
    DisplayState,
    ImportFacts,
    advance_import,
    end_import,
    import_facts,
    mailbox_state,
)
from desktop_sync.domain.model import (
    ApprovalState,
    ChannelState,
    ConnectionTestStatus,
    Mailbox,
    MailboxId,
    MailboxState,
    ProfileId,
    SyncMethod,
    SyncStatus,
)

NOW = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC)
MID = MailboxId(1)
TESTED_ON = ChannelState(SyncMethod.SERVER_SIDE, enabled=True, test_status=ConnectionTestStatus.SUCCESS, tested_at=NOW)
UNTESTED = ChannelState(SyncMethod.SERVER_SIDE)


def mailbox(**changes: object) -> Mailbox:
    base = Mailbox(
        "alice@example.test",
        ProfileId(1),
        approval=ApprovalState.APPROVED,
        incoming=TESTED_ON,
        outgoing=TESTED_ON,
        id=MID,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def status(**changes: object) -> SyncStatus:
    return dataclasses.replace(SyncStatus(MID), **changes)  # type: ignore[arg-type]


def test_a_new_mailbox_is_pending_approval_whatever_the_engine_last_said() -> None:
    new = mailbox(approval=ApprovalState.PENDING, incoming=UNTESTED, outgoing=UNTESTED)
    assert mailbox_state(new).state is DisplayState.PENDING_APPROVAL
    assert mailbox_state(new, status(state=MailboxState.IDLE)).state is DisplayState.PENDING_APPROVAL


def test_an_approved_mailbox_never_tested_is_not_tested() -> None:
    approved = mailbox(incoming=UNTESTED, outgoing=UNTESTED)
    assert mailbox_state(approved, status()).state is DisplayState.NOT_TESTED


def test_a_tested_mailbox_switched_off_is_disabled() -> None:
    off = dataclasses.replace(TESTED_ON, enabled=False)
    assert mailbox_state(mailbox(incoming=off, outgoing=off), status()).state is DisplayState.DISABLED


def test_a_mailbox_whose_channel_failed_needs_attention() -> None:
    failed = ChannelState(SyncMethod.SERVER_SIDE, test_status=ConnectionTestStatus.FAILURE, failed_step="auth_failed")
    shown = mailbox_state(
        mailbox(incoming=failed, outgoing=failed),
        status(state=MailboxState.DISABLED, last_error_code="auth_failed", last_error="bad password"),
    )
    assert shown.state is DisplayState.NEEDS_ATTENTION
    assert shown.error == "bad password"
    # half working is not healthy either
    assert mailbox_state(mailbox(outgoing=failed), status()).state is DisplayState.NEEDS_ATTENTION


def test_a_mailbox_the_engine_stopped_on_an_error_needs_attention_before_it_is_reloaded() -> None:
    # the event arrives before the view reads the channel the engine switched off
    shown = mailbox_state(mailbox(), status(state=MailboxState.DISABLED, last_error="mailbox gone"))
    assert shown.state is DisplayState.NEEDS_ATTENTION
    only_sends = mailbox(incoming=dataclasses.replace(TESTED_ON, enabled=False))
    assert mailbox_state(only_sends, status(state=MailboxState.DISABLED)).state is DisplayState.IDLE


def test_a_sign_in_error_asks_for_a_sign_in() -> None:
    shown = mailbox_state(mailbox(), status(last_error_code="sign_in_required", state=MailboxState.DISABLED))
    assert shown.state is DisplayState.NEEDS_SIGN_IN


def test_backing_off_says_until_when() -> None:
    until = NOW + dt.timedelta(minutes=5)
    shown = mailbox_state(mailbox(), status(state=MailboxState.BACKING_OFF, backoff_until=until))
    assert shown.state is DisplayState.BACKING_OFF
    assert shown.backoff_until == until


def test_a_first_cycle_is_an_import_and_live_progress_is_carried() -> None:
    assert mailbox_state(mailbox(), status(state=MailboxState.SYNCING)).state is DisplayState.IMPORTING
    progress = ImportFacts(400, 10_000, 95.0)
    shown = mailbox_state(mailbox(), status(state=MailboxState.SYNCING, last_sync_at=NOW), progress)
    assert (shown.state, shown.progress) == (DisplayState.IMPORTING, progress)
    later = status(state=MailboxState.SYNCING, last_sync_at=NOW)
    assert mailbox_state(mailbox(), later).state is DisplayState.SYNCING


def test_a_next_cycle_within_seconds_is_not_an_import_unless_one_is_stored() -> None:
    # a profile polling every 5 s is idle between its cycles: the schedule says nothing of an import
    polling = status(last_sync_at=NOW, next_sync_at=NOW + dt.timedelta(seconds=5), items_synced=500)
    assert mailbox_state(mailbox(), polling).state is DisplayState.IDLE
    importing = advance_import(polling, 500, 10_000, NOW)
    shown = mailbox_state(mailbox(), importing, now=NOW)
    assert (shown.state, shown.progress, shown.next_sync_at) == (
        DisplayState.IMPORTING,
        ImportFacts(500, 10_000, None),
        NOW + dt.timedelta(seconds=5),
    )
    waiting = status(last_sync_at=NOW, next_sync_at=NOW + dt.timedelta(minutes=5), items_synced=500)
    shown = mailbox_state(mailbox(), waiting)
    assert (shown.state, shown.next_sync_at) == (DisplayState.IDLE, NOW + dt.timedelta(minutes=5))


def test_the_time_left_follows_the_rate_since_the_import_was_first_seen() -> None:
    first = advance_import(status(items_synced=1_000), 1_000, 10_000, NOW)
    assert import_facts(first, NOW) == ImportFacts(1_000, 10_000, None)  # no rate yet
    second = advance_import(first, 2_000, 10_000, NOW + dt.timedelta(minutes=1))
    # 1,000 a minute: 8,000 left take 8 minutes, counted from when it was read
    assert import_facts(second, NOW + dt.timedelta(minutes=1)) == ImportFacts(2_000, 10_000, 480.0)
    assert import_facts(second, NOW + dt.timedelta(minutes=3)) == ImportFacts(2_000, 10_000, 360.0)
    assert import_facts(second, NOW + dt.timedelta(hours=1)) == ImportFacts(2_000, 10_000, 0.0)
    unknown = advance_import(second, 3_000, None, NOW + dt.timedelta(minutes=2))
    assert import_facts(unknown, NOW) == ImportFacts(3_000, None, None)
    ended = end_import(second)
    assert import_facts(ended, NOW) is None
    assert mailbox_state(mailbox(), ended, now=NOW).state is DisplayState.IDLE


def test_a_stored_import_gives_way_to_what_is_worse() -> None:
    importing = advance_import(status(), 10, 100, NOW)
    backing_off = dataclasses.replace(importing, state=MailboxState.BACKING_OFF, backoff_until=NOW)
    assert mailbox_state(mailbox(), backing_off, now=NOW).state is DisplayState.BACKING_OFF
    assert mailbox_state(mailbox(approval=ApprovalState.PENDING), importing).state is DisplayState.PENDING_APPROVAL


# --- generated: every combination of what is known ---------------------------------------------

times = st.none() | st.datetimes(
    min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2030, 1, 1), timezones=st.just(dt.UTC)
)
channels = st.builds(
    ChannelState,
    method=st.sampled_from(SyncMethod),
    enabled=st.booleans(),
    test_status=st.sampled_from(ConnectionTestStatus),
    failed_step=st.none() | st.text(max_size=20),
    tested_at=times,
)
mailboxes = st.builds(
    Mailbox,
    address=st.just("alice@example.test"),
    profile_id=st.just(ProfileId(1)),
    approval=st.sampled_from(ApprovalState),
    incoming=channels,
    outgoing=channels,
    act=channels,
    id=st.just(MID),
)
statuses = st.none() | st.builds(
    SyncStatus,
    mailbox_id=st.just(MID),
    state=st.sampled_from(MailboxState),
    last_sync_at=times,
    next_sync_at=times,
    items_synced=st.integers(0, 10**6),
    failure_count=st.integers(0, 20),
    last_error_code=st.none() | st.sampled_from(["auth_failed", "timeout", "sign_in_required", "x"]),
    last_error=st.none() | st.text(max_size=80),
    backoff_until=times,
)
progresses = st.none() | st.builds(
    ImportFacts, st.integers(0, 10**6), st.none() | st.integers(0, 10**6), st.none() | st.floats(0, 1e6)
)


@settings(max_examples=2000, deadline=None)
@given(mailboxes, statuses, progresses)
def test_only_a_mailbox_that_really_synchronizes_is_shown_healthy(
    box: Mailbox, engine: SyncStatus | None, progress: ImportFacts | None
) -> None:
    shown = mailbox_state(box, engine, progress)
    synchronized = [c for c in (box.incoming, box.outgoing, box.act) if c.method is SyncMethod.SERVER_SIDE]
    if shown.state.healthy:
        assert box.approval is ApprovalState.APPROVED
        assert any(c.enabled for c in synchronized)
        assert all(c.test_status is not ConnectionTestStatus.FAILURE for c in synchronized)
        assert engine is None or engine.state not in (MailboxState.BACKING_OFF, MailboxState.NEEDS_ATTENTION)
        stopped = engine is not None and engine.state is MailboxState.DISABLED
        assert not (stopped and (engine.last_error or engine.last_error_code))  # type: ignore[union-attr]
    if box.approval is ApprovalState.PENDING:
        assert shown.state is DisplayState.PENDING_APPROVAL
    if shown.state is DisplayState.BACKING_OFF:
        assert engine is not None and shown.backoff_until == engine.backoff_until
    if shown.state is DisplayState.NOT_TESTED:
        assert not any(c.enabled for c in synchronized)
    if progress is not None and shown.state.healthy:
        assert shown.state is DisplayState.IMPORTING and shown.progress == progress
    # the facts are the status's, whatever the state
    assert shown.error == (engine.last_error if engine else None)
    assert shown.last_sync_at == (engine.last_sync_at if engine else None)


@settings(max_examples=2000, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 10**9), st.none() | st.integers(0, 10**9), st.integers(0, 10**7)),
        min_size=1,
        max_size=8,
    ),
    st.integers(-(10**7), 10**7),
)
def test_stored_import_progress_is_what_the_last_batch_said_and_its_time_left_is_sane(
    batches: list[tuple[int, int | None, int]], read_after: int
) -> None:
    engine, at = status(), NOW
    for done, total, seconds in batches:
        at += dt.timedelta(seconds=seconds)
        engine = advance_import(engine, done, total, at)
    done, total, _ = batches[-1]
    now = at + dt.timedelta(seconds=read_after)
    facts = import_facts(engine, now)
    assert facts is not None and (facts.done, facts.total) == (done, total)
    if facts.seconds_left is not None:
        assert facts.seconds_left >= 0
        assert total is not None and done < total
    assert engine.import_started_at == NOW + dt.timedelta(seconds=batches[0][2])
    assert mailbox_state(mailbox(), engine, now=now).progress == facts
    assert import_facts(end_import(engine), now) is None
