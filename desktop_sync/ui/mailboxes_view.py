"""The Mailboxes view: every mailbox's live status, searchable and filterable, with the actions an
admin takes on one mailbox or on several at once."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QMenu,
    QToolBar,
    QWidget,
)
from qasync import asyncSlot

from desktop_sync.domain.errors import DesktopSyncError
from desktop_sync.domain.mailbox_state import DisplayState
from desktop_sync.services.mailboxes import BulkResult, MailboxView
from desktop_sync.ui.act_preview_dialog import ActPreviewDialog
from desktop_sync.ui.apply_profile_dialog import ApplyProfileDialog
from desktop_sync.ui.context import UiContext
from desktop_sync.ui.enablement_results_dialog import EnablementResultsDialog
from desktop_sync.ui.errors import ErrorPresenter, ErrorReport
from desktop_sync.ui.held_changes import confirmation_message
from desktop_sync.ui.mailbox_dialog import MailboxDialog
from desktop_sync.ui.mailboxes_model import ADDRESS_ROLE, Column, MailboxFilterProxy, MailboxTableModel
from desktop_sync.ui.page import (
    MAX_COLUMN_CHARACTERS,
    EmptyState,
    fit_columns,
    narrow_combo,
    table_view,
)
from desktop_sync.ui.page_parts import ListPage, page_action, search_field, shortcut_text
from desktop_sync.ui.prompts import Asker, message_box_asker
from desktop_sync.ui.signin_panel import OpenBrowser, open_in_system_browser
from desktop_sync.ui.user_options_dialog import UserOptionsDialog, open_user_options

RELOAD_DELAY_MS = 500


class MailboxesPage(ListPage):
    def __init__(
        self,
        context: UiContext | None,
        errors: ErrorPresenter,
        asker: Asker | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(context, errors, parent)
        self._ask = asker or message_box_asker(self)
        self._refreshing = False
        self._refresh_again = False
        self.dialog: QDialog | None = None
        self.open_browser: OpenBrowser = open_in_system_browser  # where Sign in… shows the provider's page
        self.context_menu: QMenu | None = None
        self.options_dialog: UserOptionsDialog | None = None

        self.set_heading(
            self.tr("Mailboxes"),
            self.tr(
                "Each mailbox's live synchronization status: state, last and next sync, items synchronized and errors."
            ),
        )
        self.model = MailboxTableModel(self)
        self.proxy = MailboxFilterProxy(self)
        self.proxy.setSourceModel(self.model)

        self.search = search_field(
            self, self.tr("Search address, owner or profile (Ctrl+F)"), self.tr("Search mailboxes")
        )
        self.search.textChanged.connect(self.proxy.set_search)
        self.state_filter = narrow_combo(QComboBox())
        self.state_filter.setAccessibleName(self.tr("Show mailboxes in state"))
        self.state_filter.addItem(self.tr("All states"), None)
        for state in DisplayState:
            self.state_filter.addItem(self.model.state_label(state), state)
        self.state_filter.currentIndexChanged.connect(lambda _i: self.proxy.set_state(self.state_filter.currentData()))

        self.table = table_view(self.tr("Mailboxes"))
        self.table.setModel(self.proxy)
        self.table.sortByColumn(Column.ADDRESS, Qt.SortOrder.AscendingOrder)
        self.table.horizontalHeader().setSectionResizeMode(Column.LAST_ERROR, QHeaderView.ResizeMode.Stretch)
        # what an admin looks for first: which mailbox, and how it is doing
        self.table.horizontalHeader().moveSection(self.table.horizontalHeader().visualIndex(Column.STATE), 1)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)
        self.table.activated.connect(self._activated)
        self.empty = EmptyState(self.table, self.tr("No mailboxes yet."))

        def action(text: str, shortcut: str, slot: object, tip: str = "") -> QAction:
            made = page_action(self, text, shortcut, slot)
            made.setToolTip(f"{tip or text.replace('&', '')} ({shortcut_text(made)})")
            return made

        self.add_action = action(self.tr("&Add…"), "Ctrl+N", self.add_mailbox, self.tr("Add a mailbox"))
        self.edit_action = action(self.tr("&Edit…"), "Ctrl+E", self.edit_selected, self.tr("Edit the mailbox"))
        self.approve_action = action(self.tr("A&pprove"), "Ctrl+Shift+A", self.approve_selected)
        self.test_action = action(self.tr("&Test && Enable"), "Ctrl+T", self.test_selected)
        self.sync_action = action(self.tr("&Sync now"), "F5", self.sync_selected)
        self.enable_action = action(self.tr("E&nable"), "Ctrl+Shift+E", self.enable_selected)
        self.disable_action = action(self.tr("&Disable"), "Ctrl+Shift+D", self.disable_selected)
        self.apply_profile_action = action(self.tr("Apply &profile…"), "Ctrl+Shift+P", self.apply_profile_to_selected)
        self.preview_action = action(
            self.tr("Pre&view synchronization…"),
            "Ctrl+Shift+V",
            self.preview_selected,
            self.tr("What the next synchronization of appointments, contacts and tasks would do; changes nothing"),
        )
        self.owner_options_action = action(
            self.tr("Owner's &options…"),
            "Ctrl+Shift+O",
            self.open_owner_options,
            self.tr("The mailbox owner's tracking, sync filters and tracked folders"),
        )
        self.delete_action = action(
            self.tr("De&lete…"),
            "Del",
            self.delete_selected,
            self.tr("Stop synchronizing the selected mailboxes and forget them; their tracked email stays"),
        )
        self.selection_actions = [
            self.approve_action,
            self.test_action,
            self.sync_action,
            self.enable_action,
            self.disable_action,
            self.apply_profile_action,
        ]
        self.toolbar = QToolBar()
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.toolbar.addAction(self.add_action)
        self.toolbar.addAction(self.edit_action)
        self.toolbar.addSeparator()
        for made in self.selection_actions:
            self.toolbar.addAction(made)

        filters = QHBoxLayout()
        filters.addWidget(self.search, stretch=1)
        filters.addWidget(self.state_filter)
        self.lay_out(self.toolbar, filters, table=self.table)

        self.set_reloading(RELOAD_DELAY_MS, self.tr("refresh the mailbox list"))
        self.model.unknown_mailbox.connect(self._reload.start)
        self.table.selectionModel().selectionChanged.connect(self._update_actions)
        if context is not None:
            bridge = context.bridge
            bridge.mailbox_state_changed.connect(self.model.on_state_changed)
            bridge.cycle_started.connect(self.model.on_cycle_started)
            bridge.cycle_finished.connect(self.model.on_cycle_finished)
            bridge.items_synced.connect(self.model.on_items_synced)
            bridge.import_progress.connect(self.model.on_import_progress)
            bridge.engine_status_changed.connect(self.model.on_engine_status)
        self._update_actions()

    # --- selection and filters -----------------------------------------------------------------

    def selected_addresses(self) -> list[str]:
        rows = self.table.selectionModel().selectedRows()
        return [str(index.data(ADDRESS_ROLE)) for index in sorted(rows, key=lambda i: i.row())]

    def select_addresses(self, addresses: Sequence[str]) -> None:
        self.table.clearSelection()
        selection = self.table.selectionModel()
        for row in range(self.proxy.rowCount()):
            index = self.proxy.index(row, 0)
            if index.data(ADDRESS_ROLE) in addresses:
                selection.select(
                    index,
                    selection.SelectionFlag.Select | selection.SelectionFlag.Rows,
                )

    def set_state_filter(self, state: DisplayState | None) -> None:
        """Show only mailboxes in ``state`` (None: all), as the dashboard asks."""
        self.state_filter.setCurrentIndex(max(self.state_filter.findData(state), 0))

    def _update_actions(self, *_args: object) -> None:
        count = len(self.table.selectionModel().selectedRows())
        available = self._context is not None
        self.add_action.setEnabled(available)
        self.edit_action.setEnabled(available and count == 1)
        self.preview_action.setEnabled(available and count == 1)
        self.owner_options_action.setEnabled(available and count == 1 and self._selected_owner_is_user())
        self.delete_action.setEnabled(available and count > 0)
        for made in self.selection_actions:
            made.setEnabled(available and count > 0)

    def _context_menu(self, position: object) -> None:
        menu = QMenu(self)
        menu.addAction(self.edit_action)
        menu.addAction(self.owner_options_action)
        menu.addSeparator()
        for made in self.selection_actions:
            menu.addAction(made)
        menu.addSeparator()
        menu.addAction(self.preview_action)
        menu.addSeparator()
        menu.addAction(self.delete_action)
        self.context_menu = menu
        menu.popup(self.table.viewport().mapToGlobal(position))  # type: ignore[arg-type]

    def _selected_owner_is_user(self) -> bool:
        addresses = self.selected_addresses()
        row = self.model.row_of(addresses[0]) if len(addresses) == 1 else None
        if row is None:
            return False
        found = self.model.row_at(row)
        return bool(found.owner) and not found.owner_is_queue

    @asyncSlot()
    async def open_owner_options(self) -> None:
        """The user options of the selected mailbox's owner (tracking, sync filters, tracked folders)."""
        addresses = self.selected_addresses()
        if self._context is None or len(addresses) != 1:
            return
        async with self._presenter.guard(action=self.tr("open the owner's options")):
            views = await self._context.mailboxes.list()
            view = next((v for v in views if v.mailbox.address == addresses[0]), None)
            if view is None or view.owner is None or view.owner.kind != "user":
                return
            self.options_dialog = await open_user_options(self._context, self._presenter, view.owner.email, self)

    def _activated(self, _index: QModelIndex) -> None:
        self.edit_action.trigger()

    # --- loading -------------------------------------------------------------------------------

    async def refresh(self) -> None:
        """Load the mailbox list and statuses from the services (at start and after an action)."""
        if self._context is None:
            return
        if self._refreshing:
            self._refresh_again = True
            return
        self._refreshing = True
        try:
            while True:
                self._refresh_again = False
                views = await self._context.mailboxes.list()
                statuses = await self._context.monitoring.statuses()
                self.model.load(views, statuses)
                if not self._refresh_again:
                    break
        finally:
            self._refreshing = False
        if self.model.rowCount() and not self.table.property("sized") and self.table.isVisible():
            self.size_columns()
        elif self.table.property("sized"):
            # a longer address arrived (a migration, a new mailbox): the first column grows to it
            cap = self.table.fontMetrics().averageCharWidth() * MAX_COLUMN_CHARACTERS
            needed = min(self.table.sizeHintForColumn(Column.ADDRESS), cap)
            if needed > self.table.columnWidth(Column.ADDRESS):
                self.table.setColumnWidth(Column.ADDRESS, needed)
        self._update_actions()

    def size_columns(self) -> None:
        """Fit the columns to the first rows loaded, leaving the state room to grow."""
        fit_columns(self.table)
        # the state grows while a mailbox imports ("Importing (1,250 of 10,000, about 2 min left)")
        sample = self.tr("Importing (10,000 of 10,000, about 10 min left)")
        wide = self.table.fontMetrics().horizontalAdvance(sample)
        self.table.setColumnWidth(Column.STATE, max(self.table.columnWidth(Column.STATE), wide + 32))
        self.table.setProperty("sized", True)

    # --- dialogs -------------------------------------------------------------------------------

    async def _open_editor(self, view: MailboxView | None) -> MailboxDialog | None:
        if self._context is None:
            return None
        profiles = await self._context.profiles.list()
        if not profiles:
            self._presenter.present_message(
                ErrorReport(
                    self.tr("No server profile yet"),
                    self.tr("A mailbox synchronizes through a server profile, and there is none."),
                    self.tr("Create a server profile first (Server profiles, Ctrl+2)."),
                    information=True,
                )
            )
            return None
        dialog = MailboxDialog(
            self._context,
            self._presenter,
            self._ask,
            profiles=profiles,
            users=await self._context.directory.users(),
            queues=await self._context.directory.queues(),
            view=view,
            parent=self,
        )
        dialog.changed.connect(self._reload.start)
        dialog.sign_in.open_browser = self.open_browser
        self.dialog = dialog
        dialog.open()
        return dialog

    @asyncSlot()
    async def add_mailbox(self) -> None:
        async with self._presenter.guard(self.add_action, action=self.tr("open the mailbox editor")):
            await self._open_editor(None)

    @asyncSlot()
    async def edit_selected(self) -> None:
        addresses = self.selected_addresses()
        if len(addresses) != 1 or self._context is None:
            return
        async with self._presenter.guard(self.edit_action, action=self.tr("open the mailbox editor")):
            view = next((v for v in await self._context.mailboxes.list() if v.mailbox.address == addresses[0]), None)
            if view is not None:
                await self._open_editor(view)

    @asyncSlot(str)
    async def open_sign_in(self, address: str) -> None:
        """The fix of a sign-in alert: the mailbox's editor, its sign-in started in the browser."""
        if self._context is None:
            return
        async with self._presenter.guard(action=self.tr("open the mailbox editor")):
            view = next((v for v in await self._context.mailboxes.list() if v.mailbox.address == address), None)
            dialog = await self._open_editor(view) if view is not None else None
            if dialog is not None:
                dialog.sign_in.start_browser()

    # --- actions on the selection --------------------------------------------------------------

    @asyncSlot()
    async def approve_selected(self) -> None:
        addresses = self.selected_addresses()
        if not addresses or self._context is None:
            return
        async with self._presenter.guard(self.approve_action, action=self.tr("approve")):
            for address in addresses:
                await self._context.mailboxes.approve(address)
            self.message.emit(self.tr("%n mailbox(es) approved.", "", len(addresses)))
            await self.refresh()

    @asyncSlot()
    async def test_selected(self) -> None:
        addresses = self.selected_addresses()
        if not addresses or self._context is None:
            return
        async with self._presenter.guard(self.test_action, action=self.tr("run Test & Enable")):
            self.message.emit(self.tr("Testing %n mailbox(es)…", "", len(addresses)))
            outcomes = await self._context.sync.test_and_enable(addresses)
            passed = sum(1 for o in outcomes if o.report is not None and o.report.ok)
            self.message.emit(
                self.tr("Test & Enable: {passed} passed out of %n mailbox(es).", "", len(outcomes)).format(
                    passed=passed
                )
            )
            await self.refresh()
            dialog = EnablementResultsDialog(outcomes, self)
            self.dialog = dialog
            dialog.open()

    @asyncSlot()
    async def sync_selected(self) -> None:
        addresses = self.selected_addresses()
        if not addresses or self._context is None:
            return
        async with self._presenter.guard(self.sync_action, action=self.tr("sync now")):
            result = await self._context.sync.sync_now(addresses)
            if result.started:
                self.message.emit(self.tr("Synchronizing %n mailbox(es) now.", "", len(result.started)))
            if result.requested:
                self.message.emit(
                    self.tr(
                        "Sync requested for %n mailbox(es); it starts when the engine that synchronizes them runs.",
                        "",
                        len(result.requested),
                    )
                )

    @asyncSlot()
    async def preview_selected(self) -> None:
        """The ACT dry run of the selected mailbox, in a dialog; errors go to the presenter."""
        addresses = self.selected_addresses()
        if len(addresses) != 1 or self._context is None:
            return
        async with self._presenter.guard(self.preview_action, action=self.tr("preview the synchronization")):
            self.message.emit(self.tr("Previewing the synchronization of {address}…").format(address=addresses[0]))
            preview = await self._context.sync.preview(addresses[0])
            dialog = ActPreviewDialog(preview, self)
            dialog.confirm_requested.connect(self.confirm_held)
            self.dialog = dialog
            dialog.open()

    @asyncSlot(str)
    async def confirm_held(self, address: str) -> None:
        """Confirm changes in the preview: run the plans the safety stop holds for ``address`` once."""
        if self._context is None:
            return
        dialog = self.dialog if isinstance(self.dialog, ActPreviewDialog) else None
        controls = [dialog.confirm_button] if dialog is not None else []
        seen = dialog.preview.fingerprints if dialog is not None else None
        async with self._presenter.guard(*controls, action=self.tr("confirm the held changes")):
            outcome = await self._context.sync.confirm_act(address, seen=seen)
            self.message.emit(confirmation_message(outcome, address))
            if outcome.applied and not outcome.held_again and dialog is not None:
                dialog.accept()

    @asyncSlot()
    async def delete_selected(self) -> None:
        addresses = self.selected_addresses()
        if not addresses or self._context is None:
            return
        async with self._presenter.guard(self.delete_action, action=self.tr("delete mailboxes")):
            question = self.tr(
                "Delete %n mailbox(es)? Their synchronization stops and they are forgotten, with their "
                "passwords; the email they tracked stays in the CRM.",
                "",
                len(addresses),
            )
            if not await self._ask(self.tr("Delete mailboxes"), question):
                return
            deleted: list[str] = []
            refused: list[tuple[str, str]] = []
            for address in addresses:
                try:
                    await self._context.mailboxes.delete(address)
                except DesktopSyncError as exc:
                    refused.append((address, exc.message))
                else:
                    deleted.append(address)
            if deleted:
                self.message.emit(self.tr("%n mailbox(es) deleted.", "", len(deleted)))
            self._report_bulk(BulkResult((), tuple(refused)))
            await self.refresh()

    @asyncSlot()
    async def enable_selected(self) -> None:
        await self._set_enabled(True)

    @asyncSlot()
    async def disable_selected(self) -> None:
        await self._set_enabled(False)

    async def _set_enabled(self, enabled: bool) -> None:
        addresses = self.selected_addresses()
        if not addresses or self._context is None:
            return
        control = self.enable_action if enabled else self.disable_action
        async with self._presenter.guard(control, action=self.tr("enable") if enabled else self.tr("disable")):
            result = await self._context.mailboxes.set_enabled(addresses, enabled)
            self._report_bulk(result)
            await self.refresh()

    @asyncSlot()
    async def apply_profile_to_selected(self) -> None:
        addresses = self.selected_addresses()
        if not addresses or self._context is None:
            return
        async with self._presenter.guard(self.apply_profile_action, action=self.tr("apply a profile")):
            profiles = await self._context.profiles.list()
            dialog = ApplyProfileDialog(profiles, len(addresses), self)
            self.dialog = dialog
            dialog.accepted.connect(lambda: self._apply_profile(addresses, dialog.chosen()))
            dialog.open()

    @asyncSlot()
    async def _apply_profile(self, addresses: list[str], profile: str) -> None:
        if self._context is None:
            return
        async with self._presenter.guard(self.apply_profile_action, action=self.tr("apply a profile")):
            result = await self._context.mailboxes.apply_profile(addresses, profile)
            self._report_bulk(result)
            await self.refresh()

    def _report_bulk(self, result: BulkResult) -> None:
        if result.changed:
            self.message.emit(self.tr("%n mailbox(es) changed.", "", len(result.changed)))
        if result.skipped:
            self._presenter.present_message(
                ErrorReport(
                    self.tr("Some mailboxes were left as they were"),
                    "\n".join(f"{address}: {reason}" for address, reason in result.skipped),
                    "",
                    information=True,
                )
            )
