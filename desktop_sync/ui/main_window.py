"""The main window: a navigation list of the administration views and the view it selects.

Views read the store through the services at start and after an action, and stay live through
the engine bridge's signals. A first-run page guides an administrator whose store has no server
profile yet. Without services (``context`` None) every view is an honest empty state.
"""

from __future__ import annotations

import asyncio
from enum import IntEnum

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCommandLinkButton,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)
from qasync import asyncSlot

from desktop_sync.domain.mailbox_state import DisplayState
from desktop_sync.services.sync_control import EngineStatus, StatusChange
from desktop_sync.ui import icons
from desktop_sync.ui.about_dialog import AboutDialog, AboutFacts
from desktop_sync.ui.act_view import ActRecordsPage
from desktop_sync.ui.activities_view import ActivitiesPage
from desktop_sync.ui.alerts_view import AlertsPage
from desktop_sync.ui.conflicts_view import ConflictsPage
from desktop_sync.ui.context import UiContext
from desktop_sync.ui.dashboard import DashboardPage
from desktop_sync.ui.directory_view import DirectoryPage
from desktop_sync.ui.engines_view import EnginesPage
from desktop_sync.ui.errors import ErrorPresenter, NotificationArea
from desktop_sync.ui.failed_items_view import FailedItemsPage
from desktop_sync.ui.mailboxes_view import MailboxesPage
from desktop_sync.ui.migration import MigrationWizard
from desktop_sync.ui.page import ElidedLabel, sentence_label, title_label, use_placeholder_colour
from desktop_sync.ui.profiles_view import ProfilesPage
from desktop_sync.ui.prompts import Asker
from desktop_sync.ui.settings_dialog import SettingsDialog

# Navigation entries carry the View they open; the first-run entry carries this instead.
_FIRST_RUN_KEY = -1
MESSAGE_SHOWN_MS = 8000


class View(IntEnum):
    """The administration views, in navigation order; Ctrl+1 opens the first."""

    MAILBOXES = 0
    SERVER_PROFILES = 1
    USERS_AND_QUEUES = 2
    ACTIVITIES = 3
    ALERTS = 4
    FAILED_ITEMS = 5
    DASHBOARD = 6
    ACT_RECORDS = 7
    CONFLICTS = 8
    ENGINES = 9


def _view_key(view: View) -> str:
    """Ctrl+1 for the first view ... Ctrl+9, then Ctrl+0 for the tenth."""
    return f"Ctrl+{(view.value + 1) % 10}"


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
        self.title_label = title_label(title)
        self.description_label = sentence_label(description)

        self.table = QTableWidget(0, len(headers))
        self.table.setHorizontalHeaderLabels(headers)
        self.table.setAccessibleName(title)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)

        self.empty_label = QLabel(empty_text)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        use_placeholder_colour(self.empty_label)
        overlay = QVBoxLayout(self.table.viewport())
        overlay.addWidget(self.empty_label)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title_label)
        layout.addWidget(self.description_label)
        layout.addWidget(self.table, stretch=1)


