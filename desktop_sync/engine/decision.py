"""Deciding each mail of a batch: why it is tracked, if it is (correlation, the owner's choice, a
tracked folder), with each message's own steps isolated so that one bad mail fails alone."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Container, Iterator, Mapping, Sequence

from desktop_sync.domain.correlation import CorrelationMethod, Lookup, smart_match, subject_key
from desktop_sync.domain.isolation import ITEM_FAILED, Step, failure_reason
from desktop_sync.domain.mail import ParsedEmail
from desktop_sync.domain.model import RecordType
from desktop_sync.domain.ports import IncomingEmail
from desktop_sync.domain.ports.connectors import ItemFailure, RawMessage
from desktop_sync.domain.tracking import TrackingDecision, decide_tracking
from desktop_sync.engine.cycle_context import Context

log = logging.getLogger("desktop_sync.engine.cycle")  # the cycle's records, under its name as before the split


@contextlib.contextmanager
def isolated_step(item: RawMessage, step: Step, failures: list[ItemFailure]) -> Iterator[None]:
    """Run one item's own step (pure work on what the server sent: no store, no connection): whatever
    it raises is this item's failure, added to ``failures`` for the ledger, and the batch goes on."""
    try:
        yield
    except Exception as exc:
        log.warning("%s failed on %s: %s", step.value, item.server_id, type(exc).__name__)
        reason = failure_reason(step, exc, item.server_id, len(item.raw))
        failures.append(ItemFailure(item.server_id, item.folder, ITEM_FAILED, reason, transient=False))


def track_decision(
    ctx: Context,
    item: RawMessage,
    email: ParsedEmail,
    lookups: Sequence[Lookup],
    by_message_id: Mapping[str, int],
    tracked_here: Container[str],
    known_ids: set[int],
    candidates: Mapping[str, dict[int, set[str]]],
    records: dict[str, tuple[RecordType, int]],
) -> IncomingEmail | None:
    """Why this mail is tracked, if it is: correlation, the owner's choice, a tracked folder."""
    correlated_id: int | None = None
    correlated_message_id: str | None = None  # tracked mail of this batch: its id is known once recorded
    method: CorrelationMethod | None = None
    for lookup in lookups:
        if lookup.message_ids:
            for message_id in lookup.message_ids:
                if message_id in by_message_id:
                    correlated_id = by_message_id[message_id]
                    break
                if message_id in tracked_here:
                    correlated_message_id = message_id
                    break
        elif lookup.activity_id is not None and lookup.activity_id in known_ids:
            correlated_id = lookup.activity_id
        elif lookup.subject_key is not None:
            correlated_id = smart_match(candidates.get(lookup.subject_key, {}), lookup.addresses)
        if correlated_id is not None or correlated_message_id is not None:
            method = lookup.method
            break
    correlated = correlated_id is not None or correlated_message_id is not None
    resolved = {address: records[address] for address in email.addresses() if address in records}
    sender = email.sender
    sender_record = resolved.get(sender.address) if sender else None
    sender_known = sender_record is not None and sender_record[0] in (
        RecordType.CONTACT,
        RecordType.ACCOUNT,
        RecordType.LEAD,
    )
    decision = decide_tracking(ctx.tracking, correlated=correlated, sender_known=sender_known)
    rule = next((f for f in ctx.tracked_folders if f.folder_name == item.folder), None)
    if rule is not None:  # moved into a tracked folder: tracked whatever the tracking choice
        decision = TrackingDecision(True, f"in the tracked folder {rule.folder_name}")
    if not decision.track:
        return None
    return IncomingEmail(
        server_id=item.server_id,
        folder=item.folder,
        parsed=email,
        server_arrival_at=item.received_at,
        tracked_reason=decision.reason,
        correlation_method=method.value if method else None,
        correlated_activity_id=correlated_id,
        correlated_message_id=correlated_message_id,
        regarding=rule.regarding if rule is not None else None,
        resolved_parties=resolved,
        subject_key=subject_key(email.subject, ctx.profile.tracking_token_prefix),
    )
