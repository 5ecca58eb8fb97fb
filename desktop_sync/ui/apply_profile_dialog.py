"""The dialog that picks the server profile the selected mailboxes move to."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from desktop_sync.domain.model import Profile


class ApplyProfileDialog(QDialog):
    """Choose the profile to move the selected mailboxes to."""

    def __init__(self, profiles: Sequence[Profile], count: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Apply a server profile"))
        self.profile = QComboBox()
        for profile in profiles:
            self.profile.addItem(profile.name, profile.name)
        note = QLabel(
            self.tr(
                "%n mailbox(es) will use this profile. Their synchronization stops until you run Test & Enable again.",
                "",
                count,
            )
        )
        note.setWordWrap(True)
        form = QFormLayout()
        form.addRow(self.tr("&Profile:"), self.profile)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(buttons)

    def chosen(self) -> str:
        return str(self.profile.currentData())
