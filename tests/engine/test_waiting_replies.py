"""Replies read before their parent wait for it per mailbox, become due once it is tracked, and are bounded."""

from __future__ import annotations

from desktop_sync.domain.model import MailboxId
from desktop_sync.engine.waiting_replies import WaitingReplies

ALICE, BOB = MailboxId(1), MailboxId(2)


def test_a_reply_is_due_once_one_of_its_message_ids_is_tracked_in_its_own_mailbox() -> None:
    waiting = WaitingReplies()
    waiting.wait(ALICE, "7", ["<parent>", "<root>"])
    waiting.wait(ALICE, "8", ["<other>"])
    waiting.wait(ALICE, "9", [])  # asks for nothing: nothing to wait for
    waiting.tracked(BOB, ["<parent>"])
    assert waiting.take_due(ALICE) == [] and waiting.take_due(BOB) == []
    waiting.tracked(ALICE, ["<root>", "<parent>"])
    assert waiting.take_due(ALICE) == ["7"]  # once, though both of its Message-IDs came
    assert waiting.take_due(ALICE) == []
    assert len(waiting) == 1
    waiting.tracked(ALICE, ["<other>"])
    assert waiting.take_due(ALICE) == ["8"] and len(waiting) == 0
    waiting.due_again(ALICE, ["8"])  # the server could not give it now
    assert waiting.take_due(ALICE) == ["8"]


def test_waiting_again_replaces_what_it_waited_for_and_the_oldest_are_forgotten_past_the_limit() -> None:
    waiting = WaitingReplies(limit=2)
    waiting.wait(ALICE, "1", ["<a>"])
    waiting.wait(ALICE, "1", ["<b>"])
    waiting.tracked(ALICE, ["<a>"])
    assert waiting.take_due(ALICE) == []
    waiting.wait(ALICE, "2", ["<b>"])
    waiting.wait(ALICE, "3", ["<b>"])  # "1" is forgotten
    waiting.tracked(ALICE, ["<b>"])
    assert waiting.take_due(ALICE) == ["2", "3"]
