"""The main window: a navigation list of the administration views and the view it selects.

Every view is an honest empty state for now (what it will show, and that nothing is there yet);
a first-run page guides an administrator whose store has no server profile yet.
"""

from __future__ import annotations

from enum import IntEnum

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QFont, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCommandLinkButton,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_sync import __version__
from desktop_sync.ui import icons

# Navigation entries carry the View they open; the first-run entry carries this instead.
_FIRST_RUN_KEY = -1


class View(IntEnum):
    """The administration views, in navigation order; Ctrl+1 opens the first."""

    MAILBOXES = 0
    SERVER_PROFILES = 1
    USERS_AND_QUEUES = 2
    ACTIVITIES = 3
    ALERTS = 4
    FAILED_ITEMS = 5
    DASHBOARD = 6


def _title_label(text: str) -> QLabel:
    label = QLabel(text)
    font = QFont(label.font())
    font.setPointSizeF(font.pointSizeF() * 1.5)
    font.setBold(True)
    label.setFont(font)
    label.setAccessibleName(text)
    return label


def _use_placeholder_colour(label: QLabel) -> None:
    """Muted like a line edit's placeholder text, which styles keep readable (a disabled label is not)."""
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)


def _sentence_label(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class EmptyTablePage(QWidget):
    """A title, one sentence on what the view lists, and the table with its columns, empty for now."""

    def __init__(
        self,
        *,
        title: str,
        description: str,
        headers: list[str],
        empty_text: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.title_label = _title_label(title)
        self.description_label = _sentence_label(description)

        self.table = QTableWidget(0, len(headers))
        self.table.setHorizontalHeaderLabels(headers)
        self.table.setAccessibleName(title)
        self.table.verticalHeader().setVisible(False)
        # Columns share the width while the table is empty; views with rows may size them to content.
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)

        # The empty-state text sits inside the table, under its headers, where rows will appear.
        self.empty_label = QLabel(empty_text)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        _use_placeholder_colour(self.empty_label)
        overlay = QVBoxLayout(self.table.viewport())
        overlay.addWidget(self.empty_label)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title_label)
        layout.addWidget(self.description_label)
        layout.addWidget(self.table, stretch=1)


