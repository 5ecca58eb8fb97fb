"""The plumbing every connector shares: the hold-one-back reader, the reconnect policy, the SyncState cursor."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_sync.connectors.ews_services import decode_sync_state, encode_sync_state
from desktop_sync.connectors.holdback import FolderReader, read_folders
from desktop_sync.connectors.reconnect import Reconnect
from desktop_sync.domain.errors import PermanentError, TransientError
from desktop_sync.domain.ports.connectors import Batch, Cursor, ItemFailure, RawMessage

GENERATED = settings(max_examples=1000, deadline=None)

# A folder as its reader would find it: the number of messages in each of its batches.
folders = st.lists(st.lists(st.integers(min_value=0, max_value=5), max_size=6), max_size=5)


def folder_reader(name: str, sizes: list[int]) -> FolderReader:
    """Reads ``sizes`` as batches until ``limit`` runs out, as the IMAP and Exchange folders do."""

    async def read(limit: int) -> AsyncIterator[tuple[Batch, bool]]:
        for number, size in enumerate(sizes):
            items = tuple(RawMessage(f"{name}:{number}:{i}", name, b"x", None) for i in range(size))
            limit -= size
            left_over = number < len(sizes) - 1 and limit <= 0
            yield Batch(items, Cursor(name, str(number))), left_over
            if left_over:
                return

    return read


def read_all(plan: list[list[int]], limit: int, first: list[Batch]) -> list[Batch]:
    async def run() -> list[Batch]:
        readers = [folder_reader(f"F{index}", sizes) for index, sizes in enumerate(plan)]
        return [batch async for batch in read_folders(readers, limit, first)]

    return asyncio.run(run())


@GENERATED
@given(plan=folders, limit=st.integers(min_value=1, max_value=30), gone=st.integers(min_value=0, max_value=2))
def test_every_batch_but_the_last_says_more_and_the_last_says_whether_anything_was_left(
    plan: list[list[int]], limit: int, gone: int
) -> None:
    first = [
        Batch((), Cursor(f"gone{i}", ""), (ItemFailure(f"gone{i}", f"gone{i}", "mailbox_not_found", "gone"),))
        for i in range(gone)
    ]
    batches = read_all(plan, limit, first)

    # What a reader with the same limit would hand over, in the same order, and nothing else.
    expected: list[tuple[str, str]] = [(batch.cursor.folder, batch.cursor.value) for batch in first]
    remaining, left = limit, False
    for index, sizes in enumerate(plan):
        if remaining <= 0:
            left = True
            break
        for number, size in enumerate(sizes):
            expected.append((f"F{index}", str(number)))
            remaining -= size
            left = number < len(sizes) - 1 and remaining <= 0
            if left:
                break
        if left:
            break
    assert [(b.cursor.folder, b.cursor.value) for b in batches if b.cursor is not None] == expected
    assert all(batch.more for batch in batches[:-1])
    if batches:
        assert batches[-1].more is left
    for batch, original in zip(batches, first, strict=False):  # the leading batches come first, as they were
        assert (batch.cursor, batch.failures) == (original.cursor, original.failures)


def test_reconnect_waits_its_delays_then_gives_up_and_never_retries_a_permanent_error_or_a_closed_listener() -> None:
    async def run() -> list[bool]:
        policy = Reconnect((0.0, 0.0), logging.getLogger("test"), "test stream")
        dropped = TransientError("dropped", code="connection_dropped")
        answers = [await policy.pause(dropped, closed=False) for _ in range(3)]
        policy.reset()
        answers.append(await policy.pause(dropped, closed=False))
        answers.append(await policy.pause(PermanentError("refused", code="auth_failed"), closed=False))
        answers.append(await policy.pause(dropped, closed=True))
        return answers

    assert asyncio.run(run()) == [True, True, False, True, False, False]


@GENERATED
@given(prefix=st.sampled_from(["ews1:", "act1:"]), state=st.text(min_size=1), other=st.text())
def test_a_sync_state_cursor_round_trips_and_any_other_text_reads_as_none(prefix: str, state: str, other: str) -> None:
    assert decode_sync_state(prefix, encode_sync_state(prefix, state)) == state
    assert decode_sync_state(prefix, prefix) is None
    assert decode_sync_state(prefix, None) is None
    if not other.startswith(prefix):
        assert decode_sync_state(prefix, other) is None
