"""Settings: the sync engine's limits (kept in the store, shared by every engine on it) and this
computer's settings (store location, log level, language, tray and login behaviour)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from qasync import asyncSlot

from desktop_sync.domain.errors import ValidationError
from desktop_sync.domain.settings import SPECS, EngineLimits, Kind, LocalSettings, Scope, as_values
from desktop_sync.services.settings import SettingsService
from desktop_sync.ui.errors import ErrorPresenter
from desktop_sync.ui.form import FieldErrors
from desktop_sync.ui.page import sentence_label


class SettingsDialog(QDialog):
    def __init__(self, service: SettingsService, presenter: ErrorPresenter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._service = service
        self._presenter = presenter
        self.setWindowTitle(self.tr("Settings"))
        self.fields = FieldErrors()
        self.editors: dict[str, QWidget] = {}

        engine_box = QGroupBox(self.tr("Sync engine"))
        engine_column = QVBoxLayout(engine_box)
        engine_column.addWidget(
            sentence_label(
                self.tr(
                    "Shared by every engine on this store (this application's and desktop-sync engine run). "
                    "Changes apply the next time Desktop Sync or desktop-sync engine run starts."
                )
            )
        )
        engine_form = QFormLayout()
        engine_column.addLayout(engine_form)
        local_box = QGroupBox(self.tr("This computer"))
        local_column = QVBoxLayout(local_box)
        local_form = QFormLayout()
        local_column.addLayout(local_form)
        labels = self._labels()
        for spec in SPECS:
            editor = self._editor(spec.key, spec.kind, spec.minimum, spec.maximum, spec.unit)
            self.editors[spec.key] = editor
            form = engine_form if spec.scope is Scope.STORE else local_form
            if isinstance(editor, QCheckBox):
                editor.setText(labels[spec.key])
                form.addRow(self.fields.wrap(spec.key, editor))
            else:
                form.addRow(labels[spec.key], self.fields.wrap(spec.key, editor))
        self.start_at_login = QCheckBox(self.tr("Start Desktop Sync when I &log in"))
        self.start_at_login.setEnabled(service.can_start_at_login)
        local_form.addRow(self.start_at_login)
        local_column.addWidget(
            sentence_label(
                self.tr(
                    "The store location, log level and language apply the next time Desktop Sync starts. "
                    "Kept in {path}."
                ).format(path=service.local_location)
            )
        )
        store = self.editors["store"]
        assert isinstance(store, QLineEdit)
        store.setPlaceholderText(
            self.tr("Empty: the embedded database (now {store})").format(store=service.store_label or "—")
        )

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save
            | QDialogButtonBox.StandardButton.Cancel
            | QDialogButtonBox.StandardButton.RestoreDefaults
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.defaults_button = self.buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.defaults_button.clicked.connect(self.restore_defaults)
        layout = QVBoxLayout(self)
        layout.addWidget(self.fields.general)
        layout.addWidget(engine_box)
        layout.addWidget(local_box)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 90)

    def _labels(self) -> dict[str, str]:
        return {
            "mailbox_workers": self.tr("&Mailboxes synchronized at once:"),
            "outgoing_workers": self.tr("Mails &sent at once:"),
            "operation_workers": self.tr("&Test && Enable and bulk jobs at once:"),
            "max_retries": self.tr("&Retries of a transient error:"),
            "backoff_seconds": self.tr("&Wait before a retry:"),
            "items_per_cycle": self.tr("&Items per mailbox per cycle:"),
            "attachment_limit_mb": self.tr("&Attachments kept up to:"),
            "smart_matching": self.tr("Smart &matching: correlate replies by subject and addresses too"),
            "act_safety_percent": self.tr("Hold a plan removing more than this share of the &links:"),
            "act_safety_min": self.tr("...and more than this many lin&ks:"),
            "act_calendar_days_back": self.tr("Exchange Online: appointments from this many days &back:"),
            "act_calendar_days_ahead": self.tr("...to this many days a&head:"),
            "lease_seconds": self.tr("Engines on PostgreSQL: l&ease period:"),
            "store": self.tr("Store l&ocation:"),
            "log_level": self.tr("Log le&vel:"),
            "language": self.tr("La&nguage:"),
            "start_minimized": self.tr("Start minimi&zed in the tray"),
        }

    def _editor(self, key: str, kind: Kind, minimum: int | None, maximum: int | None, unit: str) -> QWidget:
        if kind is Kind.BOOLEAN:
            return QCheckBox()
        if kind is Kind.INTEGER:
            spin = QSpinBox()
            assert minimum is not None and maximum is not None
            spin.setRange(minimum, maximum)
            spin.setGroupSeparatorShown(True)
            if unit == "s":
                spin.setSuffix(self.tr(" s"))
            elif unit == "MB":
                spin.setSuffix(self.tr(" MB"))
            elif unit == "%":
                spin.setSuffix(self.tr(" %"))
            elif unit == "days":
                spin.setSuffix(self.tr(" days"))
            return spin
        if kind is Kind.CHOICE:
            combo = QComboBox()
            if key == "log_level":
                for value, text in (
                    ("debug", self.tr("Debug")),
                    ("info", self.tr("Information")),
                    ("warning", self.tr("Warnings")),
                    ("error", self.tr("Errors only")),
                ):
                    combo.addItem(text, value)
            else:
                for value, text in (
                    ("system", self.tr("The system's language")),
                    ("en", "English"),
                    ("fr", "Français"),
                ):
                    combo.addItem(text, value)
            return combo
        return QLineEdit()

    # --- values --------------------------------------------------------------------------------

    def set_values(self, values: dict[str, object]) -> None:
        for key, value in values.items():
            editor = self.editors[key]
            if isinstance(editor, QCheckBox):
                editor.setChecked(bool(value))
            elif isinstance(editor, QSpinBox):
                editor.setValue(int(value))  # type: ignore[call-overload]
            elif isinstance(editor, QComboBox):
                editor.setCurrentIndex(max(editor.findData(value), 0))
            elif isinstance(editor, QLineEdit):
                editor.setText(str(value))

    def values(self) -> dict[str, object]:
        values: dict[str, object] = {}
        for key, editor in self.editors.items():
            if isinstance(editor, QCheckBox):
                values[key] = editor.isChecked()
            elif isinstance(editor, QSpinBox):
                values[key] = editor.value()
            elif isinstance(editor, QComboBox):
                values[key] = editor.currentData()
            elif isinstance(editor, QLineEdit):
                values[key] = editor.text()
        return values

    async def load(self) -> None:
        limits = await self._service.engine_limits()
        self.set_values({**as_values(limits), **as_values(self._service.local())})
        self.start_at_login.setChecked(self._service.starts_at_login())

    def restore_defaults(self) -> None:
        """The defaults in the form; nothing is written until Save."""
        self.set_values({**as_values(EngineLimits()), **as_values(LocalSettings())})
        self.fields.clear()

    @asyncSlot()
    async def save(self) -> None:
        await self.save_now()

    async def save_now(self) -> bool:
        async with self._presenter.guard(self.save_button, action=self.tr("save the settings")):
            try:
                await self._service.save(self.values(), start_at_login=self.start_at_login.isChecked())
            except ValidationError as exc:
                self.fields.show(exc.errors)
                self.resize(self.width(), max(self.height(), self.sizeHint().height()))  # room for the message
                return False
            self.accept()
            return True
        return False
