"""`LatencyTracker`: percentiles of an airline's recent latencies, cheap enough for every call."""

from __future__ import annotations

import math
from bisect import bisect_left, insort


class LatencyTracker:
    """The last `capacity` latencies (seconds), with percentiles read in O(1).

    A ring buffer says which sample to forget; a sorted copy answers percentiles. Each `record` is a
    bisect plus a memmove of at most `capacity` floats (about a microsecond for 200), so the hedging
    decision can read p95 on every search without sorting.
    """

    def __init__(self, capacity: int = 200) -> None:
        if capacity <= 0:
            raise ValueError("capacity must be positive")
        self._capacity = capacity
        self._ring: list[float] = []
        self._next = 0  # the ring slot the next sample overwrites once full
        self._sorted: list[float] = []

    def __len__(self) -> int:
        return len(self._ring)

    def record(self, seconds: float) -> None:
        """Add one latency, forgetting the oldest once `capacity` are kept."""
        if len(self._ring) < self._capacity:
            self._ring.append(seconds)
        else:
            oldest = self._ring[self._next]
            del self._sorted[bisect_left(self._sorted, oldest)]
            self._ring[self._next] = seconds
            self._next = (self._next + 1) % self._capacity
        insort(self._sorted, seconds)

    def percentile(self, q: float) -> float | None:
        """The nearest-rank `q` quantile (0 < q <= 1) of the kept samples; None without samples."""
        if not self._sorted:
            return None
        rank = max(1, math.ceil(q * len(self._sorted)))
        return self._sorted[min(rank, len(self._sorted)) - 1]
