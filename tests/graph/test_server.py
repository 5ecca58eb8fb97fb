"""The Graph test server answers as Graph documents it, checked against the metadata on every answer
(the fixture fails a test whose server sent anything the metadata does not allow)."""

import base64
import json
import urllib.parse
from pathlib import Path
from typing import Any

import pytest
import requests
from oauth.provider import OAuthProvider

from .client import ALICE, BOB, Graph, app_graph, delta_round, mime
from .server import GraphServer


def test_tokens_and_permissions(
    graph_server: GraphServer, oauth_provider: OAuthProvider, tls_ca: Path, alice: Graph
) -> None:
    assert {f["displayName"] for f in alice.json(f"/users/{ALICE}/mailFolders")["value"]} >= {"Inbox", "Sent Items"}
    denied = alice.get(f"/users/{BOB}/mailFolders/inbox")
    assert (denied.status_code, denied.json()["error"]["code"]) == (403, "ErrorAccessDenied")
    anonymous = requests.get(graph_server.url + f"/users/{ALICE}/mailFolders", verify=str(tls_ca), timeout=10)
    assert anonymous.status_code == 401 and "invalid_token" in anonymous.headers["WWW-Authenticate"]

    service = app_graph(graph_server, oauth_provider, tls_ca, allowed={BOB})
    assert service.get(f"/users/{BOB}/mailFolders/inbox").status_code == 200
    assert service.get(f"/users/{ALICE}/mailFolders/inbox").status_code == 403  # outside the access policy
    assert service.get("/users/nobody@contoso.test/mailFolders/inbox").status_code == 404

    oauth_provider.revoke(email=ALICE)
    assert alice.get(f"/users/{ALICE}/mailFolders/inbox").status_code == 401


def test_delta_pages_then_only_changes(graph_server: GraphServer, alice: Graph) -> None:
    store = graph_server.store
    delivered = [store.deliver(ALICE, mime(f"hello {n}")) for n in range(25)]
    items, delta_link, made = delta_round(
        alice, f"/users/{ALICE}/mailFolders/inbox/messages/delta?$select=subject,internetMessageId"
    )
    assert made == 3 and sorted(i["id"] for i in items) == sorted(m.id for m in delivered)
    assert set(items[0]) == {"id", "subject", "internetMessageId"}

    nothing, delta_link, made = delta_round(alice, delta_link)
    assert (nothing, made) == ([], 1)  # an idle folder costs one request

    mailbox = store.mailbox(ALICE)
    assert mailbox is not None
    store.update(mailbox, delivered[0], categories=["Tracked to CRM"])
    store.move(mailbox, delivered[1], mailbox.folder("archive").id)  # type: ignore[union-attr]
    store.delete(mailbox, delivered[2])
    new = store.deliver(ALICE, mime("late"))
    changed, _, _ = delta_round(alice, delta_link)
    by_id = {i["id"]: i for i in changed}
    assert set(by_id) == {delivered[0].id, delivered[1].id, delivered[2].id, new.id}
    assert by_id[delivered[1].id]["@removed"] == {"reason": "deleted"} == by_id[delivered[2].id]["@removed"]


def test_an_expired_delta_token_is_gone(graph_server: GraphServer, alice: Graph) -> None:
    graph_server.store.deliver(ALICE, mime("one"))
    _, delta_link, _ = delta_round(alice, f"/users/{ALICE}/mailFolders/inbox/messages/delta")
    graph_server.store.expire_delta_tokens()
    gone = alice.get(delta_link)
    assert (gone.status_code, gone.json()["error"]["code"]) == (410, "SyncStateNotFound")


