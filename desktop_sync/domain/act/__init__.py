"""Appointments, contacts and tasks both ways: the field mapping and the pure planner.

One module per job: ``mapping`` (the field table and conversions), ``actions`` (the two sides,
the links, the actions and their ``ActionRunner``), ``planner`` (``plan``) and ``safety`` (the
safety stop and held plans). Every public name is importable from this package.

The planner turns the two sides and the link table into a list of actions; the executor runs
each action with its link row in one transaction. Policies, stated once:

- CRM -> Exchange: records selected by the user's sync filters. Exchange -> CRM: items carrying
  the tracking category. Once linked, changes flow both ways, field by field, in the direction
  the mapping allows.
- A record that leaves the filter is unlinked, not deleted in Exchange (deleting cancels
  meetings) unless the delete-on-leave setting is on (off by default). A record that came from a
  tracked Exchange item (its link's base says ``FROM_EXCHANGE``) is not held to the filters: it
  stays linked while the item carries the tracking category, and is unlinked when the category goes.
  An item we created (stamped with its CRM id) is adopted again only by its record still in the
  filter, and never comes back to the CRM as a new record.
- Only a record really deleted in the CRM (its deletion wrote a tombstone, ``deleted`` here) may
  delete its Exchange item, and only when linked (and, for an appointment, organized by the user
  and in the future); otherwise it unlinks. A linked record merely missing from the user's
  snapshot (its owner changed, it is out of scope) is unlinked, exactly like leaving the filter.
  An Exchange delete unlinks: the CRM keeps its record, the system of record (and a record the
  filter still selects is sent again, as a new record would be).
- Safety stop: ``summarize`` and ``safety_stop`` say when a plan would remove too many links at
  once (or one side is suddenly empty); the cycle then holds the plan for an admin to confirm.
- An appointment without an organizer is not synchronized (the reason is reported). No
  invitations for past meetings, meetings without attendees, or when the user is not the organizer.
- Conflicts (both sides changed the same field since the last sync, to different values): the
  CRM's value is kept by default, and the conflict is recorded for the admin to resolve — keep
  CRM, keep Exchange, or keep both (a copy).
"""

from __future__ import annotations

from desktop_sync.domain.act.actions import (
    FROM_EXCHANGE,
    Action,
    ActionRunner,
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
from desktop_sync.domain.act.mapping import (
    DEFAULT_CONFLICT_POLICY,
    MAPPING,
    WEEKDAYS,
    ConflictPolicy,
    FieldMap,
    Flow,
    SeriesPattern,
    content_hash,
    crm_values,
    exchange_values,
    plain,
    record_headline,
    series_pattern,
    server_choice,
)
from desktop_sync.domain.act.planner import (
    CATEGORY_REMOVED,
    DELETED_IN_EXCHANGE,
    EXCHANGE_SIDE_REASONS,
    LEFT_FILTER,
    MEETING_KEPT,
    NO_ORGANIZER,
    OUT_OF_SCOPE,
    PlanSettings,
    plan,
)
from desktop_sync.domain.act.safety import (
    HeldPlan,
    PlanSummary,
    SafetyLimits,
    StopReason,
    describe_counts,
    safety_stop,
    summarize,
)

__all__ = [
    "CATEGORY_REMOVED",
    "DEFAULT_CONFLICT_POLICY",
    "DELETED_IN_EXCHANGE",
    "EXCHANGE_SIDE_REASONS",
    "FROM_EXCHANGE",
    "LEFT_FILTER",
    "MAPPING",
    "MEETING_KEPT",
    "NO_ORGANIZER",
    "OUT_OF_SCOPE",
    "WEEKDAYS",
    "Action",
    "ActionRunner",
    "Adopt",
    "Conflict",
    "ConflictPolicy",
    "CopyInCrm",
    "CreateInCrm",
    "CreateInExchange",
    "CrmRecord",
    "DeleteInExchange",
    "ExchangeItem",
    "FieldMap",
    "Flow",
    "HeldPlan",
    "Link",
    "PlanSettings",
    "PlanSummary",
    "Rekey",
    "SafetyLimits",
    "SeriesPattern",
    "Skip",
    "StopReason",
    "Unlink",
    "UpdateInCrm",
    "UpdateInExchange",
    "content_hash",
    "crm_values",
    "describe_counts",
    "exchange_values",
    "plain",
    "plan",
    "record_headline",
    "safety_stop",
    "series_pattern",
    "server_choice",
    "summarize",
]
