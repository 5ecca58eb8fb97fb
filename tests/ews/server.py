"""A stateful Exchange Web Services server on 127.0.0.1 that exchangelib talks to unmodified.

``EwsServer`` serves SOAP 1.1 at ``/EWS/Exchange.asmx`` (HTTP or HTTPS), SOAP autodiscover at
``/autodiscover/autodiscover.svc``, POX autodiscover at ``/autodiscover/autodiscover.xml`` and an
OAuth 2 client-credentials token endpoint at ``/{tenant}/oauth2/v2.0/token``. It keeps mailboxes,
folders and items in memory (see ``store.py``; the operations are in ``operations/``), authenticates
with Basic, NTLM (pyspnego acceptor, one handshake per connection, as IIS does) or a bearer token,
honours ``ExchangeImpersonation`` for accounts that have the right, and can inject faults
(``server.faults``). With ``validation=Validation.STRICT`` every SOAP response is checked against
Microsoft's schemas before it is sent; an invalid one is recorded and replaced by a loud SOAP fault.
The HTTP side is ``handler.py``, the EWS requests ``dispatch.py``, autodiscover ``autodiscover.py``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import enum
import secrets
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

from lxml import etree

from . import operations, soap
from .auth import AuthScheme, Principal, register_ntlm_user
from .faults import FaultInjector, Stats
from .fields import field_elements
from .handler import AUTODISCOVER_SVC, EWS_PATH, LOOPBACK, HttpServer
from .schema import EwsSchema, SchemaError, load_schema
from .soap import now
from .store import Folder, Item, Mailbox, SentMessage, Store, message_from_mime

if TYPE_CHECKING:
    from servers.tls import TlsFiles


class Validation(enum.Enum):
    OFF = "off"  # no checking (fastest; for benchmarks)
    COLLECT = "collect"  # check every response, keep the failures in ``server.invalid_responses``
    STRICT = "strict"  # as COLLECT, and answer a SOAP fault instead of the invalid response


@dataclass(frozen=True, slots=True)
class InvalidResponse:
    operation: str
    errors: tuple[SchemaError, ...]
    document: bytes


# --- the server


class EwsServer:
    """An EWS server on a free loopback port; ``with EwsServer() as server:`` starts and stops it."""

    def __init__(
        self,
        *,
        tls: TlsFiles | None = None,
        auth: Iterable[AuthScheme] = (AuthScheme.BASIC, AuthScheme.NTLM),
        ntlm_domain: str = "EXAMPLE",
        validation: Validation = Validation.COLLECT,
        minute_seconds: float = 60.0,
        heartbeat_seconds: float = 5.0,
        schema: EwsSchema | None = None,
    ) -> None:
        """``tls``: a ``TlsFiles`` (tests/servers/tls.py) to serve HTTPS; ``minute_seconds``: how long one
        "minute" of GetStreamingEvents' ConnectionTimeout lasts (tests shorten it)."""
        self.tls = tls
        self.tls_context: ssl.SSLContext | None = tls.server_context() if tls is not None else None
        self.auth_schemes = frozenset(auth)
        self.ntlm_domain = ntlm_domain
        self.validation = validation
        self.minute_seconds = minute_seconds
        self.heartbeat_seconds = heartbeat_seconds
        self.schema = schema if schema is not None or validation is Validation.OFF else load_schema()
        self.store = Store()
        self.faults = FaultInjector()
        self.stats = Stats()
        self.responses_checked = 0
        self.invalid_responses: list[InvalidResponse] = []
        self._logins: dict[str, Principal] = {}
        self._tokens: dict[str, Principal] = {}
        self._oauth_clients: dict[str, str] = {}
        self._token_holder: Callable[[str], tuple[str | None] | None] | None = None
        self._http: HttpServer | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._connections: set[socket.socket] = set()
        self._check_lock = threading.Lock()

    # --- lifecycle

    def start(self) -> Self:
        self._http = HttpServer(self)
        self._thread = threading.Thread(
            target=self._http.serve_forever, kwargs={"poll_interval": 0.05}, name="ews-test-server", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._http is None:
            return
        self._stopping.set()
        with self.store.lock:
            self.store.changed.notify_all()
        self._http.shutdown()
        self._http.server_close()
        for connection in list(self._connections):
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        deadline = time.monotonic() + 5
        while self.stats.connections_open > 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._http = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._http is None:
            raise RuntimeError("the EWS test server is not running")
        return self._http.server_address[1]

    @property
    def base_url(self) -> str:
        return f"{'https' if self.tls_context else 'http'}://{LOOPBACK}:{self.port}"

    @property
    def url(self) -> str:
        return self.base_url + EWS_PATH

    @property
    def autodiscover_url(self) -> str:
        return self.base_url + AUTODISCOVER_SVC

    def token_url(self, tenant: str = "common") -> str:
        return f"{self.base_url}/{tenant}/oauth2/v2.0/token"

    # --- accounts

    def add_mailbox(
        self,
        address: str,
        password: str,
        *,
        impersonation_right: bool = False,
        display_name: str | None = None,
        username: str | None = None,
    ) -> Mailbox:
        """A mailbox with the distinguished folders, and an account that logs in as the address, the local
        part, ``DOMAIN\\local`` or ``username``. ``impersonation_right`` lets it act on any mailbox."""
        local_part = address.split("@")[0]
        name = display_name or local_part.capitalize()
        with self.store.lock:
            mailbox = self.store.add_mailbox(
                address, password, display_name=name, impersonation_right=impersonation_right
            )
        principal = Principal(address, impersonation_right, mailbox)
        logins = {address, local_part, f"{self.ntlm_domain}\\{local_part}"} | ({username} if username else set())
        for login in logins:
            self._logins[login.lower()] = principal
        if AuthScheme.NTLM in self.auth_schemes:
            for login in {address, local_part} | ({username} if username else set()):
                register_ntlm_user(self.ntlm_domain, login, password)
        return mailbox

    def set_password(self, address: str, password: str) -> None:
        mailbox = self.mailbox(address)
        mailbox.password = password
        if AuthScheme.NTLM in self.auth_schemes:
            for login in {address, address.split("@")[0]}:
                register_ntlm_user(self.ntlm_domain, login, password)

    def add_oauth_token(self, token: str, address: str | None = None) -> None:
        """Accept ``Authorization: Bearer token``: as the mailbox's owner, or (no address) as an application
        that may act on any mailbox through ExchangeImpersonation, like an app-only EWS.AccessAsApp token."""
        if address is None:
            self._tokens[token] = Principal("oauth-app", True, None)
        else:
            mailbox = self.mailbox(address)
            self._tokens[token] = Principal(address, mailbox.impersonation_right, mailbox)

    def add_oauth_client(self, client_id: str, client_secret: str) -> None:
        """Register an application for the client-credentials grant at ``token_url()``."""
        self._oauth_clients[client_id] = client_secret

    def issue_token(self) -> str:
        token = secrets.token_urlsafe(24)
        self.add_oauth_token(token)
        return token

    def _login(self, username: str, password: str) -> Principal | None:
        principal = self._logins.get(username.lower())
        if principal is None or principal.mailbox is None or principal.mailbox.password != password:
            return None
        return principal

    def _principal_for(self, ntlm_principal: str) -> Principal | None:
        name = ntlm_principal.split("\\")[-1].lower()
        return self._logins.get(name) or self._logins.get(ntlm_principal.lower())

    def accept_tokens_of(self, holder: Callable[[str], tuple[str | None] | None]) -> None:
        """Also accept the access tokens an identity provider issued: ``holder(token)`` is None for a
        token it does not honour (unknown, expired, revoked), else (the signed-in address,) or (None,)
        for an application's own token (client credentials), which may impersonate any mailbox."""
        self._token_holder = holder

    def _bearer(self, token: str) -> Principal | None:
        token = token.strip()
        found = self._tokens.get(token)
        holder = self._token_holder
        if found is not None or holder is None:
            return found
        held = holder(token)
        if held is None:
            return None
        [address] = held
        if address is None:
            return Principal("oauth-app", True, None)
        try:
            mailbox = self.mailbox(address)
        except KeyError:
            return None
        return Principal(address, mailbox.impersonation_right, mailbox)

    def _challenges(self) -> list[tuple[str, str]]:
        headers = []
        if AuthScheme.NTLM in self.auth_schemes:
            headers.append(("WWW-Authenticate", "NTLM"))
        if AuthScheme.BASIC in self.auth_schemes:
            headers.append(("WWW-Authenticate", 'Basic realm="127.0.0.1"'))
        if AuthScheme.BEARER in self.auth_schemes:
            headers.append(("WWW-Authenticate", 'Bearer client_id="00000002-0000-0ff1-ce00-000000000000"'))
        return headers

    # --- validation

    def _check(self, operation: str, document: bytes) -> bool:
        if self.validation is Validation.OFF or self.schema is None:
            return True
        problems = self.schema.errors(document)
        with self._check_lock:
            self.responses_checked += 1
            if problems:
                self.invalid_responses.append(InvalidResponse(operation, tuple(problems), document))
        return not problems or self.validation is Validation.COLLECT

    def assert_responses_valid(self) -> None:
        """Fail if any response sent so far did not validate against the EWS schemas."""
        if self.invalid_responses:
            first = self.invalid_responses[0]
            listing = "\n  ".join(str(error) for error in first.errors[:10])
            raise AssertionError(
                f"{len(self.invalid_responses)} invalid EWS response(s); the first, for {first.operation}:\n  "
                f"{listing}\n{first.document[:2000].decode(errors='replace')}"
            )

    # --- state helpers for tests

    def mailbox(self, address: str) -> Mailbox:
        with self.store.lock:
            mailbox = self.store.mailboxes.get(address.lower())
        if mailbox is None:
            raise KeyError(f"no mailbox {address}")
        return mailbox

    def folder(self, address: str, name: str = "inbox") -> Folder:
        """A distinguished folder ("inbox") or a path under the top of the store ("inbox/Projects")."""
        with self.store.lock:
            return self.mailbox(address).folder(name)

    def items(self, address: str, folder: str = "inbox") -> list[Item]:
        with self.store.lock:
            return list(self.folder(address, folder).items.values())

    def item(self, item_id: str) -> Item:
        with self.store.lock:
            item = self.store.find_item(item_id)
        if item is None:
            raise KeyError(f"no item {item_id}")
        return item

    @property
    def sent(self) -> list[SentMessage]:
        with self.store.lock:
            return list(self.store.sent)

    def deliver(
        self, address: str, raw_mime: bytes | str | EmailMessage, folder: str = "inbox", *, is_read: bool = False
    ) -> str:
        """Put a message into a mailbox as the transport would (NewMail event included); returns its ItemId."""
        return self.deliver_many(address, [raw_mime], folder, is_read=is_read)[0]

    def deliver_many(
        self,
        address: str,
        messages: Iterable[bytes | str | EmailMessage],
        folder: str = "inbox",
        *,
        is_read: bool = False,
    ) -> list[str]:
        """Deliver many messages at once (10,000 take about a second: their fields are parsed on first use)."""
        ids = []
        with self.store.lock:
            target = self.folder(address, folder)
            for raw in messages:
                item = message_from_mime(self.store, target, _mime_bytes(raw), is_read=is_read)
                self.store.add_item(item, new_mail=folder == "inbox")
                ids.append(item.id)
        return ids

    def seed_messages(self, address: str, count: int, folder: str = "inbox", *, body_size: int = 200) -> list[str]:
        """Deliver ``count`` generated messages (distinct subjects and Message-IDs) for benchmarks."""
        domain = address.split("@")[-1]
        filler = ("lorem ipsum " * (body_size // 12 + 1))[:body_size]
        stamp = now()

        def generate() -> Iterable[bytes]:
            for number in range(count):
                sent = stamp - dt.timedelta(seconds=count - number)
                yield (
                    f"From: Sender {number % 50} <sender{number % 50}@external.test>\r\n"
                    f"To: {address}\r\n"
                    f"Subject: Seeded message {number}\r\n"
                    f"Date: {sent.strftime('%a, %d %b %Y %H:%M:%S +0000')}\r\n"
                    f"Message-ID: <seed-{number}-{secrets.token_hex(4)}@{domain}>\r\n"
                    "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
                    f"Message {number}. {filler}\r\n"
                ).encode()

        return self.deliver_many(address, generate(), folder)

    def create_item(self, address: str, kind: str, fields: Mapping[str, Any], folder: str | None = None) -> str:
        """Create a Message, CalendarItem, Contact or Task as if a user made it in Outlook.

        ``fields`` maps EWS element names to text (``{"Subject": "Hi"}``), to an lxml element of that
        name, or to a list of (name, address) pairs for recipient fields."""
        default = operations.DEFAULT_FOLDERS.get(kind, "inbox")
        with self.store.lock:
            mailbox = self.mailbox(address)
            target = mailbox.folder(folder or default)
            spec = soap.t(kind)
            for element in field_elements(fields):
                spec.append(element)
            ctx = operations.Context(self.store, mailbox, address)
            item = operations.item_from_element(ctx, spec, target)
            operations.prepare_item(ctx, item, draft=False)
            self.store.add_item(item, new_mail=kind == "Message" and target is mailbox.distinguished["inbox"])
            return item.id

    def update_item(self, item_id: str, fields: Mapping[str, Any] | None = None, *, remove: Iterable[str] = ()) -> str:
        """Change an item server-side (a user editing it): new values, removed fields; returns the new ChangeKey."""
        with self.store.lock:
            item = self.item(item_id)
            item.ensure_parsed()
            names = []
            for element in field_elements(fields or {}):
                item.props[etree.QName(element).localname] = element
                names.append(etree.QName(element).localname)
            for name in remove:
                item.props.pop(name, None)
                names.append(name)
            self.store.modify_item(item, names)
            return item.change_key

    def delete_item(self, item_id: str) -> None:
        with self.store.lock:
            self.store.remove_item(self.item(item_id))

    def move_item(self, item_id: str, folder: str) -> str:
        """Move an item to another folder of its mailbox; returns its new ItemId (EWS ids change on move)."""
        with self.store.lock:
            item = self.item(item_id)
            return self.store.move_item(item, item.folder.mailbox.folder(folder)).id

    def mark_read(self, item_id: str, is_read: bool = True) -> None:
        self.update_item(item_id, {"IsRead": "true" if is_read else "false"})

    def create_folder(self, address: str, name: str, parent: str = "inbox", folder_class: str = "IPF.Note") -> str:
        with self.store.lock:
            mailbox = self.mailbox(address)
            return self.store.create_folder(mailbox, mailbox.folder(parent), name, folder_class).id

    def rename_folder(self, folder_id: str, name: str) -> None:
        with self.store.lock:
            self.store.update_folder(self.store.folders[folder_id], name=name)

    def move_folder(self, folder_id: str, parent: str) -> None:
        with self.store.lock:
            folder = self.store.folders[folder_id]
            self.store.update_folder(folder, parent=folder.mailbox.folder(parent))

    def delete_folder(self, folder_id: str) -> None:
        with self.store.lock:
            self.store.delete_folder(self.store.folders[folder_id])


def _mime_bytes(raw: bytes | str | EmailMessage) -> bytes:
    if isinstance(raw, EmailMessage):
        return raw.as_bytes()
    if isinstance(raw, str):
        return raw.encode()
    return raw
