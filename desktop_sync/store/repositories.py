"""Repositories: domain value objects in, domain value objects out; rows never leave this module."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from desktop_sync.domain.errors import ValidationError
from desktop_sync.domain.model import (
    Alert,
    AlertId,
    AlertScope,
    ApprovalState,
    AuthMethod,
    ChannelState,
    ConnectionTestStatus,
    CredentialsOn,
    Endpoint,
    Mailbox,
    MailboxId,
    Profile,
    ProfileId,
    ProfileKind,
    Queue,
    QueueId,
    Security,
    Severity,
    SyncMethod,
    TrackingChoice,
    User,
    UserId,
)
from desktop_sync.store.models import AlertRow, MailboxRow, ProfileRow, QueueRow, UserRow


async def _flush(session: AsyncSession, field: str, what: str) -> None:
    """Flush, turning a unique-constraint race into the same answer validation would give."""
    try:
        await session.flush()
    except IntegrityError as exc:
        raise ValidationError.single(field, f"{what} already exists") from exc


# --- profiles -------------------------------------------------------------------------------------


def _profile(row: ProfileRow) -> Profile:
    outgoing = None
    if row.outgoing_host and row.outgoing_port and row.outgoing_security:
        outgoing = Endpoint(row.outgoing_host, row.outgoing_port, Security(row.outgoing_security))
    return Profile(
        id=ProfileId(row.id),
        name=row.name,
        kind=ProfileKind(row.kind),
        incoming=Endpoint(row.incoming_host, row.incoming_port, Security(row.incoming_security)),
        outgoing=outgoing,
        ews_url=row.ews_url,
        auth=AuthMethod(row.auth),
        credentials_on=CredentialsOn(row.credentials_on),
        login=row.login,
        max_connections=row.max_connections,
        timeout_seconds=row.timeout_seconds,
        min_poll_seconds=row.min_poll_seconds,
        process_email_from=row.process_email_from,
        ca_file=row.ca_file,
        allow_insecure=row.allow_insecure,
        delete_after_download=row.delete_after_download,
        tracking_token_prefix=row.tracking_token_prefix,
        tracked_category=row.tracked_category,
        tag_undeliverable=row.tag_undeliverable,
    )


def _fill_profile(row: ProfileRow, p: Profile) -> None:
    row.name = p.name
    row.kind = p.kind.value
    row.incoming_host = p.incoming.host
    row.incoming_port = p.incoming.port
    row.incoming_security = p.incoming.security.value
    row.outgoing_host = p.outgoing.host if p.outgoing else None
    row.outgoing_port = p.outgoing.port if p.outgoing else None
    row.outgoing_security = p.outgoing.security.value if p.outgoing else None
    row.ews_url = p.ews_url
    row.auth = p.auth.value
    row.credentials_on = p.credentials_on.value
    row.login = p.login
    row.max_connections = p.max_connections
    row.timeout_seconds = p.timeout_seconds
    row.min_poll_seconds = p.min_poll_seconds
    row.process_email_from = p.process_email_from
    row.ca_file = p.ca_file
    row.allow_insecure = p.allow_insecure
    row.delete_after_download = p.delete_after_download
    row.tracking_token_prefix = p.tracking_token_prefix
    row.tracked_category = p.tracked_category
    row.tag_undeliverable = p.tag_undeliverable


class SqlProfiles:
    def __init__(self, session: AsyncSession):
        self._s = session

    async def add(self, profile: Profile) -> Profile:
        row = ProfileRow()
        _fill_profile(row, profile)
        self._s.add(row)
        await _flush(self._s, "name", f"a profile named {profile.name!r}")
        return _profile(row)

    async def update(self, profile: Profile) -> Profile:
        row = await self._s.get(ProfileRow, profile.id)
        if row is None:
            raise LookupError(f"profile {profile.id} vanished")
        _fill_profile(row, profile)
        await _flush(self._s, "name", f"a profile named {profile.name!r}")
        return _profile(row)

    async def get(self, profile_id: ProfileId) -> Profile | None:
        row = await self._s.get(ProfileRow, profile_id)
        return _profile(row) if row else None

    async def by_name(self, name: str) -> Profile | None:
        row = await self._s.scalar(select(ProfileRow).where(ProfileRow.name == name))
        return _profile(row) if row else None

    async def list(self) -> Sequence[Profile]:
        rows = await self._s.scalars(select(ProfileRow).order_by(ProfileRow.name))
        return [_profile(r) for r in rows]

    async def delete(self, profile_id: ProfileId) -> None:
        await self._s.execute(delete(ProfileRow).where(ProfileRow.id == profile_id))


# --- users and queues -----------------------------------------------------------------------------


def _user(row: UserRow) -> User:
    return User(
        id=UserId(row.id),
        email=row.email,
        name=row.name,
        crm_id=row.crm_id,
        tracking=TrackingChoice(row.tracking),
        auto_create_contacts=row.auto_create_contacts,
    )


class SqlUsers:
    def __init__(self, session: AsyncSession):
        self._s = session

    async def add(self, user: User) -> User:
        row = UserRow(
            email=user.email,
            name=user.name,
            crm_id=user.crm_id,
            tracking=user.tracking.value,
            auto_create_contacts=user.auto_create_contacts,
        )
        self._s.add(row)
        await _flush(self._s, "email", f"a user {user.email!r} or CRM id")
        return _user(row)

    async def update(self, user: User) -> User:
        row = await self._s.get(UserRow, user.id)
        if row is None:
            raise LookupError(f"user {user.id} vanished")
        row.name = user.name
        row.crm_id = user.crm_id
        row.tracking = user.tracking.value
        row.auto_create_contacts = user.auto_create_contacts
        await _flush(self._s, "crm_id", f"a user with CRM id {user.crm_id}")
        return _user(row)

    async def get(self, user_id: UserId) -> User | None:
        row = await self._s.get(UserRow, user_id)
        return _user(row) if row else None

    async def get_many(self, user_ids: Sequence[UserId]) -> dict[UserId, User]:
        if not user_ids:
            return {}
        rows = await self._s.scalars(select(UserRow).where(UserRow.id.in_(user_ids)))
        return {UserId(r.id): _user(r) for r in rows}

    async def by_email(self, email: str) -> User | None:
        row = await self._s.scalar(select(UserRow).where(UserRow.email == email.lower()))
        return _user(row) if row else None

    async def by_crm_id(self, crm_id: str) -> User | None:
        row = await self._s.scalar(select(UserRow).where(UserRow.crm_id == crm_id.lower()))
        return _user(row) if row else None

    async def list(self) -> Sequence[User]:
        return [_user(r) for r in await self._s.scalars(select(UserRow).order_by(UserRow.email))]


def _queue(row: QueueRow) -> Queue:
    return Queue(id=QueueId(row.id), email=row.email, name=row.name, crm_id=row.crm_id)


class SqlQueues:
    def __init__(self, session: AsyncSession):
        self._s = session

    async def add(self, queue: Queue) -> Queue:
        row = QueueRow(email=queue.email, name=queue.name, crm_id=queue.crm_id)
        self._s.add(row)
        await _flush(self._s, "email", f"a queue {queue.email!r} or CRM id")
        return _queue(row)

    async def get(self, queue_id: QueueId) -> Queue | None:
        row = await self._s.get(QueueRow, queue_id)
        return _queue(row) if row else None

    async def by_email(self, email: str) -> Queue | None:
        row = await self._s.scalar(select(QueueRow).where(QueueRow.email == email.lower()))
        return _queue(row) if row else None

    async def by_crm_id(self, crm_id: str) -> Queue | None:
        row = await self._s.scalar(select(QueueRow).where(QueueRow.crm_id == crm_id.lower()))
        return _queue(row) if row else None

    async def list(self) -> Sequence[Queue]:
        return [_queue(r) for r in await self._s.scalars(select(QueueRow).order_by(QueueRow.email))]


# --- mailboxes ------------------------------------------------------------------------------------


def _channel(row: MailboxRow, prefix: str) -> ChannelState:
    return ChannelState(
        method=SyncMethod(getattr(row, f"{prefix}_method")),
        enabled=getattr(row, f"{prefix}_enabled"),
        test_status=ConnectionTestStatus(getattr(row, f"{prefix}_test_status")),
        failed_step=getattr(row, f"{prefix}_failed_step"),
        tested_at=getattr(row, f"{prefix}_tested_at"),
    )


def _fill_channel(row: MailboxRow, prefix: str, state: ChannelState) -> None:
    setattr(row, f"{prefix}_method", state.method.value)
    setattr(row, f"{prefix}_enabled", state.enabled)
    setattr(row, f"{prefix}_test_status", state.test_status.value)
    setattr(row, f"{prefix}_failed_step", state.failed_step)
    setattr(row, f"{prefix}_tested_at", state.tested_at)


def _mailbox(row: MailboxRow) -> Mailbox:
    return Mailbox(
        id=MailboxId(row.id),
        address=row.address,
        name=row.name,
        profile_id=ProfileId(row.profile_id),
        user_id=UserId(row.user_id) if row.user_id is not None else None,
        queue_id=QueueId(row.queue_id) if row.queue_id is not None else None,
        login=row.login,
        approval=ApprovalState(row.approval),
        incoming=_channel(row, "incoming"),
        outgoing=_channel(row, "outgoing"),
        act=_channel(row, "act"),
        process_email_from=row.process_email_from,
        is_forward_mailbox=row.is_forward_mailbox,
    )


def _fill_mailbox(row: MailboxRow, m: Mailbox) -> None:
    row.address = m.address
    row.name = m.name
    row.profile_id = m.profile_id
    row.user_id = m.user_id
    row.queue_id = m.queue_id
    row.login = m.login
    row.approval = m.approval.value
    _fill_channel(row, "incoming", m.incoming)
    _fill_channel(row, "outgoing", m.outgoing)
    _fill_channel(row, "act", m.act)
    row.process_email_from = m.process_email_from
    row.is_forward_mailbox = m.is_forward_mailbox


class SqlMailboxes:
    def __init__(self, session: AsyncSession):
        self._s = session

    async def add(self, mailbox: Mailbox) -> Mailbox:
        row = MailboxRow()
        _fill_mailbox(row, mailbox)
        self._s.add(row)
        await _flush(self._s, "address", f"a mailbox {mailbox.address!r}")
        return _mailbox(row)

    async def update(self, mailbox: Mailbox) -> Mailbox:
        row = await self._s.get(MailboxRow, mailbox.id)
        if row is None:
            raise LookupError(f"mailbox {mailbox.id} vanished")
        _fill_mailbox(row, mailbox)
        await _flush(self._s, "address", f"a mailbox {mailbox.address!r}")
        return _mailbox(row)

    async def get(self, mailbox_id: MailboxId) -> Mailbox | None:
        row = await self._s.get(MailboxRow, mailbox_id)
        return _mailbox(row) if row else None

    async def get_many(self, mailbox_ids: Sequence[MailboxId]) -> dict[MailboxId, Mailbox]:
        if not mailbox_ids:
            return {}
        rows = await self._s.scalars(select(MailboxRow).where(MailboxRow.id.in_(mailbox_ids)))
        return {MailboxId(r.id): _mailbox(r) for r in rows}

    async def by_address(self, address: str) -> Mailbox | None:
        row = await self._s.scalar(select(MailboxRow).where(MailboxRow.address == address.lower()))
        return _mailbox(row) if row else None

    async def by_user(self, user_id: UserId) -> Mailbox | None:
        row = await self._s.scalar(select(MailboxRow).where(MailboxRow.user_id == user_id))
        return _mailbox(row) if row else None

    async def by_queue(self, queue_id: QueueId) -> Mailbox | None:
        row = await self._s.scalar(select(MailboxRow).where(MailboxRow.queue_id == queue_id))
        return _mailbox(row) if row else None

    async def list(self) -> Sequence[Mailbox]:
        rows = await self._s.scalars(select(MailboxRow).order_by(MailboxRow.address))
        return [_mailbox(r) for r in rows]

    async def delete(self, mailbox_id: MailboxId) -> None:
        # a statement, not the unit of work: the database's ON DELETE rules keep the activities
        # (mailbox set to NULL) and drop the cursors, links, status and leases
        await self._s.execute(delete(MailboxRow).where(MailboxRow.id == mailbox_id))
        self._s.expire_all()


# --- alerts ---------------------------------------------------------------------------------------


def _alert(row: AlertRow) -> Alert:
    return Alert(
        id=AlertId(row.id),
        severity=Severity(row.severity),
        scope=AlertScope(row.scope),
        code=row.code,
        title=row.title,
        cause=row.cause,
        fix=row.fix,
        mailbox_id=MailboxId(row.mailbox_id) if row.mailbox_id is not None else None,
        profile_id=ProfileId(row.profile_id) if row.profile_id is not None else None,
        item_ref=row.item_ref,
        created_at=row.created_at,
        cleared=row.cleared_at is not None,
    )


class SqlAlerts:
    def __init__(self, session: AsyncSession):
        self._s = session

    async def add(self, alert: Alert) -> Alert:
        row = AlertRow(
            severity=alert.severity.value,
            scope=alert.scope.value,
            code=alert.code,
            title=alert.title,
            cause=alert.cause,
            fix=alert.fix,
            mailbox_id=alert.mailbox_id,
            profile_id=alert.profile_id,
            item_ref=alert.item_ref,
        )
        if alert.created_at is not None:
            row.created_at = alert.created_at
        self._s.add(row)
        await self._s.flush()
        return _alert(row)

    async def clear(self, alert_ids: Sequence[AlertId], at: dt.datetime) -> int:
        result = await self._s.execute(
            update(AlertRow).where(AlertRow.id.in_(alert_ids), AlertRow.cleared_at.is_(None)).values(cleared_at=at)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def clear_code(self, mailbox_id: MailboxId, codes: Sequence[str], at: dt.datetime) -> int:
        result = await self._s.execute(
            update(AlertRow)
            .where(AlertRow.mailbox_id == mailbox_id, AlertRow.code.in_(codes), AlertRow.cleared_at.is_(None))
            .values(cleared_at=at)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def list(self, *, mailbox_id: MailboxId | None = None, include_cleared: bool = False) -> Sequence[Alert]:
        query = select(AlertRow).order_by(AlertRow.created_at.desc(), AlertRow.id.desc())
        if mailbox_id is not None:
            query = query.where(AlertRow.mailbox_id == mailbox_id)
        if not include_cleared:
            query = query.where(AlertRow.cleared_at.is_(None))
        return [_alert(r) for r in await self._s.scalars(query)]
