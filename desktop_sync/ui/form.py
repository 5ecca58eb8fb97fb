"""Errors shown on the field they concern: services answer ``{field: message}``, forms show each
message under its widget and keep what the admin typed."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QDialog, QLabel, QVBoxLayout, QWidget

from desktop_sync.ui.explanations import localize_field_error

ERROR_COLOUR = QColor("#b3261e")


def error_label() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    palette = label.palette()
    palette.setColor(QPalette.ColorRole.WindowText, ERROR_COLOUR)
    label.setPalette(palette)
    label.setVisible(False)
    return label


class FieldErrors:
    """Field name -> (widget, error label); errors for fields no widget shows go to ``general``."""

    def __init__(self, general: QLabel | None = None) -> None:
        self.general = general or error_label()
        self._fields: dict[str, tuple[QWidget, QLabel]] = {}
        self._errors: dict[str, str] = {}

    def wrap(self, field: str, widget: QWidget, *more_fields: str) -> QWidget:
        """A container with ``widget`` and, under it, the error label of ``field`` (and of ``more_fields``)."""
        container = QWidget()
        layout = QVBoxLayout(container)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(widget)
        label = error_label()
        layout.addWidget(label)
        for name in (field, *more_fields):
            self._fields[name] = (widget, label)
        return container

    def show(self, errors: Mapping[str, str]) -> None:
        """Show ``errors``; fields not named are cleared. The first widget in error takes the focus."""
        self.clear()
        self._errors = dict(errors)
        by_label: dict[int, tuple[QLabel, QWidget, list[str]]] = {}
        general: list[str] = []
        for field, message in errors.items():
            known = self._fields.get(field)
            if known is None:
                general.append(f"{field}: {message}")
                continue
            widget, label = known
            by_label.setdefault(id(label), (label, widget, []))[2].append(message)
        first: QWidget | None = None
        for label, widget, messages in by_label.values():
            label.setText("\n".join(_sentence(localize_field_error(m)) for m in messages))
            label.setVisible(True)
            widget.setAccessibleDescription(label.text())
            if first is None:
                first = widget
        if general:
            self.general.setText("\n".join(_sentence(localize_field_error(m)) for m in general))
            self.general.setVisible(True)
        if first is not None:
            first.setFocus()
            make_room(first.window())

    def clear(self) -> None:
        self._errors = {}
        for widget, label in self._fields.values():
            label.clear()
            label.setVisible(False)
            widget.setAccessibleDescription("")
        self.general.clear()
        self.general.setVisible(False)

    def errors(self) -> dict[str, str]:
        return dict(self._errors)

    def message(self, field: str) -> str:
        """The text shown under ``field``'s widget ("" when none)."""
        known = self._fields.get(field)
        if known is None:
            return ""
        _, label = known
        return label.text() if not label.isHidden() else ""

    def has_errors(self) -> bool:
        return bool(self._errors)


def make_room(window: QWidget) -> None:
    """Grow a dialog so that the errors just shown, wrapped, neither overlap the next field nor
    get cut (a window does not grow by itself for a label's height-for-width)."""
    layout = window.layout()
    if not isinstance(window, QDialog) or layout is None:
        return
    layout.activate()
    width = max(window.width(), layout.minimumSize().width())
    height = layout.totalHeightForWidth(width) if layout.hasHeightForWidth() else layout.sizeHint().height()
    if height > window.height() or width > window.width():
        window.resize(width, max(height, window.height()))


def _sentence(message: str) -> str:
    message = message.strip()
    if not message:
        return message
    message = message[0].upper() + message[1:]
    return message if message.endswith((".", "?", "!")) else message + "."
