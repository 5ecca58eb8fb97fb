"""End to end on the EWS test server: an admin configures an Exchange profile with the CLI, Test & Enable
passes, the engine tracks mail in and sends mail out through EWS, push brings mail in seconds, and a
crash after a send is resolved by Sent Items, never by sending twice."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest
from ews.fixtures import ALICE, BOB, PASSWORDS, SERVICE
from ews.server import EwsServer
from support.cli_admin import Admin, mail
from support.waiting import eventually

from desktop_sync.connectors.factory import MailConnectorFactory
from desktop_sync.domain.compose import compose
from desktop_sync.domain.model import ActivityStatus, Mailbox, OutgoingEmail, ProfileId, SendStep
from desktop_sync.domain.ports.connectors import Credentials, OutgoingMessage, SendOutcome
from desktop_sync.engine.engine import Engine, EngineSettings
from desktop_sync.secrets import KeyringSecrets
from desktop_sync.store import open_store


@pytest.fixture
def admin(tmp_path: Path) -> Admin:
    return Admin(f"sqlite:///{tmp_path / 'crm.sqlite3'}")


def configure(admin: Admin, server: EwsServer) -> dict[str, dict[str, object]]:
    """An Exchange profile with a service account, alice's mailbox mapped, approved, Test & Enabled:
    mail in and out, and appointments, contacts and tasks, each channel's test passes and it is enabled."""
    return admin.exchange_mailbox(server.url, PASSWORDS[SERVICE], ALICE, tracking="all")


def test_exchange_from_configuration_to_tracked_and_sent_mail(admin: Admin, ews_server: EwsServer) -> None:
    channels = configure(admin, ews_server)
    assert channels["incoming"]["enabled"] and channels["outgoing"]["enabled"], channels
    assert [s["step"] for s in channels["incoming"]["steps"]] == [
        "resolve",
        "connect",
        "tls",
        "authenticate",
        "access",
        "list_folders",
    ]
    assert channels["act"]["enabled"], channels["act"]

    for n in range(3):
        ews_server.deliver(ALICE, mail(n, ALICE))
    admin("engine", "run", "--once")
    incoming = admin.json("email", "list", "--direction", "incoming")
    assert sorted(a["subject"] for a in incoming) == ["order 0", "order 1", "order 2"]
    assert {a["mailbox"] for a in incoming} == {ALICE}

    admin("email", "send", "--from", ALICE, "--to", BOB, "--subject", "Shipped", "--body", "On its way.")
    admin("engine", "run", "--once")
    [sent] = admin.json("outgoing", "list")
    assert (sent["status"], sent["step"]) == ("sent", "sent")
    delivered = [i for i in ews_server.items(BOB) if i.text("InternetMessageId") == sent["message_id"]]
    in_sent = [i for i in ews_server.items(ALICE, "sentitems") if i.text("InternetMessageId") == sent["message_id"]]
    assert len(delivered) == len(in_sent) == 1

    admin("engine", "run", "--once")  # nothing new, nothing twice
    assert len(admin.json("email", "list", "--direction", "incoming")) == 3
    assert len(ews_server.sent) == 1


