"""The performance dashboard: live counters drawn as simple charts (queue lengths, items per second,
latency, mailboxes by state). Clicking a state opens the mailbox list filtered to it."""

from __future__ import annotations

import collections
import math
import time
from collections.abc import Callable, Mapping

from PySide6.QtCore import QDateTime, QLocale, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QKeyEvent, QPainter, QPainterPath, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import (
    QAbstractButton,
    QFrame,
    QGridLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from desktop_sync.domain.mailbox_state import DisplayState
from desktop_sync.engine.counters import LatencyWindow
from desktop_sync.engine.events import CountersUpdated
from desktop_sync.services.sync_control import EngineStatus, StatusChange
from desktop_sync.ui.context import UiContext
from desktop_sync.ui.formatting import format_count, format_number, time_format
from desktop_sync.ui.mailboxes_model import STATE_COLOURS, MailboxTableModel
from desktop_sync.ui.page import sentence_label, title_label

HISTORY = 150  # samples kept per chart (5 minutes at one every 2 s)
HISTORY_SECONDS = 300.0  # the widest a chart's time axis gets
MIN_SPAN_SECONDS = 2.0  # the narrowest (two samples a moment apart still span the width)
SCALE_LEAST = 5.0  # a queue of one is not drawn as a full bar
SERIES_COLOUR = QColor("#1565c0")
QUEUE_COLOURS = (QColor("#1565c0"), QColor("#6a1b9a"), QColor("#00838f"))


class Card(QFrame):
    """A titled panel holding one chart and its current value."""

    def __init__(self, title: str, chart: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.title = QLabel(f"<b>{title}</b>")
        self.title.setWordWrap(True)  # a long (French) title wraps rather than widen the dashboard
        self.value = QLabel("—")
        font = QFont(self.value.font())
        font.setPointSizeF(font.pointSizeF() * 1.6)
        self.value.setFont(font)
        self.value.setAccessibleName(title)
        self.chart = chart
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.value)
        layout.addWidget(chart, stretch=1)


def nice_ceiling(value: float, least: float = 1.0) -> float:
    """The round number (1, 2 or 5 times a power of ten) at or above ``value`` and ``least``: the
    end of a scale a reader takes in at a glance."""
    value = max(value, least)
    power = 10.0 ** math.floor(math.log10(value))
    return next(step * power for step in (1.0, 2.0, 5.0, 10.0) if step * power >= value)


def clock_time(seconds_ago: float) -> str:
    """The wall-clock time ``seconds_ago`` seconds before now, with seconds, in the locale."""
    moment = QDateTime.currentDateTime().addMSecs(-round(seconds_ago * 1000))
    layout = time_format()
    if "ss" not in layout:
        layout = layout.replace("mm", "mm:ss")
    return QLocale().toString(moment.time(), layout)


class SeriesChart(QWidget):
    """The recent values of one measure against time: the last ``HISTORY_SECONDS`` (or since the
    first sample) across the whole width, a time axis under it and the scale on the left."""

    def __init__(
        self, empty_text: str, parent: QWidget | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__(parent)
        self.empty_text = empty_text
        self._clock = clock
        self.samples: collections.deque[tuple[float, float]] = collections.deque(maxlen=HISTORY)
        self.setMinimumSize(QSize(200, 110))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def add(self, value: float) -> None:
        self.samples.append((self._clock(), max(0.0, value)))
        self.update()

    def values(self) -> list[float]:
        return [value for _, value in self.samples]

    def span(self, now: float) -> float:
        """Seconds the width stands for: since the first sample kept, at least a minute."""
        if not self.samples:
            return MIN_SPAN_SECONDS
        return min(HISTORY_SECONDS, max(MIN_SPAN_SECONDS, now - self.samples[0][0]))

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = self.fontMetrics()
        muted = self.palette().color(QPalette.ColorRole.PlaceholderText)
        top = nice_ceiling(max(self.values(), default=0.0))
        scale_width = metrics.horizontalAdvance(format_number(top)) + 6
        area = QRectF(self.rect()).adjusted(scale_width, metrics.height() / 2, -4, -metrics.height() - 4)
        grid = QPen(self.palette().color(QPalette.ColorRole.Mid))
        grid.setStyle(Qt.PenStyle.DotLine)
        for fraction in (0.0, 0.5, 1.0):
            y = area.top() + area.height() * fraction
            painter.setPen(grid)
            painter.drawLine(QPointF(area.left(), y), QPointF(area.right(), y))
            painter.setPen(muted)
            label = QRectF(0, y - metrics.height() / 2, scale_width - 4, metrics.height())
            painter.drawText(
                label, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, format_number(top * (1 - fraction))
            )
        now = self._clock()
        span = self.span(now)
        painter.setPen(muted)
        axis = QRectF(area.left(), area.bottom() + 2, area.width(), metrics.height())
        painter.drawText(axis, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, clock_time(span))
        painter.drawText(axis, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop, clock_time(0))
        if len(self.samples) < 2:
            painter.drawText(area, Qt.AlignmentFlag.AlignCenter, self.empty_text)
            return

        def point(at: float, value: float) -> QPointF:
            x = area.right() - area.width() * min(1.0, (now - at) / span)
            return QPointF(x, area.bottom() - area.height() * value / top)

        points = [point(at, value) for at, value in self.samples]
        path = QPainterPath(points[0])
        for each in points[1:]:
            path.lineTo(each)
        fill = QPainterPath(path)
        fill.lineTo(QPointF(points[-1].x(), area.bottom()))
        fill.lineTo(QPointF(points[0].x(), area.bottom()))
        fill.closeSubpath()
        shade = QColor(SERIES_COLOUR)
        shade.setAlpha(40)
        painter.fillPath(fill, shade)
        painter.setPen(QPen(SERIES_COLOUR, 2))
        painter.drawPath(path)


class BarChart(QWidget):
    """Horizontal bars, one per label, on a round scale drawn under them (0 to a round number at
    or above the largest), so a bar's length says its value and not only which is longest."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bars: list[tuple[str, float]] = []
        self.setMinimumSize(QSize(200, 90))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_bars(self, bars: list[tuple[str, float]]) -> None:
        self.bars = bars
        self.update()

    def top(self) -> float:
        """The value at the end of the scale."""
        return nice_ceiling(max((value for _, value in self.bars), default=0.0), least=SCALE_LEAST)

    def paintEvent(self, event: QPaintEvent) -> None:
        if not self.bars:
            return
        painter = QPainter(self)
        metrics = self.fontMetrics()
        label_width = max(metrics.horizontalAdvance(label) for label, _ in self.bars) + 8
        value_width = metrics.horizontalAdvance("00000") + 8
        scale_height = metrics.height() + 4
        height = min((self.height() - scale_height) / len(self.bars), metrics.height() * 2.2)
        top = self.top()
        span = max(0.0, self.width() - label_width - value_width)
        text_colour = self.palette().color(QPalette.ColorRole.WindowText)
        muted = self.palette().color(QPalette.ColorRole.PlaceholderText)
        grid = QPen(self.palette().color(QPalette.ColorRole.Mid))
        grid.setStyle(Qt.PenStyle.DotLine)
        bottom = height * len(self.bars)
        for fraction in (0.0, 0.5, 1.0):
            x = label_width + span * fraction
            painter.setPen(grid)
            painter.drawLine(QPointF(x, 0), QPointF(x, bottom))
            painter.setPen(muted)
            align = Qt.AlignmentFlag.AlignHCenter if fraction else Qt.AlignmentFlag.AlignLeft
            box = QRectF(x - (value_width / 2 if fraction else 0), bottom + 2, value_width, metrics.height())
            tick = top * fraction
            painter.drawText(box, align | Qt.AlignmentFlag.AlignTop, format_number(tick, 0 if tick.is_integer() else 1))
        for n, (label, value) in enumerate(self.bars):
            row = QRectF(0, n * height, self.width(), height)
            painter.setPen(text_colour)
            painter.drawText(
                QRectF(row.left(), row.top(), label_width, row.height()),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                label,
            )
            bar = QRectF(label_width, row.center().y() - height * 0.3, span * min(value, top) / top, height * 0.6)
            painter.fillRect(bar, QUEUE_COLOURS[n % len(QUEUE_COLOURS)])
            painter.drawText(
                QRectF(bar.right() + 4, row.top(), value_width, row.height()),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                format_count(value),
            )


class StateBar(QAbstractButton):
    """One state's count and bar; a button, so a click or Space opens the mailboxes in that state."""

    def __init__(self, state: DisplayState, label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.label = label
        self.count = 0
        self.total = 0
        self.label_width = 0  # set by the dashboard so that every bar starts at the same place
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._refresh_text()

    def set_count(self, count: int, total: int) -> None:
        self.count, self.total = count, total
        self._refresh_text()
        self.update()

    def _refresh_text(self) -> None:
        text = self.tr("{state}: {count}").format(state=self.label, count=format_count(self.count))
        self.setText(text)
        self.setAccessibleName(text)
        self.setToolTip(self.tr("Show the mailboxes in this state"))

    def sizeHint(self) -> QSize:
        metrics = self.fontMetrics()
        return QSize(metrics.averageCharWidth() * 40, metrics.lineSpacing() + 10)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.click()
            return
        super().keyPressEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        rect = QRectF(self.rect()).adjusted(1, 1, -1, -1)
        label_width = self.label_width or self.fontMetrics().horizontalAdvance(self.text()) + 16
        colour = STATE_COLOURS[self.state]
        if self.underMouse() or self.hasFocus():
            painter.fillRect(rect, self.palette().color(QPalette.ColorRole.AlternateBase))
        painter.setPen(self.palette().color(QPalette.ColorRole.WindowText))
        painter.drawText(
            rect.adjusted(4, 0, 0, 0), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, self.text()
        )
        span = max(0.0, rect.width() - label_width - 8)
        fraction = self.count / self.total if self.total else 0.0
        bar = QRectF(rect.left() + label_width, rect.top() + rect.height() * 0.25, span * fraction, rect.height() * 0.5)
        painter.fillRect(bar, colour)
        if self.hasFocus():
            pen = QPen(self.palette().color(QPalette.ColorRole.Highlight))
            pen.setStyle(Qt.PenStyle.DotLine)
            painter.setPen(pen)
            painter.drawRect(rect)


class DashboardPage(QWidget):
    state_chosen = Signal(object)  # DisplayState

    def __init__(
        self,
        context: UiContext | None,
        mailboxes: MailboxTableModel,
        parent: QWidget | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(parent)
        self._clock = clock
        self._mailboxes = mailboxes
        self._last_items: tuple[float, float] | None = None  # (time, items total)
        self._last_latency = 0  # the serial of the last latency observation drawn
        self.title_label = title_label(self.tr("Dashboard"))
        self.description_label = sentence_label(self.tr("Live performance counters of the sync engine."))
        self.note_label = sentence_label(
            self.tr("The sync engine is not running in this window, so there is nothing to count.")
        )

        self.queues = BarChart()
        self.items = SeriesChart(self.tr("Waiting for the engine's counters"), clock=clock)
        self.latency = SeriesChart(self.tr("No mail recorded in the last five minutes"), clock=clock)
        self.queue_card = Card(self.tr("Queue lengths (waiting and running)"), self.queues)
        self.items_card = Card(self.tr("Items per second"), self.items)
        self.latency_card = Card(self.tr("Sync delay, from finding mail to recording it (seconds)"), self.latency)
        self.latency_detail = QLabel()
        self.latency_detail.setWordWrap(True)
        self.latency_card.layout().insertWidget(2, self.latency_detail)  # type: ignore[union-attr]

        states = QWidget()
        states_layout = QVBoxLayout(states)
        states_layout.setContentsMargins(0, 0, 0, 0)
        self.state_bars: dict[DisplayState, StateBar] = {}
        for state in DisplayState:
            bar = StateBar(state, mailboxes.state_label(state))
            bar.clicked.connect(lambda _checked=False, s=state: self.state_chosen.emit(s))
            states_layout.addWidget(bar)
            self.state_bars[state] = bar
        states_layout.addStretch(1)
        self.states_card = Card(self.tr("Mailboxes by state"), states)
        self.errors_label = QLabel()
        self.states_card.layout().addWidget(self.errors_label)  # type: ignore[union-attr]

        grid = QGridLayout()
        grid.addWidget(self.queue_card, 0, 0)
        grid.addWidget(self.states_card, 0, 1)
        grid.addWidget(self.items_card, 1, 0)
        grid.addWidget(self.latency_card, 1, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title_label)
        layout.addWidget(self.description_label)
        layout.addWidget(self.note_label)
        layout.addLayout(grid, stretch=1)

        self._set_queue_bars({})
        mailboxes.states_changed.connect(self.update_states)
        if context is not None:
            context.bridge.counters_updated.connect(self.on_counters)
            context.bridge.engine_status_changed.connect(self.on_engine_status)
            self.on_engine_status(context.sync.status)
        self.update_states()

    def queue_label(self, queue: str) -> str:
        return {
            "mailboxes": self.tr("Mailbox sync"),
            "outgoing": self.tr("Outgoing mail"),
            "operations": self.tr("Operations"),
        }.get(queue, queue)

    def _set_queue_bars(self, lengths: Mapping[str, float]) -> None:
        self.queues.set_bars(
            [(self.queue_label(q), lengths.get(q, 0.0)) for q in ("mailboxes", "outgoing", "operations")]
        )
        self.queue_card.value.setText(format_count(sum(lengths.values())))

    def on_counters(self, event: CountersUpdated) -> None:
        now = self._clock()
        view = event.view
        self._set_queue_bars(
            {
                queue: view.by_label("desktop_sync_queue_length", "queue").get(queue, 0.0)
                + view.by_label("desktop_sync_queue_running", "queue").get(queue, 0.0)
                for queue in set(view.by_label("desktop_sync_queue_length", "queue"))
                | set(view.by_label("desktop_sync_queue_running", "queue"))
            }
        )
        items_total = view.total("desktop_sync_items_total")
        if self._last_items is not None:
            then, before = self._last_items
            rate = (items_total - before) / max(now - then, 1e-3)
            self.items.add(rate)
            self.items_card.value.setText(format_number(rate))
        self._last_items = (now, items_total)
        self._show_latency(view.latency)
        self.errors_label.setText(
            self.tr("Errors since the counters started: {count}").format(
                count=format_count(view.total("desktop_sync_errors_total"))
            )
        )

    def _show_latency(self, window: LatencyWindow) -> None:
        """Each batch's delay as a point (the median of what was recorded since the last update); the
        median and the 95th percentile over the last five minutes in words."""
        fresh = window.since(self._last_latency).quantile(0.5)
        if fresh is not None:
            self.latency.add(fresh)
        self._last_latency = max(self._last_latency, window.last_serial)
        median, slowest = window.quantile(0.5), window.quantile(0.95)
        if median is None or slowest is None:
            self.latency_card.value.setText("—")
            self.latency_detail.setText(self.tr("No mail recorded in the last five minutes."))
            return
        self.latency_card.value.setText(format_number(median))
        self.latency_detail.setText(
            self.tr("Median of %n mail(s) in the last five minutes; 95 % within {slowest} s.", "", window.items).format(
                slowest=format_number(slowest)
            )
        )

    def on_engine_status(self, change: StatusChange) -> None:
        texts = {
            EngineStatus.RUNNING: "",
            EngineStatus.PAUSED: self.tr("Synchronization is paused; resume it from the tray or the File menu."),
            EngineStatus.STOPPED: self.tr("The sync engine is stopped."),
            EngineStatus.UNAVAILABLE: self.tr(
                "No mail connectors are available in this installation, so the sync engine does not run."
            ),
            EngineStatus.FAILED: self.tr("The sync engine could not start: {detail}").format(detail=change.detail),
        }
        text = texts[change.status]
        self.note_label.setText(text)
        self.note_label.setVisible(bool(text))

    def update_states(self) -> None:
        counts = self._mailboxes.state_counts()
        total = sum(counts.values())
        for state, bar in self.state_bars.items():
            bar.set_count(counts[state], total)
        widest = max(bar.fontMetrics().horizontalAdvance(bar.text()) for bar in self.state_bars.values())
        for bar in self.state_bars.values():
            bar.label_width = widest + 24
        self.states_card.value.setText(self.tr("%n mailbox(es)", "", total))
