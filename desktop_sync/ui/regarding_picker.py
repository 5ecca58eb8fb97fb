"""A search-as-you-type field that picks an account, contact or lead by name or email.

What is typed is looked up in the store (a short pause after the last key, off the GUI thread as
every store read is); the matches drop down under the field, and choosing one sets the record.
The record is never typed by its id.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QCompleter, QLineEdit, QWidget
from qasync import asyncSlot

from desktop_sync.domain.errors import DesktopSyncError
from desktop_sync.domain.folders import RecordChoice
from desktop_sync.domain.model import RecordType

SEARCH_DELAY_MS = 250
CHOICE_ROLE = Qt.ItemDataRole.UserRole + 1

Search = Callable[[str], Awaitable[Sequence[RecordChoice]]]


class RegardingPicker(QLineEdit):
    """Type part of a name or an email; pick the record from the list. Empty means none."""

    choice_changed = Signal(object)  # RecordChoice | None, when the user picks one or empties the field
    search_failed = Signal(str)  # what went wrong, to show beside the field
    searched = Signal(int)  # how many matches the last search found (the list is then shown)

    def __init__(self, search: Search | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._search = search
        self._choice: RecordChoice | None = None
        self._asked = 0  # the latest search asked: answers to older ones are dropped
        self.setPlaceholderText(self.tr("Type a name or an email address — empty for none"))
        self.setClearButtonEnabled(True)
        self.setAccessibleName(self.tr("Regarding record"))
        self.matches = QStandardItemModel(self)
        self.completer = QCompleter(self.matches, self)
        self.completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setMaxVisibleItems(10)
        self.completer.activated[QModelIndex].connect(self._picked)
        self.setCompleter(self.completer)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self._search_now)
        self.textEdited.connect(self._edited)

    # --- what is chosen ------------------------------------------------------------------------

    def choice(self) -> RecordChoice | None:
        return self._choice

    def pending(self) -> bool:
        """Something is typed but no record was picked from the list."""
        return self._choice is None and bool(self.text().strip())

    def set_choice(self, choice: RecordChoice | None) -> None:
        self._timer.stop()
        self._asked += 1
        self._choice = choice
        self.setText(self.choice_text(choice) if choice else "")

    def kind_text(self, record_type: RecordType) -> str:
        return {
            RecordType.ACCOUNT: self.tr("Account"),
            RecordType.CONTACT: self.tr("Contact"),
            RecordType.LEAD: self.tr("Lead"),
        }.get(record_type, record_type.value)

    def choice_text(self, choice: RecordChoice) -> str:
        """ "Contoso <info@contoso.test> (Account)": how a record is named in the field and the folder list."""
        name = choice.name or choice.email or self.tr("(no name)")
        if choice.email and choice.email != name:
            return self.tr("{name} <{email}> ({kind})").format(
                name=name, email=choice.email, kind=self.kind_text(choice.record_type)
            )
        return self.tr("{name} ({kind})").format(name=name, kind=self.kind_text(choice.record_type))

    # --- searching -----------------------------------------------------------------------------

    def _edited(self, text: str) -> None:
        if self._choice is not None:
            self._choice = None  # typing again drops the record picked before
        if not text.strip():
            self._timer.stop()
            self._asked += 1
            self.matches.clear()
            self.choice_changed.emit(None)
            return
        self._timer.start()

    @asyncSlot()
    async def _search_now(self) -> None:
        await self.search(self.text())

    async def search(self, text: str) -> None:
        """Look ``text`` up and show the matches under the field."""
        if self._search is None or not text.strip():
            return
        self._asked += 1
        asked = self._asked
        try:
            found = await self._search(text.strip())
        except DesktopSyncError as exc:
            if asked == self._asked:
                self.search_failed.emit(exc.message)
            return
        if asked != self._asked or self._choice is not None:
            return  # a newer search, or a pick, came while this one ran
        self.matches.clear()
        for choice in found:
            row = QStandardItem(self.choice_text(choice))
            row.setData(choice, CHOICE_ROLE)
            row.setEditable(False)
            self.matches.appendRow(row)
        if not found:
            row = QStandardItem(self.tr("No account, contact or lead matches “{text}”").format(text=text.strip()))
            row.setEnabled(False)
            row.setSelectable(False)
            self.matches.appendRow(row)
        if self.hasFocus():
            self.completer.complete()
        self.searched.emit(len(found))

    def _picked(self, index: QModelIndex) -> None:
        choice = index.data(CHOICE_ROLE)
        if not isinstance(choice, RecordChoice):
            return
        self.set_choice(choice)
        self.choice_changed.emit(choice)

    def pick(self, row: int) -> None:
        """Choose the ``row``-th match, as a click or Enter in the list does."""
        self._picked(self.matches.index(row, 0))
