"""A throwaway PostgreSQL cluster on a free loopback port, and fresh empty databases inside it.

``initdb`` refuses to run as root, so as root (as in CI) every server command runs as the
``postgres`` system user through ``runuser``. TCP connections need the password, like a real server.
"""

import os
import pwd
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from types import TracebackType
from typing import Self

import psycopg
from psycopg import sql

from . import ServerStartError, ServerUnavailable
from .ports import LOOPBACK, free_port

# Speed over durability: the cluster lives for one test session.
SERVER_OPTIONS = (
    "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 -c log_min_messages=warning"
)
DATABASE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def fast_temp_parent() -> str | None:
    """/dev/shm when it has room: CREATE DATABASE there takes about 10 ms instead of 250 ms on disk."""
    shm = "/dev/shm"
    try:
        stats = os.statvfs(shm)
    except OSError:
        return None
    if not os.access(shm, os.W_OK | os.X_OK) or stats.f_bavail * stats.f_frsize < 1 << 30:
        return None
    return shm


def find_bindir() -> Path:
    """The newest ``/usr/lib/postgresql/<version>/bin`` (Debian's layout), or ``$PG_BINDIR``."""
    if "PG_BINDIR" in os.environ:
        bindir = Path(os.environ["PG_BINDIR"])
        if not (bindir / "initdb").exists():
            raise ServerUnavailable(f"PG_BINDIR={bindir} has no initdb")
        return bindir
    candidates = [path for path in Path("/usr/lib/postgresql").glob("*/bin") if (path / "initdb").exists()]
    if not candidates:
        raise ServerUnavailable("PostgreSQL server binaries are not installed (Debian package: postgresql)")
    return max(candidates, key=lambda path: int(path.parent.name) if path.parent.name.isdigit() else 0)


class PostgresServer:
    """One cluster for a test session; ``create_database()`` gives each test its own database."""

    host = LOOPBACK
    user = "crm"
    password = "crm-test-password"

    def __init__(self) -> None:
        self.bindir = find_bindir()
        self.port = free_port()
        self.root: Path | None = None
        self._run_as: list[str] = []
        self._cluster_created = False
        if os.getuid() == 0:
            try:
                self._postgres_account = pwd.getpwnam("postgres")
            except KeyError as exc:
                raise ServerUnavailable("the 'postgres' system user is missing; reinstall postgresql") from exc
            self._run_as = ["runuser", "-u", "postgres", "--"]

    # --- lifecycle

    def start(self) -> Self:
        if self._cluster_created:
            raise RuntimeError("PostgreSQL is already running")
        self.root = Path(tempfile.mkdtemp(prefix="desktop-sync-postgres-", dir=fast_temp_parent()))
        try:
            password_file = self.root / "password"
            password_file.write_text(self.password + "\n")
            if self._run_as:
                account = self._postgres_account
                for path in (self.root, password_file):
                    os.chown(path, account.pw_uid, account.pw_gid)
            self._run(
                "initdb",
                "--pgdata",
                str(self.root / "data"),
                "--username",
                self.user,
                "--pwfile",
                str(password_file),
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
            )
            password_file.unlink()
            self._cluster_created = True
            self._run(
                "pg_ctl",
                "--pgdata",
                str(self.root / "data"),
                "--log",
                str(self.root / "postgres.log"),
                "--wait",
                "--timeout=30",
                "start",
                "-o",
                f"-c listen_addresses={self.host} -p {self.port} -k {self.root} {SERVER_OPTIONS}",
            )
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        if self.root is None:
            return
        try:
            if self._cluster_created:
                self._cluster_created = False
                # A failed or timed-out start may still have left a postmaster behind: always stop.
                subprocess.run(
                    [
                        *self._run_as,
                        str(self.bindir / "pg_ctl"),
                        "--pgdata",
                        str(self.root / "data"),
                        "--mode=immediate",
                        "--wait",
                        "stop",
                    ],
                    capture_output=True,
                )
        finally:
            if not os.environ.get("KEEP_TEST_SERVER_DIRS"):
                shutil.rmtree(self.root, ignore_errors=True)
            self.root = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def log(self) -> str:
        path = self.root / "postgres.log" if self.root is not None else None
        return path.read_text(errors="replace") if path is not None and path.exists() else ""

    # --- databases

    def url(self, database: str = "postgres", driver: str = "psycopg") -> str:
        """An SQLAlchemy URL, e.g. ``postgresql+psycopg://crm:...@127.0.0.1:PORT/postgres``."""
        return f"postgresql+{driver}://{self.user}:{self.password}@{self.host}:{self.port}/{database}"

    def create_database(self, name: str, driver: str = "psycopg") -> str:
        """Create an empty database and return its SQLAlchemy URL."""
        if not DATABASE_NAME.fullmatch(name):
            raise ValueError(f"use a plain lower-case database name, not {name!r}")
        # FILE_COPY copies the template's files; with fsync off that is faster than PG 15's default WAL_LOG.
        self._execute(sql.SQL("CREATE DATABASE {} STRATEGY = FILE_COPY").format(sql.Identifier(name)))
        return self.url(name, driver)

    def drop_database(self, name: str) -> None:
        """Drop a database, closing any connections a test left open."""
        self._execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    # --- internals

    def _execute(self, statement: sql.Composed) -> None:
        with psycopg.connect(
            host=self.host,
            port=self.port,
            user=self.user,
            password=self.password,
            dbname="postgres",
            autocommit=True,
            connect_timeout=10,
        ) as connection:
            connection.execute(statement)

    def _run(self, program: str, *args: str) -> None:
        result = subprocess.run([*self._run_as, str(self.bindir / program), *args], capture_output=True, text=True)
        if result.returncode != 0:
            raise ServerStartError(
                f"{program} failed with status {result.returncode}:\n{result.stdout}{result.stderr}\n{self.log()}"
            )
