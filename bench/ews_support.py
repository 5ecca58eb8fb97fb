"""What the EWS benchmarks share: the EWS test server in a process of its own, and the admin CLI.

The server runs in a child process so that its memory and its threads (it is Python too) do not
count against, or compete with, the process being measured. The parent drives it through a pipe:
``server.call("deliver", address, raw)``, ``server.call("stats")`` and so on.
"""

from __future__ import annotations

import contextlib
import io
import multiprocessing
import multiprocessing.connection
import resource
import socket
import sys
from pathlib import Path
from typing import Any

import keyring
import keyring.backend

TESTS = Path(__file__).resolve().parent.parent / "tests"


class MemoryKeyring(keyring.backend.KeyringBackend):
    """Passwords in a dict, for this process only."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.passwords.pop((service, username), None)


def _serve(connection: multiprocessing.connection.Connection, options: dict[str, Any]) -> None:
    sys.path.insert(0, str(TESTS))
    from ews import handler as handler_module
    from ews.server import EwsServer, Validation

    # The test server writes a response's headers and body in two sends; without TCP_NODELAY the body
    # waits for the client's delayed ACK (40 ms) on a kept-alive connection, which a real server does
    # not make its clients do. The benchmarks measure the client, so the server's sockets get it.
    accept = handler_module.HttpServer.get_request

    def get_request(self: Any) -> tuple[Any, Any]:
        sock, address = accept(self)
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock, address

    handler_module.HttpServer.get_request = get_request  # type: ignore[method-assign]
    server = EwsServer(validation=Validation.OFF, heartbeat_seconds=options.get("heartbeat", 5.0))
    with server:
        for address, password, impersonation in options["mailboxes"]:
            server.add_mailbox(address, password, display_name=address, impersonation_right=impersonation)
        connection.send(server.url)
        while True:
            command, args, kwargs = connection.recv()
            if command == "stop":
                connection.send(None)
                return
            try:
                if command == "stats":
                    result: Any = {
                        "requests": dict(server.stats.requests),
                        "by_mailbox": dict(server.stats.by_mailbox),
                        "connections_peak": server.stats.connections_peak,
                        "connections_total": server.stats.connections_total,
                    }
                elif command == "reset":
                    result = server.stats.reset()
                elif command == "rss":
                    result = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
                else:
                    result = getattr(server, command)(*args, **kwargs)
                    if command in ("seed_messages", "deliver_many"):
                        result = len(result)
                connection.send(("ok", result))
            except Exception as exc:  # reported to the parent, which raises it
                connection.send(("error", repr(exc)))


class ServerProcess:
    """The EWS test server (no schema validation: that is the tests' business) in a child process."""

    def __init__(self, mailboxes: list[tuple[str, str, bool]], **options: Any) -> None:
        context = multiprocessing.get_context("spawn")
        self._connection, child = context.Pipe()
        self._process = context.Process(
            target=_serve, args=(child, {"mailboxes": mailboxes, **options}), name="ews-test-server", daemon=True
        )

    def __enter__(self) -> ServerProcess:
        self._process.start()
        self.url: str = self._connection.recv()
        return self

    def call(self, command: str, *args: Any, **kwargs: Any) -> Any:
        self._connection.send((command, args, kwargs))
        status, result = self._connection.recv()
        if status != "ok":
            raise RuntimeError(f"EWS test server: {command}: {result}")
        return result

    def __exit__(self, *exc: object) -> None:
        with contextlib.suppress(Exception):
            self._connection.send(("stop", (), {}))
            self._connection.recv()
        self._process.join(10)
        if self._process.is_alive():
            self._process.kill()


_INITIALISED: set[str] = set()


def admin(db: str, *argv: str, stdin: str = "", allowed: tuple[int, ...] = (0,)) -> str:
    """``desktop-sync --db DB ARGV...`` in this process; exits with the error unless its status is allowed."""
    from desktop_sync import cli

    out, err = io.StringIO(), io.StringIO()
    if db not in _INITIALISED:  # a store named by --db is created by init only
        _INITIALISED.add(db)
        said = io.StringIO()
        if cli.main(["--db", db, "init"], out=said, err=said) != 0:
            raise SystemExit(f"desktop-sync --db {db} init failed: {said.getvalue()}")
    code = cli.main(["--db", db, *argv], out=out, err=err, stdin=io.StringIO(stdin))
    if code not in allowed:
        raise SystemExit(f"desktop-sync {' '.join(argv)} failed ({code}): {err.getvalue()}")
    return out.getvalue()


def exchange_profile(db: str, url: str, *extra: str, stdin: str = "") -> None:
    admin(
        db,
        "profile",
        "add",
        "Exchange",
        "--kind",
        "exchange",
        "--ews-url",
        url,
        "--auth",
        "basic",
        "--allow-insecure",
        *extra,
        stdin=stdin,
    )


def enable(db: str, address: str) -> None:
    """Approve and Test & Enable (every channel of an Exchange mailbox passes on the test server)."""
    admin(db, "mailbox", "approve", address)
    admin(db, "mailbox", "test-enable", address)


def reset_peak_rss() -> None:
    """Reset the kernel's resident high-water mark (Linux); harmless where it cannot be done."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def rss_mb(field: str = "VmRSS") -> float:
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def peak_rss_mb() -> float:
    return rss_mb("VmHWM")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]
