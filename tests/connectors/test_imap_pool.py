"""IMAP connections parked between cycles (connectors/imap_pool.py) and the one-command poll, on the
real Dovecot: reuse, the throttle limit at the server, expiry, drops, and the poll's decision."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import replace
from pathlib import Path

import pytest
import pytest_asyncio
from connectors.imap_counting import CountingProxy
from connectors.mailkit import credentials_of, mailbox_admin, make_message
from servers.dovecot import DovecotServer, MailUser
from support.cli_admin import Admin, mail
from support.waiting import eventually

from desktop_sync.connectors.factory import MailConnectorFactory
from desktop_sync.connectors.imap import FolderCursor, ImapIncoming, unchanged
from desktop_sync.connectors.imap_pool import ImapPool
from desktop_sync.domain.model import Mailbox, MailboxId, Profile, ProfileId, Security
from desktop_sync.domain.ports.connectors import Batch, IncomingMail, ThrottleKey
from desktop_sync.engine.engine import Engine, EngineSettings
from desktop_sync.engine.throttle import Throttles
from desktop_sync.secrets import KeyringSecrets
from desktop_sync.store import open_store

GROUP = ThrottleKey("mailbox", 1)


@pytest_asyncio.fixture
async def proxy(dovecot: DovecotServer) -> AsyncIterator[CountingProxy]:
    """A counting proxy in front of Dovecot's clear-text port (so it can read the commands)."""
    started = await CountingProxy(dovecot.ports["imap"]).start()
    yield started
    await started.close()


@pytest_asyncio.fixture
async def pool() -> AsyncIterator[ImapPool]:
    parked = ImapPool()
    parked.start()
    yield parked
    await parked.stop()


@pytest.fixture
def clear_profile(imap_profile: Callable[..., Profile], proxy: CountingProxy) -> Profile:
    return imap_profile(Security.NONE, port=proxy.port, allow_insecure=True)


async def fetch(connector: IncomingMail, cursors: Mapping[str, str] | None = None) -> tuple[int, dict[str, str]]:
    batches: list[Batch] = [batch async for batch in connector.fetch(cursors or {}, None, 1000)]
    found = dict(cursors or {})
    for batch in batches:
        found[batch.cursor.folder] = batch.cursor.value
    return sum(len(batch.items) for batch in batches), found


def deliver(dovecot: DovecotServer, user: MailUser, count: int) -> None:
    for n in range(count):
        dovecot.deliver(user.name, make_message(f"pooled {n}", to=user.address))


async def closed(proxy: CountingProxy) -> bool:
    return proxy.open == 0


# --- reuse


@pytest.mark.dovecot
@pytest.mark.asyncio
async def test_the_next_connector_reuses_the_parked_connection_and_polls_in_one_command(
    dovecot: DovecotServer, mail_user: MailUser, clear_profile: Profile, proxy: CountingProxy, pool: ImapPool
) -> None:
    deliver(dovecot, mail_user, 3)
    first = ImapIncoming(clear_profile, credentials_of(mail_user), pool=pool, group=GROUP)
    count, cursors = await fetch(first)
    await first.close()
    assert count == 3
    assert pool.parked(GROUP) == 1 and proxy.open == 1  # parked, not logged out
    proxy.commands.clear()

    second = ImapIncoming(clear_profile, credentials_of(mail_user), pool=pool, group=GROUP)
    count, again = await fetch(second, cursors)
    assert (count, again) == (0, cursors)
    assert dict(proxy.commands) == {"EXAMINE": 1}  # one round trip: no connect, no LOGIN, no LOGOUT
    assert proxy.connections == 1 and pool.reused == 1 and pool.parked(GROUP) == 0

    deliver(dovecot, mail_user, 2)
    count, _ = await fetch(second, cursors)
    assert count == 2
    await second.close()
    assert pool.parked(GROUP) == 1
    await pool.stop()
    await eventually(lambda: closed(proxy), what="the parked connection closed")
    assert proxy.commands["LOGOUT"] == 0  # a stopping engine closes without waiting on the server


