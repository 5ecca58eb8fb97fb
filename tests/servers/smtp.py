"""An SMTP submission server (aiosmtpd) on loopback that records what it receives.

It offers STARTTLS on ``port`` and implicit TLS on ``tls_port``, both with the test CA's certificate,
and AUTH PLAIN/LOGIN against a users dict; given an ``Introspection`` (an OAuth provider's), also
AUTH XOAUTH2 and OAUTHBEARER with the provider's bearer tokens, asked about as Dovecot asks (RFC
7662). Wired to a ``DovecotServer`` it delivers every message to the INBOX of each recipient whose
local part is a Dovecot user, so a test can send through SMTP and read back through IMAP or POP3.
``reject_next()`` makes it refuse the next messages with a 4xx/5xx.
"""

import asyncio
import base64
import contextlib
import email.policy
import enum
import json
import re
import threading
import urllib.parse
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.parser import BytesParser
from types import TracebackType
from typing import Any, Self

import requests
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from . import ServerStartError
from .dovecot import DovecotServer, Introspection
from .ports import LOOPBACK, free_ports
from .tls import TlsFiles


class Stage(enum.Enum):
    """The SMTP command whose reply a rejection replaces."""

    MAIL = "MAIL"
    RCPT = "RCPT"
    DATA = "DATA"


@dataclass(frozen=True, slots=True)
class ReceivedMessage:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    raw: bytes
    login: str | None  # the AUTH user name, None when the client did not authenticate
    tls: bool  # whether the session was encrypted (STARTTLS or implicit TLS)

    def parsed(self) -> EmailMessage:
        message = BytesParser(policy=email.policy.default).parsebytes(self.raw)
        assert isinstance(message, EmailMessage)
        return message


REPLY = re.compile(r"[45]\d\d [^\r\n]*")


@dataclass(frozen=True, slots=True)
class _Rejection:
    reply: str
    stage: Stage


class _Handler:
    """aiosmtpd hooks; they run on the controller's thread, so shared state is behind a lock."""

    def __init__(
        self,
        users: Mapping[str, str],
        mailboxes: DovecotServer | None,
        auth_required: bool,
        introspection: Introspection | None = None,
    ) -> None:
        self.users = users
        self.introspection = introspection
        self.mailboxes = mailboxes
        self.auth_required = auth_required
        self.lock = threading.Lock()
        self.messages: list[ReceivedMessage] = []
        self.rejections: deque[_Rejection] = deque()

    def authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        if isinstance(auth_data, LoginPassword):
            login = auth_data.login.decode("utf-8", "replace")
            if login in self.users and self.users[login] == auth_data.password.decode("utf-8", "replace"):
                return AuthResult(success=True, auth_data=auth_data)
        return AuthResult(success=False, handled=False)

    async def auth_XOAUTH2(self, server: SMTP, args: list[str]) -> AuthResult:
        return await self._bearer(server, args, "XOAUTH2")

    async def auth_OAUTHBEARER(self, server: SMTP, args: list[str]) -> AuthResult:
        return await self._bearer(server, args, "OAUTHBEARER")

    async def _bearer(self, server: SMTP, args: list[str], mechanism: str) -> AuthResult:
        if self.introspection is None:
            await server.push("504 5.5.4 Unrecognized authentication type")
            return AuthResult(success=False, handled=True)
        if len(args) > 1:
            try:
                response: bytes = base64.b64decode(args[1], validate=True)
            except ValueError:
                await server.push("501 5.5.2 Can't decode base64")
                return AuthResult(success=False, handled=True)
        else:
            answer = await server.challenge_auth("")
            if not isinstance(answer, bytes):
                return AuthResult(success=False)
            response = answer
        login, token = _bearer_fields(response, mechanism)
        introspection = self.introspection
        claims = await asyncio.get_running_loop().run_in_executor(None, _introspect, introspection, token)
        if login and claims.get("active") and login in (claims.get("username"), claims.get("email")):
            name = str(claims.get("username") or login)
            return AuthResult(success=True, auth_data=LoginPassword(name.encode(), b""))
        # As Google and Microsoft do: the reasons as a challenge, the refusal after the client's answer.
        reasons = json.dumps({"status": "401", "schemes": "bearer", "scope": "https://mail.google.com/"})
        await server.challenge_auth(reasons)
        return AuthResult(success=False, message="535 5.7.8 Username and Password not accepted")

    def _take_rejection(self, stage: Stage) -> str | None:
        with self.lock:
            for rejection in self.rejections:
                if rejection.stage is stage:
                    self.rejections.remove(rejection)
                    return rejection.reply
        return None

    async def handle_MAIL(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, mail_options: list[str]
    ) -> str:
        # Checked here rather than by aiosmtpd's auth_required, which would also refuse AUTH on the
        # implicit-TLS port (aiosmtpd only counts STARTTLS as encryption).
        if self.auth_required and not session.authenticated:
            return "530 5.7.0 Authentication required"
        rejection = self._take_rejection(Stage.MAIL)
        if rejection is not None:
            return rejection
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        rejection = self._take_rejection(Stage.RCPT)
        if rejection is not None:
            return rejection
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        rejection = self._take_rejection(Stage.DATA)
        if rejection is not None:
            return rejection
        raw = envelope.original_content or b""
        login = getattr(session.auth_data, "login", None)
        message = ReceivedMessage(
            mail_from=envelope.mail_from or "",
            rcpt_tos=tuple(envelope.rcpt_tos),
            raw=raw,
            login=login.decode("utf-8", "replace") if isinstance(login, bytes) else None,
            tls=server.transport is not None and server.transport.get_extra_info("ssl_object") is not None,
        )
        if self.mailboxes is not None:
            for recipient in message.rcpt_tos:
                local_part = recipient.rpartition("@")[0] or recipient
                if local_part in self.mailboxes.users:
                    self.mailboxes.deliver(local_part, raw)
        with self.lock:
            self.messages.append(message)
        return "250 OK: queued"


