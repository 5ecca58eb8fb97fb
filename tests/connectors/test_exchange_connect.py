"""From the profile's fields to a connection: Basic, NTLM, OAuth client credentials, impersonation or
delegate access, TLS with the profile's CA file, clear text only when allowed, autodiscover, and the
connection test's steps."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
from connectors.test_exchange_kit import (
    drain,
    exchange_profile,
    factory,
    mailbox,
    mime,
    own_credentials,
    service_credentials,
    service_profile,
    subjects,
)
from ews.fixtures import ALICE, BOB, PASSWORDS, running_ews_server
from ews.server import AuthScheme, EwsServer
from exchangelib import Configuration, Credentials, FailFast
from exchangelib.autodiscover import cache as autodiscover_cache_module
from exchangelib.autodiscover.cache import autodiscover_cache, shelve_open_with_failover
from exchangelib.autodiscover.protocol import AutodiscoverProtocol
from servers.tls import TlsFiles
from support.waiting import eventually

from desktop_sync.connectors.factory import MailConnectorFactory
from desktop_sync.domain.errors import DesktopSyncError, ErrorScope, PermanentError
from desktop_sync.domain.model import AuthMethod, CredentialsOn, Profile
from desktop_sync.domain.ports.connectors import ConnectionTestStep
from desktop_sync.domain.ports.connectors import Credentials as DomainCredentials

pytestmark = pytest.mark.asyncio

INCOMING_STEPS = ["resolve", "connect", "tls", "authenticate", "access", "list_folders"]


@pytest_asyncio.fixture
async def connectors() -> AsyncIterator[MailConnectorFactory]:
    made = factory()
    yield made
    made.close()


@pytest.fixture
def https_ews(tls_files: TlsFiles) -> Iterator[EwsServer]:
    """The EWS test server on HTTPS with the test CA's certificate, Basic, NTLM and bearer tokens."""
    with running_ews_server(tls=tls_files, auth=(AuthScheme.BASIC, AuthScheme.NTLM, AuthScheme.BEARER)) as server:
        yield server


async def fetch_subjects(
    connectors: MailConnectorFactory, profile: Profile, credentials: DomainCredentials, address: str = ALICE
) -> list[str]:
    connector = connectors.incoming(profile, mailbox(address), credentials)
    try:
        batches, _ = await drain(connector)
    finally:
        await connector.close()
    return subjects(batches)


async def test_ntlm_with_a_domain_or_an_address_login_authenticates_each_connection_once(
    ews_server: EwsServer, connectors: MailConnectorFactory
) -> None:
    ews_server.deliver(ALICE, mime(1))
    ntlm = exchange_profile(ews_server, auth=AuthMethod.NTLM)
    for login in ("EXAMPLE\\alice", ALICE):
        assert await fetch_subjects(connectors, ntlm, DomainCredentials(login, PASSWORDS[ALICE])) == ["Message 1"]
    connector = connectors.incoming(ntlm, mailbox(), DomainCredentials("EXAMPLE\\alice", PASSWORDS[ALICE]))
    ews_server.stats.reset()
    for _ in range(3):
        await drain(connector)
    await connector.close()
    assert ews_server.stats.connections_total == 1  # one NTLM handshake for all the cycle's requests


async def test_oauth_client_credentials_impersonate_each_mailbox_with_one_token(
    https_ews: EwsServer, tls_ca: Path
) -> None:
    https_ews.add_oauth_client("app-id", "app-secret")
    https_ews.deliver(ALICE, mime(1, to=ALICE))
    https_ews.deliver(BOB, mime(2, to=BOB))
    profile = exchange_profile(
        https_ews, auth=AuthMethod.OAUTH2, credentials_on=CredentialsOn.PROFILE, login="app-id", ca_file=str(tls_ca)
    )
    connectors = factory(oauth_authority=https_ews.base_url)
    try:
        app = DomainCredentials("app-id", "app-secret")
        assert await fetch_subjects(connectors, profile, app, ALICE) == ["Message 1"]
        assert await fetch_subjects(connectors, profile, app, BOB) == ["Message 2"]
        assert https_ews.stats.count("Token") == 1
        assert https_ews.stats.count("SyncFolderItems", mailbox=BOB) == 1
        with pytest.raises(PermanentError) as caught:
            await fetch_subjects(connectors, profile, DomainCredentials("app-id", "wrong"))
        assert (caught.value.code, caught.value.scope) == ("auth_failed", ErrorScope.PROFILE)
        report = await connectors.incoming(profile, mailbox(BOB), app).test()
        assert report.ok, report
        assert "app-secret" not in report.last_request + report.last_response
    finally:
        connectors.close()


