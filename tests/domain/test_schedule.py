"""The dynamic schedule and the retry policy, as pure functions."""

from __future__ import annotations

import random

import pytest

from desktop_sync.domain.errors import PermanentError, TransientError
from desktop_sync.domain.retry import GiveUp, RetryLater, RetryPolicy
from desktop_sync.domain.schedule import SchedulePolicy

policy = SchedulePolicy()


def run(cycles: list[int], min_poll: float = 0.0) -> list[float]:
    interval = None
    seen = []
    for items in cycles:
        interval = policy.next_interval(interval, items, min_poll)
        seen.append(interval)
    return seen


def test_a_new_mailbox_starts_near_five_minutes() -> None:
    assert policy.start == 300
    assert 300 < policy.next_interval(None, 0) <= 420  # one quiet cycle: a little longer
    assert 180 <= policy.next_interval(None, 1) < 300  # one busy cycle: a little shorter


def test_busy_mailboxes_move_toward_two_minutes() -> None:
    seen = run([5] * 10)
    assert seen == sorted(seen, reverse=True)
    assert seen[-1] == pytest.approx(120, abs=1)


def test_quiet_mailboxes_move_toward_twelve_minutes_and_never_beyond() -> None:
    seen = run([0] * 40)
    assert seen == sorted(seen)
    assert seen[-1] == pytest.approx(720, abs=1)
    assert max(seen) <= 720


def test_jitter_never_leaves_a_mailbox_longer_than_twelve_minutes() -> None:
    rng = random.Random(7)
    jittered = [policy.with_jitter(720, rng=rng) for _ in range(1000)]
    assert max(jittered) <= 720
    assert min(jittered) >= 720 * 0.9 - 1e-9
    spread = [policy.with_jitter(300, rng=rng) for _ in range(1000)]
    assert 270 <= min(spread) < 290 and 310 < max(spread) <= 330


def test_the_profiles_minimum_polling_interval_is_a_floor() -> None:
    assert min(run([5] * 20, min_poll=400)) >= 400
    assert policy.with_jitter(400, min_poll=400, rng=random.Random(1)) >= 400


def test_a_busy_spell_then_quiet_returns_upward() -> None:
    seen = run([5, 5, 5, 0, 0, 0])
    assert seen[2] < seen[3] < seen[4] < seen[5]


def test_transient_errors_are_retried_with_the_default_or_the_servers_backoff() -> None:
    retry = RetryPolicy()
    assert retry.decide(TransientError("x", code="timeout"), 1) == RetryLater(300, 1)
    assert retry.decide(TransientError("x", code="server_busy", retry_after=12.5), 2) == RetryLater(12.5, 2)


def test_the_tenth_transient_failure_becomes_permanent_with_the_same_code() -> None:
    decision = RetryPolicy().decide(TransientError("x", code="timeout"), 10)
    assert isinstance(decision, GiveUp) and decision.exhausted
    assert decision.error.code == "timeout"
    assert isinstance(RetryPolicy(max_attempts=3).decide(TransientError("x"), 3), GiveUp)
    assert isinstance(RetryPolicy(max_attempts=3).decide(TransientError("x"), 2), RetryLater)


def test_permanent_errors_give_up_at_once() -> None:
    decision = RetryPolicy().decide(PermanentError("no", code="auth_failed"), 1)
    assert isinstance(decision, GiveUp) and not decision.exhausted and decision.error.code == "auth_failed"
