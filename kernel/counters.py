"""Counters a process exports only where it counts them (`MeasuredCounter`).

A prometheus_client `Counter` without labels is exported from the moment its module is imported,
as 0, by every process that imports it, and `skyfare.cli` imports every command's modules: the
relay's published events and failed rounds were served as 0 by every search process and by the
worker, the worker's dead letters by every API process and the relay, the rate limiter's fail-open
count by the relay and the worker, which have no rate limiter. A sum over them was right only by
luck, a `count()` or an `absent()` alert saw processes that do no such work, and a failed round
read "0 failures" from a process that has no relay. Like `kernel.gauges.MeasuredGauge`, a
`MeasuredCounter` exports nothing until this process counts: `start()` when the component that
counts it starts (it is then 0, so `rate()` sees the first increment), or the first `inc`.

A labelled prometheus_client `Counter` has no series until `.labels(...)` makes one, and
`/metrics` writes no family without a series (`skyfare.metrics.exposition`): `start_series`
makes them, at 0, when the component that counts them starts, for the same reason.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from itertools import product

from prometheus_client import REGISTRY, Counter
from prometheus_client.core import CounterMetricFamily, Metric
from prometheus_client.registry import Collector, CollectorRegistry

# Every one in the default registry, for the catalogue of metric names
# (tests/support/metric_names.py): not started, a counter is in no scrape.
_registered: list[MeasuredCounter] = []


class MeasuredCounter(Collector):
    """A counter without labels, absent from the exposition until this process counts it."""

    def __init__(
        self, name: str, documentation: str, registry: CollectorRegistry | None = REGISTRY
    ) -> None:
        # As prometheus_client names it: the family `x`, the series `x_total` and `x_created`.
        self.name = name.removesuffix("_total")
        self.documentation = documentation
        self._value: float | None = None
        self._created = 0.0
        if registry is not None:
            registry.register(self)
        if registry is REGISTRY:
            _registered.append(self)

    def start(self) -> None:
        """This process counts it from now on: exported, at 0 until the first `inc`."""
        if self._value is None:
            self._value = 0.0
            self._created = time.time()

    def inc(self, amount: float = 1.0) -> None:
        if self._value is None:
            self.start()
        self._value = (self._value or 0.0) + amount

    def value(self) -> float | None:
        """What this process counted; None where it never started counting."""
        return self._value

    def describe(self) -> list[Metric]:
        return [CounterMetricFamily(self.name, self.documentation)]

    def collect(self) -> Iterator[Metric]:
        if self._value is not None:
            yield CounterMetricFamily(
                self.name, self.documentation, value=self._value, created=self._created
            )


def measured_counters() -> tuple[MeasuredCounter, ...]:
    """Those of the default registry, started or not."""
    return tuple(_registered)


def start_series(counter: Counter, *values: Iterable[str]) -> None:
    """Every series of `counter` over the product of its labels' `values` (in the labels'
    order), at 0 where new: the component that counts them started, so a `rate()` or an
    `increase()` over one sees its first increment (a series that appears with its first
    increment starts at 1 and reads "no change")."""
    for labels in product(*values):
        counter.labels(*labels)
