"""Page 5 of the migration wizard: the progress of the three steps (the engine's operations queue when it
runs; Cancel rolls back)."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QProgressBar,
    QVBoxLayout,
    QWizardPage,
)

from desktop_sync.domain.errors import DesktopSyncError
from desktop_sync.engine.events import OperationProgress
from desktop_sync.services.migration import (
    MIGRATION_OPERATION,
    MigrationPlan,
    MigrationStep,
    Result,
    migration_subject,
)
from desktop_sync.ui.form import error_label
from desktop_sync.ui.migration.widgets import page_intro
from desktop_sync.ui.page import sentence_label

if TYPE_CHECKING:
    from desktop_sync.ui.migration.wizard import MigrationWizard


class MigrationProgressPage(QWizardPage):
    """The three steps as bars, fed by the engine's OperationProgress events. Cancel rolls back."""

    finished = Signal()

    def __init__(self, wizard: MigrationWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.task: asyncio.Task[None] | None = None
        self.cancelling = False
        self.failed = False
        self.setTitle(self.tr("Migrating"))
        self.intro_label = page_intro(
            self, self.tr("The migration runs as one operation: cancelled or failed, it leaves nothing half-written.")
        )
        self.bars: dict[MigrationStep, QProgressBar] = {}
        grid = QFormLayout()
        grid.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        for step in MigrationStep:
            bar = QProgressBar()
            bar.setRange(0, 1)
            bar.setValue(0)
            bar.setFormat(self.tr("%v of %m"))
            bar.setAccessibleName(self.step_text(step))
            self.bars[step] = bar
            grid.addRow(self.step_text(step), bar)
        self.status_label = sentence_label(self.tr("Starting…"))
        self.error_label = error_label()
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro_label)
        layout.addSpacing(self.fontMetrics().height() // 2)
        layout.addLayout(grid)
        layout.addWidget(self.error_label)
        layout.addWidget(self.status_label)
        layout.addStretch(1)
        wizard.context.bridge.operation_progress.connect(self.on_progress)

    def step_text(self, step: MigrationStep) -> str:
        return {
            MigrationStep.PROFILES: self.tr("1. Creating email server profiles"),
            MigrationStep.FORWARD_MAILBOXES: self.tr("2. Creating forward mailboxes"),
            MigrationStep.MAILBOXES: self.tr("3. Updating queue and user mailboxes (queues first, then users)"),
        }[step]

    @property
    def running(self) -> bool:
        return self.task is not None and not self.task.done()

    def isComplete(self) -> bool:
        return self._wizard.report is not None

    def initializePage(self) -> None:
        plan = self._wizard.plan
        if plan is None or self.running or self._wizard.report is not None:
            return
        self.failed = False
        self.error_label.setVisible(False)
        totals = {
            MigrationStep.PROFILES: len(plan.profiles),
            MigrationStep.FORWARD_MAILBOXES: len(plan.forward_mailboxes),
            MigrationStep.MAILBOXES: len(plan.mailboxes),
        }
        for step, bar in self.bars.items():
            self._set_bar(bar, 0, totals[step])
        self.status_label.setText(self.tr("Migrating…"))
        self.task = asyncio.ensure_future(self._run(plan))

    def on_progress(self, event: OperationProgress) -> None:
        plan = self._wizard.plan
        if event.operation != MIGRATION_OPERATION or plan is None or event.subject != migration_subject(plan):
            return
        try:
            step = MigrationStep(event.step)
        except ValueError:
            return
        self._set_bar(self.bars[step], event.done, event.total, reached=True)
        self.status_label.setText(self.step_text(step))

    def _set_bar(self, bar: QProgressBar, done: int, total: int, reached: bool = False) -> None:
        if total:
            bar.setFormat(self.tr("%v of %m"))
            bar.setRange(0, total)
            bar.setValue(done)
        else:  # a full bar once the step is reached, saying there was nothing to do
            bar.setFormat(self.tr("nothing to do"))
            bar.setRange(0, 1)
            bar.setValue(1 if reached else 0)

    def cancel(self) -> None:
        if self.running and self.task is not None:
            self.cancelling = True
            self.status_label.setText(self.tr("Cancelling: what was done so far is rolled back…"))
            self.task.cancel()

    async def _run(self, plan: MigrationPlan) -> None:
        wizard = self._wizard
        passwords = wizard.credentials_page.passwords()
        wizard.credentials_page.clear()  # handed to the service: the fields forget them
        try:
            report = await wizard.migration.run_as_operation(wizard.context.sync, plan, passwords)
        except asyncio.CancelledError:
            self.status_label.setText(self.tr("Cancelled: nothing was written."))
            self.finished.emit()
            return
        except Exception as exc:
            self.failed = True
            message = exc.message if isinstance(exc, DesktopSyncError) else str(exc)
            self.error_label.setText(
                self.tr("The migration failed and nothing was written: {error}").format(error=message)
            )
            self.error_label.setVisible(True)
            self.status_label.setText(self.tr("Close the wizard, fix the cause and run it again."))
            if not isinstance(exc, DesktopSyncError):  # a bug: logged, and said in full
                wizard.presenter.present(exc, self.tr("migrate from the E-mail Router"))
            self.finished.emit()
            return
        wizard.set_report(report)
        self.status_label.setText(
            self.tr(
                "Done. Profiles: {created} created, {kept} already there. Mailboxes: {new} created, "
                "{updated} updated, {same} unchanged."
            ).format(
                created=sum(o.result is Result.CREATED for o in report.profiles),
                kept=sum(o.result is Result.KEPT for o in report.profiles),
                new=report.count(Result.CREATED),
                updated=report.count(Result.UPDATED),
                same=report.count(Result.UNCHANGED),
            )
        )
        self.completeChanged.emit()
        self.finished.emit()
