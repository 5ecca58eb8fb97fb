"""What Test & Enable found for the selected mailboxes: a row per mailbox and channel, with what to do
about a failure."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_sync.services.sync_control import EnablementOutcome
from desktop_sync.ui.connection_test_view import FAILED_COLOUR, OK_COLOUR, channel_label
from desktop_sync.ui.explanations import explain_localized
from desktop_sync.ui.mailbox_dialog import channel_result
from desktop_sync.ui.page import (
    resize_within_screen,
)


class EnablementResultsDialog(QDialog):
    """What Test & Enable found: a row per mailbox and channel, with what to do about a failure."""

    def __init__(self, outcomes: Sequence[EnablementOutcome], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Test & Enable results"))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(
            [self.tr("Mailbox"), self.tr("Channel"), self.tr("Result"), self.tr("What to do")]
        )
        self.table.setAccessibleName(self.tr("Test & Enable results"))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(True)
        self.table.verticalHeader().setVisible(False)
        for outcome in outcomes:
            for row in self._rows(outcome):
                self._add_row(row)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.resizeRowsToContents()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        metrics = self.fontMetrics()
        resize_within_screen(self, metrics.averageCharWidth() * 130, metrics.lineSpacing() * 22)

    def _rows(self, outcome: EnablementOutcome) -> list[tuple[str, str, str, str]]:
        if outcome.error is not None:
            explained = explain_localized(outcome.error.code, address=outcome.address, detail=outcome.error.message)
            return [(outcome.address, self.tr("All"), f"{explained.title}: {outcome.error.message}", explained.fix)]
        assert outcome.report is not None
        rows = []
        for channel in outcome.report.channels:
            result, fix = channel_result(outcome, channel)
            rows.append((outcome.address, channel_label(channel.channel), result, fix))
        if not outcome.report.approved:
            rows.append(
                (
                    outcome.address,
                    self.tr("Approval"),
                    self.tr("Not approved"),
                    self.tr("Approve the mailbox, then run Test & Enable again."),
                )
            )
        return rows

    def _add_row(self, texts: tuple[str, str, str, str]) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        for column, text in enumerate(texts):
            item = QTableWidgetItem(text)
            item.setToolTip(text)
            if column == 2:
                item.setForeground(FAILED_COLOUR if texts[3] else OK_COLOUR)
            self.table.setItem(row, column, item)

    def rows(self) -> list[tuple[str, ...]]:
        """What the table shows, row by row (for tests and checks)."""
        return [
            tuple(self.table.item(row, column).text() for column in range(self.table.columnCount()))
            for row in range(self.table.rowCount())
        ]
