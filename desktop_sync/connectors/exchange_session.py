"""How the Exchange connector reaches EWS: the exchangelib protocols, accounts and TLS it runs on.

One ``EwsSessions`` belongs to a connector factory. It keeps one exchangelib protocol per endpoint,
credentials and settings: the profile's service account (impersonation) shares one protocol, and
so one pool of at most ``max_connections`` sessions, between all the mailboxes of the profile;
credentials on the mailbox give each mailbox its own. exchangelib's process-wide protocol cache is
not used: two profiles on one server may differ in CA file, time-out or limit.

Every protocol fails fast (the engine does the back-off, honouring the server's hint), uses the
profile's time-out, and verifies TLS with a requests adapter of its own whose SSL context comes
from ``connectors.errors.transport_context`` (the profile's CA file replaces the system store, as
for IMAP); ``REQUESTS_CA_BUNDLE`` and friends are ignored. Everything here blocks: the connectors
call it in worker threads.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import random
import ssl
import threading
from dataclasses import dataclass, field
from queue import Empty
from typing import Any
from urllib.parse import urlsplit

import requests
import requests.adapters
from exchangelib import BASIC, DELEGATE, IMPERSONATION, NTLM, OAUTH2, Account, Configuration, FailFast, Identity
from exchangelib import Credentials as EwsCredentials
from exchangelib.autodiscover import Autodiscovery
from exchangelib.autodiscover import cache as autodiscover_cache_module
from exchangelib.autodiscover import discovery as autodiscovery_module
from exchangelib.autodiscover.cache import autodiscover_cache
from exchangelib.autodiscover.protocol import AutodiscoverProtocol
from exchangelib.credentials import OAuth2Credentials
from exchangelib.errors import ErrorInternalServerTransientError, ErrorServerBusy
from exchangelib.ewsdatetime import UTC
from exchangelib.protocol import Protocol
from exchangelib.transport import NOAUTH
from exchangelib.util import _get_retry_after

from desktop_sync.connectors.errors import ErrorCode, credentials_scope, error
from desktop_sync.connectors.exchange_bearer import BearerAuth, Impersonating
from desktop_sync.connectors.exchange_errors import EwsErrorCode, ews_error, translate_ews
from desktop_sync.connectors.transport import secret_fingerprint, transport_context
from desktop_sync.domain.errors import DesktopSyncError, ErrorScope
from desktop_sync.domain.model import AuthMethod, CredentialsOn, Endpoint, Mailbox, Profile, Security
from desktop_sync.domain.ports.connectors import BearerTokens, Credentials, ThrottleKey

log = logging.getLogger("desktop_sync.connectors.exchange")

OAUTH_AUTHORITY = "https://login.microsoftonline.com"
RECORD_LIMIT = 4000  # characters of a request or response kept for a connection test
_AUTH_TYPES = {AuthMethod.BASIC: BASIC, AuthMethod.NTLM: NTLM, AuthMethod.OAUTH2: OAUTH2}
_MASK = "********"


@dataclass(frozen=True, slots=True)
class EwsTarget:
    """One mailbox as the connector reaches it: where, as whom, and how."""

    profile: Profile
    address: str  # the mailbox's SMTP address
    login: str  # user name, or the OAuth client id
    secret: str | None = field(repr=False)  # password, or the OAuth client secret
    bearer: BearerTokens | None = field(default=None, repr=False, compare=False)  # an OAuth profile's tokens

    @classmethod
    def of(cls, profile: Profile, mailbox: Mailbox, credentials: Credentials) -> EwsTarget:
        address = mailbox.address.strip().lower()
        return cls(profile, address, credentials.login, credentials.secret, credentials.bearer)

    @property
    def impersonation(self) -> bool:
        """A service account (or an application's own token) acts for the mailbox; a person's token is
        the mailbox's own. exchangelib's client credentials (no broker) always impersonate."""
        if self.profile.credentials_on is CredentialsOn.PROFILE:
            return True
        return self.profile.auth is AuthMethod.OAUTH2 and self.bearer is None

    @property
    def auth_scope(self) -> ErrorScope:
        return credentials_scope(self.profile)

    @property
    def server(self) -> str:
        url = self.profile.ews_url
        return (urlsplit(url).netloc or url) if url else f"autodiscover for {self.domain}"

    @property
    def domain(self) -> str:
        return self.address.rpartition("@")[2]

    @property
    def key(self) -> tuple[object, ...]:
        """What makes two mailboxes share a protocol: same endpoint, same credentials, same settings."""
        p = self.profile
        # Per-mailbox credentials never share: each mailbox has its own throttle and pool.
        owner = None if p.credentials_on is CredentialsOn.PROFILE else self.address
        settings = (p.auth, p.max_connections, p.timeout_seconds, p.ca_file, p.allow_insecure)
        # The secret's keyed hash: a changed password opens a new protocol, and the key holds no secret.
        secret = secret_fingerprint(self.secret)
        return (p.ews_url, self.domain if p.ews_url is None else None, self.login, owner, *settings, secret)


def endpoint_of(url: str) -> Endpoint:
    parts = urlsplit(url)
    https = parts.scheme.lower() == "https"
    security = Security.TLS if https else Security.NONE
    return Endpoint(parts.hostname or "", parts.port or (443 if https else 80), security)


# --- requests and exchangelib, made per protocol


class _VerifyingAdapter(requests.adapters.HTTPAdapter):
    """An HTTP adapter that verifies TLS with one SSL context, whatever the session or environment says.

    requests would otherwise add its own CA bundle (or ``REQUESTS_CA_BUNDLE``) to the context.
    """

    def __init__(self, context: ssl.SSLContext | None, **kwargs: Any) -> None:
        self._context = context
        super().__init__(**kwargs)

    def init_poolmanager(self, connections: int, maxsize: int, block: bool = False, **pool_kwargs: Any) -> None:
        if self._context is not None:
            pool_kwargs["ssl_context"] = self._context
        super().init_poolmanager(connections, maxsize, block=block, **pool_kwargs)

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: float | tuple[float | None, float | None] | None = None,
        verify: bool | str = True,
        cert: str | tuple[str, str] | None = None,
        proxies: dict[str, str] | None = None,
    ) -> requests.Response:
        return super().send(request, stream=stream, timeout=timeout, verify=True, cert=cert, proxies=proxies)

    def cert_verify(self, conn: Any, url: str, verify: Any, cert: Any) -> None:
        super().cert_verify(conn, url, verify, cert)
        if url.lower().startswith("https"):
            conn.cert_reqs = "CERT_REQUIRED"
            conn.ca_certs = None  # the trust anchors are the context's only
            conn.ca_cert_dir = None


class _FailFast(FailFast):  # type: ignore[misc]
    """exchangelib's fail-fast policy, keeping the server's Retry-After of an HTTP 503 as the back-off."""

    def raise_response_errors(self, response: Any) -> None:
        try:
            super().raise_response_errors(response)
        except (ErrorInternalServerTransientError, ErrorServerBusy) as exc:
            retry_after = _get_retry_after(response)
            if retry_after:
                raise ErrorServerBusy(exc.args[0] if exc.args else "server busy", back_off=retry_after) from exc
            raise


class _ClientCredentials(OAuth2Credentials):  # type: ignore[misc]
    """OAuth 2 client credentials whose token endpoint is the profile's authority (Microsoft's by default)."""

    def __init__(self, *, token_url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._token_url = token_url

    @property
    def token_url(self) -> str:
        return self._token_url


class Recorder:
    """The last request and response of a protocol, for a connection test (never a password or token)."""

    def __init__(self) -> None:
        self.request = ""
        self.response = ""

    def on_response(self, response: Any, *args: Any, **kwargs: Any) -> None:
        request = response.request
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode()
        if b"client_secret" in body or b"grant_type" in body:
            self.request = f"{request.method} {request.url}\ngrant_type=client_credentials client_secret={_MASK}"
            outcome = "issued" if response.ok else "refused"
            self.response = f"HTTP {response.status_code} {response.reason} (token {outcome})"
            return
        self.request = f"{request.method} {request.url}\n{body[:RECORD_LIMIT].decode('utf-8', 'replace')}"
        text = ""
        if "chunked" not in response.headers.get("Transfer-Encoding", ""):
            text = response.content[:RECORD_LIMIT].decode("utf-8", "replace")
        self.response = f"HTTP {response.status_code} {response.reason}\n{text}".rstrip()


class EwsProtocol(Protocol):  # type: ignore[misc]
    """An exchangelib protocol owned by ``EwsSessions``: its own TLS adapter, time-out and retry policy."""

    def __init__(
        self,
        *,
        config: Any,
        context: ssl.SSLContext | None,
        timeout: float,
        recorder: Recorder | None = None,
        bearer: BearerAuth | None = None,
        impersonate: str | None = None,
    ) -> None:
        self.bearer = bearer  # before exchangelib makes its first session
        self._impersonate = impersonate
        self._context = context
        self._recorder = recorder
        super().__init__(config=config)
        self.TIMEOUT = timeout  # an instance attribute: this protocol's requests only
        self.RETRY_WAIT = 0  # no made-up back-off: only the server's hint reaches the engine

    @classmethod
    def open(cls, **options: Any) -> EwsProtocol:
        """A protocol made with ``__init__``'s keyword arguments."""
        # type.__call__ skips exchangelib's caching metaclass: the protocol is ours alone.
        protocol: EwsProtocol = type.__call__(cls, **options)
        return protocol

    @property
    def idle_sessions(self) -> int:
        """Sessions waiting in the pool, each keeping its connection to the server open."""
        return int(self._session_pool.qsize())

    def close_idle_session(self) -> bool:
        """Close one session waiting in the pool (its connection ends); False when none waits."""
        with self._session_pool_lock:
            try:
                session = self._session_pool.get(block=False)
            except Empty:
                return False
            self._session_pool_size -= 1
        self.close_session(session)
        return True

    def use_token(self, token: str) -> None:
        """The access token for this protocol's next requests (the broker's current one)."""
        if self.bearer is not None:
            self.bearer.use(token)

    def raw_session(
        self,
        prefix: str,
        oauth2_client: Any = None,
        oauth2_session_params: Any = None,
        oauth2_token_endpoint: str | None = None,
    ) -> Any:
        session = super().raw_session(prefix, oauth2_client, oauth2_session_params, oauth2_token_endpoint)
        session.trust_env = False  # no proxy, CA bundle or .netrc from the environment: the profile says
        own_host = urlsplit(prefix).hostname
        for mounted in (prefix, oauth2_token_endpoint):
            if not mounted:
                continue
            # The profile's CA vouches for its own server; a token service elsewhere is checked against the
            # system store.
            context = self._context if urlsplit(mounted).hostname == own_host else _default_context()
            old = session.adapters.get(mounted)
            session.mount(
                mounted,
                _VerifyingAdapter(context, pool_connections=1, pool_maxsize=1, pool_block=True, max_retries=0),
            )
            if old is not None:
                old.close()
        if self._recorder is not None:
            session.hooks["response"].append(self._recorder.on_response)
        return session

    def create_session(self) -> Any:
        if self.bearer is None:
            return super().create_session()
        session = self.raw_session(self.service_endpoint)
        session.auth = self.bearer  # never an OAuth2Session: exchangelib asks no token service
        session.session_id = random.randint(10000, 99999)  # nosec: what exchangelib's debug messages show
        session.usage_count = 0
        return session

    @property
    def credentials(self) -> Any:
        """An application's token impersonates even in the version probe: exchangelib takes the identity to
        impersonate there from OAuth credentials, which a bearer protocol has only for that."""
        if self.bearer is not None and self._impersonate is not None:
            return Impersonating(self._impersonate)
        return self.config.credentials

    @credentials.setter
    def credentials(self, value: Any) -> None:
        with self._session_pool_lock:
            self.config._credentials = value
            self.close()