@pytest.mark.dovecot
@pytest.mark.asyncio
async def test_a_folder_not_selected_is_polled_with_one_status_and_new_mail_still_comes(
    dovecot: DovecotServer, mail_user: MailUser, clear_profile: Profile, proxy: CountingProxy, pool: ImapPool
) -> None:
    with mailbox_admin(dovecot, mail_user) as imap:
        imap.create("Projects")
        imap.append("Projects", "", imaplib_time(), make_message("in projects", to=mail_user.address))
    deliver(dovecot, mail_user, 1)
    connector = ImapIncoming(clear_profile, credentials_of(mail_user), folders=("Projects",), pool=pool, group=GROUP)
    count, cursors = await fetch(connector)
    assert count == 2
    await connector.close()
    proxy.commands.clear()

    connector = ImapIncoming(clear_profile, credentials_of(mail_user), folders=("Projects",), pool=pool, group=GROUP)
    count, again = await fetch(connector, cursors)
    assert (count, again) == (0, cursors)
    # INBOX is not the selected folder (Projects was read last): STATUS; Projects is: EXAMINE.
    assert dict(proxy.commands) == {"STATUS": 1, "EXAMINE": 1}

    deliver(dovecot, mail_user, 1)
    proxy.commands.clear()
    count, _ = await fetch(connector, again)
    assert count == 1
    # INBOX: STATUS said "read it" (EXAMINE, SEARCH, FETCH); Projects, no longer selected: STATUS.
    assert proxy.commands["STATUS"] == 2 and proxy.commands["EXAMINE"] == 1 and proxy.commands["UID SEARCH"] == 1
    await connector.close()


def imaplib_time() -> str:
    return '"01-Jan-2026 10:00:00 +0000"'


@pytest.mark.dovecot
@pytest.mark.asyncio
async def test_a_cursor_without_modseq_from_a_server_without_condstore_still_polls_in_one_command(
    dovecot: DovecotServer, mail_user: MailUser, clear_profile: Profile, proxy: CountingProxy, pool: ImapPool
) -> None:
    deliver(dovecot, mail_user, 2)
    connector = ImapIncoming(clear_profile, credentials_of(mail_user), pool=pool, group=GROUP)
    _, cursors = await fetch(connector)
    written = FolderCursor.decode(cursors["INBOX"])
    assert written is not None and written.modseq is not None  # Dovecot has CONDSTORE
    old = FolderCursor(written.uidvalidity, written.uid).encode()  # as written without CONDSTORE
    assert "modseq" not in old
    proxy.commands.clear()
    count, again = await fetch(connector, {"INBOX": old})
    assert count == 0 and again == {"INBOX": old}  # read as it is: nothing imported again
    assert dict(proxy.commands) == {"EXAMINE": 1}
    await connector.close()


@pytest.mark.dovecot
@pytest.mark.asyncio
async def test_another_login_never_takes_a_parked_connection(
    dovecot: DovecotServer, clear_profile: Profile, proxy: CountingProxy, pool: ImapPool
) -> None:
    alice = dovecot.add_user("pool.alice", "pool.alice-pw")
    bob = dovecot.add_user("pool.bob", "pool.bob-pw")
    deliver(dovecot, alice, 1)
    first = ImapIncoming(clear_profile, credentials_of(alice), pool=pool, group=GROUP)
    await fetch(first)
    await first.close()
    second = ImapIncoming(clear_profile, credentials_of(bob), pool=pool, group=GROUP)
    count, _ = await fetch(second)
    await second.close()
    assert count == 0  # bob's own (empty) INBOX, not alice's
    assert proxy.connections == 2 and pool.reused == 0 and pool.parked(GROUP) == 2


