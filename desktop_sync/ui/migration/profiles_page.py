"""Page 2 of the migration wizard: the profiles found, each merged (incoming, outgoing) profile with Migrate
yes/no, its warnings beside it, and what matches nobody."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QSplitter,
    QStyle,
    QTextBrowser,
    QTreeWidgetItem,
    QVBoxLayout,
    QWizardPage,
)

from desktop_sync.domain.email_router import (
    EntraApp,
    MailboxKind,
    MergedProfile,
    RouterReading,
    RouterWarning,
    WarningCode,
)
from desktop_sync.domain.errors import ValidationError
from desktop_sync.domain.model import CredentialsOn
from desktop_sync.services.migration import (
    Action,
    PlannedMailbox,
    PlannedProfile,
    plan_migration,
)
from desktop_sync.ui.explanations import localize_migration_text
from desktop_sync.ui.form import error_label
from desktop_sync.ui.migration.widgets import (
    CLEAR_TEXT_ROLE,
    NAME_ROLE,
    UNMATCHED_CODES,
    page_intro,
    tree_widget,
)

if TYPE_CHECKING:
    from desktop_sync.ui.migration.wizard import MigrationWizard


class MigrationProfilesPage(QWizardPage):
    """The merged profiles with Migrate yes/no, their warnings beside them, and what matches nobody."""

    def __init__(self, wizard: MigrationWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self._shown: RouterReading | None = None
        self.setTitle(self.tr("Profiles found"))
        self.intro_label = page_intro(
            self,
            self.tr(
                "Each email server profile merges the incoming and outgoing profiles that a user or queue "
                "used in the router. Tick the profiles to migrate; read the warnings beside them first."
            ),
        )
        self.profiles = tree_widget(
            [self.tr("Migrate / profile"), self.tr("Action"), self.tr("Settings")], self.tr("Profiles found")
        )
        self.profiles.itemChanged.connect(lambda *_: self.completeChanged.emit())
        self.details = QTextBrowser()
        self.details.setAccessibleName(self.tr("The selected profile"))
        self.details.setOpenLinks(False)
        self._details: dict[str, str] = {}
        self.profiles.currentItemChanged.connect(self._show_details)
        self.unmatched_title = QLabel(self.tr("Not matched, not migrated"))
        self.unmatched = QListWidget()
        self.unmatched.setAccessibleName(self.tr("Not matched, not migrated"))
        self.unmatched.setWordWrap(True)
        # Exchange Online signs in as one Microsoft Entra application, which the router's files do not name
        self.entra_title = QLabel(
            self.tr(
                "Exchange Online profiles sign in with OAuth 2.0 as your Microsoft Entra application "
                "(never with a password): give its application (client) ID and tenant."
            )
        )
        self.entra_title.setWordWrap(True)
        self.entra_client_id = QLineEdit()
        self.entra_client_id.setAccessibleName(self.tr("Application (client) ID"))
        self.entra_tenant = QLineEdit()
        self.entra_tenant.setAccessibleName(self.tr("Tenant"))
        self.entra_tenant.setPlaceholderText(self.tr("contoso.onmicrosoft.com or the tenant ID"))
        self.entra_form = QFormLayout()
        self.entra_form.addRow(self.tr("Application (client) &ID:"), self.entra_client_id)
        self.entra_form.addRow(self.tr("&Tenant:"), self.entra_tenant)
        self.error_label = error_label()
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro_label)
        layout.addSpacing(self.fontMetrics().height() // 2)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.profiles)
        split.addWidget(self.details)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        width = self.fontMetrics().averageCharWidth()
        split.setSizes([width * 100, width * 60])
        split.setChildrenCollapsible(False)
        layout.addWidget(split, stretch=3)
        layout.addWidget(self.unmatched_title)
        layout.addWidget(self.unmatched, stretch=1)
        layout.addWidget(self.entra_title)
        layout.addLayout(self.entra_form)
        layout.addWidget(self.error_label)

    def initializePage(self) -> None:
        reading = self._wizard.reading
        if reading is None or reading is self._shown:
            return  # back from a later page: keep the ticks
        self._shown = reading
        self._fill(reading)

    def selected(self) -> list[str]:
        names = []
        for row in range(self.profiles.topLevelItemCount()):
            item = self.profiles.topLevelItem(row)
            if item.checkState(0) is Qt.CheckState.Checked:
                names.append(item.data(0, NAME_ROLE))
        return names

    def allowed_clear_text(self) -> list[str]:
        """The profiles whose "Allow clear text" is ticked (their router used no TLS)."""
        names = []
        for row in range(self.profiles.topLevelItemCount()):
            tick = self.clear_text_item(self.profiles.topLevelItem(row))
            if tick is not None and tick.checkState(0) is Qt.CheckState.Checked:
                names.append(tick.data(0, CLEAR_TEXT_ROLE))
        return names

    @staticmethod
    def clear_text_item(item: QTreeWidgetItem) -> QTreeWidgetItem | None:
        """The "Allow clear text" tick under a profile's row, if it has one."""
        for index in range(item.childCount()):
            child = item.child(index)
            if child.data(0, CLEAR_TEXT_ROLE):
                return child
        return None

    def set_clear_text_allowed(self, name: str, allowed: bool) -> None:
        tick = self.clear_text_item(self.profile_item(name))
        if tick is None:
            raise LookupError(f"{name} does not need clear text")
        tick.setCheckState(0, Qt.CheckState.Checked if allowed else Qt.CheckState.Unchecked)

    def set_selected(self, name: str, migrate: bool) -> None:
        item = self.profile_item(name)
        item.setCheckState(0, Qt.CheckState.Checked if migrate else Qt.CheckState.Unchecked)

    def profile_item(self, name: str) -> QTreeWidgetItem:
        for row in range(self.profiles.topLevelItemCount()):
            item = self.profiles.topLevelItem(row)
            if item.data(0, NAME_ROLE) == name:
                return item
        raise LookupError(name)

    def isComplete(self) -> bool:
        return bool(self.selected())

    def validatePage(self) -> bool:
        reading = self._wizard.reading
        if reading is None:
            return False
        client_id, tenant = self.entra_client_id.text().strip(), self.entra_tenant.text().strip()
        wanted = {p.name for p in reading.profiles if p.needs_entra_app} & set(self.selected())
        if wanted and not (client_id and tenant):
            self.error_label.setText(
                self.tr("Give the application (client) ID and the tenant for the Exchange Online profiles.")
            )
            self.error_label.setVisible(True)
            return False
        entra_app = EntraApp(client_id, tenant) if client_id and tenant else None
        try:
            self._wizard.set_plan(
                self._wizard.migration.plan(
                    reading, self.selected(), allow_insecure=self.allowed_clear_text(), entra_app=entra_app
                )
            )
        except ValidationError as exc:
            self.error_label.setText("; ".join(exc.errors.values()))
            self.error_label.setVisible(True)
            return False
        self.error_label.setVisible(False)
        return True

    def _fill(self, reading: RouterReading) -> None:
        # what each profile would do once allowed: one that needs clear text gets a tick to allow it
        needs_clear_text = [p.name for p in reading.profiles if p.profile is not None and p.data.allow_insecure]
        online = any(p.needs_entra_app for p in reading.profiles)
        for widget in (self.entra_title, self.entra_client_id, self.entra_tenant):
            widget.setVisible(online)
        for row in range(self.entra_form.rowCount()):
            self.entra_form.setRowVisible(row, online)
        # an Exchange Online profile shows as it will be once the Entra application is given
        placeholder = EntraApp("00000000-0000-0000-0000-000000000000", "contoso.onmicrosoft.com")
        everything = plan_migration(reading, allow_insecure=needs_clear_text, entra_app=placeholder)
        actions = {p.name: p for p in everything.profiles}
        by_profile: dict[str, list[PlannedMailbox]] = {}
        for planned in everything.forward_mailboxes + everything.mailboxes:
            by_profile.setdefault(planned.mailbox.profile or "", []).append(planned)
        used_labels = {label for p in reading.profiles for label in (p.incoming, p.outgoing) if label}
        warning_icon = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        stop_icon = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical)

        self.profiles.blockSignals(True)
        self.profiles.clear()
        self._details = {}
        for merged in reading.profiles:
            item = QTreeWidgetItem([merged.name, "", ""])
            item.setData(0, NAME_ROLE, merged.name)
            planned = actions.get(merged.name)
            concerning = [
                w
                for w in reading.warnings
                if w.code not in UNMATCHED_CODES
                and (
                    w.profile == merged.name
                    or (w.profile is not None and w.profile in (merged.incoming, merged.outgoing))
                )
            ]
            mailboxes = by_profile.get(merged.name, [])
            if planned is not None:
                merged = planned.merged  # an Exchange Online profile as the Entra application completes it
            if merged.profile is None or planned is None:
                item.setText(1, self.tr("cannot be migrated"))
                item.setText(2, localize_migration_text(merged.problem or ""))
                item.setIcon(0, stop_icon)
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsUserCheckable)
            else:
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(0, Qt.CheckState.Checked)
                item.setText(1, self._action_text(planned.action))
                item.setText(2, self._settings_text(merged))
                if any(w.blocking for w in concerning) or concerning:
                    item.setIcon(1, warning_icon)
            self.profiles.addTopLevelItem(item)
            if merged.name in needs_clear_text and planned is not None:
                tick = QTreeWidgetItem(
                    item,
                    [
                        self.tr("Allow clear text"),
                        "",
                        self.tr(
                            "The router used no SSL/TLS: passwords and mail cross the network unencrypted. "
                            "Without this tick the profile and its mailboxes are not migrated."
                        ),
                    ],
                )
                tick.setData(0, CLEAR_TEXT_ROLE, merged.name)
                tick.setFlags((tick.flags() | Qt.ItemFlag.ItemIsUserCheckable) & ~Qt.ItemFlag.ItemIsAutoTristate)
                tick.setCheckState(0, Qt.CheckState.Unchecked)  # never on by itself
                tick.setToolTip(2, tick.text(2))
                tick.setIcon(1, warning_icon)
            for warning in concerning:
                shown = localize_migration_text(warning.message)
                child = QTreeWidgetItem(item, [self._warning_kind(warning), "", shown])
                child.setIcon(0, stop_icon if warning.blocking else warning_icon)
                child.setToolTip(2, shown)
            for planned_mailbox in mailboxes:
                mailbox = planned_mailbox.mailbox
                owner = f" — {mailbox.owner.label}" if mailbox.owner else ""
                QTreeWidgetItem(
                    item,
                    [self._kind_text(mailbox.kind), self._action_text(planned_mailbox.action), mailbox.address + owner],
                )
            self._details[merged.name] = self._details_html(merged, planned, concerning, mailboxes)
            item.setExpanded(False)
        self.profiles.blockSignals(False)
        header = self.profiles.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        self.profiles.setColumnWidth(0, self.fontMetrics().averageCharWidth() * 76)
        self.profiles.setColumnWidth(1, self.fontMetrics().averageCharWidth() * 22)
        if self.profiles.topLevelItemCount():
            self.profiles.setCurrentItem(self.profiles.topLevelItem(0))

        self.unmatched.clear()
        for skipped in everything.skipped:
            self.unmatched.addItem(
                self.tr("{subject}: {reason}").format(
                    subject=skipped.subject, reason=localize_migration_text(skipped.reason)
                )
            )
        for warning in reading.warnings:
            shown = localize_migration_text(warning.message)
            if warning.code is WarningCode.UNMATCHED_ID:
                self.unmatched.addItem(
                    self.tr("{subject}: {reason}").format(subject=warning.profile, reason=shown)
                    if warning.profile
                    else shown
                )
            elif warning.profile is None or (
                warning.profile not in used_labels and reading.profile(warning.profile) is None
            ):
                self.unmatched.addItem(shown)
        if self.unmatched.count() == 0:
            self.unmatched.addItem(self.tr("Every mailbox and id matched a user or queue of this store."))
        self.completeChanged.emit()

    def _details_html(
        self,
        merged: MergedProfile,
        planned: PlannedProfile | None,
        warnings: list[RouterWarning],
        mailboxes: list[PlannedMailbox],
    ) -> str:
        def items(lines: list[str]) -> str:
            return "<ul>" + "".join(f"<li>{line}</li>" for line in lines) + "</ul>"

        parts = [f"<h3>{escape(merged.name)}</h3>"]
        if merged.profile is None or planned is None:
            parts.append(
                "<p>"
                + escape(self.tr("Cannot be migrated: {why}").format(why=localize_migration_text(merged.problem or "")))
                + "</p>"
            )
        else:
            parts.append("<p>" + escape(self._settings_text(merged)) + "</p>")
            if planned.detail:
                parts.append("<p>" + escape(localize_migration_text(planned.detail)) + "</p>")
        pair = [x for x in (merged.incoming, merged.outgoing) if x]
        parts.append("<p><b>" + escape(self.tr("Made from the router's")) + "</b></p>")
        parts.append(items([escape(x) for x in pair]))
        if warnings:
            parts.append("<p><b>" + escape(self.tr("Warnings")) + "</b></p>")
            parts.append(items([escape(localize_migration_text(w.message)) for w in warnings]))
        parts.append("<p><b>" + escape(self.tr("Mailboxes")) + "</b></p>")
        if mailboxes:
            parts.append(
                items(
                    [
                        escape(
                            f"{self._kind_text(m.mailbox.kind)}: {m.address}"
                            + (f" — {m.mailbox.owner.label}" if m.mailbox.owner else "")
                        )
                        for m in mailboxes
                    ]
                )
            )
        else:
            parts.append("<p>" + escape(self.tr("None")) + "</p>")
        return "".join(parts)

    def _show_details(self, item: QTreeWidgetItem | None, _previous: object = None) -> None:
        while item is not None and item.parent() is not None:
            item = item.parent()
        self.details.setHtml(self._details.get(item.data(0, NAME_ROLE), "") if item is not None else "")

    def _warning_kind(self, warning: RouterWarning) -> str:
        return self.tr("Not migrated") if warning.blocking else self.tr("Warning")

    def _settings_text(self, merged: MergedProfile) -> str:
        profile = merged.profile
        if profile is None:
            return ""
        incoming = profile.ews_url if profile.ews_url else f"{profile.incoming.host}:{profile.incoming.port}"
        text = self.tr("{kind}, incoming {incoming}").format(kind=profile.kind.value, incoming=incoming)
        if profile.outgoing is not None:
            text += self.tr(", outgoing {host}:{port}").format(host=profile.outgoing.host, port=profile.outgoing.port)
        if profile.login:
            text += self.tr(", service account {login}").format(login=profile.login)
        elif merged.credentials_on is CredentialsOn.MAILBOX:
            text += self.tr(", each mailbox's own credentials")
        return text

    def _action_text(self, action: Action) -> str:
        return {
            Action.CREATE: self.tr("create"),
            Action.KEEP: self.tr("keep (already there)"),
            Action.UPDATE: self.tr("update"),
            Action.UNCHANGED: self.tr("none (already migrated)"),
        }[action]

    def _kind_text(self, kind: MailboxKind) -> str:
        return {
            MailboxKind.FORWARD: self.tr("Forward mailbox"),
            MailboxKind.QUEUE: self.tr("Queue mailbox"),
            MailboxKind.USER: self.tr("User mailbox"),
            MailboxKind.UNMATCHED: self.tr("Mailbox"),
        }[kind]
