"""The GUI composition root: builds the Qt application, the main window and the tray, and runs asyncio
on the Qt event loop (qasync) until the user quits.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sys
from collections.abc import Mapping

# PySide6 must be imported before qasync, which otherwise picks whichever Qt binding it finds first.
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from qasync import QEventLoop

from desktop_sync import __version__
from desktop_sync.domain.errors import DesktopSyncError
from desktop_sync.secrets import KeyringSecrets
from desktop_sync.services.profiles import ProfileService
from desktop_sync.store import open_store
from desktop_sync.ui import icons
from desktop_sync.ui.main_window import MainWindow
from desktop_sync.ui.tray import TrayIcon

APPLICATION_NAME = "Desktop Sync"
ORGANIZATION_NAME = "Desktop Sync"
ORGANIZATION_DOMAIN = "desktopsync.github.io"
DESKTOP_FILE_NAME = "desktop-sync"
QUIT_AFTER_ENV = "DESKTOP_SYNC_QUIT_AFTER_MS"


def find_display_problem(environ: Mapping[str, str], platform: str = sys.platform) -> str | None:
    """Why Qt could not open a window here, or None when it can.

    Without a display Qt's xcb plugin aborts the whole process (a core dump, not an exception), so
    this is checked before the QApplication exists. QT_QPA_PLATFORM means the caller chose.
    """
    uses_x11_or_wayland = platform.startswith("linux") or "bsd" in platform
    if not uses_x11_or_wayland or environ.get("QT_QPA_PLATFORM") or environ.get("WAYLAND_DISPLAY"):
        return None
    display = environ.get("DISPLAY", "")
    if not display:
        return (
            "desktop-sync: no display found (DISPLAY is not set); run the admin CLI with a subcommand, "
            "or set QT_QPA_PLATFORM=offscreen"
        )
    if not _x11_display_answers(display):
        return (
            f"desktop-sync: no X server answers on DISPLAY={display}; start one, correct DISPLAY, "
            "or set QT_QPA_PLATFORM=offscreen"
        )
    return None


def _x11_display_answers(display: str) -> bool:
    """Whether a local X display (":N", "unix:N") has a listening socket, the way libxcb looks for it.

    Remote displays ("host:N", SSH forwarding) are not probed: Qt is left to try them.
    """
    host, _, rest = display.rpartition(":")
    number = rest.split(".", 1)[0]
    if host not in ("", "unix") or not number.isdigit():
        return True
    path = f"/tmp/.X11-unix/X{number}"
    # libxcb tries the abstract socket first (what works across a container's private /tmp), then the file.
    for address in ("\0" + path, path):
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
            probe.settimeout(1.0)
            try:
                probe.connect(address)
            except OSError:
                continue
            return True
    return False


def _quit_after_ms(environ: Mapping[str, str]) -> int | None:
    raw = environ.get(QUIT_AFTER_ENV, "").strip()
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError:
        print(
            f"desktop-sync: ignoring {QUIT_AFTER_ENV}={raw!r}: not a whole number of milliseconds",
            file=sys.stderr,
        )
        return None
    return max(value, 0)


def run_gui(database_label: str, has_profiles: bool, argv: list[str] | None = None) -> int:
    """Run the desktop application until the user quits; returns the process exit code."""
    problem = find_display_problem(os.environ)
    if problem is not None:
        print(problem, file=sys.stderr)
        return 1

    # argv[0] becomes the X11 WM_CLASS instance name, which the launcher's StartupWMClass matches.
    app = QApplication.instance() or QApplication(list(argv) if argv is not None else [DESKTOP_FILE_NAME])
    assert isinstance(app, QApplication)
    app.setApplicationName(APPLICATION_NAME)
    app.setApplicationDisplayName(APPLICATION_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName(ORGANIZATION_NAME)
    app.setOrganizationDomain(ORGANIZATION_DOMAIN)
    app.setDesktopFileName(DESKTOP_FILE_NAME)
    app.setWindowIcon(icons.app_icon())

    loop = QEventLoop(app)
    asyncio.set_event_loop(loop)

    window = MainWindow(database_label=database_label, has_profiles=has_profiles)
    tray = TrayIcon(parent=app)

    def open_window() -> None:
        window.showNormal()
        window.raise_()
        window.activateWindow()

    def request_quit() -> None:
        # The one way out; the engine will be stopped here once it runs in this process.
        tray.hide()
        app.quit()

    window.quit_requested.connect(request_quit)
    tray.open_requested.connect(open_window)
    tray.quit_requested.connect(request_quit)

    # With a tray, closing the window leaves the app running in the tray; without one, closing the
    # last window is the only way the user can expect to quit.
    tray_shown = tray.show()
    app.setQuitOnLastWindowClosed(False)
    if not tray_shown:
        app.lastWindowClosed.connect(request_quit)

    for signum in (signal.SIGINT, signal.SIGTERM):
        # Not on Windows, nor when run from another thread than the main one.
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(signum, request_quit)

    quit_after = _quit_after_ms(os.environ)
    if quit_after is not None:
        QTimer.singleShot(quit_after, request_quit)

    window.show()
    try:
        exit_code = loop.run_forever()
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.remove_signal_handler(signum)
        loop.close()
        asyncio.set_event_loop(None)
        tray.hide()
    return int(exit_code or 0)


def main(db: str | None = None) -> int:
    """``desktop-sync`` without a command: open (and upgrade) the store, then run the application."""
    problem = find_display_problem(os.environ)
    if problem is not None:
        print(problem, file=sys.stderr)
        return 1
    try:
        store = open_store(db)
    except DesktopSyncError as exc:
        print(f"desktop-sync: error: {exc.message}", file=sys.stderr)
        return 1

    async def first_look() -> bool:
        try:
            return bool(await ProfileService(store, KeyringSecrets()).list())
        finally:
            await store.close()  # the GUI loop opens its own connections

    has_profiles = asyncio.run(first_look())
    return run_gui(store.label, has_profiles)
