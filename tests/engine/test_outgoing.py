"""The outgoing queue: pending_send -> sending -> sent, never twice, never silently dropped."""

from __future__ import annotations

import dataclasses

import pytest
from support.engine_world import World

from desktop_sync.domain.errors import DeliveryUnknown, ErrorScope, PermanentError, TransientError
from desktop_sync.domain.model import ActivityStatus, OutgoingEmail, SendStep
from desktop_sync.engine.engine import Engine
from desktop_sync.services.activities import ActivityService

pytestmark = pytest.mark.asyncio


async def setup(world: World, **mailbox: bool) -> ActivityService:
    await world.profile()
    await world.mailbox("alice@example.test", user=True, **mailbox)
    return ActivityService(world.store)


async def queue(service: ActivityService, subject: str = "Quote") -> OutgoingEmail:
    return await service.send_email("alice@example.test", ["carol@customer.test"], subject, body_text="Hello")


async def reload(world: World, email: OutgoingEmail) -> OutgoingEmail:
    async with world.store.transaction() as tx:
        found = await tx.outgoing.get(email.id)
    assert found is not None
    return found


async def codes(world: World) -> list[str]:
    async with world.store.transaction() as tx:
        return [a.code for a in await tx.alerts.list()]


async def test_a_queued_mail_goes_out_once_with_its_token_and_a_copy_in_sent(world: World) -> None:
    service = await setup(world)
    email = await queue(service)
    assert email.status is ActivityStatus.PENDING_SEND
    assert email.subject == f"Quote CRM:{email.id:07d}"
    assert email.message_id.endswith("@example.test>")
    engine = await world.engine()
    await engine.run_once()
    await engine.run_once()
    sent = await reload(world, email)
    assert (sent.status, sent.send_step) == (ActivityStatus.SENT, SendStep.SENT)
    assert world.server.sends_of(email.message_id) == 1
    assert email.message_id in world.server.sent_folder
    raw = world.server.outbox[0].raw.decode()
    assert f"Message-ID: {email.message_id}" in raw and "Subject: Quote CRM:" in raw
    assert world.server.outbox[0].recipients == ("carol@customer.test",)


async def test_a_5xx_fails_with_an_alert(world: World) -> None:
    service = await setup(world)
    email = await queue(service)
    world.server.send_script = ["reject"]
    engine = await world.engine()
    await engine.run_once()
    assert (await reload(world, email)).status is ActivityStatus.FAILED
    assert "smtp_rejected" in await codes(world)


async def test_a_4xx_or_network_error_is_retried_later(world: World) -> None:
    service = await setup(world)
    email = await queue(service)
    world.server.send_script = [TransientError("451 try later", code="smtp_temporary")]
    engine = await world.engine()
    await engine.run_once()
    assert (await reload(world, email)).status is ActivityStatus.PENDING_SEND
    await engine.run_once()
    assert world.server.sends_of(email.message_id) == 0  # not due yet
    world.clock.advance(301)
    await engine.run_once()
    assert (await reload(world, email)).status is ActivityStatus.SENT
    assert world.server.sends_of(email.message_id) == 1


async def test_unknown_fate_found_in_sent_is_sent_and_not_resent(world: World) -> None:
    service = await setup(world)
    email = await queue(service)
    world.server.send_script = [DeliveryUnknown("connection lost after DATA")]
    world.server.unknown_but_delivered = True
    world.server.sent_folder.add(email.message_id)  # the server's own copy (Exchange saves one)
    engine = await world.engine()
    await engine.run_once()
    assert (await reload(world, email)).status is ActivityStatus.SENT
    assert world.server.sends_of(email.message_id) == 1


async def test_unknown_fate_not_in_sent_is_held_for_the_admin(world: World) -> None:
    service = await setup(world)
    email = await queue(service)
    world.server.send_script = [DeliveryUnknown("connection lost after DATA")]
    engine = await world.engine()
    await engine.run_once()
    world.clock.advance(3600)
    await engine.run_once()
    held = await reload(world, email)
    assert held.status is ActivityStatus.DELIVERY_UNKNOWN
    assert world.server.sends_of(email.message_id) == 0
    assert "delivery_unknown" in await codes(world)

    await service.resend(email.id)  # the admin decides
    await engine.run_once()
    assert (await reload(world, email)).status is ActivityStatus.SENT
    assert world.server.sends_of(email.message_id) == 1


