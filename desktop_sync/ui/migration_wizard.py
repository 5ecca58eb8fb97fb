"""The E-mail Router migration wizard: six pages over services/migration.py.

1. the routers' folders (up to four; a bad file is named, nothing is written),
2. the profiles found: each merged (incoming, outgoing) profile with Migrate yes/no, its warnings
   beside it, and what matches nobody,
3. the passwords of the accounts that need one (write-only; to the keyring through the service),
4. the review: what will be created, changed and skipped, and the Test & Enable advice,
5. the progress of the three steps (the engine's operations queue when it runs; Cancel rolls back),
6. the report, which can be saved as text or JSON.

Nothing is written before page 4's Migrate. The work is the service's (``MigrationService``); the
wizard only shows it, and hears of the progress through the engine bridge's operation signals.
"""

from __future__ import annotations

import asyncio
import contextlib
from html import escape
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStyle,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from desktop_sync.domain.email_router import (
    MAX_ROUTERS,
    Account,
    MailboxKind,
    MergedProfile,
    RouterFileError,
    RouterReading,
    RouterWarning,
    WarningCode,
)
from desktop_sync.domain.errors import DesktopSyncError, ValidationError
from desktop_sync.domain.model import CredentialsOn
from desktop_sync.engine.events import OperationProgress
from desktop_sync.services.migration import (
    MIGRATION_OPERATION,
    PROCESS_EMAIL_FROM_HOURS,
    TEST_ENABLE_BATCH,
    Action,
    MigrationPlan,
    MigrationReport,
    MigrationService,
    MigrationStep,
    PlannedMailbox,
    PlannedProfile,
    Result,
    migration_subject,
    plan_migration,
)
from desktop_sync.ui.context import UiContext
from desktop_sync.ui.errors import ErrorPresenter
from desktop_sync.ui.explanations import localize_migration_text
from desktop_sync.ui.form import error_label
from desktop_sync.ui.page import resize_within_screen, sentence_label, use_placeholder_colour

# what matches nobody in the store: shown apart from the profiles, under "Not matched"
UNMATCHED_CODES = frozenset({WarningCode.UNMATCHED_ADDRESS, WarningCode.UNMATCHED_ID, WarningCode.MAILBOX_CONFLICT})
NAME_ROLE = Qt.ItemDataRole.UserRole
CLEAR_TEXT_ROLE = Qt.ItemDataRole.UserRole + 1  # on the "Allow clear text" tick: its profile's name


class Page:
    ROUTERS = 0
    PROFILES = 1
    CREDENTIALS = 2
    REVIEW = 3
    PROGRESS = 4
    REPORT = 5


def _intro(page: QWizardPage, text: str) -> QLabel:
    """The page's explanation, in its body: a wizard's subtitle is cut short when it wraps."""
    label = sentence_label(text)
    page.setAccessibleDescription(text)
    return label


def _tree(headers: list[str], accessible_name: str) -> QTreeWidget:
    tree = QTreeWidget()
    tree.setAccessibleName(accessible_name)
    tree.setColumnCount(len(headers))
    tree.setHeaderLabels(headers)
    tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    tree.setAlternatingRowColors(True)
    tree.setWordWrap(True)
    tree.setUniformRowHeights(False)
    tree.header().setStretchLastSection(True)
    return tree


# --- 1. the routers ----------------------------------------------------------------------------------


