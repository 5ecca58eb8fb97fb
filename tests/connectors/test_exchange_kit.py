"""Helpers of the Exchange connector tests: profiles aimed at the EWS test server, and a factory to build on.

No tests here: the test_exchange_*.py modules import these.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Mapping
from typing import Any

from ews.fixtures import ALICE, PASSWORDS, SERVICE
from ews.server import EwsServer

from desktop_sync.connectors.factory import MailConnectorFactory
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
from desktop_sync.domain.ports.connectors import Batch, Credentials, IncomingMail

SERVICE_LOGIN = "svc"


def exchange_profile(server: EwsServer, **changes: Any) -> Profile:
    """A profile on ``server``: its EWS URL, Basic, credentials on the mailbox, a 10 s time-out."""
    https = server.url.startswith("https:")
    profile = Profile(
        name="exchange",
        kind=ProfileKind.EXCHANGE,
        incoming=Endpoint("127.0.0.1", 443, Security.TLS if https else Security.NONE),
        ews_url=server.url,
        auth=AuthMethod.BASIC,
        credentials_on=CredentialsOn.MAILBOX,
        allow_insecure=not https,
        timeout_seconds=10,
        max_connections=2,
        id=ProfileId(1),
    )
    return dataclasses.replace(profile, **changes)


def service_profile(server: EwsServer, **changes: Any) -> Profile:
    """The profile's service account (svc, which may impersonate) reads every mailbox."""
    changes.setdefault("login", SERVICE_LOGIN)
    return exchange_profile(server, credentials_on=CredentialsOn.PROFILE, **changes)


def mailbox(address: str = ALICE, number: int = 1) -> Mailbox:
    return Mailbox(address, ProfileId(1), id=MailboxId(number))


def own_credentials(address: str = ALICE, password: str | None = None) -> Credentials:
    return Credentials(address.split("@")[0], password or PASSWORDS[address])


def service_credentials(password: str | None = None) -> Credentials:
    return Credentials(SERVICE_LOGIN, password or PASSWORDS[SERVICE])


def mime(number: int, *, to: str = ALICE, subject: str | None = None, date: str | None = None) -> bytes:
    return (
        f"From: Carol Customer <carol@customer.test>\r\nTo: {to}\r\n"
        f"Subject: {subject or f'Message {number}'}\r\nMessage-ID: <m{number}.{to}>\r\n"
        f"Date: {date or 'Mon, 10 Mar 2025 10:00:00 +0000'}\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        f"Body of message {number}.\r\n"
    ).encode()


def factory(**options: Any) -> MailConnectorFactory:
    options.setdefault("reconnect_delays", (0.1, 0.2))
    return MailConnectorFactory(**options)


async def drain(
    connector: IncomingMail, cursors: Mapping[str, str] | None = None, limit: int = 10_000, since: Any = None
) -> tuple[list[Batch], dict[str, str]]:
    """Every batch of one fetch, and the cursors after committing them all."""
    batches = [batch async for batch in connector.fetch(dict(cursors or {}), since, limit)]
    after = dict(cursors or {})
    for batch in batches:
        if batch.cursor is not None:
            after[batch.cursor.folder] = batch.cursor.value
    return batches, after


async def batches_of(iterator: AsyncIterator[Batch]) -> list[Batch]:
    return [batch async for batch in iterator]


def subjects(batches: list[Batch]) -> list[str]:
    out = []
    for batch in batches:
        for item in batch.items:
            for line in item.raw.split(b"\r\n"):
                if line.startswith(b"Subject: "):
                    out.append(line[9:].decode())
    return out
