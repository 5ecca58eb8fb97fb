"""The Graph test server, with the OAuth provider whose tokens it takes."""

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
from oauth.client import Client
from oauth.provider import OAuthProvider
from servers.tls import TlsFiles

from desktop_sync.store import open_store

from .client import ALICE, BOB, Graph
from .engine_kit import GraphWorld
from .server import GraphServer


@pytest.fixture
def graph_server(tls_files: TlsFiles, oauth_provider: OAuthProvider) -> Iterator[GraphServer]:
    """A Graph server with no mailboxes; after the test, no answer of it may have broken the metadata."""
    with GraphServer(tls_files, oauth_provider) as server:
        yield server
    assert server.invalid == []


@pytest.fixture
def alice(graph_server: GraphServer, oauth_provider: OAuthProvider, tls_ca: Path) -> Graph:
    graph_server.store.add_mailbox(ALICE)
    graph_server.store.add_mailbox(BOB)
    oauth_provider.add_client("app")
    oauth_provider.add_user(ALICE)
    oauth_provider.sign_in_as(ALICE)
    token = Client(oauth_provider, tls_ca, "app").sign_in()["access_token"]
    return Graph(graph_server, token, tls_ca)


@pytest_asyncio.fixture
async def world(
    tmp_path: Path, graph_server: GraphServer, oauth_provider: OAuthProvider, tls_ca: Path
) -> AsyncIterator[GraphWorld]:
    """The engine over a SQLite store and the Graph test server (``engine_kit.py``)."""
    store = open_store(f"sqlite:///{tmp_path / 'graph.sqlite3'}")
    made = GraphWorld(store, graph_server, oauth_provider, tls_ca)
    try:
        yield made
    finally:
        await made.close()
        await store.close()
