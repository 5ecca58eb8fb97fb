"""Exchange incoming mail through exchangelib against the EWS test server: paging, cursors, resets,
tracked folders by id, the process-from date, limits, single items, categories and streaming push."""

from __future__ import annotations

import asyncio
import datetime as dt
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
    subjects,
)
from ews.fixtures import ALICE, BOB
from ews.server import EwsServer

from desktop_sync.connectors.exchange import ExchangeIncoming
from desktop_sync.connectors.factory import MailConnectorFactory
from desktop_sync.domain.errors import ErrorScope, PermanentError
from desktop_sync.domain.folders import INBOX

pytestmark = pytest.mark.asyncio


@pytest_asyncio.fixture
async def connectors() -> AsyncIterator[MailConnectorFactory]:
    made = factory()
    yield made
    made.close()


def incoming(
    connectors: MailConnectorFactory, server: EwsServer, *folders: str, address: str = ALICE
) -> ExchangeIncoming:
    connector = connectors.incoming(exchange_profile(server), mailbox(address), own_credentials(address), folders)
    assert isinstance(connector, ExchangeIncoming)
    return connector


async def test_a_large_inbox_comes_in_pages_and_the_cursor_resumes_exactly(
    ews_server: EwsServer, connectors: MailConnectorFactory
) -> None:
    ews_server.deliver_many(ALICE, (mime(n) for n in range(1200)))
    connector = incoming(connectors, ews_server)

    batches, cursors = await drain(connector)
    items = [item for batch in batches for item in batch.items]
    assert len(items) == len({item.server_id for item in items}) == 1200
    assert max(len(batch.items) for batch in batches) == 50  # MIME read 50 at a time
    assert ews_server.stats.count("SyncFolderItems") == 3  # 512 + 512 + 176 changes
    assert ews_server.stats.count("GetItem") == 11 + 11 + 4
    # The cursor moves with the last batch of each page; the batches before it carry none.
    assert [batch.cursor is not None for batch in batches].count(True) == 3
    assert batches[-1].more is False
    assert set(cursors) == {INBOX}
    assert items[0].received_at is not None and items[0].received_at.tzinfo is not None
    assert items[0].server_id == ews_server.items(ALICE)[0].id  # the EWS item id

    ews_server.deliver(ALICE, mime(5000))
    ews_server.deliver(ALICE, mime(5001))
    again, cursors = await drain(connector, cursors)
    assert subjects(again) == ["Message 5000", "Message 5001"]
    ews_server.stats.reset()
    idle, _ = await drain(connector, cursors)
    assert idle == []
    assert ews_server.stats.operations() == ["SyncFolderItems"]  # a no-change poll: one request


async def test_a_limit_stops_at_a_page_boundary_and_says_there_is_more(
    ews_server: EwsServer, connectors: MailConnectorFactory
) -> None:
    ews_server.deliver_many(ALICE, (mime(n) for n in range(120)))
    connector = incoming(connectors, ews_server)
    seen: list[str] = []
    cursors: dict[str, str] = {}
    rounds = []
    for _ in range(4):
        batches, cursors = await drain(connector, cursors, limit=50)
        seen += [item.server_id for batch in batches for item in batch.items]
        rounds.append((sum(len(b.items) for b in batches), batches[-1].more if batches else False))
    assert rounds == [(50, True), (50, True), (20, False), (0, False)]
    assert len(seen) == len(set(seen)) == 120


async def test_a_crash_before_the_cursor_is_committed_hands_the_page_over_again(
    ews_server: EwsServer, connectors: MailConnectorFactory
) -> None:
    ews_server.deliver_many(ALICE, (mime(n) for n in range(70)))
    connector = incoming(connectors, ews_server)
    first = [batch async for batch in connector.fetch({}, None, 1000)]
    assert [len(b.items) for b in first] == [50, 20] and first[0].cursor is None  # one page, two batches
    # Only the first batch was committed (no cursor yet): the next fetch starts the page again and the
    # engine's server-id and Message-ID guards drop the 50 it has.
    again, _ = await drain(connector, {})
    assert sum(len(b.items) for b in again) == 70


