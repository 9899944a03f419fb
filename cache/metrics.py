"""`skyfare_cache_requests_total{layer,outcome}`: each layer's answer to each lookup.

Plain integers, exposed by a collector at scrape time (as `skyfare.metrics` does for HTTP): a
prometheus_client `Counter.inc` takes a lock on every call, and a cached search counts at least
one lookup. Each event loop is one thread, so a dict of ints is enough.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import product
from typing import Literal, get_args

from prometheus_client import REGISTRY
from prometheus_client.core import CounterMetricFamily, Metric
from prometheus_client.registry import Collector

Layer = Literal["l1", "redis"]
Outcome = Literal["hit", "miss", "stale", "error", "shared"]

NAME = "skyfare_cache_requests"
HELP = (
    "Fare cache lookups by layer (l1, redis) and outcome (hit, miss, stale, error, shared:"
    " an entry another process loaded while this one waited on its lock)."
)

# Every (layer, outcome) from the start: `count` is one dict update, and a scrape shows zeros.
_counts: dict[tuple[str, str], int] = dict.fromkeys(product(get_args(Layer), get_args(Outcome)), 0)


def count(layer: Layer, outcome: Outcome) -> None:
    _counts[layer, outcome] += 1


def value(layer: Layer, outcome: Outcome) -> int:
    """The count so far in this process (tests)."""
    return _counts[layer, outcome]


class CacheCollector(Collector):
    def collect(self) -> Iterator[Metric]:
        family = CounterMetricFamily(NAME, HELP, labels=("layer", "outcome"))
        for labels, total in _counts.items():
            family.add_metric(labels, total)
        yield family


REGISTRY.register(CacheCollector())
