"""The Graph test server, with the OAuth provider whose tokens it takes."""

from collections.abc import Iterator

import pytest
from oauth.provider import OAuthProvider
from servers.tls import TlsFiles

from .server import GraphServer


@pytest.fixture
def graph_server(tls_files: TlsFiles, oauth_provider: OAuthProvider) -> Iterator[GraphServer]:
    """A Graph server with no mailboxes; after the test, no answer of it may have broken the metadata."""
    with GraphServer(tls_files, oauth_provider) as server:
        yield server
    assert server.invalid == []
