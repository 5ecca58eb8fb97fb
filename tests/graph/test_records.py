"""Contacts, events in a calendar view, To Do tasks, categories and folder changes on the Graph test
server: delta rounds, the CRM id stamped and read back, writes refused as Graph refuses them."""

from typing import Any

import requests

from .client import ALICE, Graph, delta_round
from .server import GraphServer

CRM_ID = "String {b8b1c2f0-6a0e-4c41-9c1a-3c1f6f0d2a11} Name DesktopSyncCrmId"


def post(graph: Graph, path: str, body: dict[str, Any]) -> requests.Response:
    return graph.http.post(graph.server.url + path, json=body, timeout=10)


def patch(graph: Graph, path: str, body: dict[str, Any]) -> requests.Response:
    return graph.http.patch(graph.server.url + path, json=body, timeout=10)


def test_contacts_round_trip_with_the_crm_id(graph_server: GraphServer, alice: Graph) -> None:
    [folder] = alice.json(f"/users/{ALICE}/contactFolders")["value"]
    created = post(alice, f"/users/{ALICE}/contactFolders/{folder['id']}/contacts", {
        "givenName": "Ada", "surname": "Lovelace", "emailAddresses": [{"address": "ada@example.test", "name": "Ada"}],
        "singleValueExtendedProperties": [{"id": CRM_ID, "value": "contact:42"}],
    })  # fmt: skip
    assert created.status_code == 201, created.text
    contact = created.json()
    items, delta_link, _ = delta_round(alice, f"/users/{ALICE}/contactFolders/{folder['id']}/contacts/delta")
    assert [i["id"] for i in items] == [contact["id"]] and items[0]["surname"] == "Lovelace"

    expand = f"singleValueExtendedProperties($filter=id eq '{CRM_ID}')"
    read = alice.json(f"/users/{ALICE}/contacts/{contact['id']}?$expand={expand}")
    assert read["singleValueExtendedProperties"] == [{"id": CRM_ID, "value": "contact:42"}]

    assert patch(alice, f"/users/{ALICE}/contacts/{contact['id']}", {"jobTitle": "Analyst"}).status_code == 200
    changed, delta_link, _ = delta_round(alice, delta_link)
    assert [c["jobTitle"] for c in changed] == ["Analyst"]
    assert (
        alice.http.delete(graph_server.url + f"/users/{ALICE}/contacts/{contact['id']}", timeout=10).status_code == 204
    )
    removed, _, _ = delta_round(alice, delta_link)
    assert removed == [{"id": contact["id"], "@removed": {"reason": "deleted"}}]


def test_writes_the_metadata_refuses_are_refused(alice: Graph) -> None:
    for body in ({"surname": 5}, {"favouriteColour": "red"}, {"id": "mine"},
                 {"singleValueExtendedProperties": [{"value": "no id"}]}):  # fmt: skip
        answer = post(alice, f"/users/{ALICE}/contacts", body)
        assert answer.status_code == 400, body
    assert post(alice, f"/users/{ALICE}/events", {"subject": "no times"}).status_code == 400


def test_a_calendar_view_delta_sees_its_window(alice: Graph) -> None:
    def event(subject: str, day: str) -> dict[str, Any]:
        return {"subject": subject, "start": {"dateTime": f"{day}T09:00:00", "timeZone": "UTC"},
                "end": {"dateTime": f"{day}T10:00:00", "timeZone": "UTC"}}  # fmt: skip

    inside = post(alice, f"/users/{ALICE}/events", event("inside", "2026-12-10")).json()
    post(alice, f"/users/{ALICE}/events", event("far away", "2028-01-01"))
    window = "startDateTime=2026-12-01T00:00:00Z&endDateTime=2027-01-01T00:00:00Z"
    items, delta_link, _ = delta_round(alice, f"/users/{ALICE}/calendarView/delta?{window}")
    assert [i["subject"] for i in items] == ["inside"]
    assert "startDateTime" in delta_link

    patch(alice, f"/users/{ALICE}/events/{inside['id']}", event("moved out", "2027-06-01"))
    moved, _, _ = delta_round(alice, delta_link)
    assert moved == [{"id": inside["id"], "@removed": {"reason": "deleted"}}]
    assert alice.get(f"/users/{ALICE}/calendarView/delta").status_code == 400  # a first round needs a window


def test_to_do_tasks_carry_the_crm_id_as_a_linked_resource(alice: Graph) -> None:
    [tasks] = alice.json(f"/users/{ALICE}/todo/lists")["value"]
    assert tasks["wellknownListName"] == "defaultList"
    link = {"applicationName": "Desktop Sync", "displayName": "CRM task", "externalId": "task:7"}
    created = post(
        alice, f"/users/{ALICE}/todo/lists/{tasks['id']}/tasks", {"title": "Call Ada", "linkedResources": [link]}
    )
    assert created.status_code == 201, created.text
    task = created.json()
    assert task["status"] == "notStarted"
    read = alice.json(f"/users/{ALICE}/todo/lists/{tasks['id']}/tasks/{task['id']}?$expand=linkedResources")
    assert read["linkedResources"][0]["externalId"] == "task:7"
    items, _, _ = delta_round(alice, f"/users/{ALICE}/todo/lists/{tasks['id']}/tasks/delta")
    assert [i["title"] for i in items] == ["Call Ada"]
    done = patch(alice, f"/users/{ALICE}/todo/lists/{tasks['id']}/tasks/{task['id']}", {"status": "completed"})
    assert done.json()["status"] == "completed"
    assert (
        patch(alice, f"/users/{ALICE}/todo/lists/{tasks['id']}/tasks/{task['id']}", {"status": "done"}).status_code
        == 400
    )


def test_categories_and_folder_changes(graph_server: GraphServer, alice: Graph) -> None:
    assert (
        post(
            alice, f"/users/{ALICE}/outlook/masterCategories", {"displayName": "Tracked to CRM", "color": "preset4"}
        ).status_code
        == 201
    )
    assert post(alice, f"/users/{ALICE}/outlook/masterCategories", {"displayName": "tracked to crm"}).status_code == 409
    assert [c["displayName"] for c in alice.json(f"/users/{ALICE}/outlook/masterCategories")["value"]] == [
        "Tracked to CRM"
    ]

    first, delta_link, _ = delta_round(alice, f"/users/{ALICE}/mailFolders/delta")
    assert {"Inbox", "Sent Items", "Archive"} <= {f["displayName"] for f in first}
    mailbox = graph_server.store.mailbox(ALICE)
    assert mailbox is not None
    projects = graph_server.store.add_folder(mailbox, "Projects")
    graph_server.store.rename_folder(mailbox, projects, "Projects 2027")
    changed, _, _ = delta_round(alice, delta_link)
    assert [(f["id"], f["displayName"]) for f in changed] == [(projects.id, "Projects 2027")]
