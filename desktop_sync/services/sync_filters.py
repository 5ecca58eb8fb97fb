"""Users' sync filters: the rules that choose which CRM appointments, contacts and tasks go to Exchange."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from desktop_sync.domain.errors import NotFoundError, ValidationError
from desktop_sync.domain.model import RecordType, User
from desktop_sync.domain.ports import Store
from desktop_sync.domain.sync_filters import SYNCED_TYPES, Match, Rule, RuleGroup, SyncFilter, check_group
from desktop_sync.domain.validation import check_name, normalize_address


@dataclass(frozen=True, slots=True)
class FilterView:
    sync_filter: SyncFilter
    user: User


class SyncFilterService:
    def __init__(self, store: Store):
        self._store = store

    async def add(
        self,
        user_email: str,
        record_type: RecordType,
        name: str,
        match: Match,
        rules: Sequence[Rule | RuleGroup],
        *,
        active: bool = True,
    ) -> FilterView:
        if record_type not in SYNCED_TYPES:
            raise ValidationError.single("type", f"{record_type.value} records are not synchronized")
        group = check_group(record_type, RuleGroup(match, tuple(rules)))
        name = check_name(name)
        async with self._store.transaction() as tx:
            user = await tx.users.by_email(normalize_address(user_email, "user"))
            if user is None or user.id is None:
                raise NotFoundError("user", f"no user {user_email}")
            added = await tx.sync_filters.add(SyncFilter(user.id, record_type, name, group, active))
            return FilterView(added, user)

    async def update(
        self,
        filter_id: int,
        *,
        name: str | None = None,
        match: Match | None = None,
        rules: Sequence[Rule | RuleGroup] | None = None,
        active: bool | None = None,
    ) -> FilterView:
        async with self._store.transaction() as tx:
            current = await tx.sync_filters.get(filter_id)
            if current is None:
                raise NotFoundError("id", f"no filter {filter_id}")
            group = current.group
            if match is not None or rules is not None:
                group = check_group(
                    current.record_type, RuleGroup(match or group.match, tuple(rules) if rules else group.rules)
                )
            changed = dataclasses.replace(
                current,
                name=check_name(name) if name is not None else current.name,
                group=group,
                active=current.active if active is None else active,
            )
            updated = await tx.sync_filters.update(changed)
            user = await tx.users.get(updated.user_id)
            assert user is not None
            return FilterView(updated, user)

    async def set_active(self, filter_id: int, active: bool) -> FilterView:
        return await self.update(filter_id, active=active)

    async def delete(self, filter_id: int) -> None:
        async with self._store.transaction() as tx:
            if not await tx.sync_filters.delete(filter_id):
                raise NotFoundError("id", f"no filter {filter_id}")

    async def list(self, user_email: str | None = None, record_type: RecordType | None = None) -> Sequence[FilterView]:
        async with self._store.transaction() as tx:
            user_id = None
            if user_email:
                user = await tx.users.by_email(normalize_address(user_email, "user"))
                if user is None:
                    raise NotFoundError("user", f"no user {user_email}")
                user_id = user.id
            filters = await tx.sync_filters.list(user_id=user_id, record_type=record_type)
            users = await tx.users.get_many(list({f.user_id for f in filters}))
        return [FilterView(f, users[f.user_id]) for f in filters]
