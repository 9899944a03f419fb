"""A process exports only the metrics it measures. `skyfare.cli` imports every command's
modules, so every process (search, booking, the relay, the worker) has every metric module
loaded: the worker's stream gauges were served as 0 by the API and relay processes, and the
outbox lag by search and booking, which run no relay, and the fare index breaker's state
(0: closed) by the relay and the worker, which have none; dashboards and alerts summing or
averaging them counted those zeros as "nothing waiting", "nothing broken"."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from prometheus_client import CollectorRegistry, Counter, generate_latest

from kernel.counters import MeasuredCounter, start_series
from kernel.gauges import MeasuredGauge

ROOT = Path(__file__).resolve().parents[3]
# What every Skyfare process imports (`skyfare serve`, `relay`, `worker` are commands of it),
# and its metrics as a scrape of it would read them before it measured anything.
_SCRAPE = """
import skyfare.cli, skyfare.app
from prometheus_client import REGISTRY, generate_latest
print(generate_latest(REGISTRY).decode())
"""
ONLY_WHERE_MEASURED = (
    "skyfare_notify_lag_events",
    "skyfare_notify_pending_events",
    "skyfare_notify_dead_letters",
    "skyfare_outbox_lag_seconds",
    "skyfare_fare_index_circuit_state",
)
# Counters without labels, each counted by some processes only: the relay's (search and the
# worker run none), the worker's, the rate limiter's (the relay and the worker have none), the
# helpdesk sync's (booking's), the usage publisher's (the API processes').
ONLY_WHERE_COUNTED = (
    "skyfare_events_published_total",
    "skyfare_outbox_relay_failures_total",
    "skyfare_events_dead_lettered_total",
    "skyfare_ratelimit_fail_open_total",
    "skyfare_support_synced_total",
    "skyfare_usage_events_published_total",
    "skyfare_usage_events_dropped_total",
)
# Counters with labels, each counted by some processes only, whose series were made at import
# (at 0, in every process): the seat map service's (search, booking), the seat desk's and the
# seat charges' and the payment audit's (booking's), the fare cache's and its price checks' (the
# API processes'). A family with no series yet writes only its HELP and TYPE lines. The others
# have their series from their component's start too (tests/e2e/deploy/, "series_from_the_start").
LABELLED_ONLY_WHERE_COUNTED = (
    "skyfare_seat_maps_total",
    "skyfare_seat_choices_total",
    "skyfare_seat_charges_total",
    "skyfare_payment_discrepancies_total",
    "skyfare_cache_requests_total",
    "skyfare_cache_price_checks_total",
    "skyfare_orders_total",
    "skyfare_order_transitions_total",
    "skyfare_order_cancels_total",
    "skyfare_order_limits_total",
    "skyfare_order_changes_total",
    "skyfare_order_changes_settled_total",
    "skyfare_cancellation_quotes_total",
    "skyfare_holds_swept_total",
    "skyfare_orders_reconciled_total",
    "skyfare_payments_total",
    "skyfare_webhook_verifications_failed_total",
    "skyfare_support_cases_opened_total",
    "skyfare_support_webhooks_total",
    "skyfare_events_consumed_total",
    "skyfare_notifications_sent_total",
    "skyfare_notifications_turned_off_total",
    "skyfare_connector_calls_total",
    "skyfare_connector_requests_total",
    "skyfare_fare_index_reads_total",
)
# The components that count them, made as their process makes them: then every series is there,
# at 0, so a rate() sees the first increment.
_SCRAPE_STARTED = """
import skyfare.cli, skyfare.app
from booking.seat_booking import SeatsAtBooking
from cache.memory import InMemoryFareCache
from cache.tiered import TieredFareCache
from payment.audit import PaymentAudit
from payment.seat_charges import SeatCharges
from search.stale_fares import StaleFares
from seats.service import SeatMapService
from prometheus_client import REGISTRY, generate_latest
SeatMapService({}, ttl_s=1, deadline_s=1)
SeatsAtBooking(timeout_s=1)
SeatCharges(None, None, None, timeout_s=1)
PaymentAudit(None, None, timeout_s=1)
StaleFares(TieredFareCache(InMemoryFareCache(1)), None, None, timeout_s=1, tag_timeout_s=1)
print(generate_latest(REGISTRY).decode())
"""


def _scrape(script: str = _SCRAPE) -> str:
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout


def test_a_process_exports_no_gauge_it_has_not_measured_nor_counter_it_does_not_count() -> None:
    scraped = _scrape()
    assert "skyfare_http_requests_total" in scraped  # a scrape of the process, not nothing
    assert [name for name in ONLY_WHERE_MEASURED if name in scraped] == []
    assert [name for name in ONLY_WHERE_COUNTED if name in scraped] == []
    series = [line.split("{")[0] for line in scraped.splitlines() if not line.startswith("#")]
    assert [name for name in LABELLED_ONLY_WHERE_COUNTED if name in series] == []


def test_a_labelled_counter_has_every_series_at_0_once_its_component_is_made() -> None:
    scraped = _scrape(_SCRAPE_STARTED)
    for line in (
        'skyfare_seat_maps_total{cache="miss"} 0.0',
        'skyfare_seat_choices_total{outcome="charged"} 0.0',
        'skyfare_seat_charges_total{outcome="late"} 0.0',
        'skyfare_payment_discrepancies_total{kind="refunded_differs"} 0.0',
        'skyfare_cache_requests_total{layer="redis",outcome="shared"} 0.0',
        'skyfare_cache_price_checks_total{outcome="gone"} 0.0',
    ):
        assert line in scraped.splitlines()


# What `GET /metrics` answers in such a process (`skyfare.metrics.exposition`).
_SCRAPE_ENDPOINT = """
import asyncio, skyfare.cli, skyfare.app
from aiohttp.test_utils import make_mocked_request
from skyfare.ops import metrics
print(asyncio.run(metrics(make_mocked_request("GET", "/metrics"))).body.decode())
"""


def test_metrics_writes_no_help_or_type_lines_for_a_family_without_a_sample() -> None:
    # prometheus_client writes a labelled family with no child as its HELP and TYPE lines
    # alone: no series in Prometheus, only noise (31 such families in a fresh API process).
    scraped = _scrape(_SCRAPE_ENDPOINT)
    assert "python_info{" in scraped  # a scrape of the process, not nothing
    lines = scraped.splitlines()
    samples = {line.split("{")[0].split(" ")[0] for line in lines if not line.startswith("#")}
    typed = [line.split(" ")[2] for line in lines if line.startswith("# TYPE ")]
    assert [name for name in typed if not any(s.startswith(name) for s in samples)] == []
    assert [name for name in LABELLED_ONLY_WHERE_COUNTED if name in scraped] == []


def test_a_measured_gauge_is_exported_once_set() -> None:
    registry = CollectorRegistry()
    gauge = MeasuredGauge("skyfare_test_backlog_events", "A test's backlog.", registry=registry)
    assert b"skyfare_test_backlog_events" not in generate_latest(registry)
    gauge.set(0)
    assert b"skyfare_test_backlog_events 0.0" in generate_latest(registry)
    assert gauge.value() == 0.0


def test_a_measured_counter_is_exported_from_its_start_and_counts_on() -> None:
    registry = CollectorRegistry()
    counter = MeasuredCounter("skyfare_test_rounds", "A test's rounds.", registry=registry)
    assert b"skyfare_test_rounds" not in generate_latest(registry)
    counter.start()  # the component that counts it started: 0, so rate() sees the first inc
    assert b"skyfare_test_rounds_total 0.0" in generate_latest(registry)
    counter.inc()
    counter.inc(2)
    scraped = generate_latest(registry).decode()
    assert "# TYPE skyfare_test_rounds_total counter" in scraped
    assert "skyfare_test_rounds_total 3.0" in scraped
    assert "skyfare_test_rounds_created " in scraped
    assert counter.value() == 3.0


def test_a_measured_counter_counted_without_a_start_is_exported_too() -> None:
    registry = CollectorRegistry()
    counter = MeasuredCounter("skyfare_test_sends_total", "A test's sends.", registry=registry)
    counter.inc()
    assert b"skyfare_test_sends_total 1.0" in generate_latest(registry)


def test_start_series_makes_every_series_of_the_labels_at_0() -> None:
    registry = CollectorRegistry()
    counter = Counter("skyfare_test_calls", "A test's calls.", ["op", "outcome"], registry=registry)
    assert b"skyfare_test_calls_total{" not in generate_latest(registry)
    start_series(counter, ["search", "hold"], ("ok", "timeout"))
    counter.labels("hold", "ok").inc()
    scraped = generate_latest(registry).decode().splitlines()
    assert [line for line in scraped if line.startswith("skyfare_test_calls_total")] == [
        'skyfare_test_calls_total{op="search",outcome="ok"} 0.0',
        'skyfare_test_calls_total{op="search",outcome="timeout"} 0.0',
        'skyfare_test_calls_total{op="hold",outcome="ok"} 1.0',
        'skyfare_test_calls_total{op="hold",outcome="timeout"} 0.0',
    ]
