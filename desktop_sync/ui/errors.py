"""The one error presenter: what failed, why, and how to fix it, with copyable details.

Errors from something the admin just did open a (non-blocking, window-modal) dialog; failures of
background work become notifications in the status bar, at most one every few seconds, the
others coalesced into "and N more".
"""

from __future__ import annotations

import contextlib
import logging
import time
import traceback
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop_sync.domain.errors import DesktopSyncError, NotFoundError, ValidationError
from desktop_sync.domain.messages import known_codes
from desktop_sync.ui.explanations import explain_localized, localize_field_error
from desktop_sync.ui.page import ElidedLabel

log = logging.getLogger("desktop_sync.ui")

NOTIFY_INTERVAL_SECONDS = 4.0  # at most one new notification this often
NOTIFICATION_SHOWN_MS = 10_000


@dataclass(frozen=True, slots=True)
class ErrorReport:
    """What the admin reads about one failure."""

    title: str
    cause: str
    fix: str
    details: str = ""
    information: bool = False  # news rather than a failure: shown with an information icon


# The facts the catalogue's texts may name; one the caller does not know must not read as "?".
_FACTS = (
    "address", "server", "detail", "attempts", "item", "profile", "failing", "total",
    "old_owner", "new_owner", "other_address",
)  # fmt: skip
_UNKNOWN = "\x00"


def _explained(error: DesktopSyncError, facts: Mapping[str, str]) -> tuple[str, str]:
    """The catalogue's cause and fix for ``error`` in the interface's language; its own message when
    the cause needs unknown facts."""
    probe = explain_localized(error.code, **{**dict.fromkeys(_FACTS, _UNKNOWN), **facts, "detail": error.message})
    text = explain_localized(error.code, **{**facts, "detail": error.message})
    cause = text.cause if _UNKNOWN not in probe.cause else error.message
    fix = text.fix if _UNKNOWN not in probe.fix else probe.fix.replace(_UNKNOWN, "…")
    return cause, fix


def report_for(error: BaseException, action: str = "", facts: Mapping[str, str] | None = None) -> ErrorReport:
    """Title, cause and fix of ``error``; the catalogue's text when its code is known.

    ``facts`` (address, server...) fill the catalogue's text; without them the error's own
    message says the cause."""
    heading = QCoreApplication.translate("ErrorPresenter", "Could not {action}").format(action=action) if action else ""
    if isinstance(error, ValidationError):
        cause = "\n".join(f"{field}: {localize_field_error(message)}" for field, message in error.errors.items())
        return ErrorReport(
            heading or QCoreApplication.translate("ErrorPresenter", "Some input is not valid"),
            cause,
            QCoreApplication.translate("ErrorPresenter", "Correct the fields named above and try again."),
            error.message,
        )
    if isinstance(error, NotFoundError):
        return ErrorReport(
            heading or QCoreApplication.translate("ErrorPresenter", "Not found"),
            error.message,
            QCoreApplication.translate(
                "ErrorPresenter", "It may have been changed or removed elsewhere; refresh the view and try again."
            ),
            f"{error.code}: {error.message}",
        )
    if isinstance(error, DesktopSyncError):
        if error.code in known_codes():
            cause, fix = _explained(error, facts or {})
            title = explain_localized(error.code).title
            return ErrorReport(title, cause, fix, f"{error.code}: {error.message}")
        return ErrorReport(
            heading or QCoreApplication.translate("ErrorPresenter", "The action failed"),
            error.message,
            "",
            f"{error.code}: {error.message}",
        )
    details = "".join(traceback.format_exception(error))
    return ErrorReport(
        QCoreApplication.translate("ErrorPresenter", "Unexpected error"),
        f"{type(error).__name__}: {error}",
        QCoreApplication.translate(
            "ErrorPresenter", "This is a bug in Desktop Sync. Copy the details below into a bug report."
        ),
        details,
    )


def missing_store_report(path: str, named_by: str, create_command: str) -> ErrorReport:
    """The application was pointed at a store that does not exist: it says so, and creates nothing."""
    return ErrorReport(
        QCoreApplication.translate("MissingStore", "No store at {path}").format(path=path),
        QCoreApplication.translate(
            "MissingStore",
            "{named_by} names a store that does not exist. Desktop Sync creates a new store only at its "
            "default location, so nothing was created.",
        ).format(named_by=named_by),
        QCoreApplication.translate(
            "MissingStore", "Check the path; to create a new store there, run: {command}"
        ).format(command=create_command),
        f"store_missing: {named_by}: {path}",
    )


