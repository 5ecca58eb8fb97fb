"""The ACT cycle deletes only what was deleted, and stops before a mass change until confirmed."""

from __future__ import annotations

import pytest
from sqlalchemy import update
from support.engine_world import World

from desktop_sync.domain.act import SafetyLimits, StopReason
from desktop_sync.domain.model import Channel, MailboxId, RecordType
from desktop_sync.domain.sync_filters import Match, parse_rule
from desktop_sync.engine.act_cycle import ActSettings
from desktop_sync.services.act import ActService
from desktop_sync.services.directory import DirectoryService
from desktop_sync.services.sync_filters import SyncFilterService
from desktop_sync.store.models import ContactRow

pytestmark = pytest.mark.asyncio
ALICE = "alice@example.test"
C = RecordType.CONTACT
MAILBOX = MailboxId(1)


async def alice(world: World) -> int:
    await world.profile(exchange=True)
    mailbox = await world.mailbox(ALICE, user=True, act=True)
    assert mailbox.user_id is not None and mailbox.id == MAILBOX
    await SyncFilterService(world.store).add(ALICE, C, "Customers", Match.ALL, [parse_rule("company not_empty")])
    return mailbox.user_id


async def linked_contacts(world: World, user_id: int, count: int) -> list[int]:
    ids = []
    async with world.store.transaction() as tx:
        for n in range(count):
            ids.append(await tx.crm.create(C, user_id, {"first_name": f"Carol {n}", "company": "Contoso"}))
    await run(world)
    assert len(await links(world)) == count
    return ids


async def run(world: World, **settings: object) -> None:
    engine = world.engines[0] if world.engines else await world.engine(**settings)
    world.clock.advance(3600)
    await engine.run_once()


async def links(world: World) -> list[int]:
    async with world.store.transaction() as tx:
        return sorted(link.local_id for link in await tx.act_links.list(MAILBOX, C))


async def safety_alerts(world: World) -> list[str]:
    async with world.store.transaction() as tx:
        return [a.cause for a in await tx.alerts.list() if a.code == "act_safety_stop"]


async def leave_filter(world: World, ids: list[int]) -> None:
    async with world.store.transaction() as tx:
        for record_id in ids:
            await tx.crm.update(C, record_id, {"company": None})


# --- only a deleted record deletes in Exchange -------------------------------------------------------


async def test_a_record_whose_owner_changed_is_unlinked_and_its_item_kept(world: World) -> None:
    user_id = await alice(world)
    [record_id, other] = await linked_contacts(world, user_id, 2)
    bob = await DirectoryService(world.store).add_user("bob@example.test", "Bob")
    async with world.store.transaction() as tx:
        await tx.session.execute(update(ContactRow).where(ContactRow.id == record_id).values(owner_user_id=bob.id))
    await run(world)
    assert await links(world) == [other]
    assert len(world.factory.exchange.live(C)) == 2  # left alone


async def test_a_record_deleted_through_the_service_deletes_its_exchange_item(world: World) -> None:
    user_id = await alice(world)
    [record_id, _] = await linked_contacts(world, user_id, 2)
    assert await ActService(world.store).delete(C, record_id) == "Carol 0"
    await run(world)
    assert await links(world) == [2]
    assert [i.values["first_name"] for i in world.factory.exchange.live(C).values()] == ["Carol 1"]


async def test_a_deleted_record_id_is_never_given_to_a_new_record(world: World) -> None:
    user_id = await alice(world)
    [first, last] = await linked_contacts(world, user_id, 2)
    await ActService(world.store).delete(C, last)
    async with world.store.transaction() as tx:
        new_id = await tx.crm.create(C, user_id, {"first_name": "Dan", "company": "Tailspin"})
    assert new_id not in (first, last)
    await run(world)
    names = sorted(i.values["first_name"] for i in world.factory.exchange.live(C).values())
    assert names == ["Carol 0", "Dan"]


# --- the safety stop -----------------------------------------------------------------------------------


async def test_a_mass_unlink_is_held_with_an_alert_and_writes_nothing(world: World) -> None:
    user_id = await alice(world)
    ids = await linked_contacts(world, user_id, 10)
    await leave_filter(world, ids[:6])  # 6 of 10: more than 20 % and more than 5
    await run(world)
    assert await links(world) == ids  # nothing of that plan was written
    [cause] = await safety_alerts(world)
    assert "unlink 6" in cause and "6 of 10 links" in cause
    async with world.store.transaction() as tx:
        [held] = await tx.act_holds.list(MAILBOX)
    assert (held.record_type, held.reason, dict(held.counts)) == (C, StopReason.CRM_MASS_REMOVAL, {"Unlink": 6})
    await run(world)  # the same plan again: still held, no second alert
    assert await links(world) == ids
    assert len(await safety_alerts(world)) == 1


