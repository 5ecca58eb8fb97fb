"""How a connection test shows: each channel with its steps as they pass or fail, what the server
said, and the last request and response. The profile dialog runs the test; mailbox dialogs and Test &
Enable's results use the same names and colours."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHeaderView, QStyle, QTreeWidget, QTreeWidgetItem, QWidget

from desktop_sync.domain.messages import template
from desktop_sync.domain.model import Channel
from desktop_sync.domain.ports.connectors import ConnectionTest, ConnectionTestStep
from desktop_sync.services.connection_test import EXPECTED_STEPS
from desktop_sync.ui.explanations import explain_localized, localize_step_text

OK_COLOUR = QColor("#2e7d32")
FAILED_COLOUR = QColor("#b3261e")


def step_label(step: ConnectionTestStep) -> str:
    return {
        ConnectionTestStep.RESOLVE: QCoreApplication.translate("ConnectionTest", "Resolve the server's name"),
        ConnectionTestStep.CONNECT: QCoreApplication.translate("ConnectionTest", "Connect"),
        ConnectionTestStep.TLS: QCoreApplication.translate("ConnectionTest", "Secure the connection (TLS)"),
        ConnectionTestStep.TOKEN: QCoreApplication.translate("ConnectionTest", "Get an access token"),
        ConnectionTestStep.AUTHENTICATE: QCoreApplication.translate("ConnectionTest", "Sign in"),
        ConnectionTestStep.LIST_FOLDERS: QCoreApplication.translate("ConnectionTest", "List folders"),
        ConnectionTestStep.SEND: QCoreApplication.translate("ConnectionTest", "Accept a sender"),
        ConnectionTestStep.ACCESS: QCoreApplication.translate("ConnectionTest", "Open the mailbox"),
    }[step]


def channel_label(channel: Channel) -> str:
    return {
        Channel.INCOMING: QCoreApplication.translate("ConnectionTest", "Incoming email"),
        Channel.OUTGOING: QCoreApplication.translate("ConnectionTest", "Outgoing email"),
        Channel.ACT: QCoreApplication.translate("ConnectionTest", "Appointments, contacts and tasks"),
    }[channel]


class ConnectionTestResults(QTreeWidget):
    """A row per channel tested, its steps below it with their duration and result."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setColumnCount(3)
        self.setHeaderLabels([self.tr("Step"), self.tr("Duration"), self.tr("Result")])
        self.setRootIsDecorated(True)
        self.setAccessibleName(self.tr("Test results"))
        # a step's result (the server's own words, a certificate's subject) wraps in a narrow dialog
        self.setWordWrap(True)
        self.setUniformRowHeights(False)
        self.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.header().setStretchLastSection(True)
        self.header().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.setMinimumHeight(self.fontMetrics().lineSpacing() * 8)

    def show_expected(self, channels: tuple[Channel, ...]) -> dict[Channel, QTreeWidgetItem]:
        self.clear()
        items = {}
        for channel in channels:
            item = QTreeWidgetItem([channel_label(channel), "", self.tr("Testing…")])
            for step in EXPECTED_STEPS[channel]:
                QTreeWidgetItem(item, [step_label(step), "", self.tr("Waiting")])
            self.addTopLevelItem(item)
            item.setExpanded(True)
            items[channel] = item
        self.fit_columns()
        return items

    def show_result(self, item: QTreeWidgetItem, result: ConnectionTest) -> None:
        item.takeChildren()
        ok_icon = self.style().standardIcon(QStyle.StandardPixmap.SP_DialogApplyButton)
        failed_icon = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical)
        for step in result.steps:
            text = self.tr("Passed") if step.ok else self.tr("Failed")
            if not step.ok and step.error_code and template(step.error_code) is not None:
                text = explain_localized(step.error_code).title  # "Unknown server name" says more than "Failed"
            elapsed = self.tr("{ms} ms").format(ms=round(step.elapsed_ms))
            child = QTreeWidgetItem(item, [step_label(step.step), elapsed, text])
            child.setToolTip(0, step_label(step.step))
            child.setIcon(0, ok_icon if step.ok else failed_icon)
            child.setForeground(2, OK_COLOUR if step.ok else FAILED_COLOUR)
            child.setToolTip(2, text)
            if step.detail:
                # what the step found, on a line of its own across the columns: readable in a narrow dialog
                detail = localize_step_text(step.detail)
                line = QTreeWidgetItem(child, [detail])
                line.setFirstColumnSpanned(True)
                line.setToolTip(0, detail)
                line.setForeground(0, OK_COLOUR if step.ok else FAILED_COLOUR)
                child.setExpanded(True)
        item.setText(2, self.tr("Passed") if result.ok else self.tr("Failed"))
        item.setIcon(0, ok_icon if result.ok else failed_icon)
        item.setForeground(2, OK_COLOUR if result.ok else FAILED_COLOUR)
        item.setExpanded(True)
        self.fit_columns()

    def fit_columns(self) -> None:
        """Steps and durations as wide as they need, but the result always keeps some room (step
        names elide first, their tooltip whole)."""
        self.resizeColumnToContents(0)
        self.resizeColumnToContents(1)
        room = self.viewport().width() - self.columnWidth(1) - self.fontMetrics().averageCharWidth() * 12
        if room > 0 and self.columnWidth(0) > room:
            self.setColumnWidth(0, room)

    def raw_text(self, channel: Channel, result: ConnectionTest) -> str:
        """What was said to the server on ``channel``, for the last request and response pane."""
        if result.transcript:  # every command and answer, in order
            return "\n".join([channel_label(channel), *result.transcript])
        request = result.last_request or self.tr("(none)")
        response = result.last_response or self.tr("(none)")
        return self.tr("{channel}\n> {request}\n< {response}").format(
            channel=channel_label(channel), request=request, response=response
        )