class DashboardPage(QWidget):
    """Performance counters; they stay blank until the sync engine runs and reports them."""

    def __init__(
        self, *, title: str, description: str, counters: list[str], note: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.title_label = _title_label(title)
        self.description_label = _sentence_label(description)
        self.note_label = _sentence_label(note)

        grid = QGridLayout()
        self.value_labels: list[QLabel] = []
        columns = 3
        for index, caption in enumerate(counters):
            card = QFrame()
            card.setFrameShape(QFrame.Shape.StyledPanel)
            card_layout = QVBoxLayout(card)
            value = QLabel("—")
            value_font = QFont(value.font())
            value_font.setPointSizeF(value_font.pointSizeF() * 2)
            value.setFont(value_font)
            value.setAlignment(Qt.AlignmentFlag.AlignCenter)
            value.setAccessibleName(caption)
            caption_label = QLabel(caption)
            caption_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            caption_label.setWordWrap(True)
            card_layout.addWidget(value)
            card_layout.addWidget(caption_label)
            grid.addWidget(card, index // columns, index % columns)
            self.value_labels.append(value)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title_label)
        layout.addWidget(self.description_label)
        layout.addLayout(grid)
        layout.addWidget(self.note_label)
        layout.addStretch(1)


class FirstRunPage(QWidget):
    """Shown while the store has no server profile: the two steps to a first synchronized mailbox."""

    def __init__(self, *, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title_label = _title_label(self.tr("Welcome to Desktop Sync"))
        self.intro_label = _sentence_label(
            self.tr(
                "Desktop Sync keeps your CRM in step with your mail servers: mail, contacts, tasks and "
                "appointments reach the CRM without any add-in on your users' computers. "
                "Two steps get a first mailbox synchronizing:"
            )
        )
        self.create_profile_button = QCommandLinkButton(
            self.tr("1. Create a server profile"),
            self.tr("The connection settings of one mail system: Exchange, IMAP and SMTP, or POP3 and SMTP."),
        )
        self.add_mailbox_button = QCommandLinkButton(
            self.tr("2. Add a mailbox"),
            # The description shows mnemonics, so "&&" draws a single "&".
            self.tr("A user's or a queue's mailbox on that server; approve it, then Test && Enable it."),
        )

        column = QVBoxLayout()
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.title_label)
        column.addWidget(self.intro_label)
        column.addSpacing(self.fontMetrics().height())
        column.addWidget(self.create_profile_button)
        column.addWidget(self.add_mailbox_button)
        column.addStretch(1)

        # A readable measure on wide windows: the column does not stretch past ~70 characters.
        holder = QWidget()
        holder.setLayout(column)
        holder.setMaximumWidth(self.fontMetrics().averageCharWidth() * 72)
        outer = QHBoxLayout(self)
        outer.addWidget(holder, stretch=1)
        outer.addStretch(0)


class MainWindow(QMainWindow):
    """The administration window. Services and engine events are wired in later by the composition root."""

    quit_requested = Signal()
    view_changed = Signal(object)  # View, or None for the first-run page

    def __init__(self, *, database_label: str, has_profiles: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Desktop Sync"))
        self.setWindowIcon(icons.app_icon())

        self.navigation = QListWidget()
        self.navigation.setAccessibleName(self.tr("Views"))
        self.navigation.setSpacing(self.fontMetrics().height() // 5)
        self.navigation.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.stack = QStackedWidget()
        self._pages: dict[View, QWidget] = {}
        for view, name, page in self._build_pages():
            item = QListWidgetItem(name)
            item.setData(Qt.ItemDataRole.UserRole, int(view))
            item.setToolTip(QKeySequence(f"Ctrl+{view.value + 1}").toString(QKeySequence.SequenceFormat.NativeText))
            self.navigation.addItem(item)
            self.stack.addWidget(page)
            self._pages[view] = page
        self._fit_navigation_width()

        # The first-run page has its own navigation entry while it is offered: an item view that
        # gains focus with no current item selects its first one, which would hide the page.
        self.first_run_page = FirstRunPage()
        self.stack.addWidget(self.first_run_page)
        self._first_run_item: QListWidgetItem | None = None
        self.first_run_page.create_profile_button.clicked.connect(lambda: self.show_view(View.SERVER_PROFILES))
        self.first_run_page.add_mailbox_button.clicked.connect(lambda: self.show_view(View.MAILBOXES))

        central = QWidget()
        layout = QHBoxLayout(central)
        layout.addWidget(self.navigation)
        layout.addWidget(self.stack, stretch=1)
        self.setCentralWidget(central)

        self._build_menus()
        self.navigation.currentItemChanged.connect(self._on_navigation_item_changed)

        self.database_label = QLabel(self.tr("Database: {location}").format(location=database_label))
        self.database_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.statusBar().addWidget(self.database_label, stretch=1)

        if has_profiles:
            self.show_view(View.MAILBOXES)
        else:
            self.show_first_run()
        metrics = self.fontMetrics()
        self.resize(
            QSize(metrics.averageCharWidth() * 160, metrics.lineSpacing() * 44).expandedTo(self.minimumSizeHint())
        )

    # -- public API -------------------------------------------------------------------------------

    def current_view(self) -> View | None:
        """The view on screen, or None while the first-run page is shown."""
        page = self.stack.currentWidget()
        for view, view_page in self._pages.items():
            if view_page is page:
                return view
        return None

    def page(self, view: View) -> QWidget:
        return self._pages[view]

    def navigation_item(self, view: View) -> QListWidgetItem:
        for row in range(self.navigation.count()):
            item = self.navigation.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == int(view):
                return item
        raise LookupError(view)

    def show_view(self, view: View) -> None:
        self.navigation.setCurrentItem(self.navigation_item(view))  # switches the stack
        self.navigation.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def show_first_run(self) -> None:
        """Offer the first-run guide (again): it gets a "Get started" entry atop the navigation."""
        if self._first_run_item is None:
            self._first_run_item = QListWidgetItem(self.tr("Get started"))
            self._first_run_item.setData(Qt.ItemDataRole.UserRole, _FIRST_RUN_KEY)
            self.navigation.insertItem(0, self._first_run_item)
            self._fit_navigation_width()
        self.navigation.setCurrentItem(self._first_run_item)

    def is_first_run_shown(self) -> bool:
        return self.stack.currentWidget() is self.first_run_page

    # -- building ---------------------------------------------------------------------------------

    def _build_pages(self) -> list[tuple[View, str, QWidget]]:
        return [
            (
                View.MAILBOXES,
                self.tr("Mailboxes"),
                EmptyTablePage(
                    title=self.tr("Mailboxes"),
                    description=self.tr(
                        "Each mailbox's live synchronization status: state, last and next sync, "
                        "items synchronized and errors."
                    ),
                    headers=[
                        self.tr("Mailbox"),
                        self.tr("Owner"),
                        self.tr("Server profile"),
                        self.tr("State"),
                        self.tr("Last sync"),
                        self.tr("Next sync"),
                        self.tr("Items"),
                        self.tr("Errors"),
                    ],
                    empty_text=self.tr("No mailboxes yet."),
                ),
            ),
            (
                View.SERVER_PROFILES,
                self.tr("Server profiles"),
                EmptyTablePage(
                    title=self.tr("Server profiles"),
                    description=self.tr(
                        "The connection settings of each mail system (Exchange, IMAP, POP3, SMTP) that mailboxes use."
                    ),
                    headers=[
                        self.tr("Name"),
                        self.tr("Kind"),
                        self.tr("Incoming server"),
                        self.tr("Outgoing server"),
                        self.tr("Credentials"),
                        self.tr("Mailboxes"),
                    ],
                    empty_text=self.tr("No server profiles yet."),
                ),
            ),
            (
                View.USERS_AND_QUEUES,
                self.tr("Users & queues"),
                EmptyTablePage(
                    title=self.tr("Users & queues"),
                    description=self.tr("CRM users and shared queues, the mailbox each one owns, and what it tracks."),
                    headers=[
                        self.tr("Name"),
                        self.tr("Type"),
                        self.tr("Mailbox"),
                        self.tr("Tracked email"),
                        self.tr("Sync filters"),
                    ],
                    empty_text=self.tr("No users or queues yet."),
                ),
            ),
            (
                View.ACTIVITIES,
                self.tr("Activities"),
                EmptyTablePage(
                    title=self.tr("Activities"),
                    description=self.tr(
                        "Email, appointments, contacts and tasks synchronized into the CRM, newest first."
                    ),
                    headers=[
                        self.tr("Subject"),
                        self.tr("Type"),
                        self.tr("From"),
                        self.tr("To"),
                        self.tr("Regarding"),
                        self.tr("Status"),
                        self.tr("Date"),
                    ],
                    empty_text=self.tr("No activities synchronized yet."),
                ),
            ),
            (
                View.ALERTS,
                self.tr("Alerts"),
                EmptyTablePage(
                    title=self.tr("Alerts"),
                    description=self.tr(
                        "Errors, warnings and information about mailboxes and server profiles, "
                        "each with its cause and how to fix it."
                    ),
                    headers=[
                        self.tr("Severity"),
                        self.tr("Time"),
                        self.tr("Mailbox or profile"),
                        self.tr("Cause"),
                        self.tr("Fix"),
                    ],
                    empty_text=self.tr("No alerts."),
                ),
            ),
            (
                View.FAILED_ITEMS,
                self.tr("Failed items"),
                EmptyTablePage(
                    title=self.tr("Failed items"),
                    description=self.tr(
                        "Mail and appointments that could not be synchronized, why, and a way to retry them."
                    ),
                    headers=[
                        self.tr("Item"),
                        self.tr("Mailbox"),
                        self.tr("Reason"),
                        self.tr("Attempts"),
                        self.tr("Last attempt"),
                    ],
                    empty_text=self.tr("No failed items."),
                ),
            ),
            (
                View.DASHBOARD,
                self.tr("Dashboard"),
                DashboardPage(
                    title=self.tr("Dashboard"),
                    description=self.tr("Live performance counters of the sync engine."),
                    counters=[
                        self.tr("Mailbox sync queue"),
                        self.tr("Outgoing mail queue"),
                        self.tr("Asynchronous operations"),
                        self.tr("Items per second"),
                        self.tr("Latency, server to CRM"),
                        self.tr("Errors in the last hour"),
                    ],
                    note=self.tr("The sync engine is not running in this window yet, so there is nothing to count."),
                ),
            ),
        ]

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu(self.tr("&File"))
        self.quit_action = QAction(self.tr("&Quit"), self)
        self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        self.quit_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.quit_action.triggered.connect(self.quit_requested)
        file_menu.addAction(self.quit_action)

        view_menu = self.menuBar().addMenu(self.tr("&View"))
        group = QActionGroup(self)
        group.setExclusive(True)
        self.view_actions: dict[View, QAction] = {}
        for view in View:
            # In menus "&" marks the mnemonic, so a literal one ("Users & queues") is doubled.
            action = QAction(self.navigation_item(view).text().replace("&", "&&"), self)
            action.setCheckable(True)
            action.setShortcut(QKeySequence(f"Ctrl+{view.value + 1}"))
            action.triggered.connect(lambda _checked=False, v=view: self.show_view(v))
            group.addAction(action)
            view_menu.addAction(action)
            self.view_actions[view] = action

        help_menu = self.menuBar().addMenu(self.tr("&Help"))
        getting_started = QAction(self.tr("&Getting started"), self)
        getting_started.triggered.connect(self.show_first_run)
        help_menu.addAction(getting_started)
        about = QAction(self.tr("&About Desktop Sync"), self)
        about.triggered.connect(self._show_about)
        help_menu.addAction(about)

    # -- reactions --------------------------------------------------------------------------------

    def _on_navigation_item_changed(self, item: QListWidgetItem | None, _previous: object) -> None:
        if item is None:
            return
        key = item.data(Qt.ItemDataRole.UserRole)
        view = None if key == _FIRST_RUN_KEY else View(key)
        self.stack.setCurrentWidget(self.first_run_page if view is None else self._pages[view])
        self._sync_view_actions(view)
        self.view_changed.emit(view)

    def _fit_navigation_width(self) -> None:
        """As wide as the longest (translated) entry plus a margin, no wider."""
        margin = 2 * self.navigation.frameWidth() + 4 * self.fontMetrics().averageCharWidth()
        self.navigation.setFixedWidth(self.navigation.sizeHintForColumn(0) + margin)

    def _sync_view_actions(self, view: View | None) -> None:
        for candidate, action in self.view_actions.items():
            action.setChecked(candidate is view)

    def _show_about(self) -> None:
        QMessageBox.about(
            self,
            self.tr("About Desktop Sync"),
            self.tr(
                "Desktop Sync {version}\n\nServer-side synchronization between a CRM and "
                "Exchange, IMAP, POP3 and SMTP mail servers."
            ).format(version=__version__),
        )
