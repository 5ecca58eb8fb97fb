"""PySide6 6.12 on Python 3.11 drops a reference to True (or None) each time a signal calls a
Python slot; the guard keeps a long-running application from aborting."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from desktop_sync.ui.refcount_guard import needs_protection

pytestmark = pytest.mark.gui

EMIT = """
import sys
{guard}
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication
app = QApplication([])
class Source(QObject):
    fired = Signal(object)
source = Source()
source.fired.connect(lambda value: None)
for _ in range(200_000):
    source.fired.emit(False)
print("alive")
"""


def test_only_pyside_6_12_on_python_before_3_12_needs_it():
    assert needs_protection((3, 11), (6, 12))
    assert not needs_protection((3, 12), (6, 12))
    assert not needs_protection((3, 11), (6, 11))


def test_a_long_run_of_signals_survives_once_the_ui_package_is_imported():
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    script = EMIT.format(guard="import desktop_sync.ui")
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "alive"
