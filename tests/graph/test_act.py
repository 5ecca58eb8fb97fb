"""The Graph ACT connector against the Graph test server: the calendar window and its daily move, an event
leaving the window is not a deletion, one unreadable item fails alone, a forgotten delta token reads again,
and the connection test names what it could not reach."""

from __future__ import annotations

import datetime as dt
import ssl
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from oauth.provider import OAuthProvider

from desktop_sync.connectors.graph.act import GraphAct
from desktop_sync.connectors.graph.client import GraphClient
from desktop_sync.domain.errors import TransientError
from desktop_sync.domain.model import RecordType
from desktop_sync.domain.ports.connectors import ActChanges, CalendarWindow, ConnectionTestStep

from .client import ALICE, BOB
from .outlook import Outlook
from .server import GraphServer
from .tokens import AppTokens, service_app

pytestmark = pytest.mark.asyncio
TRACKED = "Tracked to CRM"
A, C = RecordType.APPOINTMENT, RecordType.CONTACT
TODAY = dt.date(2026, 12, 8)


class Today:
    def __init__(self) -> None:
        self.day = TODAY

    def __call__(self) -> dt.date:
        return self.day


def event(day: dt.date, subject: str, zone: str = "UTC") -> dict[str, object]:
    return {
        "subject": subject,
        "categories": [TRACKED],
        "start": {"dateTime": f"{day.isoformat()}T09:00:00.0000000", "timeZone": zone},
        "end": {"dateTime": f"{day.isoformat()}T10:00:00.0000000", "timeZone": zone},
        "organizer": {"emailAddress": {"address": ALICE}},
    }


@pytest.fixture
def outlook(graph_server: GraphServer) -> Outlook:
    graph_server.store.add_mailbox(ALICE)
    graph_server.store.add_mailbox(BOB)
    return Outlook(graph_server, ALICE)


@pytest.fixture
def tokens(outlook: Outlook, oauth_provider: OAuthProvider, tls_ca: Path) -> AppTokens:
    return service_app(outlook.graph, oauth_provider, tls_ca, {ALICE})


@pytest.fixture
def today() -> Today:
    return Today()


@pytest_asyncio.fixture
async def act(outlook: Outlook, tokens: AppTokens, tls_ca: Path, today: Today) -> AsyncIterator[GraphAct]:
    made = connector(outlook.graph, tokens, tls_ca, today, ALICE)
    yield made
    await made.close()


def connector(graph: GraphServer, tokens: AppTokens, ca: Path, today: Today, mailbox: str) -> GraphAct:
    context = ssl.create_default_context(cafile=str(ca))
    client = GraphClient(graph.url, mailbox, tokens, ssl_context=context, timeout=10, backoff=(0.0,))
    return GraphAct(client, tracked_category=TRACKED, window=CalendarWindow(days_back=30, days_ahead=60), today=today)


async def rounds(act: GraphAct, record_type: RecordType, cursor: str | None) -> tuple[list[ActChanges], str]:
    """Every page until the round ends (``more`` false)."""
    pages = []
    while True:
        page = await act.changes(record_type, cursor, 50)
        pages.append(page)
        cursor = page.cursor
        if not page.more:
            return pages, cursor


def subjects(pages: list[ActChanges]) -> list[str]:
    return sorted(str(i.values["subject"]) for p in pages for i in p.items if not i.deleted)


async def test_the_calendar_window_moves_daily_without_reading_the_calendar_as_new(
    act: GraphAct, outlook: Outlook, today: Today
) -> None:
    outlook.add("event", **event(TODAY - dt.timedelta(days=40), "Too old"))
    outlook.add("event", **event(TODAY + dt.timedelta(days=5), "Next week"))
    outlook.add("event", **event(TODAY + dt.timedelta(days=60), "Just beyond"))
    pages, cursor = await rounds(act, A, None)
    assert subjects(pages) == ["Next week"]
    assert not any(p.full for p in pages)  # a window is never the whole calendar

    today.day = TODAY + dt.timedelta(days=1)  # a day later the window ends a day later too
    pages, cursor = await rounds(act, A, cursor)
    assert "Just beyond" in subjects(pages) and not any(p.full for p in pages)
    assert not any(i.deleted for p in pages for i in p.items)
    pages, cursor = await rounds(act, A, cursor)  # the same day again: only changes, and there are none
    assert subjects(pages) == []


