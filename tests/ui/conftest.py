"""Fixtures for the Qt widget tests; they run offscreen, with no display and no tray host.

Async slots run on a real qasync loop (``qloop``); a test drives it with ``run(coroutine)``.
``ui`` is a store on SQLite with the services over it and a scripted mail server, so dialogs and
views are tested against the real services without a network.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest
import qasync
from PySide6.QtCore import QLocale
from support.scripted import ScriptedFactory, ScriptedServer

from desktop_sync.autostart import XdgAutostart
from desktop_sync.config import ConfigFile
from desktop_sync.domain.model import ProfileKind
from desktop_sync.domain.validation import ProfileInput
from desktop_sync.engine.engine import EngineSettings
from desktop_sync.engine.events import EventBus
from desktop_sync.secrets import KeyringSecrets
from desktop_sync.services.act import ActService
from desktop_sync.services.activities import ActivityService
from desktop_sync.services.connection_test import ConnectionTestService
from desktop_sync.services.directory import DirectoryService
from desktop_sync.services.folders import FolderService
from desktop_sync.services.mailboxes import MailboxService
from desktop_sync.services.monitoring import MonitoringService
from desktop_sync.services.profiles import ProfileService
from desktop_sync.services.settings import SettingsService
from desktop_sync.services.sync_control import SyncControl
from desktop_sync.services.sync_filters import SyncFilterService
from desktop_sync.store import SqlStore, open_store
from desktop_sync.ui.bridge import EngineBridge
from desktop_sync.ui.context import UiContext
from desktop_sync.ui.errors import ErrorPresenter, ErrorReport
from desktop_sync.ui.main_window import MainWindow
from desktop_sync.ui.translation import LANGUAGE_ENV, install_translators

# Read when pytest-qt creates the QApplication, which happens after this module is imported.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

DATABASE_LABEL = "sqlite:////tmp/desktop-sync-test/desktop-sync.sqlite3"
T = TypeVar("T")
FAST_ENGINE = EngineSettings(
    tick_seconds=0.02, refresh_seconds=0.1, request_poll_seconds=0.05, counters_publish_seconds=0.1, push=False
)


@pytest.fixture(autouse=True)
def english_locale() -> Iterator[None]:
    """Numbers and dates as in en_US whatever the machine's locale, so texts can be compared."""
    previous = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    yield
    QLocale.setDefault(previous)


@pytest.fixture
def make_window(qtbot) -> Callable[..., MainWindow]:
    """Build a shown, active main window without services; qtbot closes it after the test."""

    def make(*, has_profiles: bool, database_label: str = DATABASE_LABEL) -> MainWindow:
        window = MainWindow(database_label=database_label, has_profiles=has_profiles)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow, timeout=2000)
        return window

    return make


@pytest.fixture
def qloop(qapp) -> Iterator[qasync.QEventLoop]:
    """A qasync loop that counts as running for the whole test, as in the application.

    Any Qt event processing (a click, ``qtbot.waitUntil``) then also runs asyncio callbacks, with
    the loop known to asyncio. A loop started and stopped per step would let Qt step tasks while
    asyncio believes no loop runs, and they would die of "no running event loop".
    """
    qapp.setQuitOnLastWindowClosed(False)  # a dialog closing must not end the loop, as in the application
    loop = qasync.QEventLoop(qapp, already_running=True)
    asyncio.set_event_loop(loop)
    yield loop
    pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
    for task in pending:
        task.cancel()
    deadline = time.monotonic() + 5
    while any(not task.done() for task in pending) and time.monotonic() < deadline:
        qapp.processEvents()
    # not loop.stop(): it calls QCoreApplication.exit(), which would end the next test's waits too
    loop._QEventLoop__is_running = False  # type: ignore[attr-defined]
    loop._after_run_forever()
    asyncio.events._set_running_loop(None)
    loop.close()
    asyncio.set_event_loop(None)


