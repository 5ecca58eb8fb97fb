"""The application icon and the tray state icons, loaded from the packaged resources."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QIcon

from desktop_sync.resources import resource_path

APP_ICON_NAME = "desktop-sync"
TRAY_STATE_NAMES = ("idle", "syncing", "warning", "error")
TRAY_PNG_SIZES = (22, 32, 64)


def app_icon_files() -> list[Path]:
    """Every file the application icon is made of (scalable SVG first, then the PNG fallback)."""
    return [resource_path(f"icons/{APP_ICON_NAME}.svg"), resource_path(f"icons/{APP_ICON_NAME}.png")]


def tray_icon_files(state_name: str) -> list[Path]:
    """The pre-rendered PNGs of one tray state, smallest first, then its SVG source."""
    if state_name not in TRAY_STATE_NAMES:
        raise ValueError(f"unknown tray state {state_name!r}; expected one of {TRAY_STATE_NAMES}")
    pngs = [resource_path(f"icons/tray-{state_name}-{size}.png") for size in TRAY_PNG_SIZES]
    return [*pngs, resource_path(f"icons/tray-{state_name}.svg")]


def app_icon() -> QIcon:
    """The window and launcher icon: scalable when QtSvg's icon engine is present, else the 256 px PNG."""
    svg, png = app_icon_files()
    icon = QIcon(str(svg))
    if icon.pixmap(64).isNull():  # no SVG icon engine, as in some frozen builds
        icon = QIcon(str(png))
    return icon


def tray_icon(state_name: str) -> QIcon:
    """The tray icon for one state, built from pixel-exact PNGs (tray hosts ask for 22, 32 or 64 px)."""
    icon = QIcon()
    for path in tray_icon_files(state_name):
        if path.suffix == ".png":
            icon.addFile(str(path))
    return icon
