"""`skyfare_cache_requests_total{layer,outcome}`: each layer's answer to each lookup; and the
process's L1 as it stands (`skyfare_cache_l1_bytes`, `_entries` and their bounds), so memory is
read against the bound in bytes, not only counted in entries.

Plain integers, exposed by a collector at scrape time (as `skyfare.metrics` does for HTTP): a
prometheus_client `Counter.inc` takes a lock on every call, and a cached search counts at least
one lookup. Each event loop is one thread, so a dict of ints is enough.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from itertools import product
from typing import TYPE_CHECKING, Literal, get_args

from prometheus_client import REGISTRY
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

if TYPE_CHECKING:
    from cache.memory import InMemoryFareCache

Layer = Literal["l1", "redis"]
Outcome = Literal["hit", "miss", "stale", "error", "shared"]

NAME = "skyfare_cache_requests"
HELP = (
    "Fare cache lookups by layer (l1, redis) and outcome (hit, miss, stale, error, shared:"
    " an entry another process loaded while this one waited on its lock)."
)

# Every (layer, outcome) from the start: `count` is one dict update, with no check of its own.
_counts: dict[tuple[str, str], int] = dict.fromkeys(product(get_args(Layer), get_args(Outcome)), 0)
# Whether this process looks fares up (a `TieredFareCache` was made): only then are the counts
# exported (every process imports this module, and the relay, the worker and analytics have no
# fare cache), at 0 from then on so a rate() sees the first lookup.
_started = False


def start() -> None:
    global _started
    _started = True


def count(layer: Layer, outcome: Outcome) -> None:
    _counts[layer, outcome] += 1


def value(layer: Layer, outcome: Outcome) -> int:
    """The count so far in this process (tests)."""
    return _counts[layer, outcome]


# The process's L1 (one per API process), held weakly: an app torn down in tests frees it.
_l1: weakref.ref[InMemoryFareCache] | None = None


def watch_l1(l1: InMemoryFareCache) -> None:
    """Export `l1`'s size at each scrape, in place of any L1 watched before."""
    global _l1
    _l1 = weakref.ref(l1)


class CacheCollector(Collector):
    def collect(self) -> Iterator[Metric]:
        if _started or any(_counts.values()):
            family = CounterMetricFamily(NAME, HELP, labels=("layer", "outcome"))
            for labels, total in _counts.items():
                family.add_metric(labels, total)
            yield family
        l1 = _l1() if _l1 is not None else None
        if l1 is None:
            return
        for name, text, value in (
            ("bytes", "What the L1's entries cost in memory now (entry_size), bytes.", l1.bytes),
            ("max_bytes", "The L1's bound in bytes (0: bounded by count only).", l1.max_bytes),
            ("entries", "Entries in the L1 now.", len(l1)),
            ("max_entries", "The L1's bound in entries.", l1.max_entries),
        ):
            yield GaugeMetricFamily(f"skyfare_cache_l1_{name}", text, value=value)


REGISTRY.register(CacheCollector())
