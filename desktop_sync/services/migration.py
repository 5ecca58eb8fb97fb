"""Migration from the legacy E-mail Router: read its files, plan what would be created, then run it.

The files are read by the adapter ``desktop_sync/adapters/email_router_files.py``; the analysis, the
plan, the report and its English rendering are pure domain (``desktop_sync.domain.email_router``);
this service executes the plan against the store and the keyring. Its names stay importable from here.

Three calls, so that a wizard and the command line drive it the same way:

- ``read_routers(paths)`` reads the three files of up to four routers (at most 32 MB in all) and
  matches their mailboxes with this store's users and queues: a RouterReading with the router's
  profiles, the merged pairs, the mailboxes, the warnings and the accounts needing a password.
- ``plan(reading, selection, allow_insecure)`` says what would be created or changed: the dry run.
  A profile whose router used no TLS is blocked (not migrated, with a warning) unless its name is
  in ``allow_insecure``: the migration never turns clear-text connections on by itself.
- ``run(plan, passwords, progress)`` does it in one transaction, in three steps (profiles, forward
  mailboxes, then queues' and users' mailboxes) and returns a report that can be saved as text or
  JSON. Running it again creates nothing twice: profiles are matched by name, mailboxes by address.
- ``run_as_operation(control, plan, passwords)`` is ``run`` as an asynchronous operation: in the
  engine's operations queue when the engine runs in this process (directly otherwise), each step's
  progress an OperationProgress event on the bus (the step is a MigrationStep's value), its end an
  OperationFinished. Cancelled, it rolls back: nothing is written.

Passwords typed by the admin go to the keyring through the SecretStore; the router's encrypted
passwords are never decrypted, and its encryption key is read, checked, and dropped.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import shlex
from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path

from desktop_sync.adapters.email_router_files import read_router_files
from desktop_sync.domain.email_router.analysis import analyze
from desktop_sync.domain.email_router.model import (
    Account,
    EntraApp,
    MailboxKind,
    OwnerKind,
    RouterMailbox,
    RouterReading,
    StoreSnapshot,
)
from desktop_sync.domain.email_router.plan import (
    CLEAR_TEXT_BLOCKED,
    Action,
    MigrationPlan,
    MigrationStep,
    PlannedMailbox,
    PlannedProfile,
    Skipped,
    decide_mailbox,
    mailbox_kind_label,
    plan_migration,
    profile_difference,
)
from desktop_sync.domain.email_router.rendering import profile_summary
from desktop_sync.domain.email_router.report import (
    PROCESS_EMAIL_FROM_HOURS,
    TEST_ENABLE_BATCH,
    MigrationReport,
    Outcome,
    Result,
)
from desktop_sync.domain.errors import SecretStoreUnavailable, ValidationError
from desktop_sync.domain.migration_texts import migration_text
from desktop_sync.domain.model import (
    Alert,
    AlertScope,
    ChannelState,
    CredentialsOn,
    Mailbox,
    Profile,
    QueueId,
    Severity,
    SyncMethod,
    UserId,
    mailbox_secret_key,
    profile_secret_key,
)
from desktop_sync.domain.ports import SecretStore, Store, Transaction
from desktop_sync.engine.events import ProgressReporter
from desktop_sync.services.sync_control import SyncControl

__all__ = [  # what the CLI, the wizard and the tests import from here
    "CLEAR_TEXT_BLOCKED",
    "CREDENTIALS_ALERT",
    "FORWARD_MAILBOX_NAME",
    "MIGRATION_OPERATION",
    "PROCESS_EMAIL_FROM_HOURS",
    "TEST_ENABLE_BATCH",
    "Action",
    "MigrationPlan",
    "MigrationReport",
    "MigrationService",
    "MigrationStep",
    "Outcome",
    "PlannedMailbox",
    "PlannedProfile",
    "Progress",
    "Result",
    "Skipped",
    "migration_subject",
    "plan_migration",
    "read_router_files",
]

CREDENTIALS_ALERT = "migration_credentials_needed"
FORWARD_MAILBOX_NAME = "Forward mailbox"
MIGRATION_OPERATION = "migration"  # the OperationProgress / OperationFinished events' operation


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


Progress = Callable[[MigrationStep, int, int], None]


# --- the service -------------------------------------------------------------------------------------


class MigrationService:
    def __init__(self, store: Store, secrets: SecretStore, clock: Callable[[], dt.datetime] = utcnow):
        self._store = store
        self._secrets = secrets
        self._clock = clock

    async def read_routers(self, paths: Sequence[str | Path]) -> RouterReading:
        """Read the routers' files and match them against the store. Raises RouterFileError
        (a ValidationError naming the file) when a file is missing, empty, too large or malformed."""
        routers = await asyncio.to_thread(read_router_files, paths)
        async with self._store.transaction() as tx:
            snapshot = StoreSnapshot(
                users=tuple(await tx.users.list()),
                queues=tuple(await tx.queues.list()),
                profiles=tuple(await tx.profiles.list()),
                mailboxes=tuple(await tx.mailboxes.list()),
            )
        return analyze(routers, snapshot)

    def plan(
        self,
        reading: RouterReading,
        selection: Collection[str] | None = None,
        allow_insecure: Collection[str] = (),
        entra_app: EntraApp | None = None,
    ) -> MigrationPlan:
        """``entra_app``: the Microsoft Entra application the Exchange Online profiles sign in as."""
        return plan_migration(reading, selection, allow_insecure, entra_app)

    async def run(
        self,
        plan: MigrationPlan,
        passwords: Mapping[Account, str] | None = None,
        progress: Progress | None = None,
    ) -> MigrationReport:
        """Migrate as planned, in one transaction; the store is checked again, so a second run of the
        same plan creates nothing twice. ``passwords``: per account of ``plan.accounts``; a missing or
        empty one leaves the profile marked "credentials needed"."""
        given = {account: password for account, password in (passwords or {}).items() if password}
        for account in given:
            if account not in plan.accounts:
                raise ValidationError.single("password", f"{account.label} is not an account of this migration")
        if given:
            self._secrets.check_secure()  # before writing anything
        started = self._clock()
        since = started - dt.timedelta(hours=PROCESS_EMAIL_FROM_HOURS)

        def tick(step: MigrationStep, done: int, total: int) -> None:
            if progress is not None:
                progress(step, done, total)

        async with self._store.transaction() as tx:
            profiles: dict[str, Profile] = {}
            profile_outcomes: list[Outcome] = []
            tick(MigrationStep.PROFILES, 0, len(plan.profiles))
            for done, planned_profile in enumerate(plan.profiles, 1):
                profile_outcomes.append(await self._profile(tx, planned_profile, since, profiles))
                tick(MigrationStep.PROFILES, done, len(plan.profiles))

            migrated: dict[str, Mailbox] = {}
            sending = {p.name for p in plan.profiles if p.merged.outgoing is not None}
            forward_outcomes: list[Outcome] = []
            tick(MigrationStep.FORWARD_MAILBOXES, 0, len(plan.forward_mailboxes))
            for done, forward in enumerate(plan.forward_mailboxes, 1):
                forward_outcomes.append(await self._mailbox(tx, forward, profiles, since, migrated, False))
                tick(MigrationStep.FORWARD_MAILBOXES, done, len(plan.forward_mailboxes))

            mailbox_outcomes: list[Outcome] = []
            tick(MigrationStep.MAILBOXES, 0, len(plan.mailboxes))
            for done, owned in enumerate(plan.mailboxes, 1):
                sends = owned.mailbox.profile in sending
                mailbox_outcomes.append(await self._mailbox(tx, owned, profiles, since, migrated, sends))
                tick(MigrationStep.MAILBOXES, done, len(plan.mailboxes))

            # last, so that a keyring that refuses leaves the store unchanged too
            credentials = await self._credentials(tx, plan, given, profiles, migrated, started)
        return MigrationReport(
            started_at=started,
            finished_at=self._clock(),
            process_email_from=since,
            routers=plan.routers,
            profiles=tuple(profile_outcomes),
            forward_mailboxes=tuple(forward_outcomes),
            mailboxes=tuple(mailbox_outcomes),
            credentials=credentials,
            skipped=plan.skipped,
            warnings=plan.warnings,
        )

    async def run_as_operation(
        self,
        control: SyncControl,
        plan: MigrationPlan,
        passwords: Mapping[Account, str] | None = None,
    ) -> MigrationReport:
        """``run`` as an asynchronous operation (see the module's docstring); the subject of its events
        is the routers' folders. Raises DesktopSyncError (``busy``) while the same migration runs."""

        async def work(report_progress: ProgressReporter) -> MigrationReport:
            def progress(step: MigrationStep, done: int, total: int) -> None:
                report_progress(step.value, done, total)

            return await self.run(plan, passwords, progress)

        return await control.run_operation(MIGRATION_OPERATION, migration_subject(plan), work, MigrationReport.summary)

    async def _profile(
        self, tx: Transaction, planned: PlannedProfile, since: dt.datetime, profiles: dict[str, Profile]
    ) -> Outcome:
        wanted = planned.merged.profile
        assert wanted is not None
        existing = await tx.profiles.by_name(planned.name)
        if existing is not None:
            profiles[planned.name] = existing
            return Outcome(planned.name, "profile", Result.KEPT, profile_difference(existing, wanted))
        profiles[planned.name] = await tx.profiles.add(dataclasses.replace(wanted, process_email_from=since))
        return Outcome(planned.name, "profile", Result.CREATED, profile_summary(wanted))

    async def _mailbox(
        self,
        tx: Transaction,
        planned: PlannedMailbox,
        profiles: Mapping[str, Profile],
        since: dt.datetime,
        migrated: dict[str, Mailbox],
        sends: bool,
    ) -> Outcome:
        """Create or update one mailbox; ``sends``: its merged profile has the router's outgoing side."""
        target = planned.mailbox
        kind = mailbox_kind_label(target)
        assert target.profile is not None
        profile = profiles[target.profile]
        assert profile.id is not None
        owner = target.owner
        user_id: UserId | None = None
        queue_id: QueueId | None = None
        owner_mailbox: Mailbox | None = None
        if owner is not None and owner.kind is OwnerKind.USER:
            user = await tx.users.by_email(owner.email)
            if user is None or user.id is None:
                return Outcome(target.address, kind, Result.SKIPPED, migration_text("owner_gone", owner=owner.label))
            user_id = user.id
            owner_mailbox = await tx.mailboxes.by_user(user.id)
        elif owner is not None:
            queue = await tx.queues.by_email(owner.email)
            if queue is None or queue.id is None:
                return Outcome(target.address, kind, Result.SKIPPED, migration_text("owner_gone", owner=owner.label))
            queue_id = queue.id
            owner_mailbox = await tx.mailboxes.by_queue(queue.id)
        existing = await tx.mailboxes.by_address(target.address)
        current = None
        if existing is not None:
            current_profile = await tx.profiles.get(existing.profile_id)
            current = current_profile.name if current_profile else None
        owner_id = user_id if user_id is not None else queue_id
        action, detail = decide_mailbox(target, existing, current, owner_id, owner_mailbox)
        if action is None:
            return Outcome(target.address, kind, Result.SKIPPED, detail)
        if action is Action.UNCHANGED:
            assert existing is not None
            migrated[target.address] = existing
            return Outcome(target.address, kind, Result.UNCHANGED, detail)
        incoming, outgoing = _channels(profile, target, sends)
        login = target.login if profile.credentials_on is CredentialsOn.MAILBOX else None
        if existing is None:
            mailbox = await tx.mailboxes.add(
                Mailbox(
                    address=target.address,
                    profile_id=profile.id,
                    name=FORWARD_MAILBOX_NAME if target.kind is MailboxKind.FORWARD else "",
                    login=login,
                    incoming=incoming,
                    outgoing=outgoing,
                    act=ChannelState(),
                    process_email_from=since,
                    is_forward_mailbox=target.kind is MailboxKind.FORWARD,
                    user_id=user_id,
                    queue_id=queue_id,
                )
            )
            migrated[target.address] = mailbox
            return Outcome(
                target.address, kind, Result.CREATED, migration_text("created_pending", profile=profile.name)
            )
        mailbox = await tx.mailboxes.update(
            dataclasses.replace(
                existing,
                profile_id=profile.id,
                login=login if login is not None else existing.login,
                incoming=incoming,
                outgoing=outgoing,
                act=ChannelState(),
                process_email_from=since,
                user_id=user_id if owner is not None else existing.user_id,
                queue_id=queue_id if owner is not None else existing.queue_id,
            )
        )
        migrated[target.address] = mailbox
        return Outcome(target.address, kind, Result.UPDATED, detail)

    async def _credentials(
        self,
        tx: Transaction,
        plan: MigrationPlan,
        given: Mapping[Account, str],
        profiles: Mapping[str, Profile],
        migrated: Mapping[str, Mailbox],
        now: dt.datetime,
    ) -> tuple[Outcome, ...]:
        outcomes: list[Outcome] = []
        for account in plan.accounts:
            keys = [
                profile_secret_key(name)
                for name in account.profiles
                if name in profiles
                and profiles[name].credentials_on is CredentialsOn.PROFILE
                and (profiles[name].login or "").lower() == account.login.lower()
            ]
            keys += [mailbox_secret_key(address) for address in account.mailboxes if address in migrated]
            password = given.get(account)
            if password and keys:
                for key in keys:
                    await self._secrets.set_secret(key, password)
                outcomes.append(Outcome(account.label, "password", Result.STORED, migration_text("password_stored")))
            elif password:
                detail = migration_text("password_unused")
                outcomes.append(Outcome(account.label, "password", Result.SKIPPED, detail))

        # what still has no password, by profile: the profile's service account or its mailboxes'
        missing: dict[str, list[str]] = {}
        for name, profile in profiles.items():
            on_profile = profile.credentials_on is CredentialsOn.PROFILE
            if on_profile and not await self._has_secret(profile_secret_key(name)):
                if profile.oauth is not None:  # an application signs in: no password, a sign-in
                    detail = migration_text("signin_needed_profile", profile=shlex.quote(name))
                    outcomes.append(Outcome(name, "sign-in", Result.NEEDED, detail))
                    continue
                missing.setdefault(name, []).append(migration_text("service_account", login=profile.login))
        by_id = {p.id: name for name, p in profiles.items()}
        for address, mailbox in migrated.items():
            owner_profile = by_id.get(mailbox.profile_id)
            if owner_profile is None or profiles[owner_profile].credentials_on is not CredentialsOn.MAILBOX:
                continue
            if profiles[owner_profile].oauth is not None:
                continue  # each mailbox signs in (mailbox sign-in); the engine alerts until it has
            if not await self._has_secret(mailbox_secret_key(address)):
                missing.setdefault(owner_profile, []).append(address)
        for name, what in sorted(missing.items()):
            detail = migration_text("password_needed", what=", ".join(what))
            outcomes.append(Outcome(name, "password", Result.NEEDED, detail))

        open_alerts = {
            alert.profile_id: alert
            for alert in await tx.alerts.list()
            if alert.code == CREDENTIALS_ALERT and not alert.cleared
        }
        for name, profile in profiles.items():
            alert = open_alerts.get(profile.id)
            if name in missing and alert is None:
                await tx.alerts.add(_credentials_alert(profile, missing[name], now))
            elif name not in missing and alert is not None and alert.id is not None:
                await tx.alerts.clear([alert.id], now)
        return tuple(outcomes)

    async def _has_secret(self, key: str) -> bool:
        try:
            return await self._secrets.has_secret(key)
        except SecretStoreUnavailable:
            return False  # nobody can tell: asking again is the safe side


def migration_subject(plan: MigrationPlan) -> str:
    """What a migration's events name: the routers' folders."""
    return ", ".join(plan.routers)


def _channels(profile: Profile, target: RouterMailbox, sent: bool) -> tuple[ChannelState, ChannelState]:
    """Incoming and outgoing as the router did them; appointments, contacts and tasks stay off
    (the router never synchronized them). Nothing is enabled before Test & Enable."""
    server_side = ChannelState(method=SyncMethod.SERVER_SIDE)
    incoming = server_side if target.incoming is not None else ChannelState()
    can_send = profile.outgoing is not None or profile.kind.is_exchange
    outgoing = server_side if sent and can_send and target.kind is not MailboxKind.FORWARD else ChannelState()
    return incoming, outgoing


def _credentials_alert(profile: Profile, what: Sequence[str], now: dt.datetime) -> Alert:
    shown = ", ".join(what[:5]) + (f" and {len(what) - 5} more" if len(what) > 5 else "")
    return Alert(
        severity=Severity.WARNING,
        scope=AlertScope.PROFILE,
        code=CREDENTIALS_ALERT,
        facts={"profile": profile.name, "missing": shown},
        profile_id=profile.id,
        created_at=now,
    )
