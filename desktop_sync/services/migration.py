"""Migration from the legacy E-mail Router: read its files, plan what would be created, then run it.

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
import enum
import json
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop_sync.domain.email_router import (
    KEY_FILE,
    MAX_ROUTERS,
    MAX_TOTAL_BYTES,
    ROUTER_FILES,
    STATE_FILE,
    Account,
    MailboxKind,
    MergedProfile,
    OwnerKind,
    RouterFileError,
    RouterFiles,
    RouterMailbox,
    RouterReading,
    RouterWarning,
    StoreSnapshot,
    WarningCode,
    accounts_for,
    analyze,
    check_encryption_key,
    parse_agent_config,
    parse_system_state,
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
    ProfileKind,
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

PROCESS_EMAIL_FROM_HOURS = 24  # Microsoft's migration sets "Process Email From" 24 hours back
TEST_ENABLE_BATCH = 200  # Microsoft: test and enable at most 200 mailboxes every 5 hours
CREDENTIALS_ALERT = "migration_credentials_needed"
FORWARD_MAILBOX_NAME = "Forward mailbox"
MIGRATION_OPERATION = "migration"  # the OperationProgress / OperationFinished events' operation


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# --- reading the files -------------------------------------------------------------------------------


def _size(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:.1f} KB"


def read_router_files(paths: Sequence[str | Path]) -> list[RouterFiles]:
    """Read the three files of each router directory. One RouterFileError names the first bad file.

    Sizes are checked before anything is parsed, so an oversized set is refused at once.
    """
    if not paths:
        raise ValidationError.single("routers", migration_text("no_folder_given"))
    if len(paths) > MAX_ROUTERS:
        raise ValidationError.single("routers", migration_text("too_many_routers", limit=MAX_ROUTERS, count=len(paths)))
    located: list[tuple[Path, list[tuple[Path, int]]]] = []
    seen: set[Path] = set()
    total = 0
    for raw in paths:
        directory = Path(raw).expanduser()
        if not directory.exists():
            raise RouterFileError(str(directory), migration_text("no_such_folder"))
        if not directory.is_dir():
            raise RouterFileError(str(directory), migration_text("not_a_folder"))
        resolved = directory.resolve()
        if resolved in seen:
            raise RouterFileError(str(directory), migration_text("router_twice"))
        seen.add(resolved)
        try:
            entries = [p for p in directory.iterdir() if p.is_file()]
        except OSError as exc:
            raise RouterFileError(str(directory), migration_text("unreadable", reason=exc.strerror)) from exc
        files: list[tuple[Path, int]] = []
        for name in ROUTER_FILES:
            matches = sorted(p for p in entries if p.name.lower() == name.lower())
            if not matches:
                raise RouterFileError(
                    str(directory / name), migration_text("file_missing", files=", ".join(ROUTER_FILES))
                )
            if len(matches) > 1:
                raise RouterFileError(str(matches[1]), migration_text("case_twins", name=name))
            path = matches[0]
            size = path.stat().st_size
            if size == 0:
                raise RouterFileError(str(path), migration_text("file_empty"))
            total += size
            if size > MAX_TOTAL_BYTES:
                raise RouterFileError(
                    str(path), migration_text("file_too_large", size=_size(size), limit=_size(MAX_TOTAL_BYTES))
                )
            if total > MAX_TOTAL_BYTES:
                raise RouterFileError(
                    str(path),
                    migration_text("files_too_large", size=_size(total), limit=_size(MAX_TOTAL_BYTES)),
                )
            files.append((path, size))
        located.append((directory, files))

    routers: list[RouterFiles] = []
    for directory, files in located:
        contents: dict[str, bytes] = {}
        for path, _size_found in files:
            try:
                with path.open("rb") as handle:
                    data = handle.read(MAX_TOTAL_BYTES + 1)
            except OSError as exc:
                raise RouterFileError(str(path), migration_text("unreadable", reason=exc.strerror)) from exc
            if len(data) > MAX_TOTAL_BYTES:
                raise RouterFileError(str(path), migration_text("read_too_large", limit=_size(MAX_TOTAL_BYTES)))
            contents[path.name.lower()] = data
        agent_path, state_path, key_path = (path for path, _ in files)
        # the key only has to be there and well-formed; it is a secret, so it is dropped at once
        check_encryption_key(contents.pop(KEY_FILE.lower()), str(key_path))
        state = parse_system_state(contents.pop(STATE_FILE.lower()), str(state_path))
        agent = parse_agent_config(contents.pop(agent_path.name.lower()), str(agent_path))
        sizes = tuple((path.name, size) for path, size in files)
        routers.append(RouterFiles(str(directory), agent, state, sizes))
    return routers


# --- the plan ----------------------------------------------------------------------------------------


class Action(enum.Enum):
    CREATE = "create"
    KEEP = "keep"  # a profile of that name exists: used as it is
    UPDATE = "update"
    UNCHANGED = "unchanged"


class MigrationStep(enum.Enum):
    PROFILES = "Creating email server profiles"
    FORWARD_MAILBOXES = "Creating forward mailboxes"
    MAILBOXES = "Updating user and queue mailboxes"


@dataclass(frozen=True, slots=True)
class PlannedProfile:
    merged: MergedProfile
    action: Action
    detail: str = ""

    @property
    def name(self) -> str:
        return self.merged.name


@dataclass(frozen=True, slots=True)
class PlannedMailbox:
    mailbox: RouterMailbox
    action: Action
    detail: str = ""

    @property
    def address(self) -> str:
        return self.mailbox.address


@dataclass(frozen=True, slots=True)
class Skipped:
    """Something found that will not be migrated, and why."""

    subject: str
    kind: str  # "profile", "forward mailbox", "queue mailbox", "user mailbox", "mailbox"
    reason: str


@dataclass(frozen=True, slots=True)
class MigrationPlan:
    """What a migration would do: the dry run. Mailboxes in the order they are migrated."""

    routers: tuple[str, ...]
    profiles: tuple[PlannedProfile, ...]
    forward_mailboxes: tuple[PlannedMailbox, ...]
    mailboxes: tuple[PlannedMailbox, ...]  # queues first, then users
    skipped: tuple[Skipped, ...]
    accounts: tuple[Account, ...]  # in the order passwords are asked
    warnings: tuple[RouterWarning, ...]
    reading: RouterReading = field(repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "routers": list(self.routers),
            "router_profiles": [
                {
                    "direction": p.role.value,
                    "name": p.name,
                    "settings": p.settings.describe(),
                    "providers": len(p.sources),
                    "mailboxes": list(p.addresses),
                    "user_ids": list(p.user_ids),
                    "queue_ids": list(p.queue_ids),
                    "unknown_elements": [{"name": s.name, "value": s.value} for s in p.unknown],
                    "problem": p.problem,
                }
                for p in self.reading.incoming + self.reading.outgoing
            ],
            "profiles": [
                {
                    "name": p.name,
                    "action": p.action.value,
                    "detail": p.detail,
                    "incoming": p.merged.incoming,
                    "outgoing": p.merged.outgoing,
                    **_profile_fields(p.merged.profile),
                }
                for p in self.profiles
            ],
            "forward_mailboxes": [_planned_mailbox_json(m) for m in self.forward_mailboxes],
            "mailboxes": [_planned_mailbox_json(m) for m in self.mailboxes],
            "skipped": [{"subject": s.subject, "kind": s.kind, "reason": s.reason} for s in self.skipped],
            "accounts": [_account_json(a) for a in self.accounts],
            "warnings": [_warning_json(w) for w in self.warnings],
        }

    def to_text(self) -> str:
        lines = [f"E-mail Router migration plan ({len(self.routers)} router(s)); nothing has been written."]
        for summary in self.reading.routers:
            files = ", ".join(f"{name} {_size(size)}" for name, size in summary.sizes)
            lines.append(f"  {summary.directory}: {summary.providers} provider(s); {files}")
            if summary.deployments:
                lines.append("    CRM deployment(s): " + ", ".join(summary.deployments))
        lines.append("")
        lines.append("Router profiles found:")
        for p in self.reading.incoming + self.reading.outgoing:
            lines.append(f"  {p.label}: {p.settings.describe()}; {len(p.sources)} provider(s)")
            lines.extend(f"    {_warning_line(w)}" for w in self.reading.warnings_for(p.label))
        lines.append("")
        lines.append("Email server profiles (each merges the incoming and outgoing profiles a mailbox used):")
        if not self.profiles:
            lines.append("  none")
        for planned in self.profiles:
            merged = planned.merged
            lines.append(f"  [{planned.action.value}] {planned.name}")
            pair = " + ".join(x for x in (merged.incoming, merged.outgoing) if x)
            lines.append(f"    from: {pair}" + (" (for forward mailboxes)" if merged.forward_only else ""))
            if merged.profile is not None:
                lines.append(f"    {_profile_summary(merged.profile)}")
            if planned.detail:
                lines.append(f"    {planned.detail}")
            lines.extend(f"    {_warning_line(w)}" for w in self.warnings if w.profile == planned.name)
        lines.append("")
        lines.append("Mailboxes (forward mailboxes, then queues, then users):")
        if not (self.forward_mailboxes or self.mailboxes):
            lines.append("  none")
        for planned_mailbox in self.forward_mailboxes + self.mailboxes:
            lines.append(f"  {_mailbox_line(planned_mailbox)}")
        if self.skipped:
            lines.append("")
            lines.append("Not migrated:")
            lines.extend(f"  {s.kind} {s.subject}: {s.reason}" for s in self.skipped)
        lines.append("")
        if self.accounts:
            lines.append(
                "Passwords to enter (the router's are encrypted and are not migrated). With --password-stdin, "
                "give one line per account in this order; an empty line skips one:"
            )
            lines.extend(f"  {i}. {a.label}" for i, a in enumerate(self.accounts, 1))
        else:
            lines.append("No password to enter.")
        general = [w for w in self.warnings if w.profile is None]
        if general:
            lines.append("")
            lines.append("Warnings:")
            lines.extend(f"  {_warning_line(w)}" for w in general)
        return "\n".join(lines) + "\n"


def _planned_mailbox_json(planned: PlannedMailbox) -> dict[str, Any]:
    m = planned.mailbox
    return {
        "address": m.address,
        "kind": m.kind.value,
        "owner": m.owner.email if m.owner else None,
        "owner_name": m.owner.name if m.owner else None,
        "profile": m.profile,
        "incoming": m.incoming,
        "outgoing": m.outgoing,
        "login": m.login,
        "action": planned.action.value,
        "detail": planned.detail,
        "threshold_date": m.threshold.isoformat() if m.threshold else None,
        "threshold_unset": m.threshold_unset,
    }


def _account_json(account: Account) -> dict[str, Any]:
    return {
        "login": account.login,
        "server": account.server,
        "credentials_on": account.scope.value,
        "profiles": list(account.profiles),
        "mailboxes": list(account.mailboxes),
    }


def _warning_json(warning: RouterWarning) -> dict[str, Any]:
    return {
        "code": warning.code.value,
        "profile": warning.profile,
        "blocking": warning.blocking,
        "message": warning.message,
    }


def _warning_line(warning: RouterWarning) -> str:
    return ("not migrated: " if warning.blocking and "not migrated" not in warning.message else "warning: ") + (
        warning.message
    )


def _profile_fields(profile: Profile | None) -> dict[str, Any]:
    if profile is None:
        return {}
    return {
        "kind": profile.kind.value,
        "incoming_host": profile.incoming.host,
        "incoming_port": profile.incoming.port,
        "incoming_security": profile.incoming.security.value,
        "outgoing_host": profile.outgoing.host if profile.outgoing else None,
        "outgoing_port": profile.outgoing.port if profile.outgoing else None,
        "outgoing_security": profile.outgoing.security.value if profile.outgoing else None,
        "ews_url": profile.ews_url,
        "auth": profile.auth.value,
        "credentials_on": profile.credentials_on.value,
        "login": profile.login,
        "allow_insecure": profile.allow_insecure,
        "delete_after_download": profile.delete_after_download,
    }


def _profile_summary(p: Profile) -> str:
    incoming = p.ews_url if p.kind is ProfileKind.EXCHANGE else f"{p.incoming.host}:{p.incoming.port}"
    text = f"{p.kind.value}, incoming {incoming} {p.incoming.security.value}"
    if p.outgoing:
        text += f", outgoing {p.outgoing.host}:{p.outgoing.port} {p.outgoing.security.value}"
    elif p.kind is ProfileKind.EXCHANGE:
        text += ", outgoing through EWS"
    else:
        text += ", no outgoing server"
    text += f", auth {p.auth.value}, credentials on the {p.credentials_on.value}"
    if p.login:
        text += f" ({p.login})"
    return text + (", allow insecure" if p.allow_insecure else "")


def _mailbox_line(planned: PlannedMailbox) -> str:
    m = planned.mailbox
    owner = f" ({m.owner.label})" if m.owner else ""
    text = f"[{planned.action.value}] {m.kind.value} {m.address}{owner} -> {m.profile}"
    if m.threshold is not None:
        text += f"; router ThresholdDate {m.threshold.isoformat()}"
    elif m.threshold_unset:
        text += "; router ThresholdDate unset (0001-01-01)"
    return text + (f"; {planned.detail}" if planned.detail else "")


def _mailbox_kind_label(mailbox: RouterMailbox) -> str:
    return {
        MailboxKind.FORWARD: "forward mailbox",
        MailboxKind.QUEUE: "queue mailbox",
        MailboxKind.USER: "user mailbox",
        MailboxKind.UNMATCHED: "mailbox",
    }[mailbox.kind]


CLEAR_TEXT_BLOCKED = migration_text("clear_text_blocked")


def plan_migration(
    reading: RouterReading, selection: Collection[str] | None = None, allow_insecure: Collection[str] = ()
) -> MigrationPlan:
    """What migrating the selected profiles (all when None) would do, against the store the reading saw.

    A profile that needs clear text (its router used no TLS) is blocked unless named in
    ``allow_insecure``: skipped with its mailboxes, its warning made blocking.
    Raises ValidationError (field ``select`` or ``allow_insecure``) for a name that is not one of the
    profiles found.
    """
    by_lower = {p.name.lower(): p for p in reading.profiles}
    allowed: set[str] = set()
    for name in allow_insecure:
        found = by_lower.get(name.strip().lower())
        if found is None:
            known = "; ".join(p.name for p in reading.profiles) or "none"
            raise ValidationError.single(
                "allow_insecure", f"no profile {name!r} was found; the profiles found: {known}"
            )
        allowed.add(found.name)
    blocked = {p.name for p in reading.profiles if p.data.allow_insecure and p.name not in allowed}
    if selection is None:
        chosen = {p.name for p in reading.profiles}
    else:
        chosen = set()
        for name in selection:
            found = by_lower.get(name.strip().lower())
            if found is None:
                known = "; ".join(p.name for p in reading.profiles) or "none"
                raise ValidationError.single("select", f"no profile {name!r} was found; the profiles found: {known}")
            chosen.add(found.name)

    snapshot = reading.snapshot
    existing_profiles = {p.name: p for p in snapshot.profiles}
    profile_names = {p.id: p.name for p in snapshot.profiles}
    skipped: list[Skipped] = []
    profiles: list[PlannedProfile] = []
    for merged in reading.profiles:
        if merged.name not in chosen:
            skipped.append(Skipped(merged.name, "profile", migration_text("not_selected")))
        elif merged.profile is None:
            skipped.append(Skipped(merged.name, "profile", merged.problem or migration_text("cannot_be_migrated")))
        elif merged.name in blocked:
            skipped.append(Skipped(merged.name, "profile", CLEAR_TEXT_BLOCKED))
        elif merged.name in existing_profiles:
            detail = _difference(existing_profiles[merged.name], merged.profile)
            profiles.append(PlannedProfile(merged, Action.KEEP, detail))
        else:
            profiles.append(PlannedProfile(merged, Action.CREATE))
    planned_names = {p.name for p in profiles}

    mailboxes_by_address = {m.address.lower(): m for m in snapshot.mailboxes}
    owner_ids: dict[tuple[OwnerKind, str], int | None] = {
        (OwnerKind.USER, u.email.lower()): u.id for u in snapshot.users
    }
    owner_ids.update({(OwnerKind.QUEUE, q.email.lower()): q.id for q in snapshot.queues})
    by_user = {m.user_id: m for m in snapshot.mailboxes if m.user_id is not None}
    by_queue = {m.queue_id: m for m in snapshot.mailboxes if m.queue_id is not None}
    forward: list[PlannedMailbox] = []
    owned: list[PlannedMailbox] = []
    for mailbox in reading.mailboxes:
        kind = _mailbox_kind_label(mailbox)
        if mailbox.problem or mailbox.profile is None:
            skipped.append(Skipped(mailbox.address, kind, mailbox.problem or migration_text("no_profile")))
            continue
        if mailbox.profile not in planned_names:
            if mailbox.profile not in chosen:
                why = "profile_not_selected"
            elif mailbox.profile in blocked:
                why = "profile_blocked"
            else:
                why = "profile_unusable"
            skipped.append(Skipped(mailbox.address, kind, migration_text(why, profile=mailbox.profile)))
            continue
        existing = mailboxes_by_address.get(mailbox.address.lower())
        owner_id: int | None = None
        owner_mailbox: Mailbox | None = None
        if mailbox.owner is not None:
            owner_id = owner_ids.get((mailbox.owner.kind, mailbox.owner.email))
            index: Mapping[Any, Mailbox] = by_user if mailbox.owner.kind is OwnerKind.USER else by_queue
            owner_mailbox = index.get(owner_id)
        current = profile_names.get(existing.profile_id) if existing else None
        action, detail = _decide(mailbox, existing, current, owner_id, owner_mailbox)
        if action is None:
            skipped.append(Skipped(mailbox.address, kind, detail))
            continue
        (forward if mailbox.kind is MailboxKind.FORWARD else owned).append(PlannedMailbox(mailbox, action, detail))
    # Microsoft's advice: queues first, then users
    owned.sort(key=lambda p: (p.mailbox.kind is not MailboxKind.QUEUE, p.address))

    router_labels = {p.label for p in reading.incoming + reading.outgoing}
    warnings = tuple(
        _blocking_if(w, blocked, reading)
        for w in reading.warnings
        if w.profile is None or w.profile in chosen or w.profile in router_labels
    )
    return MigrationPlan(
        routers=tuple(r.directory for r in reading.routers),
        profiles=tuple(profiles),
        forward_mailboxes=tuple(forward),
        mailboxes=tuple(owned),
        skipped=tuple(skipped),
        accounts=_planned_accounts(reading, planned_names, {p.address for p in forward + owned}),
        warnings=warnings,
        reading=reading,
    )


def _blocking_if(warning: RouterWarning, blocked: Collection[str], reading: RouterReading) -> RouterWarning:
    """A clear-text warning of a blocked profile is why it is not migrated: blocking, and saying so."""
    if warning.code is not WarningCode.NON_SSL or warning.profile is None:
        return warning
    concerned = {
        p.name for p in reading.profiles if warning.profile in (p.name, p.incoming, p.outgoing)
    } & set(blocked)
    if not concerned:
        return warning
    return dataclasses.replace(warning, blocking=True, message=f"{warning.message}; {CLEAR_TEXT_BLOCKED}")


def _planned_accounts(
    reading: RouterReading, profiles: Collection[str], addresses: Collection[str]
) -> tuple[Account, ...]:
    """The accounts of the planned profiles, keeping only mailboxes that are migrated."""
    accounts: list[Account] = []
    for account in accounts_for(reading, profiles):
        if account.scope is CredentialsOn.MAILBOX:
            kept = tuple(a for a in account.mailboxes if a in addresses)
            if not kept:
                continue
            account = dataclasses.replace(account, mailboxes=kept)
        accounts.append(account)
    return tuple(accounts)


def _difference(existing: Profile, wanted: Profile) -> str:
    differs = [
        label
        for label, a, b in (
            ("kind", existing.kind, wanted.kind),
            ("incoming server", existing.incoming, wanted.incoming),
            ("outgoing server", existing.outgoing, wanted.outgoing),
            ("EWS URL", existing.ews_url, wanted.ews_url),
            ("authentication", existing.auth, wanted.auth),
            ("credentials", (existing.credentials_on, existing.login), (wanted.credentials_on, wanted.login)),
        )
        if a != b
    ]
    if not differs:
        return migration_text("profile_exists_same")
    return migration_text("profile_exists_differs", settings=", ".join(differs))


def _decide(
    target: RouterMailbox,
    existing: Mailbox | None,
    existing_profile: str | None,
    owner_id: int | None,
    owner_mailbox: Mailbox | None,
) -> tuple[Action | None, str]:
    """What to do with one mailbox given what the store holds; (None, why) when it is left alone."""
    owner = target.owner
    if existing is None:
        if owner is not None and owner_mailbox is not None:
            return None, migration_text(
                "owner_has_other_mailbox_kind", owner=owner.label, address=owner_mailbox.address, kind=owner.kind.value
            )
        return Action.CREATE, ""
    mine = False
    if target.kind is MailboxKind.FORWARD:
        if existing.user_id is not None or existing.queue_id is not None:
            return None, migration_text("address_belongs_to_owner")
    else:
        assert owner is not None
        if existing.is_forward_mailbox:
            return None, migration_text("forward_exists")
        current = existing.user_id if owner.kind is OwnerKind.USER else existing.queue_id
        mine = owner_id is not None and current == owner_id
        if not mine and (existing.user_id is not None or existing.queue_id is not None):
            return (
                None,
                migration_text("address_belongs_to_other"),
            )
        if not mine and owner_mailbox is not None:
            return None, migration_text("owner_has_mailbox", owner=owner.label, address=owner_mailbox.address)
    if existing_profile == target.profile and (mine or target.kind is MailboxKind.FORWARD):
        return Action.UNCHANGED, migration_text("already_migrated")
    if existing_profile != target.profile:
        return Action.UPDATE, migration_text("moves_profile", profile=existing_profile)
    return Action.UPDATE, (
        migration_text("mapped_to", owner=owner.label) if owner else migration_text("mapped_to_nobody")
    )


# --- the report --------------------------------------------------------------------------------------


class Result(enum.Enum):
    CREATED = "created"
    KEPT = "kept"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    SKIPPED = "skipped"
    STORED = "stored"  # a password went to the keyring
    NEEDED = "needed"  # a password is still missing


@dataclass(frozen=True, slots=True)
class Outcome:
    subject: str
    kind: str
    result: Result
    detail: str = ""


@dataclass(frozen=True, slots=True)
class MigrationReport:
    """What a migration did; saved by the wizard as text or JSON."""

    started_at: dt.datetime
    finished_at: dt.datetime
    process_email_from: dt.datetime
    routers: tuple[str, ...]
    profiles: tuple[Outcome, ...]
    forward_mailboxes: tuple[Outcome, ...]
    mailboxes: tuple[Outcome, ...]
    credentials: tuple[Outcome, ...]
    skipped: tuple[Skipped, ...]
    warnings: tuple[RouterWarning, ...]

    def count(self, result: Result) -> int:
        """How many mailboxes (forward, queues' and users') had this result."""
        return sum(o.result is result for o in self.forward_mailboxes + self.mailboxes)

    @property
    def ready_for_test(self) -> tuple[str, ...]:
        """The mailboxes created or changed: each needs approval and Test & Enable."""
        done = (Result.CREATED, Result.UPDATED)
        return tuple(o.subject for o in self.forward_mailboxes + self.mailboxes if o.result in done)

    @property
    def next_steps(self) -> tuple[str, ...]:
        steps = []
        needed = [o for o in self.credentials if o.result is Result.NEEDED]
        if needed:
            steps.append(
                f"Enter the {len(needed)} missing password(s) listed under Credentials (profile editor, or "
                "desktop-sync mailbox set-password ADDRESS); the profiles concerned carry a "
                "'credentials needed' alert."
            )
        if self.ready_for_test:
            steps.append(
                f"{len(self.ready_for_test)} mailbox(es) are left for you to approve and Test & Enable "
                "(desktop-sync mailbox approve ADDRESS, then desktop-sync mailbox test-enable ADDRESS). Nothing "
                f"synchronizes before that. Test and enable at most {TEST_ENABLE_BATCH} mailboxes per batch "
                "(Microsoft advises at most 200 every 5 hours), queues first."
            )
        steps.append(
            f"New profiles process email from {self.process_email_from.isoformat(timespec='minutes')} "
            f"({PROCESS_EMAIL_FROM_HOURS} hours before the migration), and so do the migrated mailboxes."
        )
        if any(w.code.value in ("non_ssl", "exchange_online_basic", "local_system") for w in self.warnings):
            steps.append(
                "Review the warnings before Test & Enable: some profiles need their security or sign-in changed."
            )
        steps.append("When the mailboxes work, stop the E-mail Router so that mail is not processed twice.")
        return tuple(steps)

    def to_dict(self) -> dict[str, Any]:
        def outcomes(items: Sequence[Outcome]) -> list[dict[str, str]]:
            return [{"subject": o.subject, "kind": o.kind, "result": o.result.value, "detail": o.detail} for o in items]

        return {
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat(),
            "process_email_from": self.process_email_from.isoformat(),
            "routers": list(self.routers),
            "profiles": outcomes(self.profiles),
            "forward_mailboxes": outcomes(self.forward_mailboxes),
            "mailboxes": outcomes(self.mailboxes),
            "credentials": outcomes(self.credentials),
            "skipped": [{"subject": s.subject, "kind": s.kind, "reason": s.reason} for s in self.skipped],
            "warnings": [_warning_json(w) for w in self.warnings],
            "ready_for_test_and_enable": list(self.ready_for_test),
            "next_steps": list(self.next_steps),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"

    def summary(self) -> str:
        """One line: how many profiles and mailboxes were created, kept, updated, skipped."""
        return (
            f"Profiles: {sum(o.result is Result.CREATED for o in self.profiles)} created, "
            f"{sum(o.result is Result.KEPT for o in self.profiles)} already there. "
            f"Mailboxes: {self.count(Result.CREATED)} created, {self.count(Result.UPDATED)} updated, "
            f"{self.count(Result.UNCHANGED)} unchanged, {self.count(Result.SKIPPED)} skipped."
        )

    def to_text(self) -> str:
        lines = [
            f"E-mail Router migration report, {self.started_at.isoformat(timespec='seconds')}",
            "Routers: " + ", ".join(self.routers),
            self.summary(),
        ]
        for title, items in (
            (MigrationStep.PROFILES.value, self.profiles),
            (MigrationStep.FORWARD_MAILBOXES.value, self.forward_mailboxes),
            (MigrationStep.MAILBOXES.value, self.mailboxes),
            ("Credentials", self.credentials),
        ):
            lines.append("")
            lines.append(f"{title}:")
            if not items:
                lines.append("  none")
            lines.extend(f"  [{o.result.value}] {o.subject}" + (f": {o.detail}" if o.detail else "") for o in items)
        if self.skipped:
            lines.append("")
            lines.append("Not migrated:")
            lines.extend(f"  {s.kind} {s.subject}: {s.reason}" for s in self.skipped)
        if self.warnings:
            lines.append("")
            lines.append("Warnings:")
            lines.extend(
                f"  {w.profile + ': ' if w.profile else ''}{_warning_line(w)}" for w in self.warnings if not w.blocking
            )
        lines.append("")
        lines.append("Next steps:")
        lines.extend(f"  - {step}" for step in self.next_steps)
        return "\n".join(lines) + "\n"


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
        self, reading: RouterReading, selection: Collection[str] | None = None, allow_insecure: Collection[str] = ()
    ) -> MigrationPlan:
        return plan_migration(reading, selection, allow_insecure)

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
            return Outcome(planned.name, "profile", Result.KEPT, _difference(existing, wanted))
        profiles[planned.name] = await tx.profiles.add(dataclasses.replace(wanted, process_email_from=since))
        return Outcome(planned.name, "profile", Result.CREATED, _profile_summary(wanted))

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
        kind = _mailbox_kind_label(target)
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
        action, detail = _decide(target, existing, current, owner_id, owner_mailbox)
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
                missing.setdefault(name, []).append(migration_text("service_account", login=profile.login))
        by_id = {p.id: name for name, p in profiles.items()}
        for address, mailbox in migrated.items():
            owner_profile = by_id.get(mailbox.profile_id)
            if owner_profile is None or profiles[owner_profile].credentials_on is not CredentialsOn.MAILBOX:
                continue
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
    can_send = profile.outgoing is not None or profile.kind is ProfileKind.EXCHANGE
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
