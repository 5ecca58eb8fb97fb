"""Test connection from the profile editor: the form's input checked by field, then each channel's steps."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from support.scripted import ScriptedFactory, ScriptedServer

from desktop_sync.domain.errors import DesktopSyncError, ValidationError
from desktop_sync.domain.model import Channel, CredentialsOn, ProfileKind
from desktop_sync.domain.ports.connectors import ConnectionTest, ConnectionTestStep, StepResult
from desktop_sync.domain.validation import ProfileInput
from desktop_sync.secrets import KeyringSecrets
from desktop_sync.services.connection_test import ConnectionTestAccount, ConnectionTestService
from desktop_sync.services.profiles import ProfileService
from desktop_sync.store import SqlStore

FORM = ProfileInput(name="Corp", kind=ProfileKind.IMAP, incoming_host="imap.example.test", outgoing_host="smtp.t")


def collect(service: ConnectionTestService, data: ProfileInput, account: ConnectionTestAccount) -> list[Any]:
    async def go() -> list[Any]:
        return [result async for result in service.run(data, account)]

    return asyncio.run(go())


@pytest.fixture
def server() -> ScriptedServer:
    return ScriptedServer()


@pytest.fixture
def service(store: SqlStore, secrets: KeyringSecrets, server: ScriptedServer) -> ConnectionTestService:
    return ConnectionTestService(ProfileService(store, secrets), ScriptedFactory(server))


def test_each_channel_reports_its_steps_and_nothing_is_saved(
    service: ConnectionTestService, store: SqlStore, secrets: KeyringSecrets
) -> None:
    results = collect(service, FORM, ConnectionTestAccount("alice@example.test", password="pw"))

    assert [r.channel for r in results] == [Channel.INCOMING, Channel.OUTGOING]
    assert [s.step for s in results[0].result.steps][-1] is ConnectionTestStep.LIST_FOLDERS
    assert all(r.result.ok for r in results)
    assert asyncio.run(ProfileService(store, secrets).list()) == []


def test_a_failing_step_is_reported_with_its_detail(service: ConnectionTestService, server: ScriptedServer) -> None:
    server.box("alice@example.test").test_result = ConnectionTest(
        (
            StepResult(ConnectionTestStep.RESOLVE, True),
            StepResult(ConnectionTestStep.AUTHENTICATE, False, "bad password", "auth_failed"),
        ),
        last_request="a1 LOGIN alice ****",
        last_response="a1 NO [AUTHENTICATIONFAILED]",
    )
    [incoming, _] = collect(service, FORM, ConnectionTestAccount("alice@example.test", password="pw"))
    assert incoming.result.failed_step is ConnectionTestStep.AUTHENTICATE
    assert incoming.result.last_response == "a1 NO [AUTHENTICATIONFAILED]"


def test_profile_and_account_errors_come_back_together_by_field(service: ConnectionTestService) -> None:
    bad = ProfileInput(name="", kind=ProfileKind.IMAP, incoming_host="bad host")
    with pytest.raises(ValidationError) as info:
        collect(service, bad, ConnectionTestAccount("not an address"))
    assert set(info.value.errors) == {"name", "incoming_host", "test_address", "test_password"}


def test_credentials_on_the_profile_sign_in_as_the_service_account(service: ConnectionTestService) -> None:
    form = ProfileInput(
        name="Corp",
        kind=ProfileKind.IMAP,
        incoming_host="imap.example.test",
        credentials_on=CredentialsOn.PROFILE,
        login="svc",
    )
    _, mailbox, credentials = asyncio.run(
        service.prepare(form, ConnectionTestAccount("alice@example.test", "ignored", "pw"))
    )
    assert (mailbox.address, credentials.login) == ("alice@example.test", "svc")


def test_without_connectors_nothing_can_be_tested(store: SqlStore, secrets: KeyringSecrets) -> None:
    service = ConnectionTestService(ProfileService(store, secrets), None)
    assert not service.available
    with pytest.raises(DesktopSyncError):
        collect(service, FORM, ConnectionTestAccount("alice@example.test", password="pw"))
