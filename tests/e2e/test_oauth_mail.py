"""End to end through the real engine: a mailbox that signs in with OAuth 2.0 imports and sends mail
through XOAUTH2 against Dovecot and the SMTP server, which ask the test OAuth provider about each
token; revoking the grant at the provider stops the mailbox with one "sign-in needed" alert and its
mail waiting; signing in again resumes it where it stopped, without a duplicate.

The profile is Microsoft-shaped (msal, pointed at the provider by its authority host only); the
person's sign-in is the broker's browser sign-in, as the sign-in service and the CLI run it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from e2e.test_test_enable_alerts import run_test_enable
from oauth.provider import OAuthProvider
from servers.dovecot import DovecotServer
from servers.smtp import SmtpServer
from support.cli_admin import Admin
from support.oauth_mail import MovableClock, OAuthAccount, oauth_account, sign_in
from support.waiting import eventually

from desktop_sync.connectors.factory import MailConnectorFactory
from desktop_sync.domain.model import AuthMethod, Direction, ProfileKind, Security
from desktop_sync.domain.signin import OAuthProvider as ProviderKind
from desktop_sync.domain.validation import ProfileInput
from desktop_sync.engine.engine import Engine, EngineSettings
from desktop_sync.identity.broker import TokenBroker
from desktop_sync.secrets import KeyringSecrets
from desktop_sync.services.profiles import ProfileService
from desktop_sync.store import SqlStore, open_store

pytestmark = [pytest.mark.dovecot, pytest.mark.smtp]


def message(n: int, to: str) -> bytes:
    return (
        f"From: Carol <carol@customer.test>\r\nTo: {to}\r\nSubject: order {n}\r\n"
        f"Message-ID: <order{n}.{uuid.uuid4().hex}@customer.test>\r\n"
        f"Date: Wed, 25 Nov 2026 10:00:00 +0000\r\n\r\nPlease ship order {n}.\r\n"
    ).encode()


async def add_oauth_profile(
    store: SqlStore, provider: OAuthProvider, account: OAuthAccount, dovecot: DovecotServer, smtp: SmtpServer, ca: Path
) -> None:
    """A Microsoft 365-like IMAP profile (OAuth 2.0), aimed at the test servers and the test provider."""
    await ProfileService(store, KeyringSecrets()).add(
        ProfileInput(
            name="M365",
            kind=ProfileKind.IMAP,
            incoming_host="localhost",
            incoming_port=dovecot.ports["imaps"],
            outgoing_host="localhost",
            outgoing_port=smtp.port,
            outgoing_security=Security.STARTTLS,
            ca_file=str(ca),
            timeout_seconds=20,
            auth=AuthMethod.OAUTH2,
            oauth_provider=ProviderKind.MICROSOFT,
            client_id=account.client_id,
            tenant=provider.tenant,
            authority_host=provider.base_url,
        )
    )


def add_mailbox(admin: Admin, account: OAuthAccount) -> None:
    address = account.user.address
    admin("user", "add", address, "--name", "Olivia Auth")
    admin("user", "set", address, "--tracking", "all")
    admin("mailbox", "add", address, "--profile", "M365", "--user", address, "--login", account.user.name)
    admin("mailbox", "approve", address)


def alerts(admin: Admin, code: str) -> list[dict[str, Any]]:
    return [a for a in admin.json("alerts", "list") if a["code"] == code]


@pytest.mark.asyncio
async def test_sign_in_import_send_revoke_alert_sign_in_again_resume_without_duplicates(
    tmp_path: Path,
    oauth_provider_session: OAuthProvider,
    dovecot: DovecotServer,
    smtp_server: SmtpServer,
    tls_ca: Path,
) -> None:
    provider = oauth_provider_session
    admin = Admin(f"sqlite:///{tmp_path / 'crm.sqlite3'}")
    account = oauth_account(provider, dovecot, tls_ca)
    address = account.user.address
    await asyncio.to_thread(admin, "profile", "list")  # the store, created as an admin creates it
    store = open_store(admin.db)
    broker = TokenBroker(KeyringSecrets())
    clock = MovableClock()
    # Parked IMAP connections stay logged in whatever happens to the grant: the revocation is met at
    # the next login, which this makes the next cycle's.
    connectors = MailConnectorFactory(imap_parked_per_server=0)
    engine = Engine(
        store=store,
        connectors=connectors,
        secrets=KeyringSecrets(),
        settings=EngineSettings(tick_seconds=0.05, refresh_seconds=0.2, push=False),
        clock=clock,
        tokens=broker,
    )
    runner: asyncio.Task[None] | None = None
    try:
        await add_oauth_profile(store, provider, account, dovecot, smtp_server, tls_ca)
        await asyncio.to_thread(add_mailbox, admin, account)

        before = await asyncio.to_thread(run_test_enable, admin, address)
        assert not before["ok"]  # nobody signed in yet
        assert "signin_needed" in json.dumps(before)

        signed = await sign_in(broker, account, tls_ca)
        assert signed.account == address
        report = await asyncio.to_thread(run_test_enable, admin, address)
        assert report["ok"], report
        said = json.dumps(report)
        assert "token" in said and "IMAP.AccessAsUser.All" in said and "XOAUTH2" in said

        for n in (1, 2, 3):
            dovecot.deliver(account.user.name, message(n, address))
        await engine.start()
        runner = asyncio.create_task(engine.run())
        [mailbox] = [m for m in await store_mailboxes(store) if m.address == address]
        assert mailbox.id is not None

        async def incoming(count: int) -> bool:
            async with store.transaction() as tx:
                return len(await tx.activities.list(direction=Direction.INCOMING)) >= count

        await eventually(lambda: incoming(3), what="three mails imported by XOAUTH2")

        def send(subject: str) -> None:
            admin("email", "send", "--from", address, "--to", "bob@customer.test", "--subject", subject,
                  "--body", "Sent with a token.")  # fmt: skip

        await asyncio.to_thread(send, "first by XOAUTH2")

        async def sent(count: int) -> bool:
            return len(smtp_server.messages) >= count

        await eventually(lambda: sent(1), what="a mail sent through XOAUTH2")
        assert smtp_server.messages[0].login == account.user.name

        # The admin revokes the grant at the provider: the next login meets it.
        assert provider.revoke(email=address) >= 1
        dovecot.deliver(account.user.name, message(4, address))
        await asyncio.to_thread(send, "waits for a sign-in")
        engine.sync_now(mailbox.id)

        async def stopped() -> bool:
            async with store.transaction() as tx:
                status = await tx.status.get(mailbox.id)  # type: ignore[arg-type]
            return status.last_error_code == "signin_needed"

        await eventually(stopped, what="the mailbox stopped for a sign-in")
        raised = await asyncio.to_thread(alerts, admin, "signin_needed")
        assert len(raised) == 1
        assert f"desktop-sync mailbox sign-in {address}" in json.dumps(raised)
        [listed] = [m for m in await asyncio.to_thread(admin.json, "mailbox", "list") if m["address"] == address]
        assert listed["incoming"]["enabled"] and listed["outgoing"]["enabled"]  # waiting, not disabled
        assert len(smtp_server.messages) == 1

        # Signing in again (the sign-in service clears the alert and asks for a sync).
        provider.sign_in_as(address)
        await sign_in(broker, account, tls_ca)
        engine.sync_now(mailbox.id)
        await eventually(lambda: incoming(4), what="the mailbox resumed after the new sign-in")
        clock.ahead = dt.timedelta(minutes=6)  # the held mail's next look
        await eventually(lambda: sent(2), what="the held mail sent after the new sign-in")

        async with store.transaction() as tx:
            subjects = [a.subject for a in await tx.activities.list(limit=100)]
        incoming_subjects = sorted(s for s in subjects if s.startswith("order"))
        assert incoming_subjects == ["order 1", "order 2", "order 3", "order 4"]  # nothing twice
        sent_subjects = [str(m.parsed()["Subject"]).rpartition(" CRM:")[0] for m in smtp_server.messages]
        assert sent_subjects == ["first by XOAUTH2", "waits for a sign-in"]  # each once
        assert not await asyncio.to_thread(alerts, admin, "signin_needed")  # cleared by the resumed cycle
    finally:
        if runner is not None:
            engine.request_stop()
            await runner
        await engine.stop()
        await store.close()


async def store_mailboxes(store: SqlStore) -> list[Any]:
    async with store.transaction() as tx:
        return list(await tx.mailboxes.list())
