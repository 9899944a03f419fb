"""`ReadBreaker`: the fare index's reads behind the resilience layer's circuit breaker.

A Redis that is connected but never answers costs each read the index's whole read timeout
(0.5 s). A bulk batch of 1000 queries reads five chunks, one after the other, so without a
breaker it paid that timeout five times (~2.5 s) to answer every line `error`; every other
batch, and every calendar read, paid it again. The breaker opens on the first read that timed
out: reads then fail at once (`FareIndexUnavailable`, a `FareIndexError`: bulk lines `error`,
the calendar a 503) until `OPEN_S` (± jitter) have passed; then one read goes to Redis as a
probe, while the others still fail at once. A probe that answers closes the breaker; one that
times out opens it again.

Only a timeout opens it: it is the failure that costs time. A read that fails at once (Redis
refusing connections, a reset) costs nothing to try again, and trying answers as soon as Redis
is back; it gives the breaker no verdict either way (a half-open probe that fails so lets the
next read probe again).

Exported as `skyfare_fare_index_circuit_state` (0 closed, 1 half-open, 2 open, as the airlines'
`skyfare_connector_circuit_state`) and `skyfare_fare_index_reads_total{operation, outcome}`.
"""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import AsyncIterator, Callable
from typing import Literal

from prometheus_client import Counter, Gauge
from redis.exceptions import TimeoutError as RedisTimeout

from connectors.errors import CircuitOpen
from connectors.resilience import CircuitBreaker, CircuitState, ResiliencePolicy
from search.fare_index import FareIndexError

# Our own deadline (`asyncio.timeout`), or the client's socket timeout.
TIMEOUTS: tuple[type[BaseException], ...] = (TimeoutError, RedisTimeout)
# Long enough that a hung Redis costs a probe's timeout at most every ~2 s (a quarter of the
# time at 0.5 s each), short enough that partners get fares again soon after Redis answers.
OPEN_S = 2.0
POLICY = ResiliencePolicy(open_after_failures=1, open_s=OPEN_S, half_open_max_probes=1)

Operation = Literal["lookup", "month"]
# ok / timeout / error: reads that went to Redis; circuit_open: refused without asking it.
Outcome = Literal["ok", "timeout", "error", "circuit_open"]

READS = Counter(
    "skyfare_fare_index_reads_total",
    "Fare index reads (bulk lookups, calendar months) by outcome; circuit_open: not sent.",
    ["operation", "outcome"],
)
CIRCUIT_STATE = Gauge(
    "skyfare_fare_index_circuit_state",
    "The fare index reads' circuit breaker: 0 closed, 1 half-open, 2 open.",
)
_STATE_VALUE: dict[CircuitState, int] = {"closed": 0, "half_open": 1, "open": 2}


class FareIndexUnavailable(FareIndexError):
    """The breaker is open: the read was not sent (Redis timed out a moment ago)."""


class ReadBreaker:
    """`async with breaker.read("lookup"):` around one read sent to Redis. Entering raises
    `FareIndexUnavailable` while the breaker is open; leaving with one of `timeouts` opens it.
    Other exceptions pass through unchanged (the caller translates them)."""

    def __init__(
        self,
        *,
        timeouts: tuple[type[BaseException], ...] = TIMEOUTS,
        policy: ResiliencePolicy = POLICY,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        self._timeouts = timeouts
        self._breaker = CircuitBreaker(
            "fare-index", policy, clock=clock, rng=rng, on_transition=_export, kind="store"
        )
        CIRCUIT_STATE.set(0)

    @property
    def state(self) -> CircuitState:
        return self._breaker.state

    @contextlib.asynccontextmanager
    async def read(self, operation: Operation) -> AsyncIterator[None]:
        try:
            permit = self._breaker.acquire()
        except CircuitOpen as exc:
            _count(operation, "circuit_open")
            raise FareIndexUnavailable(f"fare index not read: {exc}") from exc
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
