"""Parsing untrusted mail off the event loop, on every core the machine has.

MIME parsing is the engine's largest cost when it imports (about 60 % of an IMAP import's CPU).
In a thread it frees the event loop but still holds Python's global lock against the store's
work; in worker processes it runs beside it. Where there is a single core, or the pool cannot
start or breaks (a worker killed), parsing goes on in a thread: slower, never lost.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import multiprocessing
import os
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures.process import BrokenProcessPool

from desktop_sync.domain.isolation import ITEM_FAILED, Step, failure_reason
from desktop_sync.domain.mail import MalformedMessage, ParsedEmail, parse_message, read_headline
from desktop_sync.domain.ports.connectors import ItemFailure, RawMessage
from desktop_sync.engine.memory import keep_large_buffers_apart

log = logging.getLogger("desktop_sync.engine.parsing")

Parsed = tuple[list[tuple[RawMessage, ParsedEmail]], list[ItemFailure]]
ParseFunction = Callable[[bytes, int], ParsedEmail]  # module-level, so that worker processes can be given it
SMALL_BATCH = 4  # fewer items than this are not worth a trip to another process


def parse_item(
    item: RawMessage, attachment_limit: int, parse: ParseFunction = parse_message
) -> ParsedEmail | ItemFailure:
    """One message parsed, or why not: whatever the parser raises on it is this message's failure
    alone (the stdlib's ``email`` raises IndexError, AttributeError, UnboundLocalError... on some
    malformed headers), and must not cost the messages around it."""
    try:
        return parse(item.raw, attachment_limit)
    except MalformedMessage as exc:
        code, reason = exc.code, exc.message
    except Exception as exc:  # the item's own failure, told in the ledger
        log.warning("parsing %s failed: %s", item.server_id, type(exc).__name__)
        code, reason = ITEM_FAILED, failure_reason(Step.PARSE, exc, item.server_id, len(item.raw))
    # named by what can still be read of it, not by its server reference
    headline = read_headline(item.raw)
    return ItemFailure(
        item.server_id,
        item.folder,
        code,
        reason,
        transient=False,
        subject=headline.subject,
        sender=headline.sender,
        date=headline.date or item.received_at,
    )


def parse_all(items: Sequence[RawMessage], attachment_limit: int, parse: ParseFunction = parse_message) -> Parsed:
    parsed: list[tuple[RawMessage, ParsedEmail]] = []
    failures: list[ItemFailure] = []
    for item in items:
        result = parse_item(item, attachment_limit, parse)
        if isinstance(result, ItemFailure):
            failures.append(result)
        else:
            parsed.append((item, result))
    return parsed, failures


def default_processes() -> int:
    """Worker processes for parsing: one per core up to four, none on a single core."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return 0 if cores < 2 else min(cores, 4)


def _exit_with_parent(parent: int) -> None:
    """In each worker: end when the engine's process is gone, even killed (SIGKILL leaves no time to
    tell its workers, which would otherwise wait for work forever)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
    keep_large_buffers_apart()  # a worker's buffers of attachments, returned when freed


def spawn_possible() -> bool:
    """A spawned worker starts by importing the parent's main module again: impossible when it was
    read from standard input (``python -``), as a few tools do."""
    main = sys.modules.get("__main__")
    if main is None or getattr(getattr(main, "__spec__", None), "name", None):
        return True
    path = getattr(main, "__file__", None)
    return path is None or os.path.exists(path)


class MailParser:
    def __init__(self, processes: int, parse: ParseFunction = parse_message):
        self._processes = processes
        self._parse = parse
        self._pool: concurrent.futures.ProcessPoolExecutor | None = None
        self._broken = processes <= 0 or not spawn_possible()

    async def parse(self, items: Sequence[RawMessage], attachment_limit: int) -> Parsed:
        if self._broken or len(items) < SMALL_BATCH:
            return await asyncio.to_thread(parse_all, items, attachment_limit, self._parse)
        loop = asyncio.get_running_loop()
        try:
            if self._pool is None:
                self._pool = concurrent.futures.ProcessPoolExecutor(
                    self._processes,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_exit_with_parent,
                    initargs=(os.getpid(),),
                )
            return await loop.run_in_executor(self._pool, parse_all, list(items), attachment_limit, self._parse)
        except (BrokenProcessPool, OSError) as exc:
            log.warning("mail parsing goes on in a thread: the worker processes failed (%s)", exc)
            self.close()
            self._broken = True
            return await asyncio.to_thread(parse_all, items, attachment_limit, self._parse)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