@pytest.mark.dovecot
@pytest.mark.asyncio
async def test_a_parked_connection_the_server_dropped_is_replaced_without_an_error(
    dovecot: DovecotServer, mail_user: MailUser, clear_profile: Profile, proxy: CountingProxy, pool: ImapPool
) -> None:
    deliver(dovecot, mail_user, 1)
    first = ImapIncoming(clear_profile, credentials_of(mail_user), pool=pool, group=GROUP)
    _, cursors = await fetch(first)
    await first.close()
    proxy.drop_all()  # a server restart, a NAT time-out
    await eventually(lambda: closed(proxy), what="the drop")
    deliver(dovecot, mail_user, 1)
    second = ImapIncoming(clear_profile, credentials_of(mail_user), pool=pool, group=GROUP)
    count, _ = await fetch(second, cursors)
    await second.close()
    assert count == 1
    assert proxy.connections == 2


@pytest.mark.dovecot
@pytest.mark.asyncio
async def test_a_connection_parked_too_long_is_logged_out(
    mail_user: MailUser, clear_profile: Profile, proxy: CountingProxy
) -> None:
    pool = ImapPool(idle_seconds=0.2)
    pool.start()
    try:
        connector = ImapIncoming(clear_profile, credentials_of(mail_user), pool=pool, group=GROUP)
        await fetch(connector)
        await connector.close()
        assert pool.parked(GROUP) == 1
        await eventually(lambda: closed(proxy), what="the idle connection logged out")
        assert pool.parked(GROUP) == 0 and proxy.commands["LOGOUT"] == 1
    finally:
        await pool.stop()


@pytest.mark.dovecot
@pytest.mark.asyncio
async def test_nothing_is_parked_before_start_after_stop_or_past_the_per_server_cap(
    dovecot: DovecotServer, clear_profile: Profile, proxy: CountingProxy
) -> None:
    users = [dovecot.add_user(f"cap{n}", f"cap{n}-pw") for n in range(2)]
    pool = ImapPool(per_server=1)
    connector = ImapIncoming(clear_profile, credentials_of(users[0]), pool=pool, group=GROUP)
    await fetch(connector)
    await connector.close()
    assert pool.parked(GROUP) == 0  # not started: logged out as before
    pool.start()
    for n, user in enumerate(users):
        connector = ImapIncoming(clear_profile, credentials_of(user), pool=pool, group=ThrottleKey("mailbox", n))
        await fetch(connector)
        await connector.close()
    assert pool.parked(ThrottleKey("mailbox", 0)) == 1 and pool.parked(ThrottleKey("mailbox", 1)) == 0
    await pool.stop()
    connector = ImapIncoming(clear_profile, credentials_of(users[0]), pool=pool, group=GROUP)
    await fetch(connector)
    await connector.close()
    assert pool.parked(GROUP) == 0
    await eventually(lambda: closed(proxy), what="every connection closed")


@pytest.mark.dovecot
@pytest.mark.asyncio
async def test_a_connection_test_never_parks_and_never_holds_two_connections(
    mail_user: MailUser, clear_profile: Profile, proxy: CountingProxy, pool: ImapPool
) -> None:
    connector = ImapIncoming(clear_profile, credentials_of(mail_user), pool=pool, group=GROUP)
    await fetch(connector)
    result = await connector.test()
    await connector.close()
    assert result.ok
    assert proxy.peak == 1 and pool.parked(GROUP) == 0


