"""Usage events wired into the app: the buffer and its publishing task, the re-pricing of order
creation, and the connectors' breaker transitions (kernel/usage.py, analytics/EVENTS.md)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Sequence
from typing import Literal

from aiohttp import web

from analytics.publisher import UsageBuffer
from connectors import offer_ids
from connectors.resilience import ResilientConnector
from kernel.tasks import stop_task
from kernel.usage import BreakerEvent, NoUsage, RepriceEvent, UsageSink
from search.stale_fares import StaleFares
from skyfare.keys import REDIS, SETTINGS, USAGE

# How long a shutdown waits for the last events to reach the stream.
DRAIN_S = 2.0


async def usage_events(app: web.Application) -> AsyncIterator[None]:
    """The process's usage sink: a `UsageBuffer` publishing in the background, or `NoUsage`."""
    settings = app[SETTINGS]
    if not settings.usage_events:
        app[USAGE] = NoUsage()
        yield
        return
    buffer = UsageBuffer(
        app[REDIS],
        settings.usage_stream,
        maxlen=settings.usage_stream_maxlen,
        capacity=settings.usage_buffer_max,
        timeout_s=settings.redis_timeout_ms / 1000,  # SKYFARE_REDIS_TIMEOUT_MS
    )
    app[USAGE] = buffer
    task = asyncio.create_task(buffer.run(), name="usage-events")
    yield
    await stop_task(task)
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(DRAIN_S):
            await buffer.drain()


def watch_breakers(connectors: Sequence[ResilientConnector], sink: UsageSink) -> None:
    """One `BreakerEvent` per circuit transition of each connector."""
    if isinstance(sink, NoUsage):
        return

    def transitioned(name: str, state: Literal["closed", "half_open", "open"]) -> None:
        sink.emit(BreakerEvent(at=time.time(), connector=name, state=state))

    for connector in connectors:
        connector.on_transition(transitioned)


class UsagePriceChecks:
    """`booking.ports.PriceChecks`: the fare cache's corrections, and a `RepriceEvent` (stage
    `order`) for each re-pricing of an order's offer. A price that held corrects nothing: its
    look-up of the cached answers (the event's `source`) runs after, off the order's path."""

    def __init__(self, stale: StaleFares | None, sink: UsageSink) -> None:
        self._stale = stale
        self._sink = sink

    async def checked(self, offer_id: str, outcome: Literal["held", "changed", "gone"]) -> None:
        at = time.time()
        if self._stale is None:
            self._emit(offer_id, outcome, at, cached=False)
        elif outcome == "held":
            self._stale.check_held(
                offer_id, lambda cached: self._emit(offer_id, outcome, at, cached=cached)
            )
        else:
            cached = await self._stale.checked(offer_id, outcome)
            self._emit(offer_id, outcome, at, cached=cached)

    def _emit(
        self,
        offer_id: str,
        outcome: Literal["held", "changed", "gone"],
        at: float,
        *,
        cached: bool,
    ) -> None:
        if isinstance(self._sink, NoUsage):
            return
        try:
            connector = offer_ids.decode(offer_id)[0]
        except offer_ids.InvalidOfferId:
            return
        self._sink.emit(
            RepriceEvent(
                at=at,
                stage="order",
                connector=connector,
                outcome=outcome,
                source="cache" if cached else "live",
            )
        )

    async def sold(self, offer_id: str) -> None:
        if self._stale is not None:
            await self._stale.sold(offer_id)
