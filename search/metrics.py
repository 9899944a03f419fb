"""Prometheus metrics of the fan-out: one sample per connector per search (default registry).

These describe what a search got from each connector (ok, timeout, error, circuit_open, skipped);
the resilience layer's `skyfare_connector_calls_total` counts the attempts behind them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import get_args

from prometheus_client import Counter, Histogram

from search.model import ConnectorOutcome

REQUESTS = Counter(
    "skyfare_connector_requests_total",
    "Connector answers within searches, by outcome.",
    ["connector", "status"],
)
REQUEST_DURATION = Histogram(
    "skyfare_connector_request_duration_seconds",
    "Time from asking a connector within a search to its answer (or the deadline).",
    ["connector"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)


class SearchMetrics:
    """Records fan-out outcomes, with label children cached: `.labels()` locks and hashes."""

    def __init__(self) -> None:
        self._requests: dict[tuple[str, ConnectorOutcome], Counter] = {}
        self._durations: dict[str, Histogram] = {}

    def start(self, connectors: Iterable[str]) -> None:
        """These connectors are asked in this process's searches: each one's series, its
        duration histogram's among them, at 0 from now on (not at import: the relay, the worker
        and analytics search nothing), so a rate() over one sees its first increment."""
        for connector in connectors:
            for status in get_args(ConnectorOutcome):
                self._requests[connector, status] = REQUESTS.labels(connector, status)
            self._durations[connector] = REQUEST_DURATION.labels(connector)

    def answer(self, connector: str, status: ConnectorOutcome, seconds: float) -> None:
        """Count one connector's outcome in one search and how long it took."""
        counter = self._requests.get((connector, status))
        if counter is None:
            counter = self._requests[connector, status] = REQUESTS.labels(connector, status)
        counter.inc()
        histogram = self._durations.get(connector)
        if histogram is None:
            histogram = self._durations[connector] = REQUEST_DURATION.labels(connector)
        histogram.observe(seconds)
