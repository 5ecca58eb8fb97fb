"""Appointments, contacts and tasks through exchangelib: create, read back, update with ChangeKey checks, delete."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from exchangelib import (
    Attendee,
    CalendarItem,
    Contact,
    EWSDateTime,
    EWSTimeZone,
    Mailbox,
    Task,
)
from exchangelib.errors import ErrorIrresolvableConflict, ErrorItemNotFound, ErrorNameResolutionNoResults
from exchangelib.fields import MONDAY
from exchangelib.indexed_properties import EmailAddress, PhoneNumber, PhysicalAddress
from exchangelib.items import ALWAYS_OVERWRITE, NEVER_OVERWRITE, SEND_TO_ALL_AND_SAVE_COPY
from exchangelib.recurrence import Recurrence, WeeklyPattern

from ews.fixtures import ALICE, BOB, AccountFactory
from ews.server import EwsServer

UTC = EWSTimeZone("UTC")


def test_contact_round_trip_with_indexed_fields(ews_server: EwsServer, ews_account: AccountFactory):
    account = ews_account()
    contact = Contact(
        account=account,
        folder=account.contacts,
        given_name="Carol",
        surname="Customer",
        display_name="Carol Customer",
        company_name="Customer Ltd",
        job_title="Buyer",
        email_addresses=[EmailAddress(email="carol@customer.test", label="EmailAddress1")],
        phone_numbers=[PhoneNumber(label="BusinessPhone", phone_number="+44 20 7946 0000")],
        physical_addresses=[PhysicalAddress(label="Business", street="1 High St", city="London", zipcode="N1")],
    )
    contact.save()

    (fresh,) = account.contacts.all()
    assert (fresh.given_name, fresh.surname, fresh.company_name, fresh.job_title) == (
        "Carol",
        "Customer",
        "Customer Ltd",
        "Buyer",
    )
    assert [e.email for e in fresh.email_addresses] == ["carol@customer.test"]
    assert [p.phone_number for p in fresh.phone_numbers] == ["+44 20 7946 0000"]
    assert [(a.street, a.city, a.zipcode) for a in fresh.physical_addresses] == [("1 High St", "London", "N1")]

    fresh.job_title = "Head of Purchasing"
    fresh.phone_numbers = [PhoneNumber(label="MobilePhone", phone_number="+44 7700 900000")]
    fresh.save(update_fields=["job_title", "phone_numbers"])
    (again,) = account.contacts.all()
    assert again.job_title == "Head of Purchasing"
    assert {p.label for p in again.phone_numbers} >= {"MobilePhone"}

    again.delete()
    assert account.contacts.all().count() == 0
    assert [i.tag for i in ews_server.items(ALICE, "deleteditems")] == []  # hard delete by default


def test_full_save_sends_every_field_and_is_accepted(ews_server: EwsServer, ews_account: AccountFactory):
    account = ews_account()
    contact = Contact(account=account, folder=account.contacts, display_name="Dan", given_name="Dan")
    contact.save()
    contact.surname = "Driver"
    contact.save()  # no update_fields: SetItemField/DeleteItemField for every updatable field
    (fresh,) = account.contacts.all()
    assert (fresh.given_name, fresh.surname) == ("Dan", "Driver")


def test_stale_change_key_conflicts_on_the_same_field(ews_server: EwsServer, ews_account: AccountFactory):
    account = ews_account()
    Contact(account=account, folder=account.contacts, display_name="Erin", given_name="Erin").save()
    (ours,) = account.contacts.all()

    # Someone edits the contact in Outlook: its ChangeKey moves on.
    ews_server.update_item(ours.id, {"JobTitle": "CEO"})

    ours.job_title = "CTO"
    with pytest.raises(ErrorIrresolvableConflict):
        ours.save(update_fields=["job_title"])  # AutoResolve: the same field changed on both sides
    ours.nickname = "E"
    ours.save(update_fields=["nickname"])  # AutoResolve: another field merges
    ews_server.update_item(ours.id, {"Department": "Board"})
    ours.initials = "EE"
    with pytest.raises(ErrorIrresolvableConflict):
        ours.save(update_fields=["initials"], conflict_resolution=NEVER_OVERWRITE)
    ours.job_title = "CTO"
    ours.save(update_fields=["job_title"], conflict_resolution=ALWAYS_OVERWRITE)
    (fresh,) = account.contacts.all()
    assert (fresh.job_title, fresh.nickname, fresh.department) == ("CTO", "E", "Board")


def test_calendar_item_round_trip_and_invitations(ews_server: EwsServer, ews_account: AccountFactory):
    account = ews_account()
    start = EWSDateTime(2030, 5, 6, 9, 0, tzinfo=UTC)
    meeting = CalendarItem(
        account=account,
        folder=account.calendar,
        subject="Kick-off",
        start=start,
        end=start + dt.timedelta(hours=1),
        location="Room 1",
        body="Agenda",
        required_attendees=[Attendee(mailbox=Mailbox(email_address=BOB), response_type="Unknown")],
    )
    meeting.save(send_meeting_invitations=SEND_TO_ALL_AND_SAVE_COPY)
    (invitation,) = ews_server.sent
    assert invitation.kind == "meeting_request"
    assert invitation.recipients == (BOB,)

    (fresh,) = account.calendar.all()
    assert (fresh.subject, fresh.location, fresh.start, fresh.end) == (
        "Kick-off",
        "Room 1",
        start,
        start + dt.timedelta(hours=1),
    )
    assert fresh.organizer.email_address == ALICE
    assert fresh.uid
    assert [a.mailbox.email_address for a in fresh.required_attendees] == [BOB]

    fresh.start = start + dt.timedelta(days=1)
    fresh.end = start + dt.timedelta(days=1, hours=2)
    fresh.save(update_fields=["start", "end"])
    (moved,) = account.calendar.view(start=start, end=start + dt.timedelta(days=7))
    assert moved.end - moved.start == dt.timedelta(hours=2)

    stale = CalendarItem(account=account, folder=account.calendar, id=moved.id, changekey=moved.changekey)
    moved.delete()
    assert account.calendar.all().count() == 0
    with pytest.raises(ErrorItemNotFound):
        stale.refresh()


def test_task_round_trip(ews_server: EwsServer, ews_account: AccountFactory):
    account = ews_account()
    task = Task(account=account, folder=account.tasks, subject="Call Carol", due_date=dt.date(2030, 1, 31))
    task.save()
    (fresh,) = account.tasks.all()
    assert (fresh.subject, fresh.status, fresh.due_date) == ("Call Carol", "NotStarted", dt.date(2030, 1, 31))
    fresh.status = "InProgress"
    fresh.percent_complete = Decimal(50)
    fresh.save(update_fields=["status", "percent_complete"])
    (again,) = account.tasks.all()
    assert (again.status, again.percent_complete) == ("InProgress", Decimal(50))
    again.delete(affected_task_occurrences="AllOccurrences")
    assert account.tasks.all().count() == 0


def test_server_side_changes_reach_a_contacts_sync(ews_server: EwsServer, ews_account: AccountFactory):
    contact_id = ews_server.create_item(ALICE, "Contact", {"DisplayName": "Fay", "GivenName": "Fay"})
    account = ews_account()
    ((change, item),) = account.contacts.sync_items()
    assert (change, item.display_name) == ("create", "Fay")
    state = account.contacts.item_sync_state
    ews_server.update_item(contact_id, {"Surname": "Fisher"})
    ((change, item),) = account.contacts.sync_items(sync_state=state)
    assert (change, item.surname) == ("update", "Fisher")


def test_recurring_series_and_all_day_events(ews_server: EwsServer, ews_account: AccountFactory):
    account = ews_account()
    start = EWSDateTime(2030, 6, 3, 8, 0, tzinfo=UTC)
    CalendarItem(
        account=account,
        folder=account.calendar,
        subject="Weekly review",
        start=start,
        end=start + dt.timedelta(minutes=30),
        recurrence=Recurrence(pattern=WeeklyPattern(interval=1, weekdays=[MONDAY]), start=start.date(), number=10),
    ).save()
    CalendarItem(
        account=account,
        folder=account.calendar,
        subject="Holiday",
        start=dt.date(2030, 8, 1),
        end=dt.date(2030, 8, 2),
        is_all_day=True,
    ).save()
    items = {item.subject: item for _, item in account.calendar.sync_items()}
    series = items["Weekly review"]
    assert series.type == "RecurringMaster"
    assert series.recurrence.pattern.weekdays == [1]  # exchangelib numbers weekdays ISO-style: Monday is 1
    assert series.recurrence.boundary.number == 10
    assert items["Holiday"].is_all_day is True


def test_resolve_names_finds_mailboxes(ews_server: EwsServer, ews_account: AccountFactory):
    account = ews_account()
    (found,) = account.protocol.resolve_names(["bob"])
    assert found.email_address == BOB
    (missing,) = account.protocol.resolve_names(["nobody"])
    assert isinstance(missing, ErrorNameResolutionNoResults)  # exchangelib returns, not raises, this one
