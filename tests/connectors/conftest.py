"""Fixtures of the connector tests: profiles aimed at the test servers, and misbehaving loopback servers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from connectors.mailkit import ScriptedServer, TcpProxy
from servers.dovecot import DovecotServer

from desktop_sync.domain.model import Endpoint, Profile, ProfileKind, Security


@pytest.fixture
def imap_profile(dovecot: DovecotServer, tls_ca: Path) -> Callable[..., Profile]:
    """An IMAP profile aimed at the test Dovecot: implicit TLS by default, trusting the test CA."""

    def make(security: Security = Security.TLS, *, port: int | None = None, **changes: Any) -> Profile:
        if port is None:
            port = dovecot.ports["imaps" if security is Security.TLS else "imap"]
        profile = Profile(
            name="test imap",
            kind=ProfileKind.IMAP,
            incoming=Endpoint("localhost", port, security),
            timeout_seconds=10,
            ca_file=str(tls_ca),
        )
        return replace(profile, **changes)

    return make


@pytest.fixture
def pop3_profile(dovecot: DovecotServer, tls_ca: Path) -> Callable[..., Profile]:
    def make(security: Security = Security.TLS, *, port: int | None = None, **changes: Any) -> Profile:
        if port is None:
            port = dovecot.ports["pop3s" if security is Security.TLS else "pop3"]
        profile = Profile(
            name="test pop3",
            kind=ProfileKind.POP3,
            incoming=Endpoint("localhost", port, security),
            timeout_seconds=10,
            ca_file=str(tls_ca),
        )
        return replace(profile, **changes)

    return make


@pytest_asyncio.fixture
async def scripted_server() -> AsyncIterator[Callable[..., Any]]:
    """Start ScriptedServers; all are closed after the test."""
    started: list[ScriptedServer] = []

    async def start(
        greeting: bytes | None, reply: Callable[[bytes], bytes | None] = lambda line: None
    ) -> ScriptedServer:
        server = await ScriptedServer(greeting, reply).start()
        started.append(server)
        return server

    yield start
    for server in started:
        await server.close()


@pytest_asyncio.fixture
async def tcp_proxy() -> AsyncIterator[Callable[..., Any]]:
    """Start TcpProxies; all are closed after the test."""
    started: list[TcpProxy] = []

    async def start(target_port: int, **options: Any) -> TcpProxy:
        proxy = await TcpProxy(target_port, **options).start()
        started.append(proxy)
        return proxy

    yield start
    for proxy in started:
        await proxy.close()
