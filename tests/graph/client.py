"""A Graph client played by hand, and the helpers the Graph server's tests share."""

from email.message import EmailMessage
from pathlib import Path
from typing import Any

import requests
from oauth.client import Client
from oauth.provider import OAuthProvider

from .server import APP_SCOPE, GraphServer

ALICE = "alice@contoso.test"
BOB = "bob@contoso.test"


def mime(subject: str, to: str = ALICE, sender: str = BOB, message_id: str | None = None) -> bytes:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, to, subject
    message["Date"] = "Tue, 08 Dec 2026 01:00:00 +0000"
    message["Message-ID"] = message_id or f"<{abs(hash(subject))}@contoso.test>"
    message.set_content(f"Body of {subject}\n")
    return bytes(message)


class Graph:
    """A Graph client played by hand: a session with a bearer token, trusting the test CA only."""

    def __init__(self, server: GraphServer, token: str, ca: Path) -> None:
        self.server = server
        self.http = requests.Session()
        self.http.trust_env = False
        self.http.verify = str(ca)
        self.http.headers["Authorization"] = f"Bearer {token}"

    def get(self, path: str, **headers: str) -> requests.Response:
        url = path if path.startswith("https://") else self.server.url + path
        return self.http.get(url, headers=headers, timeout=10)

    def json(self, path: str, **headers: str) -> Any:
        answer = self.get(path, **headers)
        assert answer.status_code == 200, answer.text
        return answer.json()


def app_graph(graph_server: GraphServer, provider: OAuthProvider, ca: Path, allowed: set[str] | None) -> Graph:
    provider.add_client("service", secret="s", app_scopes=frozenset({APP_SCOPE}))
    graph_server.allow_application("service", allowed)
    answer = Client(provider, ca, "service", secret="s").token(grant_type="client_credentials", scope=APP_SCOPE)
    return Graph(graph_server, answer.json()["access_token"], ca)


def delta_round(graph: Graph, first: str, page_size: int = 10) -> tuple[list[dict[str, Any]], str, int]:
    """Follow next links to the delta link: the items, the delta link, the number of requests."""
    items, url, requests_made = [], first, 0
    while True:
        page = graph.json(url, Prefer=f"odata.maxpagesize={page_size}")
        requests_made += 1
        items.extend(page["value"])
        if "@odata.deltaLink" in page:
            return items, page["@odata.deltaLink"], requests_made
        url = page["@odata.nextLink"]
