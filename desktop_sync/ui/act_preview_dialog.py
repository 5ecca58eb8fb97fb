"""Preview synchronization: what the next cycle of a mailbox's appointments, contacts and tasks would
do on each side, from the engine's dry run (which reads both sides and changes nothing)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_sync.domain.act import ConflictPolicy, StopReason
from desktop_sync.domain.model import RecordType
from desktop_sync.services.act import ActPreview, PlannedAction, PlannedKind, Side
from desktop_sync.ui.act_fields import field_label, type_label, value_text
from desktop_sync.ui.page import resize_within_screen, sentence_label, title_label

KIND_ROLE = Qt.ItemDataRole.UserRole


class ActPreviewDialog(QDialog):
    """The planned actions of one mailbox, grouped by record type; Confirm changes runs a plan the
    safety stop holds once (``confirm_requested`` with the mailbox's address)."""

    confirm_requested = Signal(str)

    def __init__(self, preview: ActPreview, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.preview = preview
        self.setWindowTitle(self.tr("Preview synchronization: {address}").format(address=preview.address))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.heading = title_label(self.tr("What the next synchronization would do"))
        self.summary = sentence_label(self.summary_text())
        self.tree = QTreeWidget()
        self.tree.setAccessibleName(self.tr("Planned actions"))
        self.tree.setColumnCount(4)
        self.tree.setHeaderLabels([self.tr("Action"), self.tr("Where"), self.tr("Record"), self.tr("Details")])
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        self.tree.header().setStretchLastSection(True)
        self.tree.header().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for record_type in (RecordType.APPOINTMENT, RecordType.CONTACT, RecordType.TASK):
            if record_type not in preview.actions:
                continue
            actions = preview.actions[record_type]
            group = QTreeWidgetItem(
                [
                    self.tr("{type}: %n action(s)", "", len(actions)).format(type=type_label(record_type))
                    if actions
                    else self.tr("{type}: nothing to do").format(type=type_label(record_type))
                ]
            )
            if record_type in preview.held:
                group.setText(
                    0,
                    self.tr("{group} — held by the safety stop: {why}").format(
                        group=group.text(0), why=self.stop_text(preview.held[record_type])
                    ),
                )
            group.setFirstColumnSpanned(True)
            font = group.font(0)
            font.setBold(True)
            group.setFont(0, font)
            self.tree.addTopLevelItem(group)
            group.setFirstColumnSpanned(True)
            for planned in actions:
                row = QTreeWidgetItem(
                    [
                        self.kind_text(planned),
                        self.side_text(planned.side),
                        self.record_text(planned),
                        self.details(planned),
                    ]
                )
                row.setData(0, KIND_ROLE, planned.kind.value)
                for column in range(4):
                    row.setToolTip(column, row.text(column))
                group.addChild(row)
        self.tree.expandAll()
        for column in range(3):
            self.tree.resizeColumnToContents(column)
        self.tree.setVisible(self.tree.topLevelItemCount() > 0)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        self.confirm_button = buttons.addButton(self.tr("Con&firm changes"), QDialogButtonBox.ButtonRole.ActionRole)
        self.confirm_button.setToolTip(self.tr("Run the held plan once, as listed here"))
        self.confirm_button.setVisible(bool(preview.held))
        self.confirm_button.clicked.connect(lambda: self.confirm_requested.emit(preview.address))
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.summary)
        layout.addWidget(self.tree, stretch=1)
        layout.addWidget(buttons)
        metrics = self.fontMetrics()
        resize_within_screen(self, metrics.averageCharWidth() * 120, metrics.lineSpacing() * 28)

    # --- texts ---------------------------------------------------------------------------------

    def summary_text(self) -> str:
        preview = self.preview
        nothing_changed = self.tr("This is a preview: nothing has been changed in the CRM or in Exchange.")
        if preview.skipped:
            return self.tr("Appointments, contacts and tasks of {address} would not be synchronized: {reason}.").format(
                address=preview.address, reason=self.reason_text(preview.skipped)
            ) + ("\n" + nothing_changed)
        if preview.held:
            return self.tr(
                "The safety stop holds changes of {address}: they would remove too much at once, so nothing "
                "of them is written until you confirm them (Confirm changes runs them once)."
            ).format(address=preview.address) + ("\n" + nothing_changed)
        if not preview.count():
            return self.tr("{address} is up to date: the next synchronization has nothing to do.").format(
                address=preview.address
            ) + ("\n" + nothing_changed)
        return self.tr("The next synchronization of {address} would take %n action(s).", "", preview.count()).format(
            address=preview.address
        ) + ("\n" + nothing_changed)

    def stop_text(self, reason: StopReason) -> str:
        return {
            StopReason.CRM_EMPTY: self.tr("the CRM has none of the user's records at all"),
            StopReason.EXCHANGE_EMPTY: self.tr("Exchange reports no item at all"),
            StopReason.CRM_MASS_REMOVAL: self.tr("too many links removed because of changes in the CRM"),
            StopReason.EXCHANGE_MASS_REMOVAL: self.tr("too many links removed because of changes in Exchange"),
        }[reason]

    def kind_text(self, planned: PlannedAction) -> str:
        return {
            PlannedKind.CREATE: self.tr("Create"),
            PlannedKind.UPDATE: self.tr("Update"),
            PlannedKind.DELETE: self.tr("Delete"),
            PlannedKind.COPY: self.tr("Create a copy"),
            PlannedKind.LINK: self.tr("Link again"),
            PlannedKind.UNLINK: self.tr("Unlink"),
            PlannedKind.CONFLICT: self.tr("Conflict"),
            PlannedKind.SKIP: self.tr("Skip"),
        }[planned.kind]

    def side_text(self, side: Side) -> str:
        return {
            Side.CRM: self.tr("CRM"),
            Side.EXCHANGE: self.tr("Exchange"),
            Side.BOTH: self.tr("CRM and Exchange"),
        }[side]

    def record_text(self, planned: PlannedAction) -> str:
        """The record by its title, as its owner knows it (its ids are for support, not for reading)."""
        if not planned.title and planned.local_id is None and planned.server_id:
            return self.tr("(an Exchange item without a title)")
        return planned.title or self.tr("(no title)")

    def details(self, planned: PlannedAction) -> str:
        if planned.kind is PlannedKind.CONFLICT:
            field = planned.fields[0] if planned.fields else ""
            kept = {
                ConflictPolicy.KEEP_CRM: self.tr("the CRM's value is kept"),
                ConflictPolicy.KEEP_EXCHANGE: self.tr("Exchange's value is kept"),
                ConflictPolicy.KEEP_BOTH: self.tr("both are kept (a copy)"),
            }.get(planned.kept or ConflictPolicy.KEEP_CRM, "")
            return self.tr("{field}: CRM {crm}, Exchange {exchange}; {kept}").format(
                field=field_label(field),
                crm=value_text(field, planned.crm_value),
                exchange=value_text(field, planned.exchange_value),
                kept=kept,
            )
        if planned.kind is PlannedKind.UPDATE:
            return self.tr("Fields: {fields}").format(fields=", ".join(field_label(f) for f in planned.fields))
        if planned.kind is PlannedKind.CREATE and planned.send_invitations:
            return self.tr("Invitations are sent to the attendees")
        if planned.kind is PlannedKind.COPY:
            return self.tr("A new CRM record with Exchange's values (keep both)")
        if planned.kind is PlannedKind.LINK:
            return self.tr("Created earlier but its link was lost: linked again, nothing created")
        if planned.reason:
            return self.reason_text(planned.reason)
        return ""

    def reason_text(self, reason: str) -> str:
        """The engine's reasons in the admin's language (an unknown one as the engine says it)."""
        known = {
            "appointments, contacts and tasks are not enabled": self.tr(
                "appointments, contacts and tasks are not enabled for this mailbox"
            ),
            "the mailbox is not approved": self.tr("the mailbox is not approved"),
            "only a user's mailbox has appointments, contacts and tasks": self.tr(
                "only a user's mailbox has appointments, contacts and tasks"
            ),
            "the mailbox no longer exists": self.tr("the mailbox no longer exists"),
            "deleted in Exchange; the CRM record is kept": self.tr("Deleted in Exchange; the CRM record is kept"),
            "left the sync filter; kept in Exchange": self.tr("Left the sync filter; kept in Exchange"),
            "no longer among the user's records (owner changed, or out of scope); kept in Exchange": self.tr(
                "No longer among the user's records (owner changed, or out of scope); kept in Exchange"
            ),
            "the tracking category was removed in Exchange; CRM record kept": self.tr(
                "The tracking category was removed in Exchange; the CRM record is kept"
            ),
            "deleted in the CRM; the meeting is left in Exchange (not organized by the user, or past)": self.tr(
                "Deleted in the CRM; the meeting is left in Exchange (not organized by the user, or past)"
            ),
            "an appointment without an organizer is not synchronized": self.tr(
                "An appointment without an organizer is not synchronized"
            ),
        }
        return known.get(reason, reason)