class FirstRunPage(QWidget):
    """Shown while the store has no server profile: the two steps to a first synchronized mailbox."""

    def __init__(self, *, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title_label = title_label(self.tr("Welcome to Desktop Sync"))
        self.intro_label = sentence_label(
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
        self.migrate_button = QCommandLinkButton(
            self.tr("Or migrate from the E-mail Router"),
            self.tr("Read the router's configuration files and create its profiles and mailboxes here."),
        )
        column.addSpacing(self.fontMetrics().height())
        column.addWidget(self.migrate_button)
        column.addStretch(1)

        # A readable measure on wide windows: the column does not stretch past ~70 characters.
        holder = QWidget()
        holder.setLayout(column)
        holder.setMaximumWidth(self.fontMetrics().averageCharWidth() * 72)
        outer = QHBoxLayout(self)
        outer.addWidget(holder, stretch=1)
        outer.addStretch(0)


class MainWindow(QMainWindow):
    """The administration window; the composition root gives it the services and the engine bridge."""

    quit_requested = Signal()
    view_changed = Signal(object)  # View, or None for the first-run page

    def __init__(
        self,
        *,
        database_label: str,
        has_profiles: bool,
        context: UiContext | None = None,
        asker: Asker | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._context = context
        self._database_label = database_label
        self.settings_dialog: SettingsDialog | None = None
        self.about_dialog: AboutDialog | None = None
        self.setWindowTitle(self.tr("Desktop Sync"))
        self.setWindowIcon(icons.app_icon())

        self.notifications = NotificationArea()
        self.errors = ErrorPresenter(self, self.notifications)

        self.mailboxes_page = MailboxesPage(context, self.errors, asker)
        self.profiles_page = ProfilesPage(context, self.errors)
        self.directory_page = DirectoryPage(context, self.errors)
        self.activities_page = ActivitiesPage(context, self.errors)
        self.alerts_page = AlertsPage(context, self.errors)
        self.alerts_page.sign_in_requested.connect(self._sign_in)
        self.failed_items_page = FailedItemsPage(context, self.errors)
        self.dashboard_page = DashboardPage(context, self.mailboxes_page.model)
        self.act_page = ActRecordsPage(context, self.errors)
        self.conflicts_page = ConflictsPage(context, self.errors)
        self.engines_page = EnginesPage(context, self.errors)

        self.navigation = QListWidget()
        self.navigation.setAccessibleName(self.tr("Views"))
        self.navigation.setSpacing(self.fontMetrics().height() // 5)
        self.navigation.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.stack = QStackedWidget()
        self._pages: dict[View, QWidget] = {}
        for view, name, page in self._build_pages():
            item = QListWidgetItem(name)
            item.setData(Qt.ItemDataRole.UserRole, int(view))
            item.setToolTip(QKeySequence(_view_key(view)).toString(QKeySequence.SequenceFormat.NativeText))
            self.navigation.addItem(item)
            self.stack.addWidget(page)
            self._pages[view] = page
        self._fit_navigation_width()

        # The first-run page has its own navigation entry while it is offered: an item view that
        # gains focus with no current item selects its first one, which would hide the page.
        self.first_run_page = FirstRunPage()
        self.stack.addWidget(self.first_run_page)
        self._first_run_item: QListWidgetItem | None = None
        self.first_run_page.create_profile_button.clicked.connect(self._first_profile)
        self.first_run_page.add_mailbox_button.clicked.connect(self._first_mailbox)
        self.migration_wizard: MigrationWizard | None = None
        self.refresh_after_migration: asyncio.Future[None] | None = None
        self.first_run_page.migrate_button.clicked.connect(self.open_migration_wizard)
        self.first_run_page.migrate_button.setEnabled(context is not None and context.migration is not None)

        central = QWidget()
        layout = QHBoxLayout(central)
        layout.addWidget(self.navigation)
        layout.addWidget(self.stack, stretch=1)
        self.setCentralWidget(central)

        self._build_menus()
        self.navigation.currentItemChanged.connect(self._on_navigation_item_changed)

        self.engine_label = QLabel()
        self.database_label = ElidedLabel(self.tr("Database: {location}").format(location=database_label))
        # what an action just did, elided with its tooltip rather than cut by the labels beside it
        self.message_label = ElidedLabel(mode=Qt.TextElideMode.ElideRight)
        self._message_timer = QTimer(self)
        self._message_timer.setSingleShot(True)
        self._message_timer.timeout.connect(lambda: self.message_label.setVisible(False))
        self.statusBar().addWidget(self.message_label, stretch=1)
        self.message_label.setVisible(False)  # no room taken from an alert's notification while silent
        self.statusBar().addPermanentWidget(self.notifications, stretch=1)
        self.statusBar().addPermanentWidget(self.engine_label)
        self.statusBar().addPermanentWidget(self.database_label)

        for page in (
            self.mailboxes_page,
            self.profiles_page,
            self.directory_page,
            self.activities_page,
            self.alerts_page,
            self.failed_items_page,
            self.act_page,
            self.conflicts_page,
        ):
            page.message.connect(self.show_message)
        self.profiles_page.profiles_changed.connect(self._profiles_changed)
        self.dashboard_page.state_chosen.connect(self.show_mailboxes_in_state)
        if context is not None:
            context.bridge.engine_status_changed.connect(self.on_engine_status)
            self.on_engine_status(context.sync.status)
        else:
            self.engine_label.setText(self.tr("Not connected to a store"))

        # "Get started" stays in the navigation until a mailbox has synchronized once
        self._guide_done = False
        model = self.mailboxes_page.model
        model.modelReset.connect(self._follow_guide)
        model.rowsInserted.connect(self._follow_guide)
        model.dataChanged.connect(self._follow_guide)
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

    def _follow_guide(self, *_args: object) -> None:
        """Offer "Get started" while mailboxes exist but none has synchronized; take it away for
        good once one has."""
        if self._guide_done:
            return
        model = self.mailboxes_page.model
        if model.any_synchronized():
            self._guide_done = True
            if self._first_run_item is not None:
                shown = self.is_first_run_shown()
                self.navigation.takeItem(self.navigation.row(self._first_run_item))
                self._first_run_item = None
                if shown:
                    self.show_view(View.MAILBOXES)
        elif model.rowCount() and self._first_run_item is None:
            current = self.navigation.currentItem()
            self.show_first_run()
            if current is not None:
                self.navigation.setCurrentItem(current)  # offered, not imposed

    def is_first_run_shown(self) -> bool:
        return self.stack.currentWidget() is self.first_run_page

    def _sign_in(self, kind: str, target: str) -> None:
        """A sign-in alert's fix: the mailbox's Sign in…, or the service account's in its profile."""
        if kind == "mailbox":
            self.show_view(View.MAILBOXES)
            self.mailboxes_page.open_sign_in(target)
        else:
            self.show_view(View.SERVER_PROFILES)
            self.profiles_page.select(target)
            self.profiles_page.edit_action.trigger()

    def show_mailboxes_in_state(self, state: DisplayState | None) -> None:
        self.mailboxes_page.set_state_filter(state)
        self.show_view(View.MAILBOXES)

    def show_message(self, text: str) -> None:
        self.message_label.setText(text)
        self.message_label.setVisible(bool(text))
        self._message_timer.start(MESSAGE_SHOWN_MS)

    async def refresh_all(self) -> None:
        """Load every view from the services (at start, and when asked); the first failure is said once."""
        async with self.errors.guard(action=self.tr("load the views")):
            for page in (
                self.profiles_page,
                self.mailboxes_page,
                self.directory_page,
                self.activities_page,
                self.alerts_page,
                self.failed_items_page,
                self.act_page,
                self.conflicts_page,
                self.engines_page,
            ):
                await page.refresh()

    # -- engine -----------------------------------------------------------------------------------

    def on_engine_status(self, change: StatusChange) -> None:
        texts = {
            EngineStatus.RUNNING: self.tr("Sync engine: running"),
            EngineStatus.PAUSED: self.tr("Sync engine: paused"),
            EngineStatus.STOPPED: self.tr("Sync engine: stopped"),
            EngineStatus.UNAVAILABLE: self.tr("Sync engine: no mail connectors available"),
            EngineStatus.FAILED: self.tr("Sync engine: could not start"),
        }
        self.engine_label.setText(texts[change.status])
        self.engine_label.setToolTip(change.detail)
        self.sync_all_action.setEnabled(change.status is EngineStatus.RUNNING)
        self.pause_action.setEnabled(change.status in (EngineStatus.RUNNING, EngineStatus.PAUSED))
        paused = change.status is EngineStatus.PAUSED
        self.pause_action.setText(self.tr("&Resume synchronization") if paused else self.tr("&Pause synchronization"))

    def engine_failed(self, error: BaseException) -> None:
        """The engine could not start: said in the notification area, the window keeps working."""
        self.errors.notify_error(error, self.tr("start the sync engine"))

    @asyncSlot()
    async def sync_all(self) -> None:
        if self._context is None:
            return
        async with self.errors.guard(self.sync_all_action, action=self.tr("sync all mailboxes now")):
            result = await self._context.sync.sync_all()
            self.show_message(self.tr("Synchronizing %n mailbox(es) now.", "", len(result.started + result.requested)))

    @asyncSlot()
    async def pause(self) -> None:
        if self._context is None:
            return
        async with self.errors.guard(self.pause_action, action=self.tr("pause synchronization")):
            await self._context.sync.pause()

    @asyncSlot()
    async def resume(self) -> None:
        if self._context is None:
            return
        async with self.errors.guard(self.pause_action, action=self.tr("resume synchronization")):
            await self._context.sync.resume()

    def _toggle_pause(self) -> None:
        if self._context is None:
            return
        if self._context.sync.status.status is EngineStatus.PAUSED:
            self.resume()
        else:
            self.pause()

    # -- building ---------------------------------------------------------------------------------

    def _build_pages(self) -> list[tuple[View, str, QWidget]]:
        return [
            (View.MAILBOXES, self.tr("Mailboxes"), self.mailboxes_page),
            (View.SERVER_PROFILES, self.tr("Server profiles"), self.profiles_page),
            (View.USERS_AND_QUEUES, self.tr("Users & queues"), self.directory_page),
            (View.ACTIVITIES, self.tr("Activities"), self.activities_page),
            (View.ALERTS, self.tr("Alerts"), self.alerts_page),
            (View.FAILED_ITEMS, self.tr("Failed items"), self.failed_items_page),
            (View.DASHBOARD, self.tr("Dashboard"), self.dashboard_page),
            (View.ACT_RECORDS, self.tr("Appointments, contacts & tasks"), self.act_page),
            (View.CONFLICTS, self.tr("Conflicts"), self.conflicts_page),
            (View.ENGINES, self.tr("Engines"), self.engines_page),
        ]

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu(self.tr("&File"))
        self.sync_all_action = QAction(self.tr("&Sync all now"), self)
        self.sync_all_action.setShortcut(QKeySequence("Ctrl+Shift+S"))
        self.sync_all_action.setEnabled(False)
        self.sync_all_action.triggered.connect(self.sync_all)
        self.pause_action = QAction(self.tr("&Pause synchronization"), self)
        self.pause_action.setShortcut(QKeySequence("Ctrl+Shift+Space"))
        self.pause_action.setEnabled(False)
        self.pause_action.triggered.connect(self._toggle_pause)
        self.quit_action = QAction(self.tr("&Quit"), self)
        self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        self.quit_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.quit_action.triggered.connect(self.quit_requested)
        self.migrate_action = QAction(self.tr("&Migrate from E-mail Router…"), self)
        self.migrate_action.setEnabled(self._context is not None and self._context.migration is not None)
        self.migrate_action.triggered.connect(self.open_migration_wizard)
        self.settings_action = QAction(self.tr("Se&ttings…"), self)
        self.settings_action.setShortcut(QKeySequence("Ctrl+,"))
        self.settings_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        self.settings_action.setEnabled(self._context is not None and self._context.settings is not None)
        self.settings_action.triggered.connect(self.open_settings)
        file_menu.addAction(self.sync_all_action)
        file_menu.addAction(self.pause_action)
        file_menu.addSeparator()
        file_menu.addAction(self.migrate_action)
        file_menu.addAction(self.settings_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)

        view_menu = self.menuBar().addMenu(self.tr("&View"))
        group = QActionGroup(self)
        group.setExclusive(True)
        self.view_actions: dict[View, QAction] = {}
        for view in View:
            # In menus "&" marks the mnemonic, so a literal one ("Users & queues") is doubled.
            action = QAction(self.navigation_item(view).text().replace("&", "&&"), self)
            action.setCheckable(True)
            action.setShortcut(QKeySequence(_view_key(view)))
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

    def open_migration_wizard(self) -> MigrationWizard | None:
        """Open the E-mail Router migration wizard (window-modal, no nested event loop); the views
        are refreshed once it has migrated."""
        if self._context is None or self._context.migration is None:
            return None
        if self.migration_wizard is not None:
            if self.migration_wizard.isVisible():
                self.migration_wizard.raise_()
                return self.migration_wizard
            self.migration_wizard.deleteLater()  # a finished one: each migration starts afresh
        wizard = MigrationWizard(self._context, parent=self)
        wizard.setWindowModality(Qt.WindowModality.WindowModal)
        wizard.migrated.connect(self._migrated)
        self.migration_wizard = wizard
        wizard.open()
        return wizard

    def _migrated(self) -> None:
        self.refresh_after_migration = asyncio.ensure_future(self.refresh_all())

    # -- reactions --------------------------------------------------------------------------------

    @asyncSlot()
    async def open_settings(self) -> None:
        if self._context is None or self._context.settings is None:
            return
        async with self.errors.guard(self.settings_action, action=self.tr("open the settings")):
            self.settings_dialog = SettingsDialog(self._context.settings, self.errors, self)
            await self.settings_dialog.load()
            self.settings_dialog.finished.connect(self.settings_dialog.deleteLater)
            self.settings_dialog.open()

    def _first_profile(self) -> None:
        self.show_view(View.SERVER_PROFILES)
        self.profiles_page.new_profile()

    def _first_mailbox(self) -> None:
        self.show_view(View.MAILBOXES)
        if self._context is not None:
            self.mailboxes_page.add_action.trigger()

    @asyncSlot()
    async def _profiles_changed(self) -> None:
        async with self.errors.guard(action=self.tr("refresh the mailbox list")):
            await self.mailboxes_page.refresh()

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
        settings = self._context.settings if self._context is not None else None
        facts = AboutFacts.of_this_process(self._database_label, settings.local_location if settings else None)
        self.about_dialog = AboutDialog(facts, self)
        self.about_dialog.open()
