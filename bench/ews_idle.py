"""Benchmark: a no-change cycle of 200 Exchange mailboxes through the engine, against the EWS test server.

The EWS test server runs in a child process (bench/ews_support.py) with N empty mailboxes. The store
holds one Exchange profile and N approved mailboxes with incoming mail enabled, either behind the
profile's service account (impersonation, one shared pool of max_connections) or each with its own
credentials (delegate access). The engine runs one cycle of every mailbox (the first: it takes each
folder's SyncState), then the measured cycles, where nothing changed on the server.

Prints, per measured cycle, the EWS requests per mailbox folder (aim: one SyncFolderItems), the
requests by operation, the connections the server saw, and the wall time.

    .venv/bin/python bench/ews_idle.py [--mailboxes 200] [--cycles 2] [--credentials {profile,mailbox}]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

import keyring
import keyring.backend
from ews_support import ServerProcess

from desktop_sync.connectors.factory import MailConnectorFactory
from desktop_sync.domain.model import (
    ApprovalState,
    ChannelState,
    ConnectionTestStatus,
    CredentialsOn,
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

PASSWORD = "bench-pw"


class BenchKeyring(keyring.backend.KeyringBackend):
    """Every account has the same password; nothing leaves the process."""

    priority = 1

    def get_password(self, service: str, username: str) -> str | None:
        return PASSWORD

    def set_password(self, service: str, username: str, password: str) -> None:
        pass

    def delete_password(self, service: str, username: str) -> None:
        pass


async def populate(db: str, url: str, addresses: list[str], credentials_on: CredentialsOn, limit: int) -> None:
    store = open_store(db)
    on = ChannelState(SyncMethod.SERVER_SIDE, True, ConnectionTestStatus.SUCCESS)
    async with store.transaction() as tx:
        profile = await tx.profiles.add(
            Profile(
                name="Exchange",
                kind=ProfileKind.EXCHANGE,
                incoming=Endpoint("127.0.0.1", 80, Security.NONE),
                ews_url=url,
                allow_insecure=True,
                credentials_on=credentials_on,
                login="svc" if credentials_on is CredentialsOn.PROFILE else None,
                max_connections=limit,
            )
        )
        assert profile.id is not None
        for address in addresses:
            login = address.split("@")[0] if credentials_on is CredentialsOn.MAILBOX else None
            await tx.mailboxes.add(
                Mailbox(address, profile.id, login=login, approval=ApprovalState.APPROVED, incoming=on)
            )
    await store.close()


async def measure(db: str, server: ServerProcess, cycles: int, workers: int) -> list[dict[str, object]]:
    store = open_store(db)
    now = [dt.datetime.now(dt.UTC)]
    connectors = MailConnectorFactory()
    engine = Engine(
        store=store,
        connectors=connectors,
        secrets=KeyringSecrets(),
        settings=EngineSettings(mailbox_workers=workers, push=False),
        clock=lambda: now[0],
    )
    await engine.start()
    results = []
    try:
        for cycle in range(cycles + 1):
            server.call("reset")
            started = time.perf_counter()
            cpu = time.process_time()
            await engine.run_once()
            results.append(
                {
                    "cycle": cycle,
                    "wall": time.perf_counter() - started,
                    "cpu": time.process_time() - cpu,
                    "stats": server.call("stats"),
                    "runs": engine.cycles_run,
                }
            )
            now[0] += dt.timedelta(minutes=13)  # every mailbox is due again
    finally:
        await engine.stop()
        await store.close()
        connectors.close()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mailboxes", type=int, default=200)
    parser.add_argument("--cycles", type=int, default=2)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--max-connections", type=int, default=10)
    parser.add_argument("--credentials", choices=("profile", "mailbox"), default="profile")
    args = parser.parse_args()
    keyring.set_keyring(BenchKeyring())
    addresses = [f"user{n}@example.test" for n in range(args.mailboxes)]
    credentials_on = CredentialsOn(args.credentials)
    accounts = [(address, PASSWORD, False) for address in addresses] + [("svc@example.test", PASSWORD, True)]
    with ServerProcess(accounts) as server, tempfile.TemporaryDirectory(prefix="desktop-sync-bench-") as tmp:
        db = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        asyncio.run(populate(db, server.url, addresses, credentials_on, args.max_connections))
        how = "the profile's service account (impersonation)" if args.credentials == "profile" else "their own"
        print(f"{args.mailboxes} mailboxes with {how} credentials, max {args.max_connections} connections")
        results = asyncio.run(measure(db, server, args.cycles, args.workers))
    columns = ("cycle", 5), ("wall s", 7), ("cpu s", 6), ("req/folder", 10), ("SyncFolderItems", 15), ("conns", 6)
    print(" ".join(f"{name:>{width}}" for name, width in columns) + f" {'peak':>5}  requests")
    for result in results:
        stats = result["stats"]
        assert isinstance(stats, dict)
        requests: dict[str, int] = stats["requests"]
        total = sum(requests.values())
        label = "first" if result["cycle"] == 0 else str(result["cycle"])
        print(
            f"{label:>5} {result['wall']:7.2f} {result['cpu']:6.2f} {total / args.mailboxes:10.2f} "
            f"{requests.get('SyncFolderItems', 0):>15} {stats['connections_total']:>6} {stats['connections_peak']:>5}  "
            + ", ".join(f"{op} {n}" for op, n in sorted(requests.items()))
        )
    steady = results[1:]
    if steady:
        mean = sum(float(r["wall"]) for r in steady) / len(steady)  # type: ignore[arg-type]
        print(f"no-change cycle of {args.mailboxes} mailboxes: {mean:.2f} s wall (aim: one SyncFolderItems per folder)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