async def test_an_invalid_sync_state_restarts_the_folder_with_reset(
    ews_server: EwsServer, connectors: MailConnectorFactory
) -> None:
    ews_server.deliver_many(ALICE, (mime(n) for n in range(3)))
    connector = incoming(connectors, ews_server)
    _, cursors = await drain(connector)
    ews_server.deliver(ALICE, mime(3))

    ews_server.faults.next("SyncFolderItems", "ErrorInvalidSyncStateData")
    batches, cursors = await drain(connector, cursors)
    assert batches[0].reset is True
    assert sorted(subjects(batches)) == [f"Message {n}" for n in range(4)]  # from scratch
    assert (await drain(connector, cursors))[0] == []

    for stale in ("ews1:bm90IGEgc3luYyBzdGF0ZQ==", "v1;uidvalidity=1;uid=2"):  # refused, or not ours
        batches, _ = await drain(connector, {INBOX: stale})
        assert batches[0].reset is True and len(subjects(batches)) == 4


async def test_mail_before_the_process_from_date_is_skipped_but_covered(
    ews_server: EwsServer, connectors: MailConnectorFactory
) -> None:
    old = ews_server.deliver_many(ALICE, (mime(n) for n in range(3)))
    since = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    with ews_server.store.lock:
        for item_id in old:
            ews_server.store.find_item(item_id).received = since - dt.timedelta(days=30)
    ews_server.deliver(ALICE, mime(10))
    connector = incoming(connectors, ews_server)
    batches, cursors = await drain(connector, since=since)
    assert subjects(batches) == ["Message 10"]
    assert (await drain(connector, cursors))[0] == []  # the skipped ones are behind the cursor


async def test_tracked_folders_are_read_by_id_and_a_rename_keeps_them(
    ews_server: EwsServer, connectors: MailConnectorFactory
) -> None:
    deals = ews_server.create_folder(ALICE, "Deals")
    ews_server.create_folder(ALICE, "Archive", parent="msgfolderroot")
    ews_server.deliver(ALICE, mime(1))
    ews_server.deliver(ALICE, mime(2, subject="In deals"), folder="inbox/Deals")

    listed = {f.name: f for f in await incoming(connectors, ews_server).list_folders()}
    assert listed["INBOX/Deals"].id == deals
    assert listed["INBOX/Deals"].is_under_inbox() and listed["INBOX/Deals"].selectable
    assert not listed["Archive"].is_under_inbox()
    assert listed["Sent Items"].special_use == "\\Sent"
    assert not listed["Calendar"].selectable  # not a mail folder

    connector = incoming(connectors, ews_server, "INBOX/Deals")
    batches, cursors = await drain(connector)
    assert {(item.folder, subjects([batch])[0]) for batch in batches for item in batch.items} >= {
        ("INBOX/Deals", "In deals")
    }
    assert set(cursors) == {INBOX, "INBOX/Deals"}

    ews_server.rename_folder(deals, "Key deals")
    ews_server.deliver(ALICE, mime(3, subject="Renamed"), folder="inbox/Key deals")
    renamed = {f.id: f.name for f in await incoming(connectors, ews_server).list_folders()}
    assert renamed[deals] == "INBOX/Key deals"  # same id, new name: the engine moves the rule and cursor
    cursors["INBOX/Key deals"] = cursors.pop("INBOX/Deals")
    batches, _ = await drain(incoming(connectors, ews_server, "INBOX/Key deals"), cursors)
    assert [item.folder for batch in batches for item in batch.items] == ["INBOX/Key deals"]
    assert subjects(batches) == ["Renamed"]


async def test_a_tracked_folder_gone_from_the_server_is_a_failure_not_a_stop(
    ews_server: EwsServer, connectors: MailConnectorFactory
) -> None:
    ews_server.deliver(ALICE, mime(1))
    batches, _ = await drain(incoming(connectors, ews_server, "INBOX/Nowhere"))
    (failure,) = [f for b in batches for f in b.failures]
    assert (failure.folder, failure.code, failure.transient) == ("INBOX/Nowhere", "mailbox_not_found", False)
    assert subjects(batches) == ["Message 1"]


