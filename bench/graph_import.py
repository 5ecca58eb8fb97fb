"""Benchmark: Exchange Online through Microsoft Graph against the Graph test server — the first import of a
large mailbox, and what an idle cycle costs per folder — printed next to the EWS figures.

The OAuth test provider and the Graph test server run in a child process (bench/graph_support.py), with
every answer still checked against Microsoft's metadata. Three phases, each in a fresh state:

  A. the connector alone: ``GraphIncoming.fetch`` from no cursor to the end, 500 at a time as the engine
     asks (delta pages of 200, MIME by $batch of 20 $value);
  B. the engine: its cycles back to back into a fresh SQLite store (each cycle at most 500 messages,
     committed with the folder's next or delta link), the tracked category written back;
  C. idle: N mailboxes whose first cycle is done (and whose category echo is absorbed), then the measured
     cycles where nothing changed: Graph requests per folder (aim: one delta request) and wall time.

Then, unless ``--no-ews``, the same sizes through EWS (bench/ews_import.py and bench/ews_idle.py).

    .venv/bin/python bench/graph_import.py [--messages 10000] [--body 2000] [--mailboxes 50] [--no-ews]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import keyring
from ews_support import MemoryKeyring, peak_rss_mb, reset_peak_rss
from graph_support import TESTS, AppTokens, GraphServers

from desktop_sync.connectors.factory import MailConnectorFactory
from desktop_sync.domain.model import (
    ApprovalState,
    AuthMethod,
    ChannelState,
    ConnectionTestStatus,
    CredentialsOn,
    Endpoint,
    Mailbox,
    MailboxId,
    Profile,
    ProfileId,
    ProfileKind,
    Security,
    SyncMethod,
    TrackingChoice,
    User,
    profile_secret_key,
)
from desktop_sync.domain.ports.connectors import Credentials
from desktop_sync.engine.engine import Engine, EngineSettings
from desktop_sync.secrets import KeyringSecrets
from desktop_sync.store import open_store

sys.path.insert(0, str(TESTS))
from graph.engine_kit import BearerFactory  # the tests' factory: the profile's tokens as the bearer

ALICE = "alice@contoso.test"
BENCH = Path(__file__).resolve().parent


def profile_of(servers: GraphServers) -> Profile:
    host, port = servers.url.split("//")[1].split("/")[0].split(":")
    return Profile(
        "Exchange Online",
        ProfileKind.EXCHANGE_ONLINE,
        Endpoint(host, int(port), Security.TLS),
        auth=AuthMethod.OAUTH2,
        credentials_on=CredentialsOn.PROFILE,
        login="bench-service-app",
        ca_file=servers.ca,
        oauth=servers.oauth(),
        id=ProfileId(1),
    )


async def connector_phase(servers: GraphServers, expected: int) -> dict[str, float]:
    factory = MailConnectorFactory()
    tokens = AppTokens(servers.oauth())
    credentials = Credentials("bench-service-app", None, bearer=tokens)
    connector = factory.incoming(profile_of(servers), Mailbox(ALICE, ProfileId(1), id=MailboxId(1)), credentials)
    cursors: dict[str, str] = {}
    count = 0
    await tokens.token()  # the sign-in is not the import
    reset_peak_rss()
    started, cpu = time.perf_counter(), time.process_time()
    try:
        while True:
            more = False
            async for batch in connector.fetch(cursors, None, 500):
                count += len(batch.items)
                more = batch.more
                if batch.cursor is not None:
                    cursors[batch.cursor.folder] = batch.cursor.value
            if not more:
                break
    finally:
        await connector.close()
        factory.close()
    return {"imported": count, "wall": time.perf_counter() - started, "cpu": time.process_time() - cpu,
            "rss": peak_rss_mb()}  # fmt: skip


async def populate(db: str, servers: GraphServers, addresses: list[str]) -> None:
    store = open_store(db)
    on = ChannelState(SyncMethod.SERVER_SIDE, True, ConnectionTestStatus.SUCCESS)
    async with store.transaction() as tx:
        profile = await tx.profiles.add(profile_of(servers))
        assert profile.id is not None
        for address in addresses:
            user = await tx.users.add(User(address, address.split("@")[0], tracking=TrackingChoice.ALL))
            await tx.mailboxes.add(
                Mailbox(address, profile.id, user_id=user.id, approval=ApprovalState.APPROVED, incoming=on)
            )
    await store.close()
    await KeyringSecrets().set_secret(profile_secret_key("Exchange Online"), "bench-service-secret")


async def engine_run(db: str, servers: GraphServers, phases: list[tuple[str, int]]) -> list[dict[str, object]]:
    """Run the engine's cycles: for each phase (name, cycles; 0 = until nothing more is imported)."""
    store = open_store(db)
    now = [dt.datetime.now(dt.UTC)]
    connectors = BearerFactory(AppTokens(servers.oauth()))
    engine = Engine(store=store, connectors=connectors, secrets=KeyringSecrets(),
                    settings=EngineSettings(push=False), clock=lambda: now[0])  # fmt: skip
    await engine.start()
    results: list[dict[str, object]] = []
    try:
        for name, cycles in phases:
            servers.call("reset")
            reset_peak_rss()
            started, cpu = time.perf_counter(), time.process_time()
            before, ran = engine.items_committed, 0
            while True:
                committed = engine.items_committed
                await engine.run_once()
                ran += 1
                now[0] += dt.timedelta(minutes=15)  # every mailbox due again
                if (cycles and ran >= cycles) or (not cycles and engine.items_committed == committed):
                    break
            results.append({"phase": name, "cycles": ran, "wall": time.perf_counter() - started,
                            "cpu": time.process_time() - cpu, "imported": engine.items_committed - before,
                            "rss": peak_rss_mb(), "calls": servers.call("calls")})  # fmt: skip
    finally:
        await engine.stop()
        await store.close()
        connectors.close()
    return results


