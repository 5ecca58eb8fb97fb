"""One error presenter: title, cause and fix by error code, copyable details, and background news
shown at most once every few seconds with the rest coalesced."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QPushButton

from desktop_sync.domain.errors import PermanentError, ValidationError
from desktop_sync.ui.errors import ErrorDialog, ErrorPresenter, ErrorReport, NotificationArea, report_for
from tests.ui.conftest import save_grab, until

pytestmark = pytest.mark.gui


def test_a_known_code_reads_as_the_catalogue_says():
    report = report_for(PermanentError("LOGIN failed", code="auth_failed"))
    assert report.title == "The server refused the credentials"
    assert "LOGIN failed" in report.cause
    assert report.fix.startswith("Check the login and password")
    assert "auth_failed" in report.details


def test_field_errors_and_unexpected_errors_still_say_something():
    report = report_for(ValidationError({"timeout_seconds": "500 s is outside 1-100 s"}), "save the profile")
    assert report.title == "Could not save the profile"
    assert "timeout_seconds: 500 s is outside 1-100 s" in report.cause
    crash = report_for(ZeroDivisionError("division by zero"))
    assert crash.title == "Unexpected error" and "ZeroDivisionError" in crash.details


def test_the_dialog_shows_title_cause_fix_and_copies_everything(qtbot, tmp_path):
    report = report_for(PermanentError("LOGIN failed", code="auth_failed"))
    dialog = ErrorDialog(report)
    qtbot.addWidget(dialog)
    dialog.show()
    assert report.title in dialog.title_label.text()
    assert dialog.cause_label.text() == report.cause
    assert not dialog.details.isVisible()
    dialog.details_button.click()
    assert dialog.details.isVisible() and dialog.details.toPlainText() == report.details
    dialog.copy_details()
    copied = QGuiApplication.clipboard().text()
    assert report.title in copied and report.fix in copied and report.details in copied
    save_grab(dialog, tmp_path / "error-dialog.png")


def test_guard_disables_the_control_and_hands_the_error_to_the_presenter(qtbot, run):
    shown: list[ErrorReport] = []
    presenter = ErrorPresenter(None, None, show_dialog=shown.append)
    button = QPushButton()
    qtbot.addWidget(button)
    states = []

    async def act() -> None:
        async with presenter.guard(button, action="act"):
            states.append(button.isEnabled())
            raise PermanentError("nope", code="mailbox_not_found")

    run(act())
    assert states == [False] and button.isEnabled()
    assert [r.title for r in shown] == ["The mailbox does not exist on the server"]


def test_notifications_are_rate_limited_and_coalesced(qtbot, run):
    area = NotificationArea(interval=0.3)
    qtbot.addWidget(area)
    first = ErrorReport("Server busy", "imap1", "")
    area.notify(first)
    assert area.shown() is first
    for n in range(5):
        area.notify(ErrorReport(f"Failure {n}", "cause", ""))
    assert area.shown() is first  # within the interval: nothing new yet

    run(until(lambda: area.shown() is not first, timeout=10, what="the coalesced notification"))
    assert area.shown().title == "Failure 4"
    assert area.label.text().endswith("(and 4 more)")


@pytest.mark.parametrize(
    "said",
    [
        "<b>NO</b> [AUTHENTICATIONFAILED] <a href='https://phish.example/reset'>reset your password</a>",
        "<img src='https://tracker.example/pixel.png'> LOGIN failed",
        "5.7.8 Error: authentication failed: <script>alert(1)</script> &amp; more",
    ],
)
def test_what_a_server_said_is_shown_as_plain_text_never_as_markup(qtbot, said: str) -> None:
    report = report_for(PermanentError(said, code="auth_failed"))
    assert said in report.cause
    dialog = ErrorDialog(report)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.cause_label.textFormat() is Qt.TextFormat.PlainText
    assert dialog.cause_label.text() == report.cause  # every character as the server sent it
    assert dialog.cause_label.openExternalLinks() is False
    assert "&lt;" in dialog.title_label.text() or "<" not in report.title  # the title is escaped markup

    area = NotificationArea()
    qtbot.addWidget(area)
    area.notify(report)
    assert area.label.textFormat() is Qt.TextFormat.PlainText
    assert said in area.label.text()
