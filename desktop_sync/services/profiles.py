"""Email server profiles: add, change and list them, with every field checked before writing."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Sequence
from pathlib import Path

from desktop_sync.domain.errors import NotFoundError, SecretStoreUnavailable, ValidationError
from desktop_sync.domain.model import CredentialsOn, Profile, profile_secret_key
from desktop_sync.domain.ports import SecretStore, Store
from desktop_sync.domain.validation import ProfileInput, field_error, validate_profile


def _check_ca_file(path: str) -> str:
    """The CA file must exist and hold at least one PEM certificate; stored as an absolute path."""
    file = Path(path).expanduser()
    try:
        text = file.read_text(encoding="ascii", errors="replace")
    except FileNotFoundError as exc:
        raise ValidationError.single("ca_file", field_error("ca_file_missing", path=str(path))) from exc
    except OSError as exc:
        problem = field_error("ca_file_unreadable", path=str(path), reason=str(exc.strerror or exc))
        raise ValidationError.single("ca_file", problem) from exc
    if "-----BEGIN CERTIFICATE-----" not in text:
        raise ValidationError.single("ca_file", field_error("ca_file_no_pem", path=str(path)))
    return str(file.resolve())


class ProfileService:
    def __init__(self, store: Store, secrets: SecretStore):
        self._store = store
        self._secrets = secrets

    async def validate(self, data: ProfileInput) -> Profile:
        """Check ``data`` without writing anything (what a form calls as the admin types)."""
        profile = validate_profile(data)
        if profile.ca_file:
            ca_file = await asyncio.to_thread(_check_ca_file, profile.ca_file)
            profile = dataclasses.replace(profile, ca_file=ca_file)
        return profile

    async def add(self, data: ProfileInput, password: str | None = None) -> Profile:
        profile = await self.validate(data)
        if password is not None:
            if profile.credentials_on is not CredentialsOn.PROFILE:
                raise ValidationError.single("password", field_error("credentials_on_mailboxes"))
            self._secrets.check_secure()
        async with self._store.transaction() as tx:
            if await tx.profiles.by_name(profile.name) is not None:
                raise ValidationError.single("name", field_error("profile_exists", name=repr(profile.name)))
            added = await tx.profiles.add(profile)
            if password is not None:
                # inside the transaction: if the keyring refuses, the profile is not written either
                await self._secrets.set_secret(profile_secret_key(profile.name), password)
        return added

    async def update(self, name: str, data: ProfileInput, password: str | None = None) -> Profile:
        """Change the profile named ``name`` (it may be renamed); nothing is written on error.

        A password given replaces the service account's; a renamed profile keeps its password.
        """
        profile = await self.validate(data)
        if password is not None:
            if profile.credentials_on is not CredentialsOn.PROFILE:
                raise ValidationError.single("password", field_error("credentials_on_mailboxes"))
            if password == "":
                raise ValidationError.single("password", field_error("password_empty"))
            self._secrets.check_secure()
        async with self._store.transaction() as tx:
            current = await tx.profiles.by_name(name)
            if current is None:
                raise NotFoundError("profile", f"no profile named {name!r}")
            renamed = profile.name != current.name
            if renamed and await tx.profiles.by_name(profile.name) is not None:
                raise ValidationError.single("name", field_error("profile_exists", name=repr(profile.name)))
            updated = await tx.profiles.update(dataclasses.replace(profile, id=current.id))
            # inside the transaction: if the keyring refuses, the profile is not changed either
            if password is not None:
                await self._secrets.set_secret(profile_secret_key(profile.name), password)
            elif renamed and profile.credentials_on is CredentialsOn.PROFILE:
                old_secret = await self._secrets.get_secret(profile_secret_key(current.name))
                if old_secret is not None:
                    await self._secrets.set_secret(profile_secret_key(profile.name), old_secret)
            stale = renamed or profile.credentials_on is not CredentialsOn.PROFILE
            if stale and current.credentials_on is CredentialsOn.PROFILE:
                await self._secrets.delete_secret(profile_secret_key(current.name))
        return updated

    async def delete(self, name: str) -> None:
        """Delete a profile no mailbox uses (and its service account's password)."""
        async with self._store.transaction() as tx:
            profile = await tx.profiles.by_name(name)
            if profile is None or profile.id is None:
                raise NotFoundError("profile", f"no profile named {name!r}")
            users = sorted(m.address for m in await tx.mailboxes.list() if m.profile_id == profile.id)
            if users:
                shown = ", ".join(users[:3]) + (", …" if len(users) > 3 else "")
                code = "profile_in_use_one" if len(users) == 1 else "profile_in_use"
                raise ValidationError.single("name", field_error(code, count=str(len(users)), mailboxes=shown))
            await tx.profiles.delete(profile.id)
            if profile.credentials_on is CredentialsOn.PROFILE:
                # inside the transaction: if the keyring refuses, the profile stays too
                await self._secrets.delete_secret(profile_secret_key(profile.name))

    async def has_password(self, name: str) -> bool | None:
        """Whether the service account's password is stored; None when the keyring cannot tell."""
        try:
            return await self._secrets.has_secret(profile_secret_key(name))
        except SecretStoreUnavailable:
            return None

    async def get(self, name: str) -> Profile:
        async with self._store.transaction() as tx:
            profile = await tx.profiles.by_name(name)
        if profile is None:
            raise NotFoundError("profile", f"no profile named {name!r}")
        return profile

    async def list(self) -> Sequence[Profile]:
        async with self._store.transaction() as tx:
            return await tx.profiles.list()
