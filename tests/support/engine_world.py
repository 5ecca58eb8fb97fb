"""An engine over a real store (SQLite file) and the scripted server, with a clock tests move."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from desktop_sync.domain.model import (
    ApprovalState,
    ChannelState,
    ConnectionTestStatus,
    CredentialsOn,
    Mailbox,
    ProfileKind,
    SyncMethod,
)
from desktop_sync.domain.validation import ProfileInput
from desktop_sync.engine.engine import Engine, EngineSettings
from desktop_sync.secrets import KeyringSecrets
from desktop_sync.services.directory import DirectoryService
from desktop_sync.services.mailboxes import MailboxService
from desktop_sync.services.profiles import ProfileService
from desktop_sync.store import SqlStore
from support.scripted import ScriptedFactory, ScriptedServer, message

START = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)


class FakeClock:
    def __init__(self, now: dt.datetime = START):
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


class World:
    def __init__(self, store: SqlStore, tmp_path: Path):
        self.store = store
        self.tmp_path = tmp_path
        self.server = ScriptedServer()
        self.factory = ScriptedFactory(self.server)
        self.secrets = KeyringSecrets()
        self.clock = FakeClock()
        self.engines: list[Engine] = []

    async def profile(
        self, name: str = "Corp", *, max_connections: int = 10, on_profile: bool = False, exchange: bool = False
    ) -> None:
        await ProfileService(self.store, self.secrets).add(
            ProfileInput(
                name=name,
                kind=ProfileKind.EXCHANGE if exchange else ProfileKind.IMAP,
                incoming_host="ex.example.test" if exchange else "imap.example.test",
                outgoing_host=None if exchange else "smtp.example.test",
                max_connections=max_connections,
                credentials_on=CredentialsOn.PROFILE if on_profile else CredentialsOn.MAILBOX,
                login="service" if on_profile else None,
            ),
            password="service-pw" if on_profile else None,
        )

    async def mailbox(
        self,
        address: str,
        profile: str = "Corp",
        *,
        approved: bool = True,
        enabled: bool = True,
        user: bool = False,
        act: bool = False,
    ) -> Mailbox:
        mailboxes = MailboxService(self.store, self.secrets, clock=self.clock)
        user_email = None
        if user:
            await DirectoryService(self.store).add_user(address, address.split("@")[0].title())
            user_email = address
        profile_row = await ProfileService(self.store, self.secrets).get(profile)
        password = None if profile_row.credentials_on is CredentialsOn.PROFILE else "pw"
        await mailboxes.add(address, profile, user_email=user_email, password=password)
        async with self.store.transaction() as tx:
            mailbox = await tx.mailboxes.by_address(address)
            assert mailbox is not None
            on = ChannelState(
                SyncMethod.SERVER_SIDE,
                enabled,
                ConnectionTestStatus.SUCCESS if enabled else ConnectionTestStatus.NOT_RUN,
            )
            return await tx.mailboxes.update(
                dataclasses.replace(
                    mailbox,
                    approval=ApprovalState.APPROVED if approved else ApprovalState.PENDING,
                    incoming=on,
                    outgoing=on,
                    act=on if act else mailbox.act,
                )
            )

    async def importing(self, address: str, count: int, batch_size: int) -> Mailbox:
        """A profile and a mailbox holding ``count`` messages, which the server gives ``batch_size`` at a time."""
        await self.profile()
        mailbox = await self.mailbox(address)
        for n in range(count):
            self.server.deliver(address, message(n))
        self.server.batch_size = batch_size
        return mailbox

    async def engine(self, **settings: object) -> Engine:
        engine = Engine(
            store=self.store,
            connectors=self.factory,
            secrets=self.secrets,
            settings=EngineSettings(**settings),  # type: ignore[arg-type]
            clock=self.clock,
        )
        await engine.start()
        self.engines.append(engine)
        return engine

    async def activities(self) -> int:
        async with self.store.transaction() as tx:
            return await tx.activities.count()
