"""The secret store's side of the ports: passwords and tokens, kept in the system keyring only.

``desktop_sync.secrets`` implements it; nothing else ever sees where a secret is kept.
"""

from __future__ import annotations

from typing import Protocol


class SecretStore(Protocol):
    """Passwords and tokens; backed by the system keyring only."""

    def check_secure(self) -> None:
        """Raise SecretStoreUnavailable when passwords cannot be kept safely."""
        ...

    async def set_secret(self, key: str, value: str) -> None: ...
    async def get_secret(self, key: str) -> str | None: ...
    async def delete_secret(self, key: str) -> None: ...
    async def has_secret(self, key: str) -> bool: ...
