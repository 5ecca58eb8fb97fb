"""Benchmark: a first import as the admin meets it, beside mbsync on the same server in the same run.

Starts Dovecot (tests/servers, as the tests do) with one account holding N messages of a realistic
shape (bench/realistic_mail.py, seeded: about 12 kB each, 40 % with HTML, 5 % with an attachment of
50-300 kB, threads, four languages), then, for each run:

  1. mbsync (Debian package ``isync``) mirrors the INBOX over IMAPS to a fresh Maildir;
  2. a fresh store is set up with the admin CLI exactly as the README's "A first mailbox" says
     (profile, user tracking all mail, mailbox, approve, test-enable), then
     ``desktop-sync --db STORE engine run`` is started as a separate process, with its own config,
     data and state directories in a temporary folder. The wall time runs from starting that process
     to the last message committed (the store is read every 100 ms); the peak proportional set size
     (PSS: shared pages counted once) of the engine's process tree is sampled from
     /proc/PID/smaps_rollup every 100 ms.

Prints both times and their ratio for each run, and the peak PSS. The engine reads the mailbox's
password through a keyring backend that takes it from the environment (bench/bench_keyring.py),
since a headless benchmark has no Secret Service.

    .venv/bin/python bench/first_import.py [--messages 10000] [--runs 3] [--no-mbsync]

Aim (issue #16): the product within 1.5x mbsync's time, peak PSS <= 250 MB at 10,000 and 50,000.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import keyring

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent / "tests"))

from bench_keyring import VARIABLE, EnvKeyring  # noqa: E402
from imap_import import warm_index  # noqa: E402
from realistic_mail import mailbox  # noqa: E402
from servers.dovecot import DovecotServer  # noqa: E402
from servers.tls import make_temp_ca  # noqa: E402

from desktop_sync import cli  # noqa: E402

ADDRESS = "alice.bench@example.test"
LOGIN, PASSWORD = "alice.bench", "bench-pw"
SAMPLE_SECONDS = 0.1


# --- the mailbox


def seed(dovecot: DovecotServer, count: int, seed_value: int) -> int:
    size = 0
    for raw in mailbox(count, ADDRESS, seed_value):
        size += len(raw)
        dovecot.deliver(LOGIN, raw)
    return size


# --- the peer


MBSYNC_CONFIG = """\
IMAPAccount bench
Host localhost
Port {port}
User {login}
Pass {password}
SSLType IMAPS
CertificateFile {ca}

IMAPStore remote
Account bench

MaildirStore local
Path {root}/mail/
Inbox {root}/mail/INBOX

Channel bench
Far :remote:
Near :local:
Patterns INBOX
Create Near
Sync Pull
SyncState *
"""


def mbsync(dovecot: DovecotServer, ca: Path, expected: int) -> float:
    """mbsync's time to mirror the INBOX to a fresh Maildir."""
    binary = shutil.which("mbsync")
    if binary is None:
        raise SystemExit("mbsync is missing: apt-get install isync (or run with --no-mbsync)")
    with tempfile.TemporaryDirectory(prefix="desktop-sync-mbsync-") as root:
        config = Path(root) / "mbsyncrc"
        config.write_text(
            MBSYNC_CONFIG.format(port=dovecot.ports["imaps"], login=LOGIN, password=PASSWORD, ca=ca, root=root)
        )
        config.chmod(0o600)
        (Path(root) / "mail").mkdir()
        started = time.perf_counter()
        subprocess.run([binary, "-q", "-c", str(config), "-a"], check=True, stdin=subprocess.DEVNULL)
        took = time.perf_counter() - started
        inbox = Path(root) / "mail" / "INBOX"
        mirrored = sum(1 for folder in ("cur", "new") for _ in (inbox / folder).iterdir())
    if mirrored != expected:
        raise SystemExit(f"mbsync mirrored {mirrored} of {expected} messages")
    return took


# --- the product


def admin(db: str, *argv: str, stdin: str = "") -> None:
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(["--db", db, *argv], out=out, err=err, stdin=io.StringIO(stdin))
    if code != 0:
        raise SystemExit(f"desktop-sync {' '.join(argv)} failed ({code}): {err.getvalue()}")


