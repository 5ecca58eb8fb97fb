"""Users & queues: the CRM users and shared queues that own mailboxes, and a dialog to add one."""

from __future__ import annotations

import enum

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from qasync import asyncSlot

from desktop_sync.domain.errors import ValidationError
from desktop_sync.domain.model import TrackingChoice
from desktop_sync.ui.context import UiContext
from desktop_sync.ui.errors import ErrorPresenter
from desktop_sync.ui.form import FieldErrors
from desktop_sync.ui.page import EmptyState, fit_columns, sentence_label, table_view, title_label
from desktop_sync.ui.user_options_dialog import UserOptionsDialog, open_user_options

KIND_ROLE = Qt.ItemDataRole.UserRole + 1


class EntryKind(enum.Enum):
    USER = "user"
    QUEUE = "queue"


class DirectoryEntryDialog(QDialog):
    """Add a user or a queue: email, name and an optional CRM id, each checked by the service."""

    saved = Signal()

    def __init__(self, context: UiContext, errors: ErrorPresenter, kind: EntryKind, parent: QWidget | None = None):
        super().__init__(parent)
        self._context = context
        self._presenter = errors
        self.kind = kind
        self.setWindowTitle(self.tr("New user") if kind is EntryKind.USER else self.tr("New queue"))
        self.fields = FieldErrors()
        self.email = QLineEdit()
        self.email.setPlaceholderText(self.tr("alice@example.com"))
        self.name = QLineEdit()
        self.crm_id = QLineEdit()
        self.crm_id.setPlaceholderText(self.tr("Optional: the record's GUID in the CRM"))
        form = QFormLayout()
        form.addRow(self.tr("&Email:"), self.fields.wrap("email", self.email))
        form.addRow(self.tr("&Name:"), self.fields.wrap("name", self.name))
        form.addRow(self.tr("&CRM id:"), self.fields.wrap("crm_id", self.crm_id))
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.fields.general)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 60)

    @asyncSlot()
    async def save(self) -> None:
        directory = self._context.directory
        async with self._presenter.guard(self.save_button, action=self.tr("add the entry")):
            try:
                if self.kind is EntryKind.USER:
                    await directory.add_user(self.email.text(), self.name.text(), self.crm_id.text() or None)
                else:
                    await directory.add_queue(self.email.text(), self.name.text(), self.crm_id.text() or None)
            except ValidationError as exc:
                self.fields.show(exc.errors)
                return
            self.saved.emit()
            self.accept()