class _Account(Account):  # type: ignore[misc]
    """An exchangelib Account on a protocol we own (``Account(config=...)`` would take one from exchangelib's
    process-wide cache). It sets what ``Account.__init__`` sets; a test keeps the two in step."""

    def __init__(self, address: str, protocol: EwsProtocol, access_type: str) -> None:
        self.fullname = None
        self.access_type = access_type
        self.locale = None
        self.default_timezone = UTC  # requests carry a UTC TimeZoneContext; we read times as UTC
        self.ad_response = None
        self.protocol = protocol
        self.identity = Identity(primary_smtp_address=address)
        self.affinity_cookie = None
        self._version = None
        self._version_lock = threading.Lock()


def _default_context() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


# --- autodiscover, with the profile's trust and nothing from the environment

_discovering = threading.local()  # the TLS context of the profile whose autodiscovery runs in this thread


class _AutodiscoverProtocol(AutodiscoverProtocol):  # type: ignore[misc]
    """exchangelib's autodiscover protocol, verifying TLS with the context of the profile being discovered
    (its CA file, else the system store) and taking no proxy, CA bundle or .netrc from the environment.

    exchangelib builds these by name inside its autodiscovery; ``_install_autodiscover`` points that name
    here, and the profile's context comes through ``_discovering`` (the discovery runs in one thread)."""

    def __init__(self, config: Any) -> None:
        super().__init__(config=config)
        self._context: ssl.SSLContext = getattr(_discovering, "context", None) or _default_context()

    def raw_session(
        self,
        prefix: str,
        oauth2_client: Any = None,
        oauth2_session_params: Any = None,
        oauth2_token_endpoint: str | None = None,
    ) -> Any:
        session = AutodiscoverProtocol.raw_session.__func__(  # the classmethod, for this class
            type(self), prefix, oauth2_client, oauth2_session_params, oauth2_token_endpoint
        )
        session.trust_env = False
        old = session.adapters.get(prefix)
        session.mount(
            prefix, _VerifyingAdapter(self._context, pool_connections=1, pool_maxsize=1, pool_block=True, max_retries=0)
        )
        if old is not None:
            old.close()
        return session


