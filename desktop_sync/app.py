"""The GUI composition root: opens the store, builds the services, the embedded sync engine, the main
window and the tray, and runs asyncio on the Qt event loop (qasync) until the user quits.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import shlex
import signal
import socket
import sys
from collections.abc import Mapping

# PySide6 must be imported before qasync, which otherwise picks whichever Qt binding it finds first.
from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication
from qasync import QEventLoop

from desktop_sync import __version__, logs
from desktop_sync.autostart import XdgAutostart
from desktop_sync.config import ConfigFile, local_settings, store_location, store_named_by
from desktop_sync.domain.errors import DesktopSyncError
from desktop_sync.domain.ports import Autostart, LocalConfig, SecretStore, Store
from desktop_sync.domain.ports.connectors import ConnectorFactory
from desktop_sync.domain.settings import LocalSettings
from desktop_sync.engine.engine import EngineSettings
from desktop_sync.engine.events import EventBus
from desktop_sync.identity.broker import TokenBroker
from desktop_sync.secrets import KeyringSecrets
from desktop_sync.services.act import ActService
from desktop_sync.services.activities import ActivityService
from desktop_sync.services.connection_test import ConnectionTestService
from desktop_sync.services.directory import DirectoryService
from desktop_sync.services.folders import FolderService
from desktop_sync.services.hosts import HostsService
from desktop_sync.services.mailboxes import MailboxService
from desktop_sync.services.migration import MigrationService
from desktop_sync.services.monitoring import MonitoringService
from desktop_sync.services.profiles import ProfileService
from desktop_sync.services.settings import SettingsService
from desktop_sync.services.signin import SignInService
from desktop_sync.services.sync_control import SyncControl
from desktop_sync.services.sync_filters import SyncFilterService
from desktop_sync.store import StoreMissing, open_store
from desktop_sync.ui import icons
from desktop_sync.ui.bridge import EngineBridge
from desktop_sync.ui.context import UiContext
from desktop_sync.ui.errors import ErrorDialog, missing_store_report
from desktop_sync.ui.main_window import MainWindow
from desktop_sync.ui.prompts import Asker
from desktop_sync.ui.translation import LANGUAGE_ENV, install_translators
from desktop_sync.ui.tray import TrayController, TrayIcon

log = logging.getLogger("desktop_sync.app")

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


def language_environ(environ: Mapping[str, str], local: LocalSettings) -> dict[str, str]:
    """The environment the translators see: the settings file's language, unless $DESKTOP_SYNC_LANG says."""
    chosen = dict(environ)
    if local.language != "system" and not chosen.get(LANGUAGE_ENV):
        chosen[LANGUAGE_ENV] = local.language
    return chosen


def shows_window_at_start(local: LocalSettings, tray_shown: bool) -> bool:
    """Start minimized only where a tray icon can bring the window back."""
    return not (local.start_minimized and tray_shown)


def load_connectors() -> ConnectorFactory | None:
    """The mail connectors of this installation, or None (said in the window) when there are none."""
    try:
        from desktop_sync.connectors.factory import MailConnectorFactory
    except ImportError as exc:
        log.warning("no mail connectors available: %s", exc)
        return None
    return MailConnectorFactory()


