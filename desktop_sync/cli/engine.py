"""``desktop-sync engine run``: the sync engine, headless. The only command module that composes the
engine itself (an import-linter contract keeps it so); every other one goes through services."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import errno
import logging
import signal
import socket

from desktop_sync import logs
from desktop_sync.cli.arguments import port, seconds
from desktop_sync.cli.context import EXIT_OK, Commands, Context
from desktop_sync.cli.output import counted
from desktop_sync.config import local_settings
from desktop_sync.domain.errors import ValidationError
from desktop_sync.engine.engine import Engine


def _check_port_free(port: int, host: str = "127.0.0.1") -> None:
    """Refuse a metrics port that cannot be listened on, before the engine starts."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as asyncio's server does
        try:
            probe.bind((host, port))
        except OSError as exc:
            reason = "already in use" if exc.errno == errno.EADDRINUSE else (exc.strerror or str(exc)).lower()
            raise ValidationError.single("metrics_port", f"cannot listen on {host}:{port}: {reason}") from None


async def engine_run(ctx: Context, args: argparse.Namespace) -> int:
    if args.metrics_port is not None:
        _check_port_free(args.metrics_port)
    store = ctx.store  # a missing or unreachable store is reported before anything starts
    log_file = logs.configure(console_level=logging.INFO, level=local_settings().log_level)
    if log_file is not None:
        ctx.print(f"Logging to {log_file}")
    # the limits every engine on this store shares (desktop-sync settings set, or the Settings dialog)
    settings = await ctx.settings().engine_settings()
    engine = Engine(
        store=store, connectors=ctx.connectors(), secrets=ctx.secrets, settings=settings, tokens=ctx.tokens()
    )
    try:
        await engine.start(metrics_port=args.metrics_port)
    except OSError as exc:  # the port was taken between the check and the start
        problem = f"cannot listen on 127.0.0.1:{args.metrics_port}: {(exc.strerror or str(exc)).lower()}"
        raise ValidationError.single("metrics_port", problem) from None
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, engine.request_stop)
    try:
        if args.once:
            await engine.run_once()
        else:
            if args.metrics_port is not None and engine.metrics_port is not None:
                ctx.print(f"Metrics on http://127.0.0.1:{engine.metrics_port}/metrics")
            ctx.print(f"Engine running on {ctx.store.label}; Ctrl+C stops it.")
            await engine.run(duration=args.for_seconds)
    finally:
        await engine.stop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(signum)
    values = engine.counters.flat()
    errors = sum(v for k, v in values.items() if k.startswith("desktop_sync_errors_total"))
    ctx.print(
        f"Engine stopped: {counted(engine.cycles_run, 'mailbox cycle')}, "
        f"{counted(int(engine.items_committed), 'item')} committed, {counted(int(errors), 'error')} "
        "(see: desktop-sync alerts list)."
    )
    return EXIT_OK


def register(cli: Commands) -> None:
    group, command = cli.group, cli.command
    engine = group("engine", "the sync engine, headless")
    run_engine = command(engine, "run", engine_run, "run the engine (until interrupted, or --once / --for)")
    mode = run_engine.add_mutually_exclusive_group()
    mode.add_argument(
        "--once",
        action="store_true",
        help="one cycle of every due, enabled, approved mailbox and of the outgoing queue",
    )
    mode.add_argument(
        "--for", dest="for_seconds", metavar="SECONDS", type=seconds, help="run this long, then stop cleanly"
    )
    run_engine.add_argument(
        "--metrics-port", metavar="N", type=port, help="serve Prometheus metrics on 127.0.0.1:N (1-65535)"
    )