async def test_tls_is_verified_with_the_profiles_ca_file_and_only_with_it(
    https_ews: EwsServer,
    tls_ca: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    connectors: MailConnectorFactory,
) -> None:
    https_ews.deliver(ALICE, mime(1))
    trusted = exchange_profile(https_ews, ca_file=str(tls_ca))
    # The environment's CA bundle is not ours to follow: a wrong one changes nothing...
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tmp_path / "nowhere.pem"))
    assert await fetch_subjects(connectors, trusted, own_credentials()) == ["Message 1"]
    report = await connectors.incoming(trusted, mailbox(), own_credentials()).test()
    assert [s.step.value for s in report.steps] == INCOMING_STEPS and report.ok
    assert "certificate verified" in report.steps[2].detail

    # ...and a right one does not stand in for the profile's CA file: the system store alone is used.
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tls_ca))
    untrusted = exchange_profile(https_ews)
    with pytest.raises(PermanentError) as caught:
        await fetch_subjects(connectors, untrusted, own_credentials())
    assert (caught.value.code, caught.value.scope) == ("certificate_invalid", ErrorScope.PROFILE)
    report = await connectors.incoming(untrusted, mailbox(), own_credentials()).test()
    failure = report.failure and report.failure.error_code
    assert (report.failed_step, failure) == (ConnectionTestStep.TLS, "certificate_invalid")


async def test_clear_text_needs_the_profile_to_allow_it(
    ews_server: EwsServer, connectors: MailConnectorFactory
) -> None:
    strict = exchange_profile(ews_server, allow_insecure=False)
    with pytest.raises(PermanentError) as caught:
        await fetch_subjects(connectors, strict, own_credentials())
    assert caught.value.code == "insecure_transport"
    report = await connectors.incoming(strict, mailbox(), own_credentials()).test()
    assert report.failed_step is ConnectionTestStep.TLS
    assert ews_server.stats.count() == 0  # refused before any request


async def test_per_mailbox_credentials_are_delegate_access_each_on_its_own_pool(
    ews_server: EwsServer, connectors: MailConnectorFactory
) -> None:
    ews_server.deliver(ALICE, mime(1, to=ALICE))
    ews_server.deliver(BOB, mime(2, to=BOB))
    profile = exchange_profile(ews_server)
    assert await fetch_subjects(connectors, profile, own_credentials(ALICE), ALICE) == ["Message 1"]
    assert await fetch_subjects(connectors, profile, own_credentials(BOB), BOB) == ["Message 2"]
    assert {(r.user, r.mailbox) for r in ews_server.stats.log} == {(ALICE, ALICE), (BOB, BOB)}
    assert connectors.ews_sessions.open_protocols == 2
    # alice's own credentials cannot open bob's mailbox: there is no impersonation without the profile's account.
    with pytest.raises(DesktopSyncError) as caught:
        await fetch_subjects(connectors, profile, own_credentials(ALICE), BOB)
    assert (caught.value.code, caught.value.scope) == ("access_denied", ErrorScope.MAILBOX)

    # A mailbox's own connection is closed with its connector: one per mailbox would pile up on the server.
    async def all_closed() -> bool:
        return ews_server.stats.connections_open == 0

    await eventually(all_closed, what="the connections closed")


