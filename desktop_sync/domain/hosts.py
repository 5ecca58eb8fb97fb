"""Engine hosts sharing one store: how often a host beats, when it counts as lost, its fair share of
the mailboxes, and what an admin sees of each host.

A host heartbeats every sixth of the lease period and renews its leases and connection slots with
each beat, for two thirds of the period: a host that dies is lost, and its leases and slots free,
at most two thirds of a period after its last beat, and the others take them at their next beat —
within one lease period of its death.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

LEASE_SECONDS_DEFAULT = 60
LEASE_SECONDS_MIN = 15
LEASE_SECONDS_MAX = 300


def beat_seconds(lease_seconds: float) -> float:
    """How often a host heartbeats, renews its leases and slots and balances its share."""
    return lease_seconds / 6


def renewal_seconds(lease_seconds: float) -> float:
    """How long a beat keeps a host alive and its leases and slots held."""
    return lease_seconds * 2 / 3


def fair_share(mailboxes: int, hosts: int, rank: int) -> int:
    """How many mailboxes the live host of ``rank`` (0 for the first started) holds among ``hosts``:
    an equal share, the first ``mailboxes % hosts`` hosts one more, so that the shares add up to
    every mailbox exactly."""
    hosts = max(1, hosts)
    return mailboxes // hosts + (1 if rank < mailboxes % hosts else 0)


class HostState(enum.Enum):
    RUNNING = "running"
    LOST = "lost"  # missed its heartbeats: killed, frozen or cut off from the store


@dataclass(frozen=True, slots=True)
class EngineHost:
    """An engine host as the store knows it, with what it holds now."""

    owner: str  # the host's id: machine, process and a random part
    hostname: str
    pid: int
    started_at: dt.datetime
    heartbeat_at: dt.datetime
    expires_at: dt.datetime | None
    taken_over_at: dt.datetime | None = None
    mailboxes: int = 0  # leases held
    connections: Mapping[str, int] = field(default_factory=dict)  # profile name -> connection slots held

    def state(self, now: dt.datetime) -> HostState:
        alive_until = self.expires_at or self.heartbeat_at
        return HostState.RUNNING if alive_until >= now else HostState.LOST
