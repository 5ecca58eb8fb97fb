"""A scripted mail server and its connectors: the engine's policies tested without a network.

The server counts the connections open at once, so tests can check the throttle from the
server's side, and takes a script of errors and pauses to inject.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field

from desktop_sync.domain.errors import DeliveryUnknown, DesktopSyncError, PermanentError
from desktop_sync.domain.folders import ServerFolder
from desktop_sync.domain.model import Channel, Mailbox, Profile, ProfileKind
from desktop_sync.domain.ports.connectors import (
    Batch,
    ConnectionTest,
    ConnectionTestStep,
    Credentials,
    Cursor,
    OutgoingMessage,
    RawMessage,
    SendOutcome,
    SendResult,
    StepResult,
)
from support.scripted_act import ScriptedAct, ScriptedExchange


def message(n: int, sender: str = "carol@customer.test", to: str = "alice@example.test", **headers: str) -> bytes:
    extra = "".join(f"{k.replace('_', '-')}: {v}\r\n" for k, v in headers.items())
    return (
        f"From: Carol <{sender}>\r\nTo: {to}\r\nSubject: message {n}\r\n"
        f"Message-ID: <m{n}@customer.test>\r\nDate: Wed, 25 Nov 2026 10:00:00 +0000\r\n{extra}\r\n"
        f"Body {n}\r\n"
    ).encode()


@dataclass
class ScriptedMailbox:
    messages: list[tuple[int, bytes, dt.datetime | None]] = field(default_factory=list)
    errors: list[DesktopSyncError] = field(default_factory=list)  # raised by the next fetches, in turn
    item_errors: list[DesktopSyncError] = field(default_factory=list)  # raised by the next fetch_items
    test_result: ConnectionTest | None = None
    next_uid: int = 1


class ScriptedServer:
    def __init__(self) -> None:
        self.mailboxes: dict[str, ScriptedMailbox] = {}
        self.open = 0
        self.peak = 0
        self.fetches = 0
        self.pause: float = 0.0  # seconds each batch takes, to keep connections open
        self.gate: asyncio.Event | None = None  # when set by a test: fetch waits for it
        self.fetch_started = asyncio.Event()
        self.batch_size = 50
        self.deleted: list[str] = []
        self.outbox: list[OutgoingMessage] = []  # what the SMTP side accepted, in order
        self.sent_folder: set[str] = set()  # Message-IDs copied to Sent
        self.sent_folder_unreadable = False
        self.send_script: list[str | DesktopSyncError] = []  # "accept", "reject", or an error to raise
        self.unknown_but_delivered = False
        self.push_enabled = False
        self.news = asyncio.Event()
        self.listeners = 0
        self.folders: list[ServerFolder] = [ServerFolder("INBOX", "INBOX", "/")]  # what list_folders answers

    def notify(self) -> None:
        self.news.set()

    def sends_of(self, message_id: str) -> int:
        return sum(1 for m in self.outbox if m.message_id == message_id)

    def box(self, address: str) -> ScriptedMailbox:
        return self.mailboxes.setdefault(address, ScriptedMailbox())

    def deliver(self, address: str, raw: bytes, received_at: dt.datetime | None = None) -> int:
        box = self.box(address)
        uid = box.next_uid
        box.next_uid += 1
        box.messages.append((uid, raw, received_at))
        return uid

    def fail_next(self, address: str, *errors: DesktopSyncError) -> None:
        self.box(address).errors.extend(errors)

    def connect(self) -> None:
        self.open += 1
        self.peak = max(self.peak, self.open)

    def disconnect(self) -> None:
        self.open -= 1


class ScriptedIncoming:
    def __init__(self, server: ScriptedServer, mailbox: Mailbox):
        self.server = server
        self.address = mailbox.address

    async def fetch(self, cursors: Mapping[str, str], since: dt.datetime | None, limit: int) -> AsyncIterator[Batch]:
        server = self.server
        box = server.box(self.address)
        server.connect()
        try:
            server.fetches += 1
            server.fetch_started.set()
            if box.errors:
                raise box.errors.pop(0)
            if server.gate is not None:
                await server.gate.wait()
            last = int(cursors.get("INBOX", "0"))
            pending = [m for m in box.messages if m[0] > last]
            taken = 0
            while pending and taken < limit:
                chunk = pending[: min(server.batch_size, limit - taken)]
                pending = pending[len(chunk) :]
                taken += len(chunk)
                if server.pause:
                    await asyncio.sleep(server.pause)
                items = tuple(RawMessage(f"INBOX;{uid}", "INBOX", raw, at) for uid, raw, at in chunk)
                more = bool(pending) and taken >= limit
                yield Batch(items, Cursor("INBOX", str(chunk[-1][0])), more=more, remaining=len(pending))
        finally:
            server.disconnect()

    async def fetch_item(self, server_id: str) -> RawMessage:
        box = self.server.box(self.address)
        if box.item_errors:
            raise box.item_errors.pop(0)
        uid = int(server_id.split(";")[1])
        for n, raw, at in self.server.box(self.address).messages:
            if n == uid:
                return RawMessage(server_id, "INBOX", raw, at)
        raise PermanentError(f"{server_id} is gone", code="item_not_found")

    async def delete_committed(self, items: Sequence[RawMessage]) -> None:
        self.server.deleted.extend(i.server_id for i in items)

    async def test(self) -> ConnectionTest:
        box = self.server.box(self.address)
        if box.test_result is not None:
            return box.test_result
        return ConnectionTest(
            tuple(
                StepResult(step, True)
                for step in (
                    ConnectionTestStep.RESOLVE,
                    ConnectionTestStep.CONNECT,
                    ConnectionTestStep.TLS,
                    ConnectionTestStep.AUTHENTICATE,
                    ConnectionTestStep.LIST_FOLDERS,
                )
            )
        )

    async def list_folders(self) -> list[ServerFolder]:
        return list(self.server.folders)

    def push(self) -> ScriptedPush | None:
        return ScriptedPush(self.server) if self.server.push_enabled else None

    async def close(self) -> None:
        pass


class ScriptedPush:
    """Wakes when the test calls ``server.notify()``, like IMAP IDLE reporting EXISTS."""

    def __init__(self, server: ScriptedServer):
        self.server = server
        server.connect()
        server.listeners += 1

    async def wait_for_changes(self) -> None:
        await self.server.news.wait()
        self.server.news.clear()

    async def close(self) -> None:
        self.server.listeners -= 1
        self.server.disconnect()


class ScriptedOutgoing:
    """Sends into ``server.outbox``; ``server.send_script`` decides each send's fate in turn."""

    def __init__(self, server: ScriptedServer, mailbox: Mailbox):
        self.server = server
        self.address = mailbox.address

    async def send(self, message: OutgoingMessage) -> SendResult:
        server = self.server
        server.connect()
        try:
            fate = server.send_script.pop(0) if server.send_script else "accept"
            if isinstance(fate, DesktopSyncError):
                if isinstance(fate, DeliveryUnknown) and server.unknown_but_delivered:
                    server.outbox.append(message)  # it did go out before the line broke
                raise fate
            if fate == "reject":
                return SendResult(SendOutcome.REJECTED, "550 5.1.1 no such user")
            server.outbox.append(message)
            return SendResult(SendOutcome.ACCEPTED, "250 OK")
        finally:
            server.disconnect()

    async def copy_to_sent(self, message: OutgoingMessage) -> bool:
        self.server.sent_folder.add(message.message_id)
        return True

    async def find_sent(self, message_id: str) -> bool | None:
        if self.server.sent_folder_unreadable:
            return None
        return message_id in self.server.sent_folder

    async def test(self) -> ConnectionTest:
        return ConnectionTest((StepResult(ConnectionTestStep.CONNECT, True), StepResult(ConnectionTestStep.SEND, True)))

    async def close(self) -> None:
        pass


class ScriptedFactory:
    def __init__(self, server: ScriptedServer):
        self.server = server
        self.exchange = ScriptedExchange()

    def incoming(
        self, profile: Profile, mailbox: Mailbox, credentials: Credentials, folders: Sequence[str] = ()
    ) -> ScriptedIncoming:
        return ScriptedIncoming(self.server, mailbox)

    def outgoing(self, profile: Profile, mailbox: Mailbox, credentials: Credentials) -> ScriptedOutgoing:
        return ScriptedOutgoing(self.server, mailbox)

    def act(self, profile: Profile, mailbox: Mailbox, credentials: Credentials) -> ScriptedAct:
        return ScriptedAct(self.exchange)

    def supports(self, profile: Profile, channel: Channel) -> bool:
        return channel in (Channel.INCOMING, Channel.OUTGOING) or (
            channel is Channel.ACT and profile.kind is ProfileKind.EXCHANGE
        )
