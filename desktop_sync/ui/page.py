"""Pieces every administration view is made of: a title, a sentence, a table with an empty state."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QEvent, QModelIndex, QSize, Qt
from PySide6.QtGui import QFont, QGuiApplication, QHelpEvent, QPalette, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QToolTip,
    QVBoxLayout,
    QWidget,
)


def title_label(text: str) -> QLabel:
    label = QLabel(text)
    font = QFont(label.font())
    font.setPointSizeF(font.pointSizeF() * 1.5)
    font.setBold(True)
    label.setFont(font)
    label.setAccessibleName(text)
    return label


def sentence_label(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class ElidedLabel(QLabel):
    """One line that shows as much of its text as fits, "…" standing for the rest, and the whole
    text in its tooltip: a status bar's path or message never widens the window nor gets cut
    without a way to read it."""

    def __init__(
        self,
        text: str = "",
        mode: Qt.TextElideMode = Qt.TextElideMode.ElideMiddle,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._full = ""
        self._mode = mode
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.setText(text)

    def setText(self, text: str) -> None:
        self._full = text
        self.setToolTip(text)
        self.setAccessibleName(text)
        self._elide()
        self.updateGeometry()

    def text(self) -> str:
        return self._full

    def sizeHint(self) -> QSize:
        margins = self.contentsMargins()
        width = self.fontMetrics().horizontalAdvance(self._full) + margins.left() + margins.right() + 2
        return QSize(width, super().sizeHint().height())

    def minimumSizeHint(self) -> QSize:
        return QSize(self.fontMetrics().averageCharWidth() * 10, super().minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        width = self.contentsRect().width()
        shown = self.fontMetrics().elidedText(self._full, self._mode, width) if width > 0 else self._full
        super().setText(shown)


def resize_within_screen(window: QWidget, width: int, height: int) -> None:
    """``window.resize(width, height)``, but never larger than the screen it opens on (a 1024x768
    screen must still show a dialog's buttons)."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    if screen is not None:
        room = screen.availableGeometry()
        width = min(width, room.width() - 16)
        height = min(height, room.height() - 16)
    window.resize(width, height)


def narrow_combo(combo: QComboBox, characters: int = 10) -> QComboBox:
    """A filter's combo box that does not widen its page to its longest item (an address, a long
    French label): it shows ``characters`` at least, takes more room when there is some, and its
    list still opens as wide as its items."""
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(characters)
    combo.view().setTextElideMode(Qt.TextElideMode.ElideNone)
    return combo


def use_placeholder_colour(label: QLabel) -> None:
    """Muted like a line edit's placeholder text, which styles keep readable (a disabled label is not)."""
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)


MAX_COLUMN_CHARACTERS = 28  # a column sized to its contents stops here; the rest is elided


class ElidedTipDelegate(QStyledItemDelegate):
    """Cells draw as usual; one whose text does not fit shows the whole of it as its tooltip
    (when the model gives none of its own)."""

    def helpEvent(
        self, event: QHelpEvent, view: QAbstractItemView, option: QStyleOptionViewItem, index: QModelIndex
    ) -> bool:
        if event.type() == QEvent.Type.ToolTip and index.isValid() and not index.data(Qt.ItemDataRole.ToolTipRole):
            text = index.data(Qt.ItemDataRole.DisplayRole)
            if isinstance(text, str) and text:
                if self.sizeHint(option, index).width() > view.visualRect(index).width():
                    QToolTip.showText(event.globalPos(), text, view)
                    return True
                QToolTip.hideText()
                event.ignore()
                return False
        return super().helpEvent(event, view, option, index)


def fit_columns(table: QTableView, max_characters: int = MAX_COLUMN_CHARACTERS) -> None:
    """Size each column to its contents, none wider than ``max_characters``: every column that
    matters stays in sight at 1024 pixels, and a longer text is elided with its tooltip."""
    table.resizeColumnsToContents()
    widest = table.fontMetrics().averageCharWidth() * max_characters
    header = table.horizontalHeader()
    model = table.model()
    for column in range(header.count()):
        title = model.headerData(column, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole) if model else None
        # never narrower than its title: a header cut on both sides reads as nothing
        room = max(widest, header.fontMetrics().horizontalAdvance(str(title or "")) + 28)
        interactive = header.sectionResizeMode(column) is QHeaderView.ResizeMode.Interactive
        if interactive and table.columnWidth(column) > room:
            table.setColumnWidth(column, room)
    if header.stretchLastSection():  # sizing the last column took it out of stretching: put it back
        header.setStretchLastSection(False)
        header.setStretchLastSection(True)


def table_view(accessible_name: str) -> QTableView:
    """A read-only table selecting whole rows, several at a time, sortable by its headers."""
    table = QTableView()
    table.setAccessibleName(accessible_name)
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    table.setAlternatingRowColors(True)
    table.setSortingEnabled(True)
    table.setWordWrap(False)
    table.horizontalHeader().setStretchLastSection(True)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    table.horizontalHeader().setHighlightSections(False)
    table.setTextElideMode(Qt.TextElideMode.ElideRight)
    table.setItemDelegate(ElidedTipDelegate(table))
    return table


class EmptyState:
    """A sentence shown inside a table, under its headers, while the table has no rows."""

    def __init__(self, table: QTableView, text: str) -> None:
        self.table = table
        self.label = QLabel(text)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setWordWrap(True)
        use_placeholder_colour(self.label)
        overlay = QVBoxLayout(table.viewport())
        overlay.addWidget(self.label)
        model = table.model()
        if model is not None:
            self.watch(model)

    def watch(self, model: QAbstractItemModel) -> None:
        for signal in (model.rowsInserted, model.rowsRemoved, model.modelReset, model.layoutChanged):
            signal.connect(self.update)
        self.update()

    def update(self, *_args: object) -> None:
        model = self.table.model()
        self.label.setVisible(model is None or model.rowCount() == 0)

    def set_text(self, text: str) -> None:
        self.label.setText(text)
