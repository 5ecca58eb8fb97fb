"""Page 6 of the migration wizard: the report in the interface's language, saved as text or JSON."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWizardPage,
)

from desktop_sync.domain.errors import DesktopSyncError
from desktop_sync.services.migration import (
    PROCESS_EMAIL_FROM_HOURS,
    TEST_ENABLE_BATCH,
    MigrationReport,
    Result,
)
from desktop_sync.ui.explanations import localize_migration_text
from desktop_sync.ui.migration.widgets import page_intro
from desktop_sync.ui.page import sentence_label, use_placeholder_colour

if TYPE_CHECKING:
    from desktop_sync.ui.migration.wizard import MigrationWizard


class MigrationReportPage(QWizardPage):
    def __init__(self, wizard: MigrationWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.setTitle(self.tr("Report"))
        self.intro_label = page_intro(
            self, self.tr("What the migration did, and the next steps. Save it to keep it: the text as shown, or JSON.")
        )
        self.next_label = sentence_label("")
        self.report_text = QPlainTextEdit()
        self.report_text.setReadOnly(True)
        self.report_text.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.report_text.setAccessibleName(self.tr("Migration report"))
        self.save_button = QPushButton(self.tr("&Save…"))
        self.save_button.clicked.connect(self.choose_file)
        self.saved_label = sentence_label("")
        use_placeholder_colour(self.saved_label)
        self.file_dialog: QFileDialog | None = None
        row = QHBoxLayout()
        row.addWidget(self.saved_label, stretch=1)
        row.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro_label)
        layout.addSpacing(self.fontMetrics().height() // 2)
        layout.addWidget(self.next_label)
        layout.addWidget(self.report_text, stretch=1)
        layout.addLayout(row)

    def initializePage(self) -> None:
        report = self._wizard.report
        if report is None:
            return
        needed = sum(o.result is Result.NEEDED for o in report.credentials)
        lines = [
            self.tr(
                "%n mailbox(es) wait for you to approve them and run Test & Enable: at most {batch} per "
                "batch, queues first.",
                "",
                len(report.ready_for_test),
            ).format(batch=TEST_ENABLE_BATCH)
        ]
        if needed:
            lines.append(
                self.tr(
                    "%n profile(s) still need passwords: enter them in the profile editor or with "
                    "desktop-sync mailbox set-password.",
                    "",
                    needed,
                )
            )
        self.next_label.setText("\n".join(lines))
        self.report_text.setPlainText(self.render(report))

    def render(self, report: MigrationReport) -> str:
        """The report in the interface's language, from its data (the CLI prints ``to_text()``, in English)."""
        results = {
            Result.CREATED: self.tr("created"),
            Result.KEPT: self.tr("kept"),
            Result.UPDATED: self.tr("updated"),
            Result.UNCHANGED: self.tr("unchanged"),
            Result.SKIPPED: self.tr("skipped"),
            Result.STORED: self.tr("stored"),
            Result.NEEDED: self.tr("needed"),
        }
        kinds = {
            "profile": self.tr("profile"),
            "forward mailbox": self.tr("forward mailbox"),
            "queue mailbox": self.tr("queue mailbox"),
            "user mailbox": self.tr("user mailbox"),
            "mailbox": self.tr("mailbox"),
            "password": self.tr("password"),
            "sign-in": self.tr("sign-in"),
        }
        created_profiles = sum(o.result is Result.CREATED for o in report.profiles)
        kept_profiles = sum(o.result is Result.KEPT for o in report.profiles)
        lines = [
            self.tr("E-mail Router migration report, {time}").format(
                time=report.started_at.isoformat(timespec="seconds")
            ),
            self.tr("Routers: {routers}").format(routers=", ".join(report.routers)),
            self.tr("Profiles: %n created,", "", created_profiles)
            + " "
            + self.tr("%n already there.", "", kept_profiles)
            + " "
            + self.tr("Mailboxes: %n created,", "", report.count(Result.CREATED))
            + " "
            + self.tr("%n updated,", "", report.count(Result.UPDATED))
            + " "
            + self.tr("%n unchanged,", "", report.count(Result.UNCHANGED))
            + " "
            + self.tr("%n skipped.", "", report.count(Result.SKIPPED)),
        ]
        for title, items in (
            (self.tr("Email server profiles"), report.profiles),
            (self.tr("Forward mailboxes"), report.forward_mailboxes),
            (self.tr("User and queue mailboxes"), report.mailboxes),
            (self.tr("Credentials"), report.credentials),
        ):
            lines += ["", self.tr("{title}:").format(title=title)]
            if not items:
                lines.append("  " + self.tr("none"))
            for outcome in items:
                line = f"  [{results[outcome.result]}] {outcome.subject}"
                if outcome.detail:
                    line = self.tr("{line}: {detail}").format(line=line, detail=localize_migration_text(outcome.detail))
                lines.append(line)
        if report.skipped:
            lines += ["", self.tr("Not migrated:")]
            for skipped in report.skipped:
                lines.append(
                    "  "
                    + self.tr("{kind} {subject}: {reason}").format(
                        kind=kinds.get(skipped.kind, skipped.kind),
                        subject=skipped.subject,
                        reason=localize_migration_text(skipped.reason),
                    )
                )
        warnings = [w for w in report.warnings if not w.blocking]
        if warnings:
            lines += ["", self.tr("Warnings:")]
            for warning in warnings:
                shown = localize_migration_text(warning.message)
                lines.append(
                    "  "
                    + (
                        self.tr("{subject}: {reason}").format(subject=warning.profile, reason=shown)
                        if warning.profile
                        else shown
                    )
                )
        lines += ["", self.tr("Next steps:")]
        lines += [f"  - {step}" for step in self.next_steps(report)]
        return "\n".join(lines) + "\n"

    def next_steps(self, report: MigrationReport) -> list[str]:
        """MigrationReport.next_steps in the interface's language."""
        steps = []
        needed = sum(o.result is Result.NEEDED for o in report.credentials)
        if needed:
            steps.append(
                self.tr(
                    "Enter the %n missing password(s) listed under Credentials (profile editor, or "
                    "desktop-sync mailbox set-password ADDRESS); the profiles concerned carry a "
                    "'credentials needed' alert.",
                    "",
                    needed,
                )
            )
        if report.ready_for_test:
            steps.append(
                self.tr(
                    "%n mailbox(es) are left for you to approve and Test & Enable "
                    "(desktop-sync mailbox approve ADDRESS, then desktop-sync mailbox test-enable ADDRESS). "
                    "Nothing synchronizes before that. Test and enable at most {batch} mailboxes per batch "
                    "(Microsoft advises at most 200 every 5 hours), queues first.",
                    "",
                    len(report.ready_for_test),
                ).format(batch=TEST_ENABLE_BATCH)
            )
        steps.append(
            self.tr(
                "New profiles process email from {time} ({hours} hours before the migration), and so do the "
                "migrated mailboxes."
            ).format(time=report.process_email_from.isoformat(timespec="minutes"), hours=PROCESS_EMAIL_FROM_HOURS)
        )
        if any(w.code.value in ("non_ssl", "exchange_online_basic", "local_system") for w in report.warnings):
            steps.append(
                self.tr(
                    "Review the warnings before Test & Enable: some profiles need their security or sign-in changed."
                )
            )
        steps.append(self.tr("When the mailboxes work, stop the E-mail Router so that mail is not processed twice."))
        return steps

    def choose_file(self) -> None:
        dialog = QFileDialog(self, self.tr("Save the migration report"))
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        text_filter, json_filter = self.tr("Text (*.txt)"), self.tr("JSON (*.json)")
        dialog.setNameFilters([text_filter, json_filter])
        dialog.selectFile("email-router-migration.txt")
        dialog.filterSelected.connect(
            lambda chosen: dialog.setDefaultSuffix("json" if chosen == json_filter else "txt")
        )
        dialog.setDefaultSuffix("txt")
        dialog.fileSelected.connect(lambda path: self.save(path, as_json=dialog.selectedNameFilter() == json_filter))
        self.file_dialog = dialog
        dialog.open()

    def save(self, path: str | Path, *, as_json: bool | None = None) -> bool:
        """Write the report to ``path``: JSON when asked (or the name ends in .json), else the text."""
        report = self._wizard.report
        if report is None:
            return False
        target = Path(path)
        json_wanted = target.suffix.lower() == ".json" if as_json is None else as_json
        try:
            text = report.to_json() if json_wanted else self.report_text.toPlainText() or self.render(report)
            target.write_text(text, encoding="utf-8")
        except OSError as exc:
            self._wizard.presenter.present(
                DesktopSyncError(f"{target}: {exc.strerror or exc}", code="file_not_saved"),
                self.tr("save the migration report"),
            )
            return False
        self.saved_label.setText(self.tr("Saved to {path}").format(path=str(target)))
        return True
