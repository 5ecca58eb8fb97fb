"""CRM users as the synchronization sees them."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from desktop_sync.domain.model import TrackingChoice, User, UserId
from desktop_sync.store.models import UserRow
from desktop_sync.store.writes import flush_unique


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
        await flush_unique(self._s, "email", f"a user {user.email!r} or CRM id")
        return _user(row)

    async def update(self, user: User) -> User:
        row = await self._s.get(UserRow, user.id)
        if row is None:
            raise LookupError(f"user {user.id} vanished")
        row.name = user.name
        row.crm_id = user.crm_id
        row.tracking = user.tracking.value
        row.auto_create_contacts = user.auto_create_contacts
        await flush_unique(self._s, "crm_id", f"a user with CRM id {user.crm_id}")
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