async def test_the_connection_test_runs_each_step_and_names_the_one_that_failed(
    ews_server: EwsServer, connectors: MailConnectorFactory
) -> None:
    profile = service_profile(ews_server)
    report = await connectors.incoming(profile, mailbox(BOB), service_credentials()).test()
    assert [s.step.value for s in report.steps] == INCOMING_STEPS and report.ok
    assert "bob@example.test (impersonated by svc)" in report.steps[4].detail
    outgoing = await connectors.outgoing(profile, mailbox(BOB), service_credentials()).test()
    assert [s.step.value for s in outgoing.steps] == INCOMING_STEPS[:-1] and outgoing.ok
    assert "Sent Items" in outgoing.steps[-1].detail

    wrong = await connectors.incoming(profile, mailbox(BOB), service_credentials("wrong")).test()
    failure = wrong.failure and wrong.failure.error_code
    assert (wrong.failed_step, failure) == (ConnectionTestStep.AUTHENTICATE, "auth_failed")
    assert "wrong" not in wrong.last_request + wrong.last_response

    denied = await connectors.incoming(
        service_profile(ews_server, login="bob"), mailbox(ALICE), DomainCredentials("bob", PASSWORDS[BOB])
    ).test()
    assert (denied.failed_step, denied.failure and denied.failure.error_code) == (
        ConnectionTestStep.ACCESS,
        "impersonation_denied",
    )
    assert "GetFolder" in denied.last_request and "ErrorImpersonateUserDenied" in denied.last_response

    missing = await connectors.incoming(profile, mailbox("nobody@example.test"), service_credentials()).test()
    assert (missing.failed_step, missing.failure and missing.failure.error_code) == (
        ConnectionTestStep.ACCESS,
        "mailbox_not_found",
    )
    assert connectors.ews_sessions.open_protocols == 0  # a test runs on a protocol of its own, then closes it


async def test_without_an_ews_url_the_endpoint_is_autodiscovered(
    ews_server: EwsServer, connectors: MailConnectorFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # exchangelib autodiscovers through https://<domain>/... after DNS checks, which a loopback test cannot
    # answer: its per-domain cache names the test server's autodiscover endpoint instead.
    monkeypatch.setattr(autodiscover_cache_module, "AUTODISCOVER_PERSISTENT_STORAGE", tmp_path / "autodiscover")
    credentials = Credentials("alice", PASSWORDS[ALICE])
    seeded = AutodiscoverProtocol(
        config=Configuration(
            service_endpoint=ews_server.autodiscover_url,
            credentials=credentials,
            auth_type="basic",
            retry_policy=FailFast(),
        )
    )
    ews_server.deliver(ALICE, mime(1))
    profile = exchange_profile(ews_server, ews_url=None)
    try:
        autodiscover_cache[("example.test", credentials)] = seeded
        assert await fetch_subjects(connectors, profile, own_credentials()) == ["Message 1"]
        report = await connectors.incoming(profile, mailbox(), own_credentials()).test()
        assert report.ok and "by autodiscover" in report.steps[0].detail
    finally:
        autodiscover_cache.clear()
        autodiscover_cache.close()
        seeded.close()
    assert ews_server.stats.count("GetUserSettings") == 1  # found once, then remembered

    oauth = exchange_profile(ews_server, ews_url=None, auth=AuthMethod.OAUTH2, credentials_on=CredentialsOn.PROFILE)
    report = await connectors.incoming(oauth, mailbox(), DomainCredentials("app", "secret")).test()
    assert (report.failed_step, report.failure and report.failure.error_code) == (
        ConnectionTestStep.RESOLVE,
        "autodiscover_failed",
    )


async def test_autodiscover_trusts_the_profiles_ca_file_and_nothing_from_the_environment(
    https_ews: EwsServer,
    tls_ca: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    connectors: MailConnectorFactory,
) -> None:
    # As above, the domain's autodiscover endpoint comes from exchangelib's per-domain file (no DNS on
    # loopback); the protocol that asks it is the connector's, with the profile's CA file.
    storage = tmp_path / "autodiscover"
    monkeypatch.setattr(autodiscover_cache_module, "AUTODISCOVER_PERSISTENT_STORAGE", storage)
    with shelve_open_with_failover(storage) as db:
        db["example.test"] = (https_ews.autodiscover_url, "basic", FailFast())
    # Whatever the environment says is not ours to follow: a CA bundle that trusts nothing, a dead proxy.
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tmp_path / "nowhere.pem"))
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("https_proxy", "http://127.0.0.1:9")
    https_ews.deliver(ALICE, mime(1))
    profile = exchange_profile(https_ews, ews_url=None, ca_file=str(tls_ca))
    try:
        assert await fetch_subjects(connectors, profile, own_credentials()) == ["Message 1"]
    finally:
        autodiscover_cache.clear()
        autodiscover_cache.close()
    assert https_ews.stats.count("GetUserSettings") == 1
    # exchangelib's in-memory cache, keyed by the credentials (the password among them), was emptied
    assert len(autodiscover_cache) == 0
