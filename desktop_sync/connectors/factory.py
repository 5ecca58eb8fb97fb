"""Builds the Internet-mail connectors (IMAP, POP3, SMTP) for a profile and mailbox."""

from __future__ import annotations

from collections.abc import Sequence

from desktop_sync.connectors.errors import ErrorCode, error
from desktop_sync.connectors.imap import BATCH_SIZE, IDLE_RENEW_SECONDS, RECONNECT_DELAYS, ImapIncoming, SentFolder
from desktop_sync.connectors.pop3 import Pop3Incoming
from desktop_sync.connectors.smtp import SmtpOutgoing
from desktop_sync.domain.connectors import ActSync, Credentials, IncomingMail, OutgoingMail
from desktop_sync.domain.errors import DesktopSyncError
from desktop_sync.domain.model import Channel, Mailbox, Profile, ProfileKind

_INTERNET_MAIL = (ProfileKind.IMAP, ProfileKind.POP3)


class MailConnectorFactory:
    """The ConnectorFactory for IMAP and POP3 profiles: incoming by IMAP or POP3, outgoing by SMTP.

    Exchange profiles and appointments, contacts and tasks are not supported here. The keyword
    arguments tune every connector built (tests shorten the IDLE renewal, for instance).
    """

    def __init__(
        self,
        *,
        push_renew_seconds: float = IDLE_RENEW_SECONDS,
        reconnect_delays: Sequence[float] = RECONNECT_DELAYS,
        batch_size: int = BATCH_SIZE,
        local_hostname: str | None = None,
    ) -> None:
        self._push_renew_seconds = push_renew_seconds
        self._reconnect_delays = tuple(reconnect_delays)
        self._batch_size = batch_size
        self._local_hostname = local_hostname

    def supports(self, profile: Profile, channel: Channel) -> bool:
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
        if profile.kind is ProfileKind.IMAP:
            return ImapIncoming(
                profile,
                credentials,
                folders=folders,
                batch_size=self._batch_size,
                push_renew_seconds=self._push_renew_seconds,
                reconnect_delays=self._reconnect_delays,
            )
        if profile.kind is ProfileKind.POP3:
            return Pop3Incoming(profile, credentials, batch_size=self._batch_size)
        raise self._unsupported(profile, Channel.INCOMING)

    def outgoing(self, profile: Profile, mailbox: Mailbox, credentials: Credentials) -> OutgoingMail:
        if not self.supports(profile, Channel.OUTGOING):
            raise self._unsupported(profile, Channel.OUTGOING)
        sent_folder = SentFolder(profile, credentials) if profile.kind is ProfileKind.IMAP else None
        return SmtpOutgoing(
            profile,
            credentials,
            sent_folder=sent_folder,
            sender_address=mailbox.address,
            local_hostname=self._local_hostname,
        )

    def act(self, profile: Profile, mailbox: Mailbox, credentials: Credentials) -> ActSync:
        raise self._unsupported(profile, Channel.ACT)

    @staticmethod
    def _unsupported(profile: Profile, channel: Channel) -> DesktopSyncError:
        return error(
            ErrorCode.NOT_SUPPORTED,
            f"a {profile.kind.value} profile ({profile.name}) cannot synchronize {channel.value} here",
        )
