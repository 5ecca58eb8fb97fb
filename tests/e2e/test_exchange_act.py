"""End to end on the EWS test server: appointments, contacts and tasks both ways, as an admin drives them with
the CLI and the engine runs them through exchangelib — sync filters send matching CRM records to Exchange once,
tracked Exchange items come to the CRM, changes flow either way, conflicts are recorded and resolved, a record
leaving its filter is unlinked and kept in Exchange, and a dry run changes nothing."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from ews import soap
from ews.fixtures import ALICE, BOB, PASSWORDS, SERVICE
from ews.server import EwsServer
from support.cli_admin import Admin

from desktop_sync.domain.model import Channel, RecordType
from desktop_sync.store import open_store

TRACKED = "Tracked to CRM"
FUTURE = (dt.datetime.now(dt.UTC) + dt.timedelta(days=30)).replace(hour=9, minute=0, second=0, microsecond=0)
WRITES = ("CreateItem", "UpdateItem", "DeleteItem")


@pytest.fixture
def admin(tmp_path: Path) -> Admin:
    return Admin(f"sqlite:///{tmp_path / 'crm.sqlite3'}")


def configure(admin: Admin, server: EwsServer) -> None:
    """An Exchange profile with a service account that impersonates; alice's mailbox Test & Enabled, ACT included."""
    channels = admin.exchange_mailbox(server.url, PASSWORDS[SERVICE], ALICE)
    assert channels["act"]["enabled"], channels["act"]
    assert [s["step"] for s in channels["act"]["steps"]][-1] == "access"


def cycle(admin: Admin) -> None:
    """Sync now, then one engine pass: the mailbox's mail cycle, then its appointments, contacts and tasks."""
    admin("sync", "now", ALICE)
    admin("engine", "run", "--once")


def crm_update(admin: Admin, record_type: RecordType, record_id: int, **values: Any) -> None:
    """A user editing a record in the CRM (the CLI adds records; the CRM's own screens change them)."""

    async def change() -> None:
        store = open_store(admin.db)
        try:
            async with store.transaction() as tx:
                await tx.crm.update(record_type, record_id, values)
        finally:
            await store.close()

    asyncio.run(change())


def forget_sync_states(admin: Admin) -> None:
    """What a server that no longer knows our SyncStates (a mailbox move, a restore) makes of our cursors."""

    async def forget() -> None:
        store = open_store(admin.db)
        try:
            async with store.transaction() as tx:
                mailbox = await tx.mailboxes.by_address(ALICE)
                assert mailbox is not None and mailbox.id is not None
                for kind in ("appointment", "contact", "task"):
                    await tx.cursors.set(mailbox.id, Channel.ACT, kind, "act1:Zm9yZ290dGVu")
        finally:
            await store.close()

    asyncio.run(forget())


