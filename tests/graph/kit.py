"""What the Graph connector tests share: an Exchange Online profile aimed at the Graph test server, its
mailboxes and credentials, and a connector factory with a test's page size."""

from __future__ import annotations

import urllib.parse
from dataclasses import replace
from pathlib import Path
from typing import Any

from oauth.provider import OAuthProvider

from desktop_sync.domain.model import (
    AuthMethod,
    CredentialsOn,
    Endpoint,
    Mailbox,
    MailboxId,
    Profile,
    ProfileId,
    ProfileKind,
    Security,
)
from desktop_sync.domain.ports.connectors import BearerTokens, Credentials
from desktop_sync.domain.signin import OAuthProvider as ProviderKind
from desktop_sync.domain.signin import OAuthSettings

from .client import ALICE
from .server import GraphServer
from .tokens import SERVICE


def graph_profile(server: GraphServer, provider: OAuthProvider, ca: Path, **changes: Any) -> Profile:
    """App-only (credentials on the profile) on ``server``, trusting the test CA; a 10 s time-out."""
    where = urllib.parse.urlsplit(server.url)
    oauth = OAuthSettings(ProviderKind.MICROSOFT, SERVICE, tenant=provider.tenant, authority_host=provider.base_url,
                          ca_file=str(ca))  # fmt: skip
    profile = Profile(
        name="exchange online",
        kind=ProfileKind.EXCHANGE_ONLINE,
        incoming=Endpoint(where.hostname or "127.0.0.1", where.port or 443, Security.TLS),
        auth=AuthMethod.OAUTH2,
        credentials_on=CredentialsOn.PROFILE,
        login=SERVICE,
        timeout_seconds=10,
        ca_file=str(ca),
        oauth=oauth,
        id=ProfileId(1),
    )
    return replace(profile, **changes)


def graph_mailbox(address: str = ALICE, number: int = 1) -> Mailbox:
    return Mailbox(address, ProfileId(1), id=MailboxId(number))


def bearer(tokens: BearerTokens, login: str = SERVICE) -> Credentials:
    return Credentials(login, None, bearer=tokens)