class MigrationRoutersPage(QWizardPage):
    """The folders of up to four routers, read as soon as they are added: a bad file is named at once."""

    def __init__(self, wizard: MigrationWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self._reading_task: asyncio.Task[None] | None = None
        self.setTitle(self.tr("E-mail Router files"))
        self.intro_label = _intro(
            self,
            self.tr(
                "Add the folder of each E-mail Router to migrate (up to {count}). Each holds "
                "Microsoft.Crm.Tools.EmailAgent.xml, Microsoft.Crm.Tools.EmailAgent.SystemState.xml and "
                "EncryptionKey.xml. Nothing is written before you confirm the migration."
            ).format(count=MAX_ROUTERS),
        )
        self.folders = QListWidget()
        self.folders.setAccessibleName(self.tr("Router folders"))
        self.folders.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.add_button = QPushButton(self.tr("&Add router folder…"))
        self.remove_button = QPushButton(self.tr("&Remove"))
        self.remove_button.setEnabled(False)
        self.add_button.clicked.connect(self.choose_folder)
        self.remove_button.clicked.connect(self.remove_selected)
        self.folders.currentRowChanged.connect(lambda row: self.remove_button.setEnabled(row >= 0))
        self.status_label = sentence_label("")
        use_placeholder_colour(self.status_label)
        self.error_label = error_label()
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.file_dialog: QFileDialog | None = None

        buttons = QVBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(self.folders, stretch=1)
        row.addLayout(buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro_label)
        layout.addSpacing(self.fontMetrics().height() // 2)
        layout.addLayout(row, stretch=1)
        layout.addWidget(self.error_label)
        layout.addWidget(self.status_label)
        self._show_status()

    def paths(self) -> list[str]:
        return [self.folders.item(row).text() for row in range(self.folders.count())]

    def isComplete(self) -> bool:
        return self._wizard.reading is not None and self._reading_task is None

    def add_router(self, path: str | Path) -> None:
        """Add a router's folder (a file stands for the folder that holds it) and read them all again."""
        chosen = Path(path)
        folder = str(chosen.parent if chosen.is_file() else chosen)
        if folder in self.paths() or self.folders.count() >= MAX_ROUTERS:
            return
        self.folders.addItem(folder)
        self._read_again()

    def remove_selected(self) -> None:
        row = self.folders.currentRow()
        if row >= 0:
            self.folders.takeItem(row)
            self._read_again()

    def choose_folder(self) -> None:
        """A folder chooser opened without a nested event loop, so the engine keeps running."""
        dialog = QFileDialog(self, self.tr("E-mail Router folder"))
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        dialog.fileSelected.connect(self.add_router)
        self.file_dialog = dialog
        dialog.open()

    async def wait_read(self) -> None:
        """Wait for the reading under way (tests, and whoever needs the reading settled)."""
        while self._reading_task is not None:
            await asyncio.shield(self._reading_task)

    def _read_again(self) -> None:
        self.add_button.setEnabled(self.folders.count() < MAX_ROUTERS)
        previous = self._reading_task
        if previous is not None:
            previous.cancel()
        self._wizard.set_reading(None)
        paths = self.paths()
        if not paths:
            self._reading_task = None
            self.error_label.setVisible(False)
            self._show_status()
            self.completeChanged.emit()
            return
        self.status_label.setText(self.tr("Reading the routers' files…"))
        self._reading_task = asyncio.ensure_future(self._read(paths))
        self.completeChanged.emit()

    async def _read(self, paths: list[str]) -> None:
        task = asyncio.current_task()
        try:
            reading = await self._wizard.migration.read_routers(paths)
        except asyncio.CancelledError:
            return  # a newer reading replaced this one
        except RouterFileError as exc:
            problem = localize_migration_text(exc.problem)
            self._show_error(self.tr("{file}: {problem}").format(file=exc.path, problem=problem))
        except ValidationError as exc:
            self._show_error("; ".join(localize_migration_text(error) for error in exc.errors.values()))
        except Exception as exc:
            if isinstance(exc, DesktopSyncError):  # the store is unavailable...
                self._show_error(exc.message)
            else:  # a bug: logged, and said in full
                self._show_error(str(exc))
                self._wizard.presenter.present(exc, self.tr("read the E-mail Router's files"))
        else:
            self.error_label.setVisible(False)
            self._wizard.set_reading(reading)
            self._show_status(reading)
        finally:
            if self._reading_task is task:
                self._reading_task = None
                self.completeChanged.emit()

    def _show_error(self, text: str) -> None:
        self.error_label.setText(
            self.tr("This router cannot be read. Nothing has been written.\n{error}").format(error=text)
        )
        self.error_label.setVisible(True)
        self.status_label.setText(self.tr("Fix or remove the router named above to go on."))

    def _show_status(self, reading: RouterReading | None = None) -> None:
        if reading is None:
            self.status_label.setText(self.tr("Add at least one router folder."))
            return
        self.status_label.setText(
            self.tr("{routers}: {providers}, {profiles} and {mailboxes} found.").format(
                routers=self.tr("Read %n router(s)", "", len(reading.routers)),
                providers=self.tr("%n provider(s)", "", sum(r.providers for r in reading.routers)),
                profiles=self.tr("%n email server profile(s)", "", len(reading.profiles)),
                mailboxes=self.tr("%n mailbox(es)", "", len(reading.mailboxes)),
            )
        )


# --- 2. the profiles ---------------------------------------------------------------------------------


class MigrationProfilesPage(QWizardPage):
    """The merged profiles with Migrate yes/no, their warnings beside them, and what matches nobody."""

    def __init__(self, wizard: MigrationWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self._shown: RouterReading | None = None
        self.setTitle(self.tr("Profiles found"))
        self.intro_label = _intro(
            self,
            self.tr(
                "Each email server profile merges the incoming and outgoing profiles that a user or queue "
                "used in the router. Tick the profiles to migrate; read the warnings beside them first."
            ),
        )
        self.profiles = _tree(
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
        try:
            self._wizard.set_plan(
                self._wizard.migration.plan(reading, self.selected(), allow_insecure=self.allowed_clear_text())
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
        everything = plan_migration(reading, allow_insecure=needs_clear_text)
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


# --- 3. the credentials ------------------------------------------------------------------------------


class MigrationCredentialsPage(QWizardPage):
    """One write-only password field per account; an empty one leaves "credentials needed"."""

    def __init__(self, wizard: MigrationWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self._accounts: tuple[Account, ...] | None = None
        self.fields: dict[Account, QLineEdit] = {}
        self.setTitle(self.tr("Passwords"))
        self.intro_label = _intro(
            self,
            self.tr(
                "The router's passwords are encrypted and are not migrated. Enter the password of each account "
                "below: it goes to the system keyring only. A field left empty keeps the profile marked "
                '"credentials needed" until you enter it later.'
            ),
        )
        self.accounts_box = QWidget()
        self.none_label = sentence_label(self.tr("No password is needed for what will be migrated."))
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setWidget(self.accounts_box)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro_label)
        layout.addSpacing(self.fontMetrics().height() // 2)
        layout.addWidget(self.scroll, stretch=1)
        layout.addWidget(self.none_label)

    def initializePage(self) -> None:
        plan = self._wizard.plan
        accounts = plan.accounts if plan is not None else ()
        if accounts == self._accounts:
            return  # back and forth: what was typed stays
        self._accounts = accounts
        self.clear()
        self.fields = {}
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        for number, account in enumerate(accounts, 1):
            field = QLineEdit()
            field.setEchoMode(QLineEdit.EchoMode.Password)
            field.setPlaceholderText(self.tr("Leave empty to enter it later"))
            field.setAccessibleName(self.tr("Password for {account}").format(account=account.label))
            label = QLabel(
                self.tr("{number}. Password of {login} on {server}").format(
                    number=number, login=account.login, server=account.server
                )
            )
            label.setBuddy(field)
            where = sentence_label(self._where(account))
            use_placeholder_colour(where)
            column.addWidget(label)
            column.addWidget(field)
            column.addWidget(where)
            column.addSpacing(self.fontMetrics().height() // 2)
            self.fields[account] = field
        column.addStretch(1)
        self.accounts_box = box
        self.scroll.setWidget(box)  # the previous box is deleted with what was typed in it
        self.scroll.setVisible(bool(accounts))
        self.none_label.setVisible(not accounts)

    def _where(self, account: Account) -> str:
        if account.scope is CredentialsOn.PROFILE:
            return self.tr("The service account of %n profile(s): {profiles}", "", len(account.profiles)).format(
                profiles=", ".join(account.profiles)
            )
        return self.tr("Signs in to %n mailbox(es): {mailboxes}", "", len(account.mailboxes)).format(
            mailboxes=", ".join(account.mailboxes)
        )

    def passwords(self) -> dict[Account, str]:
        return {account: field.text() for account, field in self.fields.items() if field.text()}

    def clear(self) -> None:
        """Forget what was typed (once handed to the service, or when the wizard closes)."""
        for field in self.fields.values():
            field.clear()


# --- 4. the review -----------------------------------------------------------------------------------


class MigrationReviewPage(QWizardPage):
    def __init__(self, wizard: MigrationWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.setTitle(self.tr("Review"))
        self.intro_label = _intro(self, self.tr("What the migration will do. Nothing has been written yet."))
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, self.tr("&Migrate"))
        self.summary_label = sentence_label("")
        self.changes = _tree([self.tr("What"), self.tr("Action"), self.tr("Detail")], self.tr("Changes"))
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


# --- 5. the progress ---------------------------------------------------------------------------------


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
        self.intro_label = _intro(
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


# --- 6. the report -----------------------------------------------------------------------------------


class MigrationReportPage(QWizardPage):
    def __init__(self, wizard: MigrationWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.setTitle(self.tr("Report"))
        self.intro_label = _intro(
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


# --- the wizard --------------------------------------------------------------------------------------


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
