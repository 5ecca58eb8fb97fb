"""Activities: the tracked and sent email, newest first, with why each was tracked, who took part,
its attachments and its body — HTML sanitized and shown with no remote content ever loaded."""

from __future__ import annotations

import asyncio
import html
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QKeySequence, QShowEvent, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)
from qasync import asyncSlot

from desktop_sync.domain.errors import DesktopSyncError
from desktop_sync.domain.model import ActivityParty, Direction, EmailActivity, PartyRole, RecordType
from desktop_sync.ui.context import UiContext
from desktop_sync.ui.errors import ErrorPresenter
from desktop_sync.ui.formatting import format_number, format_when
from desktop_sync.ui.page import EmptyState, fit_columns, narrow_combo, sentence_label, table_view, title_label

ID_ROLE = Qt.ItemDataRole.UserRole + 1
REFRESH_DELAY_MS = 1000
SEARCH_DELAY_MS = 300
LIST_LIMIT = 500

# --- sanitizing ---------------------------------------------------------------------------------

_KEPT_TAGS = {
    "a", "abbr", "b", "big", "blockquote", "br", "center", "cite", "code", "dd", "div", "dl", "dt", "em",
    "font", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "li", "ol", "p", "pre", "q", "s", "small",
    "span", "strike", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "tt",
    "u", "ul",
}  # fmt: skip
# Dropped with everything inside them: code, styles (CSS can load images), embedded documents, forms.
_DROPPED_WITH_CONTENT = {
    "applet", "audio", "canvas", "embed", "form", "frame", "frameset", "head", "iframe", "link", "math",
    "meta", "noscript", "object", "script", "select", "style", "svg", "template", "textarea", "title", "video",
}  # fmt: skip
_VOID = {"br", "hr"}
_KEPT_ATTRIBUTES = {"a": {"href"}, "td": {"colspan", "rowspan", "align"}, "th": {"colspan", "rowspan", "align"}}
_LINK_SCHEMES = ("http:", "https:", "mailto:")


