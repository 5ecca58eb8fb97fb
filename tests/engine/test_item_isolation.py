"""One bad message never holds back the others: whatever a per-item step raises on it, that message
goes to the failed-item ledger with a readable reason, and the rest of its batch is committed with
the cursor moved past it. The regression samples (tests/regressions/mail) replay here.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from support.engine_world import World
from support.hostile_mail import regression_samples, storable_problems, through_the_item_steps
from support.scripted import message
from support.strict_parse import parse_as_before, parse_with_a_size_no_store_holds, parse_with_no_subject_text

from desktop_sync.domain.isolation import ITEM_FAILED
from desktop_sync.domain.mail import MalformedMessage, parse_message
from desktop_sync.domain.model import Channel, FailedItem, MailboxState, SyncStatus
from desktop_sync.domain.ports.connectors import ItemFailure
from desktop_sync.engine.parsing import MailParser

pytestmark = pytest.mark.asyncio
QUEUE = "support@example.test"
OBSOLETE = next(p for p in regression_samples() if p.name == "message-id-obsolete-route.eml")


def sample_id(path: Path) -> str:
    return path.stem


@pytest.mark.parametrize("sample", regression_samples(), ids=sample_id)
async def test_a_regression_sample_goes_through_the_item_steps(sample: Path) -> None:
    raw = sample.read_bytes()
    result = through_the_item_steps(raw)
    assert not isinstance(result, ItemFailure), result.reason  # each one is readable now
    assert storable_problems(result) == []
    with contextlib.suppress(MalformedMessage):  # the parser's own refusal is an answer, not a crash
        parse_message(raw)


async def ledger(world: World, mailbox_id: object) -> list[FailedItem]:
    async with world.store.transaction() as tx:
        return list(await tx.failed_items.list(mailbox_id=mailbox_id))  # type: ignore[arg-type]


async def status(world: World, mailbox_id: object) -> SyncStatus:
    async with world.store.transaction() as tx:
        return await tx.status.get(mailbox_id)  # type: ignore[arg-type]


@pytest.mark.parametrize("processes", [0, 2], ids=["thread", "worker-processes"])
async def test_a_message_the_parser_raises_on_is_in_the_ledger_and_its_batch_goes_on(
    world: World, processes: int
) -> None:
    # The parsing of issue 11: IndexError on the obsolete Message-ID of one message among 80.
    await world.profile()
    mailbox = await world.mailbox(QUEUE)
    for n in range(80):
        world.server.deliver(QUEUE, OBSOLETE.read_bytes() if n == 30 else message(n, to=QUEUE))
    engine = await world.engine()
    engine.cycle.parser.close()
    engine.cycle.parser = MailParser(processes, parse_as_before)

    await engine.run_once()
    assert await world.activities() == 79
    [failed] = await ledger(world, mailbox.id)
    assert (failed.channel, failed.code, failed.permanent) == (Channel.INCOMING, ITEM_FAILED, True)
    assert failed.item_ref.endswith(";31")  # its server reference: the 31st UID
    size = len(OBSOLETE.read_bytes())
    assert failed.reason == (
        f"parsing failed on {failed.item_ref} ({size:,} bytes): IndexError: list index out of range"
    )
    current = await status(world, mailbox.id)
    assert (current.state, current.last_error_code, current.failure_count) == (MailboxState.IDLE, None, 0)

    # The cursor is past it: a reply after it arrives, correlated, and nothing is read twice.
    world.server.deliver(QUEUE, message(100, to=QUEUE, In_Reply_To="<m45@customer.test>"))
    world.clock.advance(3600)
    await engine.run_once()
    assert await world.activities() == 80
    assert [(f.item_ref, f.attempts) for f in await ledger(world, mailbox.id)] == [(failed.item_ref, 1)]
    async with world.store.transaction() as tx:
        by_id = await tx.activities.activities_by_message_id(["<m45@customer.test>", "<m100@customer.test>"])
        reply = await tx.activities.detail(by_id["<m100@customer.test>"])
    assert reply is not None and reply.correlated_activity_id == by_id["<m45@customer.test>"]


async def test_the_regression_samples_among_ordinary_mail_are_imported_and_the_mailbox_stays_well(
    world: World,
) -> None:
    await world.profile()
    mailbox = await world.mailbox(QUEUE)
    samples = regression_samples()
    for n, sample in enumerate(samples):
        world.server.deliver(QUEUE, message(n, to=QUEUE))
        world.server.deliver(QUEUE, sample.read_bytes())
    engine = await world.engine()
    await engine.run_once()
    assert await ledger(world, mailbox.id) == []
    uids = [f"INBOX;{uid}" for uid in range(1, 2 * len(samples) + 1)]
    async with world.store.transaction() as tx:  # each one imported (some generated ones share a Message-ID)
        assert await tx.activities.linked_server_ids(mailbox.id, uids) == set(uids)  # type: ignore[arg-type]
    current = await status(world, mailbox.id)
    assert (current.state, current.last_error_code) == (MailboxState.IDLE, None)


async def test_a_message_the_store_refuses_is_in_the_ledger_and_the_rest_of_its_batch_is_committed(
    world: World,
) -> None:
    await world.profile()
    mailbox = await world.mailbox(QUEUE)
    for n in range(20):
        world.server.deliver(QUEUE, message(n, to=QUEUE, X_Size="huge" if n == 7 else "normal"))
    engine = await world.engine()
    engine.cycle.parser.close()
    engine.cycle.parser = MailParser(0, parse_with_a_size_no_store_holds)

    await engine.run_once()
    assert await world.activities() == 19
    [failed] = await ledger(world, mailbox.id)
    assert failed.item_ref.endswith(";8") and failed.code == ITEM_FAILED
    assert failed.reason.startswith(f"storing failed on {failed.item_ref} (")
    assert "OverflowError" in failed.reason
    current = await status(world, mailbox.id)
    assert (current.state, current.last_error_code) == (MailboxState.IDLE, None)
    world.server.deliver(QUEUE, message(20, to=QUEUE))  # the cursor is past the 20 of them
    world.clock.advance(3600)
    await engine.run_once()
    assert await world.activities() == 20
    assert [(f.item_ref, f.attempts) for f in await ledger(world, mailbox.id)] == [(failed.item_ref, 1)]


async def test_a_message_correlation_raises_on_is_in_the_ledger_and_its_batch_goes_on(world: World) -> None:
    await world.profile()
    mailbox = await world.mailbox(QUEUE)
    for n in range(10):
        world.server.deliver(QUEUE, message(n, to=QUEUE, X_Subject="none" if n == 4 else "text"))
    engine = await world.engine()
    engine.cycle.parser.close()
    engine.cycle.parser = MailParser(0, parse_with_no_subject_text)

    await engine.run_once()
    assert await world.activities() == 9
    [failed] = await ledger(world, mailbox.id)
    assert failed.item_ref.endswith(";5") and failed.code == ITEM_FAILED
    assert failed.reason.startswith(f"correlating failed on {failed.item_ref} (")
    assert "TypeError" in failed.reason
    current = await status(world, mailbox.id)
    assert (current.state, current.last_error_code) == (MailboxState.IDLE, None)
