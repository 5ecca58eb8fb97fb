"""Pieces every administration view is made of: a title, a sentence, a table with an empty state."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, Qt
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QTableView, QVBoxLayout


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


def use_placeholder_colour(label: QLabel) -> None:
    """Muted like a line edit's placeholder text, which styles keep readable (a disabled label is not)."""
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)


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
