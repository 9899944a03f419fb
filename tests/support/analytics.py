"""A scripted day of traffic for the analytics tests: usage events as the API publishes them and
order events as the outbox relay writes them (no I/O but `publish`)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal

import redis.asyncio as redis

from analytics.consumer import AnalyticsConsumer
from analytics.publisher import UsageBuffer
from analytics.store import AnalyticsStore
from booking.events import Contact, OrderSnapshot, encode_event, new_event
from kernel.usage import (
    BreakerEvent,
    ConnectorUsage,
    RepriceEvent,
    SearchEvent,
    SliceUsage,
    UsageEvent,
)

DAY = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
SINCE = dt.datetime(2026, 11, 30, tzinfo=dt.UTC)
UNTIL = DAY + dt.timedelta(hours=12)  # the reports' "now": the scripted day's evening
CONTACT = Contact("Grace", "Hopper", "grace.hopper@example.com", "+14155550123")
# The orders' owners (token subjects): orders 0 and 2 are the first traveler's.
OWNERS = ("auth0|grace-7741", "auth0|alan-1912")


def search_event(minute: int, channel: str, cache: str, route: tuple[str, str]) -> SearchEvent:
    live = cache != "hit"
    return SearchEvent(
        at=(DAY + dt.timedelta(minutes=minute)).timestamp(),
        channel=channel,  # type: ignore[arg-type]
        partner="acme" if channel in ("bulk", "calendar") else None,
        slices=(SliceUsage(*route, "2027-01-10"),),
        offers=4,
        cheapest_amount="199.99",
        currency="USD",
        took_ms=3,
        cache=cache,  # type: ignore[arg-type]
        connectors=(
            (
                ConnectorUsage("rest-liberty", "ok", 4, 80),
                ConnectorUsage("ndc-crimson", "timeout", 0, 2500),
            )
            if live
            else ()
        ),
    )


def script() -> tuple[list[UsageEvent], list[tuple[str, bytes]]]:
    """The day: 30 searches (18 LHR-JFK, 12 FRA-JFK) over six channels, 6 re-prices (4 held),
    3 holds (LHR-JFK, FRA-JFK, LHR-JFK), the first 2 paid and ticketed, 1 of those refunded
    (75.15 of its 250.50 given back), and one breaker opening."""
    usage: list[UsageEvent] = []
    channels = ("get", "post", "bulk", "get", "stream", "calendar")
    for i in range(30):
        route = ("LHR", "JFK") if i < 18 else ("FRA", "JFK")
        cache = "hit" if i % 3 else "miss"
        channel = channels[i % len(channels)]
        usage.append(search_event(i, channel, "live" if channel == "stream" else cache, route))
    for i in range(6):
        usage.append(
            RepriceEvent(
                at=(DAY + dt.timedelta(hours=1, minutes=i)).timestamp(),
                stage="offer" if i % 2 else "order",
                connector="rest-liberty",
                outcome="held" if i < 4 else "changed",
                source="cache",
            )
        )
    usage.append(BreakerEvent(at=(DAY + dt.timedelta(hours=2)).timestamp(),
                              connector="soap-nordic", state="open"))  # fmt: skip
    orders: list[tuple[str, bytes]] = []
    routes = ("LHR-JFK", "FRA-JFK", "LHR-JFK")
    for n in range(3):
        order_id = f"ord_{n:020d}"
        steps = [("order.created", "pending", "unpaid"), ("order.held", "held", "unpaid")]
        if n < 2:
            steps.append(("order.confirmed", "confirmed", "paid"))
        if n == 0:
            steps.append(("payment.refunded", "cancelled", "refunded"))
        for minute, (kind, status, paid) in enumerate(steps):
            # The refund gives back the taxes of a fare that refunds nothing else.
            refund = Decimal("75.15") if kind == "payment.refunded" else None
            snapshot = OrderSnapshot(order_id, f"BR{n:04d}", status, paid, Decimal("250.50"),
                                     "EUR", refund_amount=refund, route=routes[n])  # fmt: skip
            when = DAY + dt.timedelta(hours=3 + n, minutes=minute)
            event = new_event(kind, snapshot, CONTACT, owner=OWNERS[n % 2], now=when)  # type: ignore[arg-type]
            orders.append((kind, encode_event(event)))
    return usage, orders


async def publish(client: redis.Redis, streams: tuple[str, str]) -> None:
    usage, orders = script()
    buffer = UsageBuffer(client, streams[0], maxlen=10_000)
    for event in usage:
        buffer.emit(event)
    await buffer.drain()
    for kind, data in orders:  # as the outbox relay writes them
        await client.xadd(streams[1], {"id": str(uuid.uuid4()), "type": kind, "event": data})


async def loaded_store(
    client: redis.Redis, streams: tuple[str, str], directory: str
) -> AnalyticsStore:
    """A store in `directory` holding the scripted day, published to `streams` and loaded."""
    await publish(client, streams)
    store = AnalyticsStore(directory)
    consumer = AnalyticsConsumer(
        client, store, usage_stream=streams[0], event_stream=streams[1], batch_size=50
    )
    await consumer.catch_up()
    return store


@asynccontextmanager
async def published_day(redis_url: str) -> AsyncIterator[tuple[str, str]]:
    """A usage stream and an order event stream of the caller's own, holding the scripted day
    (`publish`), deleted after the block."""
    names = (f"test:{uuid.uuid4().hex}:usage", f"test:{uuid.uuid4().hex}:events")
    client = redis.Redis.from_url(redis_url)
    try:
        await publish(client, names)
        yield names
    finally:
        await client.delete(*names)
        await client.aclose()
