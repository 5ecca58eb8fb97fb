"""Start at login on Linux desktops: an XDG autostart entry, ``~/.config/autostart/desktop-sync.desktop``.

The entry is the launcher of ``packaging/`` (when this is a checkout) with an Exec line that starts
this installation, so it works from a virtual environment too.
"""

from __future__ import annotations

import shlex
import shutil
import sys
from pathlib import Path

import platformdirs

from desktop_sync.domain.errors import DesktopSyncError

ENTRY_NAME = "desktop-sync.desktop"
_PACKAGED_ENTRY = Path(__file__).resolve().parent.parent / "packaging" / ENTRY_NAME
_FALLBACK_ENTRY = """[Desktop Entry]
Type=Application
Name=Desktop Sync
Comment=Synchronize your CRM with Exchange, IMAP, POP3 and SMTP mail servers, and watch it work
Exec=desktop-sync
Icon=desktop-sync
Terminal=false
Categories=Network;Email;Office;
"""


def autostart_directory() -> Path:
    return Path(platformdirs.user_config_dir()) / "autostart"


def launch_command() -> str:
    """The command that starts this installation's application."""
    installed = shutil.which("desktop-sync")
    if installed:
        return shlex.quote(installed)
    return f"{shlex.quote(sys.executable)} -m desktop_sync"


def autostart_entry(template: str, command: str) -> str:
    """``template`` (a desktop entry) with ``command`` as its Exec line, marked for autostart."""
    lines = []
    for line in template.splitlines():
        if line.startswith("Exec="):
            line = f"Exec={command}"
        elif line.startswith(("StartupNotify=", "X-GNOME-Autostart-enabled=")):
            continue
        lines.append(line)
    lines.append("X-GNOME-Autostart-enabled=true")
    return "\n".join(lines) + "\n"


class XdgAutostart:
    def __init__(self, directory: Path | None = None, template: Path | None = None):
        self.directory = directory or autostart_directory()
        self.template = template or _PACKAGED_ENTRY

    @property
    def path(self) -> Path:
        return self.directory / ENTRY_NAME

    def is_enabled(self) -> bool:
        return self.path.is_file()

    def set_enabled(self, enabled: bool) -> None:
        try:
            if not enabled:
                self.path.unlink(missing_ok=True)
                return
            try:
                template = self.template.read_text(encoding="utf-8")
            except OSError:
                template = _FALLBACK_ENTRY
            self.directory.mkdir(parents=True, exist_ok=True)
            self.path.write_text(autostart_entry(template, launch_command()), encoding="utf-8")
        except OSError as exc:
            raise DesktopSyncError(f"cannot change {self.path}: {exc}", code="autostart_unwritable") from exc
