"""What the resilience layer reports about one connector (`GET /v1/connectors`)."""

from __future__ import annotations

import msgspec

from connectors.model import ConnectorKind
from connectors.resilience.breaker import CircuitState


class ConnectorStatus(msgspec.Struct, frozen=True):
    """One connector's health as the resilience layer sees it now.

    `error_rate` and `calls` cover the breaker's sliding window (calls that reached the airline,
    counted once however many attempts they took); `p50_ms`/`p99_ms` cover the last attempts
    (`ResiliencePolicy.latency_samples`), None before the first one.
    """

    name: str
    kind: ConnectorKind
    circuit_state: CircuitState
    error_rate: float
    calls: int
    p50_ms: float | None
    p99_ms: float | None
    in_flight: int
