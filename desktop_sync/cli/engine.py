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
from desktop_sync.cli.output import counted, local_time, print_table
from desktop_sync.config import local_settings
from desktop_sync.domain.errors import ValidationError
from desktop_sync.engine.engine import Engine
from desktop_sync.services.hosts import HostsService, HostView


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


def host_json(view: HostView) -> dict[str, object]:
    host = view.host
    return {
        "id": host.owner,
        "machine": host.hostname,
        "pid": host.pid,
        "started_at": host.started_at.isoformat(),
        "heartbeat_at": host.heartbeat_at.isoformat(),
        "mailboxes": host.mailboxes,
        "connections": dict(host.connections),
        "state": view.state.value,
        "taken_over_at": host.taken_over_at.isoformat() if host.taken_over_at else None,
    }


async def engine_hosts(ctx: Context, args: argparse.Namespace) -> int:
    report = await HostsService(ctx.store).hosts()
    if args.json:
        ctx.print_json([host_json(view) for view in report.hosts])
        return EXIT_OK
    if not report.shared:
        running = "an engine is running" if report.engine_running else "no engine is running"
        ctx.print(f"{ctx.store.label}: an embedded store runs one engine at a time; {running}.")
        return EXIT_OK
    if not report.hosts:
        ctx.print("No engine host.")
        return EXIT_OK
    rows = [["ID", "MACHINE", "STARTED", "HEARTBEAT", "MAILBOXES", "CONNECTIONS", "STATE"]]
    for view in report.hosts:
        host = view.host
        connections = ", ".join(f"{name}: {count}" for name, count in host.connections.items()) or "-"
        state = view.state.value
        if host.taken_over_at is not None:
            state += f" (taken over {local_time(host.taken_over_at)})"
        rows.append(
            [
                host.owner,
                host.hostname,
                local_time(host.started_at),
                local_time(host.heartbeat_at),
                str(host.mailboxes),
                connections,
                state,
            ]
        )
    print_table(ctx, rows)
    ctx.print(f"{counted(report.running, 'running host')} of {len(report.hosts)}.")
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
    hosts = command(engine, "hosts", engine_hosts, "the engine hosts on this store and what each holds")
    hosts.add_argument("--json", action="store_true", help="print JSON")
