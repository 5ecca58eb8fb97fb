"""Page 3 of the migration wizard: the passwords of the accounts that need one (write-only; to the keyring
through the service)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QLineEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from desktop_sync.domain.email_router import Account
from desktop_sync.domain.model import CredentialsOn
from desktop_sync.ui.migration.widgets import page_intro
from desktop_sync.ui.page import sentence_label, use_placeholder_colour

if TYPE_CHECKING:
    from desktop_sync.ui.migration.wizard import MigrationWizard


class MigrationCredentialsPage(QWizardPage):
    """One write-only password field per account; an empty one leaves "credentials needed"."""

    def __init__(self, wizard: MigrationWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self._accounts: tuple[Account, ...] | None = None
        self.fields: dict[Account, QLineEdit] = {}
        self.setTitle(self.tr("Passwords"))
        self.intro_label = page_intro(
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