class ErrorDialog(QDialog):
    """Title, cause, fix, and a collapsible, copyable details pane."""

    def __init__(self, report: ErrorReport, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.report = report
        self.setWindowTitle(report.title)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        icon = QLabel()
        kind = (
            QStyle.StandardPixmap.SP_MessageBoxInformation
            if report.information
            else QStyle.StandardPixmap.SP_MessageBoxCritical
        )
        icon.setPixmap(self.style().standardIcon(kind).pixmap(48, 48))
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.title_label = QLabel(f"<b>{_escape(report.title)}</b>")
        self.cause_label = QLabel(report.cause)
        # The cause carries what a server said: shown as it is, never read as markup (a link, an image).
        self.cause_label.setTextFormat(Qt.TextFormat.PlainText)
        self.fix_label = QLabel(self.tr("<b>How to fix it:</b> {fix}").format(fix=_escape(report.fix)))
        for label in (self.title_label, self.cause_label, self.fix_label):
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.fix_label.setVisible(bool(report.fix))

        self.details_button = QToolButton()
        self.details_button.setText(self.tr("&Details"))
        self.details_button.setCheckable(True)
        self.details_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.details_button.setArrowType(Qt.ArrowType.RightArrow)
        self.details = QPlainTextEdit(report.details)
        self.details.setReadOnly(True)
        self.details.setVisible(False)
        self.details.setAccessibleName(self.tr("Details"))
        self.details_button.toggled.connect(self._show_details)
        self.details_button.setVisible(bool(report.details))

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = QPushButton(self.tr("&Copy details"))
        self.copy_button.setShortcut(QKeySequence.StandardKey.Copy)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self.copy_details)
        buttons.rejected.connect(self.reject)

        text = QVBoxLayout()
        text.addWidget(self.title_label)
        text.addWidget(self.cause_label)
        text.addWidget(self.fix_label)
        top = QHBoxLayout()
        top.addWidget(icon)
        top.addLayout(text, stretch=1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.details_button, alignment=Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.details, stretch=1)
        layout.addWidget(buttons)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 70)

    def full_text(self) -> str:
        parts = [self.report.title, self.report.cause]
        if self.report.fix:
            parts.append(self.tr("How to fix it: {fix}").format(fix=self.report.fix))
        if self.report.details:
            parts.append(self.report.details)
        return "\n\n".join(parts)

    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(self.full_text())

    def _show_details(self, shown: bool) -> None:
        self.details.setVisible(shown)
        self.details_button.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)
        self.adjustSize()


