"""The resilience layer wrapped around every connector: breaker, bulkhead, deadlines, retries,
hedging, per-connector metrics and status. See `ResilientConnector`."""

from connectors.resilience.breaker import CircuitBreaker, CircuitState
from connectors.resilience.bulkhead import Bulkhead
from connectors.resilience.connector import ResilientConnector
from connectors.resilience.model import ConnectorStatus
from connectors.resilience.policy import ResiliencePolicy

__all__ = [
    "Bulkhead",
    "CircuitBreaker",
    "CircuitState",
    "ConnectorStatus",
    "ResiliencePolicy",
    "ResilientConnector",
]
