"""The whole application over a real store and the scripted mail server: Test & Enable from the
mailbox list, mail arriving live, Sync now, the dashboard, the tray, pause and resume, errors."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from support.scripted import ScriptedFactory, ScriptedServer, message

from desktop_sync.app import DesktopApp
from desktop_sync.domain.errors import PermanentError
from desktop_sync.domain.mailbox_state import DisplayState
from desktop_sync.domain.model import ProfileKind
from desktop_sync.domain.validation import ProfileInput
from desktop_sync.secrets import KeyringSecrets
from desktop_sync.services.mailboxes import MailboxService
from desktop_sync.services.profiles import ProfileService
from desktop_sync.services.sync_control import EngineStatus
from desktop_sync.store import open_store
from desktop_sync.ui.mailboxes_model import Column
from desktop_sync.ui.main_window import View
from desktop_sync.ui.tray import TrayState
from tests.ui.conftest import FAST_ENGINE, Answers, save_grab, until

pytestmark = pytest.mark.gui
ALICE = "alice@example.test"


@pytest.fixture
def desktop(tmp_path: Path, run, qtbot) -> Iterator[tuple[DesktopApp, ScriptedServer]]:
    store = open_store(f"sqlite:///{tmp_path / 'app.sqlite3'}")
    secrets = KeyringSecrets()

    async def setup() -> None:
        await ProfileService(store, secrets).add(
            ProfileInput(name="Corp", kind=ProfileKind.IMAP, incoming_host="imap.example.test", outgoing_host="smtp.t")
        )
        mailboxes = MailboxService(store, secrets)
        await mailboxes.add(ALICE, "Corp", password="pw")
        await mailboxes.approve(ALICE)

    run(setup())
    server = ScriptedServer()
    app = DesktopApp(
        store,
        connectors=ScriptedFactory(server),
        secrets=secrets,
        database_label=str(tmp_path),
        has_profiles=True,
        settings=FAST_ENGINE,
        asker=Answers(),
    )
    qtbot.addWidget(app.window)
    app.window.show()
    qtbot.waitExposed(app.window)
    app.window.activateWindow()
    qtbot.waitUntil(app.window.isActiveWindow, timeout=2000)
    yield app, server
    run(app.stop())
    run(store.close())


def cell(app: DesktopApp, column: Column) -> str:
    page = app.window.mailboxes_page
    return page.proxy.index(0, column).data()


def test_test_and_enable_then_mail_arrives_live_and_sync_now_fetches_more(desktop, run, qtbot, tmp_path):
    app, server = desktop
    for n in range(3):
        server.deliver(ALICE, message(n))
    run(app.start())
    page = app.window.mailboxes_page
    assert app.sync.status.status is EngineStatus.RUNNING
    assert "running" in app.window.engine_label.text()
    assert page.model.rowCount() == 1 and cell(app, Column.INCOMING) == "Not tested"
    assert cell(app, Column.STATE) == "Not tested"  # approved, never tested: not "Idle"
    assert app.tray_controller.current().state is TrayState.WARNING
    navigation = app.window.navigation
    # a mailbox that never synchronized: the guide is offered, the Mailboxes view stays in front
    assert navigation.item(0).text() == "Get started" and app.window.current_view() is View.MAILBOXES

    page.table.selectRow(0)
    page.test_action.trigger()
    run(until(lambda: page.dialog is not None and page.dialog.isVisible(), what="the Test & Enable results"))
    assert ("alice@example.test", "Incoming email", "Passed, enabled", "") in page.dialog.rows()
    page.dialog.close()
    assert cell(app, Column.INCOMING) == "On"

    run(until(lambda: cell(app, Column.ITEMS) == "3", what="the first cycle's items in the list"))
    run(until(lambda: cell(app, Column.STATE).startswith("Idle (next sync at "), what="the idle state"))
    entries = lambda: [navigation.item(row).text() for row in range(navigation.count())]  # noqa: E731
    run(until(lambda: "Get started" not in entries(), what="the guide to go once a mailbox synchronized"))
    assert app.window.current_view() is View.MAILBOXES
    assert app.tray_controller.current().state is TrayState.IDLE

    server.deliver(ALICE, message(10))
    server.deliver(ALICE, message(11))
    page.table.selectRow(0)
    app.window.activateWindow()  # the results dialog had taken the activation
    qtbot.waitUntil(app.window.isActiveWindow, timeout=2000)
    qtbot.keyClick(page.table, Qt.Key.Key_F5)
    run(until(lambda: cell(app, Column.ITEMS) == "5", what="Sync now's items"))

    dashboard = app.window.dashboard_page
    run(until(lambda: len(dashboard.items.samples) >= 2, what="counters on the dashboard"))
    run(until(lambda: dashboard.state_bars[DisplayState.IDLE].count == 1, what="the idle count"))
    app.window.show_view(View.DASHBOARD)
    save_grab(app.window, tmp_path / "dashboard.png")
    dashboard.state_bars[DisplayState.IDLE].click()
    assert app.window.current_view() is View.MAILBOXES
    assert page.proxy.state() is DisplayState.IDLE
    save_grab(app.window, tmp_path / "mailboxes.png")


def test_pause_and_resume_from_the_tray(desktop, run):
    app, _ = desktop
    counters = []
    app.bridge.counters_updated.connect(counters.append)
    run(app.start())
    # Pausing in the engine's first tick can wait for SQLite's lock (see the report); not this test's point.
    run(until(lambda: len(counters) >= 2, what="the engine's first ticks"))
    app.tray.pause_action.trigger()
    run(until(lambda: app.sync.status.status is EngineStatus.PAUSED, timeout=20, what="the pause"))
    assert app.tray.pause_action.text().replace("&", "") == "Resume synchronization"
    assert "paused" in app.tray.tool_tip()
    app.tray.pause_action.trigger()
    run(until(lambda: app.sync.status.status is EngineStatus.RUNNING, what="the resume"))


def test_an_authentication_failure_shows_on_the_row_the_wall_and_the_tray(desktop, run):
    app, server = desktop
    run(app.start())
    page = app.window.mailboxes_page
    page.table.selectRow(0)
    page.test_action.trigger()
    run(until(lambda: cell(app, Column.INCOMING) == "On", what="Test & Enable"))
    page.dialog.close()
    server.fail_next(ALICE, PermanentError("LOGIN refused", code="auth_failed"))
    # a cycle that surely comes after the failure was set (the first one may have run already)
    page.table.selectRow(0)
    page.sync_action.trigger()
    run(until(lambda: cell(app, Column.STATE) == "Needs attention", what="the channel disabled by the error"))
    assert cell(app, Column.LAST_ERROR) == "LOGIN refused"
    run(until(lambda: app.window.alerts_page.model.rowCount() == 1, what="the alert on the wall"))
    run(until(lambda: app.tray_controller.current().state is TrayState.ERROR, what="the tray's error state"))
    assert app.tray.state() is TrayState.ERROR
    shown = app.window.notifications.shown()
    assert shown is not None and shown.title == "The server refused the credentials"


def test_without_connectors_the_window_says_so_and_still_works(tmp_path, run, qtbot):
    store = open_store(f"sqlite:///{tmp_path / 'app.sqlite3'}")
    app = DesktopApp(
        store, connectors=None, secrets=KeyringSecrets(), database_label="x", has_profiles=False, asker=Answers()
    )
    qtbot.addWidget(app.window)
    run(app.start())
    assert app.window.engine_label.text() == "Sync engine: no mail connectors available"
    assert app.window.profiles_page.new_action.isEnabled()  # profiles can still be made
    dialog = app.window.profiles_page.new_profile()
    assert dialog is not None and not dialog.test_button.isEnabled() and dialog.test_unavailable.isVisibleTo(dialog)
    dialog.reject()
    run(app.stop())
    run(store.close())
