"""The E-mail Router migration wizard: six pages over services/migration.py, one module each.

1. the routers' folders (``routers_page``), 2. the profiles found (``profiles_page``), 3. the
passwords (``credentials_page``), 4. the review (``review_page``), 5. the progress
(``progress_page``), 6. the report (``report_page``).

Nothing is written before page 4's Migrate. The work is the service's (``MigrationService``); the
wizard only shows it, and hears of the progress through the engine bridge's operation signals.
"""

from __future__ import annotations

import contextlib

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget, QWizard

from desktop_sync.domain.email_router import RouterReading
from desktop_sync.services.migration import MigrationPlan, MigrationReport, MigrationService
from desktop_sync.ui.context import UiContext
from desktop_sync.ui.errors import ErrorPresenter
from desktop_sync.ui.migration.credentials_page import MigrationCredentialsPage
from desktop_sync.ui.migration.profiles_page import MigrationProfilesPage
from desktop_sync.ui.migration.progress_page import MigrationProgressPage
from desktop_sync.ui.migration.report_page import MigrationReportPage
from desktop_sync.ui.migration.review_page import MigrationReviewPage
from desktop_sync.ui.migration.routers_page import MigrationRoutersPage
from desktop_sync.ui.page import resize_within_screen


class MigrationWizard(QWizard):
    """Migrate from the E-mail Router; ``migrated`` is emitted once the store changed."""

    migrated = Signal()

    def __init__(
        self, context: UiContext, presenter: ErrorPresenter | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        if context.migration is None:
            raise ValueError("the migration wizard needs the migration service")
        self.context = context
        self.migration: MigrationService = context.migration
        self.presenter = presenter or ErrorPresenter(self)  # its dialogs over the wizard, not behind it
        self.reading: RouterReading | None = None
        self.plan: MigrationPlan | None = None
        self.report: MigrationReport | None = None
        self.setWindowTitle(self.tr("Migrate from the E-mail Router"))
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.HaveHelpButton, False)

        self.routers_page = MigrationRoutersPage(self)
        self.profiles_page = MigrationProfilesPage(self)
        self.credentials_page = MigrationCredentialsPage(self)
        self.review_page = MigrationReviewPage(self)
        self.progress_page = MigrationProgressPage(self)
        self.report_page = MigrationReportPage(self)
        for number, page in enumerate(
            (
                self.routers_page,
                self.profiles_page,
                self.credentials_page,
                self.review_page,
                self.progress_page,
                self.report_page,
            )
        ):
            self.setPage(number, page)
        self.progress_page.finished.connect(self._progress_finished)
        metrics = self.fontMetrics()
        resize_within_screen(self, metrics.averageCharWidth() * 175, metrics.lineSpacing() * 46)

    def set_reading(self, reading: RouterReading | None) -> None:
        self.reading = reading
        self.plan = None

    def set_plan(self, plan: MigrationPlan) -> None:
        self.plan = plan

    def set_report(self, report: MigrationReport) -> None:
        self.report = report
        self.migrated.emit()

    def reject(self) -> None:
        """Cancel: a migration under way is cancelled first (it rolls back), then the wizard closes."""
        if self.progress_page.running:
            self.progress_page.cancel()
            return  # closes once the operation has ended: _progress_finished
        self.credentials_page.clear()
        super().reject()

    def done(self, result: int) -> None:
        self.credentials_page.clear()
        for dialog in (self.routers_page.file_dialog, self.report_page.file_dialog):
            if dialog is not None:
                with contextlib.suppress(RuntimeError):
                    dialog.close()
        super().done(result)

    def _progress_finished(self) -> None:
        if self.progress_page.cancelling:
            super().reject()
