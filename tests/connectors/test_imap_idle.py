"""The IMAP connector's IDLE push against the real Dovecot: wakes, renewals, reconnects, closing."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from connectors.imap_kit import deliver, fetch_all, subjects
from connectors.mailkit import credentials_of
from servers.dovecot import DovecotServer, MailUser

from desktop_sync.connectors.imap import ImapIncoming
from desktop_sync.domain.errors import DesktopSyncError, TransientError
from desktop_sync.domain.model import Profile, Security
from desktop_sync.domain.ports.connectors import PushListener

pytestmark = [pytest.mark.dovecot, pytest.mark.asyncio]


async def wait_for(listener: PushListener, seconds: float = 10.0) -> None:
    await asyncio.wait_for(listener.wait_for_changes(), seconds)


async def test_idle_wakes_when_mail_arrives(
    dovecot: DovecotServer, mail_user: MailUser, imap_profile: Callable[..., Profile]
) -> None:
    connector = ImapIncoming(imap_profile(), credentials_of(mail_user))
    listener = connector.push()
    try:
        await fetch_all(connector)
        waiting = asyncio.ensure_future(wait_for(listener))
        await asyncio.sleep(0.5)
        assert not waiting.done()
        deliver(dovecot, mail_user, "pushed")
        await waiting  # woken (wait_for's 10 s is a hang guard; the latency is bench/timeouts.py's)
        items, _, _ = await fetch_all(connector)
        assert subjects(items) == ["pushed"]
    finally:
        await listener.close()
        await connector.close()


async def test_idle_returns_at_once_for_mail_that_came_after_the_last_fetch(
    dovecot: DovecotServer, mail_user: MailUser, imap_profile: Callable[..., Profile]
) -> None:
    connector = ImapIncoming(imap_profile(), credentials_of(mail_user))
    listener = connector.push()
    try:
        await fetch_all(connector)
        deliver(dovecot, mail_user, "between fetch and idle")
        await wait_for(listener, 5)
    finally:
        await listener.close()
        await connector.close()


async def test_idle_is_renewed_and_still_wakes(
    dovecot: DovecotServer, mail_user: MailUser, imap_profile: Callable[..., Profile]
) -> None:
    connector = ImapIncoming(imap_profile(), credentials_of(mail_user), push_renew_seconds=0.5)
    listener = connector.push()
    try:
        await fetch_all(connector)
        waiting = asyncio.ensure_future(wait_for(listener))
        await asyncio.sleep(2.0)  # several renewals
        assert not waiting.done()
        deliver(dovecot, mail_user, "after renewals")
        await waiting
    finally:
        await listener.close()
        await connector.close()


async def test_idle_reconnects_after_a_drop_and_reports_mail_that_came_meanwhile(
    dovecot: DovecotServer,
    mail_user: MailUser,
    imap_profile: Callable[..., Profile],
    tcp_proxy: Callable[..., Any],
) -> None:
    proxy = await tcp_proxy(dovecot.ports["imaps"])
    connector = ImapIncoming(
        imap_profile(Security.TLS, port=proxy.port), credentials_of(mail_user), reconnect_delays=(0.2, 0.2)
    )
    listener = connector.push()
    try:
        await fetch_all(connector)
        waiting = asyncio.ensure_future(wait_for(listener))
        await asyncio.sleep(0.5)
        proxy.drop_all()
        deliver(dovecot, mail_user, "while disconnected")
        await waiting
        assert proxy.connections >= 3  # the fetch, the first IDLE, the reconnected IDLE
    finally:
        await listener.close()
        await connector.close()


async def test_idle_gives_up_after_its_reconnect_delays(
    mail_user: MailUser, imap_profile: Callable[..., Profile], scripted_server: Callable[..., Any]
) -> None:
    server = await scripted_server(None)
    port = server.port
    await server.close()
    connector = ImapIncoming(imap_profile(port=port), credentials_of(mail_user), reconnect_delays=(0.05, 0.05))
    listener = connector.push()
    try:
        with pytest.raises(TransientError) as caught:
            await wait_for(listener)
        assert caught.value.code == "server_unreachable"
    finally:
        await listener.close()
        await connector.close()


async def test_idle_stops_at_once_on_a_permanent_error(
    mail_user: MailUser, imap_profile: Callable[..., Profile]
) -> None:
    connector = ImapIncoming(imap_profile(), credentials_of(mail_user, "bad"), reconnect_delays=(30.0,))
    listener = connector.push()
    try:
        with pytest.raises(DesktopSyncError) as caught:
            await wait_for(listener, 5)
        assert caught.value.code == "auth_failed"
    finally:
        await listener.close()
        await connector.close()


async def test_cancelling_a_wait_and_closing_leaves_nothing_open(
    mail_user: MailUser, imap_profile: Callable[..., Profile]
) -> None:
    connector = ImapIncoming(imap_profile(), credentials_of(mail_user))
    listener = connector.push()
    waiting = asyncio.ensure_future(listener.wait_for_changes())
    await asyncio.sleep(0.5)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    await listener.close()
    await connector.close()


async def test_closing_the_listener_ends_a_wait_under_way(
    mail_user: MailUser, imap_profile: Callable[..., Profile], tcp_proxy: Callable[..., Any], dovecot: DovecotServer
) -> None:
    proxy = await tcp_proxy(dovecot.ports["imaps"])
    connector = ImapIncoming(imap_profile(port=proxy.port), credentials_of(mail_user))
    listener = connector.push()
    waiting = asyncio.ensure_future(listener.wait_for_changes())
    await asyncio.sleep(0.5)
    await listener.close()
    with pytest.raises(TransientError) as caught:
        await asyncio.wait_for(waiting, 5)
    assert caught.value.code == "connection_dropped"
    assert proxy.connections == 1  # it did not reconnect after being closed
    await connector.close()