def set_up(db: str, dovecot: DovecotServer, ca: Path) -> None:
    """The README's first mailbox, with the benchmark's Dovecot as the server."""
    admin(db, "init")
    port = str(dovecot.ports["imaps"])
    admin(
        db, "profile", "add", "Corp", "--kind", "imap", "--incoming-host", "localhost", "--incoming-port", port,
        "--ca-file", str(ca),
    )  # fmt: skip
    admin(db, "user", "add", ADDRESS, "--name", "Alice Seller")
    admin(db, "user", "set", ADDRESS, "--tracking", "all")
    admin(
        db, "mailbox", "add", ADDRESS, "--profile", "Corp", "--user", ADDRESS, "--login", LOGIN, "--password-stdin",
        stdin=PASSWORD,
    )  # fmt: skip
    admin(db, "mailbox", "approve", ADDRESS)
    admin(db, "mailbox", "test-enable", ADDRESS)


def tree(root: int) -> list[int]:
    """``root`` and every process below it."""
    found, pending = [], [root]
    while pending:
        pid = pending.pop()
        found.append(pid)
        with contextlib.suppress(OSError):
            for task in os.listdir(f"/proc/{pid}/task"):
                with contextlib.suppress(OSError):
                    pending += [int(child) for child in Path(f"/proc/{pid}/task/{task}/children").read_text().split()]
    return found


def pss_kb(pid: int) -> int:
    with contextlib.suppress(OSError, ValueError):
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    return 0


class PssSampler(threading.Thread):
    """The process tree's PSS every 100 ms: its peak, and the most processes seen at once."""

    def __init__(self, root: int) -> None:
        super().__init__(name="pss-sampler", daemon=True)
        self.root = root
        self.peak_kb = 0
        self.peak_engine_kb = 0  # the engine's process alone, without its workers
        self.peak_processes = 0
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            pids = tree(self.root)
            sizes = {pid: pss_kb(pid) for pid in pids}
            self.peak_kb = max(self.peak_kb, sum(sizes.values()))
            self.peak_engine_kb = max(self.peak_engine_kb, sizes.get(self.root, 0))
            self.peak_processes = max(self.peak_processes, len(pids))
            self.stopped.wait(SAMPLE_SECONDS)


@dataclass(frozen=True)
class ProductRun:
    wall: float
    first: float  # seconds to the first message committed
    committed: int
    peak_pss_mb: float
    peak_engine_mb: float
    processes: int


def committed(path: Path) -> int:
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)) as db:
        return int(db.execute("SELECT count(*) FROM email_activities").fetchone()[0])


def product(dovecot: DovecotServer, ca: Path, expected: int, limit: float, profile: str | None) -> ProductRun:
    with tempfile.TemporaryDirectory(prefix="desktop-sync-first-import-") as work:
        path = Path(work) / "crm.sqlite3"
        db = str(path)
        set_up(db, dovecot, ca)
        environment = os.environ | {
            "PYTHONPATH": os.pathsep.join(filter(None, [str(BENCH), os.environ.get("PYTHONPATH")])),
            "PYTHON_KEYRING_BACKEND": "bench_keyring.EnvKeyring",
            VARIABLE: PASSWORD,
            "XDG_CONFIG_HOME": f"{work}/config",
            "XDG_DATA_HOME": f"{work}/data",
            "XDG_STATE_HOME": f"{work}/state",
            "XDG_CACHE_HOME": f"{work}/cache",
        }
        executable = Path(sys.executable).with_name("desktop-sync")
        command = [str(executable), "--db", db, "engine", "run"]
        if profile is not None:  # sampled by py-spy (pip install py-spy), workers too: collapsed stacks
            spy = str(Path(sys.executable).with_name("py-spy"))
            command = [spy, "record", "--subprocesses", "-f", "raw", "-r", "50", "-o", profile, "--", *command]
        errors = (Path(work) / "engine.stderr").open("wb")
        started = time.perf_counter()
        engine = subprocess.Popen(command, env=environment, stdin=subprocess.DEVNULL, stdout=errors, stderr=errors)
        sampler = PssSampler(engine.pid)
        sampler.start()
        count, first = 0, float("nan")
        try:
            while count < expected and time.perf_counter() - started < limit:
                if engine.poll() is not None:
                    raise SystemExit(f"the engine stopped ({engine.returncode}): {_tail(Path(work) / 'engine.stderr')}")
                time.sleep(SAMPLE_SECONDS)
                with contextlib.suppress(sqlite3.OperationalError):  # not created yet, or busy for a moment
                    count = committed(path)
                if count and first != first:
                    first = time.perf_counter() - started
            wall = time.perf_counter() - started
        finally:
            sampler.stopped.set()
            sampler.join()
            engine.send_signal(signal.SIGINT)
            try:
                engine.wait(timeout=60)
            except subprocess.TimeoutExpired:
                engine.kill()
                engine.wait()
            errors.close()
    return ProductRun(wall, first, count, sampler.peak_kb / 1024, sampler.peak_engine_kb / 1024, sampler.peak_processes)


