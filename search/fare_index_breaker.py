"""`ReadBreaker`: the fare index's reads behind the resilience layer's circuit breaker.

A Redis that is connected but never answers costs each read the index's whole read timeout
(0.5 s). A bulk batch of 1000 queries reads five chunks, one after the other, so without a
breaker it paid that timeout five times (~2.5 s) to answer every line `error`; every other
batch, and every calendar read, paid it again. The breaker opens once `failures` reads in a row
timed out (`SKYFARE_FARE_INDEX_BREAKER_FAILURES`, the resilience layer's
`open_after_failures`: no read answered between them, all within its 10 s window); reads then
fail at once (`FareIndexUnavailable`, a `FareIndexError`: bulk lines `error`, the calendar a
503 whose `Retry-After` is `probe_in_s`) until `open_s` (± 20 % jitter,
`SKYFARE_FARE_INDEX_BREAKER_OPEN_S`) have passed; then one read goes to Redis as a probe, while
the others still fail at once. A probe that answers closes the breaker; one that times out
opens it again (one timeout is enough then: Redis was not answering a moment ago).

`FAILURES = 2`: a batch's five lookups are sequential, so a hung Redis costs a batch at most
`failures` × 0.5 s before the rest fail at once: 2 keeps that at about a second, while a single
stray stall (a slow fork for a snapshot, a GC pause of the client) among reads that answer opens
nothing and costs only its own chunk's lines. 1 (what it was) turned every such stall into ~2 s
of `error` lines for every batch of the process; 3 would let a hung Redis cost 1.5 s a batch.
Concurrent batches and calendars add their timeouts to the same streak, so under load it opens
sooner, not later. Reads that keep failing every other time are the failure rate's business
(half of at least 10 reads within 10 s opens it too).

Only a timeout counts: it is the failure that costs time. A read that fails at once (Redis
refusing connections, a reset) costs nothing to try again, and trying answers as soon as Redis
is back; it gives the breaker no verdict either way (it neither breaks nor extends a streak; a
half-open probe that fails so lets the next read probe again).

Exported as `skyfare_fare_index_circuit_state` (0 closed, 1 half-open, 2 open, as the airlines'
`skyfare_connector_circuit_state`) and `skyfare_fare_index_reads_total{operation, outcome}`;
deploy/prometheus/rules.yaml alerts on them (`SkyfareFareIndexCircuitOpen`).
"""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import AsyncIterator, Callable
from typing import Literal, get_args

from prometheus_client import Counter
from redis.exceptions import TimeoutError as RedisTimeout

from connectors.errors import CircuitOpen
from connectors.resilience import CircuitBreaker, CircuitState, ResiliencePolicy
from kernel.counters import start_series
from kernel.gauges import MeasuredGauge
from search.fare_index import FareIndexError

# Our own deadline (`asyncio.timeout`), or the client's socket timeout.
TIMEOUTS: tuple[type[BaseException], ...] = (TimeoutError, RedisTimeout)
# Timed-out reads in a row that open the breaker: the module's docstring says why 2.
FAILURES = 2
# Long enough that a hung Redis costs a probe's timeout at most every ~2 s (a quarter of the
# time at 0.5 s each), short enough that partners get fares again soon after Redis answers.
OPEN_S = 2.0

Operation = Literal["lookup", "month"]
# ok / timeout / error: reads that went to Redis; circuit_open: refused without asking it.
Outcome = Literal["ok", "timeout", "error", "circuit_open"]

READS = Counter(
    "skyfare_fare_index_reads_total",
    "Fare index reads (bulk lookups, calendar months) by outcome; circuit_open: not sent.",
    ["operation", "outcome"],
)
# Exported by the processes that have a breaker (search, booking), from its start; not as 0 by
# every process that imports this module (kernel/gauges.py).
CIRCUIT_STATE = MeasuredGauge(
    "skyfare_fare_index_circuit_state",
    "The fare index reads' circuit breaker: 0 closed, 1 half-open, 2 open.",
)
_STATE_VALUE: dict[CircuitState, int] = {"closed": 0, "half_open": 1, "open": 2}


class FareIndexUnavailable(FareIndexError):
    """The breaker is open: the read was not sent (Redis timed out a moment ago).
    `retry_after_s`: until the breaker lets a probe through (0 while one is in flight)."""

    def __init__(self, detail: str, *, retry_after_s: float) -> None:
        super().__init__(detail)
        self.retry_after_s = retry_after_s


def read_policy(*, failures: int = FAILURES, open_s: float = OPEN_S) -> ResiliencePolicy:
    """The breaker's policy: `failures` timeouts in a row open it for `open_s`; one probe."""
    return ResiliencePolicy(open_after_failures=failures, open_s=open_s, half_open_max_probes=1)


class ReadBreaker:
    """`async with breaker.read("lookup"):` around one read sent to Redis. Entering raises
    `FareIndexUnavailable` while the breaker is open; leaving with one of `timeouts` is a
    failure (the policy's `open_after_failures` in a row open it), answering a success. Other
    exceptions pass through unchanged (the caller translates them)."""

    def __init__(
        self,
        *,
        timeouts: tuple[type[BaseException], ...] = TIMEOUTS,
        policy: ResiliencePolicy | None = None,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        self._timeouts = timeouts
        self.policy = read_policy() if policy is None else policy
        self._breaker = CircuitBreaker(
            "fare-index",
            self.policy,
            clock=clock,
            rng=rng,
            on_transition=_export,
            kind="store",
        )
        CIRCUIT_STATE.set(0)
        # Read by SkyfareFareIndexCircuitOpen's increase(): at 0 from now on, so it sees the first.
        start_series(READS, get_args(Operation), get_args(Outcome))

    @property
    def state(self) -> CircuitState:
        return self._breaker.state

    def probe_in_s(self) -> float:
        """Seconds until the breaker lets a probe through; 0 unless it is open."""
        return self._breaker.probe_in_s()

    @contextlib.asynccontextmanager
    async def read(self, operation: Operation) -> AsyncIterator[None]:
        try:
            permit = self._breaker.acquire()
        except CircuitOpen as exc:
            _count(operation, "circuit_open")
            raise FareIndexUnavailable(
                f"fare index not read: {exc}", retry_after_s=self.probe_in_s()
            ) from exc
        try:
            yield
        except self._timeouts:
            self._breaker.record_failure(permit)
            _count(operation, "timeout")
            raise
        except Exception:  # a fast failure: no verdict on Redis
            self._breaker.release(permit)
            _count(operation, "error")
            raise
        except BaseException:  # the caller went away (cancelled): no verdict either
            self._breaker.release(permit)
            raise
        self._breaker.record_success(permit)
        _count(operation, "ok")


def _count(operation: Operation, outcome: Outcome) -> None:
    READS.labels(operation, outcome).inc()


def _export(state: CircuitState) -> None:
    CIRCUIT_STATE.set(_STATE_VALUE[state])
