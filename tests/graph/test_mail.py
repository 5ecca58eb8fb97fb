"""Incoming mail through Microsoft Graph, from the connector factory: delta per folder with the link as
the cursor, MIME by $batch, tracked folders by id, the tracked category written back, a forgotten delta
token, and the channel test."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Mapping
from pathlib import Path

import pytest
import pytest_asyncio
from oauth.provider import OAuthProvider

from desktop_sync.connectors.factory import MailConnectorFactory
from desktop_sync.connectors.graph.mail import GraphIncoming
from desktop_sync.domain.errors import PermanentError
from desktop_sync.domain.model import Channel
from desktop_sync.domain.ports.connectors import Batch, ConnectionTestStep, IncomingMail

from .client import ALICE, BOB, mime
from .kit import bearer, graph_mailbox, graph_profile
from .server import GraphServer
from .tokens import AppTokens, service_app

pytestmark = pytest.mark.asyncio


@pytest.fixture
def tokens(graph_server: GraphServer, oauth_provider: OAuthProvider, tls_ca: Path) -> AppTokens:
    graph_server.store.add_mailbox(ALICE)
    graph_server.store.add_mailbox(BOB)
    return service_app(graph_server, oauth_provider, tls_ca)


@pytest_asyncio.fixture
async def factory() -> AsyncIterator[MailConnectorFactory]:
    made = MailConnectorFactory(graph_batch_size=7, graph_page_size=10)
    yield made
    made.close()


@pytest.fixture
def connect(
    graph_server: GraphServer,
    oauth_provider: OAuthProvider,
    tls_ca: Path,
    tokens: AppTokens,
    factory: MailConnectorFactory,
):
    def incoming(*folders: str, address: str = ALICE) -> GraphIncoming:
        profile = graph_profile(graph_server, oauth_provider, tls_ca)
        connector = factory.incoming(profile, graph_mailbox(address), bearer(tokens), folders)
        assert isinstance(connector, GraphIncoming)
        return connector

    return incoming


async def read_all(
    connector: IncomingMail, cursors: Mapping[str, str], since: dt.datetime | None = None, limit: int = 10_000
) -> tuple[list[Batch], dict[str, str]]:
    batches = [b async for b in connector.fetch(cursors, since, limit)]
    after = dict(cursors)
    for batch in batches:
        if batch.cursor is not None:
            after[batch.cursor.folder] = batch.cursor.value
    return batches, after


def calls_since(server: GraphServer, start: int) -> list[str]:
    return [f"{c.method} {c.path.split('/users/')[-1]}" for c in server.calls[start:]]


async def test_a_mailbox_is_read_once_then_an_idle_poll_is_one_request(graph_server: GraphServer, connect) -> None:
    incoming = connect
    delivered = {graph_server.store.deliver(ALICE, mime(f"first {n}")).id: n for n in range(25)}
    connector = incoming()
    try:
        batches, cursors = await read_all(connector, {})
        ids = [item.server_id for b in batches for item in b.items]
        assert sorted(ids) == sorted(delivered) and len(ids) == len(set(ids))
        assert batches[-1].more is False and set(cursors) == {"INBOX"}
        assert all(item.raw == mime(f"first {delivered[item.server_id]}") for b in batches for item in b.items)

        start = len(graph_server.calls)
        again, _ = await read_all(connector, cursors)
        assert [item for b in again for item in b.items] == []
        assert calls_since(graph_server, start) == ["GET alice@contoso.test/mailFolders/inbox/messages/delta"]
    finally:
        await connector.close()


async def test_a_limited_read_resumes_from_the_next_link(graph_server: GraphServer, connect) -> None:
    incoming = connect
    delivered = {graph_server.store.deliver(ALICE, mime(f"resumed {n}")).id for n in range(33)}
    connector = incoming()
    try:
        first, cursors = await read_all(connector, {}, limit=12)
        seen = [i.server_id for b in first for i in b.items]
        assert first[-1].more is True and 12 <= len(seen) < 33
        rest, cursors = await read_all(connector, cursors)
        more = [i.server_id for b in rest for i in b.items]
        assert sorted(seen + more) == sorted(delivered)  # each exactly once
        late = graph_server.store.deliver(ALICE, mime("late"))
        last, _ = await read_all(connector, cursors)
        assert [i.server_id for b in last for i in b.items] == [late.id]
    finally:
        await connector.close()


async def test_mail_before_the_start_date_is_skipped_but_covered(graph_server: GraphServer, connect) -> None:
    incoming = connect
    old = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    graph_server.store.deliver(ALICE, mime("old"), received=old)
    new = graph_server.store.deliver(ALICE, mime("new"))
    connector = incoming()
    try:
        batches, cursors = await read_all(connector, {}, since=dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
        assert [i.server_id for b in batches for i in b.items] == [new.id] and cursors["INBOX"]
    finally:
        await connector.close()


async def test_a_forgotten_delta_token_reads_the_folder_again(graph_server: GraphServer, connect) -> None:
    incoming = connect
    delivered = {graph_server.store.deliver(ALICE, mime(f"kept {n}")).id for n in range(4)}
    connector = incoming()
    try:
        _, cursors = await read_all(connector, {})
        graph_server.store.expire_delta_tokens()
        again, _ = await read_all(connector, cursors)
        assert again[0].reset is True
        assert {i.server_id for b in again for i in b.items} == delivered  # the engine's guard drops them
    finally:
        await connector.close()


async def test_a_cursor_of_another_folder_starts_afresh(graph_server: GraphServer, connect) -> None:
    incoming = connect
    graph_server.store.deliver(ALICE, mime("one"))
    connector = incoming()
    try:
        batches, _ = await read_all(connector, {"INBOX": "graph1|another-folder|https://127.0.0.1/v1.0/x"})
        assert batches[0].reset is True and len([i for b in batches for i in b.items]) == 1
        garbage, _ = await read_all(connector, {"INBOX": "not a cursor of ours"})
        assert garbage[0].reset is True
    finally:
        await connector.close()


async def test_tracked_folders_by_path_and_renamed_by_id(graph_server: GraphServer, connect) -> None:
    incoming = connect
    store = graph_server.store
    mailbox = store.mailbox(ALICE)
    assert mailbox is not None
    inbox = mailbox.folder("inbox")
    customers = store.add_folder(mailbox, "Customers", parent=inbox)
    filed = store.deliver(ALICE, mime("filed"), folder=customers.id)
    connector = incoming("INBOX/Customers", "INBOX/Gone")
    try:
        folders = {f.name: f for f in await connector.list_folders()}
        assert folders["INBOX/Customers"].id == customers.id and folders["Sent Items"].special_use == "\\Sent"
        batches, _ = await read_all(connector, {})
        assert [(i.server_id, i.folder) for b in batches for i in b.items] == [(filed.id, "INBOX/Customers")]
        (gone,) = [f for b in batches for f in b.failures]
        assert (gone.folder, gone.code, gone.transient) == ("INBOX/Gone", "mailbox_not_found", False)

        store.rename_folder(mailbox, customers, "Clients")
        renamed = {f.id: f.name for f in await connector.list_folders()}
        assert renamed[customers.id] == "INBOX/Clients"
        assert (await connector.fetch_item(filed.id)).raw == mime("filed")
    finally:
        await connector.close()


async def test_the_tracked_category_keeps_the_users_own_and_is_not_read_again(
    graph_server: GraphServer, connect
) -> None:
    incoming = connect
    store = graph_server.store
    mailbox = store.mailbox(ALICE)
    assert mailbox is not None
    message = store.deliver(ALICE, mime("categorized"))
    store.update(mailbox, message, categories=["Red"])
    connector = incoming()
    try:
        _, cursors = await read_all(connector, {})
        await connector.categorize([message.id, "AAAAgone"], "Tracked to CRM")
        assert message.categories == ["Red", "Tracked to CRM"]
        start = len(graph_server.calls)
        echo, cursors = await read_all(connector, cursors)
        assert [i for b in echo for i in b.items] == []  # our own change came back: not read again
        assert not any("$batch" in call for call in calls_since(graph_server, start))
    finally:
        await connector.close()


async def test_an_item_gone_is_a_permanent_failure(graph_server: GraphServer, connect) -> None:
    incoming = connect
    connector = incoming()
    try:
        with pytest.raises(PermanentError) as gone:
            await connector.fetch_item("AAAAnot-there")
        assert gone.value.code == "item_not_found"
    finally:
        await connector.close()


async def test_the_channel_test_and_the_access_policy(
    graph_server: GraphServer, oauth_provider: OAuthProvider, tls_ca: Path, connect, factory: MailConnectorFactory
) -> None:
    incoming = connect
    connector = incoming()
    try:
        result = await connector.test()
        assert result.ok, result
        assert [s.step for s in result.steps] == [
            ConnectionTestStep.AUTHENTICATE, ConnectionTestStep.ACCESS, ConnectionTestStep.LIST_FOLDERS]  # fmt: skip
    finally:
        await connector.close()
    graph_server.allow_application("graph-service-app", {BOB})  # an application access policy without Alice
    refused = incoming()
    try:
        result = await refused.test()
        assert result.failed_step is ConnectionTestStep.ACCESS
        assert result.failure is not None and result.failure.error_code == "graph_permission_denied"
    finally:
        await refused.close()
    profile = graph_profile(graph_server, oauth_provider, tls_ca)
    assert factory.supports(profile, Channel.INCOMING) and factory.supports(profile, Channel.OUTGOING)
