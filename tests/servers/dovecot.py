"""A private Dovecot (IMAP, IMAPS, POP3, POP3S) on free loopback ports, with its own config and maildirs.

Works as root (as in CI) and as an ordinary user. Mail is stored in Maildir under a temporary
directory; ``deliver()`` drops a message into a user's INBOX the way a local delivery agent would.
"""

import contextlib
import grp
import itertools
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Self

from . import ServerStartError, ServerUnavailable
from .ports import LOOPBACK, free_ports
from .tls import TlsFiles

DEFAULT_USERS = {"alice": "alicepw", "bob": "bobpw"}
# Dovecot logs in by bare user name; the SMTP server delivers by local part whatever the domain.
MAIL_DOMAIN = "example.test"
USER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]*")
PROTOCOL_PORTS = ("imap", "imaps", "pop3", "pop3s")
_delivery_numbers = itertools.count(1)

CONFIG = """\
# Standalone Dovecot 2.3 config for tests: nothing from /etc/dovecot is read.
protocols = imap pop3
listen = {host}
base_dir = {root}/run
state_dir = {root}/state
instance_name = desktop-sync-test-{root_name}
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
# Uncomment when a test needs to know why Dovecot said no:
#auth_debug = yes
#mail_debug = yes
#verbose_ssl = yes

default_internal_user = {service_user}
default_internal_group = {service_group}
default_login_user = {service_user}
first_valid_uid = 0

disable_plaintext_auth = no
auth_mechanisms = plain login{oauth2_mechanisms}
# The default 2 s pause after a bad password would make every such test slow. (Dovecot still
# answers a failure only at its next 0.5 s tick.)
auth_failure_delay = 0
# One passwd-file per user: Dovecot re-reads a changed file at most once a second, but a new file
# is read at once, so add_user() works right before a login.
passdb {{
  driver = passwd-file
  mechanisms = plain login
  args = scheme=PLAIN username_format=%u {root}/passwd/%u
}}
{oauth2_passdb}userdb {{
  driver = static
  args = uid={mail_uid} gid={mail_gid} home={root}/home/%u
}}
mail_location = maildir:~/Maildir
# Test mail need not survive a power cut.
mail_fsync = never
namespace inbox {{
  inbox = yes
  separator = /
  mailbox Drafts {{
    special_use = \\Drafts
    auto = create
  }}
  mailbox Sent {{
    special_use = \\Sent
    auto = create
  }}
}}
pop3_uidl_format = %08Xu%08Xv

ssl = yes
ssl_cert = <{cert}
ssl_key = <{key}
ssl_min_protocol = TLSv1.2

# chroot needs root; without it the same config also runs unprivileged.
service anvil {{
  chroot =
  # Dovecot 2.3 has no setting for its auth penalty (up to 15 s of delay for the next login from an
  # address that failed once). Its auth process turns the penalty off when it cannot open this socket.
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = {host}
    port = {imap}
  }}
  inet_listener imaps {{
    address = {host}
    port = {imaps}
    ssl = yes
  }}
}}
service pop3-login {{
  chroot =
  inet_listener pop3 {{
    address = {host}
    port = {pop3}
  }}
  inet_listener pop3s {{
    address = {host}
    port = {pop3s}
    ssl = yes
  }}
}}
# No process reports to the stats service: a login process still handshaking with it when Dovecot
# stops makes stopping take 5 s longer.
stats_writer_socket_path =
"""


# Dovecot's oauth2 passdb: a token is good when the provider's introspection says it is active, and
# the user it names is the one logging in (RFC 7662, POSTed with the resource server's credentials).
OAUTH2_PASSDB = """\
passdb {{
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = {root}/dovecot-oauth2.conf.ext
}}
"""
OAUTH2_CONFIG = """\
introspection_mode = post
introspection_url = {url}
force_introspection = yes
username_attribute = username
active_attribute = active
active_value = true
tls_ca_cert_file = {ca}
"""


@dataclass(frozen=True, slots=True)
class Introspection:
    """Where Dovecot asks whether a bearer token is good: the provider's introspection endpoint,
    with Dovecot's own client credentials (a URL of the form https://id:secret@host:port/path)."""

    url: str
    ca_file: Path


