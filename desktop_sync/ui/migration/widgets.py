"""What the pages of the migration wizard share: the page numbers, item roles and two widget makers."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QLabel, QTreeWidget, QWizardPage

from desktop_sync.domain.email_router import WarningCode
from desktop_sync.ui.page import sentence_label

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


def page_intro(page: QWizardPage, text: str) -> QLabel:
    """The page's explanation, in its body: a wizard's subtitle is cut short when it wraps."""
    label = sentence_label(text)
    page.setAccessibleDescription(text)
    return label


def tree_widget(headers: list[str], accessible_name: str) -> QTreeWidget:
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
