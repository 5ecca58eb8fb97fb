"""A user's options: which mail is tracked (Email), which CRM appointments, contacts and tasks go
to the mailbox (Synchronization: the sync filters), and the folders whose mail is tracked
(Tracked folders, read from the mail server)."""

from __future__ import annotations

import asyncio

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QRadioButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from qasync import asyncSlot

from desktop_sync.domain.model import TrackingChoice, User
from desktop_sync.ui.context import UiContext
from desktop_sync.ui.errors import ErrorPresenter
from desktop_sync.ui.page import resize_within_screen, sentence_label
from desktop_sync.ui.prompts import Asker, message_box_asker
from desktop_sync.ui.sync_filters_tab import SynchronizationTab
from desktop_sync.ui.tracked_folders_tab import TrackedFoldersTab


class EmailTab(QWidget):
    def __init__(self, user: User, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.choice = QButtonGroup(self)
        self.buttons: dict[TrackingChoice, QRadioButton] = {
            TrackingChoice.ALL: QRadioButton(self.tr("&All email messages")),
            TrackingChoice.REPLIES: QRadioButton(self.tr("&Replies to email tracked in the CRM")),
            TrackingChoice.KNOWN_SENDERS: QRadioButton(
                self.tr("Email from &known contacts, accounts and leads (and replies)")
            ),
            TrackingChoice.NONE: QRadioButton(self.tr("&No email messages")),
        }
        layout = QVBoxLayout(self)
        layout.addWidget(sentence_label(self.tr("Which incoming email is tracked into the CRM:")))
        for choice, button in self.buttons.items():
            self.choice.addButton(button)
            layout.addWidget(button)
            button.setChecked(choice is user.tracking)
        layout.addWidget(
            sentence_label(
                self.tr("Mail in a tracked folder (see Tracked folders) is tracked whatever is chosen here.")
            )
        )
        layout.addSpacing(self.fontMetrics().height())
        self.auto_create = QCheckBox(self.tr("Create a &contact for the unknown sender of tracked email"))
        self.auto_create.setChecked(user.auto_create_contacts)
        layout.addWidget(self.auto_create)
        layout.addStretch(1)

    def tracking(self) -> TrackingChoice:
        return next(choice for choice, button in self.buttons.items() if button.isChecked())


class UserOptionsDialog(QDialog):
    """Email, Synchronization and Tracked folders of one user (and the user's mailbox)."""

    def __init__(
        self,
        context: UiContext,
        presenter: ErrorPresenter,
        user: User,
        mailbox: str | None,
        *,
        asker: Asker | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._context = context
        self._presenter = presenter
        self.user = user
        self.setWindowTitle(self.tr("User options — {name}").format(name=user.name))
        self.tabs = QTabWidget()
        self.email_tab = EmailTab(user)
        self.synchronization_tab = SynchronizationTab(context, presenter, user, asker or message_box_asker(self))
        self.folders_tab = TrackedFoldersTab(context, presenter, mailbox)
        self.tabs.addTab(self.email_tab, self.tr("&Email"))
        self.tabs.addTab(self.synchronization_tab, self.tr("S&ynchronization"))
        self.tabs.addTab(self.folders_tab, self.tr("&Tracked folders"))
        header = sentence_label(
            self.tr("{name} <{email}>, mailbox: {mailbox}").format(
                name=user.name, email=user.email, mailbox=mailbox or self.tr("none")
            )
        )
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.cancel_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.tabs.currentChanged.connect(self._offer_save)
        layout = QVBoxLayout(self)
        layout.addWidget(header)
        layout.addWidget(self.tabs, stretch=1)
        layout.addWidget(self.buttons)
        metrics = self.fontMetrics()
        resize_within_screen(self, metrics.averageCharWidth() * 100, metrics.lineSpacing() * 30)
        self._loading: asyncio.Task[None] | None = None

    def _offer_save(self, _index: int = 0) -> None:
        """The Synchronization tab saves each change at once: no Save button while it is shown, and
        Cancel reads Close (the other tabs' changes wait for their Save, as before)."""
        immediate = self.tabs.currentWidget() is self.synchronization_tab
        self.save_button.setVisible(not immediate)
        self.cancel_button.setText(self.tr("Close") if immediate else self.tr("Cancel"))

    def start_loading(self) -> asyncio.Task[None]:
        """Load the filters and read the folders from the server, without blocking the window."""
        self._loading = asyncio.ensure_future(self.load())
        return self._loading

    async def load(self) -> None:
        async with self._presenter.guard(action=self.tr("load the user's options")):
            await self.synchronization_tab.load()
        await self.folders_tab.load()

    @asyncSlot()
    async def save(self) -> None:
        await self.save_now()

    async def save_now(self) -> bool:
        async with self._presenter.guard(self.save_button, action=self.tr("save the user's options")):
            if not await self.folders_tab.save():
                self.tabs.setCurrentWidget(self.folders_tab)
                return False
            self.user = await self._context.directory.set_user_options(
                self.user.email,
                tracking=self.email_tab.tracking(),
                auto_create_contacts=self.email_tab.auto_create.isChecked(),
            )
            self.accept()
            return True
        return False

    def done(self, result: int) -> None:
        if self._loading is not None and not self._loading.done():
            self._loading.cancel()
        super().done(result)


async def open_user_options(
    context: UiContext,
    presenter: ErrorPresenter,
    user_email: str,
    parent: QWidget | None = None,
    asker: Asker | None = None,
) -> UserOptionsDialog | None:
    """Find the user and the mailbox the user owns, open the dialog and start reading its folders."""
    users = await context.directory.users()
    user = next((u for u in users if u.email == user_email.lower()), None)
    if user is None:
        return None
    views = await context.mailboxes.list()
    mailbox = next(
        (
            v.mailbox.address
            for v in views
            if v.owner is not None and v.owner.kind == "user" and v.owner.email == user.email
        ),
        None,
    )
    dialog = UserOptionsDialog(context, presenter, user, mailbox, asker=asker, parent=parent)
    if parent is not None:
        dialog.finished.connect(dialog.deleteLater)  # the parent would otherwise keep every one opened
    dialog.open()
    dialog.start_loading()
    return dialog
