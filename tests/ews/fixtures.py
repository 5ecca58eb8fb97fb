"""Building blocks of the EWS fixtures: a running server with three mailboxes, and exchangelib accounts on it.

Both ``tests/conftest.py`` (for every test) and ``tests/ews/conftest.py`` build their fixtures from these,
so the server's own tests and the connector's tests see the same server.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

from exchangelib import BASIC, DELEGATE, IMPERSONATION, Account, Build, Configuration, Credentials, FailFast, Version
from exchangelib.protocol import Protocol, RetryPolicy, close_connections

from .server import EwsServer, Validation

ALICE = "alice@example.test"
BOB = "bob@example.test"
SERVICE = "svc@example.test"  # holds the impersonation right
PASSWORDS = {ALICE: "alice-pw", BOB: "bob-pw", SERVICE: "svc-pw"}
EXCHANGE_2016 = Version(build=Build(15, 1, 2507, 6))

AccountFactory = Callable[..., Account]


@contextlib.contextmanager
def running_ews_server(**options: Any) -> Iterator[EwsServer]:
    """A started server with alice, bob and svc; on exit it closes exchangelib's pooled sessions, stops,
    and fails if any response it sent did not validate against the EWS schemas."""
    options.setdefault("validation", Validation.STRICT)
    options.setdefault("heartbeat_seconds", 0.5)
    server = EwsServer(**options)
    with server:
        server.add_mailbox(ALICE, PASSWORDS[ALICE], display_name="Alice Able")
        server.add_mailbox(BOB, PASSWORDS[BOB], display_name="Bob Baker")
        server.add_mailbox(SERVICE, PASSWORDS[SERVICE], display_name="Sync Service", impersonation_right=True)
        try:
            yield server
        finally:
            # exchangelib's protocol cache keeps sessions (sockets) to this server: close them first.
            close_connections()
    server.assert_responses_valid()


@contextlib.contextmanager
def account_factory(server: EwsServer) -> Iterator[AccountFactory]:
    """``make(address, ...)`` builds an exchangelib Account on ``server``: Basic auth, Exchange 2016 pinned,
    FailFast and one connection unless told otherwise; every account's sessions are closed on exit."""
    made: list[Account] = []

    def make(
        address: str = ALICE,
        *,
        username: str | None = None,
        password: str | None = None,
        auth_type: str | None = BASIC,
        version: Version | None = EXCHANGE_2016,
        impersonate: str | None = None,
        retry_policy: RetryPolicy | None = None,
        max_connections: int = 1,
        timeout: float | None = None,
        **config: Any,
    ) -> Account:
        credentials = Credentials(username or address.split("@")[0], password or PASSWORDS[address])
        configuration = Configuration(
            service_endpoint=server.url,
            credentials=credentials,
            auth_type=auth_type,
            version=version,
            retry_policy=retry_policy or FailFast(),
            max_connections=max_connections,
            **config,
        )
        # exchangelib caches one Protocol per (endpoint, credentials) and would hand back an earlier
        # one with its old retry policy or auth type: a test that asks for another config gets a new one.
        with contextlib.suppress(KeyError):
            del Protocol[configuration]
        account = Account(
            impersonate or address,
            config=configuration,
            autodiscover=False,
            access_type=IMPERSONATION if impersonate else DELEGATE,
        )
        if timeout is not None:
            account.protocol.TIMEOUT = timeout  # an instance attribute: only this protocol's requests
        made.append(account)
        return account

    try:
        yield make
    finally:
        for account in made:
            account.protocol.close()
