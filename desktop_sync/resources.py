"""Where the application's resource files (icons, translations) live at run time.

An installed wheel carries them inside the package at ``desktop_sync/resources/`` (hatch
force-includes the top-level ``resources/`` folder there); a source or editable checkout has them
at ``<repo>/resources/``. This module knows both places and nothing about Qt.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

_PACKAGE_DIR = Path(__file__).resolve().parent

# Order matters: an installed package wins over a checkout that happens to sit above it.
_CANDIDATE_ROOTS = (
    _PACKAGE_DIR / "resources",
    _PACKAGE_DIR.parent / "resources",
)


def resources_root() -> Path:
    """The folder holding ``icons/`` and ``translations/``: the packaged copy if any, else the checkout's."""
    for root in _CANDIDATE_ROOTS:
        if root.is_dir():
            return root
    raise FileNotFoundError(
        "Desktop Sync resources not found; looked in " + ", ".join(str(root) for root in _CANDIDATE_ROOTS)
    )


def resource_path(relative: str) -> Path:
    """The path of one resource, e.g. ``resource_path("icons/tray-idle-22.png")``.

    ``relative`` uses forward slashes and stays inside the resources folder. The path is returned
    whether or not the file exists, so callers can look for optional files (a missing translation).
    """
    parts = PurePosixPath(relative)
    if parts.is_absolute() or ".." in parts.parts or not parts.parts:
        raise ValueError(f"resource path must be relative and stay inside resources/: {relative!r}")
    return resources_root().joinpath(*parts.parts)
