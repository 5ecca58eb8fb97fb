"""A user's options: which mail is tracked (Email), which CRM appointments, contacts and tasks go
to the mailbox (Synchronization: the sync filters), and the folders whose mail is tracked
(Tracked folders, read from the mail server)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QRadioButton,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)
from qasync import asyncSlot

from desktop_sync.domain.errors import DesktopSyncError, ValidationError
from desktop_sync.domain.folders import MAX_TRACKED_FOLDERS, RecordChoice
from desktop_sync.domain.model import RecordType, TrackingChoice, User
from desktop_sync.domain.sync_filters import SYNCED_TYPES, SyncFilter
from desktop_sync.services.folders import FolderView
from desktop_sync.services.sync_filters import FilterView
from desktop_sync.ui.context import UiContext
from desktop_sync.ui.errors import ErrorPresenter, report_for
from desktop_sync.ui.filter_editor import FilterEditorDialog, FilterTexts
from desktop_sync.ui.form import FieldErrors, error_label
from desktop_sync.ui.page import resize_within_screen, sentence_label
from desktop_sync.ui.prompts import Asker, message_box_asker
from desktop_sync.ui.regarding_picker import RegardingPicker

NAME_ROLE = Qt.ItemDataRole.UserRole + 1  # the folder's full name on the server
REGARDING_ROLE = Qt.ItemDataRole.UserRole + 2  # its regarding record: (RecordType, id), or None
FILTER_ROLE = Qt.ItemDataRole.UserRole + 3
CHOICE_ROLE = Qt.ItemDataRole.UserRole + 4  # the RecordChoice picked for it (name and email), or None


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


class SynchronizationTab(QWidget):
    """The user's sync filters per record type; each action is saved at once."""

    def __init__(
        self, context: UiContext, presenter: ErrorPresenter, user: User, asker: Asker, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        assert context.sync_filters is not None
        self._service = context.sync_filters
        self._presenter = presenter
        self._asker = asker
        self.user = user
        self.texts = FilterTexts(self)
        self.filters: Sequence[FilterView] = ()
        self.editor: FilterEditorDialog | None = None

        self.record_type = QComboBox()
        self.record_type.setAccessibleName(self.tr("Record type"))
        for record_type in SYNCED_TYPES:
            self.record_type.addItem(self.texts.record_types()[record_type], record_type)
        self.list = QTreeWidget()
        self.list.setColumnCount(3)
        self.list.setHeaderLabels([self.tr("Filter"), self.tr("State"), self.tr("Rules")])
        self.list.setRootIsDecorated(False)
        self.list.setAccessibleName(self.tr("Sync filters"))
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.header().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.list.header().setStretchLastSection(False)
        self.new_button = QPushButton(self.tr("&New…"))
        self.edit_button = QPushButton(self.tr("&Edit…"))
        self.delete_button = QPushButton(self.tr("&Delete"))
        self.activate_button = QPushButton(self.tr("Ac&tivate"))
        self.deactivate_button = QPushButton(self.tr("Deacti&vate"))
        self.note = sentence_label(
            self.tr(
                "Several active filters of one record type combine with OR: a record is synchronized when any "
                "of them selects it. With no active filter, no record of that type is synchronized. "
                "Changes here are saved at once."
            )
        )
        self.new_button.clicked.connect(self.new_filter)
        self.edit_button.clicked.connect(self.edit_selected)
        self.delete_button.clicked.connect(self.delete_selected)
        self.activate_button.clicked.connect(lambda: self.set_selected_active(True))
        self.deactivate_button.clicked.connect(lambda: self.set_selected_active(False))
        self.list.itemSelectionChanged.connect(self._update_buttons)
        self.list.itemActivated.connect(lambda _item, _column: self.edit_selected())
        self.record_type.currentIndexChanged.connect(lambda _i: self.show_filters())

        top = QFormLayout()
        top.addRow(self.tr("&Record type:"), self.record_type)
        buttons = QVBoxLayout()
        for button in (
            self.new_button,
            self.edit_button,
            self.delete_button,
            self.activate_button,
            self.deactivate_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        middle = QHBoxLayout()
        middle.addWidget(self.list, stretch=1)
        middle.addLayout(buttons)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(middle, stretch=1)
        layout.addWidget(self.note)
        self._update_buttons()

    def current_type(self) -> RecordType:
        chosen: RecordType = self.record_type.currentData()
        return chosen

    async def load(self) -> None:
        self.filters = await self._service.list(self.user.email)
        self.show_filters()

    def show_filters(self) -> None:
        selected = self.selected()
        self.list.clear()
        for view in self.filters:
            found = view.sync_filter
            if found.record_type is not self.current_type():
                continue
            item = QTreeWidgetItem(
                [
                    found.name,
                    self.tr("Active") if found.active else self.tr("Inactive"),
                    self.texts.describe(found.group),
                ]
            )
            item.setData(0, FILTER_ROLE, found.id)
            item.setToolTip(2, item.text(2))
            self.list.addTopLevelItem(item)
            if selected is not None and found.id == selected.id:
                self.list.setCurrentItem(item)
        self.list.resizeColumnToContents(0)
        self.list.resizeColumnToContents(1)
        self._update_buttons()

    def selected(self) -> SyncFilter | None:
        item = self.list.currentItem()
        if item is None or not item.isSelected():
            return None
        wanted = item.data(0, FILTER_ROLE)
        return next((v.sync_filter for v in self.filters if v.sync_filter.id == wanted), None)

    def select(self, name: str) -> None:
        for row in range(self.list.topLevelItemCount()):
            item = self.list.topLevelItem(row)
            if item.text(0) == name:
                self.list.setCurrentItem(item)
                return

    def _update_buttons(self) -> None:
        chosen = self.selected()
        self.edit_button.setEnabled(chosen is not None)
        self.delete_button.setEnabled(chosen is not None)
        self.activate_button.setEnabled(chosen is not None and not chosen.active)
        self.deactivate_button.setEnabled(chosen is not None and chosen.active)

    def _open_editor(self, existing: SyncFilter | None) -> FilterEditorDialog:
        self.editor = FilterEditorDialog(
            self._service, self._presenter, self.user.email, self.current_type(), existing, self
        )
        self.editor.saved.connect(self._saved)
        self.editor.open()
        return self.editor

    def new_filter(self) -> FilterEditorDialog:
        return self._open_editor(None)

    def edit_selected(self) -> FilterEditorDialog | None:
        chosen = self.selected()
        return self._open_editor(chosen) if chosen is not None else None

    @asyncSlot()
    async def _saved(self, view: FilterView) -> None:
        async with self._presenter.guard(action=self.tr("refresh the filters")):
            await self.load()
            self.select(view.sync_filter.name)

    @asyncSlot()
    async def delete_selected(self) -> None:
        chosen = self.selected()
        if chosen is None or chosen.id is None:
            return
        asked = await self._asker(
            self.tr("Delete the filter?"),
            self.tr("Delete the filter “{name}”? The records it selected stop synchronizing.").format(name=chosen.name),
        )
        if not asked:
            return
        async with self._presenter.guard(self.delete_button, action=self.tr("delete the filter")):
            await self._service.delete(chosen.id)
            await self.load()

    @asyncSlot()
    async def set_selected_active(self, active: bool) -> None:
        chosen = self.selected()
        if chosen is None or chosen.id is None:
            return
        async with self._presenter.guard(action=self.tr("change the filter")):
            await self._service.set_active(chosen.id, active)
            await self.load()


class TrackedFoldersTab(QWidget):
    """The mailbox's folders from the server; up to 25 under the Inbox chosen, each with an optional regarding."""

    def __init__(
        self, context: UiContext, presenter: ErrorPresenter, mailbox: str | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._service = context.folders
        self._presenter = presenter
        self.mailbox = mailbox
        self.loaded = False
        self._initial: dict[str, tuple[RecordType, int] | None] = {}
        self.fields = FieldErrors()

        self.intro = sentence_label(
            self.tr(
                "Mail in a checked folder is tracked whatever the Email tab says, and linked to the folder's "
                "regarding record if one is given. At most %n folders under the Inbox.",
                "",
                MAX_TRACKED_FOLDERS,
            )
        )
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.error = error_label()
        self.retry_button = QPushButton(self.tr("&Retry"))
        self.retry_button.setVisible(False)
        self.retry_button.clicked.connect(self._retry)
        self.tree = QTreeWidget()
        self.tree.setColumnCount(2)
        self.tree.setHeaderLabels([self.tr("Folder"), self.tr("Regarding")])
        self.tree.setAccessibleName(self.tr("Folders on the server"))
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tree.itemChanged.connect(self._item_changed)
        self.tree.currentItemChanged.connect(self._current_changed)
        self.limit_label = error_label()
        self.regarding = RegardingPicker(self._service.search_regarding if self._service is not None else None)
        self.regarding.setEnabled(False)
        self.regarding.choice_changed.connect(self._regarding_chosen)
        self.regarding.textEdited.connect(lambda _text: self.fields.clear())
        self.regarding.search_failed.connect(lambda message: self.fields.show({"regarding": message}))
        form = QFormLayout()
        form.addRow(self.tr("Re&garding of the selected folder:"), self.fields.wrap("regarding", self.regarding))

        status_row = QHBoxLayout()
        status_row.addWidget(self.status, stretch=1)
        status_row.addWidget(self.retry_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(status_row)
        layout.addWidget(self.error)
        layout.addWidget(self.tree, stretch=1)
        layout.addWidget(self.limit_label)
        layout.addLayout(form)
        layout.addWidget(self.fields.general)
        if mailbox is None:
            self.status.setText(self.tr("This user has no mailbox: there are no folders to track."))
            self.tree.setEnabled(False)
        elif self._service is None:
            self.status.setText(self.tr("No mail connectors are available in this installation to read the folders."))
            self.tree.setEnabled(False)

    # --- loading -------------------------------------------------------------------------------

    async def load(self) -> None:
        """Read the folder tree from the server; a failure is said here, with Retry."""
        if self.mailbox is None or self._service is None:
            return
        self.status.setText(self.tr("Reading the folders of {address} from the server…").format(address=self.mailbox))
        self.error.setVisible(False)
        self.retry_button.setVisible(False)
        self.tree.setEnabled(False)
        try:
            views = await self._service.server_folders(self.mailbox)
        except DesktopSyncError as exc:
            report = report_for(exc, self.tr("read the folders from the server"))
            self.status.setText(report.title)
            self.error.setText("\n".join(part for part in (report.cause, report.fix) if part))
            self.error.setVisible(True)
            self.retry_button.setVisible(True)
            return
        self.show_folders(views)
        self.tree.setEnabled(True)
        self.status.setText(
            self.tr("%n folder(s) on the server. Check the folders under the Inbox to track.", "", len(views))
        )
        self.loaded = True

    @asyncSlot()
    async def _retry(self) -> None:
        await self.load()

    def show_folders(self, views: Sequence[FolderView]) -> None:
        self.tree.blockSignals(True)
        self.tree.clear()
        self._initial = {}
        items: dict[str, QTreeWidgetItem] = {}
        for view in sorted(views, key=lambda v: v.folder.name.lower()):
            folder = view.folder
            delimiter = folder.delimiter or ""
            parent_name, _, leaf = folder.name.rpartition(delimiter) if delimiter else ("", "", folder.name)
            label = self.tr("Inbox") if folder.name.upper() == "INBOX" else leaf
            regarding = view.tracked.regarding if view.tracked else None
            item = QTreeWidgetItem([label, ""])
            item.setData(0, NAME_ROLE, folder.name)
            self._set_regarding(item, regarding, view.regarding)
            item.setToolTip(0, folder.name)
            if view.trackable:
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                checked = view.tracked is not None
                item.setCheckState(0, Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
                if checked:
                    self._initial[folder.name] = regarding
            else:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsUserCheckable)
                item.setToolTip(
                    0, self.tr("{name}: only folders under the Inbox can be tracked").format(name=folder.name)
                )
            parent = items.get(parent_name)
            if parent is not None:
                parent.addChild(item)
            else:
                self.tree.addTopLevelItem(item)
            items[folder.name] = item
        self.tree.expandAll()
        self.tree.blockSignals(False)

    # --- choosing ------------------------------------------------------------------------------

    def folder_items(self) -> list[QTreeWidgetItem]:
        found: list[QTreeWidgetItem] = []

        def walk(item: QTreeWidgetItem) -> None:
            found.append(item)
            for index in range(item.childCount()):
                walk(item.child(index))

        for row in range(self.tree.topLevelItemCount()):
            walk(self.tree.topLevelItem(row))
        return found

    def item(self, name: str) -> QTreeWidgetItem | None:
        return next((i for i in self.folder_items() if i.data(0, NAME_ROLE) == name), None)

    def checked(self) -> dict[str, tuple[RecordType, int] | None]:
        """Folder name -> regarding record, for the checked folders."""
        return {
            str(i.data(0, NAME_ROLE)): i.data(0, REGARDING_ROLE)
            for i in self.folder_items()
            if i.flags() & Qt.ItemFlag.ItemIsUserCheckable and i.checkState(0) is Qt.CheckState.Checked
        }

    def _set_regarding(
        self, item: QTreeWidgetItem, ref: tuple[RecordType, int] | None, choice: RecordChoice | None
    ) -> None:
        item.setData(0, REGARDING_ROLE, ref)
        item.setData(0, CHOICE_ROLE, choice)
        if ref is None:
            item.setText(1, "")
        elif choice is None:
            item.setText(1, self.tr("(a record that no longer exists)"))
        else:
            item.setText(1, self.regarding.choice_text(choice))

    def changed(self) -> bool:
        return self.loaded and self.checked() != self._initial

    def _item_changed(self, item: QTreeWidgetItem, column: int) -> None:
        if column != 0 or not item.flags() & Qt.ItemFlag.ItemIsUserCheckable:
            return
        if item.checkState(0) is Qt.CheckState.Checked and len(self.checked()) > MAX_TRACKED_FOLDERS:
            self.tree.blockSignals(True)
            item.setCheckState(0, Qt.CheckState.Unchecked)
            self.tree.blockSignals(False)
            self.limit_label.setText(
                self.tr(
                    "At most %n folders can be tracked per mailbox: uncheck another folder first.",
                    "",
                    MAX_TRACKED_FOLDERS,
                )
            )
            self.limit_label.setVisible(True)
            return
        self.limit_label.setVisible(False)
        self._current_changed(self.tree.currentItem(), None)

    def _current_changed(self, item: QTreeWidgetItem | None, _previous: object) -> None:
        usable = (
            item is not None
            and bool(item.flags() & Qt.ItemFlag.ItemIsUserCheckable)
            and item.checkState(0) is Qt.CheckState.Checked
        )
        self.regarding.setEnabled(usable)
        choice = item.data(0, CHOICE_ROLE) if usable and item is not None else None
        self.regarding.set_choice(choice if isinstance(choice, RecordChoice) else None)
        if usable and item is not None and choice is None and item.data(0, REGARDING_ROLE) is not None:
            self.regarding.setText(item.text(1))  # a record deleted since: said, and kept until changed

    def _regarding_chosen(self, choice: RecordChoice | None) -> None:
        self.fields.clear()  # the message was about what was there before
        item = self.tree.currentItem()
        if item is not None:
            self._set_regarding(item, choice.ref if choice else None, choice)

    def wanted(self) -> dict[str, tuple[RecordType, int] | None] | None:
        """The checked folders with their regarding, or None (said on the field) while a search is not picked."""
        if self.regarding.isEnabled() and self.regarding.pending():
            item = self.tree.currentItem()
            name = str(item.data(0, NAME_ROLE)) if item is not None else ""
            self.fields.show(
                {"regarding": self.tr("{name}: pick the record from the list, or empty the field").format(name=name)}
            )
            return None
        return self.checked()

    def _point_at(self, name: str) -> None:
        item = self.item(name)
        if item is not None:
            self.tree.setCurrentItem(item)

    async def save(self) -> bool:
        """Write the choice (when it changed); False when the input needs correcting."""
        self.fields.clear()
        if not self.changed() or self.mailbox is None or self._service is None:
            return True
        wanted = self.wanted()
        if wanted is None:
            return False
        try:
            await self._service.set_tracked(self.mailbox, wanted)
        except ValidationError as exc:
            message = next(iter(exc.errors.values()))
            name = message.split(":", 1)[0]
            if self.item(name) is not None:
                self._point_at(name)
            self.fields.show({"regarding" if "regarding" in exc.errors else "folder": message})
            return False
        self._initial = self.checked()
        return True


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
