"""Conflicts: a field changed both in the CRM and in Exchange since the last synchronization. The
default policy kept one value; the admin confirms it or chooses: keep the CRM's, Exchange's, or both."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QCheckBox, QFrame, QHBoxLayout, QPushButton, QVBoxLayout, QWidget
from qasync import asyncSlot
from shiboken6 import isValid

from desktop_sync.domain.act import DEFAULT_CONFLICT_POLICY, ConflictPolicy
from desktop_sync.services.act import ConflictView
from desktop_sync.ui.act_fields import field_label, type_label, value_text
from desktop_sync.ui.context import UiContext
from desktop_sync.ui.errors import ErrorPresenter
from desktop_sync.ui.formatting import format_when
from desktop_sync.ui.page import EmptyState, fit_columns, sentence_label, table_view
from desktop_sync.ui.page_parts import ListPage, action_button, page_action

ID_ROLE = Qt.ItemDataRole.UserRole
RESOLVED_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2
RELOAD_DELAY_MS = 500


class ConflictsPage(ListPage):
    def __init__(self, context: UiContext | None, errors: ErrorPresenter, parent: QWidget | None = None) -> None:
        super().__init__(context, errors, parent)
        self.set_heading(
            self.tr("Conflicts"),
            self.tr(
                "Fields changed both in the CRM and in Exchange since the last synchronization. "
                "Choose which value stays; the next synchronization carries it to the other side."
            ),
        )
        self.policy_label = sentence_label(self.policy_text(DEFAULT_CONFLICT_POLICY))
        self.policy_label.setAccessibleName(self.tr("Default policy"))
        policy_frame = QFrame()
        policy_frame.setFrameShape(QFrame.Shape.StyledPanel)
        QVBoxLayout(policy_frame).addWidget(self.policy_label)

        self.model = QStandardItemModel(0, 9, self)
        self.model.setHorizontalHeaderLabels(
            [
                self.tr("Record"),
                self.tr("Type"),
                self.tr("Field"),
                self.tr("CRM value"),
                self.tr("Exchange value"),
                self.tr("Value kept now"),
                self.tr("Mailbox"),
                self.tr("Detected"),
                self.tr("Resolution"),
            ]
        )
        self.table = table_view(self.tr("Conflicts"))
        self.table.setModel(self.model)
        self.table.setSortingEnabled(False)  # newest first, as the service gives them
        self.empty = EmptyState(self.table, self.tr("No conflicts to resolve."))

        def action(text: str, policy: ConflictPolicy, tip: str) -> QAction:
            made = QAction(text, self)
            made.setToolTip(tip)
            made.triggered.connect(lambda _checked=False: self.resolve_selected(policy))
            self.addAction(made)
            return made

        self.keep_crm_action = action(
            self.tr("Keep &CRM"),
            ConflictPolicy.KEEP_CRM,
            self.tr("Keep the CRM's value; Exchange gets it in the next synchronization"),
        )
        self.keep_exchange_action = action(
            self.tr("Keep &Exchange"),
            ConflictPolicy.KEEP_EXCHANGE,
            self.tr("Put Exchange's value in the CRM record; the link keeps both sides equal"),
        )
        self.keep_both_action = action(
            self.tr("Keep &both"),
            ConflictPolicy.KEEP_BOTH,
            self.tr("Keep the CRM record as it is and add a copy of it with Exchange's value"),
        )
        self.resolve_actions = [self.keep_crm_action, self.keep_exchange_action, self.keep_both_action]
        self.refresh_action = page_action(
            self,
            self.tr("Re&fresh"),
            QKeySequence.StandardKey.Refresh,
            self._reload_now,
            Qt.ShortcutContext.WidgetWithChildrenShortcut,
        )
        self.show_resolved = QCheckBox(self.tr("Show &resolved"))
        self.show_resolved.toggled.connect(lambda _on: self._reload.start(0))

        buttons = QHBoxLayout()
        self.buttons: dict[QAction, QPushButton] = {}
        for made in (*self.resolve_actions, self.refresh_action):
            self.buttons[made] = action_button(made, made.toolTip())
            buttons.addWidget(self.buttons[made])
        buttons.addWidget(self.show_resolved)
        buttons.addStretch(1)

        self.lay_out(policy_frame, buttons, table=self.table)

        self.set_reloading(RELOAD_DELAY_MS, self.tr("refresh the conflicts"))
        self.table.selectionModel().selectionChanged.connect(self._update_actions)
        self.reload_when_seen()
        self.reload_on_item_alerts()
        self.refresh_action.setEnabled(context is not None)
        self._update_actions()

    def policy_text(self, policy: ConflictPolicy) -> str:
        kept = {
            ConflictPolicy.KEEP_CRM: self.tr("the CRM's value is kept and sent to Exchange"),
            ConflictPolicy.KEEP_EXCHANGE: self.tr("Exchange's value is kept and written to the CRM"),
            ConflictPolicy.KEEP_BOTH: self.tr("the CRM's value is kept, and a copy is made with Exchange's value"),
        }[policy]
        return self.tr(
            "Default policy: when the same field changed on both sides, {kept}; the conflict is listed here "
            "until you confirm that choice or make another."
        ).format(kept=kept)

    def _policy_name(self, policy: ConflictPolicy | None) -> str:
        if policy is None:
            return "—"
        return {
            ConflictPolicy.KEEP_CRM: self.tr("Kept the CRM's"),
            ConflictPolicy.KEEP_EXCHANGE: self.tr("Kept Exchange's"),
            ConflictPolicy.KEEP_BOTH: self.tr("Kept both (a copy)"),
        }[policy]

    # --- data ----------------------------------------------------------------------------------

    async def refresh(self) -> None:
        if self._context is None:
            return
        conflicts = await self._context.act.conflict_views(include_resolved=self.show_resolved.isChecked())
        if isValid(self):  # not when the page went away (the window closed) while the store answered
            self._fill(conflicts)

    def _fill(self, conflicts: Sequence[ConflictView]) -> None:
        chosen = set(self.selected_ids())
        self.model.removeRows(0, self.model.rowCount())
        for conflict in conflicts:
            record = conflict.record or self.tr("(a deleted record)")
            kept = {
                ConflictPolicy.KEEP_CRM: self.tr("CRM"),
                ConflictPolicy.KEEP_EXCHANGE: self.tr("Exchange"),
                ConflictPolicy.KEEP_BOTH: self.tr("CRM, and a copy"),
            }[conflict.kept]
            texts = [
                record,
                type_label(conflict.record_type, plural=False),
                field_label(conflict.field),
                value_text(conflict.field, conflict.crm_value),
                value_text(conflict.field, conflict.exchange_value),
                kept,
                conflict.mailbox or "—",
                format_when(conflict.created_at),
                self._policy_name(conflict.resolution) if conflict.resolved else self.tr("Open"),
            ]
            cells = [QStandardItem(text) for text in texts]
            for cell in cells:
                cell.setEditable(False)
                cell.setData(conflict.id, ID_ROLE)
                cell.setData(conflict.resolved, RESOLVED_ROLE)
                cell.setToolTip(cell.text())
                if conflict.resolved:
                    font = cell.font()
                    font.setStrikeOut(True)
                    cell.setFont(font)
            self.model.appendRow(cells)
        fit_columns(self.table)
        widest = self.fontMetrics().averageCharWidth() * 40
        for column in range(self.model.columnCount()):
            self.table.setColumnWidth(column, min(self.table.columnWidth(column), widest))
        self.select_ids(sorted(chosen))
        self.empty.update()
        self._update_actions()

    def select_ids(self, ids: Sequence[int]) -> None:
        selection = self.table.selectionModel()
        selection.clearSelection()
        for row in range(self.model.rowCount()):
            index = self.model.index(row, 0)
            if index.data(ID_ROLE) in ids:
                selection.select(index, selection.SelectionFlag.Select | selection.SelectionFlag.Rows)

    def selected_ids(self) -> list[int]:
        """The open conflicts selected (resolved ones are shown, not resolved again)."""
        return sorted(
            int(index.data(ID_ROLE))
            for index in self.table.selectionModel().selectedRows()
            if not index.data(RESOLVED_ROLE)
        )

    def _update_actions(self, *_args: object) -> None:
        enabled = self._context is not None and bool(self.selected_ids())
        for made in self.resolve_actions:
            made.setEnabled(enabled)

    # --- resolving -----------------------------------------------------------------------------

    @asyncSlot()
    async def resolve_selected(self, policy: ConflictPolicy) -> None:
        ids = self.selected_ids()
        if not ids or self._context is None:
            return
        action = {
            ConflictPolicy.KEEP_CRM: self.keep_crm_action,
            ConflictPolicy.KEEP_EXCHANGE: self.keep_exchange_action,
            ConflictPolicy.KEEP_BOTH: self.keep_both_action,
        }[policy]
        done = 0
        for made in self.resolve_actions:
            made.setEnabled(False)
        async with self._presenter.guard(action=self.tr("resolve the conflicts")):
            try:
                for conflict_id in ids:
                    await self._context.act.resolve(conflict_id, policy)
                    done += 1
            finally:
                if done:
                    self.message.emit(
                        self.tr("%n conflict(s) resolved: {choice}.", "", done).format(
                            choice=action.text().replace("&", "")
                        )
                    )
                await self.refresh()
        self._update_actions()