def records(admin: Admin, kind: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = admin.json(kind, "list")
    return found


def dry_run(admin: Admin) -> dict[str, list[str]]:
    data = admin.json("sync", "now", ALICE, "--dry-run")
    assert data["error"] is None and data["skipped"] is None, data
    return {kind: [a["action"] for a in actions] for kind, actions in data["actions"].items()}


def contact_items(server: EwsServer) -> dict[str, Any]:
    return {item.text("GivenName"): item for item in server.items(ALICE, "contacts")}


def test_filters_send_matching_crm_records_to_exchange_once(admin: Admin, ews_server: EwsServer) -> None:
    configure(admin, ews_server)
    admin("filter", "add", ALICE, "--type", "contact", "--name", "Customers", "--rule", "company not_empty")
    admin("filter", "add", ALICE, "--type", "appointment", "--name", "Reviews", "--rule", "subject contains review")
    admin("filter", "add", ALICE, "--type", "task", "--name", "Calls", "--rule", "subject starts_with Call")
    admin("contact", "add", "--user", ALICE, "--first-name", "Carol", "--last-name", "Customer", "--company", "Contoso",
          "--email", "carol@customer.test", "--phone", "+44 20 7946 0000", "--city", "London")  # fmt: skip
    admin("contact", "add", "--user", ALICE, "--first-name", "Pat", "--last-name", "Private")  # no company
    start = FUTURE.isoformat()
    admin("appointment", "add", "--user", ALICE, "--subject", "Quarterly review", "--start", start,
          "--organizer", ALICE, "--attendee", BOB, "--location", "Room 1")  # fmt: skip
    admin("appointment", "add", "--user", ALICE, "--subject", "Lunch", "--start", start, "--organizer", ALICE)
    admin("task", "add", "--user", ALICE, "--subject", "Call Carol", "--due", "2030-01-31T00:00:00+00:00",
          "--priority", "high", "--status", "in_progress", "--percent-complete", "25")  # fmt: skip

    # The dry run says what would happen, and nothing happens.
    assert dry_run(admin) == {
        "appointment": ["CreateInExchange"],
        "contact": ["CreateInExchange"],
        "task": ["CreateInExchange"],
    }
    assert ews_server.stats.count("CreateItem") == 0 and ews_server.sent == []
    assert not any(c["linked"] for c in records(admin, "contact"))

    cycle(admin)
    [carol] = ews_server.items(ALICE, "contacts")
    assert (carol.text("CompanyName"), carol.text("DisplayName")) == ("Contoso", "Carol Customer")
    [review] = ews_server.items(ALICE, "calendar")
    assert (review.text("Subject"), review.text("Location")) == ("Quarterly review", "Room 1")
    [invitation] = ews_server.sent  # a future meeting the user organizes, with an attendee
    assert (invitation.kind, invitation.recipients) == ("meeting_request", (BOB,))
    [call] = ews_server.items(ALICE, "tasks")
    assert (call.text("Subject"), call.text("Status"), call.text("Importance")) == ("Call Carol", "InProgress", "High")
    assert {c["first_name"]: c["linked_mailboxes"] for c in records(admin, "contact")} == {
        "Carol": [ALICE],
        "Pat": [],
    }

    ews_server.stats.reset()
    cycle(admin)  # nothing changed: nothing written, nothing twice
    cycle(admin)
    assert not any(ews_server.stats.count(op) for op in WRITES)
    assert len(ews_server.items(ALICE, "contacts")) == len(ews_server.items(ALICE, "calendar")) == 1
    assert len(ews_server.sent) == 1
    assert dry_run(admin) == {"appointment": [], "contact": [], "task": []}

    # The server forgot our SyncStates: each folder is read again, and nothing is created twice on either side.
    forget_sync_states(admin)
    ews_server.stats.reset()
    cycle(admin)
    assert ews_server.stats.count("SyncFolderItems") >= 6  # refused, then read from the start, per type
    assert not any(ews_server.stats.count(op) for op in WRITES)
    assert len(records(admin, "contact")) == 2 and len(records(admin, "appointment")) == 2
    assert len(ews_server.items(ALICE, "contacts")) == len(ews_server.items(ALICE, "tasks")) == 1


def test_tracked_exchange_items_come_to_the_crm_and_changes_flow_both_ways(admin: Admin, ews_server: EwsServer) -> None:
    configure(admin, ews_server)
    dan = ews_server.create_item(
        ALICE,
        "Contact",
        {"DisplayName": "Dan Dealer", "GivenName": "Dan", "Surname": "Dealer", "CompanyName": "Tailspin",
         "Categories": [TRACKED]},
    )  # fmt: skip
    ews_server.create_item(ALICE, "Contact", {"DisplayName": "Erin", "GivenName": "Erin"})  # not tracked
    visit_id = ews_server.create_item(
        ALICE,
        "CalendarItem",
        {"Subject": "Site visit", "Start": FUTURE.isoformat(), "End": (FUTURE + dt.timedelta(hours=2)).isoformat(),
         "Categories": [TRACKED]},
    )  # fmt: skip
    ews_server.create_item(ALICE, "Task", {"Subject": "Send the quote", "Categories": [TRACKED]})
    cycle(admin)
    [contact] = records(admin, "contact")
    assert (contact["first_name"], contact["company"], contact["owner"], contact["linked"]) == (
        "Dan",
        "Tailspin",
        ALICE,
        True,
    )
    [visit] = records(admin, "appointment")
    assert (visit["subject"], visit["organizer"], visit["ends_at"]) == (
        "Site visit",
        ALICE,
        (FUTURE + dt.timedelta(hours=2)).isoformat(),
    )
    assert [t["subject"] for t in records(admin, "task")] == ["Send the quote"]

    # Once linked, changes flow both ways, each side's field to the other.
    ews_server.update_item(dan, {"JobTitle": "CEO"})
    crm_update(admin, RecordType.CONTACT, contact["id"], mobile_phone="+33 6 00 00 00 00")
    later = FUTURE + dt.timedelta(days=1, hours=3)
    moved = {"Start": later.strftime("%Y-%m-%dT%H:%M:%SZ"), "End": (later + dt.timedelta(hours=2)).isoformat()}
    ews_server.update_item(visit_id, moved)  # moved in Outlook
    crm_update(admin, RecordType.APPOINTMENT, visit["id"], location="Plant 2")
    cycle(admin)
    [contact] = records(admin, "contact")
    assert (contact["job_title"], contact["mobile_phone"]) == ("CEO", "+33 6 00 00 00 00")
    [visit] = records(admin, "appointment")
    assert (visit["starts_at"], visit["ends_at"], visit["location"]) == (
        later.isoformat(),
        (later + dt.timedelta(hours=2)).isoformat(),
        "Plant 2",
    )
    assert ews_server.item(visit_id).text("Location") == "Plant 2"
    phones = ews_server.item(dan).props["PhoneNumbers"]
    assert [(p.get("Key"), p.text) for p in phones] == [("MobilePhone", "+33 6 00 00 00 00")]
    ews_server.stats.reset()
    cycle(admin)
    assert not any(ews_server.stats.count(op) for op in WRITES)

    # No contact filter holds Dan: the tracking category does. Taking it off in Outlook unlinks him; both keep him.
    ews_server.update_item(dan, {"Categories": ["VIP"]})
    cycle(admin)
    assert [(c["first_name"], c["linked"]) for c in records(admin, "contact")] == [("Dan", False)]
    assert [i.id for i in ews_server.items(ALICE, "contacts") if i.text("GivenName") == "Dan"] == [dan]


def test_conflicts_are_recorded_and_each_resolution_reaches_both_sides(admin: Admin, ews_server: EwsServer) -> None:
    configure(admin, ews_server)
    admin("filter", "add", ALICE, "--type", "contact", "--name", "Customers", "--rule", "company not_empty")
    admin("contact", "add", "--user", ALICE, "--first-name", "Carol", "--last-name", "Customer", "--company",
          "Contoso", "--job-title", "Buyer", "--city", "London")  # fmt: skip
    cycle(admin)
    [carol] = records(admin, "contact")
    [item] = ews_server.items(ALICE, "contacts")

    def conflict(field: str, crm: str, exchange: str) -> dict[str, Any]:
        crm_update(admin, RecordType.CONTACT, carol["id"], **{field: crm})
        ews_server.update_item(item.id, {{"company": "CompanyName", "job_title": "JobTitle"}[field]: exchange})
        cycle(admin)
        [open_conflict] = admin.json("conflicts", "list")
        assert (open_conflict["field"], open_conflict["crm_value"], open_conflict["exchange_value"]) == (
            field,
            crm,
            exchange,
        )
        assert open_conflict["kept"] == "crm"  # the stated default: the CRM's value wins until resolved
        _, said, _ = admin("conflicts", "list")  # the record by its name, not its id
        assert said.startswith(f'#{open_conflict["id"]} contact "Carol Customer" field {field}: '), said
        return open_conflict

    # Keep Exchange: the CRM takes Exchange's value, and the next cycle settles Exchange on it too.
    found = conflict("company", "Fabrikam", "Northwind")
    assert item.text("CompanyName") == "Fabrikam"  # the default already pushed the CRM's value
    admin("conflicts", "resolve", str(found["id"]), "exchange")
    cycle(admin)
    assert records(admin, "contact")[0]["company"] == "Northwind"
    assert ews_server.item(item.id).text("CompanyName") == "Northwind"
    assert admin.json("conflicts", "list") == []

    # Keep both: the linked pair keeps the CRM's value; Exchange's becomes a copy in the CRM, a record of
    # its own, which the filter then sends to Exchange like any other.
    found = conflict("job_title", "Head of Purchasing", "Procurement Lead")
    admin("conflicts", "resolve", str(found["id"]), "both")
    cycle(admin)
    titles = sorted((c["job_title"], c["id"] == carol["id"]) for c in records(admin, "contact"))
    assert titles == [("Head of Purchasing", True), ("Procurement Lead", False)]
    assert ews_server.item(item.id).text("JobTitle") == "Head of Purchasing"
    assert sorted(i.text("JobTitle") for i in ews_server.items(ALICE, "contacts")) == [
        "Head of Purchasing",
        "Procurement Lead",
    ]

    # Keep the CRM: nothing moves but the conflict is closed.
    found = conflict("job_title", "Director", "VP")
    admin("conflicts", "resolve", str(found["id"]), "crm")
    cycle(admin)
    assert ews_server.item(item.id).text("JobTitle") == "Director"
    assert [c["job_title"] for c in records(admin, "contact") if c["id"] == carol["id"]] == ["Director"]
    assert len(admin.json("conflicts", "list", "--all")) == 3


def test_a_record_leaving_its_filter_is_unlinked_and_kept_in_exchange(admin: Admin, ews_server: EwsServer) -> None:
    configure(admin, ews_server)
    admin("filter", "add", ALICE, "--type", "contact", "--name", "Customers", "--rule", "company not_empty")
    admin("filter", "add", ALICE, "--type", "appointment", "--name", "Reviews", "--rule", "subject contains review")
    admin("contact", "add", "--user", ALICE, "--first-name", "Carol", "--company", "Contoso")
    admin("appointment", "add", "--user", ALICE, "--subject", "Design review", "--start", FUTURE.isoformat(),
          "--organizer", ALICE, "--attendee", BOB)  # fmt: skip
    cycle(admin)
    [carol] = records(admin, "contact")
    [review] = records(admin, "appointment")
    assert carol["linked"] and review["linked"] and len(ews_server.sent) == 1

    crm_update(admin, RecordType.CONTACT, carol["id"], company=None)
    crm_update(admin, RecordType.APPOINTMENT, review["id"], subject="Design workshop")
    assert dry_run(admin) == {"appointment": ["Unlink"], "contact": ["Unlink"], "task": []}
    cycle(admin)
    assert [c["linked"] for c in records(admin, "contact")] == [False]
    assert [a["linked"] for a in records(admin, "appointment")] == [False]
    assert [i.text("GivenName") for i in ews_server.items(ALICE, "contacts")] == ["Carol"]  # kept in Exchange
    assert [i.text("Subject") for i in ews_server.items(ALICE, "calendar")] == ["Design review"]
    assert [s.kind for s in ews_server.sent] == ["meeting_request"]  # no cancellation
    ews_server.stats.reset()
    cycle(admin)
    assert not any(ews_server.stats.count(op) for op in WRITES)

    # Edited in Outlook afterwards, the items we made stay Exchange's own: not linked again, not copied back.
    [contact_item] = ews_server.items(ALICE, "contacts")
    ews_server.update_item(contact_item.id, {"JobTitle": "Buyer"})
    cycle(admin)
    assert [(c["first_name"], c["linked"]) for c in records(admin, "contact")] == [("Carol", False)]
    assert dry_run(admin) == {"appointment": [], "contact": [], "task": []}


def test_a_busy_server_fails_one_item_which_the_next_cycle_creates_once(admin: Admin, ews_server: EwsServer) -> None:
    configure(admin, ews_server)
    admin("filter", "add", ALICE, "--type", "task", "--name", "All", "--rule", "subject not_empty")
    admin("task", "add", "--user", ALICE, "--subject", "Call Carol")
    admin("task", "add", "--user", ALICE, "--subject", "Call Dan")
    ews_server.faults.next("CreateItem", "ErrorServerBusy", back_off_ms=100, mailbox=ALICE)
    cycle(admin)
    assert len(ews_server.items(ALICE, "tasks")) == 1
    [failed] = admin.json("failed", "list")
    assert failed["code"] == "server_busy"
    cycle(admin)
    assert sorted(i.text("Subject") for i in ews_server.items(ALICE, "tasks")) == ["Call Carol", "Call Dan"]
    assert all(t["linked"] for t in records(admin, "task"))


def test_a_permanent_fault_stops_appointments_contacts_and_tasks_with_an_alert(
    admin: Admin, ews_server: EwsServer
) -> None:
    configure(admin, ews_server)
    ews_server.create_item(ALICE, "Contact", {"DisplayName": "Dan", "GivenName": "Dan", "Categories": [TRACKED]})
    ews_server.faults.next("GetItem", "ErrorImpersonateUserDenied", mailbox=ALICE)  # read by the ACT cycle only
    cycle(admin)
    [alert] = [a for a in admin.json("alerts", "list") if a["code"] == "impersonation_denied"]
    assert (alert["severity"], alert["mailbox"]) == ("error", ALICE)
    assert "ApplicationImpersonation" in alert["fix"]
    [mailbox] = admin.json("mailbox", "list")
    assert (mailbox["act"]["enabled"], mailbox["incoming"]["enabled"]) == (False, True)
    assert records(admin, "contact") == []


def crm_id_property(value: str) -> Any:
    """Our CRM-id property (an Integer) as another program may have left it: holding ``value``."""
    prop = soap.t("ExtendedProperty")
    prop.append(
        soap.t(
            "ExtendedFieldURI",
            PropertySetId="6f1b8b53-0d0e-4bd4-9a54-5f2f1a3c7d21",
            PropertyName="DesktopSyncCrmId",
            PropertyType="Integer",
        )
    )
    prop.append(soap.t("Value", value))
    return prop


def test_an_item_exchangelib_cannot_read_is_in_the_ledger_and_the_others_sync(
    admin: Admin, ews_server: EwsServer
) -> None:
    configure(admin, ews_server)
    ews_server.create_item(ALICE, "Contact", {"DisplayName": "Dan", "GivenName": "Dan", "Categories": [TRACKED]})
    broken = ews_server.create_item(
        ALICE,
        "Contact",
        {"DisplayName": "Odd", "GivenName": "Odd", "Categories": [TRACKED], "ExtendedProperty": crm_id_property("x1")},
    )
    ews_server.create_item(ALICE, "Contact", {"DisplayName": "Eve", "GivenName": "Eve", "Categories": [TRACKED]})
    cycle(admin)
    assert sorted(c["full_name"] for c in records(admin, "contact")) == ["Dan", "Eve"]
    [failed] = admin.json("failed", "list")
    assert (failed["item"], failed["code"], failed["channel"]) == (broken, "item_failed", "act")
    assert failed["reason"].startswith(f"reading failed on {broken}: ValueError: invalid literal for int()"), failed
    [mailbox] = admin.json("mailbox", "list")
    assert (mailbox["act"]["enabled"], mailbox["state"], mailbox["last_error_code"]) == (True, "idle", None)
    assert [a["code"] for a in admin.json("alerts", "list") if a["scope"] != "item"] == []

    # The type's cursor moved past it: a contact added later syncs, the broken one is not read again.
    ews_server.create_item(ALICE, "Contact", {"DisplayName": "Fay", "GivenName": "Fay", "Categories": [TRACKED]})
    cycle(admin)
    assert sorted(c["full_name"] for c in records(admin, "contact")) == ["Dan", "Eve", "Fay"]
    assert [(f["item"], f["attempts"]) for f in admin.json("failed", "list")] == [(broken, 1)]


def test_a_crm_record_our_conversion_cannot_take_is_in_the_ledger_and_the_others_go_to_exchange(
    admin: Admin, ews_server: EwsServer
) -> None:
    configure(admin, ews_server)
    admin("filter", "add", ALICE, "--type", "appointment", "--name", "Reviews", "--rule", "subject contains review")
    start = FUTURE.isoformat()
    for subject in ("Odd review", "Quarterly review"):
        admin("appointment", "add", "--user", ALICE, "--subject", subject, "--start", start, "--organizer", ALICE)
    [odd] = [a for a in records(admin, "appointment") if a["subject"] == "Odd review"]
    # written by another part of the CRM: a weekly series whose weekdays are a number, not a list
    crm_update(admin, RecordType.APPOINTMENT, odd["id"], recurrence={"pattern": "weekly", "weekdays": 5})
    cycle(admin)
    assert [i.text("Subject") for i in ews_server.items(ALICE, "calendar")] == ["Quarterly review"]
    [failed] = admin.json("failed", "list")
    assert (failed["item"], failed["code"], failed["channel"]) == (f"appointment:{odd['id']}", "item_failed", "act")
    assert failed["reason"].startswith(f"converting failed on appointment:{odd['id']}: TypeError:"), failed
    [mailbox] = admin.json("mailbox", "list")
    assert (mailbox["act"]["enabled"], mailbox["last_error_code"]) == (True, None)
    assert [a["code"] for a in admin.json("alerts", "list") if a["scope"] != "item"] == []


def test_an_item_the_server_answers_an_error_for_is_in_the_ledger_and_the_others_sync(
    admin: Admin, ews_server: EwsServer
) -> None:
    configure(admin, ews_server)
    ews_server.create_item(ALICE, "Contact", {"DisplayName": "Dan", "GivenName": "Dan", "Categories": [TRACKED]})
    corrupt = ews_server.create_item(
        ALICE, "Contact", {"DisplayName": "Odd", "GivenName": "Odd", "Categories": [TRACKED]}
    )
    ews_server.create_item(ALICE, "Contact", {"DisplayName": "Eve", "GivenName": "Eve", "Categories": [TRACKED]})
    with ews_server.store.lock:
        ews_server.store.get_item_errors[corrupt] = "ErrorCorruptData"  # GetItem: this item's own error
    cycle(admin)
    assert sorted(c["full_name"] for c in records(admin, "contact")) == ["Dan", "Eve"]
    [failed] = admin.json("failed", "list")
    assert (failed["item"], failed["code"], failed["channel"]) == (corrupt, "item_failed", "act")
    assert failed["reason"].startswith(f"reading failed on {corrupt}: ErrorCorruptData"), failed
    [mailbox] = admin.json("mailbox", "list")
    assert (mailbox["act"]["enabled"], mailbox["state"], mailbox["last_error_code"]) == (True, "idle", None)


def test_a_busy_answer_for_one_item_fails_the_page_to_be_read_again(admin: Admin, ews_server: EwsServer) -> None:
    configure(admin, ews_server)
    busy = ews_server.create_item(ALICE, "Contact", {"DisplayName": "Dan", "GivenName": "Dan", "Categories": [TRACKED]})
    with ews_server.store.lock:
        ews_server.store.get_item_errors[busy] = "ErrorServerBusy"  # the server's state, not the item's
    cycle(admin)
    assert records(admin, "contact") == []
    assert admin.json("failed", "list") == []
    with ews_server.store.lock:
        del ews_server.store.get_item_errors[busy]
    cycle(admin)
    assert [c["full_name"] for c in records(admin, "contact")] == ["Dan"]
