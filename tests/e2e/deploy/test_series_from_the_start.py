"""A fresh process of each kind serves on its `/metrics` every series deploy/'s alert rules name,
and every counter and histogram the dashboard reads with rate() or increase(), before it counted
anything.

`/metrics` writes no family without a sample (skyfare/metrics.py), and a labelled counter or
histogram has no series until its first `.labels(...)`: one made by its first increment starts
at 1, and rate() and increase() read a series' first sample as no change.
SkyfareFareIndexCircuitOpen (`increase(skyfare_fare_index_reads_total{outcome="circuit_open"}[5m])
> 0`) never fired for a process whose breaker opened once, the dashboard's rates missed each
one-off event (the first refused order, the first dead-lettered notification), and the 5xx share
by route (`skyfare_http_requests_total{status=~"5.."}`) missed each route's first error after a
start. Each component now makes its series at 0 when it starts (docs/conventions.md, "Metrics");
the HTTP families are read `by (route)`, so every route the process serves is checked for them.
A route's first 200 or 404 after a start was missed the same way: each status its OpenAPI
operation documents is counted from 0 as well, and no other.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import msgspec
import pytest

from skyfare.app import create_app
from skyfare.keys import OPENAPI_DOCUMENT
from skyfare.settings import load_settings
from tests.e2e.conftest import closed_port
from tests.support.database import migrated_pool
from tests.support.notify import eventually
from tests.support.observability import (
    Selector,
    dashboard_expressions,
    rated_names,
    rule_expressions,
    scraped_series,
    selectors,
)
from tests.support.services import ServiceProcess, service_environment
from tests.support.sim import running_sim

pytestmark = pytest.mark.slow

SEARCH, BOOKING, RELAY, WORKER, ANALYTICS = "search", "booking", "relay", "worker", "analytics"
API = (SEARCH, BOOKING)
# The process kinds that serve each metric from their start (deploy/: the two API deployables,
# the relay, the notification worker, the analytics consumer).
SERVED_BY: dict[str, tuple[str, ...]] = {
    "skyfare_http_requests_total": (SEARCH, BOOKING, ANALYTICS),
    "skyfare_http_request_duration_seconds_bucket": (SEARCH, BOOKING, ANALYTICS),
    "skyfare_connector_call_duration_seconds_bucket": API,
    "skyfare_connector_request_duration_seconds_bucket": API,
    "skyfare_cache_requests_total": API,
    "skyfare_cache_price_checks_total": API,
    "skyfare_connector_circuit_state": API,
    "skyfare_connector_calls_total": API,
    "skyfare_connector_requests_total": API,
    "skyfare_connector_retries_total": API,
    "skyfare_connector_hedges_total": API,
    "skyfare_fare_index_circuit_state": API,
    "skyfare_fare_index_reads_total": API,
    "skyfare_seat_maps_total": API,
    "skyfare_order_limits_total": (BOOKING, ANALYTICS),
    "skyfare_ratelimit_fail_open_total": API,
    "skyfare_session_cutoff_fail_open_total": (BOOKING, ANALYTICS),
    "skyfare_usage_events_published_total": API,
    "skyfare_usage_events_dropped_total": API,
    "skyfare_orders_total": (BOOKING,),
    "skyfare_order_transitions_total": (BOOKING,),
    "skyfare_order_cancels_total": (BOOKING,),
    "skyfare_order_changes_total": (BOOKING,),
    "skyfare_order_changes_settled_total": (BOOKING,),
    "skyfare_order_change_webhooks_total": (BOOKING,),
    "skyfare_cancellation_quotes_total": (BOOKING,),
    "skyfare_holds_swept_total": (BOOKING,),
    "skyfare_orders_reconciled_total": (BOOKING,),
    "skyfare_seat_choices_total": (BOOKING,),
    "skyfare_payments_total": (BOOKING,),
    "skyfare_seat_charges_total": (BOOKING,),
    "skyfare_payment_discrepancies_total": (BOOKING,),
    "skyfare_webhook_verifications_failed_total": (BOOKING,),
    "skyfare_support_cases_opened_total": (BOOKING,),
    "skyfare_support_webhooks_total": (BOOKING,),
    "skyfare_support_synced_total": (BOOKING,),
    "skyfare_outbox_lag_seconds": (RELAY,),
    "skyfare_events_published_total": (RELAY,),
    "skyfare_outbox_relay_failures_total": (RELAY,),
    "skyfare_notify_lag_events": (WORKER,),
    "skyfare_notify_dead_letters": (WORKER,),
    "skyfare_events_consumed_total": (WORKER,),
    "skyfare_events_dead_lettered_total": (WORKER,),
    "skyfare_notifications_sent_total": (WORKER,),
    "skyfare_notifications_turned_off_total": (WORKER,),
}
# Read `by (route)`: each route's own series, not one of any route. Every (route, method) the
# plumbing serves has its duration histogram from the app's start: the routes to check.
PER_ROUTE = frozenset(
    {"skyfare_http_requests_total", "skyfare_http_request_duration_seconds_bucket"}
)
ROUTES = "skyfare_http_request_duration_seconds_count"
# A histogram's series that a rate() reads, beside a counter's.
_COUNTED = ("_total", "_bucket", "_count", "_sum")


def _read() -> set[Selector]:
    """The rules' selectors, and the dashboard's of the counters and histograms it rates."""
    read = {s for expression in rule_expressions() for s in selectors(expression)}
    for expression in dashboard_expressions():
        rated = {name for name in rated_names(expression) if name.endswith(_COUNTED)}
        read |= {s for s in selectors(expression) if s.name in rated}
    return read


def test_every_metric_read_has_the_processes_that_serve_it() -> None:
    names = {selector.name for selector in _read()}
    assert "skyfare_fare_index_reads_total" in names  # the rules and the dashboard were read
    assert "skyfare_connector_call_duration_seconds_bucket" in names  # a histogram's too
    assert sorted(names - SERVED_BY.keys()) == []


@pytest.fixture
async def environment(
    database_url: str, redis_url: str, stream: str, tmp_path: Path
) -> AsyncIterator[dict[str, str]]:
    """Every process's settings: the test's sim, a schema and streams of its own (the relay
    moves nothing of other tests'), each process's ports."""
    async with (
        running_sim() as sim,
        migrated_pool(database_url, prefix="series") as pool,
    ):
        schema = await pool.fetchval("SELECT current_schema()")
        separator = "&" if "?" in database_url else "?"
        yield service_environment(
            # asyncpg passes unknown DSN parameters on as server settings.
            f"{database_url}{separator}search_path={schema}",
            redis_url,
            sim,
            SKYFARE_EVENT_STREAM=stream,
            SKYFARE_USAGE_STREAM=f"{stream}:usage",
            SKYFARE_DATA_DIR=str(tmp_path),
            SKYFARE_ANALYTICS_DIR=str(tmp_path / "analytics"),
            SKYFARE_RELAY_METRICS_PORT=str(closed_port()),
            SKYFARE_NOTIFY_METRICS_PORT=str(closed_port()),
            SKYFARE_ANALYTICS_PORT=str(closed_port()),
        )


def _metrics_port(kind: str, port: int, env: dict[str, str]) -> int:
    setting = {
        RELAY: "SKYFARE_RELAY_METRICS_PORT",
        WORKER: "SKYFARE_NOTIFY_METRICS_PORT",
        ANALYTICS: "SKYFARE_ANALYTICS_PORT",
    }.get(kind)
    return port if setting is None else int(env[setting])


async def _scrape(port: int) -> str:
    """The process's /metrics; "" while it does not listen yet."""
    try:
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"http://127.0.0.1:{port}/metrics") as response,
        ):
            return await response.text() if response.status == 200 else ""
    except aiohttp.ClientConnectionError:
        return ""


