"""The two sides and their links as the planner sees them, and the actions it plans.

Each action runs itself on an ``ActionRunner`` (``action.run(runner)``): a runner has one method
per kind of action (the executor carries them out, the preview describes them), so nothing
dispatches on an action's type.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from desktop_sync.domain.act.mapping import ConflictPolicy

R = TypeVar("R", covariant=True)  # what a runner makes of an action

# --- the two sides and the links ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CrmRecord:
    """A CRM record of the user, as it is now. ``values`` uses CRM field names (mapped ones)."""

    local_id: int
    values: Mapping[str, Any]
    in_filter: bool
    deleted: bool = False


@dataclass(frozen=True, slots=True)
class ExchangeItem:
    """An Exchange item that changed since the last sync (or all, on a first sync)."""

    server_id: str
    change_key: str | None
    values: Mapping[str, Any]  # CRM field names, through crm_values()
    tracked: bool  # carries the tracking category
    deleted: bool = False
    origin_local_id: int | None = None  # the CRM id we stamped on it when we created it


# A key of ``Link.base`` (not a field): the link was made from a tracked Exchange item (CreateInCrm).
FROM_EXCHANGE = "_from_exchange"


@dataclass(frozen=True, slots=True)
class Link:
    """What was synchronized last time: both ids, the change key, and the values agreed on then."""

    local_id: int
    server_id: str
    change_key: str | None
    base: Mapping[str, Any]  # CRM field names -> the values both sides had after the last sync


# --- actions ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CreateInExchange:
    local_id: int
    values: Mapping[str, Any]
    send_invitations: bool = False

    def run(self, runner: ActionRunner[R]) -> R:
        return runner.create_in_exchange(self)


@dataclass(frozen=True, slots=True)
class UpdateInExchange:
    local_id: int
    server_id: str
    change_key: str | None
    values: Mapping[str, Any]  # only the changed fields (CRM names)

    def run(self, runner: ActionRunner[R]) -> R:
        return runner.update_in_exchange(self)


@dataclass(frozen=True, slots=True)
class DeleteInExchange:
    local_id: int
    server_id: str
    change_key: str | None

    def run(self, runner: ActionRunner[R]) -> R:
        return runner.delete_in_exchange(self)


@dataclass(frozen=True, slots=True)
class CreateInCrm:
    server_id: str
    change_key: str | None
    values: Mapping[str, Any]

    def run(self, runner: ActionRunner[R]) -> R:
        return runner.create_in_crm(self)


@dataclass(frozen=True, slots=True)
class UpdateInCrm:
    local_id: int
    server_id: str
    change_key: str | None
    values: Mapping[str, Any]

    def run(self, runner: ActionRunner[R]) -> R:
        return runner.update_in_crm(self)


@dataclass(frozen=True, slots=True)
class CopyInCrm:
    """Keep both: the Exchange version of a conflicting record becomes a new, unlinked CRM record."""

    local_id: int
    values: Mapping[str, Any]

    def run(self, runner: ActionRunner[R]) -> R:
        return runner.copy_in_crm(self)


@dataclass(frozen=True, slots=True)
class Adopt:
    """An item we created whose link was lost (a crash between create and commit): link it, create nothing."""

    local_id: int
    server_id: str
    change_key: str | None
    values: Mapping[str, Any]

    def run(self, runner: ActionRunner[R]) -> R:
        return runner.adopt(self)


@dataclass(frozen=True, slots=True)
class Rekey:
    """The item changed in Exchange in nothing we map: the link learns its new change key (or the next
    update would carry a stale one)."""

    local_id: int
    server_id: str
    change_key: str | None

    def run(self, runner: ActionRunner[R]) -> R:
        return runner.rekey(self)


@dataclass(frozen=True, slots=True)
class Unlink:
    local_id: int
    server_id: str
    reason: str

    def run(self, runner: ActionRunner[R]) -> R:
        return runner.unlink(self)


@dataclass(frozen=True, slots=True)
class Conflict:
    """Both sides changed ``field_name``; ``kept`` says which value the default policy applied."""

    local_id: int
    server_id: str
    field_name: str
    crm_value: Any
    exchange_value: Any
    kept: ConflictPolicy

    def run(self, runner: ActionRunner[R]) -> R:
        return runner.conflict(self)


@dataclass(frozen=True, slots=True)
class Skip:
    """Not synchronized, and why (reported as an item alert)."""

    local_id: int | None
    server_id: str | None
    reason: str

    def run(self, runner: ActionRunner[R]) -> R:
        return runner.skip(self)


Action = (
    CreateInExchange
    | UpdateInExchange
    | DeleteInExchange
    | CreateInCrm
    | UpdateInCrm
    | CopyInCrm
    | Adopt
    | Rekey
    | Unlink
    | Conflict
    | Skip
)


class ActionRunner(Protocol[R]):
    """What to do with each kind of action, one method each: ``action.run(runner)`` calls the one
    for its kind (the executor's return an awaitable, the preview's a description)."""

    def create_in_exchange(self, action: CreateInExchange) -> R: ...
    def update_in_exchange(self, action: UpdateInExchange) -> R: ...
    def delete_in_exchange(self, action: DeleteInExchange) -> R: ...
    def create_in_crm(self, action: CreateInCrm) -> R: ...
    def update_in_crm(self, action: UpdateInCrm) -> R: ...
    def copy_in_crm(self, action: CopyInCrm) -> R: ...
    def adopt(self, action: Adopt) -> R: ...
    def rekey(self, action: Rekey) -> R: ...
    def unlink(self, action: Unlink) -> R: ...
    def conflict(self, action: Conflict) -> R: ...
    def skip(self, action: Skip) -> R: ...
