"""Server profiles: the list, and the editor for a new or an existing one."""

from __future__ import annotations

from collections import Counter

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QWidget
from qasync import asyncSlot

from desktop_sync.domain.model import CredentialsOn, Endpoint, Profile, ProfileKind
from desktop_sync.ui.context import UiContext
from desktop_sync.ui.errors import ErrorPresenter
from desktop_sync.ui.page import EmptyState, fit_columns, table_view
from desktop_sync.ui.page_parts import ListPage, action_button, page_action
from desktop_sync.ui.profile_dialog import ProfileDialog
from desktop_sync.ui.prompts import Asker, message_box_asker

NAME_ROLE = Qt.ItemDataRole.UserRole


class ProfilesPage(ListPage):
    profiles_changed = Signal()  # a profile was added or changed (the mailbox list shows profile names)

    def __init__(
        self,
        context: UiContext | None,
        errors: ErrorPresenter,
        parent: QWidget | None = None,
        *,
        ask: Asker | None = None,
    ):
        super().__init__(context, errors, parent)
        self._ask = ask or message_box_asker(self)
        self._profiles: dict[str, Profile] = {}
        self.dialog: ProfileDialog | None = None
        self.set_heading(
            self.tr("Server profiles"),
            self.tr("The connection settings of each mail system (Exchange, IMAP, POP3, SMTP) that mailboxes use."),
        )
        self.model = QStandardItemModel(0, 6, self)
        self.model.setHorizontalHeaderLabels(
            [
                self.tr("Name"),
                self.tr("Kind"),
                self.tr("Incoming server"),
                self.tr("Outgoing server"),
                self.tr("Credentials"),
                self.tr("Mailboxes"),
            ]
        )
        self.table = table_view(self.tr("Server profiles"))
        self.table.setModel(self.model)
        self.table.setSelectionMode(self.table.SelectionMode.SingleSelection)
        self.table.activated.connect(self._activated)
        self.table.selectionModel().selectionChanged.connect(self._update_actions)
        self.empty = EmptyState(self.table, self.tr("No server profiles yet."))

        self.new_action = page_action(self, self.tr("&New profile…"), "Ctrl+N", self.new_profile)
        self.edit_action = page_action(self, self.tr("&Edit…"), "Ctrl+E", self.edit_selected)
        self.delete_action = page_action(
            self, self.tr("&Delete…"), QKeySequence.StandardKey.Delete, self.delete_selected
        )
        buttons = QHBoxLayout()
        self.buttons: dict[QAction, QPushButton] = {}
        for action in (self.new_action, self.edit_action, self.delete_action):
            self.buttons[action] = action_button(action)
            buttons.addWidget(self.buttons[action])
        buttons.addStretch(1)

        self.lay_out(buttons, table=self.table)
        self.new_action.setEnabled(context is not None)
        self._update_actions()

    # --- data ----------------------------------------------------------------------------------

    async def refresh(self) -> None:
        if self._context is None:
            return
        profiles = await self._context.profiles.list()
        usage = Counter(v.profile.name for v in await self._context.mailboxes.list())
        selected = self.selected_name()
        self._profiles = {p.name: p for p in profiles}
        self.model.removeRows(0, self.model.rowCount())
        for profile in profiles:
            row = [
                profile.name,
                self._kind_text(profile.kind),
                self._endpoint_text(profile.incoming)
                if profile.kind is not ProfileKind.EXCHANGE
                else profile.ews_url or "",
                self._endpoint_text(profile.outgoing) if profile.outgoing else "—",
                self.tr("Service account {login}").format(login=profile.login)
                if profile.credentials_on is CredentialsOn.PROFILE
                else self.tr("Each mailbox"),
                str(usage.get(profile.name, 0)),
            ]
            items = [QStandardItem(text) for text in row]
            for item in items:
                item.setEditable(False)
                item.setData(profile.name, NAME_ROLE)
            self.model.appendRow(items)
        fit_columns(self.table)
        self.empty.update()
        if selected:
            self.select(selected)
        self._update_actions()

    def _kind_text(self, kind: ProfileKind) -> str:
        return {
            ProfileKind.IMAP: self.tr("IMAP and SMTP"),
            ProfileKind.POP3: self.tr("POP3 and SMTP"),
            ProfileKind.EXCHANGE: self.tr("Exchange (EWS)"),
            ProfileKind.EXCHANGE_ONLINE: self.tr("Exchange Online (Microsoft Graph)"),
        }[kind]

    def _endpoint_text(self, endpoint: Endpoint | None) -> str:
        if endpoint is None:
            return "—"
        security = {"tls": self.tr("TLS"), "starttls": self.tr("STARTTLS"), "none": self.tr("no TLS")}
        return f"{endpoint.host}:{endpoint.port} ({security[endpoint.security.value]})"

    def selected_name(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].data(NAME_ROLE) if rows else None

    def select(self, name: str) -> None:
        for row in range(self.model.rowCount()):
            if self.model.item(row, 0).data(NAME_ROLE) == name:
                self.table.selectRow(row)
                return

    def _update_actions(self, *_args: object) -> None:
        selected = self._context is not None and self.selected_name() is not None
        self.edit_action.setEnabled(selected)
        self.delete_action.setEnabled(selected)

    # --- actions -------------------------------------------------------------------------------

    def new_profile(self) -> ProfileDialog | None:
        return self._open(None, None)

    @asyncSlot()
    async def edit_selected(self) -> None:
        name = self.selected_name()
        if name is None or self._context is None:
            return
        async with self._presenter.guard(self.edit_action, action=self.tr("open the profile")):
            has_password = None
            profile = self._profiles[name]
            if profile.credentials_on is CredentialsOn.PROFILE:
                has_password = await self._context.profiles.has_password(name)
            self._open(profile, has_password)

    @asyncSlot()
    async def delete_selected(self) -> None:
        name = self.selected_name()
        if name is None or self._context is None:
            return
        async with self._presenter.guard(self.delete_action, action=self.tr("delete the profile")):
            question = self.tr(
                "Delete the server profile {name}? A profile that mailboxes use cannot be deleted: "
                "move them to another profile or delete them first."
            ).format(name=name)
            if not await self._ask(self.tr("Delete profile"), question):
                return
            await self._context.profiles.delete(name)
            self.message.emit(self.tr("Profile {name} deleted.").format(name=name))
            self.profiles_changed.emit()
            await self.refresh()

    def _activated(self, _index: QModelIndex) -> None:
        self.edit_action.trigger()

    def _open(self, profile: Profile | None, has_password: bool | None) -> ProfileDialog | None:
        if self._context is None:
            return None
        self.dialog = ProfileDialog(self._context, self._presenter, profile, has_password, self)
        self.dialog.saved.connect(self._saved)
        self.dialog.open()
        return self.dialog

    @asyncSlot(object)
    async def _saved(self, profile: Profile) -> None:
        self.message.emit(self.tr("Profile {name} saved.").format(name=profile.name))
        self.profiles_changed.emit()
        async with self._presenter.guard(action=self.tr("refresh the list")):
            await self.refresh()
            self.select(profile.name)
