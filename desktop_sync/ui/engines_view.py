"""The Engines view: each engine host on the store, what it holds, and whether it is alive — live."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtGui import QHideEvent, QKeySequence, QShowEvent, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from desktop_sync.domain.hosts import HostState
from desktop_sync.services.hosts import HostsReport, HostView
from desktop_sync.ui.context import UiContext
from desktop_sync.ui.errors import ErrorPresenter
from desktop_sync.ui.formatting import format_when
from desktop_sync.ui.page import EmptyState, fit_columns, table_view
from desktop_sync.ui.page_parts import ListPage, action_button, page_action

LIVE_MS = 5000  # how often the shown page reads the hosts again
RELOAD_DELAY_MS = 200


class EnginesPage(ListPage):
    def __init__(self, context: UiContext | None, errors: ErrorPresenter, parent: QWidget | None = None) -> None:
        super().__init__(context, errors, parent)
        self.set_heading(
            self.tr("Engines"),
            self.tr(
                "The sync engines sharing this store, the mailboxes and connections each holds, and whether it "
                "is alive. A lost engine's mailboxes are taken over by the others."
            ),
        )
        self.model = QStandardItemModel(0, 7, self)
        self.model.setHorizontalHeaderLabels(
            [
                self.tr("Engine"),
                self.tr("Machine"),
                self.tr("Started"),
                self.tr("Last heartbeat"),
                self.tr("Mailboxes"),
                self.tr("Connections"),
                self.tr("State"),
            ]
        )
        self.table = table_view(self.tr("Engines"))
        self.table.setModel(self.model)
        self.empty = EmptyState(self.table, self.tr("No engine is running on this store."))
        self.summary = QLabel()
        self.refresh_action = page_action(self, self.tr("Re&fresh"), QKeySequence.StandardKey.Refresh, self._reload_now)
        buttons = QHBoxLayout()
        buttons.addWidget(action_button(self.refresh_action))
        buttons.addWidget(self.summary, stretch=1)
        self.lay_out(buttons, table=self.table)
        self.set_reloading(RELOAD_DELAY_MS, self.tr("refresh the engines"))
        self.refresh_action.setEnabled(context is not None and context.hosts is not None)
        # live while shown: heartbeats come every few seconds
        self._live = QTimer(self)
        self._live.setInterval(LIVE_MS)
        self._live.timeout.connect(self._reload.start)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._context is not None and self._context.hosts is not None:
            self._live.start()
            self._reload.start()

    def hideEvent(self, event: QHideEvent) -> None:
        self._live.stop()
        super().hideEvent(event)

    def state_text(self, view: HostView) -> str:
        if view.state is HostState.RUNNING:
            return self.tr("Running")
        if view.host.taken_over_at is not None:
            return self.tr("Lost (mailboxes taken over {when})").format(when=format_when(view.host.taken_over_at))
        return self.tr("Lost")

    def summary_text(self, report: HostsReport) -> str:
        if not report.shared:
            if report.engine_running:
                return self.tr("An embedded store runs one engine at a time; it is running.")
            return self.tr("An embedded store runs one engine at a time; none is running.")
        return self.tr("%n engine(s) running", "", report.running)

    async def refresh(self) -> None:
        if self._context is None or self._context.hosts is None:
            return
        report = await self._context.hosts.hosts()
        self.summary.setText(self.summary_text(report))
        self.model.removeRows(0, self.model.rowCount())
        for view in report.hosts:
            host = view.host
            connections = ", ".join(
                self.tr("{profile}: {count}").format(profile=name, count=count)
                for name, count in host.connections.items()
            )
            texts = [
                host.owner,
                host.hostname,
                format_when(host.started_at),
                format_when(host.heartbeat_at),
                str(host.mailboxes),
                connections or "—",
                self.state_text(view),
            ]
            cells = [QStandardItem(text) for text in texts]
            for cell in cells:
                cell.setEditable(False)
                cell.setToolTip(cell.text())
            self.model.appendRow(cells)
        fit_columns(self.table)
        self.empty.update()
