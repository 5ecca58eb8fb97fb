"""``desktop-sync email ...`` as documented."""

from __future__ import annotations

from pathlib import Path

from support.cli_runner import Cli, add_imap


def test_email_send_with_attachments_and_email_list_keys(run: Cli, tmp_path: Path) -> None:
    add_imap(run)
    run("mailbox", "add", "alice@example.test", "--profile", "Corp")
    attachment = tmp_path / "quote.pdf"
    attachment.write_bytes(b"%PDF-1.4 quote")
    sent = run(
        "email",
        "send",
        "--from",
        "alice@example.test",
        "--to",
        "carol@customer.test",
        "--subject",
        "Quote",
        "--body",
        "Attached.",
        "--attach",
        str(attachment),
        "--json",
    )
    assert sent.code == 0, sent.err
    [listed] = run("email", "list", "--json").json()  # type: ignore[misc]
    assert {
        "id",
        "mailbox",
        "message_id",
        "subject",
        "sender",
        "recipients",
        "received_at",
        "direction",
        "status",
        "correlation_method",
        "regarding",
        "attachment_count",
    } <= set(listed)
    assert (listed["sender"], listed["recipients"], listed["attachment_count"], listed["status"]) == (
        "alice@example.test",
        ["carol@customer.test"],
        1,
        "pending_send",
    )
    missing = run(
        "email",
        "send",
        "--from",
        "alice@example.test",
        "--to",
        "c@x.test",
        "--subject",
        "S",
        "--attach",
        str(tmp_path / "nope.pdf"),
    )
    assert missing.code == 2 and "--attach" in missing.err
