"""`CircuitBreaker`: a failure-rate breaker with a sliding time window and bounded half-open probes.

The Python breaker libraries (pybreaker, aiobreaker, circuitbreaker, purgatory) open after N
*consecutive* failures and let any number of calls through once half-open, which for a busy airline
means one slow success hides a 90 % failure rate, and recovery is stampeded. This one is small,
synchronous and pure apart from the injected clock and random source.
"""

from __future__ import annotations

import logging
import random
import time
from collections import deque
from collections.abc import Callable
from typing import Literal

from connectors.errors import CircuitOpen
from connectors.resilience.policy import ResiliencePolicy
from connectors.resilience.window import OutcomeWindow

logger = logging.getLogger(__name__)

CircuitState = Literal["closed", "open", "half_open"]


class CircuitBreaker:
    """closed → open → half_open → closed (or back to open), per connector (or store: the fare
    index's reads, search/fare_index_breaker.py).

    `acquire()` returns a permit (or raises `CircuitOpen`); the caller hands it back with exactly
    one of `record_success`, `record_failure` or `release` (no verdict). Permits carry the epoch of
    the state that issued them, so a call admitted before a transition cannot count in the next
    state: a slow call from the closed era is not mistaken for a half-open probe.
    """

    def __init__(
        self,
        name: str,
        policy: ResiliencePolicy,
        *,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
        on_transition: Callable[[CircuitState], None] | None = None,
        kind: str = "connector",
    ) -> None:
        self.name = name
        self._kind = kind  # what the logs call the guarded dependency
        self._policy = policy
        self._clock = clock
        self._rng = rng or random.Random()
        self._on_transition = on_transition
        self._window = OutcomeWindow(policy.window_s)
        # When each failure since the last success failed (only the last `open_after_failures`).
        self._streak: deque[float] = deque(maxlen=policy.open_after_failures or 1)
        self._state: CircuitState = "closed"
        self._epoch = 0
        self._open_until = 0.0
        self._probes = 0  # half-open probes in flight
        self._probe_successes = 0

    @property
    def state(self) -> CircuitState:
        """The current state; an expired open interval turns into half-open on reading."""
        if self._state == "open" and self._clock() >= self._open_until:
            self._transition("half_open")
        return self._state

    def counts(self) -> tuple[int, int]:
        """`(calls, failures)` recorded while closed within the window."""
        return self._window.counts(self._clock())

    def probe_in_s(self) -> float:
        """Seconds until an open breaker admits a probe; 0 when closed or half-open."""
        if self.state != "open":
            return 0.0
        return max(0.0, self._open_until - self._clock())

    def acquire(self) -> int:
        """A permit for one call; `CircuitOpen` while open or while every probe slot is taken."""
        if self._state == "closed":
            return self._epoch
        state = self.state
        if state == "open":
            wait = self._open_until - self._clock()
            raise CircuitOpen(f"{self.name}: circuit open, next probe in {wait:.2f}s")
        if self._probes >= self._policy.half_open_max_probes:
            raise CircuitOpen(f"{self.name}: circuit half-open, probes in flight")
        self._probes += 1
        return self._epoch

    def record_success(self, permit: int) -> None:
        """The call answered (a business refusal is an answer too)."""
        if permit != self._epoch:
            return
        if self._state == "closed":
            self._window.record(True, self._clock())
            self._streak.clear()
        elif self._state == "half_open":
            self._probes -= 1
            self._probe_successes += 1
            if self._probe_successes >= self._policy.half_open_max_probes:
                self._transition("closed")

    def record_failure(self, permit: int) -> None:
        """The call failed: timeout, unavailable, unexpected error, or cancelled at the deadline."""
        if permit != self._epoch:
            return
        if self._state == "half_open":
            self._transition("open")
        elif self._state == "closed":
            now = self._clock()
            self._window.record(False, now)
            self._streak.append(now)
            calls, failures = self._window.counts(now)
            policy = self._policy
            rate = policy.failure_rate_threshold
            if (calls >= policy.min_calls and failures >= rate * calls) or self._streak_full(now):
                self._transition("open")

    def _streak_full(self, now: float) -> bool:
        """The last `open_after_failures` calls failed (no success between), all within the
        window: a failure that stands alone among successes never opens it, however many such
        the window holds (the rate decides those)."""
        count = self._policy.open_after_failures
        streak = self._streak
        return (
            count is not None and len(streak) == count and now - streak[0] <= self._policy.window_s
        )

    def release(self, permit: int) -> None:
        """The call ended without a verdict on the airline (skipped, or abandoned by the caller)."""
        if permit == self._epoch and self._state == "half_open":
            self._probes -= 1

    def _transition(self, state: CircuitState) -> None:
        previous, self._state = self._state, state
        self._epoch += 1
        self._probes = self._probe_successes = 0
        in_a_row = len(self._streak)
        self._streak.clear()
        if state == "open":
            jitter = self._policy.open_jitter
            # Jitter spreads the probes of many processes that opened on the same outage.
            open_s = self._policy.open_s * self._rng.uniform(1.0 - jitter, 1.0 + jitter)
            self._open_until = self._clock() + open_s
            if previous == "half_open":
                why = "a half-open probe failed"
            else:
                calls, failures = self._window.counts(self._clock())
                why = f"{failures} of {calls} calls failed"
                if self._policy.open_after_failures is not None:
                    why += f", the last {in_a_row} in a row"
            logger.warning(
                "%s %s: circuit %s -> open for %.2fs (%s)",
                self._kind, self.name, previous, open_s, why,
            )  # fmt: skip
        else:
            if state == "closed":
                self._window.clear()
            logger.info("%s %s: circuit %s -> %s", self._kind, self.name, previous, state)
        if self._on_transition is not None:
            self._on_transition(state)
