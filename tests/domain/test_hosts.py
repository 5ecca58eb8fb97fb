"""Fair shares of the mailboxes between engine hosts, and when a host counts as lost."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from desktop_sync.domain.hosts import (
    EngineHost,
    HostState,
    beat_seconds,
    fair_share,
    renewal_seconds,
)


@given(st.integers(0, 100_000), st.integers(1, 50))
def test_shares_add_up_to_every_mailbox_and_differ_by_one_at_most(mailboxes: int, hosts: int) -> None:
    shares = [fair_share(mailboxes, hosts, rank) for rank in range(hosts)]
    assert sum(shares) == mailboxes
    assert max(shares) - min(shares) <= 1


@given(st.integers(15, 300))
def test_a_dead_host_is_taken_over_within_one_lease_period(lease: int) -> None:
    # it dies just after a beat: lost when that beat's renewal runs out, taken at the others' next beat
    assert renewal_seconds(lease) + beat_seconds(lease) < lease
    # a live host renews several beats before its leases could run out
    assert renewal_seconds(lease) >= 3 * beat_seconds(lease)


def test_a_host_past_its_renewal_is_lost() -> None:
    beat = dt.datetime(2026, 12, 8, 5, 0, tzinfo=dt.UTC)
    host = EngineHost("h:1:ab", "h", 1, beat, beat, beat + dt.timedelta(seconds=40))
    assert host.state(beat + dt.timedelta(seconds=40)) is HostState.RUNNING
    assert host.state(beat + dt.timedelta(seconds=41)) is HostState.LOST
