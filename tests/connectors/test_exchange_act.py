"""Exchange appointments, contacts and tasks through exchangelib against the EWS test server: each type
created, read, updated and deleted; indexed fields, recurrence, the tracking category, the CRM id stamp,
stale change keys, an invalid SyncState, paging, and the server's faults."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from connectors.test_exchange_kit import (
    exchange_profile,
    factory,
    mailbox,
    own_credentials,
    service_credentials,
    service_profile,
)
from ews.faults import HTTP_401, HTTP_503
from ews.fixtures import ALICE, BOB, PASSWORDS
from ews.server import EwsServer
from ews.soap import T

from desktop_sync.connectors.exchange_act import CURSOR_PREFIX, ExchangeAct
from desktop_sync.connectors.factory import MailConnectorFactory
from desktop_sync.domain.act import ExchangeItem
from desktop_sync.domain.errors import DesktopSyncError, ErrorScope, PermanentError, TransientError
from desktop_sync.domain.model import Profile, RecordType
from desktop_sync.domain.ports.connectors import Credentials

pytestmark = pytest.mark.asyncio

A, C, K = RecordType.APPOINTMENT, RecordType.CONTACT, RecordType.TASK
UTC = dt.UTC
START = dt.datetime(2030, 5, 6, 9, 0, tzinfo=UTC)
TRACKED = "Tracked to CRM"

CAROL = {
    "first_name": "Carol",
    "last_name": "Customer",
    "full_name": "Carol Customer",
    "company": "Contoso",
    "job_title": "Buyer",
    "email": "carol@customer.test",
    "email2": None,
    "phone": "+44 20 7946 0000",
    "mobile_phone": None,
    "street": "1 High St",
    "city": "London",
    "postal_code": "N1 9GU",
    "country": "United Kingdom",
}
KICK_OFF = {
    "subject": "Kick-off",
    "starts_at": START,
    "ends_at": START + dt.timedelta(hours=1),
    "all_day": False,
    "location": "Room 1",
    "body": "Agenda:\nintroductions",
    "attendees": (BOB,),
    "organizer": ALICE,
    "show_as": "busy",
    "importance": "high",
    "recurrence": None,
}
CALL = {
    "subject": "Call Carol",
    "due_at": dt.datetime(2030, 1, 31, tzinfo=UTC),
    "starts_at": dt.datetime(2030, 1, 20, tzinfo=UTC),
    "status": "in_progress",
    "percent_complete": 50,
    "priority": "low",
    "body": "About the renewal",
}


@pytest_asyncio.fixture
async def connectors() -> AsyncIterator[MailConnectorFactory]:
    made = factory()
    yield made
    made.close()


@pytest_asyncio.fixture
async def act(ews_server: EwsServer, connectors: MailConnectorFactory) -> AsyncIterator[ExchangeAct]:
    connector = connectors.act(exchange_profile(ews_server), mailbox(ALICE), own_credentials(ALICE))
    assert isinstance(connector, ExchangeAct)
    yield connector
    await connector.close()


async def everything(act: ExchangeAct, record_type: RecordType, cursor: str | None = None) -> tuple[list[Any], str]:
    """All changes after ``cursor``, page after page, and the cursor after them."""
    items: list[ExchangeItem] = []
    while True:
        changes = await act.changes(record_type, cursor, 512)
        items.extend(changes.items)
        cursor = changes.cursor
        if not changes.more:
            return items, cursor


def only(items: list[ExchangeItem]) -> ExchangeItem:
    assert len(items) == 1, items
    return items[0]


async def test_a_contact_round_trips_with_its_indexed_fields(ews_server: EwsServer, act: ExchangeAct) -> None:
    server_id, change_key = await act.create(C, CAROL, local_id=41)
    stored = ews_server.item(server_id)
    assert stored.folder.distinguished == "contacts" and stored.tag == "Contact"
    assert [e.get("Key") for e in stored.props["EmailAddresses"]] == ["EmailAddress1"]
    assert [e.get("Key") for e in stored.props["PhoneNumbers"]] == ["BusinessPhone"]
    assert stored.props["PhysicalAddresses"][0].findtext(f"{{{T}}}City") == "London"

    items, cursor = await everything(act, C)
    item = only(items)
    assert (item.server_id, item.change_key, item.tracked, item.origin_local_id) == (server_id, change_key, True, 41)
    assert dict(item.values) == CAROL

    # Only the entries given change: a second address added, the office phone cleared, the city moved.
    new_key = await act.update(C, server_id, change_key, {"email2": "c.c@home.test", "phone": None, "city": "Leeds"})
    assert new_key and new_key != change_key
    item = only((await everything(act, C, cursor))[0])
    assert item.change_key == new_key
    assert {k: v for k, v in item.values.items() if v != CAROL[k]} == {
        "email2": "c.c@home.test",
        "phone": None,
        "city": "Leeds",
    }
    assert "PhoneNumbers" not in ews_server.item(server_id).props

    cursor = (await everything(act, C, cursor))[1]
    await act.delete(C, server_id, new_key)
    gone = only((await everything(act, C, cursor))[0])
    assert (gone.server_id, gone.deleted) == (server_id, True)
    assert ews_server.items(ALICE, "contacts") == []


async def test_a_meeting_round_trips_and_invites_only_when_told(ews_server: EwsServer, act: ExchangeAct) -> None:
    quiet, _ = await act.create(A, KICK_OFF, local_id=1)
    assert ews_server.sent == []  # not told: no invitation
    invited, change_key = await act.create(A, {**KICK_OFF, "subject": "Review"}, local_id=2, send_invitations=True)
    [invitation] = ews_server.sent
    assert (invitation.kind, invitation.recipients) == ("meeting_request", (BOB,))

    items = {i.server_id: i for i in (await everything(act, A))[0]}
    assert dict(items[quiet].values) == KICK_OFF  # the organizer is the mailbox owner, read back
    assert items[invited].values["subject"] == "Review" and items[invited].origin_local_id == 2

    moved = START + dt.timedelta(days=1)
    await act.update(A, invited, change_key, {"starts_at": moved, "ends_at": moved + dt.timedelta(hours=2)})
    stored = ews_server.item(invited)
    assert (stored.text("Start"), stored.text("End")) == ("2030-05-07T09:00:00Z", "2030-05-07T11:00:00Z")

    await act.delete(A, invited, None)  # a meeting is cancelled for its attendees
    assert [s.kind for s in ews_server.sent] == ["meeting_request", "meeting_cancellation"]
    assert [i.id for i in ews_server.items(ALICE, "calendar")] == [quiet]
    assert [i.text("Subject") for i in ews_server.items(ALICE, "deleteditems")] == ["Review"]  # recoverable


async def test_a_recurring_series_syncs_as_a_series(ews_server: EwsServer, act: ExchangeAct) -> None:
    weekly = {
        "pattern": "weekly",
        "interval": 1,
        "weekdays": ("monday", "thursday"),
        "start": "2030-05-06",
        "count": 10,
    }
    server_id, change_key = await act.create(A, {**KICK_OFF, "recurrence": weekly}, local_id=3)
    assert ews_server.item(server_id).text("CalendarItemType") == "RecurringMaster"
    items, cursor = await everything(act, A)
    assert only(items).values["recurrence"] == weekly

    monthly = {"pattern": "monthly", "interval": 2, "day_of_month": 6, "start": "2030-05-06", "until": "2031-05-06"}
    await act.update(A, server_id, change_key, {"recurrence": monthly})
    assert only((await everything(act, A, cursor))[0]).values["recurrence"] == monthly

    with pytest.raises(TransientError) as caught:
        await act.create(A, {**KICK_OFF, "recurrence": {"pattern": "fortnightly"}}, local_id=4)
    assert (caught.value.code, caught.value.scope) == ("invalid_value", ErrorScope.ITEM)
    assert "fortnightly" in caught.value.message


async def test_an_all_day_event_keeps_its_days(act: ExchangeAct) -> None:
    day = dt.datetime(2030, 8, 1, tzinfo=UTC)
    holiday = {**KICK_OFF, "subject": "Holiday", "all_day": True, "starts_at": day, "ends_at": day, "attendees": ()}
    await act.create(A, holiday, local_id=5)
    values = only((await everything(act, A))[0]).values
    assert (values["all_day"], values["starts_at"].date(), values["attendees"]) == (True, day.date(), ())


async def test_a_task_round_trips(ews_server: EwsServer, act: ExchangeAct) -> None:
    server_id, change_key = await act.create(K, CALL, local_id=9)
    items, cursor = await everything(act, K)
    assert dict(only(items).values) == CALL
    await act.update(K, server_id, change_key, {"status": "completed", "percent_complete": 100, "priority": "high"})
    values = only((await everything(act, K, cursor))[0]).values
    assert (values["status"], values["percent_complete"], values["priority"]) == ("completed", 100, "high")
    assert ews_server.item(server_id).text("Importance") == "High"


async def test_exchange_to_crm_is_told_which_items_carry_the_tracking_category(
    ews_server: EwsServer, act: ExchangeAct
) -> None:
    tracked = ews_server.create_item(
        ALICE,
        "Contact",
        {"DisplayName": "Dan Dealer", "GivenName": "Dan", "CompanyName": "Tailspin", "Categories": ["VIP", TRACKED]},
    )
    ews_server.create_item(ALICE, "Contact", {"DisplayName": "Erin", "GivenName": "Erin", "Categories": ["VIP"]})
    ews_server.create_item(ALICE, "Contact", {"DisplayName": "Fay", "GivenName": "Fay"})
    items, cursor = await everything(act, C)
    assert {i.values["first_name"]: i.tracked for i in items} == {"Dan": True, "Erin": False, "Fay": False}
    dan = next(i for i in items if i.server_id == tracked)
    assert dan.origin_local_id is None and dan.values["company"] == "Tailspin"

    ews_server.update_item(tracked, {"JobTitle": "CEO"})  # the user edits it in Outlook
    edited = only((await everything(act, C, cursor))[0])
    assert (edited.server_id, edited.values["job_title"], edited.tracked) == (tracked, "CEO", True)


async def test_a_stale_change_key_is_transient_and_nothing_is_overwritten(
    ews_server: EwsServer, act: ExchangeAct
) -> None:
    server_id, change_key = await act.create(C, CAROL, local_id=1)
    ews_server.update_item(server_id, {"Nickname": "Caz"})  # another field, changed in Outlook meanwhile
    with pytest.raises(TransientError) as caught:
        await act.update(C, server_id, change_key, {"job_title": "CEO"})
    assert (caught.value.code, caught.value.scope) == ("change_key_stale", ErrorScope.ITEM)
    assert ews_server.item(server_id).text("JobTitle") == "Buyer"

    ews_server.delete_item(server_id)
    with pytest.raises(TransientError) as caught:
        await act.update(C, server_id, None, {"job_title": "CEO"})
    assert caught.value.code == "change_key_stale"
    await act.delete(C, server_id, None)  # deleting what is gone already is done


async def test_an_invalid_sync_state_reads_the_folder_again_without_duplicates(
    ews_server: EwsServer, act: ExchangeAct
) -> None:
    ids = {(await act.create(K, {**CALL, "subject": f"Task {n}"}, local_id=n))[0] for n in range(3)}
    items, cursor = await everything(act, K)
    assert {i.server_id for i in items} == ids
    ews_server.faults.next("SyncFolderItems", "ErrorInvalidSyncStateData")
    again, after = await everything(act, K, cursor)
    assert sorted(i.server_id for i in again) == sorted(ids)  # each once, as creates
    assert after.startswith(CURSOR_PREFIX)
    assert (await everything(act, K, f"{CURSOR_PREFIX}bm90LWEtc3RhdGU="))[0] != []  # a state the server never issued
    ews_server.stats.reset()
    assert (await everything(act, K, after))[0] == []
    assert ews_server.stats.operations() == ["SyncFolderItems"]  # a no-change poll: one request


async def test_pages_hold_at_most_the_limit_and_say_there_is_more(ews_server: EwsServer, act: ExchangeAct) -> None:
    for n in range(7):
        ews_server.create_item(ALICE, "Task", {"Subject": f"Task {n}", "Categories": [TRACKED]})
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        changes = await act.changes(K, cursor, 3)
        pages += 1
        assert len(changes.items) <= 3
        seen += [i.values["subject"] for i in changes.items]
        cursor = changes.cursor
        if not changes.more:
            break
    assert pages == 3 and sorted(seen) == [f"Task {n}" for n in range(7)]
    assert ews_server.stats.count("GetItem") == 3  # the page's items in one GetItem each


async def test_only_its_own_record_type_is_read(ews_server: EwsServer, act: ExchangeAct) -> None:
    ews_server.create_item(ALICE, "Message", {"Subject": "A note filed among tasks"}, folder="tasks")
    ews_server.create_item(ALICE, "Task", {"Subject": "A real task"})
    items, _ = await everything(act, K)
    assert [i.values["subject"] for i in items] == ["A real task"]


async def act_error(
    connectors: MailConnectorFactory, profile: Profile, credentials: Credentials, address: str = ALICE
) -> DesktopSyncError:
    connector = connectors.act(profile, mailbox(address), credentials)
    try:
        with pytest.raises(DesktopSyncError) as caught:
            await connector.changes(C, None, 512)
    finally:
        await connector.close()
    return caught.value


async def test_faults_become_transient_or_permanent_errors(
    ews_server: EwsServer, connectors: MailConnectorFactory
) -> None:
    own = exchange_profile(ews_server)
    ews_server.faults.next("SyncFolderItems", "ErrorServerBusy", back_off_ms=1500)
    busy = await act_error(connectors, own, own_credentials())
    assert isinstance(busy, TransientError) and (busy.code, busy.retry_after) == ("server_busy", 1.5)
    ews_server.faults.next("GetItem", HTTP_503, back_off_ms=2000)
    ews_server.create_item(ALICE, "Contact", {"DisplayName": "Gus", "GivenName": "Gus"})
    busy = await act_error(connectors, own, own_credentials())
    assert isinstance(busy, TransientError) and (busy.code, busy.retry_after) == ("server_busy", 2.0)

    ews_server.faults.next("*", HTTP_401)
    refused = await act_error(connectors, own, own_credentials())
    assert (type(refused), refused.code, refused.scope) == (PermanentError, "auth_failed", ErrorScope.MAILBOX)
    missing = await act_error(connectors, service_profile(ews_server), service_credentials(), "nobody@example.test")
    assert (type(missing), missing.code) == (PermanentError, "mailbox_not_found")
    bob_as_service = service_profile(ews_server, login="bob")
    denied = await act_error(connectors, bob_as_service, Credentials("bob", PASSWORDS[BOB]))
    assert (type(denied), denied.code, denied.scope) == (PermanentError, "impersonation_denied", ErrorScope.PROFILE)

    connector = connectors.act(own, mailbox(ALICE), own_credentials())
    ews_server.faults.next("CreateItem", "ErrorServerBusy", back_off_ms=500)
    with pytest.raises(TransientError) as caught:
        await connector.create(C, CAROL, local_id=1)
    assert caught.value.code == "server_busy"
    await connector.create(C, CAROL, local_id=1)  # the next attempt goes through
    await connector.close()


async def test_impersonation_reaches_each_users_folders_within_the_connection_limit(
    ews_server: EwsServer, connectors: MailConnectorFactory
) -> None:
    profile = service_profile(ews_server, max_connections=2)
    ews_server.stats.reset()
    for_alice = connectors.act(profile, mailbox(ALICE, 1), service_credentials())
    for_bob = connectors.act(profile, mailbox(BOB, 2), service_credentials())
    await asyncio.gather(
        *(for_alice.create(C, {**CAROL, "first_name": f"A{n}"}, local_id=n) for n in range(4)),
        *(for_bob.create(K, {**CALL, "subject": f"B{n}"}, local_id=n) for n in range(4)),
    )
    assert len(ews_server.items(ALICE, "contacts")) == len(ews_server.items(BOB, "tasks")) == 4
    assert ews_server.stats.count(mailbox=BOB) == 4 and ews_server.stats.count(mailbox=ALICE) == 4
    assert 1 <= ews_server.stats.connections_peak <= 2
    for connector in (for_alice, for_bob):
        await connector.close()


async def test_the_connection_test_reaches_the_calendar(ews_server: EwsServer, act: ExchangeAct) -> None:
    result = await act.test()
    assert result.ok, result
    assert "Calendar" in result.steps[-1].detail


async def test_only_the_mapped_fields_are_read(ews_server: EwsServer, act: ExchangeAct) -> None:
    await act.create(C, CAROL, local_id=1)
    await everything(act, C)
    assert "SyncFolderItems" not in ews_server.stats.shapes  # ids and change keys only
    assert sorted(ews_server.stats.shapes["GetItem"]) == [
        "contacts:CompanyName",
        "contacts:DisplayName",
        "contacts:EmailAddress[EmailAddress1]",
        "contacts:EmailAddress[EmailAddress2]",
        "contacts:GivenName",
        "contacts:JobTitle",
        "contacts:PhoneNumber[BusinessPhone]",
        "contacts:PhoneNumber[MobilePhone]",
        "contacts:PhysicalAddress:City[Business]",
        "contacts:PhysicalAddress:CountryOrRegion[Business]",
        "contacts:PhysicalAddress:PostalCode[Business]",
        "contacts:PhysicalAddress:Street[Business]",
        "contacts:Surname",
        "extended:DesktopSyncCrmId",
        "item:Categories",
    ]
    await act.create(A, KICK_OFF, local_id=2)
    await everything(act, A)
    assert "item:MimeContent" not in ews_server.stats.shapes["GetItem"]
    assert {"calendar:Start", "calendar:Recurrence", "calendar:RequiredAttendees", "item:Body"} <= set(
        ews_server.stats.shapes["GetItem"]
    )
