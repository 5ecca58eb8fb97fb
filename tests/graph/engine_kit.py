"""The engine over a real SQLite store and the Graph test server: an Exchange Online profile (app-only,
its client secret in the keyring), mailboxes enabled for mail, and a clock a test moves.

``BearerFactory`` is the product's connector factory with the profile's app-only tokens in the
credentials (what the engine hands every OAuth profile's connectors; here from msal against the OAuth
test provider), so the engine, the connectors and the servers are all real.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from oauth.provider import OAuthProvider
from support.engine_world import FakeClock

from desktop_sync.connectors.factory import MailConnectorFactory
from desktop_sync.domain.model import (
    ApprovalState,
    AuthMethod,
    ChannelState,
    ConnectionTestStatus,
    CredentialsOn,
    Mailbox,
    Profile,
    ProfileKind,
    Security,
    SyncMethod,
    TrackingChoice,
)
from desktop_sync.domain.ports.connectors import BearerTokens, Credentials, IncomingMail, OutgoingMail
from desktop_sync.domain.signin import OAuthProvider as ProviderKind
from desktop_sync.domain.validation import ProfileInput
from desktop_sync.engine.engine import Engine, EngineSettings
from desktop_sync.identity.broker import TokenBroker
from desktop_sync.secrets import KeyringSecrets
from desktop_sync.services.directory import DirectoryService
from desktop_sync.services.mailboxes import MailboxService
from desktop_sync.services.profiles import ProfileService
from desktop_sync.store import SqlStore

from .server import GraphServer
from .tokens import SERVICE, SERVICE_SECRET, AppTokens, service_app

PROFILE = "Exchange Online"


class BearerFactory(MailConnectorFactory):
    """The product's factory, with ``tokens`` as the bearer of credentials that come without one."""

    def __init__(self, tokens: BearerTokens, **options: object) -> None:
        super().__init__(**options)  # type: ignore[arg-type]
        self.tokens = tokens

    def _bearer(self, credentials: Credentials) -> Credentials:
        if credentials.bearer is not None:
            return credentials
        return dataclasses.replace(credentials, bearer=self.tokens)

    def incoming(
        self, profile: Profile, mailbox: Mailbox, credentials: Credentials, folders: Sequence[str] = ()
    ) -> IncomingMail:
        return super().incoming(profile, mailbox, self._bearer(credentials), folders)

    def outgoing(self, profile: Profile, mailbox: Mailbox, credentials: Credentials) -> OutgoingMail:
        return super().outgoing(profile, mailbox, self._bearer(credentials))


class GraphWorld:
    def __init__(self, store: SqlStore, server: GraphServer, provider: OAuthProvider, ca: Path) -> None:
        self.store = store
        self.server = server
        self.provider = provider
        self.ca = ca
        self.secrets = KeyringSecrets()
        self.clock = FakeClock(dt.datetime.now(dt.UTC).replace(microsecond=0))
        self.tokens: AppTokens = service_app(server, provider, ca)
        self.factory = BearerFactory(self.tokens, graph_page_size=200)
        self.engines: list[Engine] = []

    async def profile(self, *, tracked_category: str = "Tracked to CRM") -> Profile:
        port = int(self.server.url.split(":")[2].split("/")[0])
        return await ProfileService(self.store, self.secrets).add(
            ProfileInput(
                name=PROFILE,
                kind=ProfileKind.EXCHANGE_ONLINE,
                incoming_host="127.0.0.1",
                incoming_port=port,
                incoming_security=Security.TLS,
                auth=AuthMethod.OAUTH2,
                credentials_on=CredentialsOn.PROFILE,
                login=SERVICE,
                ca_file=str(self.ca),
                tracked_category=tracked_category,
                oauth_provider=ProviderKind.MICROSOFT,
                client_id=SERVICE,
                tenant=self.provider.tenant,
                authority_host=self.provider.base_url,
            ),
            password=SERVICE_SECRET,  # the application's client secret, in the keyring
        )

    async def mailbox(self, address: str) -> Mailbox:
        if self.server.store.mailbox(address) is None:
            self.server.store.add_mailbox(address)
        directory = DirectoryService(self.store)
        await directory.add_user(address, address.split("@")[0].title())
        await directory.set_user_options(address, tracking=TrackingChoice.ALL)  # every mail becomes an activity
        await MailboxService(self.store, self.secrets, clock=self.clock).add(address, PROFILE, user_email=address)
        async with self.store.transaction() as tx:
            mailbox = await tx.mailboxes.by_address(address)
            assert mailbox is not None
            on = ChannelState(SyncMethod.SERVER_SIDE, True, ConnectionTestStatus.SUCCESS)
            return await tx.mailboxes.update(
                dataclasses.replace(mailbox, approval=ApprovalState.APPROVED, incoming=on, outgoing=on)
            )

    async def engine(self, **settings: object) -> Engine:
        engine = Engine(
            store=self.store,
            connectors=self.factory,
            secrets=self.secrets,
            settings=EngineSettings(push=False, **settings),  # type: ignore[arg-type]
            clock=self.clock,
            tokens=TokenBroker(self.secrets),  # the product's own: msal against the OAuth test provider
        )
        await engine.start()
        self.engines.append(engine)
        return engine

    async def cycle(self, engine: Engine) -> None:
        """One pass of the engine, then the clock moved so that every mailbox is due again."""
        await engine.run_once()
        self.clock.advance(15 * 60)

    async def close(self) -> None:
        for engine in self.engines:
            await engine.stop()
        self.factory.close()
