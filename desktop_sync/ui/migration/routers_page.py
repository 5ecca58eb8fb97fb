"""Page 1 of the migration wizard: the routers' folders (up to four; a bad file is named, nothing is written)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWizardPage,
)

from desktop_sync.domain.email_router import MAX_ROUTERS, RouterFileError, RouterReading
from desktop_sync.domain.errors import DesktopSyncError, ValidationError
from desktop_sync.ui.explanations import localize_migration_text
from desktop_sync.ui.form import error_label
from desktop_sync.ui.migration.widgets import page_intro
from desktop_sync.ui.page import sentence_label, use_placeholder_colour

if TYPE_CHECKING:
    from desktop_sync.ui.migration.wizard import MigrationWizard


class MigrationRoutersPage(QWizardPage):
    """The folders of up to four routers, read as soon as they are added: a bad file is named at once."""

    def __init__(self, wizard: MigrationWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self._reading_task: asyncio.Task[None] | None = None
        self.setTitle(self.tr("E-mail Router files"))
        self.intro_label = page_intro(
            self,
            self.tr(
                "Add the folder of each E-mail Router to migrate (up to {count}). Each holds "
                "Microsoft.Crm.Tools.EmailAgent.xml, Microsoft.Crm.Tools.EmailAgent.SystemState.xml and "
                "EncryptionKey.xml. Nothing is written before you confirm the migration."
            ).format(count=MAX_ROUTERS),
        )
        self.folders = QListWidget()
        self.folders.setAccessibleName(self.tr("Router folders"))
        self.folders.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.add_button = QPushButton(self.tr("&Add router folder…"))
        self.remove_button = QPushButton(self.tr("&Remove"))
        self.remove_button.setEnabled(False)
        self.add_button.clicked.connect(self.choose_folder)
        self.remove_button.clicked.connect(self.remove_selected)
        self.folders.currentRowChanged.connect(lambda row: self.remove_button.setEnabled(row >= 0))
        self.status_label = sentence_label("")
        use_placeholder_colour(self.status_label)
        self.error_label = error_label()
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.file_dialog: QFileDialog | None = None

        buttons = QVBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(self.folders, stretch=1)
        row.addLayout(buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro_label)
        layout.addSpacing(self.fontMetrics().height() // 2)
        layout.addLayout(row, stretch=1)
        layout.addWidget(self.error_label)
        layout.addWidget(self.status_label)
        self._show_status()

    def paths(self) -> list[str]:
        return [self.folders.item(row).text() for row in range(self.folders.count())]

    def isComplete(self) -> bool:
        return self._wizard.reading is not None and self._reading_task is None

    def add_router(self, path: str | Path) -> None:
        """Add a router's folder (a file stands for the folder that holds it) and read them all again."""
        chosen = Path(path)
        folder = str(chosen.parent if chosen.is_file() else chosen)
        if folder in self.paths() or self.folders.count() >= MAX_ROUTERS:
            return
        self.folders.addItem(folder)
        self._read_again()

    def remove_selected(self) -> None:
        row = self.folders.currentRow()
        if row >= 0:
            self.folders.takeItem(row)
            self._read_again()

    def choose_folder(self) -> None:
        """A folder chooser opened without a nested event loop, so the engine keeps running."""
        dialog = QFileDialog(self, self.tr("E-mail Router folder"))
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        dialog.fileSelected.connect(self.add_router)
        self.file_dialog = dialog
        dialog.open()

    async def wait_read(self) -> None:
        """Wait for the reading under way (tests, and whoever needs the reading settled)."""
        while self._reading_task is not None:
            await asyncio.shield(self._reading_task)

    def _read_again(self) -> None:
        self.add_button.setEnabled(self.folders.count() < MAX_ROUTERS)
        previous = self._reading_task
        if previous is not None:
            previous.cancel()
        self._wizard.set_reading(None)
        paths = self.paths()
        if not paths:
            self._reading_task = None
            self.error_label.setVisible(False)
            self._show_status()
            self.completeChanged.emit()
            return
        self.status_label.setText(self.tr("Reading the routers' files…"))
        self._reading_task = asyncio.ensure_future(self._read(paths))
        self.completeChanged.emit()

    async def _read(self, paths: list[str]) -> None:
        task = asyncio.current_task()
        try:
            reading = await self._wizard.migration.read_routers(paths)
        except asyncio.CancelledError:
            return  # a newer reading replaced this one
        except RouterFileError as exc:
            problem = localize_migration_text(exc.problem)
            self._show_error(self.tr("{file}: {problem}").format(file=exc.path, problem=problem))
        except ValidationError as exc:
            self._show_error("; ".join(localize_migration_text(error) for error in exc.errors.values()))
        except Exception as exc:
            if isinstance(exc, DesktopSyncError):  # the store is unavailable...
                self._show_error(exc.message)
            else:  # a bug: logged, and said in full
                self._show_error(str(exc))
                self._wizard.presenter.present(exc, self.tr("read the E-mail Router's files"))
        else:
            self.error_label.setVisible(False)
            self._wizard.set_reading(reading)
            self._show_status(reading)
        finally:
            if self._reading_task is task:
                self._reading_task = None
                self.completeChanged.emit()

    def _show_error(self, text: str) -> None:
        self.error_label.setText(
            self.tr("This router cannot be read. Nothing has been written.\n{error}").format(error=text)
        )
        self.error_label.setVisible(True)
        self.status_label.setText(self.tr("Fix or remove the router named above to go on."))

    def _show_status(self, reading: RouterReading | None = None) -> None:
        if reading is None:
            self.status_label.setText(self.tr("Add at least one router folder."))
            return
        self.status_label.setText(
            self.tr("{routers}: {providers}, {profiles} and {mailboxes} found.").format(
                routers=self.tr("Read %n router(s)", "", len(reading.routers)),
                providers=self.tr("%n provider(s)", "", sum(r.providers for r in reading.routers)),
                profiles=self.tr("%n email server profile(s)", "", len(reading.profiles)),
                mailboxes=self.tr("%n mailbox(es)", "", len(reading.mailboxes)),
            )
        )
