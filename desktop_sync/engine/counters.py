"""Performance counters: queue lengths, items per second, cycle durations, latency, errors by kind.

Kept in memory, published as CountersUpdated events (a structured ``CountersView``: no text to
parse), persisted periodically, and rendered in the Prometheus text format by ``prometheus_client``
through a custom collector on a registry of its own (label values escaped, latency a histogram).

Latency is the delay the sync itself adds: from the moment the engine learns of an item (the
cycle whose listing or poll finds it) to its commit in the CRM — not the age of the mail.
"""

from __future__ import annotations

import bisect
import collections
import itertools
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.metrics_core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.parser import text_string_to_metric_families

log = logging.getLogger("desktop_sync.engine.counters")

RATE_WINDOW_SECONDS = 60.0
RECENT_SECONDS = 300.0  # the latency observations the dashboard reads: the last five minutes
RECENT_MOST = 5000  # at most this many (one per committed batch) are kept

LATENCY = "desktop_sync_latency_seconds"
LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0)
_BOUNDS = (*(repr(bound) for bound in LATENCY_BUCKETS), "+Inf")  # the buckets' ``le`` labels

_HELP = {
    "desktop_sync_queue_length": ("gauge", "Jobs waiting in each engine queue."),
    "desktop_sync_queue_running": ("gauge", "Jobs running in each engine queue."),
    "desktop_sync_items_total": ("counter", "Items committed to the CRM store."),
    "desktop_sync_items_per_second": ("gauge", "Items committed per second over the last minute."),
    "desktop_sync_cycles_total": ("counter", "Mailbox cycles run."),
    "desktop_sync_cycle_seconds_last": ("gauge", "Duration of the last cycle of each mailbox."),
    "desktop_sync_cycle_seconds_max": ("gauge", "Longest mailbox cycle since start."),
    "desktop_sync_errors_total": ("counter", "Errors by kind (transient, permanent) and code."),
    "desktop_sync_mailboxes": ("gauge", "Mailboxes by state."),
    "desktop_sync_act_actions_total": ("counter", "Appointment, contact and task actions run, by type."),
    "desktop_sync_sent_total": ("counter", "Outgoing mails sent."),
    "desktop_sync_outgoing_claimed": ("gauge", "Outgoing mails claimed by the last outgoing run."),
}
_LATENCY_HELP = "Seconds from the engine learning of an item (listing, notification, poll) to its commit."

Labels = tuple[tuple[str, str], ...]  # sorted (name, value) pairs
Key = tuple[str, Labels]


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def labels_text(labels: Labels) -> str:
    """``{a="b",c="d"}`` with the values escaped as the Prometheus text format wants; "" for none."""
    if not labels:
        return ""
    return "{" + ",".join(f'{k}="{_escape(v)}"' for k, v in labels) + "}"


def parse_labels(text: str) -> Labels | None:
    """The labels of ``labels_text`` (as persisted by this or an earlier version); None if unreadable."""
    if not text:
        return ()
    try:
        families = list(text_string_to_metric_families(f"x{text} 0\n"))
    except (ValueError, IndexError, KeyError):
        return None
    if len(families) != 1 or len(families[0].samples) != 1:
        return None
    return tuple(sorted(families[0].samples[0].labels.items()))


def _label_tuple(labels: Mapping[str, str]) -> Labels:
    return tuple(sorted((k, str(v)) for k, v in labels.items()))


@dataclass(frozen=True, slots=True)
class Observation:
    serial: int  # grows by one per observation: a reader takes what came after the last it saw
    seconds: float
    times: int  # items committed together, with the same delay