@pytest.mark.asyncio
async def test_after_a_crash_a_mail_found_in_sent_items_is_not_sent_again(admin: Admin, ews_server: EwsServer) -> None:
    await asyncio.to_thread(configure, admin, ews_server)
    for subject in ("went out", "never left"):
        await asyncio.to_thread(
            admin, "email", "send", "--from", ALICE, "--to", BOB, "--subject", subject, "--body", "x"
        )
    store = open_store(admin.db)
    try:
        # What a killed engine leaves: both claimed and handed to the server; only the first reached it.
        async with store.transaction() as tx:
            claimed: list[OutgoingEmail] = list(await tx.outgoing.claim("dead-engine", dt.datetime.now(dt.UTC), 10))
            for email in claimed:
                await tx.outgoing.set_step(email.id, SendStep.HANDED_TO_SERVER)
        went_out = next(e for e in claimed if "went out" in e.subject)
        connectors = MailConnectorFactory()
        try:
            async with store.transaction() as tx:
                profile = next(p for p in await tx.profiles.list() if p.name == "Exchange")
            outgoing = connectors.outgoing(
                profile, Mailbox(ALICE, ProfileId(1)), Credentials("svc", PASSWORDS[SERVICE])
            )
            raw = compose(went_out, dt.datetime.now(dt.UTC))
            result = await outgoing.send(OutgoingMessage(went_out.message_id, ALICE, went_out.recipients, raw))
            assert result.outcome is SendOutcome.ACCEPTED
        finally:
            connectors.close()
    finally:
        await store.close()

    await asyncio.to_thread(admin, "engine", "run", "--once")  # start-up recovers the dead engine's claims
    listed = await asyncio.to_thread(admin.json, "outgoing", "list")
    assert {"went out" in o["subject"]: o["status"] for o in listed} == {
        True: ActivityStatus.SENT.value,
        False: ActivityStatus.DELIVERY_UNKNOWN.value,
    }
    assert len(ews_server.sent) == 1  # the one that went out was not sent again; the other waits for the admin


@pytest.mark.asyncio
async def test_streaming_push_brings_new_mail_in_seconds(admin: Admin, ews_server: EwsServer) -> None:
    await asyncio.to_thread(configure, admin, ews_server)
    store = open_store(admin.db)
    connectors = MailConnectorFactory()
    engine = Engine(
        store=store,
        connectors=connectors,
        secrets=KeyringSecrets(),
        settings=EngineSettings(tick_seconds=0.05, refresh_seconds=0.2),
    )
    await engine.start()
    runner = asyncio.create_task(engine.run())
    try:

        async def listening() -> bool:
            return bool(engine._push_tasks) and engine.cycles_run >= 1 and ews_server.store.subscriptions != {}

        await eventually(listening, what="the first cycle and the streaming subscription")
        ews_server.deliver(ALICE, mail(42, ALICE))

        async def arrived() -> bool:
            async with store.transaction() as tx:
                return await tx.activities.count() == 1

        await eventually(arrived, timeout=5, what="the pushed mail")  # polling alone: minutes
    finally:
        engine.request_stop()
        await runner
        await engine.stop()
        await store.close()
        connectors.close()


def test_a_tracked_exchange_folder_tracks_mail_moved_into_it_and_follows_a_rename(
    admin: Admin, ews_server: EwsServer
) -> None:
    deals = ews_server.create_folder(ALICE, "Deals")
    configure(admin, ews_server)
    admin("user", "tracking", ALICE, "none")  # only the folder rule tracks anything
    folders = {f["name"]: f for f in admin.json("mailbox", "folders", ALICE)}
    assert folders["INBOX/Deals"]["trackable"] and not folders["Sent Items"]["trackable"]
    admin("mailbox", "track-folder", ALICE, "INBOX/Deals")

    first = ews_server.deliver(ALICE, mail(1, ALICE))
    ews_server.deliver(ALICE, mail(2, ALICE))
    admin("engine", "run", "--once")
    assert admin.json("email", "list") == []  # the Inbox is not tracked ("none")

    ews_server.move_item(first, "inbox/Deals")  # the user files it: a new item id in the tracked folder
    admin("sync", "now", ALICE)
    admin("engine", "run", "--once")
    [tracked] = admin.json("email", "list")
    assert (tracked["subject"], tracked["tracked_reason"]) == ("order 1", "in the tracked folder INBOX/Deals")

    ews_server.rename_folder(deals, "Won")
    ews_server.deliver(ALICE, mail(3, ALICE), folder="inbox/Won")
    admin("sync", "now", ALICE)
    admin("engine", "run", "--once")
    assert sorted(a["subject"] for a in admin.json("email", "list")) == ["order 1", "order 3"]
    assert {f["name"]: f["tracked"] for f in admin.json("mailbox", "folders", ALICE)}["INBOX/Won"]