async def test_confirming_runs_the_held_plan_once_and_clears_the_alert(world: World) -> None:
    user_id = await alice(world)
    ids = await linked_contacts(world, user_id, 10)
    await leave_filter(world, ids[:6])
    await run(world)
    held, report = await world.engines[0].act.confirm(MAILBOX, [C])
    assert held == (C,)
    assert report is not None
    [typed] = report.types
    assert typed.confirmed and typed.held is None
    assert await links(world) == ids[6:]
    assert len(world.factory.exchange.live(C)) == 10  # unlinked, left in Exchange
    assert await safety_alerts(world) == []
    async with world.store.transaction() as tx:
        assert await tx.act_holds.list(MAILBOX) == []
    assert await world.engines[0].act.confirm(MAILBOX) == ((), None)  # nothing waits any more


async def test_a_plan_changed_since_it_was_held_is_not_run_but_held_anew(world: World) -> None:
    user_id = await alice(world)
    ids = await linked_contacts(world, user_id, 10)
    await leave_filter(world, ids[:6])
    await run(world)
    await leave_filter(world, ids[6:8])  # more would go than the admin saw
    _, report = await world.engines[0].act.confirm(MAILBOX)
    assert report is not None
    [typed] = report.types
    assert typed.changed_since_held and typed.held is not None and dict(typed.held.counts) == {"Unlink": 8}
    assert await links(world) == ids
    [cause] = await safety_alerts(world)  # the older alert gave way to the new one
    assert "unlink 8" in cause


async def test_the_stop_lifts_by_itself_when_the_cause_is_fixed(world: World) -> None:
    user_id = await alice(world)
    ids = await linked_contacts(world, user_id, 10)
    await leave_filter(world, ids[:6])
    await run(world)
    async with world.store.transaction() as tx:
        for record_id in ids[:6]:
            await tx.crm.update(C, record_id, {"company": "Contoso"})
    await run(world)
    assert await links(world) == ids
    assert await safety_alerts(world) == []


async def test_a_small_change_is_not_held(world: World) -> None:
    user_id = await alice(world)
    ids = await linked_contacts(world, user_id, 10)
    await leave_filter(world, ids[:2])
    await run(world)
    assert await links(world) == ids[2:]
    assert await safety_alerts(world) == []


async def test_the_thresholds_come_from_the_settings(world: World) -> None:
    user_id = await alice(world)
    await world.engine(act=ActSettings(safety=SafetyLimits(percent=50, minimum=2)))
    ids = await linked_contacts(world, user_id, 10)
    await leave_filter(world, ids[:5])  # 50 %: not more than 50
    await run(world)
    assert await links(world) == ids[5:]
    await leave_filter(world, ids[5:8])  # 3 of 5
    await run(world)
    assert await links(world) == ids[5:]
    assert len(await safety_alerts(world)) == 1


async def test_mass_deletion_in_exchange_is_held(world: World) -> None:
    user_id = await alice(world)
    ids = await linked_contacts(world, user_id, 8)
    for server_id in list(world.factory.exchange.live(C))[:7]:
        world.factory.exchange.remove(C, server_id)
    await run(world)
    assert await links(world) == ids
    async with world.store.transaction() as tx:
        [held] = await tx.act_holds.list(MAILBOX)
    assert held.reason is StopReason.EXCHANGE_MASS_REMOVAL


async def test_an_empty_crm_while_links_exist_is_held_even_when_small(world: World) -> None:
    user_id = await alice(world)
    ids = await linked_contacts(world, user_id, 2)
    service = ActService(world.store)
    for record_id in ids:
        await service.delete(C, record_id)
    await run(world)
    assert len(world.factory.exchange.live(C)) == 2
    async with world.store.transaction() as tx:
        [held] = await tx.act_holds.list(MAILBOX)
    assert held.reason is StopReason.CRM_EMPTY and dict(held.counts) == {"DeleteInExchange": 2}
    await world.engines[0].act.confirm(MAILBOX)
    assert world.factory.exchange.live(C) == {}


async def test_the_dry_run_tells_the_stop_and_holds_nothing(world: World) -> None:
    user_id = await alice(world)
    ids = await linked_contacts(world, user_id, 10)
    await leave_filter(world, ids)
    report = await world.engines[0].act.run(MAILBOX, dry_run=True)
    [typed] = [t for t in report.types if t.record_type is C]
    assert typed.stop is StopReason.CRM_MASS_REMOVAL and typed.held is None
    async with world.store.transaction() as tx:
        assert await tx.act_holds.list(MAILBOX) == []
    assert await safety_alerts(world) == []


async def test_an_exchange_folder_read_again_from_the_start_and_found_empty_is_held(world: World) -> None:
    user_id = await alice(world)
    ids = await linked_contacts(world, user_id, 2)
    # the server forgot our sync state, and the folder is empty when read again from the start
    world.factory.exchange.items[C].clear()
    world.factory.exchange.log.clear()
    async with world.store.transaction() as tx:
        await tx.cursors.clear(MAILBOX, Channel.ACT, C.value)
    await run(world)
    assert await links(world) == ids
    async with world.store.transaction() as tx:
        [held] = await tx.act_holds.list(MAILBOX)
    assert held.reason is StopReason.EXCHANGE_EMPTY and dict(held.counts) == {"CreateInExchange": 2, "Unlink": 2}
