"""The counters in the Prometheus text format, written by prometheus_client: whatever a mailbox
address, a profile name or an error code holds (quotes, backslashes, new lines, any script), the
text parses back to the same label values; latency is a histogram; totals survive a restart."""

from __future__ import annotations

import asyncio
import math

from hypothesis import given, settings
from hypothesis import strategies as st
from prometheus_client.parser import text_string_to_metric_families

from desktop_sync.engine.counters import LATENCY_BUCKETS, Counters, labels_text, parse_labels
from desktop_sync.engine.metrics_server import MetricsServer


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


pieces = st.sampled_from(['"', "\\", "\n", "\\n", '\\"', "}", "{", ",", "=", "é", "日本", "\u2028"])
hostile = st.lists(st.text(st.characters(blacklist_categories=("Cs",)), max_size=8) | pieces, max_size=6).map("".join)
addresses = st.builds(lambda local, domain: f"{local}@{domain}", hostile, hostile)


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


@settings(max_examples=2000)
@given(mailbox=addresses, code=hostile, kind=hostile, seconds=st.floats(0, 1e6, allow_nan=False))
def test_label_values_of_any_kind_parse_back_to_themselves(mailbox: str, code: str, kind: str, seconds: float) -> None:
    counters = Counters()
    counters.cycle_finished(mailbox, seconds)
    counters.error(kind, code)
    parsed = samples(counters.prometheus_text())
    assert parsed[("desktop_sync_cycle_seconds_last", (("mailbox", mailbox),))] == seconds
    assert parsed[("desktop_sync_errors_total", (("code", code), ("kind", kind)))] == 1.0
    assert parsed[("desktop_sync_cycles_total", ())] == 1.0


@settings(max_examples=1000)
@given(st.dictionaries(st.sampled_from(["mailbox", "profile", "code", "kind", "queue"]), hostile, max_size=4))
def test_persisted_labels_read_back_to_the_same_values(labels: dict[str, str]) -> None:
    pairs = tuple(sorted(labels.items()))
    assert parse_labels(labels_text(pairs)) == pairs


@settings(max_examples=500)
@given(st.lists(st.tuples(st.floats(0, 5000, allow_nan=False), st.integers(1, 100)), max_size=30))
def test_latency_is_a_histogram_with_cumulative_buckets_a_sum_and_a_count(batches: list[tuple[float, int]]) -> None:
    counters = Counters()
    for seconds, count in batches:
        counters.items_committed(count, seconds)
    families = {f.name: f for f in text_string_to_metric_families(counters.prometheus_text())}
    histogram = families["desktop_sync_latency_seconds"]
    assert histogram.type == "histogram"
    by_name: dict[str, list[tuple[dict[str, str], float]]] = {}
    for sample in histogram.samples:
        by_name.setdefault(sample.name, []).append((sample.labels, sample.value))
    total = sum(count for _, count in batches)
    assert by_name["desktop_sync_latency_seconds_count"] == [({}, float(total))]
    ((_, summed),) = by_name["desktop_sync_latency_seconds_sum"]
    assert math.isclose(summed, sum(s * c for s, c in batches), rel_tol=1e-9, abs_tol=1e-6)
    buckets = {labels["le"]: value for labels, value in by_name["desktop_sync_latency_seconds_bucket"]}
    assert buckets["+Inf"] == total
    for bound in LATENCY_BUCKETS:
        assert buckets[repr(bound)] == sum(c for s, c in batches if s <= bound)
    items = families.get("desktop_sync_items")
    assert (items.samples[0].value if items else 0) == total


def test_items_without_a_known_learning_time_count_but_are_not_observed() -> None:
    counters = Counters()
    counters.items_committed(3, None)
    assert counters.flat()["desktop_sync_items_total"] == 3
    assert counters.flat()["desktop_sync_latency_seconds_count"] == 0


def test_the_totals_and_the_latency_histogram_continue_after_a_restart() -> None:
    before = Counters()
    before.error("transient", 'said "no"\\\n')
    before.items_committed(4, 0.3)
    before.items_committed(1, 7.0)
    before.set("desktop_sync_queue_length", 2, queue="mailboxes")  # a gauge: not carried over
    after = Counters()
    after.restore(before.snapshot())
    after.items_committed(1, 0.3)
    parsed = samples(after.prometheus_text())
    assert parsed[("desktop_sync_errors_total", (("code", 'said "no"\\\n'), ("kind", "transient")))] == 1
    assert parsed[("desktop_sync_items_total", ())] == 6
    assert parsed[("desktop_sync_latency_seconds_count", ())] == 6
    assert parsed[("desktop_sync_latency_seconds_bucket", (("le", "0.5"),))] == 5
    assert parsed[("desktop_sync_latency_seconds_bucket", (("le", "10.0"),))] == 6
    assert ("desktop_sync_queue_length", (("queue", "mailboxes"),)) not in parsed


def test_a_store_of_an_earlier_version_keeps_its_totals_but_not_its_mail_age_latency() -> None:
    earlier = {
        ("desktop_sync_items_total", ""): 12.0,
        ("desktop_sync_errors_total", '{code="imap_refused",kind="permanent"}'): 2.0,
        ("desktop_sync_latency_seconds_sum", ""): 86400.0 * 30,  # the age of old mail, not a delay
        ("desktop_sync_latency_seconds_count", ""): 12.0,
        ("desktop_sync_broken", "{not labels"): 1.0,
    }
    counters = Counters()
    counters.restore(earlier)
    parsed = samples(counters.prometheus_text())
    assert parsed[("desktop_sync_items_total", ())] == 12
    assert parsed[("desktop_sync_errors_total", (("code", "imap_refused"), ("kind", "permanent")))] == 2
    assert parsed[("desktop_sync_latency_seconds_count", ())] == 0
    assert parsed[("desktop_sync_latency_seconds_sum", ())] == 0


def test_the_latency_window_keeps_the_last_five_minutes() -> None:
    clock = Clock()
    counters = Counters(clock=clock)
    counters.items_committed(2, 1.0)
    clock.now += 200
    counters.items_committed(1, 3.0)
    assert counters.view().latency.items == 3
    clock.now += 200  # the first batch is now 400 s old
    window = counters.view().latency
    assert window.items == 1 and window.quantile(0.5) == 3.0
    assert window.since(window.last_serial).items == 0


@settings(max_examples=50, deadline=None)
@given(mailbox=addresses)
def test_the_metrics_server_serves_text_that_parses_back(mailbox: str) -> None:
    counters = Counters()
    counters.cycle_finished(mailbox, 1.5)
    counters.items_committed(2, 0.2)

    async def scrape() -> tuple[str, str]:
        server = MetricsServer(counters.prometheus_text, port=0)
        await server.start()
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
            writer.write(b"GET /metrics HTTP/1.0\r\n\r\n")
            await writer.drain()
            response = (await reader.read()).decode()
            writer.close()
            await writer.wait_closed()
        finally:
            await server.stop()
        head, _, body = response.partition("\r\n\r\n")
        return head, body

    head, body = asyncio.run(scrape())
    assert head.startswith("HTTP/1.0 200 OK") and "Content-Type: text/plain; version=0.0.4" in head
    parsed = samples(body)
    assert parsed[("desktop_sync_cycle_seconds_last", (("mailbox", mailbox),))] == 1.5
    assert parsed[("desktop_sync_latency_seconds_count", ())] == 2
