"""`skyfare_cache_requests_total{layer,outcome}`: each layer's answer to each lookup."""

from __future__ import annotations

from typing import Literal

from prometheus_client import Counter

Layer = Literal["l1", "redis"]
Outcome = Literal["hit", "miss", "stale", "error", "shared"]

REQUESTS = Counter(
    "skyfare_cache_requests_total",
    "Fare cache lookups by layer (l1, redis) and outcome (hit, miss, stale, error, shared:"
    " an entry another process loaded while this one waited on its lock).",
    ["layer", "outcome"],
)

_children: dict[tuple[str, str], Counter] = {}


def count(layer: Layer, outcome: Outcome) -> None:
    # Label children are cached: `.labels()` takes a lock and hashes on every call.
    child = _children.get((layer, outcome))
    if child is None:
        child = _children[layer, outcome] = REQUESTS.labels(layer, outcome)
    child.inc()