@dataclass(frozen=True, slots=True)
class MailUser:
    name: str
    password: str

    @property
    def address(self) -> str:
        return f"{self.name}@{MAIL_DOMAIN}"


def find_dovecot() -> str:
    # /usr/sbin is not on an ordinary user's PATH on Debian.
    found = shutil.which("dovecot") or shutil.which("dovecot", path="/usr/sbin:/usr/local/sbin")
    if found is None:
        raise ServerUnavailable("dovecot is not installed (Debian packages: dovecot-imapd dovecot-pop3d)")
    return found


class DovecotServer:
    """Dovecot on 127.0.0.1; ``ports`` maps "imap", "imaps", "pop3", "pop3s" to port numbers.

    "imap" and "pop3" are plain ports that offer STARTTLS/STLS; "imaps" and "pop3s" are implicit TLS.
    Every user's password is stored in ``users``; add more with ``add_user``. Given ``introspection``,
    users also sign in with a bearer token (SASL XOAUTH2 and OAUTHBEARER) that the provider vouches for.
    """

    host = LOOPBACK

    def __init__(
        self, tls: TlsFiles, users: Mapping[str, str] = DEFAULT_USERS, introspection: Introspection | None = None
    ) -> None:
        self.binary = find_dovecot()
        self.tls = tls
        self.introspection = introspection
        self.users: dict[str, str] = {}
        self._initial_users = dict(users)
        self.ports = dict(zip(PROTOCOL_PORTS, free_ports(len(PROTOCOL_PORTS)), strict=True))
        self.root: Path | None = None
        self._process: subprocess.Popen[bytes] | None = None
        if os.getuid() == 0:
            # Dovecot refuses to run mail processes as root: the maildirs belong to the dovecot user,
            # and its auth and login processes run as that user too.
            try:
                account = pwd.getpwnam("dovecot")
            except KeyError as exc:
                raise ServerUnavailable("the 'dovecot' system user is missing; reinstall dovecot-core") from exc
            self.service_user = account.pw_name
            self.service_group = grp.getgrgid(account.pw_gid).gr_name
            self.mail_uid, self.mail_gid = account.pw_uid, account.pw_gid
        else:
            self.service_user = pwd.getpwuid(os.getuid()).pw_name
            self.service_group = grp.getgrgid(os.getgid()).gr_name
            self.mail_uid, self.mail_gid = os.getuid(), os.getgid()

    # --- lifecycle

    def start(self, timeout: float = 15.0) -> Self:
        if self._process is not None:
            raise RuntimeError("Dovecot is already running")
        # Not pytest's tmp_path: as root that lives under a 0700 directory which Dovecot's unprivileged
        # processes cannot traverse.
        self.root = Path(tempfile.mkdtemp(prefix="desktop-sync-dovecot-"))
        self.root.chmod(0o755)
        try:
            self._write_config()
            self.users.clear()  # the same dict object: an SmtpServer may be reading it
            for name, password in self._initial_users.items():
                self.add_user(name, password)
            log = (self.root / "dovecot.stderr").open("wb")
            with log:
                self._process = subprocess.Popen(
                    [self.binary, "-F", "-c", str(self.root / "dovecot.conf")],
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            self._wait_until_ready(time.monotonic() + timeout)
        except BaseException:
            # __exit__ does not run when __enter__ raises, so never leave a half-started server behind.
            self.stop()
            raise
        return self

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            # The mail is thrown away, so there is nothing to stop gracefully: a SIGTERM takes at least
            # a second, and up to six when a login process is still handshaking. Dovecot runs in its
            # own process group (see start), so this reaches every one of its processes.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        if self.root is not None and not os.environ.get("KEEP_TEST_SERVER_DIRS"):
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def log(self) -> str:
        """Dovecot's own log plus anything it printed before the log was open."""
        if self.root is None:
            return ""
        parts = []
        for name in ("dovecot.stderr", "dovecot.log"):
            path = self.root / name
            if path.exists():
                parts.append(path.read_text(errors="replace"))
        return "".join(parts)

    # --- users and mail

    def add_user(self, name: str, password: str) -> MailUser:
        """Create a mail account; Dovecot sees it at the next login, no restart needed."""
        # The name is also a file name (passwd/<name>, home/<name>); passwd-file lines are colon-separated.
        if not USER_NAME.fullmatch(name) or any(char in password for char in ":\r\n"):
            raise ValueError(f"unusable test account name or password for {name!r}")
        if name in self.users:
            raise ValueError(f"Dovecot user {name} exists already")
        self._write_passwd_file(name, password)
        self.users[name] = password
        self._create_maildir(name)
        return MailUser(name, password)

    def deliver(self, user: str, raw: bytes) -> Path:
        """Put one message into ``user``'s INBOX (Maildir tmp/ then new/), like a delivery agent.

        Dovecot notices it at the next SELECT, NOOP, IDLE poll or POP3 login.
        """
        if user not in self.users:
            raise KeyError(f"no such Dovecot user: {user}")
        maildir = self._create_maildir(user)
        unique = f"{time.time_ns()}.P{os.getpid()}Q{next(_delivery_numbers)}.desktop-sync-test"
        temporary = maildir / "tmp" / unique
        temporary.write_bytes(raw)
        self._give_to_mail_user(temporary)
        final = maildir / "new" / unique
        temporary.rename(final)
        return final

    # --- internals

    def _write_config(self) -> None:
        assert self.root is not None
        for directory in ("run", "state", "home", "passwd"):
            (self.root / directory).mkdir()
        config = CONFIG.format(
            host=self.host,
            root=self.root,
            root_name=self.root.name,
            service_user=self.service_user,
            service_group=self.service_group,
            mail_uid=self.mail_uid,
            mail_gid=self.mail_gid,
            cert=self.tls.cert,
            key=self.tls.key,
            oauth2_mechanisms=" xoauth2 oauthbearer" if self.introspection else "",
            oauth2_passdb=OAUTH2_PASSDB.format(root=self.root) if self.introspection else "",
            **self.ports,
        )
        (self.root / "dovecot.conf").write_text(config)
        if self.introspection is not None:
            oauth2 = OAUTH2_CONFIG.format(url=self.introspection.url, ca=self.introspection.ca_file)
            (self.root / "dovecot-oauth2.conf.ext").write_text(oauth2)

    def _write_passwd_file(self, name: str, password: str) -> None:
        assert self.root is not None, "start() the server before adding users"
        # Written aside and renamed in, so Dovecot never reads half a file.
        staged = self.root / f"{name}.passwd.new"
        staged.write_text(f"{name}:{{PLAIN}}{password}::::::\n")
        staged.chmod(0o644)
        staged.replace(self.root / "passwd" / name)

    def _create_maildir(self, user: str) -> Path:
        assert self.root is not None, "start() the server first"
        home = self.root / "home" / user
        maildir = home / "Maildir"
        for directory in (home, maildir, maildir / "tmp", maildir / "new", maildir / "cur"):
            if not directory.exists():
                directory.mkdir(mode=0o700)
                self._give_to_mail_user(directory)
        return maildir

    def _give_to_mail_user(self, path: Path) -> None:
        if os.getuid() == 0:
            os.chown(path, self.mail_uid, self.mail_gid)

    def _wait_until_ready(self, deadline: float) -> None:
        """Wait until both login services greet; raise with the log if Dovecot dies or stays silent."""
        assert self._process is not None
        pending = {"imap": b"* OK", "pop3": b"+OK"}
        while pending and time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise ServerStartError(f"dovecot exited with status {self._process.returncode}:\n{self.log()}")
            for protocol, greeting in list(pending.items()):
                if read_greeting(self.ports[protocol]).startswith(greeting):
                    del pending[protocol]
            if pending:
                time.sleep(0.02)
        if pending:
            raise ServerStartError(f"dovecot did not greet on {', '.join(pending)} in time:\n{self.log()}")


def read_greeting(port: int) -> bytes:
    try:
        with socket.create_connection((LOOPBACK, port), timeout=1) as sock:
            return sock.recv(200)
    except OSError:
        return b""
