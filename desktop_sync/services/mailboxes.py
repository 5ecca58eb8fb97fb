"""Mailboxes: add, approve, list, and map them to users under the one-to-one rule.

A user has at most one mailbox and a mailbox belongs to at most one user or queue. Mapping that
would take a mailbox from its owner, or give a user a second mailbox, answers ``RemapNeeded``
and changes nothing; confirmed, it breaks the old mapping, stops that synchronization and
records an information alert.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from desktop_sync.domain.errors import NotFoundError, SecretStoreUnavailable, ValidationError
from desktop_sync.domain.model import (
    ActivityStatus,
    Alert,
    AlertScope,
    ApprovalState,
    Channel,
    ChannelState,
    ConnectionTestStatus,
    CredentialsOn,
    Mailbox,
    Profile,
    Queue,
    Severity,
    SyncMethod,
    User,
    effective_process_email_from,
    mailbox_secret_key,
)
from desktop_sync.domain.ports import SecretStore, Store, Transaction
from desktop_sync.domain.validation import field_error, normalize_address
from desktop_sync.engine.enablement import AWAITING_APPROVAL


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True, slots=True)
class Owner:
    """Who a mailbox belongs to: a user or a queue."""

    kind: str  # "user" or "queue"
    email: str
    name: str

    @property
    def label(self) -> str:
        return f"{self.name} <{self.email}>"

    @classmethod
    def of_user(cls, user: User) -> Owner:
        return cls("user", user.email, user.name)

    @classmethod
    def of_queue(cls, queue: Queue) -> Owner:
        return cls("queue", queue.email, queue.name)


@dataclass(frozen=True, slots=True)
class RemapNeeded:
    """The mapping asked for would break another one; nothing was changed. Ask, then confirm."""

    address: str
    new_owner: Owner
    current_owner: Owner | None  # who the mailbox belongs to now
    users_other_mailbox: str | None  # the mailbox the new owner has now, which they would lose

    @property
    def prompt(self) -> str:
        parts = []
        if self.current_owner is not None:
            parts.append(
                f"This mailbox is mapped to {self.current_owner.label}. Map it to "
                f"{self.new_owner.label} instead? The previous mapping and its synchronization will stop."
            )
        if self.users_other_mailbox is not None:
            parts.append(
                f"{self.new_owner.label} is mapped to {self.users_other_mailbox}; that mapping and its "
                "synchronization will stop."
            )
        return " ".join(parts)


@dataclass(frozen=True, slots=True)
class Mapped:
    mailbox: Mailbox
    previous_owner: Owner | None = None
    unmapped_mailbox: str | None = None


@dataclass(frozen=True, slots=True)
class Unchanged:
    mailbox: Mailbox


MapResult = Mapped | RemapNeeded | Unchanged


@dataclass(frozen=True, slots=True)
class ChannelChoice:
    """What an admin chooses for one channel in the mailbox editor."""

    method: SyncMethod
    enabled: bool


@dataclass(frozen=True, slots=True)
class BulkResult:
    """A change asked for several mailboxes: those changed, and those left as they were and why."""

    changed: tuple[str, ...]
    skipped: tuple[tuple[str, str], ...] = ()  # (address, reason)


@dataclass(frozen=True, slots=True)
class MailboxView:
    """A mailbox with what a list needs to show about it."""

    mailbox: Mailbox
    profile: Profile
    owner: Owner | None
    effective_process_email_from: dt.datetime | None
    has_password: bool | None  # None: the keyring cannot be read, so nobody can tell


def default_channels(profile: Profile) -> dict[str, ChannelState]:
    """What a new mailbox synchronizes: all a profile offers, none enabled before Test & Enable."""
    server_side = ChannelState(method=SyncMethod.SERVER_SIDE)
    outgoing = profile.outgoing is not None or profile.kind.is_exchange
    return {
        "incoming": server_side,
        "outgoing": server_side if outgoing else ChannelState(),
        "act": server_side if profile.has_act else ChannelState(),
    }


def stop_sync(mailbox: Mailbox) -> Mailbox:
    """Disable every channel and forget the tests: the mailbox needs Test & Enable again."""

    def stopped(state: ChannelState) -> ChannelState:
        return dataclasses.replace(
            state,
            enabled=False,
            test_status=type(state.test_status).NOT_RUN,
            failed_step=None,
            tested_at=None,
        )

    return dataclasses.replace(
        mailbox,
        incoming=stopped(mailbox.incoming),
        outgoing=stopped(mailbox.outgoing),
        act=stopped(mailbox.act),
    )


class MailboxService:
    def __init__(self, store: Store, secrets: SecretStore, clock: Callable[[], dt.datetime] = utcnow):
        self._store = store
        self._secrets = secrets
        self._clock = clock

    # --- queries ------------------------------------------------------------------------------

    async def list(self) -> Sequence[MailboxView]:
        async with self._store.transaction() as tx:
            profiles = {p.id: p for p in await tx.profiles.list()}
            users = {u.id: u for u in await tx.users.list()}
            queues = {q.id: q for q in await tx.queues.list()}
            mailboxes = await tx.mailboxes.list()
        views = []
        for mailbox in mailboxes:
            profile = profiles[mailbox.profile_id]
            owner = None
            if mailbox.user_id is not None:
                owner = Owner.of_user(users[mailbox.user_id])
            elif mailbox.queue_id is not None:
                owner = Owner.of_queue(queues[mailbox.queue_id])
            has_password: bool | None = False
            if profile.credentials_on is CredentialsOn.MAILBOX:
                try:
                    has_password = await self._secrets.has_secret(mailbox_secret_key(mailbox.address))
                except SecretStoreUnavailable:
                    has_password = None
            views.append(
                MailboxView(mailbox, profile, owner, effective_process_email_from(profile, mailbox), has_password)
            )
        return views

    async def get(self, address: str) -> Mailbox:
        async with self._store.transaction() as tx:
            return await _mailbox(tx, address)

    # --- changes ------------------------------------------------------------------------------

    async def add(
        self,
        address: str,
        profile_name: str,
        *,
        user_email: str | None = None,
        queue_email: str | None = None,
        name: str = "",
        login: str | None = None,
        password: str | None = None,
        process_email_from: dt.datetime | None = None,
        confirm_remap: bool = False,
    ) -> Mapped | RemapNeeded:
        """Add a mailbox, owned by a user or a queue or nobody yet. Nothing is written on error."""
        address = normalize_address(address, "address")
        if user_email and queue_email:
            raise ValidationError.single("queue", field_error("user_and_queue"))
        if process_email_from is not None and process_email_from.tzinfo is None:
            raise ValidationError.single("process_email_from", field_error("date_without_zone"))
        if password is not None:
            if password == "":
                raise ValidationError.single("password", field_error("password_empty"))
            self._secrets.check_secure()
        async with self._store.transaction() as tx:
            profile = await tx.profiles.by_name(profile_name)
            if profile is None:
                raise NotFoundError("profile", f"no profile named {profile_name!r}")
            if password is not None and profile.credentials_on is CredentialsOn.PROFILE:
                raise ValidationError.single("password", field_error("credentials_on_profile", name=repr(profile.name)))
            if await tx.mailboxes.by_address(address) is not None:
                raise ValidationError.single("address", field_error("mailbox_exists", address=address))
            user = await _user(tx, user_email) if user_email else None
            queue = None
            if queue_email:
                queue = await tx.queues.by_email(normalize_address(queue_email, "queue"))
                if queue is None:
                    raise NotFoundError("queue", f"no queue {queue_email}")
                if queue.id is not None and await tx.mailboxes.by_queue(queue.id) is not None:
                    raise ValidationError.single("queue", field_error("queue_has_mailbox", address=queue.email))
            others_mailbox = await tx.mailboxes.by_user(user.id) if user and user.id is not None else None
            if user is not None and others_mailbox is not None and not confirm_remap:
                return RemapNeeded(address, Owner.of_user(user), None, others_mailbox.address)
            if user is not None and others_mailbox is not None:
                await self._unmap(tx, others_mailbox, user, address)
            channels = default_channels(profile)
            assert profile.id is not None
            mailbox = await tx.mailboxes.add(
                Mailbox(
                    address=address,
                    name=name.strip(),
                    profile_id=profile.id,
                    user_id=user.id if user else None,
                    queue_id=queue.id if queue else None,
                    login=login.strip() if login and login.strip() else None,
                    incoming=channels["incoming"],
                    outgoing=channels["outgoing"],
                    act=channels["act"],
                    process_email_from=process_email_from,
                )
            )
            if password is not None:
                # last, inside the transaction: a keyring failure rolls the mailbox back too
                await self._secrets.set_secret(mailbox_secret_key(address), password)
            return Mapped(mailbox, None, others_mailbox.address if others_mailbox else None)

    async def map_to_user(self, address: str, user_email: str, *, confirm: bool = False) -> MapResult:
        """Map a mailbox to a user. Breaking another mapping needs ``confirm``; else RemapNeeded."""
        async with self._store.transaction() as tx:
            mailbox = await _mailbox(tx, address)
            user = await _user(tx, user_email)
            assert user.id is not None
            if mailbox.user_id == user.id:
                return Unchanged(mailbox)
            current_owner = await _owner(tx, mailbox)
            others_mailbox = await tx.mailboxes.by_user(user.id)
            if (current_owner is not None or others_mailbox is not None) and not confirm:
                return RemapNeeded(
                    mailbox.address,
                    Owner.of_user(user),
                    current_owner,
                    others_mailbox.address if others_mailbox else None,
                )
            if others_mailbox is not None:
                await self._unmap(tx, others_mailbox, user, mailbox.address)
            remapped = dataclasses.replace(mailbox, user_id=user.id, queue_id=None)
            if current_owner is not None:
                remapped = stop_sync(remapped)
            remapped = await tx.mailboxes.update(remapped)
            if current_owner is not None:
                facts = {
                    "address": mailbox.address,
                    "old_owner": current_owner.label,
                    "new_owner": Owner.of_user(user).label,
                }
                await tx.alerts.add(self._alert("mailbox_remapped", facts, remapped))
            return Mapped(remapped, current_owner, others_mailbox.address if others_mailbox else None)

    async def approve(self, address: str) -> Mailbox:
        async with self._store.transaction() as tx:
            mailbox = await _mailbox(tx, address)
            if mailbox.approval is ApprovalState.APPROVED:
                return mailbox
            assert mailbox.id is not None
            # Test & Enable's "must be approved" warning has done its work
            await tx.alerts.clear_code(mailbox.id, [AWAITING_APPROVAL], self._clock())
            return await tx.mailboxes.update(dataclasses.replace(mailbox, approval=ApprovalState.APPROVED))

    async def set_password(self, address: str, password: str) -> None:
        if not password:
            raise ValidationError.single("password", field_error("password_empty"))
        self._secrets.check_secure()
        mailbox = await self.get(address)
        await self._secrets.set_secret(mailbox_secret_key(mailbox.address), password)

    async def delete(self, address: str) -> None:
        """Stop synchronizing a mailbox and forget it. Its tracked mail stays in the CRM; a mail still
        waiting to be sent from it keeps it (send or settle that mail first)."""
        unsent = (ActivityStatus.PENDING_SEND, ActivityStatus.SENDING, ActivityStatus.DELIVERY_UNKNOWN)
        async with self._store.transaction() as tx:
            mailbox = await _mailbox(tx, address)
            assert mailbox.id is not None
            waiting = [e for e in await tx.outgoing.by_status(unsent, limit=10_000) if e.mailbox_id == mailbox.id]
            if waiting:
                code = "unsent_mail_one" if len(waiting) == 1 else "unsent_mail"
                raise ValidationError.single(
                    "address", field_error(code, count=str(len(waiting)), address=mailbox.address)
                )
            await tx.mailboxes.delete(mailbox.id)
            # inside the transaction: if the keyring refuses, the mailbox stays too
            await self._secrets.delete_secret(mailbox_secret_key(mailbox.address))

    async def map_to_queue(self, address: str, queue_email: str, *, confirm: bool = False) -> MapResult:
        """Map a mailbox to a queue. Taking it from its owner, or from the queue's mailbox, needs ``confirm``."""
        async with self._store.transaction() as tx:
            mailbox = await _mailbox(tx, address)
            queue = await tx.queues.by_email(normalize_address(queue_email, "queue"))
            if queue is None or queue.id is None:
                raise NotFoundError("queue", f"no queue {queue_email}")
            if mailbox.queue_id == queue.id:
                return Unchanged(mailbox)
            current_owner = await _owner(tx, mailbox)
            queues_mailbox = await tx.mailboxes.by_queue(queue.id)
            if (current_owner is not None or queues_mailbox is not None) and not confirm:
                return RemapNeeded(
                    mailbox.address,
                    Owner.of_queue(queue),
                    current_owner,
                    queues_mailbox.address if queues_mailbox else None,
                )
            if queues_mailbox is not None:
                await tx.mailboxes.update(stop_sync(dataclasses.replace(queues_mailbox, queue_id=None)))
            remapped = dataclasses.replace(mailbox, user_id=None, queue_id=queue.id)
            if current_owner is not None:
                remapped = stop_sync(remapped)
            remapped = await tx.mailboxes.update(remapped)
            if current_owner is not None:
                facts = {
                    "address": mailbox.address,
                    "old_owner": current_owner.label,
                    "new_owner": Owner.of_queue(queue).label,
                }
                await tx.alerts.add(self._alert("mailbox_remapped", facts, remapped))
            return Mapped(remapped, current_owner, queues_mailbox.address if queues_mailbox else None)

    async def unmap(self, address: str) -> MapResult:
        """Leave a mailbox without an owner; its synchronization stops until Test & Enable."""
        async with self._store.transaction() as tx:
            mailbox = await _mailbox(tx, address)
            current_owner = await _owner(tx, mailbox)
            if current_owner is None:
                return Unchanged(mailbox)
            unmapped = await tx.mailboxes.update(stop_sync(dataclasses.replace(mailbox, user_id=None, queue_id=None)))
            return Mapped(unmapped, current_owner)

    async def update_settings(
        self,
        address: str,
        *,
        name: str,
        login: str | None,
        process_email_from: dt.datetime | None,
        channels: Mapping[Channel, ChannelChoice],
    ) -> Mailbox:
        """Change what the mailbox editor shows besides its owner and password. Nothing is written on error.

        A channel whose method changes forgets its last test; a channel switched off stays tested.
        """
        errors: dict[str, str] = {}
        if process_email_from is not None and process_email_from.tzinfo is None:
            errors["process_email_from"] = "the date needs a time zone"
        if len(name.strip()) > 200:
            errors["name"] = "at most 200 characters"
        async with self._store.transaction() as tx:
            mailbox = await _mailbox(tx, address)
            profile = await tx.profiles.get(mailbox.profile_id)
            assert profile is not None
            states: dict[Channel, ChannelState] = {}
            for channel in Channel:
                current = mailbox.channel(channel)
                choice = channels.get(channel, ChannelChoice(current.method, current.enabled))
                problem = _channel_problem(profile, channel, choice)
                if problem:
                    errors[channel.value] = problem
                    continue
                state = current
                if choice.method is not current.method:
                    state = ChannelState(method=choice.method)
                states[channel] = dataclasses.replace(state, enabled=choice.enabled)
            if errors:
                raise ValidationError(errors)
            return await tx.mailboxes.update(
                dataclasses.replace(
                    mailbox,
                    name=name.strip(),
                    login=login.strip() if login and login.strip() else None,
                    process_email_from=process_email_from,
                    incoming=states[Channel.INCOMING],
                    outgoing=states[Channel.OUTGOING],
                    act=states[Channel.ACT],
                )
            )

    async def set_enabled(self, addresses: Sequence[str], enabled: bool) -> BulkResult:
        """Disable every channel, or enable again the channels whose last Test & Enable passed."""
        changed: list[str] = []
        skipped: list[tuple[str, str]] = []
        async with self._store.transaction() as tx:
            for address in addresses:
                mailbox = await _mailbox(tx, address)
                states = {channel: mailbox.channel(channel) for channel in Channel}
                if enabled:
                    wanted = {
                        c: s.method is not SyncMethod.NONE and s.test_status is ConnectionTestStatus.SUCCESS
                        for c, s in states.items()
                    }
                    if not any(wanted.values()):
                        skipped.append((mailbox.address, "no channel passed Test & Enable; run Test & Enable"))
                        continue
                else:
                    wanted = dict.fromkeys(states, False)
                new = {c: dataclasses.replace(s, enabled=wanted[c]) for c, s in states.items()}
                if new == states:
                    skipped.append((mailbox.address, "already enabled" if enabled else "already disabled"))
                    continue
                await tx.mailboxes.update(
                    dataclasses.replace(
                        mailbox, incoming=new[Channel.INCOMING], outgoing=new[Channel.OUTGOING], act=new[Channel.ACT]
                    )
                )
                changed.append(mailbox.address)
        return BulkResult(tuple(changed), tuple(skipped))

    async def apply_profile(self, addresses: Sequence[str], profile_name: str) -> BulkResult:
        """Move mailboxes to another profile; their synchronization stops until Test & Enable."""
        changed: list[str] = []
        skipped: list[tuple[str, str]] = []
        async with self._store.transaction() as tx:
            profile = await tx.profiles.by_name(profile_name)
            if profile is None or profile.id is None:
                raise NotFoundError("profile", f"no profile named {profile_name!r}")
            offered = default_channels(profile)
            for address in addresses:
                mailbox = await _mailbox(tx, address)
                if mailbox.profile_id == profile.id:
                    skipped.append((mailbox.address, f"already uses {profile.name}"))
                    continue
                moved = dataclasses.replace(
                    mailbox,
                    profile_id=profile.id,
                    incoming=offered["incoming"],
                    outgoing=offered["outgoing"],
                    act=offered["act"],
                )
                await tx.mailboxes.update(moved)
                changed.append(mailbox.address)
        return BulkResult(tuple(changed), tuple(skipped))

    # --- helpers ------------------------------------------------------------------------------

    async def _unmap(self, tx: Transaction, mailbox: Mailbox, old_owner: User, new_address: str) -> None:
        """Take ``mailbox`` away from ``old_owner``, who is getting another one, and stop its sync."""
        await tx.mailboxes.update(stop_sync(dataclasses.replace(mailbox, user_id=None)))
        facts = {"address": mailbox.address, "old_owner": Owner.of_user(old_owner).label, "other_address": new_address}
        await tx.alerts.add(self._alert("mailbox_unmapped", facts, mailbox))

    def _alert(self, code: str, facts: dict[str, str], mailbox: Mailbox) -> Alert:
        return Alert(
            severity=Severity.INFORMATION,
            scope=AlertScope.MAILBOX,
            code=code,
            facts=facts,
            mailbox_id=mailbox.id,
            profile_id=mailbox.profile_id,
            created_at=self._clock(),
        )


