"""``desktop-sync user ...`` and ``queue ...`` as documented."""

from __future__ import annotations

from support.cli_runner import Cli


def test_users_queues_and_malformed_addresses(run: Cli) -> None:
    assert run("user", "add", "alice@example.test", "--name", "Alice").code == 0
    guid = "0f8fad5b-d9cb-469f-a165-70867728950e"
    assert run("user", "add", "bob@example.test", "--name", "Bob", "--crm-id", guid).code == 0
    assert run("queue", "add", "support@example.test", "--name", "Support").code == 0
    bad = run("user", "add", "alice@", "--name", "X")
    assert bad.code == 2 and "EMAIL" in bad.err and bad.err.count("\n") == 1
    duplicate = run("user", "add", "ALICE@example.test", "--name", "Again")
    assert duplicate.code == 2
    users = run("user", "list", "--json").json()
    assert users == [
        {"email": "alice@example.test", "name": "Alice", "crm_id": None, "tracking": "replies"},
        {"email": "bob@example.test", "name": "Bob", "crm_id": guid, "tracking": "replies"},
    ]
    assert [q["email"] for q in run("queue", "list", "--json").json()] == ["support@example.test"]  # type: ignore[attr-defined]


def test_user_email_options(run: Cli) -> None:
    run("user", "add", "alice@example.test", "--name", "Alice")
    assert run("user", "set", "alice@example.test", "--tracking", "all", "--auto-create-contacts").code == 0
    assert run("user", "list", "--json").json()[0]["tracking"] == "all"  # type: ignore[index]
    assert run("user", "set", "nobody@example.test", "--tracking", "none").code == 2


def test_user_tracking_takes_the_four_choices(run: Cli) -> None:
    run("user", "add", "alice@example.test", "--name", "Alice")
    for choice in ("all", "replies", "known", "none"):
        assert run("user", "tracking", "alice@example.test", choice).code == 0
        assert run("user", "list", "--json").json()[0]["tracking"] == choice  # type: ignore[index]
    assert run("user", "tracking", "alice@example.test", "some").code == 2
