"""Benchmark: a no-change poll of 200 IMAP mailboxes after their first sync.

Starts its own Dovecot (tests/servers) with 200 accounts holding two messages each, and a store
with one mailbox per account. The engine syncs them all once, then polls them all again with
nothing new on the server; that second pass is measured.

  A. through a counting proxy in clear text (the proxy reads the commands): connections, IMAP
     commands and bytes per mailbox, and which commands;
  B. straight to Dovecot over implicit TLS, as in production: wall time of the poll.

The engine parks each mailbox's IMAP connection between cycles (connectors/imap_pool.py), at most
``--parked-per-server`` per server (the factory's default unless given). The bench's Dovecot is
sized as a server for that many clients would be: ``default_process_limit = 1000`` (Dovecot's
default of 100 login processes, each holding one TLS connection, would queue the rest).

Aim: one round trip per mailbox folder.

    .venv/bin/python bench/imap_idle_poll.py [--mailboxes 200] [--workers 8] [--parked-per-server N]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import datetime as dt
import re
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import keyring
import keyring.backend

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from servers.dovecot import DovecotServer
from servers.ports import LOOPBACK
from servers.tls import make_temp_ca

from desktop_sync.connectors.factory import MailConnectorFactory
from desktop_sync.connectors.imap_pool import PER_SERVER
from desktop_sync.domain.model import (
    ApprovalState,
    ChannelState,
    ConnectionTestStatus,
    Endpoint,
    Mailbox,
    Profile,
    ProfileKind,
    Security,
    SyncMethod,
)
from desktop_sync.engine.engine import Engine, EngineSettings
from desktop_sync.secrets import KeyringSecrets
from desktop_sync.store import open_store

PASSWORD_SUFFIX = "-pw"
COMMAND = re.compile(rb"^[A-Za-z0-9]+ (UID [A-Za-z]+|[A-Za-z]+)")
LITERAL = re.compile(rb"\{(\d+)\+?\}\r\n$")


class DerivedKeyring(keyring.backend.KeyringBackend):
    """The password of mailbox:NAME@domain is NAME-pw, as the bench's Dovecot accounts have it."""

    priority = 1

    def get_password(self, service: str, username: str) -> str | None:
        return username.removeprefix("mailbox:").partition("@")[0] + PASSWORD_SUFFIX

    def set_password(self, service: str, username: str, password: str) -> None:
        pass

    def delete_password(self, service: str, username: str) -> None:
        pass


class SizedDovecot(DovecotServer):
    """The test Dovecot with room for a thousand login processes (each TLS connection holds one)."""

    def _write_config(self) -> None:
        super()._write_config()
        assert self.root is not None
        config = self.root / "dovecot.conf"
        config.write_text(config.read_text() + "default_process_limit = 1000\ndefault_client_limit = 4000\n")