@dataclass(frozen=True, slots=True)
class LatencyWindow:
    """Recent latency observations (the last ``RECENT_SECONDS``), oldest first."""

    observations: tuple[Observation, ...] = ()

    @property
    def last_serial(self) -> int:
        return self.observations[-1].serial if self.observations else 0

    @property
    def items(self) -> int:
        return sum(o.times for o in self.observations)

    def since(self, serial: int) -> LatencyWindow:
        return LatencyWindow(tuple(o for o in self.observations if o.serial > serial))

    def quantile(self, q: float) -> float | None:
        """The nearest-rank ``q`` quantile (0.5: the median) of the items' delays; None when empty."""
        total = self.items
        if not total:
            return None
        rank = max(1.0, q * total)
        seen = 0
        for observation in sorted(self.observations, key=lambda o: o.seconds):
            seen += observation.times
            if seen >= rank:
                return observation.seconds
        return max(o.seconds for o in self.observations)


@dataclass(frozen=True, slots=True)
class CountersView:
    """What the counters hold at one moment, structured for the interface."""

    values: Mapping[Key, float] = field(default_factory=dict)
    latency: LatencyWindow = LatencyWindow()

    def value(self, name: str, **labels: str) -> float:
        return self.values.get((name, _label_tuple(labels)), 0.0)

    def total(self, name: str) -> float:
        """The sum over every label set of ``name``."""
        return sum(value for (each, _), value in self.values.items() if each == name)

    def by_label(self, name: str, label: str) -> dict[str, float]:
        """``name``'s values summed per value of ``label``."""
        sums: dict[str, float] = collections.defaultdict(float)
        for (each, labels), value in self.values.items():
            if each == name:
                sums[dict(labels).get(label, "")] += value
        return dict(sums)


