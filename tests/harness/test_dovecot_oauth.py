"""Dovecot takes the provider's bearer tokens by SASL XOAUTH2 and OAUTHBEARER, on IMAP and POP3, and
stops taking them once the grant is revoked: the real mail server the product's OAuth sign-in meets.

The mail clients are the standard library's, driven by hand, so that the harness is proven apart
from the product.
"""

import base64
import imaplib
import itertools
import poplib
import ssl
from pathlib import Path

import pytest
from oauth.client import Client
from oauth.provider import OAuthProvider
from servers.dovecot import DovecotServer

pytestmark = [pytest.mark.dovecot]

_numbers = itertools.count(1)


def xoauth2(user: str, token: str) -> bytes:
    return f"user={user}\x01auth=Bearer {token}\x01\x01".encode()


def oauthbearer(user: str, token: str, port: int) -> bytes:
    return f"n,a={user},\x01host=127.0.0.1\x01port={port}\x01auth=Bearer {token}\x01\x01".encode()


@pytest.fixture
def account(oauth_provider_session: OAuthProvider, dovecot: DovecotServer, tls_ca: Path) -> tuple[str, str]:
    """A new Dovecot user, signed in at the provider: (login, access token)."""
    provider = oauth_provider_session
    name = f"oauthuser{next(_numbers)}"
    dovecot.add_user(name, f"{name}-password-not-used")
    user = provider.add_user(f"{name}@example.test", name)
    provider.add_client(f"app-{name}")
    provider.sign_in_as(user.email)
    return name, Client(provider, tls_ca, f"app-{name}").sign_in()["access_token"]


def imap(dovecot: DovecotServer, tls_ca: Path) -> imaplib.IMAP4_SSL:
    return imaplib.IMAP4_SSL(
        "127.0.0.1", dovecot.ports["imaps"], ssl_context=ssl.create_default_context(cafile=str(tls_ca))
    )


@pytest.mark.parametrize("mechanism", ["XOAUTH2", "OAUTHBEARER"])
def test_imap_signs_in_with_a_bearer_token(
    dovecot: DovecotServer, tls_ca: Path, account: tuple[str, str], mechanism: str
) -> None:
    login, token = account
    with imap(dovecot, tls_ca) as client:
        assert f"AUTH={mechanism}" in client.capabilities
        payload = xoauth2(login, token) if mechanism == "XOAUTH2" else oauthbearer(login, token, dovecot.ports["imaps"])
        typ, _ = client.authenticate(mechanism, lambda _challenge: payload)
        assert typ == "OK"
        assert client.select("INBOX")[0] == "OK"


def test_imap_refuses_a_revoked_token_and_another_users_token(
    oauth_provider_session: OAuthProvider, dovecot: DovecotServer, tls_ca: Path, account: tuple[str, str]
) -> None:
    login, token = account
    with imap(dovecot, tls_ca) as client, pytest.raises(imaplib.IMAP4.error):
        client.authenticate("XOAUTH2", lambda _challenge: xoauth2("alice", token))  # a token for someone else
    oauth_provider_session.revoke(email=f"{login}@example.test")
    with imap(dovecot, tls_ca) as client, pytest.raises(imaplib.IMAP4.error):
        client.authenticate("XOAUTH2", lambda _challenge: xoauth2(login, token))


def test_pop3_signs_in_with_xoauth2(dovecot: DovecotServer, tls_ca: Path, account: tuple[str, str]) -> None:
    login, token = account
    client = poplib.POP3_SSL(
        "127.0.0.1", dovecot.ports["pop3s"], context=ssl.create_default_context(cafile=str(tls_ca))
    )
    try:
        assert "XOAUTH2" in client.capa().get("SASL", [])
        answer = client._shortcmd("AUTH XOAUTH2 " + base64.b64encode(xoauth2(login, token)).decode())
        assert answer.startswith(b"+OK")
        assert client.stat()[0] == 0
    finally:
        client.quit()
