"""The dashboard explains itself: queue bars on a round scale, charts across their width against
time, the latency of mail as it is imported."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PySide6.QtGui import QColor

from desktop_sync.engine.counters import CountersView, LatencyWindow, Observation
from desktop_sync.engine.events import CountersUpdated
from desktop_sync.ui.dashboard import (
    HISTORY_SECONDS,
    MIN_SPAN_SECONDS,
    QUEUE_COLOURS,
    SERIES_COLOUR,
    DashboardPage,
    nice_ceiling,
)
from desktop_sync.ui.mailboxes_model import MailboxTableModel
from tests.ui.conftest import save_grab

pytestmark = pytest.mark.gui


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def page(qtbot):
    clock = Clock()
    dashboard = DashboardPage(None, MailboxTableModel(clock=clock), clock=clock)
    dashboard.resize(900, 600)
    qtbot.addWidget(dashboard)
    dashboard.show()
    qtbot.waitExposed(dashboard)
    dashboard.clock = clock
    return dashboard


def counters(queue: float = 0.0, items: float = 0.0, latencies: tuple[Observation, ...] = ()):
    """What the engine publishes: the counters structured, the latency window beside them."""
    values = {("desktop_sync_queue_length", (("queue", "mailboxes"),)): queue, ("desktop_sync_items_total", ()): items}
    return CountersUpdated(view=CountersView(values, LatencyWindow(latencies)))


def bar_length(image, colour: QColor) -> int:
    """How many pixels wide the bar of ``colour`` is drawn (its widest row)."""
    widest = 0
    for y in range(image.height()):
        widest = max(widest, sum(1 for x in range(image.width()) if image.pixelColor(x, y) == colour))
    return widest


@given(st.floats(min_value=0.0, max_value=1e9, allow_nan=False))
def test_a_scale_ends_on_a_round_number_at_or_above_the_value(value):
    top = nice_ceiling(value)
    assert top >= value and top >= 1.0
    mantissa = top / 10 ** int(f"{top:e}".split("e")[1])
    assert round(mantissa, 6) in (1.0, 2.0, 5.0, 10.0)


def test_one_waiting_item_is_a_short_bar_on_a_scale_and_ten_a_long_one(page, tmp_path):
    page.on_counters(counters(queue=1))
    assert page.queues.top() == 5
    one = bar_length(page.queues.grab().toImage(), QUEUE_COLOURS[0])
    save_grab(page, tmp_path / "dashboard-one.png")
    page.on_counters(counters(queue=10))
    assert page.queues.top() == 10
    ten = bar_length(page.queues.grab().toImage(), QUEUE_COLOURS[0])
    # one item is a fifth of the scale, ten the whole of it: not two bars of the same length
    assert 0 < one < ten
    assert abs(one * 5 - ten) <= 10


def test_the_items_chart_spans_its_width_and_its_time_axis_grows_to_five_minutes(page):
    chart = page.items
    for second in range(0, 31, 2):
        page.clock.now = 1000.0 + second
        page.on_counters(counters(items=second * 10))
    assert chart.span(page.clock.now) == 28  # from the first rate (the second counters) to now
    image = chart.grab().toImage()
    drawn = [
        x for x in range(image.width()) if any(image.pixelColor(x, y) == SERIES_COLOUR for y in range(image.height()))
    ]
    assert drawn and drawn[0] < image.width() * 0.2 and drawn[-1] > image.width() * 0.8
    page.clock.now += 10 * HISTORY_SECONDS
    page.on_counters(counters(items=400))
    assert chart.span(page.clock.now) == HISTORY_SECONDS
    assert chart.span(page.clock.now) >= MIN_SPAN_SECONDS


def test_the_latency_panel_shows_each_batch_of_new_mail_as_it_is_imported(page):
    page.on_counters(counters())
    assert page.latency_card.value.text() == "—"
    page.clock.now += 2
    three = Observation(1, 0.5, 3)  # three mails recorded 0.5 s after the engine found them
    page.on_counters(counters(items=3, latencies=(three,)))
    assert page.latency.values() == [0.5]
    assert page.latency_card.value.text() == "0.5"
    page.clock.now += 2
    one = Observation(2, 2.0, 1)  # one more, 2 s after it was found
    page.on_counters(counters(items=4, latencies=(three, one)))
    assert page.latency.values() == [0.5, 2.0]
    # the card: the median of the last five minutes, and the 95th percentile in words
    assert page.latency_card.value.text() == "0.5"
    assert page.latency_detail.text().startswith("Median of 4 mail")  # "mails" once the English plurals load
    assert page.latency_detail.text().endswith(" in the last five minutes; 95 % within 2.0 s.")
    page.clock.now += 2
    page.on_counters(counters(items=4, latencies=(three, one)))  # nothing new: no new point
    assert page.latency.values() == [0.5, 2.0]


def test_the_latency_panel_says_when_nothing_was_recorded_lately(page):
    page.on_counters(counters(latencies=(Observation(1, 0.5, 1),)))
    page.on_counters(counters())  # the engine's window moved past it
    assert page.latency_card.value.text() == "—"
    assert page.latency_detail.text() == "No mail recorded in the last five minutes."


@given(st.lists(st.tuples(st.floats(0, 1e5, allow_nan=False), st.integers(1, 50)), min_size=1, max_size=60))
def test_the_quantiles_of_a_window_are_delays_it_holds_in_order(batches):
    window = LatencyWindow(tuple(Observation(n, seconds, times) for n, (seconds, times) in enumerate(batches, 1)))
    median, slowest = window.quantile(0.5), window.quantile(0.95)
    assert median in {seconds for seconds, _ in batches} and slowest in {seconds for seconds, _ in batches}
    assert min(s for s, _ in batches) <= median <= slowest <= max(s for s, _ in batches)
    each = sorted(seconds for seconds, times in batches for _ in range(times))
    assert median == each[max(0, math.ceil(len(each) * 0.5) - 1)]
