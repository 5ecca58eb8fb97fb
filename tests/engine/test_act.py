"""Appointments, contacts and tasks both ways through the engine, on the scripted Exchange."""

from __future__ import annotations

import datetime as dt

import pytest
from support.engine_world import START, World

from desktop_sync.domain.model import RecordType
from desktop_sync.domain.sync_filters import Match, parse_rule
from desktop_sync.engine.act_cycle import ActSettings
from desktop_sync.services.sync_filters import SyncFilterService

pytestmark = pytest.mark.asyncio
ALICE = "alice@example.test"
C, A = RecordType.CONTACT, RecordType.APPOINTMENT


async def alice(world: World) -> int:
    await world.profile(exchange=True)
    mailbox = await world.mailbox(ALICE, user=True, act=True)
    assert mailbox.user_id is not None
    return mailbox.user_id


async def crm_contact(world: World, user_id: int, **values: object) -> int:
    async with world.store.transaction() as tx:
        return await tx.crm.create(
            C, user_id, {"first_name": "Carol", "last_name": "Customer", "company": "Contoso", **values}
        )


async def contacts(world: World) -> list[dict[str, object]]:
    async with world.store.transaction() as tx:
        return [values for _, values in await tx.crm.list(C)]


async def every_contact_filter(world: World) -> int:
    view = await SyncFilterService(world.store).add(ALICE, C, "Customers", Match.ALL, [parse_rule("company not_empty")])
    assert view.sync_filter.id is not None
    return view.sync_filter.id


async def run(world: World) -> None:
    engine = world.engines[0] if world.engines else await world.engine()
    world.clock.advance(3600)
    await engine.run_once()


async def test_a_crm_contact_in_a_filter_goes_to_exchange_once(world: World) -> None:
    user_id = await alice(world)
    await crm_contact(world, user_id)
    await crm_contact(world, user_id, company=None)  # outside the filter
    await every_contact_filter(world)
    await run(world)
    live = world.factory.exchange.live(C)
    assert [item.values["company"] for item in live.values()] == ["Contoso"]
    await run(world)
    assert len(world.factory.exchange.live(C)) == 1


async def test_without_an_active_filter_nothing_goes_to_exchange(world: World) -> None:
    user_id = await alice(world)
    await crm_contact(world, user_id)
    await run(world)
    assert world.factory.exchange.live(C) == {}


async def test_a_tracked_exchange_contact_comes_to_the_crm(world: World) -> None:
    await alice(world)
    world.factory.exchange.add(C, {"first_name": "Dan", "last_name": "Dealer", "company": "Tailspin"})
    world.factory.exchange.add(C, {"first_name": "Untracked"}, tracked=False)
    await run(world)
    assert [(c["first_name"], c["owner"]) for c in await contacts(world)] == [("Dan", ALICE)]


async def test_changes_flow_both_ways_once_linked(world: World) -> None:
    user_id = await alice(world)
    local_id = await crm_contact(world, user_id)
    await every_contact_filter(world)
    await run(world)
    [(server_id, item)] = world.factory.exchange.live(C).items()
    async with world.store.transaction() as tx:
        await tx.crm.update(C, local_id, {"job_title": "Buyer"})
    world.factory.exchange.edit(C, server_id, mobile_phone="+33 6 00 00 00 00")
    await run(world)
    assert item.values["job_title"] == "Buyer"
    [contact] = await contacts(world)
    assert contact["mobile_phone"] == "+33 6 00 00 00 00"


async def test_leaving_the_filter_unlinks_and_keeps_the_exchange_item(world: World) -> None:
    user_id = await alice(world)
    local_id = await crm_contact(world, user_id)
    await every_contact_filter(world)
    await run(world)
    async with world.store.transaction() as tx:
        await tx.crm.update(C, local_id, {"company": None})
    await run(world)
    assert len(world.factory.exchange.live(C)) == 1
    async with world.store.transaction() as tx:
        assert await tx.act_links.list(1, C) == []  # type: ignore[arg-type]


async def test_a_conflict_is_recorded_and_the_crm_value_kept(world: World) -> None:
    user_id = await alice(world)
    local_id = await crm_contact(world, user_id)
    await every_contact_filter(world)
    await run(world)
    [(server_id, item)] = world.factory.exchange.live(C).items()
    async with world.store.transaction() as tx:
        await tx.crm.update(C, local_id, {"company": "Fabrikam"})
    world.factory.exchange.edit(C, server_id, company="Northwind")
    await run(world)
    assert item.values["company"] == "Fabrikam"
    async with world.store.transaction() as tx:
        [conflict] = await tx.conflicts.list()
        codes = [a.code for a in await tx.alerts.list()]
    assert (conflict["field"], conflict["crm_value"], conflict["exchange_value"], conflict["kept"]) == (
        "company",
        "Fabrikam",
        "Northwind",
        "crm",
    )
    assert "act_conflict" in codes


