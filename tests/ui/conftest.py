"""Fixtures for the Qt widget tests; they run offscreen, with no display and no tray host."""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest

from desktop_sync.ui.main_window import MainWindow

# Read when pytest-qt creates the QApplication, which happens after this module is imported.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

DATABASE_LABEL = "sqlite:////tmp/desktop-sync-test/desktop-sync.sqlite3"


@pytest.fixture
def make_window(qtbot) -> Callable[..., MainWindow]:
    """Build a shown, active main window; qtbot closes it after the test."""

    def make(*, has_profiles: bool, database_label: str = DATABASE_LABEL) -> MainWindow:
        window = MainWindow(database_label=database_label, has_profiles=has_profiles)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow, timeout=2000)
        return window

    return make
