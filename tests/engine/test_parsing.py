"""Mail parsed in worker processes gives what a thread gives, and a broken pool falls back to a thread."""

from __future__ import annotations

import pytest
from support.scripted import message

from desktop_sync.domain.ports.connectors import RawMessage
from desktop_sync.engine.parsing import MailParser, parse_all

pytestmark = pytest.mark.asyncio


def batch(n: int) -> list[RawMessage]:
    items = [RawMessage(f"INBOX;{i}", "INBOX", message(i), None) for i in range(n)]
    items.append(RawMessage("INBOX;bad", "INBOX", b"   \r\n", None))  # unreadable: a failure, not an error
    return items


async def test_worker_processes_parse_as_a_thread_does() -> None:
    parser = MailParser(2)
    try:
        parsed, failures = await parser.parse(batch(10), 5 * 1024 * 1024)
        assert parser._pool is not None  # it went to the processes
    finally:
        parser.close()
    expected, expected_failures = parse_all(batch(10), 5 * 1024 * 1024)
    assert parsed == expected
    assert [(f.server_id, f.code, f.transient) for f in failures] == [("INBOX;bad", "malformed_message", False)]
    assert failures == expected_failures


async def test_a_broken_pool_falls_back_to_a_thread_and_loses_nothing() -> None:
    parser = MailParser(1)
    try:
        await parser.parse(batch(5), 1024)
        assert parser._pool is not None
        for process in list(parser._pool._processes.values()):  # a worker killed, as by the OOM killer
            process.kill()
            process.join()
        parsed, failures = await parser.parse(batch(5), 1024)
        assert len(parsed) == 5 and len(failures) == 1
        assert parser._pool is None  # from now on in a thread
        parsed, _ = await parser.parse(batch(5), 1024)
        assert len(parsed) == 5
    finally:
        parser.close()


async def test_without_processes_it_parses_in_a_thread() -> None:
    parser = MailParser(0)
    parsed, failures = await parser.parse(batch(5), 1024)
    assert (len(parsed), len(failures), parser._pool) == (5, 1, None)


CHILD = """
import asyncio, sys, time
from desktop_sync.domain.ports.connectors import RawMessage
from desktop_sync.engine.parsing import MailParser

async def main() -> None:
    parser = MailParser(2)
    items = [RawMessage(str(n), "INBOX", b"Subject: x\\r\\n\\r\\nbody\\r\\n", None) for n in range(8)]
    await parser.parse(items, 1024)
    print(" ".join(str(pid) for pid in parser._pool._processes), flush=True)
    time.sleep(600)

if __name__ == "__main__":
    asyncio.run(main())
"""


async def test_the_workers_of_a_killed_engine_end_with_it(tmp_path) -> None:
    import os
    import signal
    import subprocess
    import sys

    from support.waiting import eventually

    script = tmp_path / "engine.py"
    script.write_text(CHILD)
    with subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE) as process:
        try:
            assert process.stdout is not None
            workers = [int(pid) for pid in process.stdout.readline().split()]
            assert workers  # started on demand: one or two
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait()

    def alive(pid: int) -> bool:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True

    async def gone() -> bool:
        return not any(alive(pid) for pid in workers)

    await eventually(gone, timeout=15, what="the orphaned workers to exit")
