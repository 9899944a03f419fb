"""Gauges a process exports only once it has measured them (`MeasuredGauge`).

A prometheus_client `Gauge` is exported from the moment its module is imported, as 0, by every
process that imports it. `skyfare.cli` imports every command's modules, so the notification
worker's stream gauges (lag, pending, dead letters) were served as 0 by every search and booking
process and by the relay, the outbox lag by search and booking processes that run no relay, and
the fare index breaker's state ("closed") by the relay and the worker, which have no breaker:
a dashboard or alert that sums or averages them, or an autoscaler reading them, counted zeros
that no one measured as "nothing waiting". A `MeasuredGauge` exports nothing until `set`, so the
series come only from the processes that know the value.
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import REGISTRY
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector, CollectorRegistry

# Every one in the default registry, for the catalogue of metric names
# (tests/support/metric_names.py): unset, a gauge is in no scrape, though a process that
# measures it exports it.
_registered: list[MeasuredGauge] = []


class MeasuredGauge(Collector):
    """A gauge without labels, absent from the exposition until this process `set`s it."""

    def __init__(
        self, name: str, documentation: str, registry: CollectorRegistry | None = REGISTRY
    ) -> None:
        self.name = name
        self.documentation = documentation
        self._value: float | None = None
        if registry is not None:
            registry.register(self)
        if registry is REGISTRY:
            _registered.append(self)

    def set(self, value: float) -> None:
        self._value = float(value)

    def value(self) -> float | None:
        """What this process last measured; None before it measured anything."""
        return self._value

    def describe(self) -> list[Metric]:
        # What the registry checks names against, set or not.
        return [GaugeMetricFamily(self.name, self.documentation)]

    def collect(self) -> Iterator[Metric]:
        if self._value is not None:
            yield GaugeMetricFamily(self.name, self.documentation, value=self._value)


def measured_gauges() -> tuple[MeasuredGauge, ...]:
    """Those of the default registry, set or not."""
    return tuple(_registered)
