"""Passwords and tokens, kept in the system keyring and nowhere else.

The only module that imports keyring. When the keyring has no secure backend (headless Linux with
no Secret Service, or a plaintext file backend), it refuses to store a password instead of
falling back to clear text.
"""

from __future__ import annotations

import asyncio
import logging

import keyring
import keyring.backend
import keyring.errors

from desktop_sync.domain.errors import SecretStoreUnavailable
from desktop_sync.logs import remember_secret

log = logging.getLogger("desktop_sync.secrets")

SERVICE = "desktop-sync"

# Backends that exist but keep nothing safe: they fail, drop the secret, or write it in clear text.
_INSECURE = {
    "keyring.backends.fail.Keyring",
    "keyring.backends.null.Keyring",
    "keyrings.alt.file.PlaintextKeyring",
    "keyrings.alt.Gnome.Keyring",
    "keyrings.alt.file.EncryptedKeyring",  # asks for a master password on the terminal
}


def _qualified(backend: object) -> str:
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


def _secure_backends(backend: keyring.backend.KeyringBackend) -> list[str]:
    """The names of the secure backends behind ``backend`` (a chainer lists several)."""
    inner = getattr(backend, "backends", None)
    candidates = list(inner) if inner is not None else [backend]
    return [_qualified(b) for b in candidates if _qualified(b) not in _INSECURE]


NO_KEYRING_FIX = "start a Secret Service (GNOME Keyring or KWallet) in your session, then try again"


def _failure(action: str, exc: Exception) -> SecretStoreUnavailable:
    """Our own words for a keyring failure: never the library's text, whose advice for a missing
    backend is to install one that keeps passwords in clear text."""
    if isinstance(exc, keyring.errors.NoKeyringError):
        why = f"no keyring is available ({NO_KEYRING_FIX}); passwords are not stored in clear text"
    elif isinstance(exc, keyring.errors.KeyringLocked):
        why = "the keyring is locked; unlock it (log in to the desktop session), then try again"
    elif isinstance(exc, keyring.errors.InitError):
        why = f"the keyring could not be opened ({NO_KEYRING_FIX})"
    else:
        why = f"the keyring backend {_qualified(keyring.get_keyring())} failed ({type(exc).__name__})"
    log.debug("keyring failure while trying to %s: %s", action, type(exc).__name__)
    return SecretStoreUnavailable(f"cannot {action}: {why}")


class KeyringSecrets:
    """The SecretStore of the application: the system keyring, called off the event loop."""

    def __init__(self, service: str = SERVICE):
        self._service = service

    def backend_name(self) -> str:
        return _qualified(keyring.get_keyring())

    def check_secure(self) -> None:
        backend = keyring.get_keyring()
        if not _secure_backends(backend):
            raise SecretStoreUnavailable(
                "no secure keyring is available (keyring backend "
                f"{_qualified(backend)}); passwords are not stored in clear text. Start a Secret "
                "Service (GNOME Keyring or KWallet) in your session, then try again."
            )

    async def set_secret(self, key: str, value: str) -> None:
        remember_secret(value)  # masked in every log text from now on, even if storing it fails
        self.check_secure()
        try:
            await asyncio.to_thread(keyring.set_password, self._service, key, value)
        except Exception as exc:  # any backend's failure (keyring's errors, D-Bus, OS errors)
            raise _failure("store the password in the keyring", exc) from exc
        log.info("stored a secret for %s", key)

    async def get_secret(self, key: str) -> str | None:
        try:
            value = await asyncio.to_thread(keyring.get_password, self._service, key)
        except Exception as exc:
            raise _failure("read the password from the keyring", exc) from exc
        remember_secret(value)
        return value

    async def delete_secret(self, key: str) -> None:
        try:
            await asyncio.to_thread(keyring.delete_password, self._service, key)
        except keyring.errors.PasswordDeleteError:
            pass  # nothing stored under that key: the goal is reached
        except Exception as exc:
            raise _failure("delete the password from the keyring", exc) from exc

    async def has_secret(self, key: str) -> bool:
        return await self.get_secret(key) is not None
