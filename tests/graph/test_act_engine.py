"""Appointments, contacts and tasks of an Exchange Online mailbox through the product's own connector
factory and engine (app-only tokens from the OAuth test provider), against the Graph test server: Test &
Enable's connection test of the channel, then records both ways, the dry run first."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from desktop_sync.domain.model import Channel, ChannelState, ConnectionTestStatus, RecordType, SyncMethod
from desktop_sync.domain.ports.connectors import Credentials
from desktop_sync.domain.sync_filters import Match, parse_rule
from desktop_sync.services.sync_filters import SyncFilterService

from .client import ALICE
from .engine_kit import GraphWorld
from .outlook import Outlook
from .server import GraphServer

pytestmark = pytest.mark.asyncio
TRACKED = "Tracked to CRM"


async def test_records_go_both_ways_through_the_products_factory(world: GraphWorld, graph_server: GraphServer) -> None:
    profile = await world.profile()
    mailbox = await world.mailbox(ALICE)
    assert world.factory.supports(profile, Channel.ACT)
    connector = world.factory.act(profile, mailbox, Credentials(profile.login or "", None))
    try:
        assert (await connector.test()).ok
    finally:
        await connector.close()
    async with world.store.transaction() as tx:
        on = ChannelState(SyncMethod.SERVER_SIDE, True, ConnectionTestStatus.SUCCESS)
        mailbox = await tx.mailboxes.update(dataclasses.replace(mailbox, act=on))
        assert mailbox.user_id is not None and mailbox.id is not None
        contact_id = await tx.crm.create(
            RecordType.CONTACT, mailbox.user_id, {"first_name": "Carol", "company": "Contoso"}
        )
    await SyncFilterService(world.store).add(
        ALICE, RecordType.CONTACT, "All", Match.ALL, [parse_rule("company not_empty")]
    )
    outlook = Outlook(graph_server, ALICE)
    start = (world.clock().date() + dt.timedelta(days=2)).isoformat()
    outlook.add("event", subject="Site visit", categories=[TRACKED],
                start={"dateTime": f"{start}T09:00:00", "timeZone": "Europe/London"},
                end={"dateTime": f"{start}T10:00:00", "timeZone": "Europe/London"},
                organizer={"emailAddress": {"address": ALICE}})  # fmt: skip
    outlook.add("todoTask", title="Send the quote", categories=[TRACKED])

    engine = await world.engine()
    report = await engine.act.run(mailbox.id, dry_run=True)
    planned = {t.record_type: [type(a).__name__ for a in t.actions] for t in report.types}
    assert planned == {
        RecordType.APPOINTMENT: ["CreateInCrm"],
        RecordType.CONTACT: ["CreateInExchange"],
        RecordType.TASK: ["CreateInCrm"],
    }
    assert outlook.items("contact") == []

    await world.cycle(engine)
    [contact] = outlook.items("contact")
    assert (contact["givenName"], outlook.crm_id(contact)) == ("Carol", str(contact_id))
    async with world.store.transaction() as tx:
        subjects = {
            t: [v.get("subject") for _, v in await tx.crm.list(t)] for t in (RecordType.APPOINTMENT, RecordType.TASK)
        }
    assert subjects == {RecordType.APPOINTMENT: ["Site visit"], RecordType.TASK: ["Send the quote"]}
