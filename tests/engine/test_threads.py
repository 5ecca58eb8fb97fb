"""Under the choice "replies", a reply read before its parent is tracked once its parent is."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from support.engine_world import World
from support.scripted import message

from desktop_sync.domain.errors import PermanentError, TransientError
from desktop_sync.domain.model import TrackingChoice
from desktop_sync.services.activities import ActivityService
from desktop_sync.services.directory import DirectoryService
from desktop_sync.services.monitoring import MonitoringService
from desktop_sync.store.database import make_sync_engine, resolve_url

pytestmark = pytest.mark.asyncio
ALICE = "alice@example.test"


def tracked(world: World) -> list[tuple[object, ...]]:
    engine = make_sync_engine(resolve_url("sqlite:///" + world.store.label.removeprefix("SQLite: ")))
    try:
        with engine.connect() as connection:
            return [
                tuple(row)
                for row in connection.execute(
                    text(
                        "SELECT a.message_id, a.correlation_method, p.message_id FROM email_activities a "
                        "LEFT JOIN email_activities p ON p.id = a.correlated_activity_id "
                        "WHERE a.direction = 'incoming' ORDER BY a.message_id"
                    )
                )
            ]
    finally:
        engine.dispose()


async def conversation(world: World) -> str:
    """Alice tracks replies; she sent an offer from the CRM; the server has, in this order, a reply to
    Carol's reply (m1), an unrelated mail (m3), then Carol's reply to the offer (m2): one per batch."""
    await world.profile()
    await world.mailbox(ALICE, user=True)
    await DirectoryService(world.store).set_user_options(ALICE, tracking=TrackingChoice.REPLIES)
    sent = await ActivityService(world.store).send_email(ALICE, ["carol@customer.test"], "Offer", body_text="x")
    world.server.batch_size = 1
    world.server.deliver(ALICE, message(1, In_Reply_To="<m2@customer.test>"))
    world.server.deliver(ALICE, message(3))
    world.server.deliver(ALICE, message(2, In_Reply_To=sent.message_id))
    return sent.message_id


async def test_a_reply_read_before_its_parent_is_tracked_in_the_same_cycle(world: World) -> None:
    offer = await conversation(world)
    engine = await world.engine()
    await engine.run_once()
    assert tracked(world) == [
        ("<m1@customer.test>", "in_reply_to", "<m2@customer.test>"),
        ("<m2@customer.test>", "in_reply_to", offer),
    ]


async def test_a_reply_that_cannot_be_read_again_now_is_tracked_at_the_next_cycle(world: World) -> None:
    await conversation(world)
    world.server.box(ALICE).item_errors.append(TransientError("connection reset", code="server_unreachable"))
    engine = await world.engine()
    await engine.run_once()
    assert [row[0] for row in tracked(world)] == ["<m2@customer.test>"]
    world.clock.advance(3600)
    await engine.run_once()
    assert [row[0] for row in tracked(world)] == ["<m1@customer.test>", "<m2@customer.test>"]


async def test_a_reply_gone_from_the_server_is_let_go_quietly(world: World) -> None:
    await conversation(world)
    world.server.box(ALICE).item_errors.append(PermanentError("no such message", code="item_not_found"))
    engine = await world.engine()
    await engine.run_once()
    world.clock.advance(3600)
    await engine.run_once()
    assert [row[0] for row in tracked(world)] == ["<m2@customer.test>"]
    assert await MonitoringService(world.store).failed_items() == []  # not a failure: it went away
