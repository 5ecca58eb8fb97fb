"""Test & Enable: each channel tested through its connector, status and failed step recorded."""

from __future__ import annotations

import pytest
from support.engine_world import World

from desktop_sync.domain.connectors import ConnectionTest, StepResult, TestStep
from desktop_sync.domain.model import Channel, TestStatus
from desktop_sync.engine.test_enable import TestAndEnable
from desktop_sync.engine.throttle import Throttles

pytestmark = pytest.mark.asyncio


def operation(world: World) -> TestAndEnable:
    return TestAndEnable(
        store=world.store, connectors=world.factory, secrets=world.secrets, throttles=Throttles(), clock=world.clock
    )


async def test_passing_channels_are_enabled_and_others_not_run(world: World) -> None:
    await world.profile()
    await world.mailbox("alice@example.test", enabled=False)
    report = await operation(world).run("alice@example.test")
    by_channel = {c.channel: c for c in report.channels}
    assert by_channel[Channel.INCOMING].status is TestStatus.SUCCESS and by_channel[Channel.INCOMING].enabled
    assert by_channel[Channel.OUTGOING].status is TestStatus.SUCCESS and by_channel[Channel.OUTGOING].enabled
    assert by_channel[Channel.ACT].status is TestStatus.NOT_RUN and not by_channel[Channel.ACT].enabled
    async with world.store.transaction() as tx:
        mailbox = await tx.mailboxes.by_address("alice@example.test")
    assert mailbox is not None
    assert mailbox.incoming.enabled and mailbox.incoming.tested_at == world.clock()
    assert report.ok


async def test_a_failing_step_is_recorded_and_that_channel_stays_off(world: World) -> None:
    await world.profile()
    await world.mailbox("alice@example.test", enabled=False)
    world.server.box("alice@example.test").test_result = ConnectionTest(
        (
            StepResult(TestStep.RESOLVE, True),
            StepResult(TestStep.CONNECT, True),
            StepResult(TestStep.TLS, True),
            StepResult(TestStep.AUTHENTICATE, False, "LOGIN failed", "auth_failed"),
        )
    )
    report = await operation(world).run("alice@example.test")
    incoming = next(c for c in report.channels if c.channel is Channel.INCOMING)
    assert (incoming.status, incoming.failed_step, incoming.error_code) == (
        TestStatus.FAILURE,
        "authenticate",
        "auth_failed",
    )
    assert not report.ok
    async with world.store.transaction() as tx:
        mailbox = await tx.mailboxes.by_address("alice@example.test")
    assert mailbox is not None
    assert not mailbox.incoming.enabled and mailbox.incoming.failed_step == "authenticate"
    assert mailbox.outgoing.enabled  # the other channel passed


async def test_an_unapproved_mailbox_is_tested_but_not_enabled(world: World) -> None:
    await world.profile()
    await world.mailbox("alice@example.test", approved=False, enabled=False)
    report = await operation(world).run("alice@example.test")
    assert not report.approved
    assert all(not c.enabled for c in report.channels)
    assert any(c.status is TestStatus.SUCCESS for c in report.channels)


async def test_a_missing_password_fails_at_authenticate(world: World) -> None:
    await world.profile()
    await world.mailbox("alice@example.test", enabled=False)
    await world.secrets.delete_secret("mailbox:alice@example.test")
    report = await operation(world).run("alice@example.test")
    incoming = next(c for c in report.channels if c.channel is Channel.INCOMING)
    assert (incoming.failed_step, incoming.error_code) == ("authenticate", "password_missing")


async def test_test_enable_runs_in_the_operations_queue(world: World) -> None:
    await world.profile()
    await world.mailbox("alice@example.test", enabled=False)
    engine = await world.engine()
    finished: list[object] = []
    engine.bus.subscribe(lambda e: finished.append(e) if type(e).__name__ == "OperationFinished" else None)

    async def job() -> str:
        report = await operation(world).run("alice@example.test")
        return "ok" if report.ok else "failed"

    assert engine.submit_operation("test-enable", "alice@example.test", job)
    await engine.run_once()
    assert [(e.operation, e.ok, e.detail) for e in finished] == [("test-enable", True, "ok")]  # type: ignore[attr-defined]