@pytest.mark.dovecot
@pytest.mark.asyncio
async def test_the_factory_parks_by_throttle_key_and_close_ends_what_it_parked(
    mail_user: MailUser, clear_profile: Profile, proxy: CountingProxy
) -> None:
    factory = MailConnectorFactory()
    profile = replace(clear_profile, id=ProfileId(1))
    stored = Mailbox(mail_user.address, ProfileId(1), id=MailboxId(7))
    unsaved = Mailbox(mail_user.address, ProfileId(1))
    key = ThrottleKey("mailbox", 7)
    try:
        connector = factory.incoming(profile, unsaved, credentials_of(mail_user))
        await fetch(connector)
        await connector.close()
        assert factory.parked(key) == 0  # parking is off until the engine starts it
        factory.start_parking()
        connector = factory.incoming(profile, unsaved, credentials_of(mail_user))
        await fetch(connector)
        await connector.close()
        assert factory.imap_pool.parked(key) == 0  # a mailbox not stored yet has no limit to count against
        connector = factory.incoming(profile, stored, credentials_of(mail_user))
        await fetch(connector)
        await connector.close()
        assert factory.parked(key) == 1 and proxy.open == 1
    finally:
        factory.close()
    await eventually(lambda: closed(proxy), what="factory.close() closing the parked connection")
    assert factory.parked(key) == 0


# --- the throttle limit, at the server


@pytest.mark.dovecot
@pytest.mark.asyncio
async def test_parked_connections_count_against_the_throttle_limit(
    dovecot: DovecotServer, clear_profile: Profile, proxy: CountingProxy, pool: ImapPool
) -> None:
    """Three logins under one limit of 2: parked connections are evicted to make room, never exceeded."""
    users = [dovecot.add_user(f"limit{n}", f"limit{n}-pw") for n in range(3)]
    throttles = Throttles(parking=_Parking(pool))

    async def cycle(user: MailUser) -> None:
        async with throttles.slot(GROUP, 2):
            connector = ImapIncoming(clear_profile, credentials_of(user), pool=pool, group=GROUP)
            try:
                await fetch(connector)
            finally:
                await connector.close()

    for user in users:  # one after another: the third evicts the first's parked connection
        await cycle(user)
    assert pool.parked(GROUP) == 2 and proxy.open == 2
    for _ in range(3):
        await asyncio.gather(*(cycle(user) for user in users))
    assert proxy.peak == 2  # used to the full, never beyond
    assert pool.parked(GROUP) + throttles.open_count(GROUP) <= 2


class _Parking:
    """The pool as the engine sees it (the factory does the same for its own pool)."""

    def __init__(self, pool: ImapPool) -> None:
        self.pool = pool

    def start_parking(self) -> None:
        self.pool.start()

    def parked(self, key: ThrottleKey) -> int:
        return self.pool.parked(key)

    async def evict(self, key: ThrottleKey) -> bool:
        return await self.pool.evict(key)

    async def stop_parking(self) -> None:
        await self.pool.stop()


@pytest.mark.dovecot
@pytest.mark.asyncio
async def test_the_engine_reuses_connections_across_cycles_within_the_profile_limit(
    tmp_path: Path, dovecot: DovecotServer, mail_user: MailUser, tls_ca: Path
) -> None:
    proxy = await CountingProxy(dovecot.ports["imaps"], commands_in_clear=False).start()
    try:
        await _reuse_across_cycles(tmp_path, dovecot, mail_user, tls_ca, proxy)
    finally:
        await proxy.close()


