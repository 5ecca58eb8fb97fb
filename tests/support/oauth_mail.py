"""Mail accounts that sign in with OAuth: a Dovecot user who is also a user of the test OAuth provider,
signed in through the product's TokenBroker (msal, pointed at the provider by configuration only) with
the test's browser, and the ``BearerTokens`` the engine would hand the connectors for it."""

from __future__ import annotations

import datetime as dt
import itertools
import threading
from dataclasses import dataclass
from pathlib import Path

from oauth.browser import open_sign_in_page
from oauth.provider import OAuthProvider
from servers.dovecot import DovecotServer, MailUser

from desktop_sync.domain.errors import ErrorScope
from desktop_sync.domain.signin import OAuthProvider as ProviderKind
from desktop_sync.domain.signin import OAuthSettings, Protocol, SignedIn
from desktop_sync.engine.credentials import GrantTokens
from desktop_sync.identity.broker import TokenBroker
from desktop_sync.secrets import KeyringSecrets

MAIL = (Protocol.IMAP, Protocol.POP3, Protocol.SMTP)
_numbers = itertools.count(1)


class MovableClock:
    """Real time, which a test moves ahead (a broker's refresh margin, an engine's held mail)."""

    def __init__(self) -> None:
        self.ahead = dt.timedelta()

    def __call__(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC) + self.ahead


@dataclass(frozen=True, slots=True)
class OAuthAccount:
    """A Dovecot user known to the provider (email = its address, name = its login)."""

    user: MailUser
    client_id: str
    settings: OAuthSettings

    @property
    def key(self) -> str:
        return f"mailbox:{self.user.address}"


def oauth_account(provider: OAuthProvider, dovecot: DovecotServer, tls_ca: Path, prefix: str = "oauth") -> OAuthAccount:
    """A new Dovecot user and provider user, its own registered application, and the person at the
    browser set to be that user."""
    name = f"{prefix}{next(_numbers)}"
    user = dovecot.add_user(name, f"{name}-password-not-used")
    provider.add_user(user.address, name)
    client_id = f"app-{name}"
    provider.add_client(client_id)
    provider.sign_in_as(user.address)
    settings = OAuthSettings(
        ProviderKind.MICROSOFT,
        client_id,
        tenant=provider.tenant,
        authority_host=provider.base_url,
        ca_file=str(tls_ca),
    )
    return OAuthAccount(user, client_id, settings)


def browser(tls_ca: Path) -> tuple[list[int], threading.Event, object]:
    """The person's browser: opens the sign-in page in a thread (as a real browser is another process)."""
    answers: list[int] = []
    done = threading.Event()

    def open_browser(uri: str) -> None:
        def visit() -> None:
            answers.append(open_sign_in_page(uri, tls_ca))
            done.set()

        threading.Thread(target=visit, daemon=True).start()

    return answers, done, open_browser


async def sign_in(broker: TokenBroker, account: OAuthAccount, tls_ca: Path) -> SignedIn:
    """A browser sign-in of ``account`` through the broker, as the sign-in service runs it."""
    _, _, open_browser = browser(tls_ca)
    settings = account.settings
    return await broker.sign_in_with_browser(
        account.key,
        settings,
        settings.scopes_for(MAIL),
        login_hint=account.user.address,
        open_browser=open_browser,  # type: ignore[arg-type]
        timeout=20.0,
    )


def bearer(broker: TokenBroker, account: OAuthAccount) -> GrantTokens:
    """The tokens the engine gives a connector of ``account``'s mailbox (a person's grant)."""
    settings = account.settings
    return GrantTokens(
        broker,
        KeyringSecrets(),
        account.key,
        settings,
        settings.scopes_for(MAIL),
        app_only=False,
        scope=ErrorScope.MAILBOX,
    )
