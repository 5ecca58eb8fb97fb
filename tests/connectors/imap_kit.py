"""What the IMAP connector tests share: reading every batch of a fetch, and delivering mail to Dovecot."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Mapping

from connectors.mailkit import make_message
from servers.dovecot import DovecotServer, MailUser

from desktop_sync.connectors.imap import ImapIncoming
from desktop_sync.domain.ports.connectors import Batch, RawMessage


async def collect(batches: AsyncIterator[Batch]) -> list[Batch]:
    return [batch async for batch in batches]


async def fetch_all(
    connector: ImapIncoming,
    cursors: Mapping[str, str] | None = None,
    *,
    since: dt.datetime | None = None,
    limit: int = 1000,
) -> tuple[list[RawMessage], dict[str, str], list[Batch]]:
    batches = await collect(connector.fetch(cursors or {}, since, limit))
    items = [item for batch in batches for item in batch.items]
    new_cursors = dict(cursors or {})
    for batch in batches:
        new_cursors[batch.cursor.folder] = batch.cursor.value
    return items, new_cursors, batches


def subjects(items: list[RawMessage]) -> list[str]:
    found = []
    for item in items:
        for line in item.raw.split(b"\r\n"):
            if line.startswith(b"Subject: "):
                found.append(line[len(b"Subject: ") :].decode())
    return found


def deliver(dovecot: DovecotServer, user: MailUser, *names: str) -> None:
    for name in names:
        dovecot.deliver(user.name, make_message(name, to=user.address))
