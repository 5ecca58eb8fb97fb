"""An SMTP submission server (aiosmtpd) on loopback that records what it receives.

It offers STARTTLS on ``port`` and implicit TLS on ``tls_port``, both with the test CA's certificate,
and AUTH PLAIN/LOGIN against a users dict. Wired to a ``DovecotServer`` it delivers every message to
the INBOX of each recipient whose local part is a Dovecot user, so a test can send through SMTP and
read back through IMAP or POP3. ``reject_next()`` makes it refuse the next messages with a 4xx/5xx.
"""

import contextlib
import email.policy
import enum
import re
import threading
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.parser import BytesParser
from types import TracebackType
from typing import Any, Self

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from . import ServerStartError
from .dovecot import DovecotServer
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

    def __init__(self, users: Mapping[str, str], mailboxes: DovecotServer | None, auth_required: bool) -> None:
        self.users = users
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
    ) -> None:
        self.tls = tls
        self._handler = _Handler(users, mailboxes, auth_required)
        self.port, self.tls_port = free_ports(2)
        # server_hostname avoids aiosmtpd's socket.getfqdn(), which may ask DNS.
        common: dict[str, Any] = {
            "hostname": self.host,
            "server_hostname": "localhost",
            "authenticator": self._handler.authenticate,
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


def discard_failed(controller: Controller) -> None:
    """Stop the thread and close the event loop that aiosmtpd leaves behind after a failed start."""
    with contextlib.suppress(Exception):
        controller.stop(no_assert=True)
    if not controller.loop.is_running() and not controller.loop.is_closed():
        controller.loop.close()
