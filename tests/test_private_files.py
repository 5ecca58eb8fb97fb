"""What the product writes is its owner's only, and no secret is part of a key or a repr.

The data, config and log directories are 0700 and the store, settings and log files 0600 whatever
the umask; connection reuse keys carry a keyed hash of the password, never the password.
"""

from __future__ import annotations

import asyncio
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_sync.config import ConfigFile, config_directory
from desktop_sync.connectors.exchange_session import EwsTarget
from desktop_sync.connectors.imap import pool_key
from desktop_sync.connectors.transport import IncomingSettings
from desktop_sync.domain.model import Endpoint, Mailbox, Profile, ProfileId, ProfileKind, Security
from desktop_sync.domain.ports.connectors import Credentials
from desktop_sync.store import open_store
from desktop_sync.store.database import default_database_path

SECRET = "Canary-7f3a9c1e"


@pytest.fixture
def usual_umask() -> Iterator[None]:
    """The umask most desktops have (0022), which would make 0755 directories and 0644 files."""
    old = os.umask(0o022)
    yield
    os.umask(old)


@pytest.fixture
def fresh_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for name in ("DATA", "CONFIG", "STATE", "CACHE"):
        monkeypatch.setenv(f"XDG_{name}_HOME", str(tmp_path / name.lower()))
    monkeypatch.delenv("DESKTOP_SYNC_DB", raising=False)
    return tmp_path


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_embedded_store_is_created_private(fresh_home: Path, usual_umask: None) -> None:
    async def open_and_write() -> None:
        store = open_store(None)
        try:
            async with store.transaction() as tx:
                await tx.users.list()
        finally:
            await store.close()

    asyncio.run(open_and_write())
    path = default_database_path()
    assert path.is_relative_to(fresh_home)
    assert mode(path.parent) == 0o700
    written = [p for p in path.parent.iterdir() if p.is_file()]
    assert path in written
    assert {p.name: mode(p) for p in written} == {p.name: 0o600 for p in written}  # -wal and -shm too


def test_an_existing_embedded_store_is_narrowed(fresh_home: Path, usual_umask: None) -> None:
    path = default_database_path()
    path.parent.mkdir(parents=True, mode=0o755)
    path.touch(mode=0o644)

    async def reopen() -> None:
        store = open_store(None)
        await store.close()

    asyncio.run(reopen())
    assert (mode(path.parent), mode(path)) == (0o700, 0o600)


def test_a_store_file_chosen_by_the_admin_keeps_its_folder_mode(tmp_path: Path, usual_umask: None) -> None:
    chosen = tmp_path / "team-folder"
    chosen.mkdir(mode=0o755)
    os.chmod(chosen, 0o755)

    async def open_it() -> None:
        store = open_store(str(chosen / "crm.sqlite3"))
        await store.close()

    asyncio.run(open_it())
    assert mode(chosen) == 0o755  # the admin's folder is left alone
    assert mode(chosen / "crm.sqlite3") == 0o600  # the file we created is private


def test_the_settings_file_and_its_directory_are_private(fresh_home: Path, usual_umask: None) -> None:
    config = ConfigFile()
    config.save({"log_level": "debug"})
    assert config.path.parent == config_directory()
    assert (mode(config.path.parent), mode(config.path)) == (0o700, 0o600)
    config.save({"log_level": "info"})  # a save replaces the file: still private
    assert mode(config.path) == 0o600


# --- keys and reprs


def imap_profile() -> Profile:
    return Profile(
        name="Corp",
        kind=ProfileKind.IMAP,
        incoming=Endpoint("imap.example.test", 993, Security.TLS),
        id=ProfileId(1),
    )


def exchange_profile() -> Profile:
    return Profile(
        name="Exchange",
        kind=ProfileKind.EXCHANGE,
        incoming=Endpoint("mail.example.test", 443, Security.TLS),
        ews_url="https://mail.example.test/EWS/Exchange.asmx",
        id=ProfileId(2),
    )


def test_the_imap_reuse_key_holds_a_keyed_hash_of_the_password_not_the_password() -> None:
    key = pool_key(imap_profile(), Credentials("alice", SECRET))
    assert SECRET not in repr(key)
    assert all(SECRET not in str(part) for part in key)
    assert key == pool_key(imap_profile(), Credentials("alice", SECRET))  # same password: reused
    assert key != pool_key(imap_profile(), Credentials("alice", SECRET + "x"))  # changed password: not


def test_the_exchange_protocol_key_holds_a_keyed_hash_of_the_password_not_the_password() -> None:
    mailbox = Mailbox(address="alice@example.test", profile_id=ProfileId(2), login="alice")
    target = EwsTarget.of(exchange_profile(), mailbox, Credentials("alice", SECRET))
    assert SECRET not in repr(target.key)
    assert SECRET not in repr(target)
    changed = EwsTarget.of(exchange_profile(), mailbox, Credentials("alice", SECRET + "x"))
    assert target.key != changed.key
    assert target.key == EwsTarget.of(exchange_profile(), mailbox, Credentials("alice", SECRET)).key


def test_credentials_and_connection_settings_never_show_the_password() -> None:
    credentials = Credentials("alice", SECRET)
    settings = IncomingSettings.of(imap_profile(), credentials)
    assert SECRET not in repr(credentials)
    assert SECRET not in repr(settings)
