"""Fixtures every test can use: real servers on 127.0.0.1 (Dovecot, SMTP, PostgreSQL) with their test CA,
an in-memory keyring that keeps tests away from the real keychain, and the environment tests run in.

Server fixtures skip when the server is not installed, except on CI (``CI`` or
``DESKTOP_SYNC_REQUIRE_SERVERS`` set), where they fail: CI must really run those tests.
"""

import os
import sys
import tempfile
from pathlib import Path

# pytest runs with --import-mode=importlib, which leaves sys.path alone; the server harness is
# imported as the top-level package ``servers`` from this directory.
sys.path.insert(0, str(Path(__file__).resolve().parent))

# Qt reads this when the QApplication is created; there is no display in CI.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# qasync picks its Qt binding from this when PySide6 has not been imported yet.
os.environ.setdefault("QT_API", "pyside6")
# Whatever reaches for the OS keychain outside the memory_keyring fixture (a subprocess, import-time
# code) gets keyring's "fail" backend, which raises, instead of the developer's real keychain.
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"

# The application's data, log and config directories (platformdirs reads XDG_*): a throwaway place,
# so no test writes into the developer's own ~/.local or ~/.config.
os.environ["DESKTOP_SYNC_TEST_HOME"] = tempfile.mkdtemp(prefix="desktop-sync-tests-home-")
os.environ["XDG_DATA_HOME"] = os.path.join(os.environ["DESKTOP_SYNC_TEST_HOME"], "data")
os.environ["XDG_STATE_HOME"] = os.path.join(os.environ["DESKTOP_SYNC_TEST_HOME"], "state")
os.environ["XDG_CONFIG_HOME"] = os.path.join(os.environ["DESKTOP_SYNC_TEST_HOME"], "config")
os.environ["XDG_CACHE_HOME"] = os.path.join(os.environ["DESKTOP_SYNC_TEST_HOME"], "cache")

import itertools
import shutil
from collections.abc import Callable, Iterator
from typing import NoReturn

import keyring
import keyring.backend
import keyring.errors
import pytest
from ews.fixtures import AccountFactory, account_factory, running_ews_server
from ews.server import EwsServer
from oauth.provider import OAuthProvider
from servers import ServerUnavailable
from servers.dovecot import DovecotServer, MailUser
from servers.postgres import PostgresServer
from servers.smtp import SmtpServer
from servers.tls import TlsFiles, make_temp_ca

# --- server availability


def servers_required() -> bool:
    return any(
        os.environ.get(name, "").strip().lower() not in ("", "0", "false", "no")
        for name in ("CI", "DESKTOP_SYNC_REQUIRE_SERVERS")
    )


def server_unavailable(reason: str) -> NoReturn:
    if servers_required():
        pytest.fail(f"{reason}. CI must run the server tests: scripts/run-tests installs it.", pytrace=False)
    pytest.skip(reason)


# --- TLS


@pytest.fixture(scope="session")
def tls_files() -> Iterator[TlsFiles]:
    """A test CA and a server certificate it signed for localhost and 127.0.0.1; every server uses it."""
    try:
        directory, files = make_temp_ca()
    except ServerUnavailable as exc:
        server_unavailable(str(exc))
    yield files
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="session")
def tls_ca(tls_files: TlsFiles) -> Path:
    """The CA certificate (PEM) to give a profile as its "CA file"."""
    return tls_files.ca_cert


# --- OAuth 2.0 / OpenID Connect provider


@pytest.fixture
def oauth_provider(tls_files: TlsFiles) -> Iterator[OAuthProvider]:
    """A fresh OAuth/OIDC provider over TLS (the test CA), with no clients and no users yet."""
    with OAuthProvider(tls_files) as provider:
        yield provider


@pytest.fixture(scope="session")
def oauth_provider_session(tls_files: TlsFiles) -> Iterator[OAuthProvider]:
    """The provider the session's mail servers trust for bearer tokens; give each test its own users."""
    with OAuthProvider(tls_files) as provider:
        yield provider


