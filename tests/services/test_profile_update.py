"""Changing a server profile: checked like a new one, renamed with its password, nothing written on error."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

import keyring
import pytest

from desktop_sync.domain.errors import NotFoundError, ValidationError
from desktop_sync.domain.model import CredentialsOn, ProfileKind, Security
from desktop_sync.domain.validation import ProfileInput
from desktop_sync.secrets import KeyringSecrets
from desktop_sync.services.profiles import ProfileService, profile_secret_key
from desktop_sync.store import SqlStore

T = TypeVar("T")


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


def imap(name: str = "Corp", **changes: Any) -> ProfileInput:
    fields: dict[str, Any] = {
        "name": name,
        "kind": ProfileKind.IMAP,
        "incoming_host": "imap.example.test",
        "outgoing_host": "smtp.example.test",
    }
    fields.update(changes)
    return ProfileInput(**fields)


@pytest.fixture
def profiles(store: SqlStore, secrets: KeyringSecrets) -> ProfileService:
    return ProfileService(store, secrets)


def test_update_changes_the_fields_and_keeps_the_identity(profiles: ProfileService) -> None:
    added = run(profiles.add(imap()))
    updated = run(profiles.update("Corp", imap(incoming_port=1993, outgoing_security=Security.STARTTLS)))
    assert updated.id == added.id
    assert updated.incoming.port == 1993
    assert run(profiles.get("Corp")).outgoing.port == 587  # type: ignore[union-attr]


def test_a_bad_field_is_named_and_nothing_changes(profiles: ProfileService) -> None:
    run(profiles.add(imap()))
    with pytest.raises(ValidationError) as bad:
        run(profiles.update("Corp", imap(incoming_port=70000, max_connections=0)))
    assert set(bad.value.errors) == {"incoming_port", "max_connections"}
    assert run(profiles.get("Corp")).incoming.port == 993


def test_renaming_onto_another_profile_is_refused(profiles: ProfileService) -> None:
    run(profiles.add(imap()))
    run(profiles.add(imap("Other")))
    with pytest.raises(ValidationError) as bad:
        run(profiles.update("Corp", imap("Other")))
    assert "name" in bad.value.errors
    with pytest.raises(NotFoundError):
        run(profiles.update("Missing", imap("Missing")))


def test_a_renamed_profile_keeps_its_service_account_password(profiles: ProfileService) -> None:
    on_profile = {"credentials_on": CredentialsOn.PROFILE, "login": "svc"}
    run(profiles.add(imap(**on_profile), password="svc-pw"))
    assert run(profiles.has_password("Corp")) is True

    run(profiles.update("Corp", imap("Renamed", **on_profile)))

    assert keyring.get_password("desktop-sync", profile_secret_key("Renamed")) == "svc-pw"
    assert keyring.get_password("desktop-sync", profile_secret_key("Corp")) is None


def test_a_new_password_replaces_the_old_and_moving_credentials_to_mailboxes_forgets_it(
    profiles: ProfileService,
) -> None:
    on_profile = {"credentials_on": CredentialsOn.PROFILE, "login": "svc"}
    run(profiles.add(imap(**on_profile), password="old"))
    run(profiles.update("Corp", imap(**on_profile), password="new"))
    assert keyring.get_password("desktop-sync", profile_secret_key("Corp")) == "new"

    with pytest.raises(ValidationError):
        run(profiles.update("Corp", imap(), password="x"))  # credentials on mailboxes take no password
    run(profiles.update("Corp", imap()))
    assert keyring.get_password("desktop-sync", profile_secret_key("Corp")) is None
