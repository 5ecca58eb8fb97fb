"""Mailboxes and the one-to-one user <-> mailbox rule with its remap confirmation."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Coroutine
from typing import Any, TypeVar

import keyring
import pytest

from desktop_sync.domain.errors import NotFoundError, SecretStoreUnavailable, ValidationError
from desktop_sync.domain.model import (
    ApprovalState,
    ChannelState,
    ConnectionTestStatus,
    ProfileKind,
    Severity,
    SyncMethod,
)
from desktop_sync.domain.validation import ProfileInput
from desktop_sync.secrets import KeyringSecrets
from desktop_sync.services.directory import DirectoryService
from desktop_sync.services.mailboxes import (
    MailboxService,
    Mapped,
    RemapNeeded,
    Unchanged,
    mailbox_secret_key,
)
from desktop_sync.services.profiles import ProfileService
from desktop_sync.store import SqlStore

T = TypeVar("T")
NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


@pytest.fixture
def world(store: SqlStore, secrets: KeyringSecrets) -> MailboxService:
    async def setup() -> None:
        await ProfileService(store, secrets).add(
            ProfileInput(
                name="Corp",
                kind=ProfileKind.IMAP,
                incoming_host="imap.example.test",
                outgoing_host="smtp.example.test",
            )
        )
        await ProfileService(store, secrets).add(
            ProfileInput(
                name="EX",
                kind=ProfileKind.EXCHANGE,
                incoming_host="ex.example.test",
                process_email_from=dt.datetime(2026, 2, 1, tzinfo=dt.UTC),
            )
        )
        directory = DirectoryService(store)
        await directory.add_user("alice@example.test", "Alice")
        await directory.add_user("bob@example.test", "Bob")
        await directory.add_queue("support@example.test", "Support")

    run(setup())
    return MailboxService(store, secrets, clock=lambda: NOW)


def enable_all(store: SqlStore, address: str) -> None:
    """Pretend Test & Enable passed, so we can see a remap stop the sync."""
    import dataclasses

    async def go() -> None:
        async with store.transaction() as tx:
            mailbox = await tx.mailboxes.by_address(address)
            assert mailbox is not None
            on = ChannelState(SyncMethod.SERVER_SIDE, True, ConnectionTestStatus.SUCCESS, None, NOW)
            await tx.mailboxes.update(dataclasses.replace(mailbox, incoming=on, outgoing=on))

    run(go())


def test_a_new_mailbox_offers_what_its_profile_can_and_enables_nothing(world: MailboxService) -> None:
    imap = run(world.add("alice@example.test", "Corp", user_email="alice@example.test"))
    ex = run(world.add("bob@example.test", "EX", user_email="bob@example.test"))
    assert isinstance(imap, Mapped) and isinstance(ex, Mapped)
    assert imap.mailbox.approval is ApprovalState.PENDING
    assert imap.mailbox.act.method is SyncMethod.NONE  # appointments, contacts, tasks: Exchange only
    assert ex.mailbox.act.method is SyncMethod.SERVER_SIDE
    assert not any(ch.enabled for ch in (imap.mailbox.incoming, imap.mailbox.outgoing, imap.mailbox.act))


def test_mapping_a_mailbox_owned_by_another_user_asks_and_changes_nothing(
    world: MailboxService, store: SqlStore
) -> None:
    run(world.add("shared@example.test", "Corp", user_email="alice@example.test"))
    enable_all(store, "shared@example.test")
    before = run(world.get("shared@example.test"))

    answer = run(world.map_to_user("shared@example.test", "bob@example.test"))

    assert isinstance(answer, RemapNeeded)
    assert answer.current_owner is not None and answer.current_owner.email == "alice@example.test"
    assert answer.prompt.startswith(
        "This mailbox is mapped to Alice <alice@example.test>. Map it to Bob <bob@example.test> instead? "
        "The previous mapping and its synchronization will stop."
    )
    assert run(world.get("shared@example.test")) == before
    assert run(_alerts(store)) == []


def test_confirming_remaps_stops_the_old_sync_and_records_an_information_alert(
    world: MailboxService, store: SqlStore
) -> None:
    run(world.add("shared@example.test", "Corp", user_email="alice@example.test"))
    enable_all(store, "shared@example.test")

    answer = run(world.map_to_user("shared@example.test", "bob@example.test", confirm=True))

    assert isinstance(answer, Mapped)
    assert answer.previous_owner is not None and answer.previous_owner.email == "alice@example.test"
    mailbox = run(world.get("shared@example.test"))
    assert not mailbox.incoming.enabled and not mailbox.outgoing.enabled
    assert mailbox.incoming.test_status is ConnectionTestStatus.NOT_RUN
    alerts = run(_alerts(store))
    assert [(a.severity, a.code, a.mailbox_id) for a in alerts] == [
        (Severity.INFORMATION, "mailbox_remapped", mailbox.id)
    ]
    assert "alice@example.test" in alerts[0].cause and "bob@example.test" in alerts[0].cause


def test_a_user_with_a_mailbox_gets_another_only_on_confirmation(world: MailboxService, store: SqlStore) -> None:
    run(world.add("alice@example.test", "Corp", user_email="alice@example.test"))
    run(world.add("spare@example.test", "Corp"))

    answer = run(world.map_to_user("spare@example.test", "alice@example.test"))
    assert isinstance(answer, RemapNeeded)
    assert answer.current_owner is None and answer.users_other_mailbox == "alice@example.test"
    assert run(world.get("alice@example.test")).user_id is not None

    confirmed = run(world.map_to_user("spare@example.test", "alice@example.test", confirm=True))
    assert isinstance(confirmed, Mapped) and confirmed.unmapped_mailbox == "alice@example.test"
    assert run(world.get("alice@example.test")).user_id is None
    assert [a.code for a in run(_alerts(store))] == ["mailbox_unmapped"]


def test_a_queue_mailbox_is_owned_too(world: MailboxService) -> None:
    run(world.add("support@example.test", "Corp", queue_email="support@example.test"))
    answer = run(world.map_to_user("support@example.test", "bob@example.test"))
    assert isinstance(answer, RemapNeeded)
    assert answer.current_owner is not None and answer.current_owner.kind == "queue"


def test_mapping_an_unowned_mailbox_needs_no_confirmation(world: MailboxService, store: SqlStore) -> None:
    run(world.add("free@example.test", "Corp"))
    assert isinstance(run(world.map_to_user("free@example.test", "bob@example.test")), Mapped)
    assert isinstance(run(world.map_to_user("free@example.test", "bob@example.test")), Unchanged)
    assert run(_alerts(store)) == []


def test_adding_a_mailbox_for_a_user_who_has_one_asks_first(world: MailboxService) -> None:
    run(world.add("alice@example.test", "Corp", user_email="alice@example.test"))
    answer = run(world.add("alice2@example.test", "Corp", user_email="alice@example.test"))
    assert isinstance(answer, RemapNeeded)
    with pytest.raises(NotFoundError):
        run(world.get("alice2@example.test"))


def test_unknown_names_and_bad_input_write_nothing(world: MailboxService) -> None:
    with pytest.raises(NotFoundError) as info:
        run(world.add("x@example.test", "Nope"))
    assert info.value.field == "profile"
    with pytest.raises(NotFoundError) as info:
        run(world.add("x@example.test", "Corp", user_email="nobody@example.test"))
    assert info.value.field == "user"
    with pytest.raises(ValidationError) as bad:
        run(world.add("not an address", "Corp"))
    assert "address" in bad.value.errors
    assert run(world.list()) == []


def test_the_password_goes_to_the_keyring_only(world: MailboxService, store: SqlStore) -> None:
    run(world.add("alice@example.test", "Corp", user_email="alice@example.test", password="s3cret-Pw"))
    assert keyring.get_password("desktop-sync", mailbox_secret_key("alice@example.test")) == "s3cret-Pw"
    [view] = run(world.list())
    assert view.has_password is True


def test_without_a_secure_keyring_the_password_and_the_mailbox_are_refused(world: MailboxService) -> None:
    from keyring.backends import fail

    keyring.set_keyring(fail.Keyring())
    with pytest.raises(SecretStoreUnavailable):
        run(world.add("alice@example.test", "Corp", password="s3cret-Pw"))
    assert run(world.list()) == []


def test_effective_process_email_from_is_listed(world: MailboxService) -> None:
    run(
        world.add(
            "bob@example.test",
            "EX",
            user_email="bob@example.test",
            process_email_from=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        )
    )
    [view] = run(world.list())
    assert view.effective_process_email_from == dt.datetime(2026, 2, 1, tzinfo=dt.UTC)


def test_approve(world: MailboxService) -> None:
    run(world.add("alice@example.test", "Corp"))
    assert run(world.approve("alice@example.test")).approval is ApprovalState.APPROVED


async def _alerts(store: SqlStore) -> list[Any]:
    async with store.transaction() as tx:
        return list(await tx.alerts.list())