class SmtpServer:
    """STARTTLS on ``port``, implicit TLS on ``tls_port``, both on 127.0.0.1.

    ``users`` is read at each AUTH, so passing ``dovecot.users`` keeps SMTP and IMAP accounts in step.
    With ``auth_required`` (the default, as on a real submission port) MAIL needs AUTH first, and
    AUTH is offered only over TLS.
    """

    host = LOOPBACK

    def __init__(
        self,
        tls: TlsFiles,
        users: Mapping[str, str],
        mailboxes: DovecotServer | None = None,
        *,
        auth_required: bool = True,
        introspection: Introspection | None = None,
        without: tuple[str, ...] = (),
    ) -> None:
        """``without``: AUTH mechanisms not to offer (e.g. ("XOAUTH2",) for an OAUTHBEARER-only server)."""
        self.tls = tls
        self._handler = _Handler(users, mailboxes, auth_required, introspection)
        self.port, self.tls_port = free_ports(2)
        # server_hostname avoids aiosmtpd's socket.getfqdn(), which may ask DNS.
        common: dict[str, Any] = {
            "hostname": self.host,
            "server_hostname": "localhost",
            "authenticator": self._handler.authenticate,
            "auth_exclude_mechanism": list(without),
        }
        self._starttls = Controller(
            self._handler,
            port=self.port,
            tls_context=tls.server_context(),
            require_starttls=False,
            auth_require_tls=True,
            **common,
        )
        # On this port the whole connection is TLS, which aiosmtpd's auth_require_tls does not see.
        self._implicit_tls = Controller(
            self._handler,
            port=self.tls_port,
            ssl_context=tls.server_context(),
            auth_require_tls=False,
            **common,
        )
        self._running: list[Controller] = []

    @property
    def messages(self) -> list[ReceivedMessage]:
        """What was accepted so far, oldest first (a copy)."""
        with self._handler.lock:
            return list(self._handler.messages)

    def reject_next(
        self,
        reply: str = "550 5.7.1 Message refused by test server",
        *,
        count: int = 1,
        at: Stage = Stage.DATA,
    ) -> None:
        """Answer the next ``count`` ``at`` commands with ``reply``, e.g. "451 4.3.0 Try again later".

        Rejections queue up in order; each one is used once, by the first matching command.
        """
        if not REPLY.fullmatch(reply):
            raise ValueError(f"an SMTP rejection is '4xx text' or '5xx text', not {reply!r}")
        with self._handler.lock:
            self._handler.rejections.extend(_Rejection(reply, at) for _ in range(count))

    def reset(self) -> None:
        """Forget received messages and pending rejections."""
        with self._handler.lock:
            self._handler.messages.clear()
            self._handler.rejections.clear()

    def start(self) -> Self:
        try:
            for controller in (self._starttls, self._implicit_tls):
                try:
                    controller.start()
                except Exception as exc:
                    discard_failed(controller)
                    raise ServerStartError(
                        f"SMTP server on {self.host}:{controller.port} did not start: {exc!r}"
                    ) from exc
                self._running.append(controller)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        while self._running:
            self._running.pop().stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def _bearer_fields(response: bytes, mechanism: str) -> tuple[str, str]:
    """The account and the bearer token of an XOAUTH2 or OAUTHBEARER initial response; "" when absent."""
    text = response.decode("utf-8", "replace")
    fields = text.split("\x01")
    login = ""
    if mechanism == "OAUTHBEARER":
        header = fields[0].split(",")
        login = next((part[2:] for part in header if part.startswith("a=")), "")
        login = login.replace("=2C", ",").replace("=3D", "=")
    values = dict(field.partition("=")[::2] for field in fields[1 if mechanism == "OAUTHBEARER" else 0 :] if field)
    if mechanism == "XOAUTH2":
        login = values.get("user", "")
    auth = values.get("auth", "")
    token = auth[len("Bearer ") :] if auth.startswith("Bearer ") else ""
    return login, token


def _introspect(introspection: Introspection, token: str) -> dict[str, Any]:
    """What the provider says of ``token`` (its introspection endpoint, as a resource server)."""
    if not token:
        return {}
    parts = urllib.parse.urlsplit(introspection.url)
    url = urllib.parse.urlunsplit((parts.scheme, f"{parts.hostname}:{parts.port}", parts.path, "", ""))
    answer = requests.post(
        url,
        data={"token": token},
        auth=(urllib.parse.unquote(parts.username or ""), urllib.parse.unquote(parts.password or "")),
        verify=str(introspection.ca_file),
        timeout=10,
    )
    if answer.status_code != 200:
        return {}
    claims = answer.json()
    return claims if isinstance(claims, dict) else {}


def discard_failed(controller: Controller) -> None:
    """Stop the thread and close the event loop that aiosmtpd leaves behind after a failed start."""
    with contextlib.suppress(Exception):
        controller.stop(no_assert=True)
    if not controller.loop.is_running() and not controller.loop.is_closed():
        controller.loop.close()
