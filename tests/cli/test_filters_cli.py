"""``desktop-sync filter ...`` as documented."""

from __future__ import annotations

import pytest
from support.cli_runner import Cli


def test_sync_filters_from_the_command_line(run: Cli) -> None:
    run("user", "add", "alice@example.test", "--name", "Alice")
    added = run(
        "filter",
        "add",
        "alice@example.test",
        "--type",
        "appointment",
        "--name",
        "Soon",
        "--match",
        "all",
        "--rule",
        "starts_at next_days 30",
        "--rule",
        "owner is_me",
    )
    assert added.code == 0, added.err
    assert (
        run(
            "filter",
            "add",
            "alice@example.test",
            "--type",
            "contact",
            "--name",
            "Customers",
            "--rule",
            "company not_empty",
        ).code
        == 0
    )
    [soon, customers] = sorted(run("filter", "list", "--json").json(), key=lambda f: f["id"])  # type: ignore[arg-type]
    assert (
        soon
        | {
            "user": "alice@example.test",
            "type": "appointment",
            "name": "Soon",
            "active": True,
            "match": "all",
            "rules": ["starts_at next_days 30", "owner is_me"],
        }
        == soon
    )
    assert customers["type"] == "contact"
    assert run("filter", "disable", str(soon["id"])).code == 0
    assert (
        run("filter", "list", "--user", "alice@example.test", "--type", "appointment", "--json").json()[0]["active"]
        is False
    )  # type: ignore[index]
    assert run("filter", "delete", str(customers["id"])).code == 0
    assert len(run("filter", "list", "--json").json()) == 1  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("argv", "field"),
    [
        (["nobody@example.test", "--type", "task", "--name", "X", "--rule", "subject contains a"], "USER"),
        (["alice@example.test", "--type", "task", "--name", "X", "--rule", "nosuch eq 1"], "--rule"),
        (["alice@example.test", "--type", "task", "--name", "X", "--rule", "subject gt 3"], "--rule"),
        (["alice@example.test", "--type", "task", "--name", "X"], "--rule"),
        (["alice@example.test", "--type", "email", "--name", "X", "--rule", "subject eq a"], "--type"),
    ],
)
def test_bad_filters_are_one_line_and_write_nothing(run: Cli, argv: list[str], field: str) -> None:
    run("user", "add", "alice@example.test", "--name", "Alice")
    result = run("filter", "add", *argv)
    assert result.code == 2 and field in result.err and result.err.count("\n") == 1, result.err
    assert run("filter", "list", "--json").json() == []
