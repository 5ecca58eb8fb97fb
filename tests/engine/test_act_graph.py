"""Appointments, contacts and tasks both ways through the engine's ACT cycle, with Exchange Online played by
the Graph test server (every answer checked against Microsoft's metadata): the same planner, filters,
conflicts, dry run and safety stop as over EWS, only the connector is Graph's."""

from __future__ import annotations

import datetime as dt
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from graph.outlook import Outlook
from graph.server import GraphServer
from graph.tokens import AppTokens, service_app
from oauth.provider import OAuthProvider
from servers.tls import TlsFiles
from support.engine_world import START, World
from support.scripted import ScriptedFactory, ScriptedServer

from desktop_sync.connectors.exchange_calls import TRACKED_CATEGORY
from desktop_sync.connectors.graph.act import GraphAct
from desktop_sync.connectors.graph.client import GraphClient, MailboxGates
from desktop_sync.domain.model import Mailbox, MailboxId, Profile, RecordType
from desktop_sync.domain.ports.connectors import Credentials
from desktop_sync.domain.sync_filters import Match, parse_rule
from desktop_sync.services.sync_filters import SyncFilterService

pytestmark = pytest.mark.asyncio
ALICE = "alice@example.test"
MAILBOX = MailboxId(1)
C, A, T = RecordType.CONTACT, RecordType.APPOINTMENT, RecordType.TASK
MEETING = START + dt.timedelta(days=3)
WRITES = ("POST", "PATCH", "DELETE")


class GraphFactory(ScriptedFactory):
    """The scripted mail side (not under test here), and Graph's real ACT connector."""

    def __init__(self, server: ScriptedServer, graph: GraphServer, tokens: AppTokens, ca: Path, world: World):
        super().__init__(server)
        self.graph, self.tokens, self.ca, self.world = graph, tokens, ca, world
        self.gates = MailboxGates()

    def act(self, profile: Profile, mailbox: Mailbox, credentials: Credentials) -> GraphAct:  # type: ignore[override]
        context = ssl.create_default_context(cafile=str(self.ca))
        client = GraphClient(self.graph.url, mailbox.address, self.tokens, ssl_context=context, timeout=10,
                             backoff=(0.0,), gates=self.gates)  # fmt: skip
        return GraphAct(client, tracked_category=TRACKED_CATEGORY, today=lambda: self.world.clock().date())


@pytest.fixture
def graph(tls_files: TlsFiles, oauth_provider: OAuthProvider) -> Iterator[GraphServer]:
    with GraphServer(tls_files, oauth_provider) as server:
        server.store.add_mailbox(ALICE)
        yield server
    assert server.invalid == []  # no answer broke Microsoft's metadata


@pytest.fixture
def outlook(graph: GraphServer) -> Outlook:
    return Outlook(graph, ALICE)


@pytest.fixture
def online(world: World, graph: GraphServer, oauth_provider: OAuthProvider, tls_ca: Path) -> World:
    tokens = service_app(graph, oauth_provider, tls_ca)
    world.factory = GraphFactory(world.server, graph, tokens, tls_ca, world)
    return world


async def alice(world: World) -> int:
    await world.profile(exchange=True)
    mailbox = await world.mailbox(ALICE, user=True, act=True)
    assert mailbox.user_id is not None and mailbox.id == MAILBOX
    filters = SyncFilterService(world.store)
    await filters.add(ALICE, C, "Customers", Match.ALL, [parse_rule("company not_empty")])
    await filters.add(ALICE, A, "Reviews", Match.ALL, [parse_rule("subject contains review")])
    await filters.add(ALICE, T, "Calls", Match.ALL, [parse_rule("subject starts_with Call")])
    return mailbox.user_id


async def run(world: World) -> None:
    engine = world.engines[0] if world.engines else await world.engine()
    world.clock.advance(3600)
    await engine.run_once()


async def create(world: World, record_type: RecordType, user_id: int, **values: Any) -> int:
    async with world.store.transaction() as tx:
        return await tx.crm.create(record_type, user_id, values)


async def customers(world: World, user_id: int, count: int) -> None:
    """``count`` CRM contacts the filter selects: Carol 0, Carol 1..."""
    for n in range(count):
        await create(world, C, user_id, first_name=f"Carol {n}", company="Contoso")


async def update(world: World, record_type: RecordType, record_id: int, **values: Any) -> None:
    async with world.store.transaction() as tx:
        await tx.crm.update(record_type, record_id, values)


async def crm(world: World, record_type: RecordType) -> list[dict[str, Any]]:
    async with world.store.transaction() as tx:
        return [{**values, "id": record_id} for record_id, values in await tx.crm.list(record_type)]


async def links(world: World, record_type: RecordType) -> list[int]:
    async with world.store.transaction() as tx:
        return sorted(link.local_id for link in await tx.act_links.list(MAILBOX, record_type))


