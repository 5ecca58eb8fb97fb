"""Protection against a PySide6 6.12 bug on Python 3.11: each call of a Python slot from a Qt signal
drops one reference to ``True`` (and sometimes ``None``) that it never took.

Python 3.12 and later make these objects immortal, so the bug is harmless there. On 3.11 their
reference counts fall by one per signal until the interpreter aborts ("Fatal Python error:
bool_dealloc"), after a few hundred to a few thousand signals. PySide6 6.11 does not have the bug.
Until the dependency excludes 6.12, the counts of the three singletons are raised far out of
reach, which is what Python 3.12 does for every process (PEP 683).
"""

from __future__ import annotations

import ctypes
import sys

import PySide6

HEADROOM = 1 << 40  # more signals than a process will ever deliver


def needs_protection(python: tuple[int, ...] = sys.version_info[:2], pyside: tuple[int, ...] | None = None) -> bool:
    pyside = pyside if pyside is not None else tuple(PySide6.__version_info__[:2])
    return python < (3, 12) and pyside == (6, 12) and sys.implementation.name == "cpython"


def protect_singletons() -> bool:
    """Raise the reference counts of True, False and None once per process; True when it was needed."""
    if not needs_protection() or getattr(sys, "_desktop_sync_singletons_protected", False):
        return False
    for singleton in (True, False, None):
        # ob_refcnt is the first field of every CPython object
        ctypes.c_ssize_t.from_address(id(singleton)).value += HEADROOM
    sys._desktop_sync_singletons_protected = True  # type: ignore[attr-defined]
    return True
