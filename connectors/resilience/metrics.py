"""Prometheus metrics of the resilience layer (default registry), and per-connector handles.

The search engine records one sample per search outcome under `skyfare_connector_request*`; these
count what happens at the airline boundary: every attempt (retries and hedges included), every
refusal by the breaker or the bulkhead, and the breaker state.
"""

from __future__ import annotations

from itertools import product
from typing import Literal, get_args

from prometheus_client import Counter, Gauge, Histogram

from connectors.resilience.breaker import CircuitState

Operation = Literal[
    "search",
    "price",
    "hold",
    "retrieve",
    "ticket",
    "cancel",
    "seat_maps",
    "select_seats",
    "reshop",
    "change",
]
# ok / rejected (the airline said no) / timeout / error: attempts that reached the airline;
# cancelled: an attempt abandoned early (a hedge that lost, a caller that went away);
# circuit_open / bulkhead_full: calls refused before reaching the airline.
Outcome = Literal[
    "ok", "rejected", "timeout", "error", "cancelled", "circuit_open", "bulkhead_full"
]

CIRCUIT_STATE = Gauge(
    "skyfare_connector_circuit_state",
    "Circuit breaker state per connector: 0 closed, 1 half-open, 2 open.",
    ["connector"],
)
CALLS = Counter(
    "skyfare_connector_calls_total",
    "Airline attempts and refused calls, by operation and outcome.",
    ["connector", "operation", "outcome"],
)
CALL_DURATION = Histogram(
    "skyfare_connector_call_duration_seconds",
    "Duration of each attempt at the airline, by operation.",
    ["connector", "operation"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
RETRIES = Counter(
    "skyfare_connector_retries_total", "Retried attempts of idempotent calls.", ["connector"]
)
HEDGES = Counter("skyfare_connector_hedges_total", "Hedged search requests sent.", ["connector"])

_STATE_VALUE: dict[CircuitState, int] = {"closed": 0, "half_open": 1, "open": 2}


class ConnectorMetrics:
    """The metrics of one connector, with label children cached: `.labels()` locks and hashes."""

    def __init__(self, connector: str) -> None:
        self.connector = connector
        # Every call series and each operation's duration histogram at 0 from the connector's
        # start (a rate() sees its first increment, the dashboard's p95 its first attempt),
        # each looked up once here.
        self._calls: dict[tuple[Operation, Outcome], Counter] = {
            (operation, outcome): CALLS.labels(connector, operation, outcome)
            for operation, outcome in product(get_args(Operation), get_args(Outcome))
        }
        self._durations: dict[Operation, Histogram] = {
            operation: CALL_DURATION.labels(connector, operation)
            for operation in get_args(Operation)
        }
        self._state = CIRCUIT_STATE.labels(connector)
        self._retries = RETRIES.labels(connector)
        self._hedges = HEDGES.labels(connector)
        self._state.set(0)

    def call(self, operation: Operation, outcome: Outcome) -> None:
        """Count one attempt or refusal."""
        self._calls[operation, outcome].inc()

    def duration(self, operation: Operation, seconds: float) -> None:
        """Observe how long one attempt took."""
        self._durations[operation].observe(seconds)

    def state(self, state: CircuitState) -> None:
        """Export a breaker transition."""
        self._state.set(_STATE_VALUE[state])

    def retry(self) -> None:
        """Count one retried attempt."""
        self._retries.inc()

    def hedge(self) -> None:
        """Count one hedged request."""
        self._hedges.inc()
