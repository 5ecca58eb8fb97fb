"""OAuth tokens are nowhere on disk or on screen: the canary test of issue #11, for issue #14.

An IMAP mailbox signs in with OAuth (XOAUTH2 to Dovecot and the SMTP server), with logging at DEBUG:
Test & Enable, an engine cycle that imports and sends, then a revoked grant met by the engine and by
Test & Enable. Every access and refresh token the provider issued for it is then looked for in every
file the product wrote and everything the CLI printed: in clear, as "Bearer <token>", and as the
XOAUTH2 and OAUTHBEARER responses a login sends (base64). The grant itself is in the keyring only.
"""

from __future__ import annotations

import asyncio
import base64
import json
from pathlib import Path

import pytest
from e2e.test_canary import RecordingAdmin, home  # noqa: F401  (home is a fixture)
from e2e.test_oauth_mail import add_oauth_profile
from oauth.provider import OAuthProvider
from servers.dovecot import DovecotServer
from servers.smtp import SmtpServer
from support.oauth_mail import oauth_account, sign_in

from desktop_sync.connectors.bearer import oauthbearer, xoauth2
from desktop_sync.identity.broker import TokenBroker
from desktop_sync.secrets import KeyringSecrets
from desktop_sync.store import open_store
from desktop_sync.store.database import default_database_path

pytestmark = [pytest.mark.dovecot, pytest.mark.smtp, pytest.mark.slow]


def token_forms(login: str, token: str, port: int) -> dict[str, bytes]:
    return {
        "clear": token.encode(),
        "bearer": f"Bearer {token}".encode(),
        "xoauth2": base64.b64encode(xoauth2(login, token)),
        "oauthbearer": base64.b64encode(oauthbearer(login, token, "localhost", port)),
    }


def test_oauth_tokens_are_nowhere_after_sign_in_sync_send_and_revocation(
    home: Path,  # noqa: F811
    oauth_provider_session: OAuthProvider,
    dovecot: DovecotServer,
    smtp_server: SmtpServer,
    tls_ca: Path,
) -> None:
    provider = oauth_provider_session
    account = oauth_account(provider, dovecot, tls_ca, prefix="canary")
    address, login = account.user.address, account.user.name
    admin = RecordingAdmin(str(default_database_path()))
    admin("settings", "set", "log_level", "debug")

    async def set_up() -> None:
        store = open_store(admin.db)
        try:
            await add_oauth_profile(store, provider, account, dovecot, smtp_server, tls_ca)
        finally:
            await store.close()
        await sign_in(TokenBroker(KeyringSecrets()), account, tls_ca)

    asyncio.run(set_up())
    admin("user", "add", address, "--name", "Canary Auth")
    admin("user", "set", address, "--tracking", "all")
    admin("mailbox", "add", address, "--profile", "M365", "--user", address, "--login", login)
    admin("mailbox", "approve", address)
    enabled = json.loads(admin("mailbox", "test-enable", address, "--json")[1])
    assert enabled["ok"], enabled
    dovecot.deliver(login, b"From: carol@customer.test\r\nSubject: canary\r\n\r\nHello.\r\n")
    admin("email", "send", "--from", address, "--to", "carol@customer.test", "--subject", "canary")
    admin("engine", "run", "--once")
    assert [m.login for m in smtp_server.messages] == [login]

    provider.revoke(email=address)
    admin("sync", "now", address)
    admin("engine", "run", "--once")
    assert [a["code"] for a in admin.json("alerts", "list")].count("signin_needed") == 1  # the engine met it
    code, out, _ = admin("mailbox", "test-enable", address, "--json", ok=False)
    assert code == 4 and "signin_needed" in out

    with provider.state.lock:
        issued = [t for t, found in provider.state.access_tokens.items() if found.grant.client_id == account.client_id]
        issued += [
            t for t, found in provider.state.refresh_tokens.items() if found.grant.client_id == account.client_id
        ]
    assert len(issued) >= 3  # the sign-in's access and refresh tokens, and at least one refresh's

    log_files = list((home / "state").rglob("*.log*"))
    logged = "\n".join(p.read_text(encoding="utf-8") for p in log_files)
    # logging was at DEBUG throughout (msal itself stays at WARNING: at DEBUG it logs the token
    # endpoint's answers, access tokens in them)
    assert " DEBUG " in logged

    found = []
    for path in (p for p in home.rglob("*") if p.is_file()):
        content = path.read_bytes()
        for token in issued:
            for port in (dovecot.ports["imaps"], smtp_server.port):
                forms = token_forms(login, token, port).items()
                found += [f"{path.relative_to(home)} ({form})" for form, needle in forms if needle in content]
    for text in admin.printed:
        found += ["the CLI's output" for token in issued if token in text]
    assert not found, f"an OAuth token was found in: {sorted(set(found))}"
