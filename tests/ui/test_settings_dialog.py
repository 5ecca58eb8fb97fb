"""The Settings dialog: engine limits saved in the store and picked up by the next engine, this
computer's settings in the settings file, start at login as an autostart entry, errors on their field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QSpinBox

from desktop_sync.config import ConfigFile
from desktop_sync.domain.settings import EngineLimits
from desktop_sync.engine.engine import EngineSettings
from desktop_sync.services.settings import SettingsService
from desktop_sync.store import open_store
from desktop_sync.ui.main_window import MainWindow
from desktop_sync.ui.settings_dialog import SettingsDialog
from tests.ui.conftest import DATABASE_LABEL, save_grab, until

pytestmark = pytest.mark.gui
SHOTS = Path("/tmp/shots/gui-options")


def open_from_the_menu(ui, run, qtbot) -> SettingsDialog:
    window = MainWindow(database_label=DATABASE_LABEL, has_profiles=True, context=ui.context)
    qtbot.addWidget(window)
    window.show()
    assert window.settings_action.isEnabled()
    window.settings_action.trigger()
    run(until(lambda: window.settings_dialog is not None and window.settings_dialog.isVisible(), what="the dialog"))
    dialog = window.settings_dialog
    assert dialog is not None
    return dialog


def editor(dialog: SettingsDialog, key: str):
    return dialog.editors[key]


def test_settings_round_trip_reach_the_next_engine_the_file_and_autostart(ui, run, qtbot, tmp_path: Path) -> None:
    dialog = open_from_the_menu(ui, run, qtbot)
    assert editor(dialog, "items_per_cycle").value() == 500
    assert editor(dialog, "language").currentData() == "system"
    assert not dialog.start_at_login.isChecked()
    SHOTS.mkdir(parents=True, exist_ok=True)
    save_grab(dialog, SHOTS / "settings.png")

    spin = editor(dialog, "items_per_cycle")
    assert isinstance(spin, QSpinBox) and (spin.minimum(), spin.maximum()) == (10, 10_000)
    spin.setValue(250)
    editor(dialog, "mailbox_workers").setValue(4)
    editor(dialog, "backoff_seconds").setValue(120)
    smart = editor(dialog, "smart_matching")
    assert isinstance(smart, QCheckBox)
    smart.setChecked(True)
    level = editor(dialog, "log_level")
    assert isinstance(level, QComboBox)
    level.setCurrentIndex(level.findData("debug"))
    language = editor(dialog, "language")
    language.setCurrentIndex(language.findData("fr"))
    editor(dialog, "start_minimized").setChecked(True)
    dialog.start_at_login.setChecked(True)
    assert run(dialog.save_now())

    # a new engine on the store, from another connection (as `desktop-sync engine run` would open it)
    other = open_store(f"sqlite:///{tmp_path / 'ui.sqlite3'}")
    try:
        settings = run(SettingsService(other, ConfigFile(tmp_path / "unused.json")).engine_settings())
    finally:
        run(other.close())
    assert settings.cycle.items_per_cycle == 250 and settings.mailbox_workers == 4
    assert settings.cycle.smart_matching and settings.cycle.retry.backoff == 120.0
    assert settings.outgoing_workers == EngineSettings().outgoing_workers

    saved = json.loads((tmp_path / "config" / "settings.json").read_text(encoding="utf-8"))
    assert saved == {"language": "fr", "log_level": "debug", "start_minimized": True, "store": ""}
    entry = tmp_path / "autostart" / "desktop-sync.desktop"
    assert "X-GNOME-Autostart-enabled=true" in entry.read_text(encoding="utf-8")

    again = open_from_the_menu(ui, run, qtbot)
    assert again.values()["items_per_cycle"] == 250 and again.values()["language"] == "fr"
    assert again.start_at_login.isChecked()
    again.start_at_login.setChecked(False)
    assert run(again.save_now())
    assert not entry.exists()


def test_a_bad_value_is_shown_on_its_field_input_kept_nothing_written(ui, run, qtbot, tmp_path: Path) -> None:
    dialog = open_from_the_menu(ui, run, qtbot)
    editor(dialog, "items_per_cycle").setValue(300)
    store = editor(dialog, "store")
    assert isinstance(store, QLineEdit)
    store.setText("postgresql://crm:secret@db.example.test/crm")
    assert not run(dialog.save_now())
    assert dialog.isVisible()
    assert dialog.fields.message("store") == (
        "No password in the store location: give it to PostgreSQL in ~/.pgpass or $PGPASSWORD."
    )
    assert store.text() == "postgresql://crm:secret@db.example.test/crm"
    assert editor(dialog, "items_per_cycle").value() == 300
    SHOTS.mkdir(parents=True, exist_ok=True)
    save_grab(dialog, SHOTS / "settings-error.png")
    assert run(ui.context.settings.engine_limits()) == EngineLimits()
    assert not (tmp_path / "config" / "settings.json").exists()

    store.setText("postgresql://crm@db.example.test/crm")
    assert run(dialog.save_now())
    assert run(ui.context.settings.engine_limits()).items_per_cycle == 300
    assert ui.context.settings.local().store == "postgresql://crm@db.example.test/crm"


def test_restore_defaults_fills_the_form_and_writes_nothing_until_save(ui, run, qtbot) -> None:
    run(ui.context.settings.save({"items_per_cycle": 50, "language": "en"}))
    dialog = open_from_the_menu(ui, run, qtbot)
    assert editor(dialog, "items_per_cycle").value() == 50
    dialog.restore_defaults()
    assert editor(dialog, "items_per_cycle").value() == 500
    assert editor(dialog, "language").currentData() == "system"
    assert run(ui.context.settings.engine_limits()).items_per_cycle == 50
    dialog.reject()
