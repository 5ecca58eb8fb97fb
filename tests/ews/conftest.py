"""Fixtures of the EWS test server's own tests (the same as the shared ones in ``tests/conftest.py``).

Every response the server sends is checked against Microsoft's EWS schemas (strict mode), and each
test fails at teardown if one did not validate.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ews.fixtures import AccountFactory, account_factory, running_ews_server
from ews.server import EwsServer


@pytest.fixture
def ews_server() -> Iterator[EwsServer]:
    """A running server with alice, bob and svc (svc may impersonate); strict schema validation."""
    with running_ews_server() as server:
        yield server


@pytest.fixture
def ews_account(ews_server: EwsServer) -> Iterator[AccountFactory]:
    """Make an exchangelib Account on the test server; by default alice's, Basic auth, pinned version, FailFast."""
    with account_factory(ews_server) as make:
        yield make