def _missing(expected: set[Selector], scraped: str) -> list[str]:
    series = scraped_series(scraped)
    routes = {(labels["route"], labels["method"]) for name, labels in series if name == ROUTES}
    of_route: dict[tuple[str, str], list[tuple[str, dict[str, str]]]] = {r: [] for r in routes}
    for name, labels in series:
        found = of_route.get((labels.get("route", ""), labels.get("method", "")))
        if name in PER_ROUTE and found is not None:
            found.append((name, labels))
    missing = [
        f"{selector} of {method} {route}"
        for selector in expected
        if selector.name in PER_ROUTE
        for (route, method), found in of_route.items()
        if not any(selector.matches(*s) for s in found)
    ]
    if not routes and any(s.name in PER_ROUTE for s in expected):
        missing.append(f"{ROUTES} (the routes served)")
    missing += [
        str(selector)
        for selector in expected
        if selector.name not in PER_ROUTE and not any(selector.matches(*s) for s in series)
    ]
    return sorted(missing)


async def _fresh_scrape(kind: str, environment: dict[str, str], expected: set[Selector]) -> str:
    """A fresh process's first /metrics that has every series of `expected`."""
    port = closed_port()
    process = await ServiceProcess.start(kind, port, environment)
    scraped = ""
    try:
        metrics_port = _metrics_port(kind, port, environment)

        async def served() -> bool:
            # Gauges come with their first measure (the relay's lag after its first round),
            # counters with their component's start: polled, as a process starts on its pace.
            nonlocal scraped
            scraped = await _scrape(metrics_port)
            return bool(scraped) and not _missing(expected, scraped)

        with contextlib.suppress(AssertionError):  # said below, with what is missing
            await eventually(served, timeout_s=30, every_s=0.1)
        assert scraped, f"{kind}: no /metrics on port {metrics_port}"
    finally:
        assert await process.stop() == 0, kind
    return scraped


