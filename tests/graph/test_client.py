"""The Graph client against the Graph test server: tokens, the per-mailbox limit, throttling, dropped
connections, paging, delta, $batch and the errors of our taxonomy (each answer checked against the metadata)."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from oauth.provider import OAuthProvider

from desktop_sync.connectors.graph.answers import PERMISSION_DENIED, BatchRequest, DeltaGone
from desktop_sync.connectors.graph.client import THROTTLED_TRIES, GraphClient, decode_batch_bytes
from desktop_sync.domain.errors import PermanentError, TransientError
from desktop_sync.domain.signin import SignInNeeded

from .client import ALICE, BOB, mime
from .server import GraphServer
from .tokens import AppTokens, UserTokens, service_app

pytestmark = pytest.mark.asyncio


def client_for(server: GraphServer, tokens: object, ca: Path, mailbox: str = ALICE, **options: object) -> GraphClient:
    context = ssl.create_default_context(cafile=str(ca))
    return GraphClient(server.url, mailbox, tokens, ssl_context=context, timeout=10, backoff=(0.0,), **options)  # type: ignore[arg-type]


@pytest.fixture
def mailboxes(graph_server: GraphServer) -> GraphServer:
    graph_server.store.add_mailbox(ALICE)
    graph_server.store.add_mailbox(BOB)
    return graph_server


@pytest.fixture
def app_tokens(mailboxes: GraphServer, oauth_provider: OAuthProvider, tls_ca: Path) -> AppTokens:
    return service_app(mailboxes, oauth_provider, tls_ca)


@pytest_asyncio.fixture
async def client(mailboxes: GraphServer, app_tokens: AppTokens, tls_ca: Path) -> AsyncIterator[GraphClient]:
    made = client_for(mailboxes, app_tokens, tls_ca)
    yield made
    await made.close()


async def test_app_only_reads_a_mailbox_with_immutable_ids(client: GraphClient, mailboxes: GraphServer) -> None:
    answer = await client.request("GET", "mailFolders/inbox")
    assert answer.body["displayName"] == "Inbox"
    assert 'IdType="ImmutableId"' in answer.headers["Preference-Applied"]


async def test_a_delegated_user_reaches_only_their_own_mailbox(
    mailboxes: GraphServer, oauth_provider: OAuthProvider, tls_ca: Path
) -> None:
    tokens = UserTokens(oauth_provider, tls_ca, ALICE)
    own, other = client_for(mailboxes, tokens, tls_ca), client_for(mailboxes, tokens, tls_ca, mailbox=BOB)
    try:
        assert (await own.get("mailFolders/inbox"))["displayName"] == "Inbox"
        with pytest.raises(PermanentError) as denied:
            await other.get("mailFolders/inbox")
        assert denied.value.code == PERMISSION_DENIED and "Mail.ReadWrite" in denied.value.message
    finally:
        await own.close()
        await other.close()


async def test_a_refused_token_is_renewed_once_then_sign_in_is_needed(
    client: GraphClient, app_tokens: AppTokens, oauth_provider: OAuthProvider
) -> None:
    await client.get("mailFolders/inbox")
    oauth_provider.expire_access_tokens()
    assert (await client.get("mailFolders/inbox"))["displayName"] == "Inbox"
    assert (app_tokens.issued, app_tokens.rejections) == (2, 1)


async def test_a_second_401_means_sign_in_needed(
    mailboxes: GraphServer, oauth_provider: OAuthProvider, tls_ca: Path
) -> None:
    tokens = UserTokens(oauth_provider, tls_ca, ALICE)
    client = client_for(mailboxes, tokens, tls_ca)
    try:
        oauth_provider.revoke(email=ALICE)  # the grant is gone: the refresh token no longer works either
        with pytest.raises(SignInNeeded):
            await client.get("mailFolders/inbox")
        assert tokens.rejections == 1
    finally:
        await client.close()


async def test_the_application_access_policy_names_the_permission(
    mailboxes: GraphServer, oauth_provider: OAuthProvider, tls_ca: Path
) -> None:
    tokens = service_app(mailboxes, oauth_provider, tls_ca, mailboxes={BOB})
    client = client_for(mailboxes, tokens, tls_ca)
    try:
        with pytest.raises(PermanentError) as denied:
            await client.post("sendMail", data=b"", content_type="text/plain")
        assert denied.value.code == PERMISSION_DENIED and "Mail.Send" in denied.value.message
    finally:
        await client.close()


async def test_unknown_mailbox_and_item(mailboxes: GraphServer, app_tokens: AppTokens, tls_ca: Path) -> None:
    nobody = client_for(mailboxes, app_tokens, tls_ca, mailbox="nobody@contoso.test")
    client = client_for(mailboxes, app_tokens, tls_ca)
    try:
        with pytest.raises(PermanentError) as missing:
            await nobody.get("mailFolders/inbox")
        assert missing.value.code == "mailbox_not_found"
        with pytest.raises(PermanentError) as gone:
            await client.get("messages/AAAAnothere")
        assert gone.value.code == "item_not_found"
    finally:
        await nobody.close()
        await client.close()


async def test_at_most_four_requests_at_once_per_mailbox(client: GraphClient, mailboxes: GraphServer) -> None:
    mailboxes.faults.slow(12, 0.3)
    await asyncio.gather(*(client.get("mailFolders/inbox") for _ in range(12)))
    assert 2 <= mailboxes.most_in_flight <= 4


async def test_throttled_requests_wait_for_retry_after_and_succeed(client: GraphClient, mailboxes: GraphServer) -> None:
    mailboxes.faults.throttle(3, retry_after=0)
    mailboxes.faults.unavailable(1, retry_after=0)
    assert (await client.get("mailFolders/inbox"))["displayName"] == "Inbox"
    assert [c.status for c in mailboxes.calls] == [429, 429, 429, 503, 200]
    assert client.gate.throttled == 4


async def test_a_throttling_storm_goes_back_to_the_engine_as_transient(
    client: GraphClient, mailboxes: GraphServer
) -> None:
    mailboxes.faults.throttle(THROTTLED_TRIES, retry_after=0)
    with pytest.raises(TransientError) as busy:
        await client.get("mailFolders/inbox")
    assert busy.value.code == "server_busy" and busy.value.retry_after == 0
    assert len(mailboxes.calls) == THROTTLED_TRIES
    mailboxes.faults.throttle(1, retry_after=120)  # longer than a cycle waits: the engine's back-off takes it
    with pytest.raises(TransientError) as later:
        await client.get("mailFolders/inbox")
    assert later.value.retry_after == 120


async def test_a_dropped_connection_is_retried_for_reads_not_for_a_send(
    client: GraphClient, mailboxes: GraphServer
) -> None:
    mailboxes.faults.drop(2)
    assert (await client.get("mailFolders/inbox"))["displayName"] == "Inbox"
    mailboxes.faults.drop(1)
    with pytest.raises(TransientError) as dropped:
        await client.post("sendMail", data=b"", content_type="text/plain")
    assert dropped.value.code == "connection_dropped"


async def test_delta_pages_then_one_request_when_idle(client: GraphClient, mailboxes: GraphServer) -> None:
    delivered = {mailboxes.store.deliver(ALICE, mime(f"paged {n}")).id for n in range(25)}
    pages = [p async for p in client.delta("mailFolders/inbox/messages/delta", {"$select": "id"}, page_size=10)]
    assert [len(p.items) for p in pages] == [10, 10, 5]
    assert {i["id"] for p in pages for i in p.items} == delivered
    assert pages[-1].delta_link is not None and all(p.delta_link is None for p in pages[:-1])
    before = len(mailboxes.calls)
    idle = [p async for p in client.delta(pages[-1].delta_link)]
    assert len(mailboxes.calls) - before == 1 and idle[0].items == ()

    mailboxes.store.expire_delta_tokens()
    with pytest.raises(DeltaGone):
        async for _ in client.delta(idle[0].delta_link or ""):
            pass


async def test_batches_of_twenty(client: GraphClient, mailboxes: GraphServer) -> None:
    raws = {}
    for n in range(45):
        raw = mime(f"batched {n}")
        raws[mailboxes.store.deliver(ALICE, raw).id] = raw
    requests = [BatchRequest(str(n), "GET", f"messages/{i}/$value") for n, i in enumerate(raws)]
    requests.append(BatchRequest("missing", "GET", "messages/AAAAmissing/$value"))
    before = len(mailboxes.calls)
    answers = await client.batch(requests)
    assert len(mailboxes.calls) - before == 3  # 46 requests: 20 + 20 + 6
    for n, message_id in enumerate(raws):
        assert decode_batch_bytes(answers[str(n)]) == raws[message_id]
    assert answers["missing"].status == 404


async def test_links_to_another_server_are_refused(client: GraphClient) -> None:
    with pytest.raises(TransientError) as elsewhere:
        async for _ in client.delta("https://attacker.test/v1.0/users/x/messages/delta"):
            pass
    assert "another server" in elsewhere.value.message


async def test_a_server_that_does_not_answer_https_is_unreachable(
    app_tokens: AppTokens, tls_ca: Path, unused_tcp_port: int
) -> None:
    context = ssl.create_default_context(cafile=str(tls_ca))
    client = GraphClient(f"https://127.0.0.1:{unused_tcp_port}/v1.0", ALICE, app_tokens, ssl_context=context,
                         timeout=5, backoff=(0.0,))  # fmt: skip
    try:
        with pytest.raises(TransientError) as refused:
            await client.get("mailFolders/inbox")
        assert refused.value.code == "server_unreachable"
    finally:
        await client.close()
