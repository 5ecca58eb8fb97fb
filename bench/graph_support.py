"""What the Graph benchmarks share: the OAuth test provider and the Graph test server (every answer still
checked against the metadata) in a child process, and bearer tokens from the provider by msal.

The servers run in a child process so that their work (they are Python too) does not count against,
or compete with, the process being measured. The parent drives them through a pipe:
``servers.call("deliver_many", address, count, body)``, ``servers.call("calls")`` and so on.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import multiprocessing.connection
import shutil
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from desktop_sync.domain.signin import AccessToken, OAuthProvider, OAuthSettings
from desktop_sync.identity.microsoft import MicrosoftIdentity

TESTS = Path(__file__).resolve().parent.parent / "tests"
SERVICE, SECRET = "bench-service-app", "bench-service-secret"
GRAPH_APP_SCOPE = "https://graph.microsoft.com/.default"


def _serve(connection: multiprocessing.connection.Connection, addresses: list[str]) -> None:
    sys.path.insert(0, str(TESTS))
    from graph.server import GraphServer
    from oauth.provider import OAuthProvider as TestProvider
    from servers.tls import make_temp_ca

    directory, files = make_temp_ca()
    try:
        with TestProvider(files) as provider, GraphServer(files, provider) as graph:
            provider.add_client(SERVICE, secret=SECRET, app_scopes=frozenset({GRAPH_APP_SCOPE}))
            graph.allow_application(SERVICE)
            for address in addresses:
                graph.store.add_mailbox(address)
            connection.send((graph.url, provider.base_url, provider.tenant, str(files.ca_cert)))
            while True:
                command, args = connection.recv()
                if command == "stop":
                    connection.send(None)
                    return
                try:
                    connection.send(("ok", _command(graph, command, args)))
                except Exception as exc:  # reported to the parent, which raises it
                    connection.send(("error", repr(exc)))
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def _command(graph: Any, command: str, args: tuple[Any, ...]) -> Any:
    if command == "deliver_many":
        address, count, body = args
        for n in range(count):
            raw = (
                f"From: Carol Customer <carol@customer.test>\r\nTo: {address}\r\nSubject: Message {n}\r\n"
                f"Message-ID: <bench-{n}.{address}>\r\nDate: Tue, 08 Dec 2026 01:00:00 +0000\r\n"
                "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + "x" * body + "\r\n"
            ).encode()
            graph.store.deliver(address, raw)
        return count
    if command == "calls":  # requests since the last reset, by kind
        kinds: Counter[str] = Counter()
        for call in graph.calls:
            rest = call.path.split("/users/")[-1]
            kinds[f"{call.method} {rest.partition('/')[2] or rest}"] += 1
        return dict(kinds)
    if command == "reset":
        graph.calls.clear()
        return None
    if command == "invalid":
        return list(graph.invalid)
    raise ValueError(f"unknown command {command}")


class GraphServers:
    def __init__(self, addresses: list[str]) -> None:
        context = multiprocessing.get_context("spawn")
        self._connection, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(child, addresses), name="graph-test-server", daemon=True)

    def __enter__(self) -> GraphServers:
        self._process.start()
        self.url, self.authority_host, self.tenant, self.ca = self._connection.recv()
        return self

    def call(self, command: str, *args: Any) -> Any:
        self._connection.send((command, args))
        status, result = self._connection.recv()
        if status != "ok":
            raise RuntimeError(f"Graph test server: {command}: {result}")
        return result

    def __exit__(self, *exc: object) -> None:
        with contextlib.suppress(Exception):
            self._connection.send(("stop", ()))
            self._connection.recv()
        self._process.join(10)
        if self._process.is_alive():
            self._process.kill()

    def oauth(self) -> OAuthSettings:
        return OAuthSettings(OAuthProvider.MICROSOFT, SERVICE, tenant=self.tenant, authority_host=self.authority_host,
                             ca_file=self.ca)  # fmt: skip


class AppTokens:
    """The service application's token (client credentials, by msal), kept until a server refuses it."""

    def __init__(self, settings: OAuthSettings) -> None:
        self._identity = MicrosoftIdentity(settings, client_secret=SECRET)
        self._token: AccessToken | None = None
        self._lock = asyncio.Lock()

    async def token(self) -> AccessToken:
        async with self._lock:
            if self._token is None:
                self._token = await asyncio.to_thread(self._identity.app_token, (GRAPH_APP_SCOPE,))
            return self._token

    def rejected(self, token: AccessToken) -> None:
        self._token = None
