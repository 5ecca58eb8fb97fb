"""Directories and files that only their owner may read: the store, the settings, the logs.

Directories are made 0700 and files 0600, whatever the umask, because they hold CRM data,
mail and the traces of logins.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

DIRECTORY_MODE = 0o700
FILE_MODE = 0o600


def private_directory(path: Path, *, narrow: bool = True) -> Path:
    """Create ``path`` (and its missing parents) 0700; with ``narrow``, an existing one becomes 0700.

    Parents that already exist (the user's ``~/.local/share``) are left as they are, and so is an
    existing directory the admin chose (``narrow=False``: a store file in a shared folder)."""
    missing = []
    current = path
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for directory in reversed(missing):
        with contextlib.suppress(FileExistsError):
            directory.mkdir(mode=DIRECTORY_MODE)
    if narrow:
        _narrow(path, DIRECTORY_MODE)
    for directory in missing:
        _narrow(directory, DIRECTORY_MODE)
    return path


def private_file(path: Path, *, narrow: bool = True) -> Path:
    """Create ``path`` empty and 0600 if it does not exist; with ``narrow``, an existing one becomes 0600."""
    existed = path.exists()
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE)
    os.close(descriptor)
    if narrow or not existed:
        _narrow(path, FILE_MODE)  # O_CREAT's mode is masked by the umask
    return path


def _narrow(path: Path, mode: int) -> None:
    with contextlib.suppress(OSError):  # a file we do not own (a shared store) keeps its mode
        if path.stat().st_mode & 0o777 != mode:
            os.chmod(path, mode)
