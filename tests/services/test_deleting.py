"""Deleting profiles and mailboxes: refused while something depends on them, and nothing else lost."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

import keyring
import pytest

from desktop_sync.domain.errors import NotFoundError, ValidationError
from desktop_sync.domain.model import ActivityStatus, CredentialsOn, ProfileKind, profile_secret_key
from desktop_sync.domain.validation import ProfileInput
from desktop_sync.secrets import SERVICE, KeyringSecrets
from desktop_sync.services.activities import ActivityService
from desktop_sync.services.directory import DirectoryService
from desktop_sync.services.mailboxes import MailboxService, mailbox_secret_key
from desktop_sync.services.profiles import ProfileService
from desktop_sync.store import SqlStore

T = TypeVar("T")
ALICE = "alice@example.test"


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


@pytest.fixture
def services(store: SqlStore, secrets: KeyringSecrets) -> tuple[ProfileService, MailboxService]:
    profiles, mailboxes = ProfileService(store, secrets), MailboxService(store, secrets)

    async def setup() -> None:
        await profiles.add(
            ProfileInput(
                name="Corp",
                kind=ProfileKind.IMAP,
                incoming_host="imap.example.test",
                outgoing_host="smtp.example.test",
                credentials_on=CredentialsOn.PROFILE,
                login="svc",
            ),
            password="svc-pw",
        )
        await profiles.add(ProfileInput(name="Spare", kind=ProfileKind.IMAP, incoming_host="imap.example.test"))
        await DirectoryService(store).add_user(ALICE, "Alice")
        await mailboxes.add(ALICE, "Corp", user_email=ALICE)

    run(setup())
    return profiles, mailboxes


def test_a_profile_in_use_is_kept_and_an_unused_one_goes_with_its_password(services) -> None:
    profiles, _ = services
    with pytest.raises(ValidationError) as refused:
        run(profiles.delete("Corp"))
    assert refused.value.errors["name"].startswith("1 mailbox uses this profile (alice@example.test)")
    assert keyring.get_password(SERVICE, profile_secret_key("Corp")) == "svc-pw"

    run(profiles.delete("Spare"))
    assert [p.name for p in run(profiles.list())] == ["Corp"]
    with pytest.raises(NotFoundError):
        run(profiles.delete("Spare"))


def test_a_deleted_mailbox_keeps_its_tracked_mail_and_frees_its_profile(services, store: SqlStore) -> None:
    profiles, mailboxes = services
    run(mailboxes.set_password(ALICE, "alice-pw"))
    sent = run(ActivityService(store).send_email(ALICE, ["carol@customer.test"], "Offer", body_text="x"))
    with pytest.raises(ValidationError) as refused:
        run(mailboxes.delete(ALICE))  # a mail still waits to be sent from it
    assert "not sent yet" in refused.value.errors["address"]

    async def delivery_unknown() -> None:  # what an engine that died mid-send leaves
        async with store.transaction() as tx:
            await tx.outgoing.finish(sent.id, ActivityStatus.DELIVERY_UNKNOWN)

    run(delivery_unknown())
    with pytest.raises(ValidationError):
        run(mailboxes.delete(ALICE))
    run(ActivityService(store).mark_sent(sent.id))  # the admin settles it
    run(mailboxes.delete(ALICE))
    assert run(mailboxes.list()) == []
    assert keyring.get_password(SERVICE, mailbox_secret_key(ALICE)) is None

    async def activities() -> list[tuple[int, str, str]]:
        async with store.transaction() as tx:
            email = await tx.outgoing.get(sent.id)
        assert email is not None
        return [(email.id, email.subject, email.status.value)]

    assert run(activities()) == [(sent.id, sent.subject, "sent")]
    run(profiles.delete("Corp"))
    assert keyring.get_password(SERVICE, profile_secret_key("Corp")) is None