class DirectoryPage(QWidget):
    """The list of users and queues, the mailbox each one owns, and what each user tracks."""

    message = Signal(str)

    def __init__(self, context: UiContext | None, errors: ErrorPresenter, parent: QWidget | None = None):
        super().__init__(parent)
        self._context = context
        self._presenter = errors
        self.title_label = title_label(self.tr("Users & queues"))
        self.description_label = sentence_label(
            self.tr("CRM users and shared queues, the mailbox each one owns, and what it tracks.")
        )
        self.model = QStandardItemModel(0, 5, self)
        self.model.setHorizontalHeaderLabels(
            [self.tr("Name"), self.tr("Email"), self.tr("Type"), self.tr("Mailbox"), self.tr("Tracked email")]
        )
        self.table = table_view(self.tr("Users & queues"))
        self.table.setModel(self.model)
        self.empty = EmptyState(self.table, self.tr("No users or queues yet."))

        self.add_user_action = QAction(self.tr("Add &user…"), self)
        self.add_user_action.setShortcut(QKeySequence("Ctrl+N"))
        self.add_user_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.add_user_action.triggered.connect(lambda: self.open_dialog(EntryKind.USER))
        self.add_queue_action = QAction(self.tr("Add &queue…"), self)
        self.add_queue_action.setShortcut(QKeySequence("Ctrl+Shift+N"))
        self.add_queue_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.add_queue_action.triggered.connect(lambda: self.open_dialog(EntryKind.QUEUE))
        self.options_action = QAction(self.tr("User &options…"), self)
        self.options_action.setShortcut(QKeySequence("Ctrl+E"))
        self.options_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.options_action.triggered.connect(self.open_selected_options)
        self.addActions([self.add_user_action, self.add_queue_action, self.options_action])
        buttons = QHBoxLayout()
        for action in (self.add_user_action, self.add_queue_action, self.options_action):
            button = QPushButton(action.text())
            button.setToolTip(action.shortcut().toString(QKeySequence.SequenceFormat.NativeText))
            button.clicked.connect(action.trigger)
            button.setEnabled(context is not None)
            action.changed.connect(lambda b=button, a=action: b.setEnabled(a.isEnabled()))
            buttons.addWidget(button)
        buttons.addStretch(1)
        for action in (self.add_user_action, self.add_queue_action):
            action.setEnabled(context is not None)
        self.options_action.setEnabled(False)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.table.activated.connect(lambda _index: self.options_action.trigger())
        self.options_dialog: UserOptionsDialog | None = None

        layout = QVBoxLayout(self)
        layout.addWidget(self.title_label)
        layout.addWidget(self.description_label)
        layout.addLayout(buttons)
        layout.addWidget(self.table, stretch=1)
        self.dialog: DirectoryEntryDialog | None = None

    def _tracking_text(self, tracking: TrackingChoice) -> str:
        return {
            TrackingChoice.ALL: self.tr("All email"),
            TrackingChoice.REPLIES: self.tr("Replies to tracked email"),
            TrackingChoice.KNOWN_SENDERS: self.tr("Email from known contacts, accounts and leads"),
            TrackingChoice.NONE: self.tr("None"),
        }[tracking]

    async def refresh(self) -> None:
        if self._context is None:
            return
        users = await self._context.directory.users()
        queues = await self._context.directory.queues()
        mailboxes = await self._context.mailboxes.list()
        owned = {(v.owner.kind, v.owner.email): v.mailbox.address for v in mailboxes if v.owner is not None}
        self.model.removeRows(0, self.model.rowCount())
        for user in users:
            self._append(
                [
                    user.name,
                    user.email,
                    self.tr("User"),
                    owned.get(("user", user.email), "—"),
                    self._tracking_text(user.tracking),
                ],
                EntryKind.USER,
            )
        for queue in queues:
            self._append(
                [queue.name, queue.email, self.tr("Queue"), owned.get(("queue", queue.email), "—"), "—"],
                EntryKind.QUEUE,
            )
        fit_columns(self.table)
        self.empty.update()

    def selected_user(self) -> str | None:
        """The email of the selected row when it is a user (queues have no options)."""
        rows = self.table.selectionModel().selectedRows()
        if len(rows) != 1:
            return None
        row = rows[0].row()
        if self.model.item(row, 0).data(KIND_ROLE) != EntryKind.USER.value:
            return None
        return str(self.model.item(row, 1).text())

    def _selection_changed(self, *_args: object) -> None:
        self.options_action.setEnabled(self._context is not None and self.selected_user() is not None)

    @asyncSlot()
    async def open_selected_options(self) -> None:
        email = self.selected_user()
        if self._context is None or email is None:
            return
        async with self._presenter.guard(action=self.tr("open the user's options")):
            self.options_dialog = await open_user_options(self._context, self._presenter, email, self)
            if self.options_dialog is not None:
                self.options_dialog.accepted.connect(self._saved)

    def _append(self, texts: list[str], kind: EntryKind) -> None:
        items = [QStandardItem(text) for text in texts]
        for item in items:
            item.setEditable(False)
        items[0].setData(kind.value, KIND_ROLE)
        self.model.appendRow(items)

    def open_dialog(self, kind: EntryKind) -> DirectoryEntryDialog | None:
        if self._context is None:
            return None
        self.dialog = DirectoryEntryDialog(self._context, self._presenter, kind, self)
        self.dialog.saved.connect(self._saved)
        self.dialog.open()
        return self.dialog

    @asyncSlot()
    async def _saved(self) -> None:
        async with self._presenter.guard(action=self.tr("refresh the list")):
            await self.refresh()
