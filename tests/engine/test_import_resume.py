"""An import an engine left half-way is resumed by the next one, its time left counted at the new
engine's rate: the hours no engine ran are not read as a slow import."""

from __future__ import annotations

import datetime as dt

import pytest
from support.engine_world import World

from desktop_sync.engine.cycle import CycleSettings

pytestmark = pytest.mark.asyncio


async def test_a_resumed_import_counts_its_time_left_from_the_new_engines_rate(world: World) -> None:
    mailbox = await world.importing("big@example.test", 20, batch_size=4)
    first = await world.engine(cycle=CycleSettings(items_per_cycle=8))
    await first.run_once()  # two batches of 4: 8 of 20
    await first.stop()
    world.engines.remove(first)

    world.clock.advance(10 * 3600)  # ten hours with no engine
    second = await world.engine(cycle=CycleSettings(items_per_cycle=4))
    await second.run_once()  # 12 of 20: the first batch of this engine gives no rate yet

    async def stored() -> tuple[int | None, dt.datetime | None]:
        async with world.store.transaction() as tx:
            status = await tx.status.get(mailbox.id)  # type: ignore[arg-type]
        return status.import_done, status.import_eta_at

    assert await stored() == (12, None)
    world.clock.advance(60)
    await second.run_once()  # 16 of 20, 4 in the minute since: the last 4 in a minute (not in hours)
    assert await stored() == (16, world.clock.now + dt.timedelta(minutes=1))