async def test_an_event_moved_out_of_the_window_is_not_a_deletion(act: GraphAct, outlook: Outlook) -> None:
    review = outlook.add("event", **event(TODAY + dt.timedelta(days=2), "Review"))
    _, cursor = await rounds(act, A, None)
    far = event(TODAY + dt.timedelta(days=200), "Review")
    outlook.edit(review, start=far["start"], end=far["end"])  # moved in Outlook, months ahead
    pages, cursor = await rounds(act, A, cursor)
    [item] = [i for p in pages for i in p.items]
    assert (item.server_id, item.deleted) == (review, False)
    assert item.values["starts_at"] == dt.datetime.combine(TODAY + dt.timedelta(days=200), dt.time(9), dt.UTC)
    outlook.remove(review)
    pages, _ = await rounds(act, A, cursor)
    assert [(i.server_id, i.deleted) for p in pages for i in p.items] == [(review, True)]


async def test_an_item_in_a_zone_nobody_knows_fails_alone(act: GraphAct, outlook: Outlook) -> None:
    odd = outlook.add("event", **event(TODAY + dt.timedelta(days=1), "On Mars", zone="Mars/Olympus_Mons"))
    outlook.add("event", **event(TODAY + dt.timedelta(days=1), "In Paris", zone="Romance Standard Time"))
    pages, _ = await rounds(act, A, None)
    assert subjects(pages) == ["In Paris"]
    [failure] = [f for p in pages for f in p.failures]
    assert failure.server_id == odd and "Mars/Olympus_Mons" in failure.reason


async def test_a_forgotten_delta_token_reads_the_contacts_again_as_the_whole_folder(
    act: GraphAct, outlook: Outlook
) -> None:
    outlook.add("contact", givenName="Dan", categories=[TRACKED])
    pages, cursor = await rounds(act, C, None)
    assert pages[0].full and [i.values["first_name"] for p in pages for i in p.items] == ["Dan"]
    outlook.graph.store.expire_delta_tokens()
    pages, _ = await rounds(act, C, cursor)
    assert pages[0].full and [i.values["first_name"] for p in pages for i in p.items] == ["Dan"]


async def test_the_connection_test_reads_each_collection(
    act: GraphAct, outlook: Outlook, tokens: AppTokens, tls_ca: Path, today: Today
) -> None:
    result = await act.test()
    assert result.ok, result
    assert [s.step for s in result.steps] == [ConnectionTestStep.AUTHENTICATE, ConnectionTestStep.ACCESS]
    other = connector(outlook.graph, tokens, tls_ca, today, BOB)  # not in the application access policy
    try:
        refused = await other.test()
    finally:
        await other.close()
    assert not refused.ok
    assert "Contacts.ReadWrite" in refused.steps[-1].detail


async def test_the_window_the_admin_set_is_the_one_read(act: GraphAct, outlook: Outlook) -> None:
    outlook.add("event", **event(TODAY + dt.timedelta(days=2), "Soon"))
    outlook.add("event", **event(TODAY + dt.timedelta(days=10), "Later"))
    page = await act.changes(A, None, 50, window=CalendarWindow(days_back=0, days_ahead=5))
    assert [i.values["subject"] for i in page.items] == ["Soon"]


async def test_an_item_changed_in_outlook_since_it_was_read_is_not_overwritten(act: GraphAct, outlook: Outlook) -> None:
    for kind, data, change in (
        ("contact", {"givenName": "Dan", "categories": [TRACKED]}, {"companyName": "Northwind"}),
        ("todoTask", {"title": "Call Dan", "categories": [TRACKED]}, {"title": "Call Dan today"}),
    ):
        record_type = C if kind == "contact" else RecordType.TASK
        item_id = outlook.add(kind, **data)
        [page] = (await rounds(act, record_type, None))[0]
        [item] = page.items
        outlook.edit(item_id, **change)  # the user, in the moment between our read and our write
        field = "company" if kind == "contact" else "subject"
        with pytest.raises(TransientError) as refused:
            await act.update(record_type, item_id, item.change_key, {field: "From the CRM"})
        assert refused.value.code == "change_key_stale"
        assert outlook.get(item_id)[next(iter(change))] == next(iter(change.values()))
        fresh = outlook.get(item_id)
        new_key = await act.update(record_type, item_id, fresh.get("changeKey") or fresh["@odata.etag"], {field: "CRM"})
        assert new_key is not None and outlook.get(item_id)[next(iter(change))] == "CRM"


async def test_the_default_contact_folder_is_found_whatever_its_name(act: GraphAct, outlook: Outlook) -> None:
    [folder] = [c for c in outlook.mailbox.containers.values() if c.kind == "contactFolder"]
    folder.display_name = "Kontakte"  # a mailbox in German
    outlook.add("contact", givenName="Dan", categories=[TRACKED])
    [page], _ = await rounds(act, C, None)
    assert [i.values["first_name"] for i in page.items] == ["Dan"]