def _install_autodiscover() -> None:
    autodiscovery_module.AutodiscoverProtocol = _AutodiscoverProtocol
    autodiscover_cache_module.AutodiscoverProtocol = _AutodiscoverProtocol


_install_autodiscover()


# --- the factory's sessions


class EwsSessions:
    """The EWS protocols of one connector factory, shared by its connectors.

    ``close()`` ends their connections; the sessions stay usable and reconnect on the next request.
    """

    def __init__(self, *, oauth_authority: str = OAUTH_AUTHORITY) -> None:
        self._oauth_authority = oauth_authority.rstrip("/")
        self._lock = threading.Lock()
        self._protocols: dict[tuple[object, ...], EwsProtocol] = {}
        self._users: dict[tuple[object, ...], int] = {}
        self._keys: dict[tuple[object, ...], ThrottleKey] = {}  # a service account's protocol: its limit
        self._discovered: dict[tuple[str, str], tuple[str, Any]] = {}

    # the public, blocking side

    def endpoint(self, target: EwsTarget) -> str:
        """The EWS URL of ``target``: the profile's, or autodiscovered for the mailbox's domain."""
        return self._endpoint(target)[0]

    def account(self, target: EwsTarget, token: str | None = None) -> Any:
        """An exchangelib Account for ``target`` on the shared protocol of its profile and credentials
        (``token``: an OAuth profile's access token, for a protocol opened now).

        Each call is one user of that protocol until ``release(target)``.
        """
        protocol = self._shared(target, token)
        with self._lock:
            self._users[target.key] = self._users.get(target.key, 0) + 1
        return _Account(target.address, protocol, IMPERSONATION if target.impersonation else DELEGATE)

    def release(self, target: EwsTarget) -> None:
        """One user less. A mailbox's own protocol then closes its idle connections: kept open, one per
        mailbox, they would add up on the server. A profile's shared pool stays (at most max_connections)."""
        with self._lock:
            users = self._users.get(target.key, 0) - 1
            if users > 0:
                self._users[target.key] = users
                return
            self._users.pop(target.key, None)
            own = target.profile.credentials_on is CredentialsOn.MAILBOX
            protocol = self._protocols.get(target.key) if own else None
        if protocol is not None:
            protocol.close()  # idle sessions only; the protocol (its version, its token) stays for the next cycle

    def private_account(self, target: EwsTarget, recorder: Recorder | None = None, token: str | None = None) -> Any:
        """An Account on a protocol of its own (a connection test); the caller closes ``account.protocol``."""
        url, version = self._endpoint(target)
        protocol = self._open(target, url, version, recorder, token)
        return _Account(target.address, protocol, IMPERSONATION if target.impersonation else DELEGATE)

    def close(self) -> None:
        with self._lock:
            protocols = list(self._protocols.values())
            self._protocols.clear()
        for protocol in protocols:
            protocol.close()

    def idle(self, key: ThrottleKey) -> int:
        """Sessions of a profile's service account kept open beyond those its connectors use now: they
        count against the profile's connection limit like parked connections."""
        with self._lock:
            protocols = [(k, p) for k, p in self._protocols.items() if self._keys.get(k) == key]
            users = {k: self._users.get(k, 0) for k, _ in protocols}
        # A connector uses one session at a time: sessions past the connectors alive are kept open
        # for nobody, idle or still finishing a request a cancelled connector started in its thread.
        return sum(max(0, p.session_pool_size - users[k]) for k, p in protocols)

    def close_idle(self, key: ThrottleKey) -> bool:
        """Close one idle session of ``key``'s service account; False when none is idle."""
        if self.idle(key) <= 0:
            return False
        with self._lock:
            protocols = [p for k, p in self._protocols.items() if self._keys.get(k) == key]
        return any(p.close_idle_session() for p in protocols)

    def close_idle_sessions(self) -> None:
        """Close every session waiting in a pool; the protocols stay for their connectors."""
        with self._lock:
            protocols = list(self._protocols.values())
        for protocol in protocols:
            protocol.close()

    @property
    def open_protocols(self) -> int:
        with self._lock:
            return len(self._protocols)

    # the rest

    def _shared(self, target: EwsTarget, token: str | None) -> EwsProtocol:
        key = target.key
        with self._lock:
            found = self._protocols.get(key)
        if found is not None:
            return found
        url, version = self._endpoint(target)
        protocol = self._open(target, url, version, None, token)
        stale: list[EwsProtocol] = []
        with self._lock:
            found = self._protocols.get(key)
            if found is None:
                # A changed password or profile leaves the old protocol unused: its idle sessions go now.
                for other in [k for k in self._protocols if k[:4] == key[:4] and k != key]:
                    stale.append(self._protocols.pop(other))
                self._protocols[key] = protocol
                if target.profile.credentials_on is CredentialsOn.PROFILE and target.profile.id is not None:
                    self._keys[key] = ThrottleKey("profile", target.profile.id)
        if found is not None:
            protocol.close()
            return found
        for old in stale:
            old.close()
        return protocol

    def _open(
        self, target: EwsTarget, url: str, version: Any, recorder: Recorder | None, token: str | None = None
    ) -> EwsProtocol:
        profile = target.profile
        endpoint = endpoint_of(url)
        context = transport_context(profile, endpoint)  # refuses clear text the profile does not allow
        timeout = float(profile.timeout_seconds)
        if target.bearer is not None and token is not None:
            config = Configuration(
                service_endpoint=url,
                auth_type=NOAUTH,  # the bearer header is ours (BearerAuth), from the broker's token
                version=version,
                retry_policy=_FailFast(),
                max_connections=profile.max_connections,
            )
            bearer = BearerAuth(token)
            impersonate = target.address if target.impersonation else None
            return EwsProtocol.open(
                config=config,
                context=context,
                timeout=timeout,
                recorder=recorder,
                bearer=bearer,
                impersonate=impersonate,
            )
        if target.secret is None:
            raise error(ErrorCode.PASSWORD_MISSING, f"no password for {target.login}", scope=target.auth_scope)
        if profile.auth is AuthMethod.OAUTH2:
            credentials: Any = _ClientCredentials(
                client_id=target.login,
                client_secret=target.secret,
                tenant_id=target.domain,
                identity=Identity(primary_smtp_address=target.address),
                token_url=f"{self._oauth_authority}/{target.domain}/oauth2/v2.0/token",
            )
        else:
            credentials = EwsCredentials(target.login, target.secret)
        config = Configuration(
            service_endpoint=url,
            credentials=credentials,
            auth_type=_AUTH_TYPES[profile.auth],
            version=version,
            retry_policy=_FailFast(),
            max_connections=profile.max_connections,
        )
        return EwsProtocol.open(config=config, context=context, timeout=timeout, recorder=recorder)

    def _endpoint(self, target: EwsTarget) -> tuple[str, Any]:
        if target.profile.ews_url:
            return target.profile.ews_url, None
        if target.profile.auth is AuthMethod.OAUTH2:
            raise ews_error(
                EwsErrorCode.AUTODISCOVER_FAILED,
                "OAuth profiles need an EWS URL (https://outlook.office365.com/EWS/Exchange.asmx for Exchange Online)",
                scope=ErrorScope.PROFILE,
            )
        if target.secret is None:
            raise error(ErrorCode.PASSWORD_MISSING, f"no password for {target.login}", scope=target.auth_scope)
        key = (target.domain, target.login)
        with self._lock:
            found = self._discovered.get(key)
        if found is not None:
            return found
        credentials = EwsCredentials(target.login, target.secret)
        # the profile's CA file (else the system store), as for its EWS requests
        _discovering.context = transport_context(target.profile, Endpoint(target.domain, 443, Security.TLS))
        try:
            response, protocol = Autodiscovery(email=target.address, credentials=credentials).discover()
        except DesktopSyncError:
            raise
        except Exception as exc:
            problem = translate_ews(exc, auth_scope=target.auth_scope, server=target.server)
            if problem.code == ErrorCode.PROTOCOL_ERROR:
                problem = ews_error(
                    EwsErrorCode.AUTODISCOVER_FAILED, f"{target.domain}: {problem.message}", scope=ErrorScope.PROFILE
                )
            raise problem from exc
        finally:
            _discovering.context = None
            _forget_autodiscover_protocol_of(target.domain, credentials)
        url = str(protocol.service_endpoint)
        # Autodiscovery put a protocol in exchangelib's process-wide cache; we make our own.
        protocol.close()
        with contextlib.suppress(KeyError):
            del Protocol[protocol.config]
        log.info("autodiscover: %s uses %s", target.domain, url)
        found = (url, response.version)
        with self._lock:
            self._discovered[key] = found
        return found


def _forget_autodiscover_protocol_of(domain: str, credentials: Any) -> None:
    """exchangelib keeps the autodiscover protocol in memory keyed by (domain, credentials), the password
    among them: drop it (the endpoint stays in its per-domain file, which holds no credentials)."""
    with autodiscover_cache:
        kept = autodiscover_cache._protocols.pop((domain, credentials), None)
    if kept is not None:
        kept.close()


def utc(value: Any) -> dt.datetime | None:
    """An aware UTC datetime from exchangelib's EWSDateTime or an ISO text, or None."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    if not isinstance(value, dt.datetime):
        return None
    moment = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
    return dt.datetime.fromtimestamp(moment.timestamp(), dt.UTC)