class _Sanitizer(HTMLParser):
    def __init__(self, image_text: str, unnamed_image_text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self._dropping = 0
        self._image_text = image_text
        self._unnamed_image_text = unnamed_image_text

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROPPED_WITH_CONTENT:
            self._dropping += 1
            return
        if self._dropping:
            return
        if tag == "img":
            # never fetched: a remote image tells the sender the mail was read
            alt = next((value.strip() for name, value in attrs if name == "alt" and value and value.strip()), "")
            self.out.append(html.escape(self._image_text.format(alt=alt) if alt else self._unnamed_image_text))
            return
        if tag not in _KEPT_TAGS:
            return
        kept = []
        for name, value in attrs:
            if name not in _KEPT_ATTRIBUTES.get(tag, set()) or value is None:
                continue
            if name == "href" and not value.strip().lower().startswith(_LINK_SCHEMES):
                continue
            kept.append(f' {name}="{html.escape(value, quote=True)}"')
        self.out.append(f"<{tag}{''.join(kept)}>")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROPPED_WITH_CONTENT:
            return
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROPPED_WITH_CONTENT:
            self._dropping = max(self._dropping - 1, 0)
            return
        if not self._dropping and tag in _KEPT_TAGS and tag not in _VOID:
            self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        if not self._dropping:
            self.out.append(html.escape(data, quote=False))


def sanitize_html(text: str, image_text: str = "[image {alt}]", unnamed_image_text: str = "[image]") -> str:
    """``text`` with only formatting kept: no scripts, styles, images, frames, forms or event handlers.

    Each image becomes ``image_text`` (its alt text in it), or ``unnamed_image_text`` without one."""
    parser = _Sanitizer(image_text, unnamed_image_text)
    parser.feed(text)
    parser.close()
    return "".join(parser.out)


class SafeBrowser(QTextBrowser):
    """Shows a mail body and loads nothing: every resource the document asks for is refused (and noted)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.refused: list[str] = []

    def loadResource(self, kind: int, name: QUrl) -> Any:
        self.refused.append(name.toString())
        return None


# --- the view -----------------------------------------------------------------------------------


class ActivitiesPage(QWidget):
    message = Signal(str)

    def __init__(self, context: UiContext | None, errors: ErrorPresenter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self._presenter = errors
        self.current: EmailActivity | None = None
        self._loading = False
        self._load_again = False

        self.title_label = title_label(self.tr("Activities"))
        self.description_label = sentence_label(
            self.tr("Email tracked into the CRM and sent from it, newest first, with why each one was tracked.")
        )
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Search subject or address (Ctrl+F)"))
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName(self.tr("Search activities"))
        self.mailbox_filter = narrow_combo(QComboBox(), characters=16)
        self.mailbox_filter.setAccessibleName(self.tr("Show activities of mailbox"))
        self.mailbox_filter.addItem(self.tr("All mailboxes"), None)
        self.direction_filter = narrow_combo(QComboBox(), characters=20)
        self.direction_filter.setAccessibleName(self.tr("Show activities of direction"))
        self.direction_filter.addItem(self.tr("Incoming and outgoing"), None)
        self.direction_filter.addItem(self.tr("Incoming"), Direction.INCOMING)
        self.direction_filter.addItem(self.tr("Outgoing"), Direction.OUTGOING)
        search_action = QAction(self)
        search_action.setShortcut(QKeySequence.StandardKey.Find)
        search_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        search_action.triggered.connect(lambda: (self.search.setFocus(), self.search.selectAll()))
        self.addAction(search_action)

        self.model = QStandardItemModel(0, 6, self)
        self.model.setHorizontalHeaderLabels(
            [
                self.tr("Date"),
                self.tr("Direction"),
                self.tr("Subject"),
                self.tr("From"),
                self.tr("Mailbox"),
                self.tr("Why tracked"),
            ]
        )
        self.table = table_view(self.tr("Activities"))
        self.table.setModel(self.model)
        self.table.setSortingEnabled(False)  # newest first, as the store gives them
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setStretchLastSection(False)
        self.empty = EmptyState(self.table, self.tr("No tracked email yet."))

        self.details = self._build_details()
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(self.details)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        self.splitter = splitter

        filters = QHBoxLayout()
        filters.addWidget(self.search, stretch=1)
        filters.addWidget(self.mailbox_filter)
        filters.addWidget(self.direction_filter)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title_label)
        layout.addWidget(self.description_label)
        layout.addLayout(filters)
        layout.addWidget(splitter, stretch=1)

        self._stale = False
        self._reload = QTimer(self)
        self._reload.setSingleShot(True)
        self._reload.setInterval(REFRESH_DELAY_MS)
        self._reload.timeout.connect(self._reload_now)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._reload_now)
        self.search.textChanged.connect(self._search_timer.start)
        self.mailbox_filter.currentIndexChanged.connect(self._reload_now)
        self.direction_filter.currentIndexChanged.connect(self._reload_now)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        if context is not None:
            # the engine committed mail: reload once things settle, not on every batch, and only when
            # the page is seen (a hidden page reloads when it is shown again)
            context.bridge.items_synced.connect(self._items_synced)
        self.show_activity(None)

    def _build_details(self) -> QWidget:
        self.subject_label = self._value_label()
        font = self.subject_label.font()
        font.setBold(True)
        self.subject_label.setFont(font)
        self.date_label = self._value_label()
        self.mailbox_label = self._value_label()
        self.why_label = self._value_label()
        self.regarding_label = self._value_label()
        self.parties_label = self._value_label()
        form = QFormLayout()
        form.addRow(self.tr("Subject:"), self.subject_label)
        form.addRow(self.tr("Date:"), self.date_label)
        form.addRow(self.tr("Mailbox:"), self.mailbox_label)
        form.addRow(self.tr("Why tracked:"), self.why_label)
        form.addRow(self.tr("Regarding:"), self.regarding_label)
        form.addRow(self.tr("Parties:"), self.parties_label)

        self.attachments = QTableWidget(0, 3)
        self.attachments.setHorizontalHeaderLabels([self.tr("Attachment"), self.tr("Size"), self.tr("Note")])
        self.attachments.setAccessibleName(self.tr("Attachments"))
        self.attachments.verticalHeader().setVisible(False)
        self.attachments.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.attachments.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.attachments.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.attachments.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.attachments.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.attachments.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.attachments.setWordWrap(False)
        self.attachments.setMaximumHeight(self.fontMetrics().lineSpacing() * 6)
        self.save_button = QPushButton(self.tr("&Save attachment…"))
        self.save_button.clicked.connect(self.save_selected_attachment)
        self.attachments.itemSelectionChanged.connect(self._update_save)
        self.attachments.itemActivated.connect(lambda _item: self.save_selected_attachment())
        attachment_row = QHBoxLayout()
        attachment_row.addWidget(self.attachments, stretch=1)
        attachment_row.addWidget(self.save_button, alignment=Qt.AlignmentFlag.AlignTop)

        self.body = SafeBrowser()
        self.body.setAccessibleName(self.tr("Message body"))
        self.remote_note = QLabel(self.tr("Images and other remote content are not loaded."))
        self.remote_note.setWordWrap(True)

        holder = QWidget()
        layout = QVBoxLayout(holder)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addLayout(attachment_row)
        layout.addWidget(self.remote_note)
        layout.addWidget(self.body, stretch=1)
        return holder

    @staticmethod
    def _value_label() -> QLabel:
        label = QLabel()
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        label.setTextFormat(Qt.TextFormat.PlainText)
        return label

    # --- texts ---------------------------------------------------------------------------------

    def record_text(self, record_type: RecordType) -> str:
        return {
            RecordType.USER: self.tr("user"),
            RecordType.QUEUE: self.tr("queue"),
            RecordType.CONTACT: self.tr("contact"),
            RecordType.ACCOUNT: self.tr("account"),
            RecordType.LEAD: self.tr("lead"),
            RecordType.APPOINTMENT: self.tr("appointment"),
            RecordType.TASK: self.tr("task"),
            RecordType.EMAIL: self.tr("email"),
        }[record_type]

    def reason_text(self, reason: str | None) -> str:
        if not reason:
            return "—"
        known = {
            "all mail of a queue mailbox": self.tr("all mail of a queue mailbox"),
            "the user tracks all mail": self.tr("the user tracks all mail"),
            "a reply to tracked mail": self.tr("a reply to tracked mail"),
            "from a known contact, account or lead": self.tr("from a known contact, account or lead"),
            "a reply": self.tr("a reply"),
        }
        if reason in known:
            return known[reason]
        prefix = "in the tracked folder "
        if reason.startswith(prefix):
            return self.tr("in the tracked folder {folder}").format(folder=reason[len(prefix) :])
        return reason

    def method_text(self, method: str | None) -> str:
        return {
            "in_reply_to": self.tr("by In-Reply-To"),
            "tracking_token": self.tr("by the tracking token in the subject"),
            "references": self.tr("by References"),
            "smart_matching": self.tr("by smart matching"),
        }.get(method or "", method or "")

    def _party_text(self, party: ActivityParty) -> str:
        role = {
            PartyRole.FROM: self.tr("From"),
            PartyRole.TO: self.tr("To"),
            PartyRole.CC: self.tr("Cc"),
            PartyRole.BCC: self.tr("Bcc"),
        }[party.role]
        who = f"{party.display_name} <{party.address}>" if party.display_name else party.address
        # the person is named before: the record's kind says what the CRM knows them as, without its id
        record = self.tr("not in the CRM") if party.record_type is None else self.record_text(party.record_type)
        return f"{role}: {who} — {record}"

    def size_text(self, size: int) -> str:
        if size < 1024:
            return self.tr("{size} B").format(size=size)
        if size < 1024 * 1024:
            return self.tr("{size} KB").format(size=format_number(size / 1024, 0))
        return self.tr("{size} MB").format(size=format_number(size / (1024 * 1024), 1))

    # --- loading -------------------------------------------------------------------------------

    async def refresh(self) -> None:
        if self._context is None or self._context.activities is None:
            return
        if self._loading:
            self._load_again = True
            return
        self._loading = True
        try:
            while True:
                self._load_again = False
                await self._load()
                if not self._load_again:
                    break
        finally:
            self._loading = False

    async def _load(self) -> None:
        assert self._context is not None and self._context.activities is not None
        mailboxes = await self._context.mailboxes.list()
        self._fill_mailboxes(sorted(v.mailbox.address for v in mailboxes))
        activities = await self._context.activities.activities(
            direction=self.direction_filter.currentData(),
            mailbox=self.mailbox_filter.currentData(),
            search=self.search.text().strip() or None,
            limit=LIST_LIMIT,
        )
        selected = self.current.id if self.current is not None else None
        self.model.removeRows(0, self.model.rowCount())
        for activity in activities:
            sender = next((p for p in activity.parties if p.role is PartyRole.FROM), None)
            when = activity.received_at or activity.sent_at or activity.created_at
            texts = [
                format_when(when),
                self.tr("Incoming") if activity.direction is Direction.INCOMING else self.tr("Outgoing"),
                activity.subject or self.tr("(no subject)"),
                (sender.display_name or sender.address) if sender else "—",
                activity.mailbox or "—",
                self.reason_text(activity.tracked_reason),
            ]
            items = [QStandardItem(text) for text in texts]
            for item in items:
                item.setEditable(False)
                item.setData(int(activity.id), ID_ROLE)
            if sender is not None:
                items[3].setToolTip(sender.address)
            self.model.appendRow(items)
        filtered = bool(self.search.text().strip()) or self.mailbox_filter.currentIndex() > 0
        filtered = filtered or self.direction_filter.currentIndex() > 0
        self.empty.set_text(
            self.tr("No activity matches the search and filters.") if filtered else self.tr("No tracked email yet.")
        )
        self.empty.update()
        if not self.table.property("sized") and self.model.rowCount() and self.table.isVisible():
            fit_columns(self.table)
            # the sender matters as much as the subject: never just its first letters
            sender = self.table.fontMetrics().averageCharWidth() * 24
            self.table.setColumnWidth(3, max(self.table.columnWidth(3), sender))
            self.table.setProperty("sized", True)
        row = self.row_of(selected) if selected is not None else None
        if row is not None:
            self.table.selectRow(row)
        elif selected is not None:
            self.show_activity(None)

    def _fill_mailboxes(self, addresses: list[str]) -> None:
        current = self.mailbox_filter.currentData()
        known = [self.mailbox_filter.itemData(i) for i in range(1, self.mailbox_filter.count())]
        if known == addresses:
            return
        self.mailbox_filter.blockSignals(True)
        try:
            while self.mailbox_filter.count() > 1:
                self.mailbox_filter.removeItem(1)
            for address in addresses:
                self.mailbox_filter.addItem(address, address)
            self.mailbox_filter.setCurrentIndex(max(self.mailbox_filter.findData(current), 0))
        finally:
            self.mailbox_filter.blockSignals(False)

    def row_of(self, activity_id: int) -> int | None:
        for row in range(self.model.rowCount()):
            if self.model.item(row, 0).data(ID_ROLE) == activity_id:
                return row
        return None

    def select_activity(self, activity_id: int) -> None:
        row = self.row_of(activity_id)
        if row is not None:
            self.table.selectRow(row)

    def _items_synced(self, _event: object) -> None:
        if self.isVisible():
            self._reload.start()
        else:
            self._stale = True

    def showEvent(self, event: QShowEvent) -> None:
        if self._stale:
            self._stale = False
            self._reload.start()
        super().showEvent(event)

    @asyncSlot()
    async def _reload_now(self) -> None:
        async with self._presenter.guard(action=self.tr("refresh the activities")):
            await self.refresh()

    @asyncSlot()
    async def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._context is None or self._context.activities is None or not current.isValid():
            return
        activity_id = current.siblingAtColumn(0).data(ID_ROLE)
        if self.current is not None and self.current.id == activity_id:
            return
        async with self._presenter.guard(action=self.tr("show the activity")):
            activity = await self._context.activities.activity(int(activity_id))
            self.show_activity(activity)

    # --- details -------------------------------------------------------------------------------

    def show_activity(self, activity: EmailActivity | None) -> None:
        self.current = activity
        self.details.setEnabled(activity is not None)
        self.attachments.setRowCount(0)
        if activity is None:
            for label in (
                self.subject_label,
                self.date_label,
                self.mailbox_label,
                self.why_label,
                self.regarding_label,
                self.parties_label,
            ):
                label.clear()
            self.subject_label.setText(self.tr("Select an activity to see its details."))
            self.body.clear()
            self._update_save()
            return
        self.subject_label.setText(activity.subject or self.tr("(no subject)"))
        received = activity.received_at or activity.sent_at or activity.created_at
        self.date_label.setText(format_when(received))
        self.mailbox_label.setText(activity.mailbox or "—")
        why = [self.reason_text(activity.tracked_reason)]
        if activity.correlation_method or activity.correlated_activity_id:
            if activity.correlated_subject is not None:
                why.append(
                    self.tr("correlated with “{subject}” {method}").format(
                        subject=activity.correlated_subject or self.tr("(no subject)"),
                        method=self.method_text(activity.correlation_method),
                    )
                )
            else:
                why.append(
                    self.tr("correlated with an earlier email {method}").format(
                        method=self.method_text(activity.correlation_method)
                    )
                )
        if activity.mailbox:
            why.append(self.tr("accepted by the mailbox {address}").format(address=activity.mailbox))
        self.why_label.setText("\n".join(w.strip() for w in why))
        if activity.regarding is None:
            self.regarding_label.setText("—")
        else:
            kind = self.record_text(activity.regarding[0])
            name = activity.regarding_name or self.tr("a record that no longer exists")
            self.regarding_label.setText(self.tr("{name} ({kind})").format(kind=kind, name=name))
        self.parties_label.setText("\n".join(self._party_text(p) for p in activity.parties) or "—")
        for position, attachment in enumerate(activity.attachments):
            self.attachments.insertRow(position)
            name = QTableWidgetItem(attachment.filename)
            name.setToolTip(attachment.content_type)
            self.attachments.setItem(position, 0, name)
            self.attachments.setItem(position, 1, QTableWidgetItem(self.size_text(attachment.size)))
            note = "" if attachment.stored else self.tr("over the size limit: not stored")
            self.attachments.setItem(position, 2, QTableWidgetItem(note))
        if activity.body_html:
            self.body.setHtml(sanitize_html(activity.body_html, self.tr("[image {alt}]"), self.tr("[image]")))
        else:
            self.body.setPlainText(activity.body_text or "")
        self._update_save()

    def _update_save(self) -> None:
        row = self.attachments.currentRow()
        stored = (
            self.current is not None
            and 0 <= row < len(self.current.attachments)
            and self.current.attachments[row].stored
            and bool(self.attachments.selectedItems())
        )
        self.save_button.setEnabled(stored)

    def choose_save_path(self, suggested: str) -> str:
        path, _filter = QFileDialog.getSaveFileName(self, self.tr("Save attachment"), suggested)
        return path

    @asyncSlot()
    async def save_selected_attachment(self) -> None:
        await self.save_attachment(self.attachments.currentRow())

    async def save_attachment(self, position: int, path: str | None = None) -> str | None:
        """Write the attachment at ``position`` to ``path`` (asked for when None); returns where it went."""
        if self._context is None or self._context.activities is None or self.current is None:
            return None
        if not 0 <= position < len(self.current.attachments):
            return None
        attachment = self.current.attachments[position]
        activity_id = int(self.current.id)
        target = path or self.choose_save_path(str(Path.home() / attachment.filename))
        if not target:
            return None
        async with self._presenter.guard(self.save_button, action=self.tr("save the attachment")):
            content = await self._context.activities.attachment_content(activity_id, position)
            try:
                await asyncio.to_thread(Path(target).write_bytes, content)  # up to 150 MB: not on the GUI thread
            except OSError as exc:
                raise DesktopSyncError(f"cannot write {target}: {exc.strerror or exc}", code="file_unwritable") from exc
            self.message.emit(self.tr("Saved {name} to {path}.").format(name=attachment.filename, path=target))
            return target
        return None
