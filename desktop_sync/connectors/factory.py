"""Builds the mail connectors for a profile and mailbox: IMAP, POP3 and SMTP, Exchange (EWS) and
Exchange Online (Microsoft Graph)."""

from __future__ import annotations

import weakref
from collections.abc import Sequence

from desktop_sync.connectors.errors import ErrorCode, error
from desktop_sync.connectors.exchange import PAGE_SIZE, STREAM_MINUTES, ExchangeIncoming, ExchangeOutgoing
from desktop_sync.connectors.exchange_act import ExchangeAct
from desktop_sync.connectors.exchange_session import OAUTH_AUTHORITY, EwsSessions, EwsTarget
from desktop_sync.connectors.graph import mail as graph_mail
from desktop_sync.connectors.graph.client import GraphClient, GraphSessions, MailboxGates
from desktop_sync.connectors.graph.link import client_for
from desktop_sync.connectors.graph.mail import GraphIncoming
from desktop_sync.connectors.graph.send import GraphOutgoing
from desktop_sync.connectors.imap import BATCH_SIZE, IDLE_RENEW_SECONDS, ImapIncoming, SentFolder
from desktop_sync.connectors.imap_pool import IDLE_SECONDS, PER_SERVER, ImapPool
from desktop_sync.connectors.pop3 import Pop3Incoming
from desktop_sync.connectors.reconnect import RECONNECT_DELAYS
from desktop_sync.connectors.smtp import SmtpOutgoing
from desktop_sync.domain.errors import DesktopSyncError
from desktop_sync.domain.model import Channel, CredentialsOn, Mailbox, Profile, ProfileKind
from desktop_sync.domain.ports.connectors import ActSync, Credentials, IncomingMail, OutgoingMail, ThrottleKey
from desktop_sync.logs import remember_secret

_INTERNET_MAIL = (ProfileKind.IMAP, ProfileKind.POP3)