async def test_an_item_deleted_between_the_sync_and_its_mime_is_a_permanent_item_failure(
    ews_server: EwsServer,
) -> None:
    ids = ews_server.deliver_many(ALICE, (mime(n) for n in range(3)))
    connectors = factory(batch_size=1)
    try:
        connector = incoming(connectors, ews_server)
        fetched = connector.fetch({}, None, 100)
        first = await anext(fetched)
        ews_server.delete_item(ids[2])
        rest = [batch async for batch in fetched]
    finally:
        connectors.close()
    assert len(first.items) == 1
    failures = [f for b in rest for f in b.failures]
    assert [(f.server_id, f.code, f.transient) for f in failures] == [(ids[2], "item_not_found", False)]
    assert rest[-1].cursor is not None  # the page is covered all the same


async def test_fetch_item_reads_one_item_again_or_says_it_is_gone(
    ews_server: EwsServer, connectors: MailConnectorFactory
) -> None:
    item_id = ews_server.deliver(ALICE, mime(7))
    connector = incoming(connectors, ews_server)
    item = await connector.fetch_item(item_id)
    assert (item.server_id, item.folder, item.raw) == (item_id, INBOX, mime(7))
    ews_server.delete_item(item_id)
    for gone in (item_id, "not-an-ews-id"):
        with pytest.raises(PermanentError) as caught:
            await connector.fetch_item(gone)
        assert (caught.value.code, caught.value.scope) == ("item_not_found", ErrorScope.ITEM)


async def test_categorize_adds_the_category_and_keeps_the_users_own(
    ews_server: EwsServer, connectors: MailConnectorFactory
) -> None:
    first = ews_server.deliver(ALICE, mime(1))
    second = ews_server.create_item(
        ALICE, "Message", {"Subject": "Mine", "Categories": ["Red"], "ToRecipients": [("Alice", ALICE)]}
    )
    connector = incoming(connectors, ews_server)
    await connector.categorize([first, second])
    await connector.categorize([first])  # already there: no second copy, no request to change it
    ews_server.delete_item(first)
    await connector.categorize([first, second])  # a gone item is skipped
    categories = [s.text for s in ews_server.item(second).props["Categories"]]
    assert categories == ["Red", "Tracked to CRM"]
    assert ews_server.stats.count("UpdateItem") == 1


async def test_a_service_account_reads_each_mailbox_on_one_shared_pool(
    ews_server: EwsServer, connectors: MailConnectorFactory
) -> None:
    ews_server.deliver(ALICE, mime(1, to=ALICE))
    ews_server.deliver(BOB, mime(2, to=BOB))
    profile = service_profile(ews_server)
    got = {}
    for number, address in enumerate((ALICE, BOB), start=1):
        connector = connectors.incoming(profile, mailbox(address, number), service_credentials())
        batches, _ = await drain(connector)
        got[address] = subjects(batches)
    assert got == {ALICE: ["Message 1"], BOB: ["Message 2"]}
    assert {r.user for r in ews_server.stats.log} == {"svc@example.test"}
    assert ews_server.stats.count("SyncFolderItems", mailbox=BOB) == 1
    assert connectors.ews_sessions.open_protocols == 1
    assert ews_server.stats.connections_total == 1  # kept alive and reused across mailboxes


async def test_push_wakes_within_seconds_of_new_mail_and_reconnects(ews_server: EwsServer) -> None:
    ews_server.create_folder(ALICE, "Deals")
    ews_server.minute_seconds = 0.6  # the stream's 1-minute time-out lasts 0.6 s
    connectors = factory(ews_stream_minutes=1)
    listener = incoming(connectors, ews_server).push()
    try:
        for target in ("inbox", "inbox/Deals", "inbox"):
            waiting = asyncio.ensure_future(listener.wait_for_changes())
            await asyncio.sleep(0.8)  # across a stream renewal
            assert not waiting.done()
            ews_server.deliver(ALICE, mime(1), folder=target)
            await asyncio.wait_for(waiting, 30)  # a hang guard; the latency is bench/timeouts.py's
        ews_server.faults.next("GetStreamingEvents", "drop")
        ews_server.store.subscriptions.clear()  # expired on the server: subscribe again and catch up
        await asyncio.wait_for(listener.wait_for_changes(), 5)
        waiting = asyncio.ensure_future(listener.wait_for_changes())
        await asyncio.sleep(0.2)
        ews_server.deliver(ALICE, mime(2))
        await asyncio.wait_for(waiting, 5)
    finally:
        await listener.close()  # the reading thread is woken, not waited for: bench/timeouts.py measures it
        connectors.close()
    assert ews_server.store.subscriptions == {}
