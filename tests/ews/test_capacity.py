"""Counters a test can rely on: connections never above exchangelib's max_connections; bulk seeding."""

from __future__ import annotations

import itertools
from concurrent.futures import ThreadPoolExecutor

from ews.fixtures import ALICE, AccountFactory
from ews.server import EwsServer


def test_connections_never_exceed_max_connections(ews_server: EwsServer, ews_account: AccountFactory):
    ews_server.deliver(ALICE, b"Subject: one\r\n\r\nx\r\n")
    account = ews_account(max_connections=3)
    inbox = account.inbox

    def work(_: int) -> int:
        return inbox.all().count()

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert set(pool.map(work, range(40))) == {1}
    assert ews_server.stats.count("FindItem") == 40
    assert 1 < ews_server.stats.connections_peak <= 3


def test_ten_thousand_messages_seed_quickly_and_sync_in_pages(ews_server: EwsServer, ews_account: AccountFactory):
    ids = ews_server.seed_messages(ALICE, 10_000)
    assert len(ids) == len(set(ids)) == 10_000
    account = ews_account()
    assert account.inbox.total_count == 10_000
    # exchangelib pages lazily: taking 512 changes costs one SyncFolderItems (parsing all 10,000 in
    # exchangelib takes ~9 s, which is the benchmark's business, not this test's).
    changes = account.inbox.sync_items(only_fields=["subject"], max_changes_returned=512)
    first_page = list(itertools.islice(changes, 512))
    assert ews_server.stats.count("SyncFolderItems") == 1
    assert [item.subject for _, item in first_page[:2]] == ["Seeded message 0", "Seeded message 1"]
    changes.close()
