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

from desktop_sync.domain.model import (
    Channel,
    Endpoint,
    FailedItem,
    Mailbox,
    MailboxId,
    MailboxState,
    Profile,
    ProfileKind,
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


def test_two_writers_of_the_same_cursor_counter_setting_and_failed_item(store: SqlStore, store_url: str) -> None:
    ids = mailboxes(store, ROUNDS)

    def writes(who: str) -> Write:
        async def write(tx: SqlTransaction, round_: int) -> None:
            await tx.cursors.set(ids[round_], Channel.INCOMING, "INBOX", f"{who}-{round_}")
            await tx.counters.save({(f"race_{round_}", "{}"): float(round_)})
            await tx.app_settings.put({f"race.{round_}": who})
            await tx.failed_items.record(
                FailedItem(
                    mailbox_id=ids[round_],
                    channel=Channel.INCOMING,
                    item_ref="42",
                    code="message_unreadable",
                    reason=who,
                    last_failed_at=NOW,
                )
            )

        return write

    assert race(store_url, writes("a"), writes("b")) == []

    async def read() -> tuple[list[dict[str, str]], dict[tuple[str, str], float], dict[str, object], list[int]]:
        async with store.transaction() as tx:
            cursors = [await tx.cursors.get_all(m, Channel.INCOMING) for m in ids]
            failed = await tx.failed_items.list()
            return cursors, await tx.counters.load(), await tx.app_settings.all(), [f.attempts for f in failed]

    cursors, counters, settings, attempts = asyncio.run(read())
    assert all(c["INBOX"] in (f"a-{n}", f"b-{n}") for n, c in enumerate(cursors))
    assert all(counters[(f"race_{n}", "{}")] == n for n in range(ROUNDS))
    assert all(settings[f"race.{n}"] in ("a", "b") for n in range(ROUNDS))
    assert attempts == [2] * ROUNDS  # one failed item per mailbox, failed twice
