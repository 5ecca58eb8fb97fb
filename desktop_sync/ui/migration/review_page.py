"""Page 4 of the migration wizard: what will be created, changed and skipped, and the Test & Enable advice.
Nothing is written before its Migrate."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QTreeWidgetItem,
    QVBoxLayout,
    QWizard,
    QWizardPage,
)

from desktop_sync.services.migration import (
    PROCESS_EMAIL_FROM_HOURS,
    TEST_ENABLE_BATCH,
    Action,
    MigrationPlan,
)
from desktop_sync.ui.migration.widgets import page_intro, tree_widget
from desktop_sync.ui.page import sentence_label

if TYPE_CHECKING:
    from desktop_sync.ui.migration.wizard import MigrationWizard


class MigrationReviewPage(QWizardPage):
    def __init__(self, wizard: MigrationWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.setTitle(self.tr("Review"))
        self.intro_label = page_intro(self, self.tr("What the migration will do. Nothing has been written yet."))
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, self.tr("&Migrate"))
        self.summary_label = sentence_label("")
        self.changes = tree_widget([self.tr("What"), self.tr("Action"), self.tr("Detail")], self.tr("Changes"))
        self.advice_label = sentence_label("")
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro_label)
        layout.addSpacing(self.fontMetrics().height() // 2)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.changes, stretch=1)
        layout.addWidget(self.advice_label)

    def initializePage(self) -> None:
        plan = self._wizard.plan
        if plan is None:
            return
        creates = sum(p.action is Action.CREATE for p in plan.profiles)
        mailboxes = plan.forward_mailboxes + plan.mailboxes
        entered = len(self._wizard.credentials_page.passwords())
        self.summary_label.setText(
            self.tr(
                "Email server profiles: {create} to create, {keep} already there and kept as they are.\n"
                "Mailboxes: {new} to create, {update} to update, {same} already migrated, {skipped} not migrated.\n"
                'Passwords: {entered} of {accounts} entered; the others stay "credentials needed".'
            ).format(
                create=creates,
                keep=len(plan.profiles) - creates,
                new=sum(m.action is Action.CREATE for m in mailboxes),
                update=sum(m.action is Action.UPDATE for m in mailboxes),
                same=sum(m.action is Action.UNCHANGED for m in mailboxes),
                skipped=sum(s.kind != "profile" for s in plan.skipped),
                entered=entered,
                accounts=len(plan.accounts),
            )
        )
        self.advice_label.setText(
            self.tr(
                "New profiles and migrated mailboxes process email from {hours} hours before the migration. "
                "The mailboxes are left pending approval: approve them and run Test & Enable on at most {batch} "
                "mailboxes per batch, queues first. Nothing synchronizes before that; stop the E-mail Router once "
                "they work."
            ).format(hours=PROCESS_EMAIL_FROM_HOURS, batch=TEST_ENABLE_BATCH)
        )
        self._fill(plan)

    def _fill(self, plan: MigrationPlan) -> None:
        profiles_page = self._wizard.profiles_page
        self.changes.clear()
        groups = {
            "profiles": QTreeWidgetItem([self.tr("Email server profiles")]),
            "forward": QTreeWidgetItem([self.tr("Forward mailboxes")]),
            "owned": QTreeWidgetItem([self.tr("Queue and user mailboxes (queues first)")]),
            "skipped": QTreeWidgetItem([self.tr("Not migrated")]),
        }
        for planned in plan.profiles:
            QTreeWidgetItem(groups["profiles"], [planned.name, profiles_page._action_text(planned.action), ""])
        for key, items in (("forward", plan.forward_mailboxes), ("owned", plan.mailboxes)):
            for planned_mailbox in items:
                mailbox = planned_mailbox.mailbox
                detail = self.tr("on {profile}").format(profile=mailbox.profile)
                if planned_mailbox.detail:
                    detail += f"; {planned_mailbox.detail}"
                QTreeWidgetItem(
                    groups[key], [mailbox.address, profiles_page._action_text(planned_mailbox.action), detail]
                )
        for skipped in plan.skipped:
            QTreeWidgetItem(groups["skipped"], [skipped.subject, self.tr("skip"), skipped.reason])
        for group in groups.values():
            group.setText(1, str(group.childCount()))
            self.changes.addTopLevelItem(group)
            group.setExpanded(group is not groups["skipped"])
        self.changes.setColumnWidth(0, self.fontMetrics().averageCharWidth() * 70)
        self.changes.setColumnWidth(1, self.fontMetrics().averageCharWidth() * 26)