def writes(graph: GraphServer) -> list[str]:
    done = [c for c in graph.calls if c.method in WRITES and c.status < 300]
    return [f"{c.method} {c.path}" for c in done if "$batch" not in c.path]  # a batch of reads writes nothing


async def test_crm_records_in_a_filter_go_to_exchange_online_once(
    online: World, graph: GraphServer, outlook: Outlook
) -> None:
    user_id = await alice(online)
    carol = await create(online, C, user_id, first_name="Carol", last_name="Customer", company="Contoso",
                         email="carol@customer.test", phone="+44 20 7946 0000", city="London")  # fmt: skip
    await create(online, C, user_id, first_name="Pat")  # no company: outside the filter
    await create(online, A, user_id, subject="Quarterly review", starts_at=MEETING,
                 ends_at=MEETING + dt.timedelta(hours=1), organizer=ALICE, location="Room 1")  # fmt: skip
    await create(online, T, user_id, subject="Call Carol", due_at=dt.datetime(2027, 1, 31, tzinfo=dt.UTC),
                 priority="high", status="in_progress")  # fmt: skip
    await run(online)

    [contact] = outlook.items("contact")
    assert (contact["companyName"], contact["displayName"], contact["businessAddress"]["city"]) == (
        "Contoso", "Carol Customer", "London")  # fmt: skip
    assert contact["emailAddresses"] == [{"address": "carol@customer.test"}]
    assert contact["categories"] == [TRACKED_CATEGORY] and outlook.crm_id(contact) == str(carol)
    [event] = outlook.items("event")
    assert (event["subject"], event["location"]["displayName"]) == ("Quarterly review", "Room 1")
    assert event["start"] == {"dateTime": MEETING.strftime("%Y-%m-%dT%H:%M:%S.0000000"), "timeZone": "UTC"}
    [task] = outlook.items("todoTask")
    assert (task["title"], task["status"], task["importance"]) == ("Call Carol", "inProgress", "high")
    assert task["dueDateTime"]["dateTime"].startswith("2027-01-31T00:00:00")

    graph.calls.clear()
    await run(online)  # our own creations come back once as changes, and change nothing
    assert writes(graph) == []
    graph.calls.clear()
    await run(online)  # nothing changed: one delta request per record type, and nothing else
    assert [c.path.rsplit("/", 1)[-1] for c in graph.calls] == ["delta"] * 3
    assert len(outlook.items("contact")) == len(outlook.items("event")) == len(outlook.items("todoTask")) == 1


async def test_tracked_items_come_to_the_crm_and_changes_flow_both_ways(online: World, outlook: Outlook) -> None:
    await alice(online)
    tracked = [TRACKED_CATEGORY]
    dan = outlook.add("contact", givenName="Dan", surname="Dealer", companyName="Tailspin", categories=tracked)
    outlook.add("contact", givenName="Erin")  # not tracked
    visit = outlook.add("event", subject="Site visit", categories=[TRACKED_CATEGORY],
                        start={"dateTime": "2026-11-30T09:00:00.0000000", "timeZone": "W. Europe Standard Time"},
                        end={"dateTime": "2026-11-30T11:00:00.0000000", "timeZone": "W. Europe Standard Time"},
                        organizer={"emailAddress": {"address": ALICE, "name": "Alice"}})  # fmt: skip
    quote = outlook.add("todoTask", title="Send the quote", categories=[TRACKED_CATEGORY], status="notStarted")
    await run(online)
    [contact] = await crm(online, C)
    assert (contact["first_name"], contact["company"], contact["owner"]) == ("Dan", "Tailspin", ALICE)
    [appointment] = await crm(online, A)
    assert (appointment["subject"], appointment["starts_at"], appointment["organizer"]) == (
        "Site visit",
        dt.datetime(2026, 11, 30, 8, tzinfo=dt.UTC),
        ALICE,
    )  # fmt: skip (Berlin is UTC+1 in winter)
    [task] = await crm(online, T)
    assert (task["subject"], task["status"]) == ("Send the quote", "not_started")

    # Once linked, each side's change goes to the other.
    outlook.edit(dan, jobTitle="CEO")
    await update(online, C, contact["id"], mobile_phone="+33 6 00 00 00 00", email2="dan@home.test")
    outlook.edit(visit, location={"displayName": "Plant 2"})
    outlook.edit(quote, status="completed")
    await run(online)
    [contact] = await crm(online, C)
    assert contact["job_title"] == "CEO"
    assert outlook.get(dan)["mobilePhone"] == "+33 6 00 00 00 00"
    assert outlook.get(dan)["emailAddresses"] == [{"address": "dan@home.test"}]
    [appointment] = await crm(online, A)
    assert appointment["location"] == "Plant 2"
    [task] = await crm(online, T)
    assert task["status"] == "completed"


