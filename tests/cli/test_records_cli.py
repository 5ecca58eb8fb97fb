"""``desktop-sync contact|appointment|task ...`` as documented."""

from __future__ import annotations

from support.cli_runner import Cli


def test_crm_records_from_the_command_line(run: Cli) -> None:
    run("user", "add", "alice@example.test", "--name", "Alice")
    assert (
        run(
            "contact",
            "add",
            "--user",
            "alice@example.test",
            "--first-name",
            "Carol",
            "--last-name",
            "C",
            "--email",
            "Carol@Contoso.test",
        ).code
        == 0
    )
    assert (
        run(
            "appointment",
            "add",
            "--user",
            "alice@example.test",
            "--subject",
            "Review",
            "--start",
            "2026-12-01T10:00",
            "--attendee",
            "carol@contoso.test",
        ).code
        == 0
    )
    assert run("task", "add", "--user", "alice@example.test", "--subject", "Call", "--due", "2026-12-02").code == 0
    [contact] = run("contact", "list", "--json").json()  # type: ignore[misc]
    assert (contact["email"], contact["linked"], contact["owner"]) == (
        "carol@contoso.test",
        False,
        "alice@example.test",
    )
    [appointment] = run("appointment", "list", "--user", "alice@example.test", "--json").json()  # type: ignore[misc]
    assert appointment["ends_at"] == "2026-12-01T11:00:00+00:00"
    bad = run(
        "appointment",
        "add",
        "--user",
        "alice@example.test",
        "--subject",
        "X",
        "--start",
        "2026-12-01T10:00",
        "--end",
        "2026-11-01T10:00",
    )
    assert bad.code == 2 and "--end" in bad.err
    assert run("task", "add", "--user", "nobody@example.test", "--subject", "X").code == 2
    assert run("conflicts", "list", "--json").json() == []
    assert run("conflicts", "resolve", "99", "crm").code == 2