@pytest.fixture
def run(qloop: qasync.QEventLoop, qtbot) -> Callable[[Coroutine[Any, Any, T]], T]:
    """Run a coroutine to its end on the qasync loop, processing Qt events meanwhile."""

    def go(coro: Coroutine[Any, Any, T]) -> T:
        task = asyncio.ensure_future(coro, loop=qloop)
        qtbot.waitUntil(task.done, timeout=60_000)
        return task.result()

    return go


async def until(check: Callable[[], bool], timeout: float = 10.0, what: str = "condition") -> None:
    """Let the loop run until ``check()`` is true; fail after ``timeout`` seconds (a hang guard)."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)


async def settle(seconds: float = 0.05) -> None:
    await asyncio.sleep(seconds)


class Answers:
    """An Asker that answers from a list and remembers what it was asked."""

    def __init__(self, *answers: bool) -> None:
        self.answers = list(answers)
        self.asked: list[tuple[str, str]] = []

    async def __call__(self, title: str, text: str) -> bool:
        self.asked.append((title, text))
        return self.answers.pop(0)


@dataclass
class UiWorld:
    """A store with services over it, a scripted server, a bridge, and the reports the presenter showed."""

    store: SqlStore
    server: ScriptedServer
    bus: EventBus
    bridge: EngineBridge
    context: UiContext
    connectors: ScriptedFactory  # its ``exchange`` is the scripted Exchange of appointments, contacts, tasks
    shown: list[ErrorReport] = field(default_factory=list)

    def presenter(self) -> ErrorPresenter:
        return ErrorPresenter(None, None, show_dialog=self.shown.append)

    async def profile(self, name: str = "Corp", kind: ProfileKind = ProfileKind.IMAP) -> None:
        await self.context.profiles.add(
            ProfileInput(
                name=name,
                kind=kind,
                incoming_host="imap.example.test",
                outgoing_host=None if kind is ProfileKind.EXCHANGE else "smtp.example.test",
            )
        )

    async def user(self, email: str, name: str) -> None:
        await self.context.directory.add_user(email, name)


@pytest.fixture
def ui(tmp_path: Path, run: Callable[[Awaitable[Any]], Any], qapp) -> Iterator[UiWorld]:
    store = open_store(f"sqlite:///{tmp_path / 'ui.sqlite3'}")
    server = ScriptedServer()
    secrets = KeyringSecrets()
    bus = EventBus()
    monitoring = MonitoringService(store)
    profiles = ProfileService(store, secrets)
    connectors = ScriptedFactory(server)
    sync = SyncControl(
        store=store, secrets=secrets, connectors=connectors, bus=bus, monitoring=monitoring, settings=FAST_ENGINE
    )
    bridge = EngineBridge()
    bridge.attach(bus, sync)
    context = UiContext(
        profiles=profiles,
        directory=DirectoryService(store),
        mailboxes=MailboxService(store, secrets),
        monitoring=monitoring,
        connection_test=ConnectionTestService(profiles, connectors),
        sync=sync,
        bridge=bridge,
        act=ActService(store),
        settings=SettingsService(
            store, ConfigFile(tmp_path / "config" / "settings.json"), XdgAutostart(tmp_path / "autostart")
        ),
        sync_filters=SyncFilterService(store),
        folders=FolderService(store, connectors, secrets),
        activities=ActivityService(store),
    )
    world = UiWorld(store, server, bus, bridge, context, connectors)
    yield world
    run(sync.stop())
    bridge.detach()
    run(store.close())


def save_grab(widget: Any, path: Path) -> Path:
    """Save what ``widget`` looks like (offscreen rendering draws fonts too) and return the file."""
    assert widget.grab().save(str(path)), path
    return path


@pytest.fixture
def french(qapp: Any) -> Iterator[None]:
    """The interface in French (its translators installed) for one test."""
    previous = QLocale()
    language, translators = install_translators(qapp, {LANGUAGE_ENV: "fr"})
    assert language == "fr" and translators
    yield
    for translator in translators:
        qapp.removeTranslator(translator)
    QLocale.setDefault(previous)