class Counters:
    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self._clock = clock
        self._values: dict[Key, float] = {}
        self._commits: collections.deque[tuple[float, int]] = collections.deque()
        self._buckets = [0] * (len(LATENCY_BUCKETS) + 1)  # per bucket (not cumulative); the last is +Inf
        self._latency_sum = 0.0
        self._recent: collections.deque[tuple[float, Observation]] = collections.deque(maxlen=RECENT_MOST)
        self._serials = itertools.count(1)

    # --- recording -----------------------------------------------------------------------------

    def set(self, name: str, value: float, **labels: str) -> None:
        self._values[(name, _label_tuple(labels))] = float(value)

    def add(self, name: str, amount: float = 1.0, **labels: str) -> None:
        key = (name, _label_tuple(labels))
        self._values[key] = self._values.get(key, 0.0) + amount

    def maximum(self, name: str, value: float, **labels: str) -> None:
        key = (name, _label_tuple(labels))
        self._values[key] = max(self._values.get(key, 0.0), value)

    def items_committed(self, count: int, latency: float | None = None) -> None:
        """``count`` items committed, each ``latency`` seconds after the engine learned of it."""
        now = self._clock()
        self.add("desktop_sync_items_total", count)
        self._commits.append((now, count))
        if latency is not None and count > 0:
            self.observe_latency(latency, count)

    def observe_latency(self, seconds: float, times: int = 1) -> None:
        seconds = max(0.0, seconds)
        self._buckets[bisect.bisect_left(LATENCY_BUCKETS, seconds)] += times
        self._latency_sum += seconds * times
        self._recent.append((self._clock(), Observation(next(self._serials), seconds, times)))

    def cycle_finished(self, mailbox: str, seconds: float) -> None:
        self.add("desktop_sync_cycles_total")
        self.set("desktop_sync_cycle_seconds_last", seconds, mailbox=mailbox)
        self.maximum("desktop_sync_cycle_seconds_max", seconds)

    def error(self, kind: str, code: str) -> None:
        self.add("desktop_sync_errors_total", kind=kind, code=code)

    # --- reading -------------------------------------------------------------------------------

    def items_per_second(self) -> float:
        now = self._clock()
        while self._commits and self._commits[0][0] < now - RATE_WINDOW_SECONDS:
            self._commits.popleft()
        return sum(count for _, count in self._commits) / RATE_WINDOW_SECONDS

    def _cumulative(self) -> list[int]:
        return list(itertools.accumulate(self._buckets))

    def _current(self) -> dict[Key, float]:
        self.set("desktop_sync_items_per_second", self.items_per_second())
        return dict(self._values)

    def view(self) -> CountersView:
        now = self._clock()
        while self._recent and self._recent[0][0] < now - RECENT_SECONDS:
            self._recent.popleft()
        return CountersView(self._current(), LatencyWindow(tuple(o for _, o in self._recent)))

    def snapshot(self) -> dict[tuple[str, str], float]:
        """(name, labels text) -> value: what is persisted, the latency histogram's series included."""
        persisted = {(name, labels_text(labels)): value for (name, labels), value in self._current().items()}
        for le, count in zip(_BOUNDS, self._cumulative(), strict=True):
            persisted[(f"{LATENCY}_bucket", labels_text((("le", le),)))] = float(count)
        persisted[(f"{LATENCY}_sum", "")] = self._latency_sum
        persisted[(f"{LATENCY}_count", "")] = float(sum(self._buckets))
        return persisted

    def flat(self) -> dict[str, float]:
        """``name{labels}`` -> value."""
        return {name + labels: value for (name, labels), value in self.snapshot().items()}

    def restore(self, values: Mapping[tuple[str, str], float]) -> None:
        """Continue the running totals persisted by an earlier run (a latency histogram only when
        its buckets were persisted: earlier versions measured a mail's age, not the sync's delay)."""
        cumulative: dict[str, float] = {}
        for (name, text), value in values.items():
            labels = parse_labels(text)
            if labels is None:
                log.warning("a persisted counter %s has unreadable labels %r; it starts again", name, text)
                continue
            if name == f"{LATENCY}_bucket":
                cumulative[dict(labels).get("le", "")] = value
            elif _HELP.get(name, ("gauge", ""))[0] == "counter":
                self._values[(name, labels)] = value
        if all(bound in cumulative for bound in _BOUNDS):
            counts = [int(cumulative[bound]) for bound in _BOUNDS]
            self._buckets = [max(0, b - a) for a, b in zip([0, *counts], counts, strict=False)]
            self._latency_sum = values.get((f"{LATENCY}_sum", ""), 0.0)

    # --- Prometheus ----------------------------------------------------------------------------

    def prometheus_text(self) -> str:
        registry = CollectorRegistry(auto_describe=False)
        registry.register(CountersCollector(self))
        return generate_latest(registry).decode()

    def metric_families(self) -> Iterator[Metric]:
        by_name: dict[str, list[tuple[Labels, float]]] = collections.defaultdict(list)
        for (name, labels), value in sorted(self._current().items()):
            by_name[name].append((labels, value))
        for name, samples in by_name.items():
            kind, help_text = _HELP.get(name, ("gauge", name))
            yield _family(name, kind, help_text, samples)
        buckets = [(le, float(n)) for le, n in zip(_BOUNDS, self._cumulative(), strict=True)]
        yield HistogramMetricFamily(LATENCY, _LATENCY_HELP, buckets=buckets, sum_value=self._latency_sum)


def _family(name: str, kind: str, help_text: str, samples: Iterable[tuple[Labels, float]]) -> Metric:
    samples = list(samples)
    names = sorted({k for labels, _ in samples for k, _ in labels})
    family: CounterMetricFamily | GaugeMetricFamily
    if kind == "counter":
        family = CounterMetricFamily(name.removesuffix("_total"), help_text, labels=names)
    else:
        family = GaugeMetricFamily(name, help_text, labels=names)
    for labels, value in samples:
        given = dict(labels)
        family.add_metric([given.get(k, "") for k in names], value)
    return family


class CountersCollector:
    """A ``prometheus_client`` collector over the engine's counters (for a registry of its own)."""

    def __init__(self, counters: Counters):
        self._counters = counters

    def collect(self) -> Iterator[Metric]:
        return self._counters.metric_families()
