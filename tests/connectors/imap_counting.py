"""A proxy in front of Dovecot that shows what the server sees: connections open at once, and the
IMAP commands sent (in clear text)."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import re

from connectors.mailkit import TcpProxy
from servers.ports import LOOPBACK

COMMAND = re.compile(rb"^[A-Za-z0-9]+ (UID [A-Za-z]+|[A-Za-z]+)")
LITERAL = re.compile(rb"\{(\d+)\+?\}\r\n$")


class CountingProxy(TcpProxy):
    """Counts connections open at once (``open``, ``peak``) and, with ``commands_in_clear``, the commands."""

    def __init__(self, target_port: int, *, commands_in_clear: bool = True) -> None:
        super().__init__(target_port)
        self.commands_in_clear = commands_in_clear
        self.open = 0
        self.peak = 0
        self.commands: collections.Counter[str] = collections.Counter()

    async def serve(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        self.open += 1
        self.peak = max(self.peak, self.open)
        server_reader, server_writer = await asyncio.open_connection(LOOPBACK, self.target_port)
        self._writers.add(server_writer)

        async def upstream() -> None:
            if not self.commands_in_clear:  # TLS: bytes only
                while data := await client_reader.read(65536):
                    server_writer.write(data)
                    await server_writer.drain()
                return
            skip = 0  # bytes of a literal still to come: data, not commands
            while line := await client_reader.readline():
                if skip > 0:
                    skip -= len(line)
                else:
                    match = COMMAND.match(line)
                    if match:
                        self.commands[match.group(1).decode().upper()] += 1
                    literal = LITERAL.search(line)
                    if literal:
                        skip = int(literal.group(1))
                server_writer.write(line)
                await server_writer.drain()

        async def downstream() -> None:
            while data := await server_reader.read(65536):
                client_writer.write(data)
                await client_writer.drain()

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
            self.open -= 1
