"""SMTP sending with aiosmtplib: implicit TLS or STARTTLS (verified), AUTH, and a copy in the IMAP Sent folder.

A send either is accepted, is rejected for good (5xx, with the server's words), or raises: a
TransientError when nothing reached the server's queue (4xx, unreachable, time-out), or one with code
``delivery_unknown`` when the connection failed after the message content went out, so the engine
checks Sent before it ever sends again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from dataclasses import dataclass

import aiosmtplib

from desktop_sync.connectors import bearer
from desktop_sync.connectors.bearer import signed_in
from desktop_sync.connectors.errors import ErrorCode, credentials_scope, error, translate
from desktop_sync.connectors.imap import SentFolder
from desktop_sync.connectors.transport import Address, ServerSettings, StepRecorder, connect_error, resolve, tls_detail
from desktop_sync.connectors.workers import Kind
from desktop_sync.domain.errors import DesktopSyncError
from desktop_sync.domain.model import Profile, Security
from desktop_sync.domain.ports.connectors import (
    ConnectionTest,
    ConnectionTestStep,
    Credentials,
    OutgoingMessage,
    SendOutcome,
    SendResult,
    step_text,
)
from desktop_sync.domain.signin import AccessToken

log = logging.getLogger("desktop_sync.connectors.smtp")

_MASK = "********"


def _outgoing_settings(profile: Profile, credentials: Credentials) -> ServerSettings:
    if profile.outgoing is None:
        raise error(ErrorCode.NOT_SUPPORTED, f"the profile {profile.name} has no outgoing (SMTP) server")
    return ServerSettings.of(profile, credentials, profile.outgoing)


class SmtpOutgoing:
    """Sending through one mailbox's SMTP server; the connection is kept and reused between sends.

    ``sent_folder`` (IMAP profiles) receives a copy of each sent mail and answers "was this
    Message-ID sent?"; without it ``copy_to_sent`` is False and ``find_sent`` None.
    ``sender_address`` is the envelope sender a connection test offers (MAIL FROM).
    """

    def __init__(
        self,
        profile: Profile,
        credentials: Credentials,
        *,
        sent_folder: SentFolder | None = None,
        sender_address: str | None = None,
        local_hostname: str | None = None,
    ) -> None:
        self._profile = profile
        self._credentials = credentials
        self._sent_folder = sent_folder
        self._sender_address = sender_address or credentials.login
        # Our own name for EHLO; aiosmtplib would otherwise ask DNS for the host's FQDN.
        self._local_hostname = local_hostname or socket.gethostname() or "localhost"
        self._settings_cache: ServerSettings | None = None
        self._line: _Line | None = None
        self._lock = asyncio.Lock()

    def _settings(self) -> ServerSettings:
        if self._settings_cache is None:
            self._settings_cache = _outgoing_settings(self._profile, self._credentials)
        return self._settings_cache

    # --- connection

    async def _connect(self, steps: StepRecorder) -> _Line:
        """A connected, secured and authenticated client; each step recorded in ``steps``."""
        settings = self._settings()
        endpoint = settings.endpoint
        steps.begin(ConnectionTestStep.RESOLVE)
        addresses = await resolve(endpoint, settings.timeout, Kind.SMTP)
        steps.ok(step_text("resolved", host=endpoint.host, addresses=", ".join(sorted({a.host for a in addresses}))))
        return await signed_in(
            settings.bearer, steps, lambda token: self._connect_with(settings, addresses, steps, token)
        )

    async def _connect_with(
        self, settings: ServerSettings, addresses: list[Address], steps: StepRecorder, token: AccessToken | None
    ) -> _Line:
        endpoint = settings.endpoint
        steps.begin(ConnectionTestStep.CONNECT)
        sock = await _open_socket(addresses, settings.timeout, endpoint.host)
        implicit = endpoint.security is Security.TLS
        client = aiosmtplib.SMTP(
            hostname=endpoint.host,
            sock=sock,
            use_tls=implicit,
            start_tls=False,
            tls_context=settings.context if implicit else None,
            timeout=settings.timeout,
            local_hostname=self._local_hostname,
        )
        line = _Line(client, sock)
        try:
            if implicit:
                steps.ok(step_text("connected", address=sock.getpeername()[0], port=endpoint.port))
                steps.begin(ConnectionTestStep.TLS)
            greeting = await client.connect()
            steps.exchange("", f"{greeting.code} {greeting.message}")
            if implicit:
                steps.ok(tls_detail(client.get_transport_info("ssl_object")))
            else:
                steps.ok(
                    step_text(
                        "connected_greeting",
                        address=sock.getpeername()[0],
                        port=endpoint.port,
                        greeting=f"{greeting.code} {greeting.message}",
                    )
                )
                steps.begin(ConnectionTestStep.TLS)
                if endpoint.security is Security.STARTTLS:
                    steps.exchange(f"EHLO {self._local_hostname}")
                    await client.ehlo()
                    if not client.supports_extension("starttls"):
                        raise error(
                            ErrorCode.TLS_UNAVAILABLE, step_text("no_starttls", host=endpoint.host, port=endpoint.port)
                        )
                    steps.exchange("STARTTLS")
                    response = await client.starttls(tls_context=settings.context)
                    steps.answer(f"{response.code} {response.message}")
                    steps.ok(tls_detail(client.get_transport_info("ssl_object")))
                else:
                    steps.ok(step_text("clear_text"))
            steps.begin(ConnectionTestStep.AUTHENTICATE)
            if token is not None:
                await _sign_in_with_token(client, settings, token, steps)
            elif settings.secret is None:
                steps.ok(step_text("no_password_send"))
            else:
                await client.ehlo()
                if not client.supports_extension("auth"):
                    raise error(
                        ErrorCode.AUTH_FAILED,
                        step_text("no_auth_offered", host=endpoint.host),
                        scope=settings.auth_scope,
                    )
                steps.exchange(f"AUTH {settings.login} {_MASK}")
                response = await client.login(settings.login, settings.secret)
                steps.answer(f"{response.code} {response.message}")
                steps.ok(step_text("logged_in", login=settings.login))
        except Exception as exc:
            await line.dispose(graceful=False)
            raise translate(exc, auth_scope=settings.auth_scope) from exc
        except BaseException:
            line.abort()
            raise
        return line

    async def _ready_client(self) -> aiosmtplib.SMTP:
        """The kept connection if the server still answers NOOP, else a new one."""
        line = self._line
        if line is not None and line.client.is_connected:
            try:
                await line.client.noop()
                return line.client
            except (aiosmtplib.SMTPException, OSError):
                log.info("SMTP connection was gone; reconnecting")
        await self._drop()
        self._line = await self._connect(StepRecorder())
        return self._line.client

    async def _drop(self) -> None:
        line, self._line = self._line, None
        if line is not None:
            await line.dispose(graceful=False)

    # --- OutgoingMail

    async def send(self, message: OutgoingMessage) -> SendResult:
        async with self._lock:
            client = await self._ready_client()
            try:
                return await self._transaction(client, message)
            except DesktopSyncError:
                raise
            except BaseException:
                line, self._line = self._line, None
                if line is not None:
                    line.abort()
                raise

    async def _transaction(self, client: aiosmtplib.SMTP, message: OutgoingMessage) -> SendResult:
        auth_scope = self._settings().auth_scope
        options = []
        if client.supports_extension("size"):
            options.append(f"SIZE={len(message.raw)}")
        if not message.raw.isascii() and client.supports_extension("8bitmime"):
            options.append("BODY=8BITMIME")
        try:
            await client.mail(message.sender, options=options)
            refused: list[aiosmtplib.SMTPRecipientRefused] = []
            for recipient in message.recipients:
                try:
                    await client.rcpt(recipient)
                except aiosmtplib.SMTPRecipientRefused as exc:
                    refused.append(exc)
            if len(refused) == len(message.recipients):
                await _reset(client)
                if any(_temporary(exc.code) for exc in refused):
                    raise error(ErrorCode.SMTP_TEMPORARY, _refusals(refused)) from refused[0]
                return SendResult(SendOutcome.REJECTED, _refusals(refused))
        except aiosmtplib.SMTPResponseException as exc:
            await _reset(client)
            if _temporary(exc.code):
                raise error(ErrorCode.SMTP_TEMPORARY, f"{exc.code} {exc.message}") from exc
            if isinstance(exc, aiosmtplib.SMTPAuthenticationError) or exc.code in (530, 535):
                raise error(ErrorCode.AUTH_FAILED, f"{exc.code} {exc.message}", scope=auth_scope) from exc
            return SendResult(SendOutcome.REJECTED, f"{exc.code} {exc.message}")
        except ValueError as exc:  # an address that cannot be put in an envelope
            return SendResult(SendOutcome.REJECTED, f"invalid address: {exc}")
        except Exception as exc:
            await self._drop()
            raise translate(exc, auth_scope=auth_scope) from exc

        try:
            response = await client.data(message.raw)
        except aiosmtplib.SMTPResponseException as exc:
            # The server answered: the mail was refused, definitely not queued.
            await _reset(client)
            if _temporary(exc.code):
                raise error(ErrorCode.SMTP_TEMPORARY, f"{exc.code} {exc.message}") from exc
            return SendResult(SendOutcome.REJECTED, f"{exc.code} {exc.message}")
        except Exception as exc:
            await self._drop()
            cause = translate(exc, auth_scope=auth_scope)
            raise error(
                ErrorCode.DELIVERY_UNKNOWN,
                f"the connection failed while the message was handed over; it may have been sent: {cause.message}",
            ) from exc
        detail = f"{response.code} {response.message}"
        if refused:
            detail += f"; refused: {_refusals(refused)}"
        return SendResult(SendOutcome.ACCEPTED, detail)

    async def copy_to_sent(self, message: OutgoingMessage) -> bool:
        if self._sent_folder is None:
            return False
        return await self._sent_folder.append(message.raw)

    async def find_sent(self, message_id: str) -> bool | None:
        if self._sent_folder is None:
            return None
        return await self._sent_folder.contains_message_id(message_id)

    async def test(self) -> ConnectionTest:
        steps = StepRecorder()
        try:
            self._settings()
        except DesktopSyncError as problem:
            steps.begin(
                ConnectionTestStep.TLS if problem.code == ErrorCode.INSECURE_TRANSPORT else ConnectionTestStep.CONNECT
            )
            steps.fail(problem)
            return steps.result()
        async with self._lock:
            await self._drop()  # at most one connection: the test's own
            line: _Line | None = None
            try:
                line = await self._connect(steps)
                client = line.client
                steps.begin(ConnectionTestStep.SEND)
                steps.exchange(f"MAIL FROM:<{self._sender_address}>")
                response = await client.mail(self._sender_address)
                steps.answer(f"{response.code} {response.message}")
                steps.exchange("RSET")
                await client.rset()
                steps.ok(step_text("sender_accepted", sender=self._sender_address))
            except DesktopSyncError as problem:
                steps.fail(problem)
            except Exception as exc:
                steps.fail(translate(exc, auth_scope=credentials_scope(self._profile)))
            finally:
                if line is not None:
                    await line.dispose(graceful=True)
        return steps.result()

    async def close(self) -> None:
        async with self._lock:
            line, self._line = self._line, None
            if line is not None:
                await line.dispose(graceful=True)
        if self._sent_folder is not None:
            await self._sent_folder.close()


async def _sign_in_with_token(
    client: aiosmtplib.SMTP, settings: ServerSettings, token: AccessToken, steps: StepRecorder
) -> None:
    """AUTH XOAUTH2 (aiosmtplib's) or OAUTHBEARER (by hand), whichever the server's EHLO offers."""
    endpoint = settings.endpoint
    await client.ehlo()
    mechanism = bearer.choose(client.server_auth_methods)
    if mechanism is None:
        raise error(ErrorCode.NOT_SUPPORTED, step_text("no_oauth_offered", host=endpoint.host))
    steps.exchange(f"AUTH {mechanism} {_MASK}")
    if mechanism == bearer.XOAUTH2:
        response = await client.auth_xoauth2(settings.login, token.token)
    else:
        initial = bearer.encoded(mechanism, settings.login, token.token, endpoint.host, endpoint.port)
        response = await client.execute_command(b"AUTH", mechanism.encode(), initial.encode())
        if response.code == 334:  # the server's reasons; our acknowledgement draws the final refusal
            response = await client.execute_command(bearer.ERROR_ACKNOWLEDGEMENT[mechanism].encode())
        if response.code != 235:
            raise aiosmtplib.SMTPAuthenticationError(response.code, response.message)
    steps.answer(f"{response.code} {response.message}")
    steps.ok(step_text("sasl_logged_in", login=settings.login, mechanism=mechanism))


async def _open_socket(addresses: list[Address], timeout: float, host: str) -> socket.socket:
    """A non-blocking TCP connection to the first address that answers."""
    loop = asyncio.get_running_loop()
    last: tuple[Exception, Address] | None = None
    for address in addresses:
        sock = socket.socket(address.family, address.kind, address.proto)
        sock.setblocking(False)
        try:
            await asyncio.wait_for(loop.sock_connect(sock, address.sockaddr), timeout)
        except (OSError, TimeoutError) as exc:
            sock.close()
            last = (exc, address)
            continue
        except BaseException:
            sock.close()
            raise
        return sock
    assert last is not None, "resolve() never returns an empty list"
    raise connect_error(last[0], host, last[1], timeout) from last[0]


async def _reset(client: aiosmtplib.SMTP) -> None:
    """RSET after a refusal, so the connection can carry the next mail; a failure here changes nothing."""
    with contextlib.suppress(aiosmtplib.SMTPException, OSError):
        await client.rset()


@dataclass(slots=True)
class _Line:
    """An aiosmtplib client and the socket we gave it: closing waits until the socket really is closed.

    aiosmtplib's close() only starts closing (a TLS close is a short exchange); a socket number
    reused before that exchange ends would clash with the old transport.
    """

    client: aiosmtplib.SMTP
    sock: socket.socket

    async def dispose(self, *, graceful: bool) -> None:
        if graceful and self.client.is_connected:
            with contextlib.suppress(aiosmtplib.SMTPException, OSError, TimeoutError):
                await self.client.quit()
        transport = self.client.transport
        self.client.close()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + (1.0 if graceful else 0.0)
        while self.sock.fileno() != -1 and loop.time() < deadline:
            await asyncio.sleep(0.01)
        if self.sock.fileno() != -1:
            if isinstance(transport, asyncio.Transport):
                transport.abort()  # no TLS goodbye: close the socket at the next turn of the loop
            for _ in range(3):
                await asyncio.sleep(0)
        if self.sock.fileno() != -1 and self.client.transport is None and transport is None:
            self.sock.close()  # it never reached a transport

    def abort(self) -> None:
        """Close now, without waiting (cancellation paths)."""
        transport = self.client.transport
        self.client.close()
        if isinstance(transport, asyncio.Transport):
            transport.abort()
        elif transport is None:
            self.sock.close()


def _temporary(code: int) -> bool:
    return 400 <= code < 500


def _refusals(refused: list[aiosmtplib.SMTPRecipientRefused]) -> str:
    return "; ".join(f"{exc.recipient}: {exc.code} {exc.message}" for exc in refused)
