"""What the mailbox editor and the mailbox list change: settings, channels, owners, enabling, profiles."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from collections.abc import Coroutine
from typing import Any, TypeVar

import pytest

from desktop_sync.domain.errors import NotFoundError, ValidationError
from desktop_sync.domain.model import Channel, ChannelState, ConnectionTestStatus, ProfileKind, SyncMethod
from desktop_sync.domain.validation import ProfileInput
from desktop_sync.secrets import KeyringSecrets
from desktop_sync.services.directory import DirectoryService
from desktop_sync.services.mailboxes import (
    ChannelChoice,
    MailboxService,
    Mapped,
    RemapNeeded,
    Unchanged,
)
from desktop_sync.services.profiles import ProfileService
from desktop_sync.store import SqlStore

T = TypeVar("T")
NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)
SERVER_SIDE = SyncMethod.SERVER_SIDE


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


@pytest.fixture
def mailboxes(store: SqlStore, secrets: KeyringSecrets) -> MailboxService:
    async def setup() -> None:
        profiles = ProfileService(store, secrets)
        await profiles.add(
            ProfileInput(name="Corp", kind=ProfileKind.IMAP, incoming_host="imap.example.test", outgoing_host="smtp.t")
        )
        await profiles.add(ProfileInput(name="Pop", kind=ProfileKind.POP3, incoming_host="pop.example.test"))
        directory = DirectoryService(store)
        await directory.add_user("alice@example.test", "Alice")
        await directory.add_queue("support@example.test", "Support")
        await directory.add_queue("sales@example.test", "Sales")

    run(setup())
    return MailboxService(store, secrets, clock=lambda: NOW)


def passed(store: SqlStore, address: str, *channels: Channel) -> None:
    """Pretend Test & Enable passed these channels and enabled them."""

    async def go() -> None:
        async with store.transaction() as tx:
            mailbox = await tx.mailboxes.by_address(address)
            assert mailbox is not None
            on = ChannelState(SERVER_SIDE, True, ConnectionTestStatus.SUCCESS, None, NOW)
            changes = {channel.value: on for channel in channels}
            await tx.mailboxes.update(dataclasses.replace(mailbox, **changes))

    run(go())


def test_update_settings_changes_name_login_date_and_channels(mailboxes: MailboxService) -> None:
    run(mailboxes.add("alice@example.test", "Corp"))
    since = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    mailbox = run(
        mailboxes.update_settings(
            "alice@example.test",
            name="Alice's mail",
            login="alice",
            process_email_from=since,
            channels={
                Channel.INCOMING: ChannelChoice(SERVER_SIDE, True),
                Channel.OUTGOING: ChannelChoice(SyncMethod.NONE, False),
            },
        )
    )
    assert (mailbox.name, mailbox.login, mailbox.process_email_from) == ("Alice's mail", "alice", since)
    assert mailbox.incoming.enabled and mailbox.outgoing.method is SyncMethod.NONE


def test_channels_a_profile_cannot_sync_are_refused_by_field(mailboxes: MailboxService) -> None:
    run(mailboxes.add("pop@example.test", "Pop"))
    before = run(mailboxes.get("pop@example.test"))
    with pytest.raises(ValidationError) as bad:
        run(
            mailboxes.update_settings(
                "pop@example.test",
                name="x",
                login=None,
                process_email_from=dt.datetime(2026, 1, 1),  # no time zone
                channels={
                    Channel.OUTGOING: ChannelChoice(SERVER_SIDE, False),  # POP3 profile without SMTP here
                    Channel.ACT: ChannelChoice(SERVER_SIDE, False),  # Exchange only
                },
            )
        )
    assert set(bad.value.errors) == {"process_email_from", "outgoing", "act"}
    assert run(mailboxes.get("pop@example.test")) == before


def test_changing_a_channel_method_forgets_its_test(mailboxes: MailboxService, store: SqlStore) -> None:
    run(mailboxes.add("alice@example.test", "Corp"))
    passed(store, "alice@example.test", Channel.INCOMING)
    mailbox = run(
        mailboxes.update_settings(
            "alice@example.test",
            name="",
            login=None,
            process_email_from=None,
            channels={Channel.INCOMING: ChannelChoice(SyncMethod.FORWARD_MAILBOX, False)},
        )
    )
    assert mailbox.incoming == ChannelState(SyncMethod.FORWARD_MAILBOX, False, ConnectionTestStatus.NOT_RUN)


def test_map_to_queue_asks_before_taking_a_mailbox_from_its_owner(mailboxes: MailboxService) -> None:
    run(mailboxes.add("alice@example.test", "Corp", user_email="alice@example.test"))
    answer = run(mailboxes.map_to_queue("alice@example.test", "support@example.test"))
    assert isinstance(answer, RemapNeeded)
    assert answer.prompt.startswith(
        "This mailbox is mapped to Alice <alice@example.test>. Map it to Support <support@example.test> instead?"
    )
    assert run(mailboxes.get("alice@example.test")).queue_id is None

    confirmed = run(mailboxes.map_to_queue("alice@example.test", "support@example.test", confirm=True))
    assert isinstance(confirmed, Mapped) and confirmed.previous_owner is not None
    mailbox = run(mailboxes.get("alice@example.test"))
    assert mailbox.user_id is None and mailbox.queue_id is not None
    assert isinstance(run(mailboxes.map_to_queue("alice@example.test", "support@example.test")), Unchanged)


def test_a_queue_takes_one_mailbox(mailboxes: MailboxService) -> None:
    run(mailboxes.add("support@example.test", "Corp", queue_email="support@example.test"))
    run(mailboxes.add("spare@example.test", "Corp"))
    answer = run(mailboxes.map_to_queue("spare@example.test", "support@example.test"))
    assert isinstance(answer, RemapNeeded) and answer.users_other_mailbox == "support@example.test"
    run(mailboxes.map_to_queue("spare@example.test", "support@example.test", confirm=True))
    assert run(mailboxes.get("support@example.test")).queue_id is None


def test_unmap_leaves_the_mailbox_without_owner_and_stops_its_sync(mailboxes: MailboxService, store: SqlStore) -> None:
    run(mailboxes.add("alice@example.test", "Corp", user_email="alice@example.test"))
    passed(store, "alice@example.test", Channel.INCOMING)
    assert isinstance(run(mailboxes.unmap("alice@example.test")), Mapped)
    mailbox = run(mailboxes.get("alice@example.test"))
    assert mailbox.user_id is None and not mailbox.incoming.enabled
    assert isinstance(run(mailboxes.unmap("alice@example.test")), Unchanged)


def test_disable_and_enable_again_what_passed(mailboxes: MailboxService, store: SqlStore) -> None:
    run(mailboxes.add("a@example.test", "Corp"))
    run(mailboxes.add("b@example.test", "Corp"))
    passed(store, "a@example.test", Channel.INCOMING)

    off = run(mailboxes.set_enabled(["a@example.test", "b@example.test"], False))
    assert off.changed == ("a@example.test",) and [a for a, _ in off.skipped] == ["b@example.test"]
    assert not run(mailboxes.get("a@example.test")).incoming.enabled

    on = run(mailboxes.set_enabled(["a@example.test", "b@example.test"], True))
    assert on.changed == ("a@example.test",)
    assert "Test & Enable" in dict(on.skipped)["b@example.test"]
    assert run(mailboxes.get("a@example.test")).incoming.enabled
    assert not run(mailboxes.get("a@example.test")).outgoing.enabled  # never passed


def test_apply_profile_moves_mailboxes_and_stops_their_sync(mailboxes: MailboxService, store: SqlStore) -> None:
    run(mailboxes.add("a@example.test", "Corp"))
    run(mailboxes.add("b@example.test", "Pop"))
    passed(store, "a@example.test", Channel.INCOMING, Channel.OUTGOING)

    result = run(mailboxes.apply_profile(["a@example.test", "b@example.test"], "Pop"))

    assert result.changed == ("a@example.test",) and [a for a, _ in result.skipped] == ["b@example.test"]
    moved = run(mailboxes.get("a@example.test"))
    assert moved.incoming == ChannelState(SERVER_SIDE)
    assert moved.outgoing.method is SyncMethod.NONE  # the POP3 profile has no outgoing server
    with pytest.raises(NotFoundError):
        run(mailboxes.apply_profile(["a@example.test"], "Nope"))
