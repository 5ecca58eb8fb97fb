"""Test & Enable: test each channel of a mailbox through its connector, record, enable what passed.

Like the reference product it leaves alerts on the mailbox: an error for each channel that failed
(the cause and the fix of its error: password, server, certificate, permission), and a warning when
the mailbox passed but is not approved. Each run replaces the alerts of the run before, so they
clear when a later test passes (approving the mailbox clears the warning too).

Run through ``SyncControl.test_and_enable``, the one path of the GUI and the CLI (the engine need not
run: it works while synchronization is paused, and on a host with no engine).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from desktop_sync.domain.errors import DesktopSyncError, NotFoundError, SecretStoreUnavailable
from desktop_sync.domain.messages import template
from desktop_sync.domain.model import (
    Alert,
    AlertScope,
    ApprovalState,
    AuthMethod,
    Channel,
    ChannelState,
    ConnectionTestStatus,
    Mailbox,
    Profile,
    ProfileKind,
    Severity,
    SyncMethod,
)
from desktop_sync.domain.ports import AlertRepository, SecretStore, Store, TokenIssuer
from desktop_sync.domain.ports.connectors import (
    ConnectionTest,
    ConnectionTestStep,
    ConnectorFactory,
    StepResult,
)
from desktop_sync.engine.credentials import resolve_credentials
from desktop_sync.engine.events import AlertRaised, EventBus
from desktop_sync.engine.throttle import ThrottleKey, Throttles

TEST_FAILED = "test_enable_failed"  # the code of a failed channel's alert: the run after replaces it
AWAITING_APPROVAL = "mailbox_awaiting_approval"
ALERT_CODES = (TEST_FAILED, AWAITING_APPROVAL)
_CHANNEL_NAMES = {
    Channel.INCOMING: "incoming email",
    Channel.OUTGOING: "outgoing email",
    Channel.ACT: "appointments, contacts and tasks",
}


@dataclass(frozen=True, slots=True)
class ChannelReport:
    channel: Channel
    status: ConnectionTestStatus
    enabled: bool
    failed_step: str | None = None
    detail: str = ""
    error_code: str | None = None
    steps: tuple[StepResult, ...] = ()


@dataclass(frozen=True, slots=True)
class EnablementReport:
    address: str
    approved: bool
    channels: tuple[ChannelReport, ...]

    @property
    def ok(self) -> bool:
        return all(c.status is not ConnectionTestStatus.FAILURE for c in self.channels)


class Enablement:
    def __init__(
        self,
        *,
        store: Store,
        connectors: ConnectorFactory,
        secrets: SecretStore,
        throttles: Throttles,
        clock: Callable[[], dt.datetime],
        bus: EventBus | None = None,
        tokens: TokenIssuer | None = None,
    ):
        self._tokens = tokens
        self._bus = bus  # told of the alerts a run leaves (the alerts wall, notifications)
        self._store = store
        self._connectors = connectors
        self._secrets = secrets
        self._throttles = throttles
        self._now = clock

    async def run(self, address: str) -> EnablementReport:
        async with self._store.transaction() as tx:
            mailbox = await tx.mailboxes.by_address(address.lower())
            if mailbox is None:
                raise NotFoundError("address", f"no mailbox {address}")
            profile = await tx.profiles.get(mailbox.profile_id)
            assert profile is not None
        approved = mailbox.approval is ApprovalState.APPROVED
        reports = []
        states: dict[Channel, ChannelState] = {}
        for channel in Channel:
            state = mailbox.channel(channel)
            if state.method is not SyncMethod.SERVER_SIDE:
                reports.append(ChannelReport(channel, ConnectionTestStatus.NOT_RUN, False, detail="not synchronized"))
                states[channel] = dataclasses.replace(
                    state, enabled=False, test_status=ConnectionTestStatus.NOT_RUN, failed_step=None
                )
                continue
            result = await self._test(channel, mailbox, profile)
            now = self._now()
            if result.ok:
                status, failed_step, detail, code = ConnectionTestStatus.SUCCESS, None, "", None
            else:
                failure = result.failure
                status = ConnectionTestStatus.FAILURE
                failed_step = failure.step.value if failure else "unknown"
                detail = failure.detail if failure else "the test failed"
                code = failure.error_code if failure else None
            enabled = status is ConnectionTestStatus.SUCCESS and approved
            if status is ConnectionTestStatus.SUCCESS and not approved:
                detail = "passed; not enabled because the mailbox is not approved"
            states[channel] = ChannelState(state.method, enabled, status, failed_step, now)
            reports.append(ChannelReport(channel, status, enabled, failed_step, detail, code, result.steps))
        now = self._now()
        raised: list[Alert] = []
        async with self._store.transaction() as tx:
            current = await tx.mailboxes.get(mailbox.id) if mailbox.id is not None else None
            if current is not None:
                await tx.mailboxes.update(
                    dataclasses.replace(
                        current,
                        incoming=states[Channel.INCOMING],
                        outgoing=states[Channel.OUTGOING],
                        act=states[Channel.ACT],
                    )
                )
                raised = await self._record_alerts(tx.alerts, current, profile, reports, approved, now)
                if any(s.enabled for s in states.values()):
                    status_row = await tx.status.get(current.id)  # type: ignore[arg-type]
                    await tx.status.save(
                        dataclasses.replace(
                            status_row,
                            failure_count=0,
                            last_error_code=None,
                            last_error=None,
                            next_sync_at=None,
                            backoff_until=None,
                        )
                    )
        if self._bus is not None:
            for alert in raised:  # once committed
                self._bus.publish(AlertRaised(alert))
        return EnablementReport(mailbox.address, approved, tuple(reports))

    async def _record_alerts(
        self,
        alerts: AlertRepository,
        mailbox: Mailbox,
        profile: Profile,
        reports: Sequence[ChannelReport],
        approved: bool,
        now: dt.datetime,
    ) -> list[Alert]:
        """This run's alerts in place of the last run's: an error per failed channel, a warning when
        the mailbox passed but is not approved. Returns the alerts added."""
        assert mailbox.id is not None
        await alerts.clear_code(mailbox.id, ALERT_CODES, now)
        added = []
        for report in reports:
            if report.status is not ConnectionTestStatus.FAILURE:
                continue
            channel = _CHANNEL_NAMES[report.channel]
            detail = f"the {channel} test failed at the {report.failed_step} step: {report.detail}"
            code = report.error_code
            # The error's own explanation says what to do about a password, a server, a certificate or
            # a permission; a code without one gets the general text.
            chosen = code if code is not None and template(code) is not None else TEST_FAILED
            facts = {"address": mailbox.address, "server": _server(profile, report.channel), "detail": detail}
            added.append(await alerts.add(self._alert(Severity.ERROR, TEST_FAILED, facts, mailbox, now, says=chosen)))
        passed = any(r.status is ConnectionTestStatus.SUCCESS for r in reports)
        if passed and not approved:
            facts = {"address": mailbox.address}
            added.append(await alerts.add(self._alert(Severity.WARNING, AWAITING_APPROVAL, facts, mailbox, now)))
        return added

    @staticmethod
    def _alert(
        severity: Severity,
        code: str,
        facts: dict[str, str],
        mailbox: Mailbox,
        now: dt.datetime,
        says: str | None = None,
    ) -> Alert:
        return Alert(
            severity,
            AlertScope.MAILBOX,
            code,
            facts,
            mailbox_id=mailbox.id,
            profile_id=mailbox.profile_id,
            created_at=now,
            says=None if says == code else says,
        )

    async def _test(self, channel: Channel, mailbox: Mailbox, profile: Profile) -> ConnectionTest:
        if not self._connectors.supports(profile, channel):
            return _failed(
                ConnectionTestStep.CONNECT,
                f"profile {profile.name!r} cannot synchronize {channel.value}",
                "not_supported",
            )
        try:
            credentials = await resolve_credentials(self._secrets, profile, mailbox, self._tokens)
        except SecretStoreUnavailable:
            raise  # no keyring on this machine: not the mailbox's test failing, and said as such
        except DesktopSyncError as exc:
            step = ConnectionTestStep.TOKEN if profile.auth is AuthMethod.OAUTH2 else ConnectionTestStep.AUTHENTICATE
            detail = "no password is stored for this mailbox" if exc.code == "password_missing" else exc.message
            return _failed(step, detail, exc.code)
        try:
            async with self._throttles.slot(ThrottleKey.of(profile, mailbox), profile.max_connections):
                if channel is Channel.INCOMING:
                    connector = self._connectors.incoming(profile, mailbox, credentials)
                elif channel is Channel.OUTGOING:
                    connector = self._connectors.outgoing(profile, mailbox, credentials)  # type: ignore[assignment]
                else:
                    connector = self._connectors.act(profile, mailbox, credentials)  # type: ignore[assignment]
                try:
                    return await connector.test()
                finally:
                    await connector.close()
        except DesktopSyncError as exc:
            return _failed(ConnectionTestStep.CONNECT, exc.message, exc.code)


def _failed(step: ConnectionTestStep, detail: str, code: str) -> ConnectionTest:
    return ConnectionTest(steps=(StepResult(step, False, detail, code),))


def _server(profile: Profile, channel: Channel) -> str:
    """The server a channel's test talked to, as alerts name it."""
    if profile.kind is ProfileKind.EXCHANGE:
        if profile.ews_url:
            return urlsplit(profile.ews_url).netloc or profile.ews_url
        return f"autodiscover for {profile.incoming.host}"
    endpoint = profile.outgoing if channel is Channel.OUTGOING and profile.outgoing is not None else profile.incoming
    return f"{endpoint.host}:{endpoint.port}"
