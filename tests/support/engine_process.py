"""Runs an engine over the file server in its own process, for kill and lease tests.

    python -m support.engine_process DB_URL MAIL_ROOT [--seconds N] [--lease-ttl S] [--pause S]

The password comes from the environment (ENGINE_TEST_PASSWORD), set into a memory keyring.
"""

from __future__ import annotations

import argparse
import asyncio
import os
from pathlib import Path

import keyring
import keyring.backend

from desktop_sync.engine.engine import Engine, EngineSettings
from desktop_sync.secrets import KeyringSecrets
from desktop_sync.store import open_store
from support.file_server import FileFactory


class EnvKeyring(keyring.backend.KeyringBackend):
    priority = 1

    def get_password(self, service: str, username: str) -> str | None:
        return os.environ.get("ENGINE_TEST_PASSWORD")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise NotImplementedError

    def delete_password(self, service: str, username: str) -> None:
        raise NotImplementedError


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("db")
    parser.add_argument("root")
    parser.add_argument("--seconds", type=float, default=None)
    parser.add_argument("--lease-ttl", type=float, default=60.0)
    parser.add_argument("--pause", type=float, default=0.01)
    args = parser.parse_args()
    keyring.set_keyring(EnvKeyring())
    store = open_store(args.db)
    settings = EngineSettings(
        tick_seconds=0.05,
        refresh_seconds=min(1.0, args.lease_ttl / 3),
        request_poll_seconds=0.5,
        lease_ttl_seconds=args.lease_ttl,
        push=False,
    )
    engine = Engine(
        store=store,
        connectors=FileFactory(Path(args.root), pause=args.pause),
        secrets=KeyringSecrets(),
        settings=settings,
    )
    await engine.start()
    print("started", flush=True)
    try:
        await engine.run(duration=args.seconds)
    finally:
        await engine.stop()
        await store.close()


if __name__ == "__main__":
    asyncio.run(main())
