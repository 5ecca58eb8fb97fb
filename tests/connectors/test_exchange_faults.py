"""Every fault of the EWS test server becomes the right domain error, code and scope; the connection limit holds."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

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
)
from ews.faults import DROP, HTTP_401, HTTP_503, SLOW
from ews.fixtures import ALICE, BOB, PASSWORDS
from ews.server import EwsServer
from exchangelib import Account, Configuration, Credentials, FailFast
from exchangelib import errors as ews

from desktop_sync.connectors.exchange_errors import EwsErrorCode, may_have_reached_server, translate_ews
from desktop_sync.connectors.exchange_session import EwsProtocol, _Account
from desktop_sync.connectors.factory import MailConnectorFactory
from desktop_sync.domain.errors import DesktopSyncError, ErrorScope, PermanentError, TransientError
from desktop_sync.domain.messages import explain, known_codes
from desktop_sync.domain.model import AuthMethod, Profile
from desktop_sync.domain.ports.connectors import Credentials as DomainCredentials

pytestmark = pytest.mark.asyncio


@pytest_asyncio.fixture
async def connectors() -> AsyncIterator[MailConnectorFactory]:
    made = factory()
    yield made
    made.close()


async def fetch_error(
    connectors: MailConnectorFactory,
    profile: Profile,
    credentials: DomainCredentials,
    address: str = ALICE,
) -> DesktopSyncError:
    connector = connectors.incoming(profile, mailbox(address), credentials)
    with pytest.raises(DesktopSyncError) as caught:
        await drain(connector)
    return caught.value


def expect(problem: DesktopSyncError, kind: type[DesktopSyncError], code: str, scope: ErrorScope) -> None:
    assert (type(problem), problem.code, problem.scope) == (kind, code, scope), problem.message
    assert problem.__cause__ is not None  # raised from the library's exception


async def test_server_busy_carries_the_servers_back_off(
    ews_server: EwsServer, connectors: MailConnectorFactory
) -> None:
    ews_server.faults.next("SyncFolderItems", "ErrorServerBusy", back_off_ms=1500)
    problem = await fetch_error(connectors, exchange_profile(ews_server), own_credentials())
    expect(problem, TransientError, "server_busy", ErrorScope.MAILBOX)
    assert isinstance(problem, TransientError) and problem.retry_after == 1.5
    batches, cursors = await drain(connectors.incoming(exchange_profile(ews_server), mailbox(), own_credentials()))
    assert [b.items for b in batches] == [()] and cursors  # the next cycle goes through


async def test_http_503_is_busy_with_its_retry_after_when_it_gives_one(
    ews_server: EwsServer, connectors: MailConnectorFactory
) -> None:
    ews_server.faults.next("SyncFolderItems", HTTP_503, back_off_ms=2000)
    problem = await fetch_error(connectors, exchange_profile(ews_server), own_credentials())
    expect(problem, TransientError, "server_busy", ErrorScope.MAILBOX)
    assert isinstance(problem, TransientError) and problem.retry_after == 2.0
    ews_server.faults.next("SyncFolderItems", HTTP_503)
    problem = await fetch_error(connectors, exchange_profile(ews_server), own_credentials())
    assert isinstance(problem, TransientError) and (problem.code, problem.retry_after) == ("server_busy", None)


async def test_a_refused_login_is_permanent_for_the_mailbox_or_the_whole_profile(
    ews_server: EwsServer, connectors: MailConnectorFactory
) -> None:
    expect(
        await fetch_error(connectors, exchange_profile(ews_server), own_credentials(password="wrong")),
        PermanentError,
        "auth_failed",
        ErrorScope.MAILBOX,
    )
    ntlm = exchange_profile(ews_server, auth=AuthMethod.NTLM)
    expect(
        await fetch_error(connectors, ntlm, DomainCredentials("EXAMPLE\\alice", "wrong")),
        PermanentError,
        "auth_failed",
        ErrorScope.MAILBOX,
    )
    expect(
        await fetch_error(connectors, service_profile(ews_server), service_credentials("wrong")),
        PermanentError,
        "auth_failed",
        ErrorScope.PROFILE,
    )
    ews_server.faults.next("*", HTTP_401)
    expect(
        await fetch_error(connectors, exchange_profile(ews_server), own_credentials()),
        PermanentError,
        "auth_failed",
        ErrorScope.MAILBOX,
    )


async def test_a_missing_mailbox_and_denied_impersonation_are_permanent(
    ews_server: EwsServer, connectors: MailConnectorFactory
) -> None:
    expect(
        await fetch_error(connectors, service_profile(ews_server), service_credentials(), "nobody@example.test"),
        PermanentError,
        "mailbox_not_found",
        ErrorScope.MAILBOX,
    )
    # bob has no impersonation right: as a profile's service account he may not act for alice.
    bob_as_service = service_profile(ews_server, login="bob")
    expect(
        await fetch_error(connectors, bob_as_service, DomainCredentials("bob", PASSWORDS[BOB])),
        PermanentError,
        "impersonation_denied",
        ErrorScope.PROFILE,
    )
    ews_server.faults.next("*", "ErrorImpersonateUserDenied", mailbox=ALICE)
    expect(
        await fetch_error(connectors, service_profile(ews_server), service_credentials()),
        PermanentError,
        "impersonation_denied",
        ErrorScope.PROFILE,
    )


async def test_a_dropped_connection_and_a_slow_answer_are_transient(
    ews_server: EwsServer, connectors: MailConnectorFactory
) -> None:
    ews_server.deliver(ALICE, mime(1))
    ews_server.faults.next("GetItem", DROP)
    expect(
        await fetch_error(connectors, exchange_profile(ews_server), own_credentials()),
        TransientError,
        "connection_dropped",
        ErrorScope.MAILBOX,
    )
    ews_server.faults.next("SyncFolderItems", SLOW, seconds=3)
    # reported as the profile's time-out (how soon it gives up is measured in bench/timeouts.py)
    expect(
        await fetch_error(connectors, exchange_profile(ews_server, timeout_seconds=1), own_credentials()),
        TransientError,
        "timeout",
        ErrorScope.MAILBOX,
    )
    batches, _ = await drain(connectors.incoming(exchange_profile(ews_server), mailbox(), own_credentials()))
    assert len(batches[0].items) == 1  # nothing was lost: the next cycle gets it


async def test_a_server_that_is_not_there_is_unreachable_for_the_whole_profile(
    ews_server: EwsServer, connectors: MailConnectorFactory
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    gone = exchange_profile(ews_server, ews_url=f"http://127.0.0.1:{port}/EWS/Exchange.asmx")
    expect(
        await fetch_error(connectors, gone, own_credentials()), TransientError, "server_unreachable", ErrorScope.PROFILE
    )


async def test_concurrent_mailboxes_never_open_more_connections_than_the_profile_allows(
    ews_server: EwsServer,
) -> None:
    addresses = [f"user{n}@example.test" for n in range(8)]
    for address in addresses:
        ews_server.add_mailbox(address, "pw", display_name=address)
        ews_server.deliver_many(address, (mime(n, to=address) for n in range(60)))
    ews_server.stats.reset()
    connectors = factory(batch_size=10)
    try:
        profile = service_profile(ews_server, max_connections=3)
        connectors_ = [
            connectors.incoming(profile, mailbox(address, n), service_credentials())
            for n, address in enumerate(addresses, start=1)
        ]
        results = await asyncio.gather(*(drain(c) for c in connectors_))
    finally:
        connectors.close()
    assert [sum(len(b.items) for b in batches) for batches, _ in results] == [60] * 8
    assert 1 < ews_server.stats.connections_peak <= 3


# --- the translation itself


def wrapped(cause: BaseException, outer: type[BaseException] = ews.ErrorTimeoutExpired) -> BaseException:
    """``outer`` raised while handling ``cause``, the way exchangelib re-raises a transport failure."""
    try:
        try:
            raise cause
        except BaseException:
            raise outer("Reraised")  # noqa: B904 - the implicit context is the point
    except BaseException as exc:
        return exc


CASES: list[tuple[BaseException, str, type[DesktopSyncError], ErrorScope]] = [
    (ews.ErrorServerBusy("busy", back_off=4), "server_busy", TransientError, ErrorScope.MAILBOX),
    (ews.ErrorInternalServerTransientError("later"), "server_busy", TransientError, ErrorScope.MAILBOX),
    (ews.ErrorMailboxMoveInProgress("moving"), "server_busy", TransientError, ErrorScope.MAILBOX),
    (ews.UnauthorizedError("Invalid credentials"), "auth_failed", PermanentError, ErrorScope.MAILBOX),
    (ews.ErrorNonExistentMailbox("gone"), "mailbox_not_found", PermanentError, ErrorScope.MAILBOX),
    (ews.ErrorImpersonateUserDenied("no"), "impersonation_denied", PermanentError, ErrorScope.PROFILE),
    (ews.ErrorAccessDenied("no"), "access_denied", PermanentError, ErrorScope.MAILBOX),
    (ews.ErrorItemNotFound("gone"), "item_not_found", PermanentError, ErrorScope.ITEM),
    (ews.ErrorTimeoutExpired("server-side"), "timeout", TransientError, ErrorScope.MAILBOX),
    (ews.AutoDiscoverFailed("nothing"), "autodiscover_failed", PermanentError, ErrorScope.PROFILE),
    (
        ews.RedirectError(url="https://elsewhere.test/EWS/Exchange.asmx"),
        "protocol_error",
        TransientError,
        ErrorScope.MAILBOX,
    ),
    (ews.SOAPError("odd"), "protocol_error", TransientError, ErrorScope.MAILBOX),
]


@pytest.mark.parametrize(("exc", "code", "kind", "scope"), CASES, ids=[type(c[0]).__name__ for c in CASES])
async def test_each_exchangelib_error_gets_its_code_class_and_scope(
    exc: BaseException, code: str, kind: type[DesktopSyncError], scope: ErrorScope
) -> None:
    problem = translate_ews(exc)
    assert (type(problem), problem.code, problem.scope) == (kind, code, scope)
    if isinstance(exc, ews.ErrorServerBusy):
        assert isinstance(problem, TransientError) and problem.retry_after == 4.0


async def test_wrapped_transport_failures_are_read_from_the_exception_chain() -> None:
    refused = wrapped(ConnectionRefusedError(111, "refused"))
    assert translate_ews(refused).code == "server_unreachable" and not may_have_reached_server(refused)
    reset = wrapped(ConnectionResetError(104, "reset"))
    assert translate_ews(reset).code == "connection_dropped" and may_have_reached_server(reset)
    slow = wrapped(TimeoutError("timed out"), ews.ErrorServerBusy)  # what a pool of 2+ makes of a time-out
    assert translate_ews(slow).code == "timeout" and may_have_reached_server(slow)
    assert not may_have_reached_server(ews.ErrorServerBusy("busy"))  # the server said no: nothing done


async def test_every_exchange_code_has_its_text() -> None:
    assert {code.value for code in EwsErrorCode} <= known_codes()
    text = explain("impersonation_denied", address=ALICE, server="mail.example.test", detail="denied")
    assert ALICE in text.cause and "ApplicationImpersonation" in text.fix


async def test_our_account_sets_what_exchangelibs_account_sets(ews_server: EwsServer) -> None:
    config = Configuration(
        service_endpoint=ews_server.url,
        credentials=Credentials("alice", "x"),
        auth_type="basic",
        retry_policy=FailFast(),
    )
    reference = Account(ALICE, config=config, autodiscover=False, access_type="delegate")
    protocol = EwsProtocol.open(config=config, context=None, timeout=5.0)
    ours = _Account(ALICE, protocol, "delegate")
    try:
        assert set(vars(reference)) <= set(vars(ours))
    finally:
        reference.protocol.close()
        protocol.close()
    from exchangelib.protocol import Protocol

    del Protocol[config]
