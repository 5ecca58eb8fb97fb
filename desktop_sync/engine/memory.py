"""Keeping the engine's memory flat over a long import, in its process and in its parsing workers.

glibc raises its mmap threshold each time a large block allocated by mmap is freed (up to 32 MB):
after the first attachments, buffers of a few hundred kB come from the heap instead, and the holes
they leave let the heap grow with the mailbox (measured: 202 MB for the process tree at 20,000
messages, 173 MB with the threshold fixed; bench/first_import.py). Fixing the threshold at its
default keeps such buffers in their own mappings, returned to the system when freed.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import sys

M_MMAP_THRESHOLD = -3  # mallopt's parameter number in glibc's malloc.h
MMAP_THRESHOLD = 128 * 1024  # glibc's default, kept from moving


def keep_large_buffers_apart() -> bool:
    """Fix glibc's mmap threshold for this process; False where there is no glibc (nothing done)."""
    if not sys.platform.startswith("linux"):
        return False
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return bool(libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD))
    return False
