"""A service account signs in by client credentials (the application's own token, its client secret in
the keyring) and the real engine reads many Exchange mailboxes with one token, impersonating each,
against the EWS test server trusting the test OAuth provider."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from connectors.test_exchange_kit import mime
from ews.fixtures import ALICE, BOB, running_ews_server
from ews.server import AuthScheme
from oauth.provider import APP_SCOPES, OAuthProvider
from servers.tls import TlsFiles
from support.cli_admin import Admin
from support.waiting import eventually

from desktop_sync.connectors.factory import MailConnectorFactory
from desktop_sync.domain.model import AuthMethod, CredentialsOn, Direction, ProfileKind
from desktop_sync.domain.signin import OAuthProvider as ProviderKind
from desktop_sync.domain.validation import ProfileInput
from desktop_sync.engine.engine import Engine, EngineSettings
from desktop_sync.identity.broker import TokenBroker
from desktop_sync.secrets import KeyringSecrets
from desktop_sync.services.profiles import ProfileService
from desktop_sync.store import open_store

TOKEN_ENDPOINT = "/oauth2/v2.0/token"


@pytest.mark.asyncio
async def test_a_service_account_reads_many_mailboxes_with_one_application_token(
    tmp_path: Path, oauth_provider: OAuthProvider, tls_files: TlsFiles, tls_ca: Path
) -> None:
    provider = oauth_provider
    provider.add_client("crm-service", secret="service-secret", app_scopes=APP_SCOPES)
    admin = Admin(f"sqlite:///{tmp_path / 'crm.sqlite3'}")
    with running_ews_server(tls=tls_files, auth=(AuthScheme.BEARER,)) as ews:

        def holder(token: str) -> tuple[str | None] | None:
            found = provider.state.live_access_token(token)
            return None if found is None else (found.grant.user.email if found.grant.user else None,)

        ews.accept_tokens_of(holder)
        for number, address in enumerate((ALICE, BOB), start=1):
            ews.deliver(address, mime(number, to=address))
        await asyncio.to_thread(admin, "profile", "list")
        store = open_store(admin.db)
        engine: Engine | None = None
        try:
            await ProfileService(store, KeyringSecrets()).add(
                ProfileInput(
                    name="Exchange Online",
                    kind=ProfileKind.EXCHANGE,
                    ews_url=ews.url,
                    ca_file=str(tls_ca),
                    timeout_seconds=10,
                    auth=AuthMethod.OAUTH2,
                    credentials_on=CredentialsOn.PROFILE,
                    login="crm-service",
                    oauth_provider=ProviderKind.MICROSOFT,
                    client_id="crm-service",
                    tenant=provider.tenant,
                    authority_host=provider.base_url,
                ),
                password="service-secret",  # the client secret, in the keyring where a password would be
            )

            def add_mailboxes() -> None:
                for address in (ALICE, BOB):
                    admin("user", "add", address, "--name", address.split("@")[0].title())
                    admin("user", "set", address, "--tracking", "all")
                    admin("mailbox", "add", address, "--profile", "Exchange Online", "--user", address)
                    admin("mailbox", "approve", address)
                    report = admin.json("mailbox", "test-enable", address)
                    assert report["ok"], report
                    assert "token" in [s["step"] for c in report["channels"] for s in c["steps"]]

            await asyncio.to_thread(add_mailboxes)
            before = len(provider.endpoint_calls(TOKEN_ENDPOINT))
            engine = Engine(
                store=store,
                connectors=MailConnectorFactory(),
                secrets=KeyringSecrets(),
                settings=EngineSettings(tick_seconds=0.05, refresh_seconds=0.2, push=False),
                tokens=TokenBroker(KeyringSecrets()),
            )
            await engine.start()
            runner = asyncio.create_task(engine.run())

            async def both_imported() -> bool:
                async with store.transaction() as tx:
                    return len(await tx.activities.list(direction=Direction.INCOMING)) >= 2

            try:
                await eventually(both_imported, what="both mailboxes imported with the application's token")
            finally:
                engine.request_stop()
                await runner
            assert len(provider.endpoint_calls(TOKEN_ENDPOINT)) - before == 1  # one token for every mailbox
        finally:
            if engine is not None:
                await engine.stop()
            await store.close()
