"""CRM users and queues: the owners of mailboxes."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from desktop_sync.domain.errors import NotFoundError, ValidationError
from desktop_sync.domain.model import Queue, TrackingChoice, User
from desktop_sync.domain.ports import Store
from desktop_sync.domain.validation import check_name, field_error, normalize_address, normalize_crm_id


class DirectoryService:
    def __init__(self, store: Store):
        self._store = store

    async def add_user(self, email: str, name: str, crm_id: str | None = None) -> User:
        user = User(email=normalize_address(email), name=check_name(name), crm_id=normalize_crm_id(crm_id))
        async with self._store.transaction() as tx:
            if await tx.users.by_email(user.email) is not None:
                raise ValidationError.single("email", field_error("user_exists", address=user.email))
            if await tx.queues.by_email(user.email) is not None:
                raise ValidationError.single("email", field_error("address_is_queue", address=user.email))
            if user.crm_id and await tx.users.by_crm_id(user.crm_id) is not None:
                raise ValidationError.single("crm_id", field_error("user_crm_id_taken", crm_id=str(user.crm_id)))
            return await tx.users.add(user)

    async def add_queue(self, email: str, name: str, crm_id: str | None = None) -> Queue:
        queue = Queue(email=normalize_address(email), name=check_name(name), crm_id=normalize_crm_id(crm_id))
        async with self._store.transaction() as tx:
            if await tx.queues.by_email(queue.email) is not None:
                raise ValidationError.single("email", field_error("queue_exists", address=queue.email))
            if await tx.users.by_email(queue.email) is not None:
                raise ValidationError.single("email", field_error("address_is_user", address=queue.email))
            if queue.crm_id and await tx.queues.by_crm_id(queue.crm_id) is not None:
                raise ValidationError.single("crm_id", field_error("queue_crm_id_taken", crm_id=str(queue.crm_id)))
            return await tx.queues.add(queue)

    async def set_user_options(
        self, email: str, *, tracking: TrackingChoice | None = None, auto_create_contacts: bool | None = None
    ) -> User:
        """The Email tab of a user's options: which mail is tracked, and contacts for unknown senders."""
        async with self._store.transaction() as tx:
            user = await tx.users.by_email(normalize_address(email))
            if user is None:
                raise NotFoundError("email", f"no user {email}")
            changed = dataclasses.replace(
                user,
                tracking=user.tracking if tracking is None else tracking,
                auto_create_contacts=user.auto_create_contacts
                if auto_create_contacts is None
                else auto_create_contacts,
            )
            return await tx.users.update(changed)

    async def users(self) -> Sequence[User]:
        async with self._store.transaction() as tx:
            return await tx.users.list()

    async def queues(self) -> Sequence[Queue]:
        async with self._store.transaction() as tx:
            return await tx.queues.list()
