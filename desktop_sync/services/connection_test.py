"""Test connection from the profile editor: the profile as typed, a test account, each channel's steps.

Nothing is written: the profile is checked but not saved, the mailbox is a throwaway value, and the
password is used for this test only.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from desktop_sync.domain.errors import DesktopSyncError, PermanentError, ValidationError
from desktop_sync.domain.model import Channel, CredentialsOn, Mailbox, Profile, ProfileId
from desktop_sync.domain.ports.connectors import (
    ConnectionTest,
    ConnectionTestStep,
    ConnectorFactory,
    Credentials,
    StepResult,
)
from desktop_sync.domain.validation import ProfileInput, normalize_address
from desktop_sync.services.profiles import ProfileService

# What a test is expected to go through, shown as "waiting" until the connector answers.
EXPECTED_STEPS: dict[Channel, tuple[ConnectionTestStep, ...]] = {
    Channel.INCOMING: (
        ConnectionTestStep.RESOLVE,
        ConnectionTestStep.CONNECT,
        ConnectionTestStep.TLS,
        ConnectionTestStep.AUTHENTICATE,
        ConnectionTestStep.LIST_FOLDERS,
    ),
    Channel.OUTGOING: (
        ConnectionTestStep.RESOLVE,
        ConnectionTestStep.CONNECT,
        ConnectionTestStep.TLS,
        ConnectionTestStep.AUTHENTICATE,
        ConnectionTestStep.SEND,
    ),
    Channel.ACT: (
        ConnectionTestStep.RESOLVE,
        ConnectionTestStep.CONNECT,
        ConnectionTestStep.TLS,
        ConnectionTestStep.AUTHENTICATE,
        ConnectionTestStep.ACCESS,
    ),
}


@dataclass(frozen=True, slots=True)
class ConnectionTestAccount:
    """Who to test as: a mailbox address, its login (the address when empty) and a password."""

    address: str
    login: str = ""
    password: str = field(default="", repr=False)


@dataclass(frozen=True, slots=True)
class ChannelTest:
    """One channel's test result, as it arrives."""

    channel: Channel
    result: ConnectionTest


class ConnectionTestService:
    def __init__(self, profiles: ProfileService, connectors: ConnectorFactory | None):
        self._profiles = profiles
        self._connectors = connectors

    @property
    def available(self) -> bool:
        """False when this installation has no mail connectors: nothing can be tested."""
        return self._connectors is not None

    def channels(self, profile: Profile) -> tuple[Channel, ...]:
        """The channels a profile's test covers."""
        channels = [Channel.INCOMING]
        if profile.outgoing is not None or profile.kind.is_exchange:
            channels.append(Channel.OUTGOING)
        if profile.has_act:
            channels.append(Channel.ACT)
        return tuple(channels)

    async def prepare(self, data: ProfileInput, account: ConnectionTestAccount) -> tuple[Profile, Mailbox, Credentials]:
        """Check the profile and the test account together; errors are keyed by field.

        The account's fields are ``test_address``, ``test_login`` and ``test_password``.
        """
        errors: dict[str, str] = {}
        profile: Profile | None = None
        try:
            profile = await self._profiles.validate(data)
        except ValidationError as exc:
            errors.update(exc.errors)
        address = ""
        try:
            address = normalize_address(account.address, "test_address")
        except ValidationError as exc:
            errors.update(exc.errors)
        if not account.password:
            errors["test_password"] = "type the password to test with; it is not stored"
        if errors:
            raise ValidationError(errors)
        assert profile is not None
        if profile.credentials_on is CredentialsOn.PROFILE:
            login = profile.login or address
        else:
            login = account.login.strip() or address
        mailbox = Mailbox(address=address, profile_id=ProfileId(0), login=login)
        return profile, mailbox, Credentials(login, account.password)

    async def run(self, data: ProfileInput, account: ConnectionTestAccount) -> AsyncIterator[ChannelTest]:
        """Test each channel in turn and yield its result as soon as it is known.

        Raises ValidationError (keyed by field) before any connection when the input is wrong.
        """
        profile, mailbox, credentials = await self.prepare(data, account)
        connectors = self._connectors
        if connectors is None:
            raise PermanentError("no mail connectors are available in this installation", code="not_supported")
        for channel in self.channels(profile):
            yield ChannelTest(channel, await _test_channel(connectors, profile, mailbox, credentials, channel))


async def _test_channel(
    connectors: ConnectorFactory, profile: Profile, mailbox: Mailbox, credentials: Credentials, channel: Channel
) -> ConnectionTest:
    if not connectors.supports(profile, channel):
        return _failed(
            ConnectionTestStep.CONNECT, f"this installation cannot synchronize {channel.value} here", "not_supported"
        )
    try:
        if channel is Channel.INCOMING:
            incoming = connectors.incoming(profile, mailbox, credentials)
            try:
                return await incoming.test()
            finally:
                await incoming.close()
        if channel is Channel.OUTGOING:
            outgoing = connectors.outgoing(profile, mailbox, credentials)
            try:
                return await outgoing.test()
            finally:
                await outgoing.close()
        act = connectors.act(profile, mailbox, credentials)
        try:
            return await act.test()
        finally:
            await act.close()
    except DesktopSyncError as exc:
        return _failed(ConnectionTestStep.CONNECT, exc.message, exc.code)


def _failed(step: ConnectionTestStep, detail: str, code: str) -> ConnectionTest:
    return ConnectionTest(steps=(StepResult(step, False, detail, code),))
