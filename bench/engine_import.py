"""Benchmark: the engine's own cost of importing mail, without a network: a scripted server hands
over N realistic messages; the engine parses, tracks, resolves parties and commits them.

    .venv/bin/python bench/engine_import.py [--messages 5000]

Prints messages per second and peak memory; the IMAP and EWS import benchmarks add the protocol.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import resource
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from pathlib import Path

import keyring
import keyring.backend

from desktop_sync.domain.errors import PermanentError
from desktop_sync.domain.folders import ServerFolder
from desktop_sync.domain.model import (
    ApprovalState,
    Channel,
    ChannelState,
    ConnectionTestStatus,
    Endpoint,
    Mailbox,
    Profile,
    ProfileKind,
    Security,
    SyncMethod,
    TrackingChoice,
    User,
)
from desktop_sync.domain.ports.connectors import Batch, ConnectionTest, Credentials, Cursor, RawMessage
from desktop_sync.engine.cycle import CycleSettings
from desktop_sync.engine.engine import Engine, EngineSettings
from desktop_sync.secrets import KeyringSecrets
from desktop_sync.store import open_store


class BenchKeyring(keyring.backend.KeyringBackend):
    priority = 1

    def get_password(self, service: str, username: str) -> str | None:
        return "bench-password"

    def set_password(self, service: str, username: str, password: str) -> None:
        pass

    def delete_password(self, service: str, username: str) -> None:
        pass


def message(n: int) -> bytes:
    html = f"<html><body><p>Hello,</p><p>Order {n} is ready.</p>{'<p>Details</p>' * 20}</body></html>"
    return (
        f"From: Customer {n % 50} <customer{n % 50}@client{n % 7}.test>\r\n"
        f"To: Sales <sales@example.test>, Alice <alice@example.test>\r\nCc: bob@example.test\r\n"
        f"Subject: Order {n}\r\nMessage-ID: <order-{n}@client.test>\r\n"
        f"Date: Wed, 25 Nov 2026 10:{n % 60:02d}:00 +0000\r\nMIME-Version: 1.0\r\n"
        f"Content-Type: multipart/alternative; boundary=B\r\n\r\n--B\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        f"Hello,\r\nOrder {n} is ready.\r\n{'Details line.' * 40}\r\n--B\r\nContent-Type: text/html; charset=utf-8\r\n"
        f"\r\n{html}\r\n--B--\r\n"
    ).encode()


class Incoming:
    def __init__(self, messages: list[bytes], batch: int):
        self.messages = messages
        self.batch = batch

    async def fetch(self, cursors: Mapping[str, str], since: dt.datetime | None, limit: int) -> AsyncIterator[Batch]:
        start = int(cursors.get("INBOX", "0"))
        end = min(len(self.messages), start + limit)
        for first in range(start, end, self.batch):
            last = min(end, first + self.batch)
            items = tuple(RawMessage(f"INBOX;{i}", "INBOX", self.messages[i]) for i in range(first, last))
            yield Batch(items, Cursor("INBOX", str(last)), more=last < len(self.messages))

    async def fetch_item(self, server_id: str) -> RawMessage:
        raise PermanentError("gone", code="item_not_found")

    async def delete_committed(self, items: Sequence[RawMessage]) -> None:
        pass

    async def list_folders(self) -> list[ServerFolder]:
        return [ServerFolder("INBOX", "INBOX", "/")]

    async def test(self) -> ConnectionTest:
        return ConnectionTest(())

    def push(self) -> None:
        return None

    async def close(self) -> None:
        pass


class Factory:
    def __init__(self, messages: list[bytes], batch: int):
        self.incoming_connector = Incoming(messages, batch)

    def incoming(
        self, profile: Profile, mailbox: Mailbox, credentials: Credentials, folders: Sequence[str] = ()
    ) -> Incoming:
        return self.incoming_connector

    def outgoing(self, profile: Profile, mailbox: Mailbox, credentials: Credentials) -> Incoming:
        raise PermanentError("no outgoing", code="not_supported")

    def act(self, profile: Profile, mailbox: Mailbox, credentials: Credentials) -> Incoming:
        raise PermanentError("no ACT", code="not_supported")

    def supports(self, profile: Profile, channel: Channel) -> bool:
        return channel is Channel.INCOMING


async def main(count: int, batch: int) -> None:
    with tempfile.TemporaryDirectory(prefix="desktop-sync-bench-") as tmp:
        store = open_store(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}")
        on = ChannelState(SyncMethod.SERVER_SIDE, True, ConnectionTestStatus.SUCCESS)
        async with store.transaction() as tx:
            profile = await tx.profiles.add(
                Profile(name="Bench", kind=ProfileKind.IMAP, incoming=Endpoint("imap.bench.test", 993, Security.TLS))
            )
            user = await tx.users.add(User("sales@example.test", "Sales", tracking=TrackingChoice.ALL))
            await tx.users.add(User("alice@example.test", "Alice"))
            assert profile.id is not None
            await tx.mailboxes.add(
                Mailbox(
                    address="sales@example.test",
                    profile_id=profile.id,
                    user_id=user.id,
                    approval=ApprovalState.APPROVED,
                    incoming=on,
                )
            )
        messages = [message(n) for n in range(count)]
        engine = Engine(
            store=store,
            connectors=Factory(messages, batch),
            secrets=KeyringSecrets(),
            settings=EngineSettings(push=False, cycle=CycleSettings(items_per_cycle=count)),
        )
        await engine.start()
        started, cpu = time.perf_counter(), time.process_time()
        await engine.run_once()
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        await engine.stop()
        async with store.transaction() as tx:
            stored = await tx.activities.count()
        await store.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{stored} of {count} messages committed in {wall:.2f} s ({stored / wall:.0f} msg/s, CPU {cpu:.2f} s)")
    print(f"peak memory (max RSS): {peak:.0f} MB")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--batch", type=int, default=50)
    args = parser.parse_args()
    keyring.set_keyring(BenchKeyring())
    asyncio.run(main(args.messages, args.batch))
    sys.exit(0)
