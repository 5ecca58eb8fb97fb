"""Which incoming mail becomes an email activity, and why: the per-user tracking choice.

All mail; replies to tracked mail (the default); mail from known contacts, accounts and leads;
or none. A queue tracks all mail that reaches it.
"""

from __future__ import annotations

from dataclasses import dataclass

from desktop_sync.domain.model import TrackingChoice


@dataclass(frozen=True, slots=True)
class TrackingDecision:
    track: bool
    reason: str


def decide_tracking(choice: TrackingChoice | None, *, correlated: bool, sender_known: bool) -> TrackingDecision:
    """``choice`` is the owner's setting; None for a queue or a mailbox without an owner."""
    if choice is None:
        return TrackingDecision(True, "all mail of a queue mailbox")
    if choice is TrackingChoice.ALL:
        return TrackingDecision(True, "the user tracks all mail")
    if choice is TrackingChoice.NONE:
        return TrackingDecision(False, "the user tracks no mail")
    if choice is TrackingChoice.REPLIES:
        if correlated:
            return TrackingDecision(True, "a reply to tracked mail")
        return TrackingDecision(False, "not a reply to tracked mail")
    if sender_known or correlated:
        return TrackingDecision(True, "from a known contact, account or lead" if sender_known else "a reply")
    return TrackingDecision(False, "the sender is not a known contact, account or lead")
