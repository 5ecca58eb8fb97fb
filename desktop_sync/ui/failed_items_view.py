"""The failed-item ledger: which mail could not be synchronized, why, and a way to try again."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QWidget
from qasync import asyncSlot

from desktop_sync.domain.messages import explain
from desktop_sync.domain.model import Channel, FailedItem
from desktop_sync.ui.context import UiContext
from desktop_sync.ui.errors import ErrorPresenter
from desktop_sync.ui.explanations import explain_localized
from desktop_sync.ui.formatting import format_when
from desktop_sync.ui.page import EmptyState, fit_columns, table_view
from desktop_sync.ui.page_parts import ListPage, action_button, page_action

ID_ROLE = Qt.ItemDataRole.UserRole
REASON = 5  # the column of "Why it failed"
RELOAD_DELAY_MS = 1000


class FailedItemsPage(ListPage):
    def __init__(self, context: UiContext | None, errors: ErrorPresenter, parent: QWidget | None = None) -> None:
        super().__init__(context, errors, parent)
        self.set_heading(
            self.tr("Failed items"),
            self.tr("Mail and appointments that could not be synchronized, why, and a way to retry them."),
        )
        self.model = QStandardItemModel(0, 10, self)
        self.model.setHorizontalHeaderLabels(
            [
                self.tr("Item"),
                self.tr("From"),
                self.tr("Date"),
                self.tr("Mailbox"),
                self.tr("Channel"),
                self.tr("Why it failed"),
                self.tr("Attempts"),
                self.tr("Last attempt"),
                self.tr("Next retry"),
                self.tr("Kind"),
            ]
        )
        self.table = table_view(self.tr("Failed items"))
        self.table.setModel(self.model)
        self.empty = EmptyState(self.table, self.tr("No failed items."))

        self.retry_action = page_action(self, self.tr("&Retry selected"), "Ctrl+R", self.retry_selected)
        self.refresh_action = page_action(self, self.tr("Re&fresh"), QKeySequence.StandardKey.Refresh, self._reload_now)
        self.show_resolved = QCheckBox(self.tr("Show &resolved"))
        self.show_resolved.toggled.connect(lambda _on: self._reload.start())
        buttons = QHBoxLayout()
        for action in (self.retry_action, self.refresh_action):
            buttons.addWidget(action_button(action))
        buttons.addWidget(self.show_resolved)
        buttons.addStretch(1)

        self.lay_out(buttons, table=self.table)

        self.set_reloading(RELOAD_DELAY_MS, self.tr("refresh the failed items"))
        self.table.selectionModel().selectionChanged.connect(self._update_actions)
        self.reload_on_item_alerts()
        self.refresh_action.setEnabled(context is not None)
        self._update_actions()

    def _channel_text(self, channel: Channel) -> str:
        return {
            Channel.INCOMING: self.tr("Incoming email"),
            Channel.OUTGOING: self.tr("Outgoing email"),
            Channel.ACT: self.tr("Appointments, contacts, tasks"),
        }[channel]

    def item_text(self, item: FailedItem) -> str:
        """What names the item to a person: its subject (a record's title), never its server reference."""
        if item.subject:
            return item.subject
        if item.sender or item.item_date:
            return self.tr("(no subject)")
        if item.channel is Channel.ACT:
            return self.tr("An appointment, contact or task")
        if item.folder:
            return self.tr("A message in {folder}").format(folder=item.folder)
        return self.tr("A message")

    def item_tooltip(self, item: FailedItem) -> str:
        """The whole headline, and the server's reference for support."""
        lines = [self.item_text(item)]
        if item.sender:
            lines.append(self.tr("From: {sender}").format(sender=item.sender))
        if item.item_date:
            lines.append(self.tr("Date: {date}").format(date=format_when(item.item_date)))
        if item.folder and item.channel is not Channel.ACT:
            lines.append(self.tr("Folder: {folder}").format(folder=item.folder))
        lines.append(self.tr("Server reference (for support): {ref}").format(ref=item.item_ref))
        return "\n".join(lines)

    async def refresh(self) -> None:
        if self._context is None:
            return
        views = await self._context.monitoring.failed_items(include_resolved=self.show_resolved.isChecked())
        self.model.removeRows(0, self.model.rowCount())
        for view in views:
            item = view.item
            facts = {"address": view.mailbox, "item": self.item_text(item), "detail": item.reason}
            why = explain_localized(item.code, **facts)
            if why.title and explain(item.code, **facts).title != item.reason:
                reason = self.tr("{title}: {reason}").format(title=why.title, reason=item.reason)
            else:
                reason = item.reason
            texts = [
                self.item_text(item),
                item.sender or "",
                format_when(item.item_date) if item.item_date else "",
                view.mailbox,
                self._channel_text(item.channel),
                reason,
                str(item.attempts),
                format_when(item.last_failed_at),
                self.tr("Resolved") if item.resolved else format_when(item.next_retry_at),
                self.tr("Permanent") if item.permanent else self.tr("Will be retried"),
            ]
            cells = [QStandardItem(text) for text in texts]
            for cell in cells:
                cell.setEditable(False)
                cell.setData(item.id, ID_ROLE)
                cell.setToolTip(cell.text())
            cells[0].setToolTip(self.item_tooltip(item))
            cells[REASON].setToolTip(f"{why.cause}\n{why.fix}".strip())
            self.model.appendRow(cells)
        fit_columns(self.table)
        reason_width = min(self.table.columnWidth(REASON), self.fontMetrics().averageCharWidth() * 60)
        self.table.setColumnWidth(REASON, reason_width)
        self.empty.update()
        self._update_actions()

    def selected_ids(self) -> list[int]:
        return sorted({int(index.data(ID_ROLE)) for index in self.table.selectionModel().selectedRows()})

    def _update_actions(self, *_args: object) -> None:
        self.retry_action.setEnabled(self._context is not None and bool(self.selected_ids()))

    @asyncSlot()
    async def retry_selected(self) -> None:
        ids = self.selected_ids()
        if not ids or self._context is None:
            return
        async with self._presenter.guard(self.retry_action, action=self.tr("retry the failed items")):
            count = await self._context.monitoring.retry_failed(ids)
            self.message.emit(self.tr("%n item(s) will be retried in their mailbox's next cycle.", "", count))
            await self.refresh()
