"""Which mail is tracked and why: the owner's tracking choice, correlation, party resolution, contacts."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from support.engine_world import World
from support.scripted import message

from desktop_sync.domain.model import TrackingChoice
from desktop_sync.engine.cycle import CycleSettings
from desktop_sync.services.activities import ActivityService
from desktop_sync.services.directory import DirectoryService
from desktop_sync.store.database import make_sync_engine, resolve_url

pytestmark = pytest.mark.asyncio
ALICE = "alice@example.test"


def rows(world: World, sql: str) -> list[tuple[object, ...]]:
    engine = make_sync_engine(resolve_url("sqlite:///" + world.store.label.removeprefix("SQLite: ")))
    try:
        with engine.connect() as connection:
            return [tuple(r) for r in connection.execute(text(sql))]
    finally:
        engine.dispose()


async def alice(world: World, tracking: TrackingChoice, auto_contacts: bool = False) -> None:
    await world.profile()
    await world.mailbox(ALICE, user=True)
    await DirectoryService(world.store).set_user_options(ALICE, tracking=tracking, auto_create_contacts=auto_contacts)


async def test_replies_only_tracks_mail_that_continues_a_tracked_conversation(world: World) -> None:
    await alice(world, TrackingChoice.REPLIES)
    sent = await ActivityService(world.store).send_email(ALICE, ["carol@customer.test"], "Offer", body_text="x")
    world.server.deliver(ALICE, message(1))  # unrelated
    world.server.deliver(ALICE, message(2, In_Reply_To=sent.message_id))
    world.server.deliver(ALICE, message(3, Subject_Extra="x"))  # header noise only
    world.server.deliver(ALICE, message(4).replace(b"Subject: message 4", f"Subject: RE: {sent.subject}".encode()))
    world.server.deliver(ALICE, message(5, References=f"<other@x.test> {sent.message_id}"))
    engine = await world.engine()
    await engine.run_once()
    tracked = rows(
        world,
        "SELECT message_id, correlation_method, correlated_activity_id, tracked_reason "
        "FROM email_activities WHERE direction = 'incoming' ORDER BY message_id",
    )
    assert tracked == [
        ("<m2@customer.test>", "in_reply_to", sent.id, "a reply to tracked mail"),
        ("<m4@customer.test>", "tracking_token", sent.id, "a reply to tracked mail"),
        ("<m5@customer.test>", "references", sent.id, "a reply to tracked mail"),
    ]


async def test_all_tracks_everything_and_none_nothing(world: World) -> None:
    await alice(world, TrackingChoice.ALL)
    world.server.deliver(ALICE, message(1))
    engine = await world.engine()
    await engine.run_once()
    assert await world.activities() == 1
    await DirectoryService(world.store).set_user_options(ALICE, tracking=TrackingChoice.NONE)
    world.server.deliver(ALICE, message(2))
    world.clock.advance(3600)
    await engine.run_once()
    assert await world.activities() == 1


async def test_known_senders_and_party_resolution(world: World) -> None:
    await alice(world, TrackingChoice.KNOWN_SENDERS)
    await DirectoryService(world.store).add_user("bob@example.test", "Bob")
    engine_db = make_sync_engine(resolve_url("sqlite:///" + world.store.label.removeprefix("SQLite: ")))
    with engine_db.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO contacts (full_name, email, created_from_email, modified_at) "
                "VALUES ('Carol', 'carol@customer.test', 0, CURRENT_TIMESTAMP)"
            )
        )
    engine_db.dispose()
    world.server.deliver(ALICE, message(1, sender="carol@customer.test", to=f"{ALICE}, bob@example.test"))
    world.server.deliver(ALICE, message(2, sender="stranger@elsewhere.test"))
    engine = await world.engine()
    await engine.run_once()
    parties = rows(world, "SELECT role, address, record_type FROM activity_parties ORDER BY role, address")
    assert parties == [
        ("from", "carol@customer.test", "contact"),
        ("to", "alice@example.test", "user"),
        ("to", "bob@example.test", "user"),
    ]


async def test_a_contact_is_created_for_an_unknown_sender_when_the_user_wants_it(world: World) -> None:
    await alice(world, TrackingChoice.ALL, auto_contacts=True)
    world.server.deliver(ALICE, message(1, sender="dave@newcustomer.test"))
    engine = await world.engine()
    await engine.run_once()
    assert rows(world, "SELECT full_name, email, created_from_email FROM contacts") == [
        ("Carol", "dave@newcustomer.test", 1)
    ]
    assert rows(world, "SELECT record_type FROM activity_parties WHERE role = 'from'") == [("contact",)]


async def test_attachments_over_the_limit_are_recorded_without_their_content(world: World) -> None:
    from desktop_sync.engine.cycle import CycleSettings

    await alice(world, TrackingChoice.ALL)
    big = (
        b"From: carol@customer.test\r\nTo: alice@example.test\r\nSubject: files\r\nMessage-ID: <att@x.test>\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\n"
        b"see attached\r\n--B\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; "
        b"filename=small.bin\r\nContent-Transfer-Encoding: base64\r\n\r\nAAAA\r\n--B\r\n"
        b"Content-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=big.bin\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n" + b"QUFB" * 400 + b"\r\n--B--\r\n"
    )
    world.server.deliver(ALICE, big)
    engine = await world.engine(cycle=CycleSettings(attachment_limit=100))
    await engine.run_once()
    assert rows(
        world,
        "SELECT filename, size_bytes, content IS NULL, skipped_reason IS NOT NULL FROM attachments ORDER BY filename",
    ) == [("big.bin", 1200, 1, 1), ("small.bin", 3, 0, 0)]


async def test_the_activities_list_says_who_and_why(world: World) -> None:
    await alice(world, TrackingChoice.ALL)
    world.server.deliver(ALICE, message(1))
    engine = await world.engine()
    await engine.run_once()
    service = ActivityService(world.store)
    [listed] = await service.activities(mailbox=ALICE)
    assert (listed.subject, listed.tracked_reason, listed.mailbox) == ("message 1", "the user tracks all mail", ALICE)
    assert listed.body_text is None  # lists carry no bodies
    detail = await service.activity(listed.id)
    assert detail.body_text is not None and "Body 1" in detail.body_text
    assert [p.role.value for p in detail.parties] == ["from", "to"]
    assert await service.activities(search="carol@") and not await service.activities(search="nobody")


def reply(n: int, subject: str, sender: str, to: str, cc: str = "") -> bytes:
    """A reply whose client dropped In-Reply-To, References and the tracking token."""
    cc_line = f"Cc: {cc}\r\n" if cc else ""
    return (
        f"From: {sender}\r\nTo: {to}\r\n{cc_line}Subject: {subject}\r\n"
        f"Message-ID: <r{n}@customer.test>\r\nDate: Wed, 25 Nov 2026 10:00:00 +0000\r\n\r\nBody\r\n"
    ).encode()


async def test_smart_matching_correlates_on_subject_words_and_two_shared_addresses(world: World) -> None:
    await alice(world, TrackingChoice.REPLIES)
    sent = await ActivityService(world.store).send_email(
        ALICE, ["carol@customer.test", "dave@customer.test"], "Quote for Q4", body_text="x"
    )
    # the same words, prefixes and case aside, and two addresses in common (alice and carol)
    world.server.deliver(ALICE, reply(1, "AW: RE:  quote for q4", "carol@customer.test", ALICE))
    # the same words but only one address in common: not enough
    world.server.deliver(ALICE, reply(2, "Re: Quote for Q4", "erin@elsewhere.test", "frank@elsewhere.test", ALICE))
    # two addresses in common but other words
    world.server.deliver(ALICE, reply(3, "Re: Quote for Q1", "carol@customer.test", ALICE))
    engine = await world.engine(cycle=CycleSettings(smart_matching=True))
    await engine.run_once()
    tracked = rows(
        world,
        "SELECT message_id, correlation_method, correlated_activity_id FROM email_activities "
        "WHERE direction = 'incoming' ORDER BY message_id",
    )
    assert tracked == [("<r1@customer.test>", "smart_matching", sent.id)]


async def test_smart_matching_is_off_by_default(world: World) -> None:
    await alice(world, TrackingChoice.REPLIES)
    await ActivityService(world.store).send_email(ALICE, ["carol@customer.test"], "Quote for Q4", body_text="x")
    world.server.deliver(ALICE, reply(1, "RE: Quote for Q4", "carol@customer.test", ALICE))
    engine = await world.engine()
    await engine.run_once()
    assert await world.activities() == 1  # only the sent mail


async def test_headers_win_over_smart_matching(world: World) -> None:
    await alice(world, TrackingChoice.REPLIES)
    activities = ActivityService(world.store)
    first = await activities.send_email(ALICE, ["carol@customer.test"], "Quote", body_text="x")
    second = await activities.send_email(ALICE, ["carol@customer.test"], "Quote", body_text="y")
    world.server.deliver(ALICE, message(1, In_Reply_To=first.message_id).replace(b"message 1", b"RE: Quote"))
    world.server.deliver(ALICE, reply(2, "RE: Quote", "carol@customer.test", ALICE))
    engine = await world.engine(cycle=CycleSettings(smart_matching=True))
    await engine.run_once()
    tracked = rows(
        world,
        "SELECT message_id, correlation_method, correlated_activity_id FROM email_activities "
        "WHERE direction = 'incoming' ORDER BY message_id",
    )
    # the header names the first; smart matching takes the newest conversation with those words
    assert tracked == [
        ("<m1@customer.test>", "in_reply_to", first.id),
        ("<r2@customer.test>", "smart_matching", second.id),
    ]