async def test_an_appointment_without_organizer_is_reported_once(world: World) -> None:
    user_id = await alice(world)
    await SyncFilterService(world.store).add(ALICE, A, "All", Match.ALL, [parse_rule("subject not_empty")])
    async with world.store.transaction() as tx:
        await tx.crm.create(
            A,
            user_id,
            {
                "subject": "Lunch",
                "starts_at": START + dt.timedelta(days=1),
                "ends_at": START + dt.timedelta(days=1, hours=1),
            },
        )
        await tx.crm.create(
            A,
            user_id,
            {
                "subject": "Review",
                "starts_at": START + dt.timedelta(days=2),
                "ends_at": START + dt.timedelta(days=2, hours=1),
                "organizer": ALICE,
                "attendees": ("carol@contoso.test",),
            },
        )
    await run(world)
    await run(world)
    assert [i.values["subject"] for i in world.factory.exchange.live(A).values()] == ["Review"]
    assert len(world.factory.exchange.invitations) == 1  # a future meeting she organizes, with an attendee
    async with world.store.transaction() as tx:
        failed = await tx.failed_items.list()
        alerts = [a for a in await tx.alerts.list() if a.code == "act_no_organizer"]
    assert [f.reason for f in failed] == ["an appointment without an organizer is not synchronized"]
    # named by its subject and start, as the user knows it, not by "appointment:1"
    assert [(f.subject, f.item_date) for f in failed] == [("Lunch", START + dt.timedelta(days=1))]
    [alert] = alerts
    assert alert.title == "An appointment was not synchronized"
    assert alert.cause.startswith('The appointment "Lunch", 2026-11-26 09:00 UTC has no organizer')
    assert "appointment:" not in alert.cause


async def test_a_crash_between_create_and_link_does_not_duplicate(world: World) -> None:
    user_id = await alice(world)
    await crm_contact(world, user_id)
    await every_contact_filter(world)
    await world.engine()
    # what a crash leaves: the item exists in Exchange, stamped with the CRM id, and no link
    connector = world.factory.act(None, None, None)  # type: ignore[arg-type]
    await connector.create(C, {"first_name": "Carol", "company": "Contoso"}, local_id=1)
    await run(world)
    assert len(world.factory.exchange.live(C)) == 1
    async with world.store.transaction() as tx:
        [link] = await tx.act_links.list(1, C)  # type: ignore[arg-type]
    assert link.local_id == 1


async def test_the_dry_run_plans_and_changes_nothing(world: World) -> None:
    user_id = await alice(world)
    await crm_contact(world, user_id)
    await every_contact_filter(world)
    engine = await world.engine()
    report = await engine.act.run(1, dry_run=True)  # type: ignore[arg-type]
    assert report.counts == {"CreateInExchange": 1}
    assert world.factory.exchange.live(C) == {}


async def test_resolving_a_conflict_carries_the_choice_to_the_other_side(world: World) -> None:
    from desktop_sync.domain.act import ConflictPolicy
    from desktop_sync.services.act import ActService

    user_id = await alice(world)
    local_id = await crm_contact(world, user_id)
    await every_contact_filter(world)
    await run(world)
    [(server_id, item)] = world.factory.exchange.live(C).items()
    async with world.store.transaction() as tx:
        await tx.crm.update(C, local_id, {"company": "Fabrikam"})
    world.factory.exchange.edit(C, server_id, company="Northwind")
    await run(world)
    service = ActService(world.store)
    [conflict] = await service.conflicts()
    await service.resolve(conflict["id"], ConflictPolicy.KEEP_EXCHANGE)
    await run(world)
    assert item.values["company"] == "Northwind"
    assert [c["company"] for c in await contacts(world)] == ["Northwind"]
    assert await service.conflicts() == []


async def test_keep_both_makes_a_copy(world: World) -> None:
    from desktop_sync.domain.act import ConflictPolicy
    from desktop_sync.services.act import ActService

    user_id = await alice(world)
    local_id = await crm_contact(world, user_id)
    await every_contact_filter(world)
    await run(world)
    [(server_id, _)] = world.factory.exchange.live(C).items()
    async with world.store.transaction() as tx:
        await tx.crm.update(C, local_id, {"company": "Fabrikam"})
    world.factory.exchange.edit(C, server_id, company="Northwind")
    await run(world)
    service = ActService(world.store)
    [conflict] = await service.conflicts()
    await service.resolve(conflict["id"], ConflictPolicy.KEEP_BOTH)
    assert sorted(str(c["company"]) for c in await contacts(world)) == ["Fabrikam", "Northwind"]


async def test_more_changes_than_a_page_come_in_the_next_cycles_within_seconds(world: World) -> None:
    await alice(world)
    for n in range(5):
        world.factory.exchange.add(C, {"first_name": f"Dan {n}", "company": "Tailspin"})
    engine = await world.engine(act=ActSettings(changes_per_cycle=2))
    world.clock.advance(3600)
    await engine.run_once()
    assert len(await contacts(world)) == 2
    for _ in range(2):
        world.clock.advance(10)
        await engine.run_once()
    assert sorted(str(c["first_name"]) for c in await contacts(world)) == [f"Dan {n}" for n in range(5)]
