"""One mailbox's exchangelib Account used from the Exchange workers, and the connection test that every
Exchange connector (mail, appointments, contacts, tasks) runs."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from desktop_sync.connectors.bearer import take_token, with_token
from desktop_sync.connectors.exchange_calls import folder_info, read_tree
from desktop_sync.connectors.exchange_errors import translate_ews
from desktop_sync.connectors.exchange_session import EwsSessions, EwsTarget, Recorder, endpoint_of
from desktop_sync.connectors.transport import StepRecorder, connect_first, resolve, tls_detail, transport_context
from desktop_sync.connectors.workers import Kind, in_thread
from desktop_sync.domain.errors import DesktopSyncError
from desktop_sync.domain.ports.connectors import ConnectionTest, ConnectionTestStep, step_text
from desktop_sync.domain.signin import AccessToken

T = TypeVar("T")


class EwsLink:
    """One mailbox's exchangelib Account, on its factory's shared protocol, used from worker threads."""

    def __init__(self, sessions: EwsSessions, target: EwsTarget) -> None:
        self.sessions = sessions
        self.target = target
        self._account: Any = None
        self._lock = threading.Lock()
        self._token: AccessToken | None = None  # an OAuth profile's: the broker's, for the next call

    def account(self) -> Any:
        with self._lock:
            token = self._token.token if self._token is not None else None
            if self._account is None:
                self._account = self.sessions.account(self.target, token)
            if token is not None:
                self._account.protocol.use_token(token)
            return self._account

    async def release(self) -> None:
        """The connector is done: its connection may be closed (see ``EwsSessions.release``)."""
        with self._lock:
            used, self._account = self._account is not None, None
        if used:
            await in_thread(Kind.EXCHANGE, self.sessions.release, self.target)

    async def call(self, fn: Callable[[Any], T]) -> T:
        """Run ``fn(account)`` in a worker thread; exchangelib's exceptions come back as domain errors.

        An OAuth profile's call carries the broker's current token, and is tried once more with a fresh
        one when the server refuses it."""
        bearer = self.target.bearer
        if bearer is None:
            return await self._call(fn)

        async def attempt(token: AccessToken) -> T:
            self._token = token
            return await self._call(fn)

        return await with_token(bearer, StepRecorder(), attempt)

    async def fresh_token(self) -> None:
        """An OAuth profile's current token for the next ``run`` (a send, which is never retried)."""
        if self.target.bearer is not None:
            self._token = await self.target.bearer.token()

    async def _call(self, fn: Callable[[Any], T]) -> T:
        try:
            return await in_thread(Kind.EXCHANGE, self.run, fn)
        except DesktopSyncError:
            raise
        except Exception as exc:
            raise translate_ews(exc, auth_scope=self.target.auth_scope, server=self.target.server) from exc

    def run(self, fn: Callable[[Any], T]) -> T:
        return fn(self.account())


# --- the connection test


async def run_test(sessions: EwsSessions, target: EwsTarget, *, access: str, list_folders: bool) -> ConnectionTest:
    """RESOLVE, CONNECT, TLS (each on a socket of its own), AUTHENTICATE (version probe, OAuth token),
    ACCESS (GetFolder of ``access`` in the mailbox) and LIST_FOLDERS, on a protocol of the test's own."""
    steps = StepRecorder()
    recorder = Recorder()
    account: Any = None
    timeout = float(target.profile.timeout_seconds)
    try:
        steps.begin(ConnectionTestStep.RESOLVE)
        how = "profile" if target.profile.ews_url else "autodiscover"
        url = await call_blocking(target, lambda: sessions.endpoint(target))
        endpoint = endpoint_of(url)
        try:
            context = transport_context(target.profile, endpoint)
        except DesktopSyncError as problem:
            steps.ok(step_text(f"ews_url_{how}", url=url))
            steps.begin(ConnectionTestStep.TLS)
            raise problem
        addresses = await resolve(endpoint, timeout, Kind.EXCHANGE)
        names = ", ".join(sorted({address.host for address in addresses}))
        steps.ok(step_text(f"ews_resolved_{how}", url=url, host=endpoint.host, addresses=names))
        steps.begin(ConnectionTestStep.CONNECT)
        sock = await call_blocking(target, lambda: connect_first(addresses, timeout, endpoint.host))
        peer = sock.getpeername()[0]
        try:
            steps.ok(step_text("connected", address=peer, port=endpoint.port))
            steps.begin(ConnectionTestStep.TLS)
            if context is None:
                steps.ok(step_text("clear_text"))
            else:

                def handshake() -> str:
                    with context.wrap_socket(sock, server_hostname=endpoint.host) as tls:
                        return tls_detail(tls)

                steps.ok(await call_blocking(target, handshake))
        finally:
            sock.close()
        token = await take_token(target.bearer, steps) if target.bearer is not None else None
        steps.begin(ConnectionTestStep.AUTHENTICATE)
        bearer = token.token if token is not None else None
        account = await call_blocking(target, lambda: sessions.private_account(target, recorder, bearer))
        version = await call_blocking(target, lambda: account.protocol.version)
        steps.exchange(recorder.request, recorder.response)
        steps.ok(
            step_text("ews_signed_in", login=target.login, auth=target.profile.auth.value, version=version.api_version)
        )
        steps.begin(ConnectionTestStep.ACCESS)
        _, name, total, unread = await call_blocking(target, lambda: folder_info(account, access))
        steps.exchange(recorder.request, recorder.response)
        access_text = "ews_access_impersonated" if target.impersonation else "ews_access_own"
        facts = {"address": target.address, "login": target.login, "folder": name, "total": total, "unread": unread}
        steps.ok(step_text(access_text, **facts))
        if list_folders:
            steps.begin(ConnectionTestStep.LIST_FOLDERS)
            tree = await call_blocking(target, lambda: read_tree(account))
            steps.exchange(recorder.request, recorder.response)
            under = len(tree.under_inbox())
            steps.ok(step_text("ews_folders", count=len(tree.rows), under=under))
    except DesktopSyncError as problem:
        if recorder.request:
            steps.exchange(recorder.request, recorder.response)
        steps.fail(problem)
    finally:
        if account is not None:
            await in_thread(Kind.EXCHANGE, account.protocol.close)
    return steps.result()


async def call_blocking(target: EwsTarget, fn: Callable[[], T]) -> T:
    try:
        return await in_thread(Kind.EXCHANGE, fn)
    except DesktopSyncError:
        raise
    except Exception as exc:
        raise translate_ews(exc, auth_scope=target.auth_scope, server=target.server) from exc
