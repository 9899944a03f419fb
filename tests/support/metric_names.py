"""The metric names Skyfare's processes really expose, from the code's own registry.

Every module that names a `skyfare_*` metric is imported (so its metrics register in
prometheus_client's default registry), then each family's exposed series names are derived from
its type, as the text exposition writes them: a counter `x` as `x_total` (and `x_created`), a
histogram as `x_bucket`, `x_sum`, `x_count`, a gauge as `x`. A family with labels and no child yet
has no sample, which is why the names come from the types and not from a scrape.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

from prometheus_client import REGISTRY

from cache import metrics as cache_metrics
from cache.memory import InMemoryFareCache
from kernel.counters import measured_counters
from kernel.gauges import measured_gauges

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = (
    "kernel",
    "skyfare",
    "search",
    "connectors",
    "cache",
    "booking",
    "payment",
    "notify",
    "users",
    "analytics",
    "seats",
    "support",
)
_SUFFIXES = {
    "counter": ("_total", "_created"),
    "histogram": ("_bucket", "_sum", "_count", "_created"),
    "summary": ("_sum", "_count", "_created"),
    "gauge": ("",),
    "info": ("_info",),
    "stateset": ("",),
    "gaugehistogram": ("_bucket", "_gsum", "_gcount"),
    "unknown": ("",),
}
# A metric name where PromQL or a recording rule may use it: a name, not a label value or a string.
NAME_IN_EXPR = re.compile(r"\b(skyfare_[a-z0-9_]+)\b")


def _modules() -> list[str]:
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if '"skyfare_' in path.read_text():
                module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
                found.append(module.removesuffix(".__init__"))
    return found


def exposed() -> set[str]:
    """Every series name a Skyfare process can expose."""
    for module in _modules():
        importlib.import_module(module)
    # The fare cache's L1 gauges exist once a serving process watches its L1 (cache/metrics.py):
    # one is watched for this collection, then whatever this process watched is put back.
    # Without it they were missing here, and the dashboard could leave them out (found when an
    # app created earlier in the same test process had them in the registry).
    # Its lookup counts, likewise, once a process has a fare cache.
    held, started = cache_metrics._l1, cache_metrics._started
    l1 = InMemoryFareCache(1)
    cache_metrics.watch_l1(l1)
    cache_metrics.start()
    try:
        families = list(REGISTRY.collect())
    finally:
        cache_metrics._l1, cache_metrics._started = held, started
    names: set[str] = set()
    # Exported only by the process that measures them (kernel/gauges.py): in no scrape here.
    names.update(gauge.name for gauge in measured_gauges())
    names.update(
        counter.name + suffix for counter in measured_counters() for suffix in _SUFFIXES["counter"]
    )
    for family in families:
        if not family.name.startswith("skyfare_"):
            continue
        names.update(family.name + suffix for suffix in _SUFFIXES[family.type])
    return names
