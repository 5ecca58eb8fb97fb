"""Performance counters: queue lengths, items per second, cycle durations, latency, errors by kind.

Kept in memory, published as CountersUpdated events, persisted periodically, and rendered in the
Prometheus text format for monitoring tools.
"""

from __future__ import annotations

import collections
import time
from collections.abc import Callable, Mapping

RATE_WINDOW_SECONDS = 60.0

_HELP = {
    "desktop_sync_queue_length": ("gauge", "Jobs waiting in each engine queue."),
    "desktop_sync_queue_running": ("gauge", "Jobs running in each engine queue."),
    "desktop_sync_items_total": ("counter", "Items committed to the CRM store."),
    "desktop_sync_items_per_second": ("gauge", "Items committed per second over the last minute."),
    "desktop_sync_cycles_total": ("counter", "Mailbox cycles run."),
    "desktop_sync_cycle_seconds_last": ("gauge", "Duration of the last cycle of each mailbox."),
    "desktop_sync_cycle_seconds_max": ("gauge", "Longest mailbox cycle since start."),
    "desktop_sync_latency_seconds_sum": ("counter", "Sum of server arrival to commit latencies."),
    "desktop_sync_latency_seconds_count": ("counter", "Items with a known server arrival time."),
    "desktop_sync_latency_seconds_max": ("gauge", "Longest server arrival to commit latency."),
    "desktop_sync_errors_total": ("counter", "Errors by kind (transient, permanent) and code."),
    "desktop_sync_mailboxes": ("gauge", "Mailboxes by state."),
}


def _labels(labels: Mapping[str, str]) -> str:
    if not labels:
        return ""
    inner = ",".join(f'{k}="{v}"'.replace("\\", "\\\\").replace("\n", " ") for k, v in sorted(labels.items()))
    return "{" + inner + "}"


class Counters:
    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self._clock = clock
        self._values: dict[tuple[str, str], float] = {}
        self._commits: collections.deque[tuple[float, int]] = collections.deque()

    # --- recording -----------------------------------------------------------------------------

    def set(self, name: str, value: float, **labels: str) -> None:
        self._values[(name, _labels(labels))] = float(value)

    def add(self, name: str, amount: float = 1.0, **labels: str) -> None:
        key = (name, _labels(labels))
        self._values[key] = self._values.get(key, 0.0) + amount

    def maximum(self, name: str, value: float, **labels: str) -> None:
        key = (name, _labels(labels))
        self._values[key] = max(self._values.get(key, 0.0), value)

    def items_committed(self, count: int, latencies: list[float]) -> None:
        now = self._clock()
        self.add("desktop_sync_items_total", count)
        self._commits.append((now, count))
        for latency in latencies:
            self.add("desktop_sync_latency_seconds_sum", latency)
            self.add("desktop_sync_latency_seconds_count")
            self.maximum("desktop_sync_latency_seconds_max", latency)

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

    def snapshot(self) -> dict[tuple[str, str], float]:
        self.set("desktop_sync_items_per_second", self.items_per_second())
        return dict(self._values)

    def flat(self) -> dict[str, float]:
        """``name{labels}`` -> value, for events and the dashboard."""
        return {name + labels: value for (name, labels), value in self.snapshot().items()}

    def restore(self, values: Mapping[tuple[str, str], float]) -> None:
        """Continue the running totals persisted by an earlier run."""
        for (name, labels), value in values.items():
            kind = _HELP.get(name, ("gauge", ""))[0]
            if kind == "counter":
                self._values[(name, labels)] = value

    def prometheus_text(self) -> str:
        lines: list[str] = []
        by_name: dict[str, list[tuple[str, float]]] = collections.defaultdict(list)
        for (name, labels), value in sorted(self.snapshot().items()):
            by_name[name].append((labels, value))
        for name, samples in by_name.items():
            kind, help_text = _HELP.get(name, ("gauge", name))
            lines.append(f"# HELP {name} {help_text}")
            lines.append(f"# TYPE {name} {kind}")
            lines.extend(f"{name}{labels} {value:g}" for labels, value in samples)
        return "\n".join(lines) + "\n"
