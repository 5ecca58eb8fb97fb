"""The window never freezes: the longest event-loop stall while 10,000 messages are imported.

Runs the real application (main window, engine, bridge, models) on the qasync loop, offscreen by
default, over a temporary SQLite store and the scripted mail server of the tests (no network, an
in-memory keyring). A 10 ms QTimer records the gap between its ticks; a stall is how much later
than 10 ms a tick came. Target: the longest stall under 100 ms.

    .venv/bin/python bench/gui_stall.py [--messages 10000] [--items-per-cycle 500] [--xcb]
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))  # the scripted mail server lives with the tests


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--items-per-cycle", type=int, default=500, help="the engine's cap per cycle (default 500)")
    parser.add_argument("--xcb", action="store_true", help="use the X display instead of offscreen")
    parser.add_argument("--no-freeze", action="store_true", help="do not freeze the start-up heap (gc.freeze)")
    parser.add_argument("--census", action="store_true", help="list the most numerous live objects after the import")
    parser.add_argument("--top", type=int, default=5, help="how many of the longest stalls to list")
    parser.add_argument(
        "--slow-callbacks", type=float, metavar="MS", help="log asyncio callbacks that run longer than MS (debug mode)"
    )
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    if not args.xcb:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    os.environ.setdefault("QT_API", "pyside6")

    import keyring
    import keyring.backend
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication
    from qasync import QEventLoop

    class MemoryKeyring(keyring.backend.KeyringBackend):
        priority = 1  # type: ignore[assignment]

        def __init__(self) -> None:
            super().__init__()
            self.passwords: dict[tuple[str, str], str] = {}

        def get_password(self, service: str, username: str) -> str | None:
            return self.passwords.get((service, username))

        def set_password(self, service: str, username: str, password: str) -> None:
            self.passwords[(service, username)] = password

        def delete_password(self, service: str, username: str) -> None:
            self.passwords.pop((service, username), None)

    keyring.set_keyring(MemoryKeyring())

    from support.scripted import ScriptedFactory, ScriptedServer, message

    from desktop_sync.app import DesktopApp
    from desktop_sync.domain.model import ProfileKind
    from desktop_sync.domain.validation import ProfileInput
    from desktop_sync.engine.cycle import CycleSettings
    from desktop_sync.engine.engine import EngineSettings
    from desktop_sync.secrets import KeyringSecrets
    from desktop_sync.services.mailboxes import MailboxService
    from desktop_sync.services.profiles import ProfileService
    from desktop_sync.store import open_store
    from desktop_sync.ui.mailboxes_model import Column

    app = QApplication([sys.argv[0]])
    app.setQuitOnLastWindowClosed(False)
    loop = QEventLoop(app)
    asyncio.set_event_loop(loop)
    if args.slow_callbacks is not None:
        import logging

        logging.basicConfig(level=logging.WARNING, format="%(relativeCreated)8.0f ms %(name)s: %(message)s")
        loop.set_debug(True)
        loop.slow_callback_duration = args.slow_callbacks / 1000

    workdir = Path(tempfile.mkdtemp(prefix="gui-stall-"))
    store = open_store(f"sqlite:///{workdir / 'bench.sqlite3'}")
    secrets = KeyringSecrets()
    server = ScriptedServer()
    address = "alice@example.test"
    for n in range(args.messages):
        server.deliver(address, message(n))

    settings = EngineSettings(cycle=dataclasses.replace(CycleSettings(), items_per_cycle=args.items_per_cycle))
    desktop = DesktopApp(
        store,
        connectors=ScriptedFactory(server),
        secrets=secrets,
        database_label=str(workdir),
        has_profiles=True,
        settings=settings,
    )
    window = desktop.window
    window.resize(1400, 800)
    window.show()

    import gc

    collections: list[tuple[float, int]] = []  # (seconds, generation) of each garbage collection
    gc_started = [0.0]

    def on_gc(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            gc_started[0] = time.perf_counter()
        elif started[0]:
            collections.append((time.perf_counter() - gc_started[0], info["generation"]))

    gc.callbacks.append(on_gc)

    gaps: list[tuple[float, float]] = []  # (gap seconds, time since start)
    last = [time.perf_counter()]
    started = [0.0]

    def tick() -> None:
        now = time.perf_counter()
        gaps.append((now - last[0], now - started[0]))
        last[0] = now

    meter = QTimer()
    meter.setTimerType(meter.timerType().PreciseTimer)
    meter.setInterval(10)
    meter.timeout.connect(tick)

    async def scenario() -> None:
        await ProfileService(store, secrets).add(
            ProfileInput(name="Corp", kind=ProfileKind.IMAP, incoming_host="imap.example.test", outgoing_host="smtp.t")
        )
        mailboxes = MailboxService(store, secrets)
        await mailboxes.add(address, "Corp", password="pw")
        await mailboxes.approve(address)
        await desktop.start(freeze_heap=not args.no_freeze)
        model = window.mailboxes_page.model
        await desktop.sync.test_and_enable([address])
        await window.mailboxes_page.refresh()

        started[0] = last[0] = time.perf_counter()
        meter.start()
        while True:
            rows = model.rows()
            if rows and rows[0].items_synced >= args.messages:
                break
            if time.perf_counter() - started[0] > 1800:
                raise SystemExit("the import did not finish in 30 minutes")
            await asyncio.sleep(0.25)
        elapsed = time.perf_counter() - started[0]
        meter.stop()
        if args.census:
            import collections as counting

            tracked = gc.get_objects()
            print(f"objects tracked by the collector: {len(tracked):,} (frozen: {gc.get_freeze_count():,})")
            for name, count in counting.Counter(type(o).__qualname__ for o in tracked).most_common(15):
                print(f"  {count:>9,}  {name}")
        state_text = model.data(model.index(0, Column.STATE))
        await desktop.stop()
        await store.close()

        stalls = sorted(((gap - 0.010) * 1000, at) for gap, at in gaps)
        values = [ms for ms, _ in stalls]
        print(f"messages imported       {args.messages:,} in {elapsed:.1f} s (items per cycle {args.items_per_cycle})")
        print(f"timer ticks             {len(values):,} (10 ms timer)")
        print(f"longest stall           {values[-1]:.1f} ms (target < 100 ms)")
        print(f"99th percentile stall   {statistics.quantiles(values, n=100)[98]:.1f} ms")
        print(f"median stall            {statistics.median(values):.1f} ms")
        print(f"stalls over 50 ms       {sum(1 for v in values if v > 50)}")
        print(f"stalls over 100 ms      {sum(1 for v in values if v > 100)}")
        print(
            "longest stalls          "
            + ", ".join(f"{ms:.0f} ms at {at:.1f} s" for ms, at in reversed(stalls[-args.top :]))
        )
        print(f"last state shown        {state_text}")
        for generation in (0, 1, 2):
            times = [t * 1000 for t, g in collections if g == generation]
            if times:
                summary = f"{len(times)}, longest {max(times):.1f} ms, total {sum(times):.0f} ms"
                print(f"garbage collections g{generation}  {summary}")

    try:
        loop.run_until_complete(scenario())
    finally:
        loop.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