@pytest.mark.parametrize("kind", [SEARCH, BOOKING, RELAY, WORKER, ANALYTICS])
async def test_a_fresh_process_serves_every_series_the_rules_and_the_dashboard_read(
    kind: str, environment: dict[str, str]
) -> None:
    expected = {s for s in _read() if kind in SERVED_BY.get(s.name, ())}
    scraped = await _fresh_scrape(kind, environment, expected)
    assert _missing(expected, scraped) == []


def _documented(kind: str, environment: dict[str, str]) -> dict[tuple[str, str], set[str]]:
    """(route name, method) → the statuses the OpenAPI document lists for its operation, of
    each named route a `kind` process serves."""
    app = create_app(load_settings(environment), kind)
    paths = msgspec.json.decode(app[OPENAPI_DOCUMENT])["paths"]
    documented: dict[tuple[str, str], set[str]] = {}
    for resource in app.router.resources():
        for route in resource:
            operation = paths.get(resource.canonical, {}).get(route.method.lower())
            if resource.name is not None and operation is not None:
                statuses = documented.setdefault((resource.name, route.method), set())
                statuses.update(operation["responses"])
    return documented


@pytest.mark.parametrize("kind", [SEARCH, BOOKING, ANALYTICS])
async def test_a_fresh_process_counts_each_status_a_route_documents_from_0(
    kind: str, environment: dict[str, str]
) -> None:
    """A route's first 200 (or 404, 422…) after a start is seen by rate() and increase(): each
    status its operation documents has its series at 0 before any request (HEAD: GET's). And
    only those, beside 500 and 503: the series are bounded by the document, not by traffic."""
    documented = _documented(kind, environment)
    assert (("healthz", "GET")) in documented  # the document was read
    scraped = await _fresh_scrape(kind, environment, set())
    counted: dict[tuple[str, str], set[str]] = {}
    for name, labels in scraped_series(scraped):
        if name == "skyfare_http_requests_total":
            key = (labels["route"], labels["method"])
            counted.setdefault(key, set()).add(labels["status"])
    for route, method in list(counted):
        if method == "HEAD" and (route, "GET") in documented:
            documented[(route, "HEAD")] = documented[(route, "GET")]
    differing = {
        f"{method} {route}: {sorted(counted.get((route, method), set()) ^ expected)}"
        for (route, method), statuses in documented.items()
        if counted.get((route, method)) != (expected := statuses | {"500", "503"})
    }
    assert sorted(differing) == []
    # Nor a series of a route another kind serves: booking counted POST /v1/search at 0.
    served = {route for route, _ in documented} | {"unnamed"}
    assert sorted({route for route, _ in counted} - served) == []
