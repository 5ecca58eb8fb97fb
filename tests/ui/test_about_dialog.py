"""Help → About: version, licence, store, log and settings files, and the copy for a support request."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QLabel

from desktop_sync.logs import log_directory
from desktop_sync.ui.about_dialog import AboutDialog, AboutFacts
from desktop_sync.ui.main_window import MainWindow
from desktop_sync.ui.translation import LANGUAGE_ENV, install_translators
from tests.ui.conftest import DATABASE_LABEL, until

pytestmark = pytest.mark.gui
VERSION = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text())["project"]["version"]


def about_action(window: MainWindow) -> QAction:
    [action] = [a for a in window.findChildren(QAction) if a.text().replace("&", "") == "About Desktop Sync"]
    return action


def shown_values(dialog: AboutDialog) -> list[str]:
    return [label.text() for label in dialog.findChildren(QLabel)]


def test_about_from_the_help_menu_says_what_support_asks_and_copies_it(ui, run, qtbot) -> None:
    window = MainWindow(database_label=DATABASE_LABEL, has_profiles=True, context=ui.context)
    qtbot.addWidget(window)
    window.show()
    about_action(window).trigger()
    run(until(lambda: window.about_dialog is not None and window.about_dialog.isVisible(), what="the About dialog"))
    dialog = window.about_dialog
    assert dialog is not None

    settings_file = ui.context.settings.local_location
    log_file = str(log_directory() / "desktop-sync.log")
    values = shown_values(dialog)
    assert f"Desktop Sync {VERSION}" in values  # the version of pyproject.toml, through the package metadata
    for expected in (VERSION, "MIT", DATABASE_LABEL, log_file, settings_file):
        assert expected in values, (expected, values)

    QApplication.clipboard().clear()
    dialog.copy_button.click()
    copied = QApplication.clipboard().text()
    for line in (
        f"Version: {VERSION}",
        "Licence: MIT",
        f"Store: {DATABASE_LABEL}",
        f"Log file: {log_file}",
        f"Settings file: {settings_file}",
    ):
        assert line in copied.splitlines(), (line, copied)
    assert copied.splitlines()[-1].startswith("Runtime: Python ")
    assert dialog.copied.text() == "Copied to the clipboard: paste it into your support request."


def test_the_facts_of_a_window_without_services_name_the_default_settings_file(qtbot) -> None:
    facts = AboutFacts.of_this_process("no store")
    assert facts.settings_file.endswith("settings.json")
    assert (facts.version, facts.licence, facts.store) == (VERSION, "MIT", "no store")


@pytest.fixture
def french(qapp) -> Iterator[None]:
    previous = QLocale()
    language, translators = install_translators(qapp, {LANGUAGE_ENV: "fr"})
    assert language == "fr" and translators
    yield
    for translator in translators:
        qapp.removeTranslator(translator)
    QLocale.setDefault(previous)


def test_about_speaks_french(french, qtbot, tmp_path) -> None:
    facts = AboutFacts.of_this_process("sqlite:///crm.sqlite3", str(tmp_path / "settings.json"))
    dialog = AboutDialog(facts)
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "À propos de Desktop Sync"
    assert dialog.copy_button.text() == "&Copier pour une demande d'assistance"
    assert [label for label, _ in dialog.rows] == [
        "Version",
        "Licence",
        "Base de données",
        "Fichier journal",
        "Fichier de paramètres",
        "Environnement d'exécution",
    ]
    dialog.copy_button.click()
    assert dialog.copied.text() == "Copié dans le presse-papiers : collez-le dans votre demande d'assistance."
    assert "Fichier journal : " not in QApplication.clipboard().text()  # the copy is "label: value" lines
