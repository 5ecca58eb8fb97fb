"""The migration plan: what migrating the selected merged profiles would create or change, the dry run.

Pure: decided against the store as the reading saw it (``StoreSnapshot``); the service executes it
(``desktop_sync/services/migration.py``), checking the store again.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from desktop_sync.domain.email_router.analysis import accounts_for
from desktop_sync.domain.email_router.merge import with_entra_app
from desktop_sync.domain.email_router.model import (
    Account,
    EntraApp,
    MailboxKind,
    MergedProfile,
    OwnerKind,
    RouterMailbox,
    RouterReading,
    RouterWarning,
    WarningCode,
)
from desktop_sync.domain.errors import ValidationError
from desktop_sync.domain.migration_texts import migration_text
from desktop_sync.domain.model import CredentialsOn, Mailbox, Profile


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
        from desktop_sync.domain.email_router.rendering import plan_dict  # rendering reads this module's types

        return plan_dict(self)

    def to_text(self) -> str:
        from desktop_sync.domain.email_router.rendering import plan_text

        return plan_text(self)


def mailbox_kind_label(mailbox: RouterMailbox) -> str:
    return {
        MailboxKind.FORWARD: "forward mailbox",
        MailboxKind.QUEUE: "queue mailbox",
        MailboxKind.USER: "user mailbox",
        MailboxKind.UNMATCHED: "mailbox",
    }[mailbox.kind]


CLEAR_TEXT_BLOCKED = migration_text("clear_text_blocked")


def plan_migration(
    reading: RouterReading,
    selection: Collection[str] | None = None,
    allow_insecure: Collection[str] = (),
    entra_app: EntraApp | None = None,
) -> MigrationPlan:
    """What migrating the selected profiles (all when None) would do, against the store the reading saw.

    Exchange Online profiles become OAuth 2.0 profiles signing in as ``entra_app``; without it they are
    not migrated (the reason says what to give).

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
    for merged in (with_entra_app(p, entra_app) for p in reading.profiles):
        if merged.name not in chosen:
            skipped.append(Skipped(merged.name, "profile", migration_text("not_selected")))
        elif merged.profile is None:
            skipped.append(Skipped(merged.name, "profile", merged.problem or migration_text("cannot_be_migrated")))
        elif merged.name in blocked:
            skipped.append(Skipped(merged.name, "profile", CLEAR_TEXT_BLOCKED))
        elif merged.name in existing_profiles:
            detail = profile_difference(existing_profiles[merged.name], merged.profile)
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
        kind = mailbox_kind_label(mailbox)
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
        action, detail = decide_mailbox(mailbox, existing, current, owner_id, owner_mailbox)
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
    blocked_message = migration_text("warning_blocked", warning=warning.message)
    return dataclasses.replace(warning, blocking=True, message=blocked_message)


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


def profile_difference(existing: Profile, wanted: Profile) -> str:
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


def decide_mailbox(
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
