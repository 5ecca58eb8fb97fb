"""The mailbox editor: field errors with the input kept, the remap prompt on both its paths, the
write-only password, and Approve then Test & Enable from the dialog."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from desktop_sync.domain.model import ApprovalState, Channel, ConnectionTestStatus, ProfileKind, SyncMethod
from desktop_sync.services.mailboxes import RemapNeeded
from desktop_sync.ui.mailbox_dialog import MailboxDialog
from tests.ui.conftest import Answers, save_grab, until

pytestmark = pytest.mark.gui


def select(combo, data) -> None:
    index = combo.findData(data)
    assert index >= 0, data
    combo.setCurrentIndex(index)


@pytest.fixture
def world(ui, run):
    async def setup() -> None:
        await ui.profile("Corp")
        await ui.profile("EX", ProfileKind.EXCHANGE)
        await ui.user("alice@example.test", "Alice")
        await ui.user("bob@example.test", "Bob")
        await ui.context.directory.add_queue("support@example.test", "Support")

    run(setup())
    return ui


def open_dialog(world, run, qtbot, asker, address: str | None = None) -> MailboxDialog:
    async def lists():
        context = world.context
        view = None
        if address is not None:
            view = next(v for v in await context.mailboxes.list() if v.mailbox.address == address)
        return (
            await context.profiles.list(),
            await context.directory.users(),
            await context.directory.queues(),
            view,
        )

    profiles, users, queues, view = run(lists())
    dialog = MailboxDialog(
        world.context, world.presenter(), asker, profiles=profiles, users=users, queues=queues, view=view
    )
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def save(dialog, run, qtbot) -> None:
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    run(until(lambda: dialog.save_button.isEnabled(), what="the save to end"))


def test_a_bad_address_is_shown_on_its_field_and_the_input_kept(world, run, qtbot, tmp_path):
    dialog = open_dialog(world, run, qtbot, Answers())
    dialog.address.setText("not an address")
    dialog.display_name.setText("Shared")
    save(dialog, run, qtbot)
    assert "not a valid email address" in dialog.fields.message("address")
    assert dialog.address.text() == "not an address" and dialog.display_name.text() == "Shared"
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert run(world.context.mailboxes.list()) == []
    save_grab(dialog, tmp_path / "mailbox-dialog-errors.png")


def test_a_new_mailbox_with_its_owner_channels_and_password(world, run, qtbot, memory_keyring):
    dialog = open_dialog(world, run, qtbot, Answers())
    dialog.address.setText("alice@example.test")
    select(dialog.owner, "user:alice@example.test")
    dialog.password.setText("s3cret")
    select(dialog.channels[Channel.OUTGOING].method, SyncMethod.NONE)
    assert not dialog.channels[Channel.ACT].method.isEnabled()  # IMAP: no appointments, contacts, tasks
    save(dialog, run, qtbot)

    assert dialog.result() == QDialog.DialogCode.Accepted
    [view] = run(world.context.mailboxes.list())
    assert view.owner is not None and view.owner.email == "alice@example.test"
    assert view.has_password is True
    assert view.mailbox.outgoing.method is SyncMethod.NONE
    assert "s3cret" in memory_keyring.passwords.values()


def test_giving_a_user_a_second_mailbox_asks_and_no_changes_nothing(world, run, qtbot):
    run(world.context.mailboxes.add("alice@example.test", "Corp", user_email="alice@example.test"))
    answers = Answers(False)
    dialog = open_dialog(world, run, qtbot, answers)
    dialog.address.setText("alice2@example.test")
    select(dialog.owner, "user:alice@example.test")
    save(dialog, run, qtbot)

    expected = run(world.context.mailboxes.add("alice2@example.test", "Corp", user_email="alice@example.test"))
    assert isinstance(expected, RemapNeeded)
    assert [text for _, text in answers.asked] == [expected.prompt]
    assert [v.mailbox.address for v in run(world.context.mailboxes.list())] == ["alice@example.test"]
    assert dialog.isVisible() and dialog.address.text() == "alice2@example.test"


def test_taking_a_mailbox_from_its_user_asks_in_the_services_words_and_yes_remaps(world, run, qtbot, tmp_path):
    run(world.context.mailboxes.add("shared@example.test", "Corp", user_email="alice@example.test"))
    answers = Answers(True)
    dialog = open_dialog(world, run, qtbot, answers, "shared@example.test")
    select(dialog.owner, "user:bob@example.test")
    save(dialog, run, qtbot)

    [(title, text)] = answers.asked
    assert text == (
        "This mailbox is mapped to Alice <alice@example.test>. Map it to Bob <bob@example.test> instead? "
        "The previous mapping and its synchronization will stop."
    )
    assert title
    [view] = run(world.context.mailboxes.list())
    assert view.owner is not None and view.owner.email == "bob@example.test"
    assert dialog.result() == QDialog.DialogCode.Accepted


def test_no_to_the_remap_prompt_changes_nothing_at_all(world, run, qtbot):
    run(world.context.mailboxes.add("shared@example.test", "Corp", user_email="alice@example.test"))
    dialog = open_dialog(world, run, qtbot, Answers(False), "shared@example.test")
    select(dialog.owner, "queue:support@example.test")
    dialog.display_name.setText("renamed")
    save(dialog, run, qtbot)

    [view] = run(world.context.mailboxes.list())
    assert view.owner is not None and view.owner.email == "alice@example.test"
    assert view.mailbox.name == ""  # the other fields were not written either
    assert dialog.isVisible()


def test_the_password_is_write_only(world, run, qtbot):
    run(world.context.mailboxes.add("alice@example.test", "Corp", password="pw"))
    dialog = open_dialog(world, run, qtbot, Answers(), "alice@example.test")
    assert dialog.password.text() == ""
    assert dialog.password_note.text() == "A password is set."
    assert dialog.address.isReadOnly()


def test_approve_then_test_and_enable_from_the_dialog(world, run, qtbot, tmp_path):
    run(world.context.mailboxes.add("alice@example.test", "Corp", password="pw"))
    dialog = open_dialog(world, run, qtbot, Answers(), "alice@example.test")
    assert dialog.approve_button.isEnabled()

    qtbot.mouseClick(dialog.approve_button, Qt.MouseButton.LeftButton)
    # the button is disabled while the approval runs too: wait for what the approval shows
    run(until(lambda: dialog.approval.text() == "Approved", what="approval"))
    assert not dialog.approve_button.isEnabled()
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    run(until(lambda: "Passed" in dialog.outcome_label.text() and dialog.test_button.isEnabled(), what="Test & Enable"))

    assert "Incoming email: Passed, enabled" in dialog.outcome_label.text()
    mailbox = run(world.context.mailboxes.get("alice@example.test"))
    assert mailbox.approval is ApprovalState.APPROVED
    assert mailbox.incoming.enabled and mailbox.incoming.test_status is ConnectionTestStatus.SUCCESS
    assert dialog.channels[Channel.INCOMING].status.text() == "passed"
    save_grab(dialog, tmp_path / "mailbox-dialog.png")