async def test_mark_sent_only_for_unknown_delivery(world: World) -> None:
    service = await setup(world)
    email = await queue(service)
    from desktop_sync.domain.errors import ValidationError

    with pytest.raises(ValidationError):
        await service.mark_sent(email.id)
    world.server.send_script = [DeliveryUnknown("lost")]
    engine = await world.engine()
    await engine.run_once()
    assert (await service.mark_sent(email.id)).status is ActivityStatus.SENT


async def _crash_at(world: World, email: OutgoingEmail, step: SendStep) -> None:
    """What a killed engine leaves: the mail claimed, its last step written, nothing after."""
    async with world.store.transaction() as tx:
        claimed = await tx.outgoing.claim("dead-engine", world.clock(), 10)
        assert email.id in [c.id for c in claimed]
        for other in claimed:
            if other.id != email.id:
                await tx.outgoing.finish(other.id, ActivityStatus.PENDING_SEND)
        await tx.outgoing.set_step(email.id, step)


async def test_after_a_crash_a_claim_that_never_reached_the_server_is_sent(world: World) -> None:
    service = await setup(world)
    email = await queue(service)
    await _crash_at(world, email, SendStep.CLAIMED)
    engine = await world.engine()  # start-up recovers
    await engine.run_once()
    assert (await reload(world, email)).status is ActivityStatus.SENT
    assert world.server.sends_of(email.message_id) == 1


async def test_after_a_crash_an_unknown_fate_is_decided_by_sent_or_held(world: World) -> None:
    service = await setup(world)
    delivered = await queue(service, "delivered")
    lost = await queue(service, "lost")
    await _crash_at(world, delivered, SendStep.HANDED_TO_SERVER)
    await _crash_at(world, lost, SendStep.HANDED_TO_SERVER)
    world.server.sent_folder.add(delivered.message_id)
    engine = await world.engine()
    await engine.run_once()
    assert (await reload(world, delivered)).status is ActivityStatus.SENT
    assert (await reload(world, lost)).status is ActivityStatus.DELIVERY_UNKNOWN
    assert world.server.outbox == []  # nothing was sent again


async def test_after_a_crash_an_accepted_mail_is_sent_without_resending(world: World) -> None:
    service = await setup(world)
    email = await queue(service)
    await _crash_at(world, email, SendStep.ACCEPTED)
    engine = await world.engine()
    await engine.run_once()
    assert (await reload(world, email)).status is ActivityStatus.SENT
    assert world.server.outbox == []


async def test_a_mailbox_that_cannot_send_keeps_the_mail_waiting(world: World) -> None:
    service = await setup(world, enabled=False)
    email = await queue(service)
    engine = await world.engine()
    await engine.run_once()
    waiting = await reload(world, email)
    assert waiting.status is ActivityStatus.PENDING_SEND
    assert "outgoing_disabled" in await codes(world)
    async with world.store.transaction() as tx:
        mailbox = await tx.mailboxes.by_address("alice@example.test")
        assert mailbox is not None
        await tx.mailboxes.update(
            dataclasses.replace(mailbox, outgoing=dataclasses.replace(mailbox.outgoing, enabled=True))
        )
    world.clock.advance(301)
    await engine.run_once()
    assert (await reload(world, email)).status is ActivityStatus.SENT


async def test_a_permanent_mailbox_error_disables_outgoing_and_keeps_the_mail(world: World) -> None:
    service = await setup(world)
    email = await queue(service)
    world.server.send_script = [PermanentError("535 bad credentials", code="auth_failed", scope=ErrorScope.MAILBOX)]
    engine = await world.engine()
    await engine.run_once()
    assert (await reload(world, email)).status is ActivityStatus.PENDING_SEND
    async with world.store.transaction() as tx:
        mailbox = await tx.mailboxes.by_address("alice@example.test")
    assert mailbox is not None and not mailbox.outgoing.enabled
    assert "auth_failed" in await codes(world)


async def test_a_second_engine_never_takes_a_live_claim(world: World) -> None:
    service = await setup(world)
    email = await queue(service)
    async with world.store.transaction() as tx:
        await tx.outgoing.claim("someone", world.clock(), 10)
    engine = Engine(store=world.store, connectors=world.factory, secrets=world.secrets, clock=world.clock)
    await engine.outgoing.recover(live_owners=["someone"])  # a shared store, the owner alive
    assert (await reload(world, email)).status is ActivityStatus.SENDING