def test_mime_categories_and_batch(graph_server: GraphServer, alice: Graph) -> None:
    raw = mime("with mime")
    message = graph_server.store.deliver(ALICE, raw)
    assert alice.get(f"/users/{ALICE}/messages/{message.id}/$value").content == raw
    patched = alice.http.patch(graph_server.url + f"/users/{ALICE}/messages/{message.id}",
                               json={"categories": ["Tracked to CRM"]}, timeout=10)  # fmt: skip
    assert patched.status_code == 200 and patched.json()["categories"] == ["Tracked to CRM"]
    bad = alice.http.patch(
        graph_server.url + f"/users/{ALICE}/messages/{message.id}", json={"categories": "x"}, timeout=10
    )
    assert bad.status_code == 400

    others = [graph_server.store.deliver(ALICE, mime(f"batch {n}")) for n in range(19)]
    batch = {"requests": [{"id": str(n), "method": "GET", "url": f"/users/{ALICE}/messages/{m.id}/$value"}
                          for n, m in enumerate([message, *others])]}  # fmt: skip
    answer = alice.http.post(graph_server.url + "/$batch", json=batch, timeout=10)
    assert answer.status_code == 200
    bodies = {r["id"]: base64.b64decode(r["body"]) for r in answer.json()["responses"]}
    assert bodies["0"] == raw and len(bodies) == 20
    batch["requests"].append({"id": "20", "method": "GET", "url": f"/users/{ALICE}/mailFolders/inbox"})
    assert alice.http.post(graph_server.url + "/$batch", json=batch, timeout=10).status_code == 400


def test_send_mail_lands_once_in_sent_items_and_in_the_recipients_inbox(
    graph_server: GraphServer, alice: Graph
) -> None:
    raw = mime("outgoing", to=BOB, sender=ALICE, message_id="<out-1@contoso.test>")
    sent = alice.http.post(graph_server.url + f"/users/{ALICE}/sendMail", data=base64.b64encode(raw),
                           headers={"Content-Type": "text/plain"}, timeout=10)  # fmt: skip
    assert sent.status_code == 202
    where = urllib.parse.quote("internetMessageId eq '<out-1@contoso.test>'")
    found = alice.json(f"/users/{ALICE}/mailFolders/sentitems/messages?$filter={where}")["value"]
    assert [m["subject"] for m in found] == ["outgoing"]
    bob = graph_server.store.mailbox(BOB)
    assert bob is not None and [m.resource()["subject"] for m in bob.messages.values()] == ["outgoing"]
    broken = alice.http.post(
        graph_server.url + f"/users/{ALICE}/sendMail", data="%%%", headers={"Content-Type": "text/plain"}, timeout=10
    )
    assert broken.status_code == 400


def test_throttling_and_dropped_connections(graph_server: GraphServer, alice: Graph) -> None:
    graph_server.faults.throttle(2, retry_after=3)
    first = alice.get(f"/users/{ALICE}/mailFolders/inbox")
    assert (first.status_code, first.headers["Retry-After"]) == (429, "3")
    assert alice.get(f"/users/{ALICE}/mailFolders/inbox").status_code == 429
    assert alice.get(f"/users/{ALICE}/mailFolders/inbox").status_code == 200
    graph_server.faults.unavailable(1)
    assert alice.get(f"/users/{ALICE}/mailFolders/inbox").status_code == 503
    graph_server.faults.drop(1)
    with pytest.raises(requests.ConnectionError):
        alice.get(f"/users/{ALICE}/mailFolders/inbox")
    assert alice.get(f"/users/{ALICE}/mailFolders/inbox").status_code == 200


def test_an_answer_that_breaks_the_metadata_is_caught(graph_server: GraphServer, alice: Graph) -> None:
    message = graph_server.store.deliver(ALICE, mime("to be broken"))
    original = type(message).resource

    def broken(self: Any) -> dict[str, Any]:
        return {**original(self), "flaggedForCrm": True}  # not a property of microsoft.graph.message

    type(message).resource = broken  # type: ignore[method-assign]
    try:
        answer = alice.get(f"/users/{ALICE}/messages/{message.id}")
    finally:
        type(message).resource = original  # type: ignore[method-assign]
    assert answer.status_code == 500
    assert any("flaggedForCrm" in problem for problem in graph_server.invalid)
    graph_server.invalid.clear()
    assert json.loads(answer.text)["error"]["code"] == "generalException"
