"""`OutcomeWindow`: successes and failures over a sliding time window, in O(1) per call."""

from __future__ import annotations

from collections import deque


class _Bucket:
    __slots__ = ("calls", "failures", "start")

    def __init__(self, start: float) -> None:
        self.start = start
        self.calls = 0
        self.failures = 0


class OutcomeWindow:
    """Call outcomes of the last `window_s` seconds, kept as `buckets` time slices.

    Slices rather than one entry per call keep memory bounded for a busy airline; the price is that
    the window is `window_s` to `window_s + window_s / buckets` long, which no threshold notices.
    """

    def __init__(self, window_s: float, *, buckets: int = 10) -> None:
        self._window_s = window_s
        self._width = window_s / buckets
        self._buckets: deque[_Bucket] = deque()
        self._calls = 0
        self._failures = 0

    def record(self, ok: bool, now: float) -> None:
        """Count one outcome at monotonic time `now`."""
        self._expire(now)
        start = now - now % self._width
        if not self._buckets or self._buckets[-1].start != start:
            self._buckets.append(_Bucket(start))
        bucket = self._buckets[-1]
        bucket.calls += 1
        self._calls += 1
        if not ok:
            bucket.failures += 1
            self._failures += 1

    def counts(self, now: float) -> tuple[int, int]:
        """`(calls, failures)` within the window ending at `now`."""
        self._expire(now)
        return self._calls, self._failures

    def clear(self) -> None:
        """Forget every outcome."""
        self._buckets.clear()
        self._calls = self._failures = 0

    def _expire(self, now: float) -> None:
        horizon = now - self._window_s
        while self._buckets and self._buckets[0].start + self._width <= horizon:
            old = self._buckets.popleft()
            self._calls -= old.calls
            self._failures -= old.failures
