"""The connectors' own bounded thread pools: slow servers of one kind cannot starve anything else."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

import pytest
from support.waiting import eventually

from desktop_sync.connectors.imap import ImapIncoming
from desktop_sync.connectors.pop3 import Pop3Incoming
from desktop_sync.connectors.workers import WORKERS, Kind, in_thread
from desktop_sync.domain.model import Profile, Security
from desktop_sync.domain.ports.connectors import Credentials

CONNECTORS: dict[Kind, Callable[[Profile], Any]] = {
    Kind.IMAP: lambda profile: ImapIncoming(profile, Credentials("alice", "secret")),
    Kind.POP3: lambda profile: Pop3Incoming(profile, Credentials("alice", "secret")),
}


pytestmark = [pytest.mark.dovecot, pytest.mark.asyncio]


@pytest.mark.parametrize("kind", [Kind.IMAP, Kind.POP3])
async def test_with_every_worker_of_a_kind_held_by_a_silent_server_the_default_pool_and_other_kinds_still_run(
    kind: Kind,
    imap_profile: Callable[..., Profile],
    pop3_profile: Callable[..., Profile],
    scripted_server: Callable[..., Any],
) -> None:
    silent = await scripted_server(None)  # accepts every connection and never says a word
    make_profile = imap_profile if kind is Kind.IMAP else pop3_profile
    profile = make_profile(Security.NONE, port=silent.port, allow_insecure=True, timeout_seconds=300)
    workers = WORKERS[kind]
    connectors = [CONNECTORS[kind](profile) for _ in range(workers + 2)]  # two more mailboxes than workers
    tasks = [asyncio.ensure_future(connector.test()) for connector in connectors]

    async def every_worker_waits_for_a_greeting() -> bool:
        return silent.connections == workers

    try:
        await eventually(every_worker_waits_for_a_greeting, what=f"{workers} {kind} connections waiting")

        def where() -> str:
            return threading.current_thread().name

        loop = asyncio.get_running_loop()
        default_thread = await loop.run_in_executor(None, where)  # a keyring read, a GUI save
        other_kinds = {other: await in_thread(other, where) for other in Kind if other is not kind}

        # They ran while every worker of the kind was still held: no connector finished, none more connected.
        assert not any(task.done() for task in tasks)
        assert silent.connections == workers
        assert not default_thread.startswith("desktop-sync-")
        assert all(name.startswith(f"desktop-sync-{other.value}") for other, name in other_kinds.items())
    finally:
        await silent.close()  # the held workers read the end of the stream and are free again
        results = await asyncio.gather(*tasks, return_exceptions=True)
        for connector in connectors:
            await connector.close()
    assert all(not isinstance(result, BaseException) and not result.ok for result in results)
