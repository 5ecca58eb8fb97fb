"""The local machine's side of the ports: the settings file read before the store opens and
starting at login. ``desktop_sync.config`` and ``desktop_sync.autostart`` implement them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol


class LocalConfig(Protocol):
    """The small settings file read before the store opens (never a secret in it)."""

    @property
    def location(self) -> str: ...
    def load(self) -> dict[str, Any]: ...
    def save(self, values: Mapping[str, Any]) -> None: ...


class Autostart(Protocol):
    """Starting the application at login (an XDG autostart entry on Linux desktops)."""

    def is_enabled(self) -> bool: ...
    def set_enabled(self, enabled: bool) -> None: ...
