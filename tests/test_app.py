"""The GUI composition root: refuses cleanly without a display, runs and quits on its own with one."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from desktop_sync.app import QUIT_AFTER_ENV, find_display_problem

NO_DISPLAY_MESSAGE = (
    "desktop-sync: no display found (DISPLAY is not set); run the admin CLI with a subcommand, "
    "or set QT_QPA_PLATFORM=offscreen"
)
RUN_GUI = (
    "import sys; from desktop_sync.app import run_gui; "
    "sys.exit(run_gui(database_label='sqlite:///test.sqlite3', has_profiles=False))"
)


def _environment_without_display(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env.update(extra)
    return env


def test_no_display_is_reported_on_linux():
    assert find_display_problem({}, platform="linux") == NO_DISPLAY_MESSAGE


@pytest.mark.parametrize(
    ("environ", "platform"),
    [
        ({"QT_QPA_PLATFORM": "offscreen"}, "linux"),
        ({"WAYLAND_DISPLAY": "wayland-0"}, "linux"),
        ({"DISPLAY": "remote.example:10.0"}, "linux"),  # SSH forwarding: not probed, Qt tries it
        ({}, "win32"),
        ({}, "darwin"),
    ],
)
def test_a_usable_or_chosen_platform_is_not_second_guessed(environ, platform):
    assert find_display_problem(environ, platform=platform) is None


def test_a_local_display_without_an_x_server_is_reported():
    problem = find_display_problem({"DISPLAY": ":9876"}, platform="linux")
    assert problem is not None
    assert "DISPLAY=:9876" in problem


def test_run_gui_without_a_display_exits_1_with_one_line_instead_of_aborting():
    result = subprocess.run(
        [sys.executable, "-c", RUN_GUI],
        env=_environment_without_display(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1  # not -6 (SIGABRT) nor a core dump
    assert result.stderr.strip() == NO_DISPLAY_MESSAGE


@pytest.mark.gui
def test_run_gui_opens_and_quits_by_itself_after_the_given_delay():
    result = subprocess.run(
        [sys.executable, "-c", RUN_GUI],
        env=_environment_without_display(QT_QPA_PLATFORM="offscreen", **{QUIT_AFTER_ENV: "200"}),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr


def test_the_settings_files_language_and_start_minimized_are_applied_at_start():
    from desktop_sync.app import language_environ, shows_window_at_start
    from desktop_sync.domain.settings import LocalSettings

    assert language_environ({}, LocalSettings(language="fr"))["DESKTOP_SYNC_LANG"] == "fr"
    assert "DESKTOP_SYNC_LANG" not in language_environ({}, LocalSettings())  # the system's language
    assert language_environ({"DESKTOP_SYNC_LANG": "en"}, LocalSettings(language="fr"))["DESKTOP_SYNC_LANG"] == "en"
    assert not shows_window_at_start(LocalSettings(start_minimized=True), tray_shown=True)
    assert shows_window_at_start(LocalSettings(start_minimized=True), tray_shown=False)  # no tray: no way back
    assert shows_window_at_start(LocalSettings(), tray_shown=True)


@pytest.mark.gui
def test_a_db_that_does_not_exist_is_said_in_a_dialog_and_not_created(tmp_path):
    missing = tmp_path / "typo" / "crm.sqlite3"
    result = subprocess.run(
        [sys.executable, "-m", "desktop_sync", "--db", str(missing)],
        env=_environment_without_display(QT_QPA_PLATFORM="offscreen", **{QUIT_AFTER_ENV: "200"}),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    ours = [line for line in result.stderr.splitlines() if line.startswith("desktop-sync")]  # Qt may add its own
    assert ours == [
        f"desktop-sync: error: --db: no store at {missing} (to create one there: desktop-sync --db {missing} init)"
    ]
    assert not missing.exists() and not missing.parent.exists()


@pytest.mark.gui
def test_the_missing_store_dialog_names_the_path_and_the_command(qtbot, tmp_path):
    from desktop_sync.ui.errors import ErrorDialog, missing_store_report

    path = str(tmp_path / "crm.sqlite3")
    dialog = ErrorDialog(missing_store_report(path, "--db", f"desktop-sync --db {path} init"))
    qtbot.addWidget(dialog)
    assert path in dialog.title_label.text()
    assert dialog.cause_label.text().startswith("--db names a store that does not exist.")
    assert f"desktop-sync --db {path} init" in dialog.fix_label.text()
