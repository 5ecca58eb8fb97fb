"""The sync filter editor: a name, AND/OR, and rows of field–operator–value, with the fields and
operators the domain defines for the record type; each row is checked by the domain on save."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)
from qasync import asyncSlot

from desktop_sync.domain.errors import ValidationError
from desktop_sync.domain.model import RecordType
from desktop_sync.domain.sync_filters import (
    DAYS,
    FIELDS,
    NO_VALUE,
    FieldKind,
    Match,
    Operator,
    Rule,
    RuleGroup,
    SyncFilter,
    check_rule,
    operators_for,
)
from desktop_sync.services.sync_filters import SyncFilterService
from desktop_sync.ui.errors import ErrorPresenter
from desktop_sync.ui.form import FieldErrors, error_label
from desktop_sync.ui.page import resize_within_screen


class FilterTexts(QObject):
    """The translated names of record types, fields and operators (one place for the editor and the list)."""

    def record_types(self) -> dict[RecordType, str]:
        return {
            RecordType.APPOINTMENT: self.tr("Appointments"),
            RecordType.CONTACT: self.tr("Contacts"),
            RecordType.TASK: self.tr("Tasks"),
        }

    def field(self, name: str) -> str:
        return {
            "subject": self.tr("Subject"),
            "location": self.tr("Location"),
            "body": self.tr("Description"),
            "starts_at": self.tr("Start"),
            "ends_at": self.tr("End"),
            "all_day": self.tr("All day"),
            "organizer": self.tr("Organizer"),
            "attendees": self.tr("Attendees"),
            "owner": self.tr("Owner"),
            "regarding": self.tr("Regarding"),
            "full_name": self.tr("Full name"),
            "first_name": self.tr("First name"),
            "last_name": self.tr("Last name"),
            "email": self.tr("Email"),
            "company": self.tr("Company"),
            "phone": self.tr("Phone"),
            "modified_at": self.tr("Modified on"),
            "due_at": self.tr("Due"),
            "status": self.tr("Status"),
            "priority": self.tr("Priority"),
            "percent_complete": self.tr("Percent complete"),
        }.get(name, name)

    def operator(self, operator: Operator) -> str:
        return {
            Operator.EQUALS: self.tr("equals"),
            Operator.NOT_EQUALS: self.tr("does not equal"),
            Operator.CONTAINS: self.tr("contains"),
            Operator.NOT_CONTAINS: self.tr("does not contain"),
            Operator.STARTS_WITH: self.tr("begins with"),
            Operator.ENDS_WITH: self.tr("ends with"),
            Operator.GREATER: self.tr("is after / more than"),
            Operator.GREATER_OR_EQUAL: self.tr("is on or after / at least"),
            Operator.LESS: self.tr("is before / less than"),
            Operator.LESS_OR_EQUAL: self.tr("is on or before / at most"),
            Operator.IS_EMPTY: self.tr("is empty"),
            Operator.IS_NOT_EMPTY: self.tr("is not empty"),
            Operator.IN_LAST_DAYS: self.tr("in the last … days"),
            Operator.IN_NEXT_DAYS: self.tr("in the next … days"),
            Operator.IS_ME: self.tr("is the user"),
        }[operator]

    def describe(self, group: RuleGroup) -> str:
        joiner = self.tr(" AND ") if group.match is Match.ALL else self.tr(" OR ")
        parts = []
        for rule in group.rules:
            if isinstance(rule, RuleGroup):
                parts.append(f"({self.describe(rule)})")
            elif rule.value is None:
                parts.append(f"{self.field(rule.field)} {self.operator(rule.operator)}")
            else:
                parts.append(f"{self.field(rule.field)} {self.operator(rule.operator)} “{rule.value}”")
        return joiner.join(parts)


class RuleRow:
    """One field–operator–value row; its operators follow the chosen field."""

    def __init__(self, editor: FilterEditorDialog, rule: Rule | None) -> None:
        texts = editor.texts
        self.editor = editor
        self.record_type = editor.record_type
        self.field = QComboBox()
        self.field.setAccessibleName(QCoreApplication.translate("RuleRow", "Field"))
        for name in FIELDS[self.record_type]:
            self.field.addItem(texts.field(name), name)
        self.operator = QComboBox()
        self.operator.setAccessibleName(QCoreApplication.translate("RuleRow", "Operator"))
        self.value = QLineEdit()
        self.value.setAccessibleName(QCoreApplication.translate("RuleRow", "Value"))
        self.remove = QPushButton(QCoreApplication.translate("RuleRow", "Remove"))
        self.error = error_label()
        self.field.currentIndexChanged.connect(self._field_changed)
        self.operator.currentIndexChanged.connect(self._operator_changed)
        if rule is not None:
            self.field.setCurrentIndex(max(self.field.findData(rule.field), 0))
        self._field_changed()
        if rule is not None:
            self.operator.setCurrentIndex(max(self.operator.findData(rule.operator), 0))
            self.value.setText(rule.value or "")
        self._operator_changed()

    def widgets(self) -> list[QWidget]:
        return [self.field, self.operator, self.value, self.remove, self.error]

    def _field_changed(self, *_args: object) -> None:
        chosen = self.operator.currentData()
        self.operator.blockSignals(True)
        self.operator.clear()
        for operator in operators_for(self.record_type, self.field.currentData()):
            self.operator.addItem(self.editor.texts.operator(operator), operator)
        self.operator.setCurrentIndex(max(self.operator.findData(chosen), 0))
        self.operator.blockSignals(False)
        self._operator_changed()

    def _operator_changed(self, *_args: object) -> None:
        operator = self.operator.currentData()
        needs_value = operator not in NO_VALUE
        self.value.setEnabled(needs_value)
        if not needs_value:
            self.value.clear()
        kind = FIELDS[self.record_type][self.field.currentData()]
        if operator in DAYS:
            hint = QCoreApplication.translate("RuleRow", "number of days")
        elif kind is FieldKind.DATETIME:
            hint = QCoreApplication.translate("RuleRow", "date, e.g. 2026-01-31")
        elif kind is FieldKind.BOOLEAN:
            hint = QCoreApplication.translate("RuleRow", "true or false")
        elif kind is FieldKind.NUMBER:
            hint = QCoreApplication.translate("RuleRow", "number")
        else:
            hint = QCoreApplication.translate("RuleRow", "text") if needs_value else ""
        self.value.setPlaceholderText(hint)

    def rule(self) -> Rule:
        value = self.value.text().strip()
        return Rule(self.field.currentData(), self.operator.currentData(), value or None)

    def show_error(self, message: str) -> None:
        self.error.setText(message[:1].upper() + message[1:])
        self.error.setVisible(bool(message))


class FilterEditorDialog(QDialog):
    """New or edit one sync filter of a user; saved through the sync filter service."""

    saved = Signal(object)  # the FilterView

    def __init__(
        self,
        service: SyncFilterService,
        presenter: ErrorPresenter,
        user_email: str,
        record_type: RecordType,
        existing: SyncFilter | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._service = service
        self._presenter = presenter
        self.user_email = user_email
        self.record_type = record_type
        self.existing = existing
        self.texts = FilterTexts(self)
        kind = self.texts.record_types()[record_type]
        self.setWindowTitle(
            self.tr("Edit filter — {kind}").format(kind=kind)
            if existing
            else self.tr("New filter — {kind}").format(kind=kind)
        )
        self.fields = FieldErrors()
        self.name = QLineEdit(existing.name if existing else "")
        self.name.setPlaceholderText(self.tr("e.g. My open tasks"))
        self.match = QComboBox()
        self.match.addItem(self.tr("all of the rules (AND)"), Match.ALL)
        self.match.addItem(self.tr("any of the rules (OR)"), Match.ANY)
        if existing is not None:
            self.match.setCurrentIndex(self.match.findData(existing.group.match))
        form = QFormLayout()
        form.addRow(self.tr("&Name:"), self.fields.wrap("name", self.name))
        form.addRow(self.tr("&Synchronize records matching:"), self.match)

        self.rows: list[RuleRow] = []
        self._nested: tuple[RuleGroup, ...] = ()
        self.grid = QGridLayout()
        self.grid.setColumnStretch(2, 1)
        holder = QWidget()
        outer = QVBoxLayout(holder)
        outer.addLayout(self.grid)
        outer.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(holder)
        self.add_button = QPushButton(self.tr("&Add a rule"))
        self.add_button.clicked.connect(lambda: self.add_row(None))
        self.rules_error = self.fields.wrap("rule", QLabel(self.tr("Rules:")))
        self.nested_label = QLabel()
        self.nested_label.setWordWrap(True)
        self.nested_label.setVisible(False)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        add_row = QHBoxLayout()
        add_row.addWidget(self.add_button)
        add_row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.fields.general)
        layout.addLayout(form)
        layout.addWidget(self.rules_error)
        layout.addWidget(scroll, stretch=1)
        layout.addLayout(add_row)
        layout.addWidget(self.nested_label)
        layout.addWidget(self.buttons)

        if existing is not None:
            for node in existing.group.rules:
                if isinstance(node, Rule):
                    self.add_row(node)
            self._nested = tuple(r for r in existing.group.rules if isinstance(r, RuleGroup))
            if self._nested:
                self.nested_label.setText(
                    self.tr(
                        "This filter also has %n nested group(s) of rules, kept as they are:", "", len(self._nested)
                    )
                    + " "
                    + "; ".join(self.texts.describe(g) for g in self._nested)
                )
                self.nested_label.setVisible(True)
        if not self.rows and not self._nested:
            self.add_row(None)
        metrics = self.fontMetrics()
        resize_within_screen(self, metrics.averageCharWidth() * 110, metrics.lineSpacing() * 22)

    def add_row(self, rule: Rule | None) -> RuleRow:
        row = RuleRow(self, rule)
        index = len(self.rows)
        self.rows.append(row)
        self.grid.addWidget(row.field, 2 * index, 0)
        self.grid.addWidget(row.operator, 2 * index, 1)
        self.grid.addWidget(row.value, 2 * index, 2)
        self.grid.addWidget(row.remove, 2 * index, 3)
        self.grid.addWidget(row.error, 2 * index + 1, 0, 1, 4)
        row.remove.clicked.connect(lambda: self.remove_row(row))
        row.field.setFocus()
        return row

    def remove_row(self, row: RuleRow) -> None:
        self.rows.remove(row)
        for widget in row.widgets():
            self.grid.removeWidget(widget)
            widget.deleteLater()
        # re-lay the rows that stay so that no gap is left
        for index, kept in enumerate(self.rows):
            for column, widget in enumerate([kept.field, kept.operator, kept.value, kept.remove]):
                self.grid.addWidget(widget, 2 * index, column)
            self.grid.addWidget(kept.error, 2 * index + 1, 0, 1, 4)

    def rules(self) -> list[Rule]:
        return [row.rule() for row in self.rows]

    def check_rows(self) -> bool:
        """Each row checked by the domain, its error under it; True when all are fine."""
        fine = True
        for row in self.rows:
            try:
                check_rule(self.record_type, row.rule())
            except ValidationError as exc:
                row.show_error(next(iter(exc.errors.values())))
                fine = False
            else:
                row.show_error("")
        return fine

    @asyncSlot()
    async def save(self) -> None:
        self.fields.clear()
        if not self.check_rows():
            return
        rules: list[Rule | RuleGroup] = [*self.rules(), *self._nested]
        if not rules:
            self.fields.show({"rule": self.tr("A filter needs at least one rule.")})
            return
        async with self._presenter.guard(self.save_button, action=self.tr("save the filter")):
            try:
                if self.existing is None or self.existing.id is None:
                    view = await self._service.add(
                        self.user_email, self.record_type, self.name.text(), self.match.currentData(), rules
                    )
                else:
                    view = await self._service.update(
                        self.existing.id, name=self.name.text(), match=self.match.currentData(), rules=rules
                    )
            except ValidationError as exc:
                self.fields.show(exc.errors)
                return
            self.saved.emit(view)
            self.accept()