class DesktopApp(QObject):
    """The running application: services, the embedded engine, the bridge, the window and the tray.

    Built from a store and a connector factory, so tests and the benchmark can give their own.
    """

    def __init__(
        self,
        store: Store,
        *,
        connectors: ConnectorFactory | None,
        secrets: SecretStore,
        database_label: str,
        has_profiles: bool,
        settings: EngineSettings | None = None,
        asker: Asker | None = None,
        local_config: LocalConfig | None = None,
        autostart: Autostart | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.bus = EventBus()
        # OAuth profiles' access tokens in memory, their grants in the keyring: one broker for the
        # engine, Test & Enable and the tracked folders
        self.tokens = TokenBroker(secrets)
        monitoring = MonitoringService(store)
        profiles = ProfileService(store, secrets)
        self.sync = SyncControl(
            store=store,
            secrets=secrets,
            connectors=connectors,
            bus=self.bus,
            monitoring=monitoring,
            settings=settings,
            tokens=self.tokens,
        )
        self.bridge = EngineBridge(self)
        self.bridge.attach(self.bus, self.sync)
        self.context = UiContext(
            profiles=profiles,
            directory=DirectoryService(store),
            mailboxes=MailboxService(store, secrets),
            monitoring=monitoring,
            connection_test=ConnectionTestService(profiles, connectors),
            sync=self.sync,
            bridge=self.bridge,
            act=ActService(store),
            migration=MigrationService(store, secrets),
            settings=SettingsService(store, local_config or ConfigFile(), autostart or XdgAutostart()),
            sync_filters=SyncFilterService(store),
            folders=FolderService(store, connectors, secrets, self.tokens) if connectors is not None else None,
            activities=ActivityService(store),
            signin=SignInService(store, self.tokens, secrets, sync_now=self.sync.sync_now),
            hosts=HostsService(store),
        )
        self.window = MainWindow(
            database_label=database_label, has_profiles=has_profiles, context=self.context, asker=asker
        )
        self.tray = TrayIcon(parent=self)
        self.tray_controller = TrayController(self.tray, self.window.mailboxes_page.model, self)
        self.window.alerts_page.error_alerts_changed.connect(self.tray_controller.set_error_alerts)
        self.bridge.engine_status_changed.connect(self.tray_controller.set_engine_status)
        self.tray_controller.set_engine_status(self.sync.status)
        self.tray.sync_now_requested.connect(self.window.sync_all)
        self.tray.pause_requested.connect(self.window.pause)
        self.tray.resume_requested.connect(self.window.resume)

    async def start(self, *, freeze_heap: bool = False) -> None:
        """Load the views, then start the engine (a failure to start is said, not fatal).

        ``freeze_heap``: what is built by then lives as long as the process, so it is kept out of
        full garbage collections, whose pauses are the longest the event loop sees during a large
        import (see bench/gui_stall.py). For the application process, not for tests.
        """
        await self.window.refresh_all()
        try:
            await self.sync.start()
        except DesktopSyncError as exc:
            self.window.engine_failed(exc)
        if freeze_heap:
            gc.collect()
            gc.freeze()

    async def stop(self) -> None:
        """Stop the engine cleanly (running cycles roll back) and stop listening to it."""
        await self.sync.stop()
        self.bridge.detach()
        self.tray.hide()


def run_gui(
    database_label: str,
    has_profiles: bool,
    argv: list[str] | None = None,
    *,
    store: Store | None = None,
    connectors: ConnectorFactory | None = None,
    settings: EngineSettings | None = None,
    local: LocalSettings | None = None,
) -> int:
    """Run the desktop application until the user quits; returns the process exit code.

    Without ``store`` the window opens with honest empty views and no engine.
    """
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
    local = local or LocalSettings()
    _language, _translators = install_translators(app, language_environ(os.environ, local))

    loop = QEventLoop(app)
    asyncio.set_event_loop(loop)

    desktop: DesktopApp | None = None
    if store is not None:
        desktop = DesktopApp(
            store,
            connectors=connectors,
            secrets=KeyringSecrets(),
            database_label=database_label,
            has_profiles=has_profiles,
            settings=settings,
            parent=app,
        )
        window, tray = desktop.window, desktop.tray
    else:
        window = MainWindow(database_label=database_label, has_profiles=has_profiles)
        tray = TrayIcon(parent=app)

    def open_window() -> None:
        window.showNormal()
        window.raise_()
        window.activateWindow()

    quitting: list[asyncio.Task[None]] = []

    async def shut_down() -> None:
        window.hide()  # at once: stopping the engine may take a few seconds
        tray.hide()
        try:
            if desktop is not None:
                await desktop.stop()
                await desktop.store.close()
        except Exception:
            log.exception("the engine did not stop cleanly")
        finally:
            tray.hide()
            app.quit()

    def request_quit() -> None:
        # The one way out: stop the engine (cycles roll back), then leave the Qt loop.
        if not quitting:
            quitting.append(asyncio.ensure_future(shut_down()))

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

    if shows_window_at_start(local, tray_shown):
        window.show()
    if desktop is not None:
        starting = asyncio.ensure_future(desktop.start(freeze_heap=True))
        starting.add_done_callback(_log_failure)
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


def show_missing_store(path: str, named_by: str, create_command: str, local: LocalSettings) -> int:
    """Say in a dialog that the store named does not exist (nothing is created); exit status 2."""
    app = QApplication.instance() or QApplication([DESKTOP_FILE_NAME])
    assert isinstance(app, QApplication)
    app.setApplicationName(APPLICATION_NAME)
    app.setWindowIcon(icons.app_icon())
    _language, _translators = install_translators(app, language_environ(os.environ, local))
    dialog = ErrorDialog(missing_store_report(path, named_by, create_command))
    quit_after = _quit_after_ms(os.environ)
    if quit_after is not None:
        QTimer.singleShot(quit_after, dialog.reject)
    dialog.exec()
    return 2


def _log_failure(task: asyncio.Future[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("the application failed to start", exc_info=task.exception())


def main(db: str | None = None) -> int:
    """``desktop-sync`` without a command: open (and upgrade) the store, then run the application."""
    problem = find_display_problem(os.environ)
    if problem is not None:
        print(problem, file=sys.stderr)
        return 1
    local = local_settings()
    logs.configure(console_level=logging.WARNING, level=local.log_level)
    named_by = store_named_by(db, local)
    try:
        # only the default location creates itself; a store the user named must exist
        store = open_store(store_location(db, local), create=named_by is None)
    except StoreMissing as exc:
        create = f"desktop-sync --db {shlex.quote(db)} init" if db else "desktop-sync init"
        problem = f"{named_by}: no store at {exc.path} (to create one there: {create})"
        print(f"desktop-sync: error: {problem}", file=sys.stderr)
        return show_missing_store(str(exc.path), named_by or "--db", create, local)
    except DesktopSyncError as exc:
        print(f"desktop-sync: error: {exc.message}", file=sys.stderr)
        return 1

    async def first_look() -> tuple[bool, EngineSettings]:
        try:
            has_profiles = bool(await ProfileService(store, KeyringSecrets()).list())
            # the engine limits every engine on this store shares, read once: they apply at start
            settings = await SettingsService(store, ConfigFile()).engine_settings()
            return has_profiles, settings
        finally:
            await store.close()  # the GUI loop opens its own connections

    try:
        has_profiles, settings = asyncio.run(first_look())
    except DesktopSyncError as exc:
        print(f"desktop-sync: error: {exc.message}", file=sys.stderr)
        return 1
    return run_gui(store.label, has_profiles, store=store, connectors=load_connectors(), settings=settings, local=local)
