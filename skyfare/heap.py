"""The cyclic garbage collector of a long-running worker, set once it has started.

CPython's defaults (a young collection every 700 net allocations, a full one whenever a quarter
of the old generation is new) suit scripts, not an async server: a search's objects live for the
~80 ms its airlines take, outlive two young collections and get promoted into the old generation;
full collections then come every few seconds and each walks the whole heap (~120,000 objects of
modules, WSDLs and tables at start-up): 70–130 ms of CPU during which the worker answers nobody,
the cold-search tail (bench/results/2026-12-04-cold-tail.md). So, once start-up is over:

- `gc.freeze()` moves everything alive into a permanent generation no collection walks again;
- a larger young threshold lets a request's objects die (by reference count) before a young
  collection sees them, so few are promoted and full collections become rare and small.

Nothing is leaked by either: what is frozen was alive anyway, and garbage in cycles is still
collected, only in fewer, larger young collections (a few ms each).
"""

from __future__ import annotations

import gc


def settle(young_threshold: int) -> None:
    """After start-up: collect what start-up left, freeze the rest, then collect young objects
    every `young_threshold` net allocations (0: leave CPython's thresholds and freeze nothing)."""
    if young_threshold <= 0:
        return
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(young_threshold, middle, old)
