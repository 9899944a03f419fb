"""`ResilientConnector`: breaker, bulkhead, deadline, retries and hedging around any `Connector`."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable, Sequence
from typing import TypeVar

from connectors import errors
from connectors.base import Connector, SliceChanger
from connectors.change_model import SliceChangeOffer
from connectors.model import FlightQuery, Hold, HoldPassenger, Offer, PricedOffer, SliceQuery
from connectors.resilience.attempts import Attempts, Send
from connectors.resilience.breaker import CircuitBreaker, CircuitState
from connectors.resilience.bulkhead import Bulkhead
from connectors.resilience.latency import LatencyTracker
from connectors.resilience.metrics import ConnectorMetrics, Operation
from connectors.resilience.model import ConnectorStatus
from connectors.resilience.policy import ResiliencePolicy
from connectors.seat_model import SeatMaps, SeatSelection

T = TypeVar("T")


class ResilientConnector:
    """A `Connector` that protects the service from the one it wraps.

    Per call: breaker permit → bulkhead slot → attempts (retried when idempotent, hedged for search)
    → the inner call with `timeout=` the seconds left, enforced here too. The breaker hears one
    verdict per call: a result or a `SupplierRejected` is a success (the airline is healthy and said
    no); a timeout, an unavailable airline or any other exception is a failure; a cancellation is a
    failure when it comes at the deadline (the airline missed it) and no verdict when earlier (the
    caller went away). Refusals raise `CircuitOpen` or `BulkheadFull` without calling the airline.
    """

    def __init__(
        self,
        inner: Connector,
        policy: ResiliencePolicy | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        self.inner = inner
        self.name = inner.name
        self.kind = inner.kind
        self.policy = policy = policy or ResiliencePolicy()
        metrics = ConnectorMetrics(inner.name)
        self._clock = clock
        self._metrics = metrics
        self._listeners: list[Callable[[str, CircuitState], None]] = [
            lambda _, state: metrics.state(state)
        ]
        self._breaker = CircuitBreaker(
            inner.name, policy, clock=clock, rng=rng, on_transition=self._transitioned
        )
        self._bulkhead = Bulkhead(inner.name, policy.max_concurrency)
        self._latency = LatencyTracker(policy.latency_samples)
        self._attempts = Attempts(
            inner.name,
            policy,
            clock=clock,
            bulkhead=self._bulkhead,
            metrics=metrics,
            latency=self._latency,
        )

    def on_transition(self, listener: Callable[[str, CircuitState], None]) -> None:
        """Call `listener(name, state)` on each breaker transition (it must not raise)."""
        self._listeners.append(listener)

    def _transitioned(self, state: CircuitState) -> None:
        for listener in self._listeners:
            listener(self.name, state)

    async def start(self) -> None:
        await self.inner.start()

    async def close(self) -> None:
        await self.inner.close()

    def serves(self, query: FlightQuery) -> bool:
        return self.inner.serves(query)

    async def search(self, query: FlightQuery, *, timeout: float) -> list[Offer]:
        return await self._call("search", lambda t: self.inner.search(query, timeout=t), timeout)

    async def price(self, supplier_offer_id: str, *, timeout: float) -> PricedOffer:
        return await self._call(
            "price", lambda t: self.inner.price(supplier_offer_id, timeout=t), timeout
        )

    async def hold(
        self,
        supplier_offer_id: str,
        passengers: Sequence[HoldPassenger],
        *,
        reference: str,
        timeout: float,
    ) -> Hold:
        return await self._call(
            "hold",
            lambda t: self.inner.hold(
                supplier_offer_id, passengers, reference=reference, timeout=t
            ),
            timeout,
        )

    async def retrieve(self, reference: str, *, timeout: float) -> Hold:
        return await self._call(
            "retrieve", lambda t: self.inner.retrieve(reference, timeout=t), timeout
        )

    async def ticket(self, locator: str, *, timeout: float) -> Hold:
        return await self._call("ticket", lambda t: self.inner.ticket(locator, timeout=t), timeout)

    async def cancel(self, locator: str, *, timeout: float) -> Hold:
        return await self._call("cancel", lambda t: self.inner.cancel(locator, timeout=t), timeout)

    async def seat_maps(self, supplier_offer_id: str, *, timeout: float) -> SeatMaps:
        return await self._call(
            "seat_maps", lambda t: self.inner.seat_maps(supplier_offer_id, timeout=t), timeout
        )

    async def booking_seat_maps(self, locator: str, *, timeout: float) -> SeatMaps:
        return await self._call(
            "seat_maps", lambda t: self.inner.booking_seat_maps(locator, timeout=t), timeout
        )

    async def select_seats(
        self, locator: str, selections: Sequence[SeatSelection], *, timeout: float
    ) -> tuple[SeatSelection, ...]:
        return await self._call(
            "select_seats",
            lambda t: self.inner.select_seats(locator, selections, timeout=t),
            timeout,
        )

    async def reshop(
        self,
        locator: str,
        slice_index: int,
        query: SliceQuery,
        *,
        max_connections: int,
        timeout: float,
    ) -> list[SliceChangeOffer]:
        inner = self._changer()
        return await self._call(
            "reshop",
            lambda t: inner.reshop(
                locator, slice_index, query, max_connections=max_connections, timeout=t
            ),
            timeout,
        )

    async def change_slice(
        self,
        locator: str,
        slice_index: int,
        supplier_fare_id: str,
        *,
        reference: str,
        timeout: float,
    ) -> Hold:
        inner = self._changer()
        return await self._call(
            "change",
            lambda t: inner.change_slice(
                locator, slice_index, supplier_fare_id, reference=reference, timeout=t
            ),
            timeout,
        )

    async def undo_change(self, locator: str, reference: str, *, timeout: float) -> Hold:
        inner = self._changer()
        return await self._call(
            "change", lambda t: inner.undo_change(locator, reference, timeout=t), timeout
        )

    @property
    def supports_changes(self) -> bool:
        return isinstance(self.inner, SliceChanger) and self.inner.supports_changes

    def _changer(self) -> SliceChanger:
        # Before any permit: a connector that cannot change says so without a call to blame.
        if not isinstance(self.inner, SliceChanger) or not self.inner.supports_changes:
            raise errors.ChangeUnsupported(f"{self.name} cannot change booked flights")
        return self.inner

    def status(self) -> ConnectorStatus:
        """Circuit state, windowed error rate, recent latency and load, for `GET /v1/connectors`."""
        calls, failures = self._breaker.counts()
        p50 = self._latency.percentile(0.50)
        p99 = self._latency.percentile(0.99)
        return ConnectorStatus(
            name=self.name,
            kind=self.kind,
            circuit_state=self._breaker.state,
            error_rate=failures / calls if calls else 0.0,
            calls=calls,
            p50_ms=None if p50 is None else round(p50 * 1000, 3),
            p99_ms=None if p99 is None else round(p99 * 1000, 3),
            in_flight=self._bulkhead.in_flight,
        )

    async def _call(self, operation: Operation, send: Send[T], timeout: float) -> T:
        if timeout <= 0:
            # The caller's deadline has passed: nothing to ask, nothing to blame the airline for.
            raise errors.ConnectorTimeout(f"{self.name}: no time left for {operation}")
        deadline = self._clock() + timeout
        permit = self._admit(operation)
        try:
            result = await self._attempts.run(operation, send, deadline)
        except errors.SupplierRejected:
            self._breaker.record_success(permit)
            raise
        except asyncio.CancelledError:
            if self._attempts.late(deadline):
                self._breaker.record_failure(permit)
            else:
                self._breaker.release(permit)
            raise
        except Exception:
            self._breaker.record_failure(permit)
            raise
        finally:
            self._bulkhead.release()
        self._breaker.record_success(permit)
        return result

    def _admit(self, operation: Operation) -> int:
        try:
            permit = self._breaker.acquire()
        except errors.CircuitOpen:
            self._metrics.call(operation, "circuit_open")
            raise
        try:
            self._bulkhead.acquire()
        except errors.BulkheadFull:
            self._breaker.release(permit)
            self._metrics.call(operation, "bulkhead_full")
            raise
        return permit
