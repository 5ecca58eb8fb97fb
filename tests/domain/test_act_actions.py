"""Each planned action runs itself on a runner: the runner's method for its kind, with the action."""

from __future__ import annotations

import typing

import pytest

from desktop_sync.domain.act import (
    Action,
    ActionRunner,
    Adopt,
    Conflict,
    ConflictPolicy,
    CopyInCrm,
    CreateInCrm,
    CreateInExchange,
    DeleteInExchange,
    Rekey,
    Skip,
    Unlink,
    UpdateInCrm,
    UpdateInExchange,
)

ONE_OF_EACH: tuple[tuple[Action, str], ...] = (
    (CreateInExchange(1, {"subject": "a"}), "create_in_exchange"),
    (UpdateInExchange(1, "s1", "k1", {"subject": "b"}), "update_in_exchange"),
    (DeleteInExchange(1, "s1", "k1"), "delete_in_exchange"),
    (CreateInCrm("s2", "k2", {"subject": "c"}), "create_in_crm"),
    (UpdateInCrm(2, "s2", "k2", {"subject": "d"}), "update_in_crm"),
    (CopyInCrm(2, {"subject": "e"}), "copy_in_crm"),
    (Adopt(3, "s3", "k3", {"subject": "f"}), "adopt"),
    (Rekey(3, "s3", "k4"), "rekey"),
    (Unlink(4, "s4", "left the sync filter"), "unlink"),
    (Conflict(5, "s5", "subject", "crm", "exchange", ConflictPolicy.KEEP_CRM), "conflict"),
    (Skip(6, None, "an appointment without an organizer is not synchronized"), "skip"),
)


class Recorder:
    """A runner that answers which of its methods was called, and with what."""

    def __getattr__(self, name: str) -> typing.Callable[[Action], tuple[str, Action]]:
        return lambda action: (name, action)


def test_every_kind_of_action_is_planned_and_covered_here() -> None:
    kinds = set(typing.get_args(Action))
    assert {type(action) for action, _ in ONE_OF_EACH} == kinds
    methods = {name for name in vars(ActionRunner) if not name.startswith("_")}
    assert methods == {method for _, method in ONE_OF_EACH}


@pytest.mark.parametrize(("action", "method"), ONE_OF_EACH, ids=[m for _, m in ONE_OF_EACH])
def test_an_action_runs_its_own_method_of_the_runner(action: Action, method: str) -> None:
    runner = typing.cast(ActionRunner[tuple[str, Action]], Recorder())
    assert action.run(runner) == (method, action)
