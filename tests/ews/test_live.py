"""The same calls against a real Exchange server, read-only: set EWS_URL, EWS_USER and EWS_PASSWORD
(and optionally EWS_EMAIL when the login is not the address) and run ``pytest -m live tests/ews``."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator

import pytest
from exchangelib import DELEGATE, Account, Configuration, Credentials, FaultTolerance
from exchangelib.protocol import close_connections

pytestmark = pytest.mark.live


@pytest.fixture
def live_account() -> Iterator[Account]:
    url, user, password = (os.environ.get(name) for name in ("EWS_URL", "EWS_USER", "EWS_PASSWORD"))
    if not (url and user and password):
        pytest.skip("set EWS_URL, EWS_USER and EWS_PASSWORD to run the live Exchange tests")
    address = os.environ.get("EWS_EMAIL") or user.split("\\")[-1]
    # No pinned auth type or version: exactly the probes the product makes against an unknown server.
    config = Configuration(
        service_endpoint=url, credentials=Credentials(user, password), retry_policy=FaultTolerance(max_wait=60)
    )
    account = Account(address, config=config, autodiscover=False, access_type=DELEGATE)
    yield account
    account.protocol.close()
    close_connections()


def test_live_inbox_and_folders(live_account: Account):
    inbox = live_account.inbox
    assert inbox.total_count is not None
    list(inbox.all().only("subject", "datetime_received").order_by("-datetime_received")[:5])
    assert live_account.sent.name
    assert {"create"} >= {change for change, _ in itertools.islice(live_account.msg_folder_root.sync_hierarchy(), 50)}


def test_live_sync_items_first_page(live_account: Account):
    changes = live_account.inbox.sync_items(only_fields=["subject", "message_id"], max_changes_returned=10)
    page = list(itertools.islice(changes, 10))
    assert all(change == "create" for change, _ in page)
    changes.close()