async def _reuse_across_cycles(
    tmp_path: Path, dovecot: DovecotServer, mail_user: MailUser, tls_ca: Path, proxy: CountingProxy
) -> None:
    db = f"sqlite:///{tmp_path / 'crm.sqlite3'}"
    admin = Admin(db)
    await asyncio.to_thread(
        admin,
        *("profile", "add", "Shared", "--kind", "imap", "--incoming-host", "localhost"),
        *("--incoming-port", str(proxy.port), "--ca-file", str(tls_ca), "--credentials-on", "profile"),
        *("--login", mail_user.name, "--max-connections", "3", "--password-stdin"),
        stdin=mail_user.password,
    )
    for n in range(6):
        await asyncio.to_thread(admin, "mailbox", "add", f"box{n}@example.test", "--profile", "Shared")
        await asyncio.to_thread(admin, "mailbox", "approve", f"box{n}@example.test")
        await asyncio.to_thread(admin, "mailbox", "test-enable", f"box{n}@example.test")
    for n in range(10):
        dovecot.deliver(mail_user.name, mail(n, mail_user.address))
    proxy.peak = 0
    store = open_store(db)
    now = [dt.datetime.now(dt.UTC)]
    factory = MailConnectorFactory()
    engine = Engine(
        store=store,
        connectors=factory,
        secrets=KeyringSecrets(),
        settings=EngineSettings(mailbox_workers=2, push=False),
        clock=lambda: now[0],
    )
    await engine.start()
    try:
        await engine.run_once()
        assert engine.items_committed == 6 * 10
        connections, reused = proxy.connections, factory.imap_pool.reused
        now[0] += dt.timedelta(minutes=15)  # every mailbox due again
        await engine.run_once()
        # Two workers under a limit of 3: at most 3 were parked, and the two first slots of the
        # poll evict at most two of them (open slots + parked must fit 3); every other cycle reuses.
        assert factory.imap_pool.reused - reused >= 4
        assert proxy.connections - connections <= 2
        assert proxy.open <= 3
    finally:
        await engine.stop()
        await store.close()
    await eventually(lambda: closed(proxy), what="the engine's stop closing its parked connections")
    assert proxy.peak <= 3  # the limit held at the server, parked connections included


# --- the poll's decision, for servers without UIDNEXT in STATUS or without CONDSTORE


class State:
    def __init__(self, uidvalidity: int, uidnext: int | None, highestmodseq: int | None) -> None:
        self.uidvalidity = uidvalidity
        self.uidnext = uidnext
        self.highestmodseq = highestmodseq


@pytest.mark.parametrize(
    ("cursor", "state", "expected"),
    [
        (FolderCursor(7, 10, 50), State(7, 11, 50), True),  # UIDNEXT right after the cursor
        (FolderCursor(7, 10, 50), State(7, 11, 61), True),  # flags changed, nothing arrived
        (FolderCursor(7, 10, 50), State(7, 12, 61), False),  # a new message
        (FolderCursor(7, 10, None), State(7, 11, None), True),  # no CONDSTORE: UIDNEXT alone
        (FolderCursor(7, 10, None), State(7, 15, None), False),
        (FolderCursor(7, 10, 50), State(8, 11, 50), False),  # UIDVALIDITY changed: read afresh
        (FolderCursor(7, 10, 50), State(7, None, 50), True),  # no UIDNEXT: HIGHESTMODSEQ decides
        (FolderCursor(7, 10, 50), State(7, None, 51), False),
        (FolderCursor(7, 10, None), State(7, None, None), False),  # neither: read the folder
    ],
)
def test_the_poll_decides_nothing_arrived_only_when_the_server_proves_it(
    cursor: FolderCursor, state: State, expected: bool
) -> None:
    assert unchanged(cursor, state) is expected


@pytest.mark.dovecot
@pytest.mark.asyncio
async def test_a_tracked_folder_deleted_since_its_cursor_is_an_item_failure_found_by_status(
    dovecot: DovecotServer, mail_user: MailUser, clear_profile: Profile, proxy: CountingProxy
) -> None:
    with mailbox_admin(dovecot, mail_user) as imap:
        imap.create("Retired")
    deliver(dovecot, mail_user, 1)
    connector = ImapIncoming(clear_profile, credentials_of(mail_user), folders=("Retired",))
    try:
        _, cursors = await fetch(connector)
        with mailbox_admin(dovecot, mail_user) as imap:
            imap.delete("Retired")
        deliver(dovecot, mail_user, 1)
        proxy.commands.clear()
        batches = [batch async for batch in connector.fetch(cursors, None, 1000)]
        assert proxy.commands["STATUS"] == 2  # INBOX (Retired was selected), then Retired (INBOX was)
        [failure] = [failure for batch in batches for failure in batch.failures]
        assert failure.folder == "Retired" and failure.code == "mailbox_not_found" and not failure.transient
        assert sum(len(batch.items) for batch in batches) == 1  # INBOX still synced
    finally:
        await connector.close()