async def test_a_conflict_is_recorded_and_the_crm_value_kept(
    online: World, graph: GraphServer, outlook: Outlook
) -> None:
    user_id = await alice(online)
    local_id = await create(online, C, user_id, first_name="Carol", company="Contoso")
    await run(online)
    [item] = outlook.items("contact")
    await update(online, C, local_id, company="Fabrikam")
    outlook.edit(item["id"], companyName="Northwind")
    await run(online)
    assert outlook.get(item["id"])["companyName"] == "Fabrikam"
    async with online.store.transaction() as tx:
        [conflict] = await tx.conflicts.list()
    assert (conflict["field"], conflict["crm_value"], conflict["exchange_value"], conflict["kept"]) == (
        "company", "Fabrikam", "Northwind", "crm")  # fmt: skip


async def test_the_dry_run_plans_and_writes_nothing(online: World, graph: GraphServer, outlook: Outlook) -> None:
    user_id = await alice(online)
    await create(online, C, user_id, first_name="Carol", company="Contoso")
    outlook.add("todoTask", title="Call back", categories=[TRACKED_CATEGORY])
    engine = await online.engine()
    report = await engine.act.run(MAILBOX, dry_run=True)
    planned = {t.record_type: [type(a).__name__ for a in t.actions] for t in report.types}
    assert planned == {A: [], C: ["CreateInExchange"], T: ["CreateInCrm"]}
    assert writes(graph) == [] and await crm(online, T) == [] and await links(online, C) == []
    await run(online)
    assert len(outlook.items("contact")) == 1 and len(await crm(online, T)) == 1


async def test_an_item_created_but_not_linked_is_adopted_not_duplicated(
    online: World, graph: GraphServer, outlook: Outlook
) -> None:
    user_id = await alice(online)
    local_id = await create(online, C, user_id, first_name="Carol", company="Contoso")
    task_id = await create(online, T, user_id, subject="Call Carol")
    # A crash between Graph's answer to the create and the link's commit: the items exist, stamped, unlinked.
    factory = online.factory
    assert isinstance(factory, GraphFactory)
    connector = factory.act(None, (await _mailbox(online)), None)  # type: ignore[arg-type]
    await connector.create(C, {"first_name": "Carol", "company": "Contoso"}, local_id=local_id)
    await connector.create(T, {"subject": "Call Carol"}, local_id=task_id)
    await connector.close()
    await run(online)
    assert len(outlook.items("contact")) == len(outlook.items("todoTask")) == 1
    assert await links(online, C) == [local_id] and await links(online, T) == [task_id]
    assert len(await crm(online, C)) == 1


async def test_a_deleted_sync_state_reads_again_without_duplicates(
    online: World, graph: GraphServer, outlook: Outlook
) -> None:
    user_id = await alice(online)
    await create(online, C, user_id, first_name="Carol", company="Contoso")
    outlook.add("contact", givenName="Dan", companyName="Tailspin", categories=[TRACKED_CATEGORY])
    await run(online)
    graph.store.expire_delta_tokens()
    graph.calls.clear()
    await run(online)
    assert any(c.status == 410 for c in graph.calls)
    assert writes(graph) == []
    assert len(outlook.items("contact")) == 2 and len(await crm(online, C)) == 2


async def test_deleting_every_contact_in_outlook_is_held_by_the_safety_stop(
    online: World, graph: GraphServer, outlook: Outlook
) -> None:
    await customers(online, await alice(online), 10)
    await run(online)
    assert len(await links(online, C)) == 10
    for item in outlook.items("contact")[:7]:
        outlook.remove(item["id"])
    await run(online)
    assert len(await links(online, C)) == 10  # nothing of that plan was written
    async with online.store.transaction() as tx:
        [held] = await tx.act_holds.list(MAILBOX)
        codes = [a.code for a in await tx.alerts.list()]
    assert held.record_type is C and dict(held.counts) == {"Unlink": 7, "CreateInExchange": 7}
    assert "act_safety_stop" in codes
    held_types, report = await online.engines[0].act.confirm(MAILBOX, [C])
    assert held_types == (C,) and report is not None
    # The CRM keeps its records, the system of record, and sends again those its filter still selects.
    assert len(await crm(online, C)) == 10 and len(await links(online, C)) == len(outlook.items("contact")) == 10


async def test_a_throttling_storm_slows_the_cycle_and_loses_nothing(
    online: World, graph: GraphServer, outlook: Outlook
) -> None:
    await customers(online, await alice(online), 25)
    graph.faults.throttle(3, retry_after=0)  # the first request answered 429 three times, then 503
    graph.faults.unavailable(1, retry_after=0)
    await run(online)
    assert sum(1 for c in graph.calls if c.status in (429, 503)) == 4
    assert sorted(i["givenName"] for i in outlook.items("contact")) == sorted(f"Carol {n}" for n in range(25))
    assert len(await links(online, C)) == 25
    async with online.store.transaction() as tx:
        assert [a.code for a in await tx.alerts.list()] == []


async def _mailbox(world: World) -> Mailbox:
    async with world.store.transaction() as tx:
        found = await tx.mailboxes.get(MAILBOX)
    assert found is not None
    return found
