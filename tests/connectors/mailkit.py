"""Helpers of the connector tests: mail to deliver, a look at a mailbox behind the connector's back,
and loopback servers that misbehave on purpose."""

from __future__ import annotations

import asyncio
import contextlib
import imaplib
import itertools
import uuid
from collections.abc import Callable, Iterator
from typing import Any, Self

from servers.dovecot import DovecotServer, MailUser
from servers.ports import LOOPBACK

from desktop_sync.domain.ports.connectors import Credentials

_message_numbers = itertools.count(1)


def make_message(
    subject: str | None = None,
    *,
    to: str = "someone@example.test",
    sender: str = "Carol Customer <carol@example.test>",
    message_id: str | None = None,
    body: str = "Hello from the connector tests.",
    date: str = "Mon, 06 Jan 2025 10:00:00 +0000",
) -> bytes:
    subject = subject or f"test message {next(_message_numbers)}"
    message_id = message_id or f"<{uuid.uuid4()}@example.test>"
    return (
        f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\nMessage-ID: {message_id}\r\n"
        f"Date: {date}\r\n\r\n{body}\r\n"
    ).encode()


def credentials_of(user: MailUser, password: str | None = None) -> Credentials:
    return Credentials(user.name, user.password if password is None else password)


@contextlib.contextmanager
def mailbox_admin(dovecot: DovecotServer, user: MailUser) -> Iterator[imaplib.IMAP4]:
    """A plain imaplib session as ``user``, to look at or change the mailbox behind the connector's back."""
    imap = imaplib.IMAP4(LOOPBACK, dovecot.ports["imap"], timeout=10)
    try:
        imap.login(user.name, user.password)
        yield imap
    finally:
        imap.logout()


def flags_of(dovecot: DovecotServer, user: MailUser, folder: str = "INBOX") -> list[bytes]:
    """The FLAGS of every message of ``folder``, in order."""
    with mailbox_admin(dovecot, user) as imap:
        imap.select(folder, readonly=True)
        status, data = imap.fetch("1:*", "(FLAGS)")
        assert status == "OK"
        return [line for line in data if isinstance(line, bytes)]


# --- loopback servers that misbehave on purpose


class _LoopbackServer:
    """An asyncio server on 127.0.0.1 whose connection handlers are all finished by ``close()``."""

    def __init__(self) -> None:
        self.connections = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._handlers: set[asyncio.Task[Any]] = set()

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.sockets[0].getsockname()[1])

    async def start(self) -> Self:
        self._server = await asyncio.start_server(self._accept, LOOPBACK, 0)
        return self

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        self._writers.add(writer)
        try:
            await self.serve(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            self._writers.discard(writer)
            writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await writer.wait_closed()
            self._handlers.discard(task)

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        raise NotImplementedError

    def drop_all(self) -> None:
        """Close every connection now, as a server restart or a NAT time-out would."""
        for writer in list(self._writers):
            writer.transport.abort()

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        self.drop_all()
        for task in list(self._handlers):
            task.cancel()
        await asyncio.gather(*self._handlers, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()


class ScriptedServer(_LoopbackServer):
    """Sends ``greeting`` and answers each line with ``reply(line)``: bytes to send, or None to hang up.

    ``connections`` counts accepted connections, so a test can prove that nothing connected.
    """

    def __init__(self, greeting: bytes | None, reply: Callable[[bytes], bytes | None] = lambda line: None) -> None:
        super().__init__()
        self.greeting = greeting
        self.reply = reply

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.greeting is not None:
            writer.write(self.greeting)
            await writer.drain()
        while line := await reader.readline():
            answer = self.reply(line)
            if answer is None:
                return
            writer.write(answer)
            await writer.drain()


class TcpProxy(_LoopbackServer):
    """Forwards to ``target_port`` on 127.0.0.1; can drop every connection, or cut one mid-answer.

    With ``cut_when`` set, the first time a client sends bytes containing it, the proxy forwards
    ``cut_after`` more bytes of the server's answer and then closes both sides.
    """

    def __init__(self, target_port: int, *, cut_when: bytes | None = None, cut_after: int = 0) -> None:
        super().__init__()
        self.target_port = target_port
        self.cut_when = cut_when
        self.cut_after = cut_after

    async def serve(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        server_reader, server_writer = await asyncio.open_connection(LOOPBACK, self.target_port)
        self._writers.add(server_writer)
        cut = asyncio.Event()

        async def upstream() -> None:
            while data := await client_reader.read(65536):
                if self.cut_when is not None and self.cut_when in data:
                    self.cut_when = None
                    cut.set()
                server_writer.write(data)
                await server_writer.drain()

        async def downstream() -> None:
            budget: int | None = None
            while data := await server_reader.read(65536):
                if cut.is_set():
                    budget = self.cut_after if budget is None else budget
                    data = data[:budget]
                    budget -= len(data)
                client_writer.write(data)
                await client_writer.drain()
                if budget == 0:
                    return

        pumps = [asyncio.ensure_future(upstream()), asyncio.ensure_future(downstream())]
        try:
            await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for pump in pumps:
                pump.cancel()
            await asyncio.gather(*pumps, return_exceptions=True)
            self._writers.discard(server_writer)
            server_writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await server_writer.wait_closed()
