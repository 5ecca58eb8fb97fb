"""The Tracked folders tab of a user's options: the mailbox's folders from the server, up to 25 under
the Inbox chosen, each with an optional regarding record."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)
from qasync import asyncSlot

from desktop_sync.domain.errors import DesktopSyncError, ValidationError
from desktop_sync.domain.folders import MAX_TRACKED_FOLDERS, RecordChoice
from desktop_sync.domain.model import RecordType
from desktop_sync.services.folders import FolderView
from desktop_sync.ui.context import UiContext
from desktop_sync.ui.errors import ErrorPresenter, report_for
from desktop_sync.ui.form import FieldErrors, error_label
from desktop_sync.ui.page import sentence_label
from desktop_sync.ui.regarding_picker import RegardingPicker

NAME_ROLE = Qt.ItemDataRole.UserRole + 1  # the folder's full name on the server
REGARDING_ROLE = Qt.ItemDataRole.UserRole + 2  # its regarding record: (RecordType, id), or None
CHOICE_ROLE = Qt.ItemDataRole.UserRole + 4  # the RecordChoice picked for it (name and email), or None


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
