"""The pure ACT planner: the two sides and the link table in, the list of actions out
(the policies are stated in ``desktop_sync.domain.act``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from desktop_sync.domain.act.actions import (
    FROM_EXCHANGE,
    Action,
    Adopt,
    Conflict,
    CopyInCrm,
    CreateInCrm,
    CreateInExchange,
    CrmRecord,
    DeleteInExchange,
    ExchangeItem,
    Link,
    Rekey,
    Skip,
    Unlink,
    UpdateInCrm,
    UpdateInExchange,
)
from desktop_sync.domain.act.mapping import DEFAULT_CONFLICT_POLICY, MAPPING, ConflictPolicy, Flow, plain
from desktop_sync.domain.model import RecordType


@dataclass(frozen=True, slots=True)
class PlanSettings:
    delete_on_leaving_filter: bool = False
    conflict_policy: ConflictPolicy = DEFAULT_CONFLICT_POLICY
    user: str = ""  # the syncing user's address (organizer checks)
    now: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))


# --- the planner --------------------------------------------------------------------------------


def _changed(base: Mapping[str, Any], now: Mapping[str, Any], fields: Sequence[str]) -> set[str]:
    return {f for f in fields if f in now and plain(now.get(f)) != plain(base.get(f))}


NO_ORGANIZER = "an appointment without an organizer is not synchronized"

# Why a link goes away (Unlink.reason); the first two come from the Exchange side, the rest from the CRM's.
DELETED_IN_EXCHANGE = "deleted in Exchange; the CRM record is kept"
CATEGORY_REMOVED = "the tracking category was removed in Exchange; CRM record kept"
LEFT_FILTER = "left the sync filter; kept in Exchange"
OUT_OF_SCOPE = "no longer among the user's records (owner changed, or out of scope); kept in Exchange"
MEETING_KEPT = "deleted in the CRM; the meeting is left in Exchange (not organized by the user, or past)"
EXCHANGE_SIDE_REASONS = frozenset({DELETED_IN_EXCHANGE, CATEGORY_REMOVED})


def _appointment_problem(values: Mapping[str, Any]) -> str | None:
    if not values.get("organizer"):
        return NO_ORGANIZER
    return None


def _send_invitations(values: Mapping[str, Any], settings: PlanSettings) -> bool:
    organizer = str(values.get("organizer") or "").lower()
    attendees = values.get("attendees") or ()
    starts = values.get("starts_at")
    in_future = isinstance(starts, dt.datetime) and starts > settings.now
    return bool(attendees) and in_future and organizer == settings.user.lower()


def _may_delete_in_exchange(record_type: RecordType, values: Mapping[str, Any], settings: PlanSettings) -> bool:
    if record_type is not RecordType.APPOINTMENT:
        return True
    organizer = str(values.get("organizer") or "").lower()
    starts = values.get("starts_at")
    return organizer == settings.user.lower() and isinstance(starts, dt.datetime) and starts > settings.now


def plan(
    record_type: RecordType,
    crm: Sequence[CrmRecord],
    exchange: Sequence[ExchangeItem],
    links: Sequence[Link],
    settings: PlanSettings,
    deleted: Collection[int] = frozenset(),
    complete: bool = False,
) -> list[Action]:
    """Everything to do to bring both sides in line, in a stable order (links first, then new ones).

    ``deleted``: the local ids with a tombstone (deleted in the CRM). A linked record missing from
    ``crm`` without one was not deleted: it left the user's scope, and is unlinked.
    ``complete``: ``exchange`` is the whole folder (read from the start), not the changes since the
    last sync, so a linked item missing from it was deleted in Exchange.
    """
    mapping = MAPPING[record_type]
    to_exchange = [m.crm for m in mapping if m.flow is not Flow.TO_CRM]
    to_crm = [m.crm for m in mapping if m.flow is not Flow.TO_EXCHANGE]
    records = {r.local_id: r for r in crm}
    items = {i.server_id: i for i in exchange}
    linked_local = {link.local_id for link in links}
    linked_remote = {link.server_id for link in links}
    released: set[int] = set()  # records unlinked by an Exchange-side change: new again, if the filter selects them
    actions: list[Action] = []

    for link in sorted(links, key=lambda x: (x.local_id, x.server_id)):
        record = records.get(link.local_id)
        item = items.get(link.server_id)
        remote_changed = item is not None and not item.deleted and item.change_key != link.change_key
        if (item is not None and item.deleted) or (item is None and complete):
            actions.append(Unlink(link.local_id, link.server_id, DELETED_IN_EXCHANGE))
            released.add(link.local_id)
            continue
        current_key = item.change_key if item is not None else link.change_key
        if (record is not None and record.deleted) or (record is None and link.local_id in deleted):
            base = dict(link.base)
            if _may_delete_in_exchange(record_type, base, settings):
                actions.append(DeleteInExchange(link.local_id, link.server_id, current_key))
            else:
                actions.append(Unlink(link.local_id, link.server_id, MEETING_KEPT))
            continue
        if record is None:  # not deleted: its owner changed, or it is out of the user's scope
            actions.append(Unlink(link.local_id, link.server_id, OUT_OF_SCOPE))
            continue
        if link.base.get(FROM_EXCHANGE) and item is not None and not item.tracked:
            actions.append(Unlink(link.local_id, link.server_id, CATEGORY_REMOVED))
            released.add(link.local_id)
            continue
        if not record.in_filter and not link.base.get(FROM_EXCHANGE):
            if settings.delete_on_leaving_filter and _may_delete_in_exchange(record_type, record.values, settings):
                actions.append(DeleteInExchange(link.local_id, link.server_id, current_key))
            else:
                actions.append(Unlink(link.local_id, link.server_id, LEFT_FILTER))
            continue
        crm_changes = _changed(link.base, record.values, to_exchange)
        exchange_changes = _changed(link.base, item.values, to_crm) if remote_changed and item else set()
        both = crm_changes & exchange_changes
        for name in sorted(both):
            assert item is not None
            if plain(record.values.get(name)) == plain(item.values.get(name)):
                continue  # the same change on both sides: nothing to do for it
            actions.append(
                Conflict(
                    link.local_id,
                    link.server_id,
                    name,
                    record.values.get(name),
                    item.values.get(name),
                    settings.conflict_policy,
                )
            )
        same = {n for n in both if item is not None and plain(record.values.get(n)) == plain(item.values.get(n))}
        push = crm_changes - exchange_changes
        pull = exchange_changes - crm_changes
        conflicting = both - same
        if settings.conflict_policy is ConflictPolicy.KEEP_EXCHANGE:
            pull |= conflicting
        else:  # keep CRM, or keep both: the linked pair takes the CRM's values
            push |= conflicting
        # The same change on both sides: nothing moves, but the link must learn the agreed value and
        # the new change key, or the next cycle would push it again.
        pull |= same
        if push:
            change_key = item.change_key if item is not None else link.change_key
            actions.append(
                UpdateInExchange(
                    link.local_id, link.server_id, change_key, {n: record.values.get(n) for n in sorted(push)}
                )
            )
        if pull and item is not None:
            actions.append(
                UpdateInCrm(
                    link.local_id, link.server_id, item.change_key, {n: item.values.get(n) for n in sorted(pull)}
                )
            )
        if remote_changed and not push and not pull and item is not None:
            actions.append(Rekey(link.local_id, link.server_id, item.change_key))
        if settings.conflict_policy is ConflictPolicy.KEEP_BOTH and conflicting and item is not None:
            actions.append(CopyInCrm(link.local_id, dict(item.values)))

    # items we created but never recorded (a crash between create and commit) are adopted, not duplicated
    adopted: set[int] = set()
    for item in sorted(exchange, key=lambda i: i.server_id):
        origin = item.origin_local_id
        if origin is None or item.server_id in linked_remote or item.deleted or origin in linked_local:
            continue
        record = records.get(origin)
        if record is not None and record.in_filter and not record.deleted and origin not in adopted:
            adopted.add(origin)
            linked_remote.add(item.server_id)
            actions.append(Adopt(origin, item.server_id, item.change_key, dict(item.values)))
            # the record may have changed since the item was made from it: carry that over now
            behind = _changed(item.values, record.values, to_exchange)
            if behind:
                actions.append(
                    UpdateInExchange(
                        origin, item.server_id, item.change_key, {n: record.values.get(n) for n in sorted(behind)}
                    )
                )

    for record in sorted(crm, key=lambda r: r.local_id):
        if record.local_id in adopted or record.deleted or not record.in_filter:
            continue
        if record.local_id in linked_local and record.local_id not in released:
            continue
        if record_type is RecordType.APPOINTMENT:
            problem = _appointment_problem(record.values)
            if problem is not None:
                actions.append(Skip(record.local_id, None, problem))
                continue
            actions.append(
                CreateInExchange(record.local_id, dict(record.values), _send_invitations(record.values, settings))
            )
        else:
            actions.append(CreateInExchange(record.local_id, dict(record.values)))

    for item in sorted(exchange, key=lambda i: i.server_id):
        if item.server_id in linked_remote or item.deleted or not item.tracked:
            continue
        if item.origin_local_id is not None:
            continue  # we created it from a record since unlinked (out of the filter) or deleted: not again
        if record_type is RecordType.APPOINTMENT:
            problem = _appointment_problem(item.values)
            if problem is not None:
                actions.append(Skip(None, item.server_id, problem))
                continue
        actions.append(CreateInCrm(item.server_id, item.change_key, dict(item.values)))
    return actions


# --- the safety stop ------------------------------------------------------------------------------
