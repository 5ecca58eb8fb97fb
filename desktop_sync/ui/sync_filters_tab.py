"""The Synchronization tab of a user's options: the user's sync filters per record type, with new,
edit, delete and (de)activate."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)
from qasync import asyncSlot

from desktop_sync.domain.model import RecordType, User
from desktop_sync.domain.sync_filters import SYNCED_TYPES, SyncFilter
from desktop_sync.services.sync_filters import FilterView
from desktop_sync.ui.context import UiContext
from desktop_sync.ui.errors import ErrorPresenter
from desktop_sync.ui.filter_editor import FilterEditorDialog, FilterTexts
from desktop_sync.ui.page import sentence_label
from desktop_sync.ui.prompts import Asker

FILTER_ROLE = Qt.ItemDataRole.UserRole + 3


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