# --- Dovecot IMAP/POP3


@pytest.fixture(scope="session")
def dovecot(tls_files: TlsFiles, oauth_provider_session: OAuthProvider) -> Iterator[DovecotServer]:
    """Dovecot with users alice/alicepw and bob/bobpw; their mailboxes are shared by the whole session.

    Besides passwords it takes OAuth bearer tokens (XOAUTH2, OAUTHBEARER) of ``oauth_provider_session``."""
    try:
        server = DovecotServer(tls_files, introspection=oauth_provider_session.introspection_for("dovecot"))
    except ServerUnavailable as exc:
        server_unavailable(str(exc))
    with server:
        yield server


_mail_user_numbers = itertools.count(1)


@pytest.fixture
def mail_user(dovecot: DovecotServer) -> MailUser:
    """A new Dovecot account with empty mailboxes; it can also AUTH on the SMTP server."""
    name = f"user{next(_mail_user_numbers)}"
    return dovecot.add_user(name, f"{name}-pw")


# --- SMTP


@pytest.fixture(scope="session")
def smtp_server_session(
    tls_files: TlsFiles, dovecot: DovecotServer, oauth_provider_session: OAuthProvider
) -> Iterator[SmtpServer]:
    """The session's SMTP server; prefer ``smtp_server``, which also clears what earlier tests left.

    Like Dovecot it takes bearer tokens (XOAUTH2, OAUTHBEARER) of ``oauth_provider_session``."""
    introspection = oauth_provider_session.introspection_for("smtp")
    with SmtpServer(tls_files, users=dovecot.users, mailboxes=dovecot, introspection=introspection) as server:
        yield server


@pytest.fixture
def smtp_server(smtp_server_session: SmtpServer) -> Iterator[SmtpServer]:
    """The SMTP server with no recorded messages and no pending rejections; it delivers into Dovecot."""
    smtp_server_session.reset()
    yield smtp_server_session
    smtp_server_session.reset()


# --- PostgreSQL


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A throwaway PostgreSQL cluster for the session."""
    try:
        server = PostgresServer()
    except ServerUnavailable as exc:
        server_unavailable(str(exc))
    with server:
        yield server


_database_numbers = itertools.count(1)


@pytest.fixture
def pg_database_factory(postgres: PostgresServer) -> Iterator[Callable[[], str]]:
    """Call it to get the URL of a new empty database; all of them are dropped after the test."""
    created: list[str] = []

    def create() -> str:
        name = f"test_{next(_database_numbers)}"
        url = postgres.create_database(name)
        created.append(name)
        return url

    yield create
    for name in created:
        postgres.drop_database(name)


@pytest.fixture
def pg_url(pg_database_factory: Callable[[], str]) -> str:
    """``postgresql+psycopg://...`` of a fresh, empty database of its own."""
    return pg_database_factory()


# --- keyring


class MemoryKeyring(keyring.backend.KeyringBackend):
    """Secrets kept in a dict for the length of one test."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        try:
            del self.passwords[(service, username)]
        except KeyError:
            raise keyring.errors.PasswordDeleteError(f"no password for {username} in {service}") from None


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    """Every test gets an empty in-memory keyring; no test can reach the real keychain."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


# --- Exchange Web Services test server (tests/ews/README.md)


@pytest.fixture
def ews_server() -> Iterator[EwsServer]:
    """A fresh EWS server with alice, bob and svc (svc may impersonate); every response is checked
    against Microsoft's EWS schemas, and the test fails if one did not validate."""
    with running_ews_server() as server:
        yield server


@pytest.fixture
def ews_account(ews_server: EwsServer) -> Iterator[AccountFactory]:
    """make(address=ALICE, *, impersonate=None, auth_type=BASIC, version=Exchange 2016, retry_policy=FailFast(),
    max_connections=1, timeout=None): an exchangelib Account on ews_server, closed after the test."""
    with account_factory(ews_server) as make:
        yield make