class CountingProxy:
    """Forwards to Dovecot's clear-text IMAP port and counts connections, client commands and bytes."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.connections = 0
        self.commands: collections.Counter[str] = collections.Counter()
        self.bytes_up = 0
        self.bytes_down = 0
        self.frozen = False
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.sockets[0].getsockname()[1])

    def reset(self) -> None:
        self.connections, self.bytes_up, self.bytes_down = 0, 0, 0
        self.commands.clear()
        self.frozen = False

    def freeze(self) -> None:
        """Stop counting; traffic still flows."""
        self.frozen = True

    async def start(self) -> CountingProxy:
        self._server = await asyncio.start_server(self._serve, LOOPBACK, 0)
        return self

    async def _serve(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        if not self.frozen:
            self.connections += 1
        server_reader, server_writer = await asyncio.open_connection(LOOPBACK, self.target_port)

        async def upstream() -> None:
            skip = 0  # bytes of a literal still to come: data, not commands
            while line := await client_reader.readline():
                if self.frozen:
                    server_writer.write(line)
                    await server_writer.drain()
                    continue
                self.bytes_up += len(line)
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
                self.bytes_down += 0 if self.frozen else len(data)
                client_writer.write(data)
                await client_writer.drain()

        pumps = [asyncio.ensure_future(upstream()), asyncio.ensure_future(downstream())]
        try:
            await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for pump in pumps:
                pump.cancel()
            await asyncio.gather(*pumps, return_exceptions=True)
            for writer in (client_writer, server_writer):
                writer.close()
                with contextlib.suppress(ConnectionError, OSError):
                    await writer.wait_closed()
            self._tasks.discard(task)

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


def mail(n: int, to: str) -> bytes:
    return (
        f"From: Carol <carol@customer.test>\r\nTo: {to}\r\nSubject: order {n}\r\n"
        f"Message-ID: <order{n}.{to}>\r\nDate: Wed, 25 Nov 2026 10:00:00 +0000\r\n\r\nPlease ship order {n}.\r\n"
    ).encode()


async def populate(url: str, endpoint: Endpoint, accounts: list[tuple[str, str]], ca_file: Path | None) -> None:
    store = open_store(url)
    on = ChannelState(SyncMethod.SERVER_SIDE, True, ConnectionTestStatus.SUCCESS)
    try:
        async with store.transaction() as tx:
            profile = await tx.profiles.add(
                Profile(
                    name="Bench",
                    kind=ProfileKind.IMAP,
                    incoming=endpoint,
                    allow_insecure=endpoint.security is Security.NONE,
                    ca_file=str(ca_file) if ca_file else None,
                    timeout_seconds=30,
                )
            )
            assert profile.id is not None
            for name, address in accounts:
                await tx.mailboxes.add(
                    Mailbox(address, profile.id, login=name, approval=ApprovalState.APPROVED, incoming=on)
                )
    finally:
        await store.close()


async def measure(url: str, workers: int, proxy: CountingProxy | None, per_server: int) -> dict[str, float]:
    """The first sync (not measured), then the no-change poll (measured)."""
    store = open_store(url)
    now = [dt.datetime.now(dt.UTC)]
    factory = MailConnectorFactory(imap_parked_per_server=per_server)
    engine = Engine(
        store=store,
        connectors=factory,
        secrets=KeyringSecrets(),
        settings=EngineSettings(mailbox_workers=workers, push=False),
        clock=lambda: now[0],
    )
    await engine.start()
    try:
        await engine.run_once()
        first_items = engine.items_committed
        now[0] += dt.timedelta(minutes=15)  # every mailbox is due again; nothing changed on the server
        if proxy is not None:
            proxy.reset()
        cycles_before = engine.cycles_run
        reused_before = factory.imap_pool.reused
        wall, cpu = time.perf_counter(), time.process_time()
        await engine.run_once()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        if proxy is not None:
            proxy.freeze()  # what the engine's stop says to the server (LOGOUTs) is not part of the poll
        return {
            "reused": factory.imap_pool.reused - reused_before,
            "first_items": first_items,
            "new_items": engine.items_committed - first_items,
            "polls": engine.cycles_run - cycles_before,
            "wall": wall,
            "cpu": cpu,
        }
    finally:
        await engine.stop()
        await store.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mailboxes", type=int, default=200)
    parser.add_argument("--workers", type=int, default=8, help="the engine's mailbox workers (default 8)")
    parser.add_argument(
        "--parked-per-server",
        type=int,
        default=PER_SERVER,
        help=f"IMAP connections parked between cycles per server (default {PER_SERVER}, the factory's)",
    )
    args = parser.parse_args()
    keyring.set_keyring(DerivedKeyring())
    ca_dir, tls = make_temp_ca()
    work = Path(tempfile.mkdtemp(prefix="desktop-sync-bench-"))
    try:
        with SizedDovecot(tls) as dovecot:
            accounts = []
            for n in range(args.mailboxes):
                user = dovecot.add_user(f"poll{n}", f"poll{n}{PASSWORD_SUFFIX}")
                dovecot.deliver(user.name, mail(1, user.address))
                dovecot.deliver(user.name, mail(2, user.address))
                accounts.append((user.name, user.address))
            print(
                f"{args.mailboxes} Dovecot accounts with 2 messages each; engine with {args.workers} workers; "
                f"at most {args.parked_per_server} IMAP connections parked"
            )

            async def counted() -> tuple[dict[str, float], CountingProxy]:
                proxy = await CountingProxy(dovecot.ports["imap"]).start()
                try:
                    url = f"sqlite:///{work / 'clear.sqlite3'}"
                    await populate(url, Endpoint("localhost", proxy.port, Security.NONE), accounts, None)
                    return await measure(url, args.workers, proxy, args.parked_per_server), proxy
                finally:
                    await proxy.close()

            result, proxy = asyncio.run(counted())
            polls = result["polls"] or float("nan")
            commands = sum(proxy.commands.values())
            print(f"\nA. no-change poll through a counting proxy (clear text): {int(result['polls'])} polls")
            print(f"   first sync imported {int(result['first_items'])} mails; the poll {int(result['new_items'])}")
            print(f"   connections per mailbox   {proxy.connections / polls:6.2f}")
            print(f"   parked connections reused {result['reused'] / polls:6.2f} per mailbox")
            print(f"   IMAP commands per mailbox {commands / polls:6.2f}   (aim: 1 per folder; 1 folder each)")
            print(f"   round trips per mailbox   {(commands + proxy.connections) / polls:6.2f}   (commands + greeting)")
            print(f"   bytes per mailbox         {proxy.bytes_up / polls:6.0f} up, {proxy.bytes_down / polls:.0f} down")
            mix = ", ".join(f"{name} {count / polls:.2f}" for name, count in proxy.commands.most_common())
            print(f"   commands per mailbox:     {mix}")
            print(f"   wall time                 {result['wall']:6.2f} s")

            url = f"sqlite:///{work / 'tls.sqlite3'}"
            endpoint = Endpoint("localhost", dovecot.ports["imaps"], Security.TLS)
            asyncio.run(populate(url, endpoint, accounts, tls.ca_cert))
            result = asyncio.run(measure(url, args.workers, None, args.parked_per_server))
            print(f"\nB. no-change poll over implicit TLS: {int(result['polls'])} polls")
            print(f"   parked connections reused {result['reused'] / polls:6.2f} per mailbox")
            for label, key in (("wall time", "wall"), ("engine CPU", "cpu")):
                value = result[key]
                print(f"   {label:<25} {value:6.2f} s ({value / polls * 1000:.1f} ms per mailbox)")
    finally:
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(ca_dir, ignore_errors=True)
    print(f"\nprocess max RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
