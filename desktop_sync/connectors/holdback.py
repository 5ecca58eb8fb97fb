"""The "hold one batch back" reader: batches of several folders read in turn, each handed over only
once the next exists, so that ``more`` is exact on the last one (IMAP and Exchange read this way)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import replace

from desktop_sync.domain.ports.connectors import Batch

# One folder's reader: given how many messages may still be read, its batches, each paired with
# "changes were left in this folder because that number ran out".
FolderReader = Callable[[int], AsyncIterator[tuple[Batch, bool]]]


async def read_folders(
    readers: Iterable[FolderReader], limit: int, first: Iterable[Batch] = ()
) -> AsyncIterator[Batch]:
    """The batches of ``first`` (outside the count), then of each reader in turn, at most ``limit``
    messages and failures in all; the last batch says ``more`` when folders or changes were left."""
    held: Batch | None = None
    for batch in first:
        if held is not None:
            yield replace(held, more=True)
        held = batch
    remaining = limit
    stopped_early = False
    for read in readers:
        if remaining <= 0:
            stopped_early = True  # folders left unread: say there may be more
            break
        async for batch, left_over in read(remaining):
            remaining -= len(batch.items) + len(batch.failures)
            if held is not None:
                yield replace(held, more=True)
            held = batch
            stopped_early = left_over
        if stopped_early:
            break
    if held is not None:
        yield replace(held, more=stopped_early)
