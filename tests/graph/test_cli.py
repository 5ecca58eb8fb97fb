"""Exchange Online from the admin's side: the profile, the mailbox, Test & Enable and an engine pass made
with the command line, against the Graph test server and the OAuth test provider (app-only)."""

from __future__ import annotations

from pathlib import Path

import pytest
from oauth.provider import OAuthProvider
from support.cli_runner import Cli

from .client import ALICE, mime
from .server import GraphServer
from .tokens import SERVICE, SERVICE_SECRET, service_app


@pytest.fixture
def run(tmp_path: Path) -> Cli:
    cli = Cli(f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    assert cli("init").code == 0
    return cli


def test_an_exchange_online_mailbox_set_up_tested_and_imported_from_the_command_line(
    run: Cli, graph_server: GraphServer, oauth_provider: OAuthProvider, tls_ca: Path
) -> None:
    graph_server.store.add_mailbox(ALICE)
    service_app(graph_server, oauth_provider, tls_ca)
    for n in range(12):
        graph_server.store.deliver(ALICE, mime(f"online {n}", message_id=f"<online-{n}@contoso.test>"))
    port = graph_server.url.split(":")[2].split("/")[0]
    added = run("profile", "add", "Online", "--kind", "exchange-online", "--auth", "oauth", "--credentials-on",
                "profile", "--oauth-provider", "microsoft", "--client-id", SERVICE, "--tenant", oauth_provider.tenant,
                "--authority-host", oauth_provider.base_url, "--incoming-host", "127.0.0.1", "--incoming-port", port,
                "--ca-file", str(tls_ca), "--password-stdin", stdin=SERVICE_SECRET)  # fmt: skip
    assert added.code == 0, added.err
    assert run("user", "add", ALICE, "--name", "Alice").code == 0
    assert run("user", "tracking", ALICE, "all").code == 0
    assert run("mailbox", "add", ALICE, "--profile", "Online", "--user", ALICE, "--yes").code == 0
    assert run("mailbox", "approve", ALICE).code == 0

    tested = run("mailbox", "test-enable", ALICE, "--json")
    channels = {c["channel"]: c for c in tested.json()["channels"]}  # type: ignore[index]
    assert channels["incoming"]["status"] == "success" and channels["outgoing"]["status"] == "success"
    assert [s["step"] for s in channels["outgoing"]["steps"]] == ["authenticate", "access", "send"]
    assert channels["act"]["status"] == "success", channels["act"]  # appointments, contacts and tasks too
    assert tested.code == 0

    ran = run("engine", "run", "--once")
    assert ran.code == 0, ran.err
    listed = run("email", "list", "--mailbox", ALICE, "--json")
    assert sorted(e["subject"] for e in listed.json()) == sorted(f"online {n}" for n in range(12))  # type: ignore[union-attr]