def show_calls(calls: dict[str, int]) -> str:
    return ", ".join(f"{kind} {n}" for kind, n in sorted(calls.items(), key=lambda item: -item[1]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--body", type=int, default=2000, help="body bytes per message")
    parser.add_argument("--mailboxes", type=int, default=50, help="mailboxes of the idle phase")
    parser.add_argument("--no-ews", action="store_true", help="skip the EWS figures")
    args = parser.parse_args()
    keyring.set_keyring(MemoryKeyring())

    with GraphServers([ALICE]) as servers:
        servers.call("deliver_many", ALICE, args.messages, args.body)
        result = asyncio.run(connector_phase(servers, args.messages))
        rate = result["imported"] / result["wall"]
        print("Graph A. connector alone (delta pages of 200, MIME by $batch of 20)")
        print(f"   messages        {result['imported']:>8.0f}")
        print(f"   wall            {result['wall']:8.1f} s   ({rate:.0f} messages/s, CPU {result['cpu']:.1f} s)")
        print(f"   peak RSS        {result['rss']:8.0f} MB")
        print(f"   requests        {show_calls(servers.call('calls'))}")

    with GraphServers([ALICE]) as servers, tempfile.TemporaryDirectory(prefix="desktop-sync-bench-") as tmp:
        servers.call("deliver_many", ALICE, args.messages, args.body)
        db = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        asyncio.run(populate(db, servers, [ALICE]))
        (run,) = asyncio.run(engine_run(db, servers, [("import", 0)]))
        rate = float(run["imported"]) / float(run["wall"])  # type: ignore[arg-type]
        print("\nGraph B. engine: cycles of 500 back to back into SQLite (parse, track, commit with the link)")
        print(f"   imported        {run['imported']:>8.0f} in {run['cycles']} cycles")
        print(f"   wall            {run['wall']:8.1f} s   ({rate:.0f} messages/s, CPU {run['cpu']:.1f} s)")
        print(f"   peak RSS        {run['rss']:8.0f} MB")

    addresses = [f"user{n}@contoso.test" for n in range(args.mailboxes)]
    with GraphServers(addresses) as servers, tempfile.TemporaryDirectory(prefix="desktop-sync-bench-") as tmp:
        for address in addresses:
            servers.call("deliver_many", address, 3, 200)
        db = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        asyncio.run(populate(db, servers, addresses))
        runs = asyncio.run(engine_run(db, servers, [("first", 1), ("echo", 1), ("idle", 1), ("idle", 1)]))
        print(f"\nGraph C. idle cycles of {args.mailboxes} mailboxes (one folder each: the Inbox)")
        for run in runs:
            calls: dict[str, int] = run["calls"]  # type: ignore[assignment]
            per_folder = sum(calls.values()) / args.mailboxes
            print(f"   {run['phase']:<6} {per_folder:5.2f} requests per folder, wall {run['wall']:6.2f} s "
                  f"({float(run['wall']) / args.mailboxes * 1000:.1f} ms per mailbox): {show_calls(calls)}")  # type: ignore[arg-type]  # fmt: skip
        problems = servers.call("invalid")
        print(f"   answers that broke the metadata: {len(problems)}")

    if not args.no_ews:
        print("\nEWS, the same sizes (bench/ews_import.py, bench/ews_idle.py):", flush=True)
        subprocess.run([sys.executable, str(BENCH / "ews_import.py"), "--messages", str(args.messages),
                        "--body", str(args.body)], check=False)  # fmt: skip
        subprocess.run([sys.executable, str(BENCH / "ews_idle.py"), "--mailboxes", str(args.mailboxes)], check=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
