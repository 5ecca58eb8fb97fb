"""Two writers creating the same row at once, each with its own connection: both succeed, nothing is lost.

Sync now from the CLI while the engine writes a new mailbox's first status once failed with
``UNIQUE constraint failed: mailbox_status.mailbox_id``: the status was read, found missing and
inserted, and the other writer inserted in between. Rows two writers may both create first are
upserts; each case runs many rounds of two threads released together, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from desktop_sync.domain.model import (
    Channel,
    Endpoint,
    FailedItem,
    Mailbox,
    MailboxId,
    MailboxState,
    Profile,
    ProfileKind,
    RecordType,
    Security,
    SyncStatus,
)
from desktop_sync.store import SqlStore, SqlTransaction, open_store

ROUNDS = 40
NOW = dt.datetime(2026, 12, 7, 22, 0, tzinfo=dt.UTC)
Write = Callable[[SqlTransaction, int], Awaitable[None]]


def mailboxes(store: SqlStore, count: int) -> list[MailboxId]:
    async def add() -> list[MailboxId]:
        async with store.transaction() as tx:
            p = await tx.profiles.add(
                Profile(name="Corp", kind=ProfileKind.IMAP, incoming=Endpoint("imap.example.test", 993, Security.TLS))
            )
            assert p.id is not None
            ids = []
            for n in range(count):
                added = await tx.mailboxes.add(Mailbox(address=f"user{n}@example.test", profile_id=p.id))
                assert added.id is not None
                ids.append(added.id)
            return ids

    return asyncio.run(add())


def race(url: str, first: Write, second: Write) -> list[BaseException]:
    """Run ``first`` and ``second`` ROUNDS times, each round's two released together, each writer on
    its own store (its own connections) in its own thread. Returns what they raised."""
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def writer(write: Write) -> None:
        store = open_store(url)
        loop = asyncio.new_event_loop()

        async def one(round_: int) -> None:
            async with store.transaction() as tx:
                await write(tx, round_)

        try:
            for round_ in range(ROUNDS):
                barrier.wait(timeout=60)
                try:
                    loop.run_until_complete(one(round_))
                except Exception as exc:  # every failure is reported by the test
                    errors.append(exc)
        finally:
            loop.run_until_complete(store.close())
            loop.close()

    threads = [threading.Thread(target=writer, args=(write,)) for write in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_sync_now_while_the_engine_writes_a_new_mailboxs_first_status(store: SqlStore, store_url: str) -> None:
    ids = mailboxes(store, ROUNDS)

    async def engine_writes(tx: SqlTransaction, round_: int) -> None:
        await tx.status.save(SyncStatus(ids[round_], state=MailboxState.SYNCING, items_synced=3))

    async def sync_now(tx: SqlTransaction, round_: int) -> None:
        await tx.status.request_sync(ids[round_], NOW)

    assert race(store_url, engine_writes, sync_now) == []

    async def statuses() -> dict[MailboxId, SyncStatus]:
        async with store.transaction() as tx:
            return await tx.status.get_many(ids)

    for status in asyncio.run(statuses()).values():  # both writes are there, whichever came first
        assert (status.state, status.items_synced, status.sync_requested_at) == (MailboxState.SYNCING, 3, NOW)


async def write_cursor(tx: SqlTransaction, box: MailboxId, round_: int, who: str) -> None:
    await tx.cursors.set(box, Channel.INCOMING, "INBOX", f"{who}-{round_}")


async def write_counter(tx: SqlTransaction, box: MailboxId, round_: int, who: str) -> None:
    await tx.counters.save({(f"race_{round_}", "{}"): float(round_)})


async def write_setting(tx: SqlTransaction, box: MailboxId, round_: int, who: str) -> None:
    await tx.app_settings.put({f"race.{round_}": who})


async def write_failed_item(tx: SqlTransaction, box: MailboxId, round_: int, who: str) -> None:
    item = FailedItem(box, Channel.INCOMING, "42", "message_unreadable", who, last_failed_at=NOW)
    await tx.failed_items.record(item)


async def write_link(tx: SqlTransaction, box: MailboxId, round_: int, who: str) -> None:
    await tx.act_links.put(box, RecordType.CONTACT, round_, "AAMk-1", who, {"full_name": who})


async def rounds_right(tx: SqlTransaction, ids: list[MailboxId], write: object) -> list[bool]:
    """Whether each round left one row, whole, written by one of the two writers."""
    rounds = range(len(ids))
    if write is write_cursor:
        cursors = [await tx.cursors.get_all(ids[n], Channel.INCOMING) for n in rounds]
        return [cursors[n] in ({"INBOX": f"a-{n}"}, {"INBOX": f"b-{n}"}) for n in rounds]
    if write is write_counter:
        counters = await tx.counters.load()
        return [counters.get((f"race_{n}", "{}")) == n for n in rounds]
    if write is write_setting:
        settings = await tx.app_settings.all()
        return [settings.get(f"race.{n}") in ("a", "b") for n in rounds]
    if write is write_failed_item:  # one failed item per mailbox, failed twice
        attempts: dict[MailboxId, list[int]] = {}
        for failed in await tx.failed_items.list():
            attempts.setdefault(failed.mailbox_id, []).append(failed.attempts)
        return [attempts.get(ids[n]) == [2] for n in rounds]
    links = [await tx.act_links.list(ids[n], RecordType.CONTACT) for n in rounds]
    return [len(found) == 1 and found[0].change_key in ("a", "b") for found in links]


@pytest.mark.parametrize("write", [write_cursor, write_counter, write_setting, write_failed_item, write_link])
def test_two_writers_creating_the_same_row(store: SqlStore, store_url: str, write: Any) -> None:
    ids = mailboxes(store, ROUNDS)

    def writer(who: str) -> Write:
        async def one(tx: SqlTransaction, round_: int) -> None:
            await write(tx, ids[round_], round_, who)

        return one

    assert race(store_url, writer("a"), writer("b")) == []

    async def check() -> list[bool]:
        async with store.transaction() as tx:
            return await rounds_right(tx, ids, write)

    assert asyncio.run(check()) == [True] * ROUNDS