class NotificationArea(QWidget):
    """A line in the status bar for background news: rate-limited, coalesced, never in the way."""

    details_requested = Signal(object)  # the ErrorReport of the notification shown

    def __init__(
        self,
        parent: QWidget | None = None,
        clock: Callable[[], float] = time.monotonic,
        interval: float = NOTIFY_INTERVAL_SECONDS,
    ) -> None:
        super().__init__(parent)
        self._clock = clock
        self._interval = interval
        self._last_shown = -interval
        self._pending: list[ErrorReport] = []
        self._shown: ErrorReport | None = None
        self._coalesced = 0

        self.icon = QLabel()
        self.icon.setPixmap(self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(16, 16))
        self.label = ElidedLabel(mode=Qt.TextElideMode.ElideRight)
        self.label.setTextFormat(Qt.TextFormat.PlainText)  # a cause from a server is not markup
        self.details_button = QToolButton()
        self.details_button.setText(self.tr("Details…"))
        self.details_button.setAutoRaise(True)
        self.details_button.clicked.connect(self._on_details)
        self.dismiss_button = QToolButton()
        self.dismiss_button.setText("×")
        self.dismiss_button.setToolTip(self.tr("Dismiss"))
        self.dismiss_button.setAccessibleName(self.tr("Dismiss"))
        self.dismiss_button.setAutoRaise(True)
        self.dismiss_button.clicked.connect(self.dismiss)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.icon)
        layout.addWidget(self.label, stretch=1)
        layout.addWidget(self.details_button)
        layout.addWidget(self.dismiss_button)

        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.timeout.connect(self._flush)
        self._hide_timer = QTimer(self)
        self._hide_timer.setSingleShot(True)
        self._hide_timer.setInterval(NOTIFICATION_SHOWN_MS)
        self._hide_timer.timeout.connect(self.dismiss)
        self.setVisible(False)

    def shown(self) -> ErrorReport | None:
        return self._shown

    def text(self) -> str:
        return self.label.text() if self.isVisibleTo(self.parentWidget()) or self._shown else ""

    def notify(self, report: ErrorReport) -> None:
        """Show ``report`` now, or with the next one if one was shown less than a few seconds ago."""
        self._pending.append(report)
        wait = self._last_shown + self._interval - self._clock()
        if wait <= 0:
            self._flush()
        elif not self._flush_timer.isActive():
            self._flush_timer.start(int(wait * 1000) + 1)

    def _flush(self) -> None:
        if not self._pending:
            return
        latest, more = self._pending[-1], len(self._pending) - 1
        self._pending.clear()
        self._shown = latest
        self._last_shown = self._clock()
        text = latest.title
        if latest.cause:
            text = self.tr("{title}: {cause}").format(title=latest.title, cause=latest.cause)
        if more:
            text += " " + self.tr("(and %n more)", "", more)
        self.label.setText(text)
        self.label.setToolTip(text)
        self.setVisible(True)
        self._hide_timer.start()

    def dismiss(self) -> None:
        self.setVisible(False)
        self._shown = None

    def _on_details(self) -> None:
        if self._shown is not None:
            self.details_requested.emit(self._shown)


class ErrorPresenter(QObject):
    """Every error the GUI reports goes through here: a dialog for the admin's actions, a
    notification for background work. ``show_dialog`` is injectable for tests."""

    presented = Signal(object)  # the ErrorReport, for whoever wants to know (tests, logs)

    def __init__(
        self,
        window: QWidget | None,
        notifications: NotificationArea | None = None,
        show_dialog: Callable[[ErrorReport], None] | None = None,
    ) -> None:
        super().__init__(window)
        self._window = window
        self._notifications = notifications
        self._show_dialog = show_dialog or self._open_dialog
        self.last_dialog: ErrorDialog | None = None
        if notifications is not None:
            notifications.details_requested.connect(self._show_dialog)

    def present(self, error: BaseException, action: str = "", facts: Mapping[str, str] | None = None) -> ErrorReport:
        """An action of the admin failed: say what, why and how to fix it."""
        if not isinstance(error, DesktopSyncError):
            log.error("unexpected error while trying to %s", action or "act", exc_info=error)
        report = report_for(error, action, facts)
        self.presented.emit(report)
        self._show_dialog(report)
        return report

    def present_message(self, report: ErrorReport) -> None:
        """Tell the admin something about what they just did that is not an exception."""
        self.presented.emit(report)
        self._show_dialog(report)

    def notify(self, report: ErrorReport) -> None:
        """Background news: shown in the notification area, never a dialog in the admin's way."""
        self.presented.emit(report)
        if self._notifications is not None:
            self._notifications.notify(report)
        else:
            log.warning("%s: %s", report.title, report.cause)

    def notify_error(self, error: BaseException, action: str = "") -> None:
        self.notify(report_for(error, action))

    @contextlib.asynccontextmanager
    async def guard(self, *controls: QObject, action: str = "") -> AsyncIterator[None]:
        """Disable ``controls`` while the body runs; errors in it are presented, not raised."""
        before = [control.isEnabled() for control in controls]  # type: ignore[attr-defined]
        for control in controls:
            control.setEnabled(False)  # type: ignore[attr-defined]
        try:
            yield
        except Exception as exc:
            self.present(exc, action)
        finally:
            for control, enabled in zip(controls, before, strict=True):
                with contextlib.suppress(RuntimeError):  # the control may be gone with its window
                    control.setEnabled(enabled)  # type: ignore[attr-defined]

    def _open_dialog(self, report: ErrorReport) -> None:
        dialog = ErrorDialog(report, self._window)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.last_dialog = dialog
        dialog.open()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
