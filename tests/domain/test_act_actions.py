"""Each planned action runs itself on a runner: the runner's method for its kind, with the action."""

from __future__ import annotations

import typing

import pytest

from desktop_sync.domain import act

ONE_OF_EACH: tuple[tuple[act.Action, str], ...] = (
    (act.CreateInExchange(1, {"subject": "a"}), "create_in_exchange"),
    (act.UpdateInExchange(1, "s1", "k1", {"subject": "b"}), "update_in_exchange"),
    (act.DeleteInExchange(1, "s1", "k1"), "delete_in_exchange"),
    (act.CreateInCrm("s2", "k2", {"subject": "c"}), "create_in_crm"),
    (act.UpdateInCrm(2, "s2", "k2", {"subject": "d"}), "update_in_crm"),
    (act.CopyInCrm(2, {"subject": "e"}), "copy_in_crm"),
    (act.Adopt(3, "s3", "k3", {"subject": "f"}), "adopt"),
    (act.Rekey(3, "s3", "k4"), "rekey"),
    (act.Unlink(4, "s4", "left the sync filter"), "unlink"),
    (act.Conflict(5, "s5", "subject", "crm", "exchange", act.ConflictPolicy.KEEP_CRM), "conflict"),
    (act.Skip(6, None, "an appointment without an organizer is not synchronized"), "skip"),
)


class Recorder:
    """A runner that answers which of its methods was called, and with what."""

    def __getattr__(self, name: str) -> typing.Callable[[act.Action], tuple[str, act.Action]]:
        return lambda action: (name, action)


def test_every_kind_of_action_is_planned_and_covered_here() -> None:
    kinds = set(typing.get_args(act.Action))
    assert {type(action) for action, _ in ONE_OF_EACH} == kinds
    methods = {name for name in vars(act.ActionRunner) if not name.startswith("_")}
    assert methods == {method for _, method in ONE_OF_EACH}


@pytest.mark.parametrize(("action", "method"), ONE_OF_EACH, ids=[m for _, m in ONE_OF_EACH])
def test_an_action_runs_its_own_method_of_the_runner(action: act.Action, method: str) -> None:
    runner = typing.cast(act.ActionRunner[tuple[str, act.Action]], Recorder())
    assert action.run(runner) == (method, action)
