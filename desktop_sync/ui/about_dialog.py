"""Help → About: the version, the licence, the store in use, where the log and settings files are,
and a button that copies these for a support request."""

from __future__ import annotations

import platform
import sys
from dataclasses import dataclass
from importlib.metadata import metadata

from PySide6.QtCore import Qt, qVersion
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_sync import __version__
from desktop_sync.config import ConfigFile
from desktop_sync.logs import log_directory

DISTRIBUTION = "desktop-sync"


def licence() -> str:
    """The licence the package metadata declares (pyproject.toml's ``license``)."""
    fields = metadata(DISTRIBUTION)
    return str(fields.get("License-Expression") or fields.get("License") or "")


@dataclass(frozen=True)
class AboutFacts:
    version: str
    licence: str
    store: str
    log_file: str
    settings_file: str
    runtime: str  # Python, Qt and the system: what support asks next

    @classmethod
    def of_this_process(cls, store: str, settings_file: str | None = None) -> AboutFacts:
        return cls(
            version=__version__,
            licence=licence(),
            store=store,
            log_file=str(log_directory() / "desktop-sync.log"),
            settings_file=settings_file or ConfigFile().location,
            runtime=f"Python {platform.python_version()}, Qt {qVersion()}, {platform.platform()}"
            + (" (bundle)" if getattr(sys, "frozen", False) else ""),
        )


class AboutDialog(QDialog):
    def __init__(self, facts: AboutFacts, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.facts = facts
        self.setWindowTitle(self.tr("About Desktop Sync"))
        layout = QVBoxLayout(self)

        title = QLabel(self.tr("Desktop Sync {version}").format(version=facts.version))
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        title.setFont(font)
        layout.addWidget(title)
        summary = QLabel(
            self.tr("Server-side synchronization between a CRM and Exchange, IMAP, POP3 and SMTP mail servers.")
        )
        summary.setWordWrap(True)
        layout.addWidget(summary)

        self.rows = [
            (self.tr("Version"), facts.version),
            (self.tr("Licence"), facts.licence),
            (self.tr("Store"), facts.store),
            (self.tr("Log file"), facts.log_file),
            (self.tr("Settings file"), facts.settings_file),
            (self.tr("Runtime"), facts.runtime),
        ]
        form = QFormLayout()
        for label, value in self.rows:
            shown = QLabel(value)
            shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            shown.setWordWrap(True)
            form.addRow(self.tr("{label}:").format(label=label), shown)
        layout.addLayout(form)

        self.copied = QLabel("")
        layout.addWidget(self.copied)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = QPushButton(self.tr("&Copy for a support request"))
        self.copy_button.setToolTip(self.tr("Copies the version, the store and where the log and settings files are"))
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self.copy)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def support_text(self) -> str:
        """What the copy button puts on the clipboard: one ``label: value`` line per fact."""
        return "\n".join(["Desktop Sync", *(f"{label}: {value}" for label, value in self.rows)]) + "\n"

    def copy(self) -> None:
        QApplication.clipboard().setText(self.support_text())
        self.copied.setText(self.tr("Copied to the clipboard: paste it into your support request."))
