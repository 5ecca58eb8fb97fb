"""Who a mailbox signs in as, and its password from the keyring (the services use the same keys)."""

from __future__ import annotations

from desktop_sync.domain.errors import ErrorScope, PermanentError
from desktop_sync.domain.model import CredentialsOn, Mailbox, Profile, mailbox_secret_key, profile_secret_key
from desktop_sync.domain.ports import SecretStore
from desktop_sync.domain.ports.connectors import Credentials


def secret_key(profile: Profile, mailbox: Mailbox) -> str:
    """Where the password lives in the keyring (the services use the same keys)."""
    if profile.credentials_on is CredentialsOn.PROFILE:
        return profile_secret_key(profile.name)
    return mailbox_secret_key(mailbox.address)


def login_for(profile: Profile, mailbox: Mailbox) -> str:
    """The user name to sign in with: the service account, the mailbox's login, or its address."""
    if profile.credentials_on is CredentialsOn.PROFILE:
        return profile.login or mailbox.address
    return mailbox.login or mailbox.address


async def resolve_credentials(secrets: SecretStore, profile: Profile, mailbox: Mailbox) -> Credentials:
    """The login and the password from the keyring; PermanentError ``password_missing`` without one."""
    secret = await secrets.get_secret(secret_key(profile, mailbox))
    if secret is None:
        raise PermanentError(
            f"no password is stored for {mailbox.address}",
            code="password_missing",
            scope=ErrorScope.PROFILE if profile.credentials_on is CredentialsOn.PROFILE else ErrorScope.MAILBOX,
        )
    return Credentials(login_for(profile, mailbox), secret)
