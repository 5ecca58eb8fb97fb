"""The tray icon: one look and one tooltip per state, a menu, the aggregate state machine, and no
crash where no tray host runs."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QBuffer, QByteArray, QIODevice

from desktop_sync.domain.mailbox_state import DisplayState
from desktop_sync.domain.model import MailboxId
from desktop_sync.services.sync_control import EngineStatus, StatusChange
from desktop_sync.ui.tray import MailboxFacts, TrayIcon, TrayState, aggregate, state_label

pytestmark = pytest.mark.gui


def _png_bytes(tray: TrayIcon, size: int) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    assert tray.icon().pixmap(size, size).save(buffer, "PNG")
    return bytes(data)


@pytest.fixture
def tray(qapp):
    icon = TrayIcon()
    yield icon
    icon.hide()
    icon.deleteLater()


def test_each_state_has_its_own_icon_and_tooltip(tray):
    images: dict[TrayState, bytes] = {}
    tooltips: dict[TrayState, str] = {}
    for state in TrayState:
        tray.set_state(state)
        assert tray.state() is state
        assert not tray.icon().isNull()
        images[state] = _png_bytes(tray, 22)
        tooltips[state] = tray.tool_tip()
        assert tooltips[state].startswith("Desktop Sync")
        assert state_label(state) in tooltips[state]

    assert len(set(images.values())) == len(TrayState)
    assert len(set(tooltips.values())) == len(TrayState)


def test_starts_idle(tray):
    assert tray.state() is TrayState.IDLE
    assert state_label(TrayState.IDLE) in tray.tool_tip()


def test_detail_adds_a_tooltip_line_and_is_dropped_on_the_next_state(tray):
    tray.set_state(TrayState.ERROR, detail="sales@example.com: the password was refused")
    assert tray.tool_tip().splitlines()[1] == "sales@example.com: the password was refused"

    tray.set_state(TrayState.IDLE)
    assert len(tray.tool_tip().splitlines()) == 1


def test_menu_offers_open_sync_all_now_pause_and_quit(tray, qtbot):
    texts = [action.text().replace("&", "") for action in tray.menu().actions() if not action.isSeparator()]
    assert texts == ["Open Desktop Sync", "Sync all now", "Pause synchronization", "Quit"]
    # No engine runs yet, so they say so by being disabled.
    assert not tray.sync_now_action.isEnabled()
    assert not tray.pause_action.isEnabled()

    with qtbot.waitSignal(tray.open_requested, timeout=1000):
        tray.open_action.trigger()
    with qtbot.waitSignal(tray.quit_requested, timeout=1000):
        tray.quit_action.trigger()


def test_without_a_tray_host_showing_is_a_harmless_no(tray):
    # Offscreen there is no tray host, exactly like a bare X server or a headless CI machine.
    if TrayIcon.is_available():
        pytest.skip("a tray host is running on this display")
    assert tray.show() is False
    assert not tray.is_visible()
    tray.set_state(TrayState.SYNCING)
    assert tray.state() is TrayState.SYNCING


def test_pause_becomes_resume_while_the_engine_is_paused(tray, qtbot):
    tray.set_engine_status(StatusChange(EngineStatus.RUNNING))
    assert tray.sync_now_action.isEnabled() and tray.pause_action.isEnabled()
    with qtbot.waitSignal(tray.pause_requested, timeout=1000):
        tray.pause_action.trigger()
    tray.set_engine_status(StatusChange(EngineStatus.PAUSED))
    assert tray.pause_action.text().replace("&", "") == "Resume synchronization"
    assert not tray.sync_now_action.isEnabled()
    with qtbot.waitSignal(tray.resume_requested, timeout=1000):
        tray.pause_action.trigger()
    tray.set_engine_status(StatusChange(EngineStatus.UNAVAILABLE))
    assert not tray.pause_action.isEnabled()


def facts(n: int, state: DisplayState) -> MailboxFacts:
    return MailboxFacts(MailboxId(n), state)


@pytest.mark.parametrize(
    ("mailboxes", "error_alerts", "profile_error", "expected"),
    [
        ([], set(), False, TrayState.IDLE),
        ([facts(1, DisplayState.IDLE), facts(2, DisplayState.DISABLED)], set(), False, TrayState.IDLE),
        ([facts(1, DisplayState.DISABLED)], set(), False, TrayState.WARNING),
        ([facts(1, DisplayState.SYNCING), facts(2, DisplayState.IDLE)], set(), False, TrayState.SYNCING),
        ([facts(1, DisplayState.IMPORTING)], set(), False, TrayState.SYNCING),
        ([facts(1, DisplayState.SYNCING), facts(2, DisplayState.BACKING_OFF)], set(), False, TrayState.WARNING),
        ([facts(1, DisplayState.IDLE), facts(2, DisplayState.PENDING_APPROVAL)], set(), False, TrayState.WARNING),
        ([facts(1, DisplayState.IDLE), facts(2, DisplayState.NOT_TESTED)], set(), False, TrayState.WARNING),
        ([facts(1, DisplayState.BACKING_OFF)], {MailboxId(1)}, False, TrayState.ERROR),
        ([facts(1, DisplayState.IDLE), facts(2, DisplayState.NEEDS_ATTENTION)], set(), False, TrayState.ERROR),
        ([facts(1, DisplayState.NEEDS_SIGN_IN)], set(), False, TrayState.ERROR),
        ([facts(1, DisplayState.IDLE)], set(), True, TrayState.ERROR),
    ],
    ids=[
        "nothing",
        "disabled-by-admin-beside-a-working-one",
        "nothing-synchronizes",
        "syncing",
        "importing",
        "backing-off",
        "pending-approval",
        "not-tested",
        "backing-off-with-error-alert",
        "needs-attention",
        "needs-sign-in",
        "profile-error-alert",
    ],
)
def test_the_aggregate_is_the_worst_state_that_applies(mailboxes, error_alerts, profile_error, expected):
    result = aggregate(mailboxes, error_alerts, profile_error)
    assert result.state is expected
    assert result.total == len(mailboxes)
    assert sum(n for _state, n in result.by_state) == len(mailboxes)
