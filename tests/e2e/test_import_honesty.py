"""What an admin is told about mail as it is imported from a real Dovecot: the latency the engine
measures is its own delay (from finding a mail to recording it), not the age of the mail; and an
engine killed half-way through an import leaves it paused, not "Importing" with a time left."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from e2e.test_threads import set_up
from servers.dovecot import DovecotServer, MailUser
from support.cli_admin import Admin, mail
from support.waiting import eventually

from desktop_sync.connectors.factory import MailConnectorFactory
from desktop_sync.domain.model import MailboxId
from desktop_sync.engine.engine import Engine, EngineSettings
from desktop_sync.secrets import KeyringSecrets
from desktop_sync.store import open_store

pytestmark = pytest.mark.dovecot

LONG_AGO = 978_307_200.0  # 2001-01-01: when these mails say they were written, and reached the server
TESTS = Path(__file__).resolve().parents[1]


def old_mail(n: int, to: str) -> bytes:
    return mail(n, to).replace(b"Date: Wed, 25 Nov 2026 10:00:00 +0000", b"Date: Mon, 01 Jan 2001 09:00:00 +0000")


def deliver_old(dovecot: DovecotServer, user: MailUser, numbers: range) -> None:
    """Deliver mails dated 2001, whose server arrival time (a Maildir file's time) is 2001 too."""
    for n in numbers:
        raw = old_mail(n, user.address)
        assert b"Date: Mon, 01 Jan 2001" in raw
        path = dovecot.deliver(user.name, raw)
        os.utime(path, (LONG_AGO, LONG_AGO))


async def mailbox_id(db: str, address: str) -> MailboxId:
    store = open_store(db)
    try:
        async with store.transaction() as tx:
            mailbox = await tx.mailboxes.by_address(address)
    finally:
        await store.close()
    assert mailbox is not None and mailbox.id is not None
    return mailbox.id


def test_latency_is_the_engines_own_delay_not_the_age_of_the_mail(
    tmp_path: Path, dovecot: DovecotServer, mail_user: MailUser, tls_ca: Path
) -> None:
    db = f"sqlite:///{tmp_path / 'crm.sqlite3'}"
    set_up(db, dovecot, mail_user, tls_ca, "all")
    wanted = asyncio.run(mailbox_id(db, mail_user.address))

    async def scenario() -> list[tuple[float, list[float]]]:
        store = open_store(db)
        settings = EngineSettings(tick_seconds=0.05, refresh_seconds=0.5, push=False)
        engine = Engine(store=store, connectors=MailConnectorFactory(), secrets=KeyringSecrets(), settings=settings)
        await engine.start()
        running = asyncio.create_task(engine.run())
        rounds: list[tuple[float, list[float]]] = []
        try:
            delivered = seen = 0

            async def taken() -> bool:  # the engine has loaded the mailbox (and looked at it: empty)
                return engine.sync_now(wanted)

            async def recorded() -> bool:
                return engine.items_committed == delivered

            await eventually(taken, what="the engine to take the mailbox")
            for size in (1, 7, 40):  # mail arrives while the engine runs, in three deliveries
                began = time.monotonic()
                deliver_old(dovecot, mail_user, range(delivered, delivered + size))
                delivered += size
                assert engine.sync_now(wanted)
                await eventually(recorded, 60, what=f"{delivered} mails recorded")
                took = time.monotonic() - began  # the test's own wall clock around the engine's work
                window = engine.counters.view().latency.since(seen)
                seen = window.last_serial
                rounds.append((took, [o.seconds for o in window.observations for _ in range(o.times)]))
        finally:
            engine.request_stop()
            await running
            await engine.stop()
            await store.close()
        return rounds

    rounds = asyncio.run(scenario())
    twenty_years = 20 * 365 * 86400
    for (took, delays), size in zip(rounds, (1, 7, 40), strict=True):
        assert len(delays) == size  # each mail observed once, when it was recorded
        assert all(0 <= delay <= took for delay in delays), (took, delays)
        assert max(delays) < twenty_years  # not the age of the Date header nor of the server arrival


def test_an_engine_killed_mid_import_leaves_the_import_paused_until_an_engine_runs_again(
    tmp_path: Path, dovecot: DovecotServer, mail_user: MailUser, tls_ca: Path
) -> None:
    db = f"sqlite:///{tmp_path / 'crm.sqlite3'}"
    set_up(db, dovecot, mail_user, tls_ca, "all")
    total = 3000
    deliver_old(dovecot, mail_user, range(total))
    admin = Admin(db)
    admin.initialised = True

    def listed() -> dict[str, object]:
        [row] = admin.json("mailbox", "list")
        return {key: row[key] for key in ("state", "import_done", "import_total", "import_eta_seconds")}

    environment = os.environ | {
        "PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")]),
        "PYTHON_KEYRING_BACKEND": "support.engine_process.EnvKeyring",
        "ENGINE_TEST_PASSWORD": mail_user.password,
    }
    said = tmp_path / "engine.err"
    with said.open("wb") as errors:
        engine = subprocess.Popen(
            [sys.executable, "-m", "desktop_sync", "--db", db, "engine", "run"],
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
        try:
            deadline = time.monotonic() + 120  # a hang guard, not a measure
            shown = listed()
            while not (shown["state"] == "importing" and isinstance(shown["import_done"], int)):
                assert engine.poll() is None, said.read_text()
                assert time.monotonic() < deadline, f"the import never showed: {shown}"
                shown = listed()
            engine.send_signal(signal.SIGKILL)
        finally:
            if engine.poll() is None:
                engine.kill()
            engine.wait()
    assert engine.returncode == -signal.SIGKILL

    paused = listed()
    done = paused["import_done"]
    assert isinstance(done, int) and 0 < done < total
    assert paused == {"state": "import_paused", "import_done": done, "import_total": total, "import_eta_seconds": None}
    text = admin("mailbox", "list")[1]
    assert f"Import paused ({done:,} of {total:,})" in text and "Importing" not in text and "left" not in text

    # the next engine picks it up: while one runs, the import is under way again, from where it was
    async def while_an_engine_runs() -> dict[str, object]:
        store = open_store(db)
        running = Engine(store=store, connectors=MailConnectorFactory(), secrets=KeyringSecrets())
        await running.start()
        try:
            return await asyncio.to_thread(listed)
        finally:
            await running.stop()
            await store.close()

    resumed = asyncio.run(while_an_engine_runs())
    assert resumed["state"] == "importing" and resumed["import_done"] == done
    admin("engine", "run", "--once")  # one more cycle: the import goes on from there, then pauses again
    later = listed()
    assert later["state"] == "import_paused"
    assert isinstance(later["import_done"], int) and done < later["import_done"] < total
