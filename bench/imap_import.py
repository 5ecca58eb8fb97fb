"""Benchmark: the first import of a mailbox of realistic mail from Dovecot IMAP into a fresh SQLite store.

Starts its own Dovecot (tests/servers) with one account holding N messages of a few kB each
(plain text, text + HTML, small attachments; some replies, some Cc), sets up a user tracking all
mail with the admin CLI, then imports the mailbox through the real engine over IMAPS:

  A. cycles back to back (each the engine's own cycle of at most 500 mails, the next started as
     soon as the last ends): how fast the engine itself imports;
  B. (with --schedule) the engine's own schedule (``Engine.run``, as ``desktop-sync engine run``
     does): how long an admin waits for a first import, the pauses between cycles included (a
     cycle takes at most 500 mails; the next one starts about 5 s after it ends).

  C. (with --connector) the IMAP connector alone, as the engine drives it (cycles of 500 mails in
     batches of 50, each cycle resuming from the last cursor) with nothing parsed or stored: what
     the IMAP path costs, and how fast it could feed an engine that kept up.

Prints wall time, messages per second and peak memory (the process's resident high-water mark,
reset before each phase; tracemalloc's peak with --tracemalloc, which slows the run).
Aim: at least 1,000 messages/s, and peak memory under 250 MB whatever the mailbox size.

    .venv/bin/python bench/imap_import.py [--messages 10000] [--schedule] [--connector] [--tracemalloc]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import datetime as dt
import imaplib
import io
import random
import resource
import shutil
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import keyring
import keyring.backend

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import contextlib

from servers.dovecot import DovecotServer
from servers.ports import LOOPBACK
from servers.tls import make_temp_ca

from desktop_sync import cli
from desktop_sync.connectors.factory import MailConnectorFactory
from desktop_sync.connectors.imap import BATCH_SIZE, ImapIncoming
from desktop_sync.domain.model import Endpoint, Profile, ProfileKind, Security
from desktop_sync.domain.ports.connectors import Credentials
from desktop_sync.engine.engine import Engine, EngineSettings
from desktop_sync.secrets import KeyringSecrets
from desktop_sync.store import open_store

WORDS = (  # noqa: SIM905 - a paragraph reads better than a list of 38 strings
    "order invoice delivery quote meeting schedule contract renewal price discount shipment "
    "warehouse pallet chairs tables support ticket account payment reminder thanks regards please "
    "confirm update next week tomorrow attached document signed project budget review question "
    "answer customer team"
).split()
NAMES = ["Carol Customer", "Dan Buyer", "Erin Ops", "Frank Finance", "Grace Sales", "Heidi Logistik", "Iván Pérez"]


class MemoryKeyring(keyring.backend.KeyringBackend):
    """Passwords in a dict, for this process only."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.passwords.pop((service, username), None)


# --- the mailbox


