"""The safety stop: a plan counted (``summarize``), the verdict on it (``safety_stop``) and the
plan held for an admin to confirm (``HeldPlan``)."""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from desktop_sync.domain.act.actions import Action, DeleteInExchange, Link, Unlink
from desktop_sync.domain.act.planner import EXCHANGE_SIDE_REASONS
from desktop_sync.domain.model import RecordType


class StopReason(enum.Enum):
    """Why a plan waits for an admin's confirmation instead of running."""

    CRM_EMPTY = "crm_empty"  # the user's CRM snapshot has no record at all while links exist
    EXCHANGE_EMPTY = "exchange_empty"  # a full Exchange snapshot has no item at all while links exist
    CRM_MASS_REMOVAL = "crm_mass_removal"  # CRM-side changes would delete or unlink too many links
    EXCHANGE_MASS_REMOVAL = "exchange_mass_removal"  # Exchange-side changes would unlink too many links


@dataclass(frozen=True, slots=True)
class SafetyLimits:
    """A plan that removes more than ``percent`` % of the links and more than ``minimum`` of them waits."""

    percent: int = 20
    minimum: int = 5


@dataclass(frozen=True, slots=True)
class PlanSummary:
    """What a plan would do, counted, and a fingerprint of what it would remove."""

    links: int  # links before the plan
    counts: Mapping[str, int]  # action name -> how many
    removed_by_crm: int  # links the plan deletes or unlinks because of the CRM side
    removed_by_exchange: int  # ... because of the Exchange side
    fingerprint: str  # of the removals (action, record, item): what an admin confirms

    @property
    def removals(self) -> int:
        return self.removed_by_crm + self.removed_by_exchange


def _removal_side(action: Action) -> str | None:
    if isinstance(action, DeleteInExchange):
        return "crm"
    if isinstance(action, Unlink):
        return "exchange" if action.reason in EXCHANGE_SIDE_REASONS else "crm"
    return None


def summarize(actions: Sequence[Action], links: Sequence[Link]) -> PlanSummary:
    """Counts per action, removals per side, and the removals' fingerprint."""
    counts: dict[str, int] = {}
    by_side = {"crm": 0, "exchange": 0}
    removals: list[tuple[str, int, str]] = []
    for action in actions:
        name = type(action).__name__
        counts[name] = counts.get(name, 0) + 1
        side = _removal_side(action)
        if side is not None:
            assert isinstance(action, (DeleteInExchange, Unlink))
            by_side[side] += 1
            removals.append((name, action.local_id, action.server_id))
    digest = hashlib.sha256(json.dumps(sorted(removals)).encode()).hexdigest()[:16]
    return PlanSummary(len(links), dict(sorted(counts.items())), by_side["crm"], by_side["exchange"], digest)


def safety_stop(
    summary: PlanSummary,
    limits: SafetyLimits,
    *,
    crm_empty: bool = False,
    exchange_empty: bool = False,
) -> StopReason | None:
    """Why this plan must wait for confirmation, or None when it may run.

    ``crm_empty``: the user's CRM snapshot has no record at all; ``exchange_empty``: a full Exchange
    snapshot (no cursor) has no item at all. Either matters only while links exist.
    """
    if summary.links and crm_empty:
        return StopReason.CRM_EMPTY
    if summary.links and exchange_empty:
        return StopReason.EXCHANGE_EMPTY

    def too_many(removed: int) -> bool:
        return removed > limits.minimum and removed * 100 > summary.links * limits.percent

    if too_many(summary.removed_by_crm):
        return StopReason.CRM_MASS_REMOVAL
    if too_many(summary.removed_by_exchange):
        return StopReason.EXCHANGE_MASS_REMOVAL
    return None


@dataclass(frozen=True, slots=True)
class HeldPlan:
    """A plan the safety stop holds: one mailbox, one record type, until an admin confirms it."""

    mailbox_id: int
    record_type: RecordType
    reason: StopReason
    counts: Mapping[str, int]
    links: int
    fingerprint: str
    held_at: dt.datetime

    @classmethod
    def of(
        cls, mailbox_id: int, record_type: RecordType, reason: StopReason, summary: PlanSummary, at: dt.datetime
    ) -> HeldPlan:
        return cls(mailbox_id, record_type, reason, dict(summary.counts), summary.links, summary.fingerprint, at)


_ACTION_WORDS = {
    "DeleteInExchange": "delete {n} in Exchange",
    "Unlink": "unlink {n}",
    "CreateInExchange": "create {n} in Exchange",
    "UpdateInExchange": "update {n} in Exchange",
    "CreateInCrm": "create {n} in the CRM",
    "UpdateInCrm": "update {n} in the CRM",
    "CopyInCrm": "copy {n} in the CRM",
    "Adopt": "link {n} again",
    "Conflict": "record {n} conflicts",
    "Skip": "skip {n}",
    "Rekey": "refresh {n} change keys",
}


def describe_counts(counts: Mapping[str, int]) -> str:
    """``{"Unlink": 12, "DeleteInExchange": 3}`` as people read it: "delete 3 in Exchange, unlink 12"."""
    order = list(_ACTION_WORDS)
    names = sorted(counts, key=lambda n: order.index(n) if n in order else len(order))
    return ", ".join(_ACTION_WORDS.get(n, n + " {n}").format(n=counts[n]) for n in names if counts[n])