class MailConnectorFactory:
    """The ConnectorFactory for mail: IMAP or POP3 in and SMTP out, or Exchange (EWS) both ways.

    Appointments, contacts and tasks: Exchange only. The keyword arguments tune every
    connector built (tests shorten the IDLE renewal, for instance). The Exchange connectors share
    the factory's EWS sessions (one pool per profile and credentials); ``close()`` ends them, and
    they are closed when the factory is collected or the process exits.

    IMAP connections of incoming cycles are parked in ``imap_pool`` between cycles while an engine
    runs (``start_parking`` .. ``stop_parking``, the engine's ``ConnectionParking``), each counted
    against its ThrottleKey's limit; ``close()`` closes them too.
    """

    def __init__(
        self,
        *,
        push_renew_seconds: float = IDLE_RENEW_SECONDS,
        reconnect_delays: Sequence[float] = RECONNECT_DELAYS,
        batch_size: int = BATCH_SIZE,
        local_hostname: str | None = None,
        ews_page_size: int = PAGE_SIZE,
        ews_stream_minutes: int = STREAM_MINUTES,
        oauth_authority: str = OAUTH_AUTHORITY,
        imap_parked_seconds: float = IDLE_SECONDS,
        imap_parked_per_server: int = PER_SERVER,
        graph_page_size: int = graph_mail.PAGE_SIZE,
        graph_batch_size: int = graph_mail.BATCH_SIZE,
    ) -> None:
        self._push_renew_seconds = push_renew_seconds
        self._reconnect_delays = tuple(reconnect_delays)
        self._batch_size = batch_size
        self._local_hostname = local_hostname
        self._ews_page_size = ews_page_size
        self._ews_stream_minutes = ews_stream_minutes
        self.ews_sessions = EwsSessions(oauth_authority=oauth_authority)
        weakref.finalize(self, self.ews_sessions.close)
        self.imap_pool = ImapPool(idle_seconds=imap_parked_seconds, per_server=imap_parked_per_server)
        weakref.finalize(self, self.imap_pool.close_now)
        # Graph: at most 4 requests at once per mailbox, whichever connector sends them; connections
        # kept between cycles while an engine runs (start_parking .. stop_parking)
        self.graph_gates = MailboxGates()
        self.graph_sessions = GraphSessions()
        self._graph_page_size = graph_page_size
        self._graph_batch_size = graph_batch_size

    def supports(self, profile: Profile, channel: Channel) -> bool:
        if profile.kind is ProfileKind.EXCHANGE:
            return channel in (Channel.INCOMING, Channel.OUTGOING, Channel.ACT)
        if profile.kind is ProfileKind.EXCHANGE_ONLINE:
            return channel in (Channel.INCOMING, Channel.OUTGOING)
        if profile.kind not in _INTERNET_MAIL:
            return False
        if channel is Channel.INCOMING:
            return True
        if channel is Channel.OUTGOING:
            return profile.outgoing is not None
        return False

    def incoming(
        self, profile: Profile, mailbox: Mailbox, credentials: Credentials, folders: Sequence[str] = ()
    ) -> IncomingMail:
        remember_secret(credentials.secret)  # masked in every log text from now on
        if profile.kind is ProfileKind.IMAP:
            group = _throttle_key(profile, mailbox)
            return ImapIncoming(
                profile,
                credentials,
                folders=folders,
                batch_size=self._batch_size,
                push_renew_seconds=self._push_renew_seconds,
                reconnect_delays=self._reconnect_delays,
                pool=self.imap_pool if group is not None else None,
                group=group,
            )
        if profile.kind is ProfileKind.POP3:
            return Pop3Incoming(profile, credentials, batch_size=self._batch_size)
        if profile.kind is ProfileKind.EXCHANGE:
            return ExchangeIncoming(
                self.ews_sessions,
                EwsTarget.of(profile, mailbox, credentials),
                folders=folders,
                batch_size=self._batch_size,
                page_size=self._ews_page_size,
                stream_minutes=self._ews_stream_minutes,
                reconnect_delays=self._reconnect_delays,
            )
        if profile.kind is ProfileKind.EXCHANGE_ONLINE:
            return GraphIncoming(
                self.graph_client(profile, mailbox, credentials),
                folders=folders,
                tracked_category=profile.tracked_category,
                batch_size=self._graph_batch_size,
                page_size=self._graph_page_size,
            )
        raise self._unsupported(profile, Channel.INCOMING)

    def outgoing(self, profile: Profile, mailbox: Mailbox, credentials: Credentials) -> OutgoingMail:
        if not self.supports(profile, Channel.OUTGOING):
            raise self._unsupported(profile, Channel.OUTGOING)
        remember_secret(credentials.secret)
        if profile.kind is ProfileKind.EXCHANGE:
            return ExchangeOutgoing(self.ews_sessions, EwsTarget.of(profile, mailbox, credentials))
        if profile.kind is ProfileKind.EXCHANGE_ONLINE:
            return GraphOutgoing(self.graph_client(profile, mailbox, credentials))
        sent_folder = SentFolder(profile, credentials) if profile.kind is ProfileKind.IMAP else None
        return SmtpOutgoing(
            profile,
            credentials,
            sent_folder=sent_folder,
            sender_address=mailbox.address,
            local_hostname=self._local_hostname,
        )

    def act(self, profile: Profile, mailbox: Mailbox, credentials: Credentials) -> ActSync:
        if profile.kind is not ProfileKind.EXCHANGE:
            raise self._unsupported(profile, Channel.ACT)
        remember_secret(credentials.secret)
        return ExchangeAct(self.ews_sessions, EwsTarget.of(profile, mailbox, credentials))

    def graph_client(self, profile: Profile, mailbox: Mailbox, credentials: Credentials) -> GraphClient:
        """A Graph client of the mailbox, sharing its four-request gate (and, while an engine runs, the
        connections) with the mailbox's other Graph connectors."""
        return client_for(profile, mailbox, credentials, gates=self.graph_gates, sessions=self.graph_sessions)

    def close(self) -> None:
        """End the connections kept for reuse: Exchange sessions, parked IMAP connections."""
        self.ews_sessions.close()
        self.imap_pool.close_now()

    # --- ConnectionParking (IMAP)

    def start_parking(self) -> None:
        self.imap_pool.start()
        self.graph_sessions.sharing = True

    def parked(self, key: ThrottleKey) -> int:
        return self.imap_pool.parked(key)

    async def evict(self, key: ThrottleKey) -> bool:
        return await self.imap_pool.evict(key)

    async def stop_parking(self) -> None:
        await self.imap_pool.stop()
        await self.graph_sessions.close()

    @staticmethod
    def _unsupported(profile: Profile, channel: Channel) -> DesktopSyncError:
        return error(
            ErrorCode.NOT_SUPPORTED,
            f"a {profile.kind.value} profile ({profile.name}) cannot synchronize {channel.value} here",
        )


def _throttle_key(profile: Profile, mailbox: Mailbox) -> ThrottleKey | None:
    """The limit a connection counts against; None for a profile or mailbox not stored yet (no parking)."""
    stored = profile.id is not None if profile.credentials_on is CredentialsOn.PROFILE else mailbox.id is not None
    return ThrottleKey.of(profile, mailbox) if stored else None
