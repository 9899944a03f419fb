"""`Attempts`: how one admitted call reaches the airline: retried, hedged, timed, measured."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from connectors import errors
from connectors.resilience import hedge
from connectors.resilience.bulkhead import Bulkhead
from connectors.resilience.latency import LatencyTracker
from connectors.resilience.metrics import ConnectorMetrics, Operation, Outcome
from connectors.resilience.policy import ResiliencePolicy
from connectors.resilience.retry import with_retries
from kernel.timeouts import Cut

T = TypeVar("T")
Send = Callable[[float], Awaitable[T]]  # the inner call, given the seconds it may take (a `Cut`)

# Safe to send twice. `hold` and `ticket` are not; `cancel` is idempotent at the airline but is
# retried by the booking core's sweeper, which knows the order, rather than blindly here.
IDEMPOTENT: frozenset[Operation] = frozenset({"search", "price", "retrieve", "seat_maps"})


class Attempts:
    """Runs the attempts of one connector's calls within their deadlines (monotonic, `clock`)."""

    def __init__(
        self,
        name: str,
        policy: ResiliencePolicy,
        *,
        clock: Callable[[], float],
        bulkhead: Bulkhead,
        metrics: ConnectorMetrics,
        latency: LatencyTracker,
    ) -> None:
        self.name = name
        self.policy = policy
        self._clock = clock
        self._bulkhead = bulkhead
        self._metrics = metrics
        self._latency = latency

    def late(self, deadline: float) -> bool:
        """Whether `deadline` is reached (within `deadline_slack_s`): cancelled now = missed it."""
        return deadline - self._clock() <= self.policy.deadline_slack_s

    async def run(self, operation: Operation, send: Send[T], deadline: float) -> T:
        """The answer of the first successful attempt, or the last attempt's error."""

        async def once() -> T:
            if operation == "search" and self.policy.hedge:
                return await self._hedged(send, deadline)
            return await self._attempt(operation, send, deadline)

        if operation not in IDEMPOTENT or self.policy.retries == 0:
            return await once()
        return await with_retries(
            once, self.policy, deadline=deadline, clock=self._clock, on_retry=self._metrics.retry
        )

    async def _hedged(self, send: Send[T], deadline: float) -> T:
        after = self._hedge_after(deadline)
        if after is None:
            return await self._attempt("search", send, deadline)
        return await hedge.race(
            lambda: self._attempt("search", send, deadline),
            lambda: self._backup_attempt(send, deadline),
            after=after,
        )

    def _hedge_after(self, deadline: float) -> float | None:
        """The observed p95, when enough is known and the deadline leaves room for a second try."""
        if len(self._latency) < max(1, self.policy.hedge_min_samples):
            return None
        p95 = self._latency.percentile(0.95)
        if p95 is None or deadline - self._clock() <= 2 * p95:
            return None
        return p95

    async def _backup_attempt(self, send: Send[T], deadline: float) -> T:
        # The slot is taken here, inside the task, so a backup cancelled before it ever ran holds
        # none; a full bulkhead fails only the backup, and the race waits for the primary.
        self._bulkhead.acquire()
        self._metrics.hedge()
        try:
            return await self._attempt("search", send, deadline)
        finally:
            self._bulkhead.release()

    async def _attempt(self, operation: Operation, send: Send[T], deadline: float) -> T:
        start = self._clock()
        remaining = deadline - start
        if remaining <= 0:
            raise errors.ConnectorTimeout(f"{self.name}: no time left for {operation}")
        outcome: Outcome = "error"
        try:
            # Enforced here as well: a connector that ignores its timeout must not hold a
            # bulkhead slot, or its caller, past the deadline. Given as a `Cut`, so that an
            # airline session arms no second timer for the same moment (kernel/timeouts.py).
            async with asyncio.timeout(remaining):
                result = await send(Cut(remaining))
            outcome = "ok"
            return result
        except TimeoutError as exc:
            outcome = "timeout"
            message = f"{self.name}: {operation} took over {remaining:.3f}s"
            raise errors.ConnectorTimeout(message) from exc
        except errors.ConnectorTimeout:
            outcome = "timeout"
            raise
        except errors.SupplierRejected:
            outcome = "rejected"
            raise
        except asyncio.CancelledError:
            outcome = "timeout" if self.late(deadline) else "cancelled"
            raise
        finally:
            self._observe(operation, outcome, self._clock() - start)

    def _observe(self, operation: Operation, outcome: Outcome, elapsed: float) -> None:
        self._metrics.call(operation, outcome)
        self._metrics.duration(operation, elapsed)
        # Answers, and attempts that ran out of time or were abandoned (their elapsed time is a
        # lower bound of the latency). Without those, hedging would cancel the slow tail, p95
        # would shrink with every hedge, and hedging would spiral into doubling every request.
        # Fast errors are left out: they say nothing about how long an answer takes.
        if outcome != "error":
            self._latency.record(elapsed)