def _tail(path: Path) -> str:
    return path.read_text(errors="replace")[-2000:]


# --- the run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--no-mbsync", action="store_true", help="measure the product alone")
    parser.add_argument("--limit", type=float, default=3600, help="give up on an import after this many seconds")
    parser.add_argument("--py-spy", metavar="FILE", help="profile the engine's process tree with py-spy into FILE")
    args = parser.parse_args()
    keyring.set_keyring(EnvKeyring())
    ca_dir, tls = make_temp_ca()
    rows: list[tuple[ProductRun, float | None]] = []
    try:
        with DovecotServer(tls) as dovecot:
            dovecot.add_user(LOGIN, PASSWORD)
            started = time.perf_counter()
            size = seed(dovecot, args.messages, args.seed)
            seeded = time.perf_counter() - started
            exists = warm_index(dovecot, LOGIN, PASSWORD)  # as a long-running server would have it
            print(
                f"{exists} messages, {size / 2**20:.0f} MB ({size / args.messages / 1024:.1f} kB on average), "
                f"seed {args.seed}, delivered and indexed in {time.perf_counter() - started:.0f} s "
                f"({seeded:.0f} s delivering; not measured)",
                flush=True,
            )
            for run in range(1, args.runs + 1):
                peer = None if args.no_mbsync else mbsync(dovecot, tls.ca_cert, args.messages)
                ours = product(dovecot, tls.ca_cert, args.messages, args.limit, args.py_spy)
                rows.append((ours, peer))
                line = (
                    f"run {run}: desktop-sync engine run {ours.wall:7.1f} s for {ours.committed} of {args.messages}"
                    f" ({ours.committed / ours.wall:5.0f} msg/s), peak PSS {ours.peak_pss_mb:5.0f} MB"
                    f" over {ours.processes} processes ({ours.peak_engine_mb:.0f} MB the engine's alone);"
                    f" first commit at {ours.first:.1f} s"
                )
                if peer is not None:
                    line += f"; mbsync {peer:6.1f} s; ratio {ours.wall / peer:5.2f}x"
                print(line, flush=True)
    finally:
        shutil.rmtree(ca_dir, ignore_errors=True)
    walls = [ours.wall for ours, _ in rows]
    print(f"\ndesktop-sync: median {statistics.median(walls):.1f} s (min {min(walls):.1f}, max {max(walls):.1f})")
    print(f"peak PSS of the engine's process tree: {max(o.peak_pss_mb for o, _ in rows):.0f} MB (aim <= 250)")
    ratios = [ours.wall / peer for ours, peer in rows if peer]
    if ratios:
        peers = [peer for _, peer in rows if peer]
        print(f"mbsync: median {statistics.median(peers):.1f} s")
        spread = f"min {min(ratios):.2f}, max {max(ratios):.2f}"
        print(f"ratio: median {statistics.median(ratios):.2f}x ({spread}; aim <= 1.5)")
    return 0 if all(ours.committed >= args.messages for ours, _ in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