def paragraph(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return "\r\n".join(text[i : i + 72] for i in range(0, len(text), 72))


def realistic(n: int, to: str, rng: random.Random) -> bytes:
    """Message n: 60 % plain text, 25 % text + HTML, 15 % with a small attachment; a few kB each."""
    name = rng.choice(NAMES)
    sender = f"{name.split()[0].lower()}.{n % 211}@customer{n % 37}.test"
    display = name if name.isascii() else "=?utf-8?b?" + base64.b64encode(name.encode()).decode() + "?="
    when = dt.datetime(2026, 1, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=47 * n)
    head = [
        f"From: {display} <{sender}>",
        f"To: Alice Seller <{to}>",
        f"Subject: {'Re: ' if n % 4 == 0 else ''}{rng.choice(WORDS).capitalize()} {rng.choice(WORDS)} #{n}",
        f"Message-ID: <bench.{n}.{rng.getrandbits(48):012x}@customer{n % 37}.test>",
        f"Date: {when.strftime('%a, %d %b %Y %H:%M:%S +0000')}",
        "MIME-Version: 1.0",
    ]
    if n % 5 == 0:
        head.append(f"Cc: {rng.choice(NAMES).split()[0]} <cc{n % 53}@customer{n % 37}.test>")
    if n % 4 == 0 and n > 0:
        earlier = f"<bench.{n - 1}.reply@customer{(n - 1) % 37}.test>"
        head += [f"In-Reply-To: {earlier}", f"References: {earlier}"]
    text = paragraph(rng, rng.randint(150, 600))
    kind = n % 20
    if kind < 12:
        head.append("Content-Type: text/plain; charset=utf-8")
        body = text
    elif kind < 17:
        html = "".join(f"<p>{paragraph(rng, 60)}</p>\r\n" for _ in range(rng.randint(3, 8)))
        head.append('Content-Type: multipart/alternative; boundary="alt"')
        body = (
            f"--alt\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{text}\r\n"
            f"--alt\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<html><body>{html}</body></html>\r\n--alt--"
        )
    else:
        attached = base64.encodebytes(rng.randbytes(rng.randint(2000, 8000))).decode().replace("\n", "\r\n")
        head.append('Content-Type: multipart/mixed; boundary="mix"')
        body = (
            f"--mix\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{text}\r\n"
            f'--mix\r\nContent-Type: application/pdf; name="doc{n}.pdf"\r\n'
            f'Content-Disposition: attachment; filename="doc{n}.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
            f"{attached}--mix--"
        )
    return ("\r\n".join(head) + "\r\n\r\n" + body + "\r\n").encode()


def seed(dovecot: DovecotServer, user: str, address: str, count: int) -> int:
    rng = random.Random(10_000)
    total = 0
    for n in range(count):
        raw = realistic(n, address, rng)
        total += len(raw)
        dovecot.deliver(user, raw)
    return total


def warm_index(dovecot: DovecotServer, user: str, password: str) -> int:
    """A first SELECT, so Dovecot builds its index as a long-running server would have it already."""
    imap = imaplib.IMAP4(LOOPBACK, dovecot.ports["imap"], timeout=300)
    try:
        imap.login(user, password)
        _, data = imap.select("INBOX", readonly=True)
        return int(data[0] or 0)
    finally:
        imap.logout()


# --- the store and the engine


_INITIALISED: set[str] = set()


def admin(db: str, *argv: str, stdin: str = "") -> str:
    out, err = io.StringIO(), io.StringIO()
    if db not in _INITIALISED:  # a store named by --db is created by init only
        _INITIALISED.add(db)
        said = io.StringIO()
        if cli.main(["--db", db, "init"], out=said, err=said) != 0:
            raise SystemExit(f"desktop-sync --db {db} init failed: {said.getvalue()}")
    code = cli.main(["--db", db, *argv], out=out, err=err, stdin=io.StringIO(stdin))
    if code != 0:
        raise SystemExit(f"desktop-sync {' '.join(argv)} failed ({code}): {err.getvalue()}")
    return out.getvalue()


def set_up_store(db: str, dovecot: DovecotServer, ca: Path, user: str, password: str, address: str) -> None:
    port = str(dovecot.ports["imaps"])
    admin(
        db,
        "profile",
        "add",
        "Corp",
        "--kind",
        "imap",
        "--incoming-host",
        "localhost",
        "--incoming-port",
        port,
        "--ca-file",
        str(ca),
    )
    admin(db, "user", "add", address, "--name", "Alice Seller")
    admin(db, "user", "tracking", address, "all")
    admin(
        db,
        "mailbox",
        "add",
        address,
        "--profile",
        "Corp",
        "--user",
        address,
        "--login",
        user,
        "--password-stdin",
        stdin=password,
    )
    admin(db, "mailbox", "approve", address)
    admin(db, "mailbox", "test-enable", address)


def reset_peak_rss() -> None:
    """Reset the kernel's resident high-water mark (Linux); harmless where it cannot be done."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def peak_rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def count_activities(store: object) -> int:
    async with store.transaction() as tx:  # type: ignore[attr-defined]
        return int(await tx.activities.count())


async def back_to_back(db: str, expected: int, trace: bool, batch_size: int) -> dict[str, float]:
    """Phase A: the engine's cycles one after another, as fast as they go."""
    store = open_store(db)
    offset = dt.timedelta()

    def clock() -> dt.datetime:
        return dt.datetime.now(dt.UTC) + offset

    engine = Engine(
        store=store,
        connectors=MailConnectorFactory(batch_size=batch_size),
        secrets=KeyringSecrets(),
        settings=EngineSettings(push=False),
        clock=clock,
    )
    await engine.start()
    reset_peak_rss()
    if trace:
        tracemalloc.start()
    cycles = 0
    started = time.perf_counter()
    cpu = time.process_time()
    try:
        while engine.items_committed < expected:
            before = engine.items_committed
            await engine.run_once()
            cycles += 1
            offset += dt.timedelta(minutes=15)  # the mailbox is due again at once
            if engine.items_committed == before:
                break
        wall = time.perf_counter() - started
        cpu = time.process_time() - cpu
        traced = tracemalloc.get_traced_memory()[1] / 2**20 if trace else float("nan")
    finally:
        if trace:
            tracemalloc.stop()
        await engine.stop()
        imported = await count_activities(store)
        await store.close()
    return {
        "imported": imported,
        "cycles": cycles,
        "wall": wall,
        "cpu": cpu,
        "rss": peak_rss_mb(),
        "traced": traced,
    }


async def on_schedule(db: str, expected: int, limit: float) -> dict[str, float]:
    """Phase B: ``Engine.run`` with its default settings, until the mailbox is imported."""
    store = open_store(db)
    engine = Engine(store=store, connectors=MailConnectorFactory(), secrets=KeyringSecrets())
    await engine.start()
    reset_peak_rss()
    started = time.perf_counter()
    runner = asyncio.create_task(engine.run())
    try:
        while engine.items_committed < expected and time.perf_counter() - started < limit:
            await asyncio.sleep(0.2)
        wall = time.perf_counter() - started
    finally:
        engine.request_stop()
        await runner
        await engine.stop()
        imported = await count_activities(store)
        await store.close()
    return {"imported": imported, "cycles": engine.cycles_run, "wall": wall, "rss": peak_rss_mb()}


async def connector_alone(
    dovecot: DovecotServer, ca: Path, user: str, password: str, expected: int, batch_size: int
) -> dict[str, float]:
    """Phase C: ImapIncoming.fetch drained cycle after cycle, as the engine would, without the engine."""
    profile = Profile(
        name="Corp",
        kind=ProfileKind.IMAP,
        incoming=Endpoint("localhost", dovecot.ports["imaps"], Security.TLS),
        ca_file=str(ca),
    )
    cursors: dict[str, str] = {}
    fetched = cycles = 0
    reset_peak_rss()
    started, cpu = time.perf_counter(), time.process_time()
    while fetched < expected:
        connector = ImapIncoming(profile, Credentials(user, password), batch_size=batch_size)
        try:
            before = fetched
            async for batch in connector.fetch(cursors, None, 500):
                fetched += len(batch.items)
                cursors[batch.cursor.folder] = batch.cursor.value
        finally:
            await connector.close()
        cycles += 1
        if fetched == before:
            break
    return {
        "imported": fetched,
        "cycles": cycles,
        "wall": time.perf_counter() - started,
        "cpu": time.process_time() - cpu,
        "rss": peak_rss_mb(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--schedule", action="store_true", help="also phase B (adds 5 s between cycles of 500)")
    parser.add_argument("--tracemalloc", action="store_true", help="also trace Python allocations in phase A")
    parser.add_argument("--connector", action="store_true", help="also phase C: the IMAP connector alone")
    parser.add_argument("--batch-size", type=int, default=BATCH_SIZE, help=f"mails per batch (default {BATCH_SIZE})")
    args = parser.parse_args()
    keyring.set_keyring(MemoryKeyring())
    ca_dir, tls = make_temp_ca()
    work = Path(tempfile.mkdtemp(prefix="desktop-sync-bench-"))
    try:
        with DovecotServer(tls) as dovecot:
            account = dovecot.add_user("alice.bench", "bench-pw")
            started = time.perf_counter()
            size = seed(dovecot, account.name, account.address, args.messages)
            seeded = time.perf_counter() - started
            started = time.perf_counter()
            exists = warm_index(dovecot, account.name, account.password)
            indexed = time.perf_counter() - started
            print(
                f"{exists} messages, {size / 2**20:.1f} MB ({size / args.messages / 1024:.1f} kB on average) "
                f"delivered in {seeded:.1f} s, indexed by Dovecot in {indexed:.1f} s (not measured)"
            )
            phases = [("A", "cycles back to back")]
            if args.schedule:
                phases.append(("B", "the engine's own schedule"))
            if args.connector:
                phases.append(("C", "the IMAP connector alone (nothing parsed or stored)"))
            for phase, title in phases:
                db = f"sqlite:///{work / f'phase-{phase}.sqlite3'}"
                if phase != "C":
                    set_up_store(db, dovecot, tls.ca_cert, account.name, account.password, account.address)
                if phase == "C":
                    result = asyncio.run(
                        connector_alone(
                            dovecot, tls.ca_cert, account.name, account.password, args.messages, args.batch_size
                        )
                    )
                elif phase == "A":
                    result = asyncio.run(back_to_back(db, args.messages, args.tracemalloc, args.batch_size))
                else:
                    result = asyncio.run(on_schedule(db, args.messages, limit=600))
                rate = result["imported"] / result["wall"] if result["wall"] else float("nan")
                print(f"\n{phase}. {title}: {int(result['imported'])} of {args.messages} imported")
                print(f"   wall time        {result['wall']:8.1f} s in {int(result['cycles'])} cycles")
                print(f"   messages/s       {rate:8.0f}   (aim >= 1,000)")
                if "cpu" in result:
                    print(f"   CPU              {result['cpu']:8.1f} s of this process")
                print(f"   peak RSS         {result['rss']:8.0f} MB (aim < 250 MB)")
                if phase == "A" and args.tracemalloc:
                    print(f"   tracemalloc peak {result['traced']:8.0f} MB")
    finally:
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(ca_dir, ignore_errors=True)
    print(f"\nprocess max RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
