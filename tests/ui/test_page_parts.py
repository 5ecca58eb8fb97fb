"""What the list pages share: reloading when shown or when a cycle ends while shown, and the buttons
that follow their actions."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

from desktop_sync.domain.model import MailboxId
from desktop_sync.engine.events import CycleFinished
from desktop_sync.ui.act_view import ActRecordsPage
from desktop_sync.ui.conflicts_view import ConflictsPage
from desktop_sync.ui.page_parts import action_button

pytestmark = pytest.mark.gui

FINISHED = CycleFinished(MailboxId(1), "a@example.test", dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC), 3, 1.0)


@pytest.mark.parametrize("page_class", [ActRecordsPage, ConflictsPage])
def test_a_hidden_page_reloads_once_shown_and_then_after_each_cycle(page_class, ui, qtbot) -> None:
    page = page_class(ui.context, ui.presenter())
    qtbot.addWidget(page)
    page._reload.stop()
    ui.bridge.cycle_finished.emit(FINISHED)  # with another view shown
    assert not page._reload.isActive()
    page.show()
    assert page._reload.isActive()  # shown again: one reload
    page._reload.stop()
    ui.bridge.cycle_finished.emit(FINISHED)
    assert page._reload.isActive()  # seen: reloads when a cycle ends
    page._reload.stop()
    page.hide()
    ui.bridge.cycle_finished.emit(FINISHED)
    assert not page._reload.isActive()


@pytest.mark.parametrize("page_class", [ActRecordsPage, ConflictsPage])
def test_a_page_without_a_store_never_reloads(page_class, ui, qtbot) -> None:
    page = page_class(None, ui.presenter())
    qtbot.addWidget(page)
    page.show()
    assert not page._reload.isActive()
    assert not page.refresh_action.isEnabled()


def test_a_button_triggers_its_action_and_is_enabled_when_it_is(qtbot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    action = QAction("&Retry", parent)
    triggered: list[bool] = []
    action.triggered.connect(lambda: triggered.append(True))
    button = action_button(action)
    button.setParent(parent)
    assert button.text() == "&Retry" and button.isEnabled()
    action.setEnabled(False)
    assert not button.isEnabled()
    action.setEnabled(True)
    button.click()
    assert triggered == [True]
