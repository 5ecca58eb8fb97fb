"""A mailbox cycle on the scripted server: commits, cursors, errors, alerts, caps, approval."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import io
import json

import pytest
from support.engine_world import START, World
from support.scripted import message

from desktop_sync import cli
from desktop_sync.domain.errors import ErrorScope, PermanentError, TransientError
from desktop_sync.domain.model import Channel, ConnectionTestStatus, MailboxState, Severity
from desktop_sync.domain.signin import SignInNeeded, SignInRefused
from desktop_sync.engine.cycle import CycleSettings
from desktop_sync.engine.events import (
    AlertRaised,
    CycleFinished,
    CycleStarted,
    ImportProgress,
    ItemsSynced,
    MailboxStateChanged,
)

pytestmark = pytest.mark.asyncio


async def test_new_mail_becomes_activities_once(world: World) -> None:
    await world.profile()
    await world.mailbox("support@example.test")
    for n in range(3):
        world.server.deliver("support@example.test", message(n, to="support@example.test"))
    engine = await world.engine()
    events: list[object] = []
    engine.bus.subscribe(events.append)

    await engine.run_once()
    assert await world.activities() == 3
    assert [type(e) for e in events if isinstance(e, CycleStarted | CycleFinished | ItemsSynced)] == [
        CycleStarted,
        ItemsSynced,
        CycleFinished,
    ]

    world.server.deliver("support@example.test", message(3, to="support@example.test"))
    world.clock.advance(3600)
    await engine.run_once()
    assert await world.activities() == 4  # only the new one: the cursor moved with the commit


async def test_the_same_message_id_is_never_recorded_twice(world: World) -> None:
    await world.profile()
    await world.mailbox("support@example.test")
    world.server.deliver("support@example.test", message(1))
    world.server.deliver("support@example.test", message(1))  # a copy under another UID
    engine = await world.engine()
    await engine.run_once()
    assert await world.activities() == 1


async def test_an_unapproved_mailbox_is_not_processed_and_says_so(world: World) -> None:
    await world.profile()
    mailbox = await world.mailbox("support@example.test", approved=False)
    world.server.deliver("support@example.test", message(1))
    engine = await world.engine()
    await engine.run_once()
    await engine.run_once()
    assert world.server.fetches == 0
    async with world.store.transaction() as tx:
        alerts = await tx.alerts.list(mailbox_id=mailbox.id)
        status = await tx.status.get(mailbox.id)  # type: ignore[arg-type]
    assert [a.code for a in alerts] == ["mailbox_not_approved"]  # once, not every cycle
    assert status.state is MailboxState.NEEDS_ATTENTION


async def test_a_transient_error_backs_off_with_the_servers_hint_then_recovers(world: World) -> None:
    await world.profile()
    mailbox = await world.mailbox("support@example.test")
    world.server.fail_next("support@example.test", TransientError("busy", code="server_busy", retry_after=42))
    engine = await world.engine()
    await engine.run_once()
    async with world.store.transaction() as tx:
        status = await tx.status.get(mailbox.id)  # type: ignore[arg-type]
        alerts = await tx.alerts.list()
    assert status.state is MailboxState.BACKING_OFF
    assert status.backoff_until == status.next_sync_at == START.replace(second=42)
    assert [(a.severity, a.code) for a in alerts] == [(Severity.WARNING, "server_busy")]

    world.clock.advance(42)
    world.server.deliver("support@example.test", message(1))
    await engine.run_once()
    async with world.store.transaction() as tx:
        status = await tx.status.get(mailbox.id)  # type: ignore[arg-type]
        open_alerts = await tx.alerts.list()
    assert (status.state, status.failure_count) == (MailboxState.IDLE, 0)
    assert open_alerts == []  # recovered: the warning is cleared
    assert await world.activities() == 1


async def test_transient_errors_become_permanent_after_the_configured_attempts(world: World) -> None:
    await world.profile()
    mailbox = await world.mailbox("support@example.test")
    attempts = 3
    errors = [TransientError("no route", code="server_unreachable") for _ in range(attempts)]
    world.server.fail_next("support@example.test", *errors)
    settings = CycleSettings(retry=dataclasses.replace(CycleSettings().retry, max_attempts=attempts))
    engine = await world.engine(cycle=settings)
    for _ in range(attempts):
        await engine.run_once()
        world.clock.advance(301)
    async with world.store.transaction() as tx:
        status = await tx.status.get(mailbox.id)  # type: ignore[arg-type]
        alerts = await tx.alerts.list()
        stored = await tx.mailboxes.get(mailbox.id)  # type: ignore[arg-type]
    assert status.state is MailboxState.DISABLED and status.failure_count == attempts
    assert [(a.severity, a.code) for a in alerts] == [
        (Severity.ERROR, "server_unreachable"),
        (Severity.WARNING, "server_unreachable"),
    ]
    assert "3 times" in alerts[0].cause
    assert stored is not None and not stored.incoming.enabled
    assert stored.incoming.test_status is ConnectionTestStatus.FAILURE


async def test_a_permanent_error_disables_the_channel_at_once(world: World) -> None:
    await world.profile()
    mailbox = await world.mailbox("support@example.test")
    world.server.fail_next("support@example.test", PermanentError("bad password", code="auth_failed"))
    engine = await world.engine()
    events: list[object] = []
    engine.bus.subscribe(events.append)
    await engine.run_once()
    async with world.store.transaction() as tx:
        stored = await tx.mailboxes.get(mailbox.id)  # type: ignore[arg-type]
        alerts = await tx.alerts.list()
    assert stored is not None and not stored.incoming.enabled
    assert [(a.severity, a.code, a.mailbox_id) for a in alerts] == [(Severity.ERROR, "auth_failed", mailbox.id)]
    assert "imap.example.test:993" in alerts[0].cause and alerts[0].fix
    assert any(isinstance(e, AlertRaised) for e in events)
    assert any(isinstance(e, MailboxStateChanged) and e.state is MailboxState.DISABLED for e in events)
    world.clock.advance(3600)
    await engine.run_once()
    assert world.server.fetches == 1  # disabled mailboxes are not retried forever


async def test_a_grant_that_needs_a_sign_in_waits_with_one_alert_and_resumes_after_it(world: World) -> None:
    await world.profile()
    mailbox = await world.mailbox("support@example.test")
    assert mailbox.id is not None
    needed = SignInNeeded("the identity provider no longer accepts this sign-in (invalid_grant)")
    world.server.fail_next("support@example.test", needed, needed)
    world.server.deliver("support@example.test", message(1, "support@example.test"))
    engine = await world.engine()
    await engine.run_once()
    engine.sync_now(mailbox.id)  # someone clicks Sync now before signing in: still waiting, no new alert
    await engine.run_once()
    async with world.store.transaction() as tx:
        stored = await tx.mailboxes.get(mailbox.id)
        status = await tx.status.get(mailbox.id)
        alerts = await tx.alerts.list(mailbox_id=mailbox.id)
    assert stored is not None and stored.incoming.enabled  # waiting, not disabled
    assert status.state is MailboxState.NEEDS_ATTENTION and status.last_error_code == "signin_needed"
    assert status.next_sync_at == world.clock() + dt.timedelta(hours=1)  # not at every reload
    assert [(a.severity, a.code) for a in alerts] == [(Severity.ERROR, "signin_needed")]
    assert "desktop-sync mailbox sign-in support@example.test" in alerts[0].fix
    engine.sync_now(mailbox.id)  # what the sign-in service asks for after a new sign-in
    await engine.run_once()
    async with world.store.transaction() as tx:
        status = await tx.status.get(mailbox.id)
        alerts = await tx.alerts.list(mailbox_id=mailbox.id)
    assert status.state is not MailboxState.NEEDS_ATTENTION and status.last_error_code is None
    assert alerts == [] and await world.activities() == 1


async def test_a_grant_refused_at_its_refresh_waits_for_a_sign_in_too(world: World) -> None:
    await world.profile()
    mailbox = await world.mailbox("support@example.test")
    assert mailbox.id is not None
    world.server.fail_next("support@example.test", SignInRefused("unauthorized_client: the app was removed"))
    engine = await world.engine()
    await engine.run_once()
    async with world.store.transaction() as tx:
        stored = await tx.mailboxes.get(mailbox.id)
        status = await tx.status.get(mailbox.id)
    assert stored is not None and stored.incoming.enabled
    assert status.state is MailboxState.NEEDS_ATTENTION and status.last_error_code == "signin_refused"


async def test_a_missing_password_needs_the_admin(world: World) -> None:
    await world.profile()
    mailbox = await world.mailbox("support@example.test")
    await world.secrets.delete_secret("mailbox:support@example.test")
    engine = await world.engine()
    await engine.run_once()
    async with world.store.transaction() as tx:
        alerts = await tx.alerts.list(mailbox_id=mailbox.id)
    assert [a.code for a in alerts] == ["password_missing"]
    assert world.server.fetches == 0


async def test_a_huge_mailbox_stops_at_the_cap_and_resumes_next_cycle(world: World) -> None:
    await world.profile()
    mailbox = await world.mailbox("big@example.test")
    for n in range(12):
        world.server.deliver("big@example.test", message(n))
    world.server.batch_size = 4
    engine = await world.engine(cycle=CycleSettings(items_per_cycle=5))
    await engine.run_once()
    assert await world.activities() == 5
    async with world.store.transaction() as tx:
        status = await tx.status.get(mailbox.id)  # type: ignore[arg-type]
    assert status.next_sync_at is not None and (status.next_sync_at - START).total_seconds() <= 5
    world.clock.advance(5)
    await engine.run_once()
    world.clock.advance(5)
    await engine.run_once()
    assert await world.activities() == 12


async def test_an_import_says_how_far_it_has_come_and_that_it_continues(world: World) -> None:
    await world.profile()
    await world.mailbox("big@example.test")
    for n in range(12):
        world.server.deliver("big@example.test", message(n))
    world.server.batch_size = 4
    engine = await world.engine(cycle=CycleSettings(items_per_cycle=8))
    events: list[object] = []
    engine.bus.subscribe(events.append)
    for _ in range(2):
        await engine.run_once()
        world.clock.advance(5)
    progress = [(e.done, e.total) for e in events if isinstance(e, ImportProgress)]
    finished = [(e.items, e.more_pending) for e in events if isinstance(e, CycleFinished)]
    assert progress == [(4, 12), (8, 12)]  # the last batch, with nothing left, ends with the cycle
    assert finished == [(8, True), (4, False)]


async def test_an_import_of_several_cycles_is_told_by_mailbox_list_in_another_process(world: World) -> None:
    """The CLI reads the import's progress the engine stores with each batch: n of N and the time
    left, and nothing once the import has ended (not a guess from the schedule)."""
    await world.profile()
    await world.mailbox("big@example.test")
    for n in range(12):
        world.server.deliver("big@example.test", message(n))
    world.server.batch_size = 4
    # the engine's clock starts at the real time, so the CLI's "now" comes right after it
    world.clock.now = dt.datetime.now(dt.UTC)
    engine = await world.engine(cycle=CycleSettings(items_per_cycle=4))
    db = f"sqlite:///{world.tmp_path / 'engine.sqlite3'}"

    async def mailbox_list(*flags: str) -> str:
        out, err = io.StringIO(), io.StringIO()
        argv = ["--db", db, "mailbox", "list", *flags]
        code = await asyncio.to_thread(cli.main, argv, out=out, err=err, stdin=io.StringIO())
        assert (code, err.getvalue()) == (0, "")
        return out.getvalue()

    async def listed() -> dict[str, object]:
        [row] = json.loads(await mailbox_list("--json"))
        return {key: row[key] for key in ("state", "import_done", "import_total", "import_eta_seconds")}

    await engine.run_once()  # one batch of 4: no rate yet
    assert await listed() == {"state": "importing", "import_done": 4, "import_total": 12, "import_eta_seconds": None}
    assert "Importing (4 of 12)" in await mailbox_list()
    world.clock.advance(3600)  # the next batch an hour later: 4 an hour, 4 left, so an hour after it
    await engine.run_once()
    shown = await listed()
    eta = shown.pop("import_eta_seconds")
    assert shown == {"state": "importing", "import_done": 8, "import_total": 12}
    assert isinstance(eta, int) and 3600 < eta <= 7200
    assert "Importing (8 of 12, about 2 h left)" in await mailbox_list()
    world.clock.advance(5)
    await engine.run_once()  # the last batch: the import has ended
    assert await listed() == {"state": "idle", "import_done": None, "import_total": None, "import_eta_seconds": None}
    assert "Idle" in await mailbox_list() and "Importing" not in await mailbox_list()


async def test_malformed_mail_goes_to_the_ledger_with_an_item_alert_and_nothing_else_stops(world: World) -> None:
    await world.profile()
    mailbox = await world.mailbox("support@example.test")
    world.server.deliver("support@example.test", message(1))
    arrived = dt.datetime(2026, 11, 20, 8, 30, tzinfo=dt.UTC)
    world.server.deliver("support@example.test", b"   \r\n", received_at=arrived)
    world.server.deliver("support@example.test", message(3))
    engine = await world.engine()
    await engine.run_once()
    assert await world.activities() == 2
    async with world.store.transaction() as tx:
        failed = await tx.failed_items.list(mailbox_id=mailbox.id)
        alerts = await tx.alerts.list()
    assert [(f.item_ref, f.code, f.permanent, f.channel) for f in failed] == [
        ("INBOX;2", "malformed_message", True, Channel.INCOMING)
    ]
    assert [(a.code, a.item_ref) for a in alerts] == [("malformed_message", "INBOX;2")]
    # nothing of it can be read but its arrival: that, not "INBOX;2", names it to a person
    assert (failed[0].subject, failed[0].item_date) == (None, arrived)
    assert "(no subject), 2026-11-20 08:30 UTC" in alerts[0].cause and "INBOX;2" not in alerts[0].cause


async def test_more_than_half_of_a_profile_failing_raises_a_profile_alert(world: World) -> None:
    await world.profile()
    for n in range(3):
        await world.mailbox(f"m{n}@example.test")
    for n in range(2):
        world.server.fail_next(f"m{n}@example.test", TransientError("refused", code="server_unreachable"))
    engine = await world.engine()
    await engine.run_once()
    async with world.store.transaction() as tx:
        alerts = await tx.alerts.list()
    profile_alerts = [a for a in alerts if a.code == "profile_failing"]
    assert len(profile_alerts) == 1
    assert "2 of the 3 mailboxes of profile Corp" in profile_alerts[0].cause


async def test_profile_scoped_errors_alert_on_the_profile(world: World) -> None:
    await world.profile(on_profile=True)
    await world.mailbox("m@example.test")
    world.server.fail_next(
        "m@example.test", PermanentError("service account refused", code="auth_failed", scope=ErrorScope.PROFILE)
    )
    engine = await world.engine()
    await engine.run_once()
    async with world.store.transaction() as tx:
        [alert] = await tx.alerts.list()
    assert alert.scope.value == "profile" and alert.profile_id is not None


async def test_latency_and_items_reach_the_counters(world: World) -> None:
    await world.profile()
    await world.mailbox("support@example.test")
    world.server.deliver(
        "support@example.test",
        message(1),
        received_at=START.replace(minute=0) - __import__("datetime").timedelta(seconds=30),
    )
    engine = await world.engine()
    began = __import__("time").monotonic()
    await engine.run_once()
    took = __import__("time").monotonic() - began
    values = engine.counters.flat()
    assert values["desktop_sync_items_total"] == 1
    # latency is the delay the sync added (the cycle finding the mail to its commit), not the 30 s
    # the mail had waited on the server before the engine looked
    assert values["desktop_sync_latency_seconds_count"] == 1
    assert values["desktop_sync_latency_seconds_sum"] <= took < 30
    assert values["desktop_sync_cycles_total"] == 1