def _channel_problem(profile: Profile, channel: Channel, choice: ChannelChoice) -> str | None:
    """Why ``profile`` cannot synchronize ``channel`` the way ``choice`` says, or None."""
    if choice.enabled and choice.method is SyncMethod.NONE:
        return field_error("channel_method_required")
    if choice.method is SyncMethod.FORWARD_MAILBOX and channel is not Channel.INCOMING:
        return field_error("forward_incoming_only")
    if choice.method is SyncMethod.NONE:
        return None
    if channel is Channel.ACT and not profile.has_act:
        return field_error("act_exchange_only")
    if channel is Channel.OUTGOING and profile.outgoing is None and not profile.kind.is_exchange:
        return field_error("no_outgoing_server", name=repr(profile.name))
    return None


async def _mailbox(tx: Transaction, address: str) -> Mailbox:
    mailbox = await tx.mailboxes.by_address(normalize_address(address, "address"))
    if mailbox is None:
        raise NotFoundError("address", f"no mailbox {address}")
    return mailbox


async def _user(tx: Transaction, email: str) -> User:
    user = await tx.users.by_email(normalize_address(email, "user"))
    if user is None:
        raise NotFoundError("user", f"no user {email}")
    return user


async def _owner(tx: Transaction, mailbox: Mailbox) -> Owner | None:
    if mailbox.user_id is not None:
        user = await tx.users.get(mailbox.user_id)
        return Owner.of_user(user) if user else None
    if mailbox.queue_id is not None:
        queue = await tx.queues.get(mailbox.queue_id)
        return Owner.of_queue(queue) if queue else None
    return None
