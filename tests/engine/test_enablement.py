"""Test & Enable: each channel tested through its connector, status and failed step recorded."""

from __future__ import annotations

import dataclasses

import pytest
from support.engine_world import World

from desktop_sync.domain.messages import explain
from desktop_sync.domain.model import Alert, AlertScope, ApprovalState, Channel, ConnectionTestStatus, Severity
from desktop_sync.domain.ports.connectors import ConnectionTest, ConnectionTestStep, StepResult
from desktop_sync.engine.enablement import Enablement
from desktop_sync.engine.events import AlertRaised, EventBus
from desktop_sync.engine.throttle import Throttles

pytestmark = pytest.mark.asyncio


def operation(world: World) -> Enablement:
    return Enablement(
        store=world.store, connectors=world.factory, secrets=world.secrets, throttles=Throttles(), clock=world.clock
    )


async def test_passing_channels_are_enabled_and_others_not_run(world: World) -> None:
    await world.profile()
    await world.mailbox("alice@example.test", enabled=False)
    report = await operation(world).run("alice@example.test")
    by_channel = {c.channel: c for c in report.channels}
    assert by_channel[Channel.INCOMING].status is ConnectionTestStatus.SUCCESS and by_channel[Channel.INCOMING].enabled
    assert by_channel[Channel.OUTGOING].status is ConnectionTestStatus.SUCCESS and by_channel[Channel.OUTGOING].enabled
    assert by_channel[Channel.ACT].status is ConnectionTestStatus.NOT_RUN and not by_channel[Channel.ACT].enabled
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
            StepResult(ConnectionTestStep.RESOLVE, True),
            StepResult(ConnectionTestStep.CONNECT, True),
            StepResult(ConnectionTestStep.TLS, True),
            StepResult(ConnectionTestStep.AUTHENTICATE, False, "LOGIN failed", "auth_failed"),
        )
    )
    report = await operation(world).run("alice@example.test")
    incoming = next(c for c in report.channels if c.channel is Channel.INCOMING)
    assert (incoming.status, incoming.failed_step, incoming.error_code) == (
        ConnectionTestStatus.FAILURE,
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
    assert any(c.status is ConnectionTestStatus.SUCCESS for c in report.channels)


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


# --- alerts, as the reference product leaves them


async def active_alerts(world: World, address: str) -> list[Alert]:
    async with world.store.transaction() as tx:
        mailbox = await tx.mailboxes.by_address(address)
        assert mailbox is not None
        return list(await tx.alerts.list(mailbox_id=mailbox.id))


def refuse_login(world: World, address: str) -> None:
    world.server.box(address).test_result = ConnectionTest(
        (
            StepResult(ConnectionTestStep.RESOLVE, True),
            StepResult(ConnectionTestStep.CONNECT, True),
            StepResult(ConnectionTestStep.TLS, True),
            StepResult(
                ConnectionTestStep.AUTHENTICATE, False, "[AUTHENTICATIONFAILED] Authentication failed.", "auth_failed"
            ),
        )
    )


async def test_a_failed_channel_leaves_an_error_alert_with_the_cause_and_the_fix(world: World) -> None:
    await world.profile()
    await world.mailbox("alice@example.test", enabled=False)
    refuse_login(world, "alice@example.test")
    await operation(world).run("alice@example.test")

    [alert] = await active_alerts(world, "alice@example.test")
    assert (alert.severity, alert.scope, alert.code) == (Severity.ERROR, AlertScope.MAILBOX, "test_enable_failed")
    expected = explain(
        "auth_failed",
        address="alice@example.test",
        server="imap.example.test:993",
        detail="the incoming email test failed at the authenticate step: [AUTHENTICATIONFAILED] Authentication failed.",
    )
    assert (alert.title, alert.cause, alert.fix) == (expected.title, expected.cause, expected.fix)
    assert "password" in alert.fix  # what to do about it, not only what happened


async def test_the_error_alert_clears_when_a_later_test_passes(world: World) -> None:
    await world.profile()
    await world.mailbox("alice@example.test", enabled=False)
    refuse_login(world, "alice@example.test")
    await operation(world).run("alice@example.test")
    await operation(world).run("alice@example.test")  # still failing: one alert, this run's
    assert [a.code for a in await active_alerts(world, "alice@example.test")] == ["test_enable_failed"]

    world.server.box("alice@example.test").test_result = None
    report = await operation(world).run("alice@example.test")
    assert report.ok
    assert await active_alerts(world, "alice@example.test") == []


async def test_a_code_without_an_explanation_gets_the_general_text(world: World) -> None:
    await world.profile()
    await world.mailbox("alice@example.test", enabled=False)
    world.server.box("alice@example.test").test_result = ConnectionTest(
        (StepResult(ConnectionTestStep.LIST_FOLDERS, False, "LIST said BYE", "something_new"),)
    )
    await operation(world).run("alice@example.test")
    [alert] = await active_alerts(world, "alice@example.test")
    assert alert.title == "Test & Enable failed"
    assert alert.cause == (
        "Test & Enable of alice@example.test failed: the incoming email test failed at the list_folders step: "
        "LIST said BYE"
    )


async def test_passing_without_approval_leaves_a_warning_until_a_test_after_approval(world: World) -> None:
    await world.profile()
    await world.mailbox("alice@example.test", approved=False, enabled=False)
    await operation(world).run("alice@example.test")
    [alert] = await active_alerts(world, "alice@example.test")
    assert (alert.severity, alert.code) == (Severity.WARNING, "mailbox_awaiting_approval")
    assert alert.cause == explain("mailbox_awaiting_approval", address="alice@example.test").cause
    assert "must be approved" in alert.title

    async with world.store.transaction() as tx:
        mailbox = await tx.mailboxes.by_address("alice@example.test")
        assert mailbox is not None
        await tx.mailboxes.update(dataclasses.replace(mailbox, approval=ApprovalState.APPROVED))
    report = await operation(world).run("alice@example.test")
    assert report.approved and report.ok
    assert await active_alerts(world, "alice@example.test") == []


async def test_the_alerts_a_run_leaves_are_told_on_the_bus(world: World) -> None:
    await world.profile()
    await world.mailbox("alice@example.test", enabled=False)
    refuse_login(world, "alice@example.test")
    bus = EventBus()
    heard: list[object] = []
    bus.subscribe(heard.append)
    operation_with_bus = Enablement(
        store=world.store, connectors=world.factory, secrets=world.secrets, throttles=Throttles(), clock=world.clock,
        bus=bus,
    )  # fmt: skip
    await operation_with_bus.run("alice@example.test")
    assert [type(e) for e in heard] == [AlertRaised]
    [stored] = await active_alerts(world, "alice@example.test")
    assert isinstance(heard[0], AlertRaised) and heard[0].alert == stored
