"""`UsageBuffer` against a real Redis: events round-trip, the cap holds, and a full buffer or a
Redis that is down costs dropped events (counted), never an error or a wait for the producer."""

from __future__ import annotations

import redis.asyncio as redis

from analytics import metrics
from analytics.publisher import UsageBuffer
from kernel.usage import (
    BreakerEvent,
    ConnectorUsage,
    HitsEvent,
    RepriceEvent,
    SearchEvent,
    SliceUsage,
    UsageEvent,
    decode_usage,
)
from tests.e2e.conftest import closed_port

EVENTS: list[UsageEvent] = [
    SearchEvent(
        at=1_800_000_000.5,
        channel="bulk",
        partner="acme",
        slices=(SliceUsage("LHR", "JFK", "2027-01-02"), SliceUsage("JFK", "LHR", "2027-01-09")),
        adults=2,
        children=1,
        infants=1,
        cabin="business",
        offers=12,
        cheapest_amount="812.40",
        currency="GBP",
        took_ms=140,
        cache="miss",
        connectors=(ConnectorUsage("rest-liberty", "ok", 7, 120),),
        traveler_hash="ab" * 16,
    ),
    RepriceEvent(
        at=1_800_000_001.0,
        stage="order",
        connector="soap-nordic",
        outcome="changed",
        source="cache",
        amount="99.00",
        change="4.50",
        currency="EUR",
    ),
    BreakerEvent(at=1_800_000_002.0, connector="ndc-crimson", state="half_open"),
    HitsEvent(
        search=SearchEvent(
            at=0,
            channel="get",
            slices=(SliceUsage("FRA", "JFK", "2027-01-03"),),
            offers=3,
            took_ms=0,
            cache="hit",
        ),
        at=(1_800_000_003.001, 1_800_000_003.25),
        took_ms=(0, 2),
    ),
]


async def test_every_event_type_round_trips_through_the_stream(
    redis_client: redis.Redis, stream: str
) -> None:
    buffer = UsageBuffer(redis_client, stream, maxlen=1000)
    for event in EVENTS:
        buffer.emit(event)

    assert await buffer.flush() == len(EVENTS)

    entries = await redis_client.xrange(stream)
    assert [decode_usage(fields[b"event"]) for _, fields in entries] == EVENTS
    assert len(buffer) == 0


async def test_the_stream_is_capped_near_its_maxlen(redis_client: redis.Redis, stream: str) -> None:
    buffer = UsageBuffer(redis_client, stream, maxlen=100, batch_size=1000)
    for _ in range(2000):
        buffer.emit(EVENTS[2])

    await buffer.drain()

    # MAXLEN ~ trims whole radix-tree nodes: about the cap, never the whole history.
    assert 100 <= await redis_client.xlen(stream) < 1000


async def test_a_full_buffer_drops_and_counts_what_does_not_fit(
    redis_client: redis.Redis, stream: str
) -> None:
    buffer = UsageBuffer(redis_client, stream, maxlen=1000, capacity=3)
    dropped = metrics.value("dropped")

    for _ in range(5):
        buffer.emit(EVENTS[0])

    assert len(buffer) == 3
    assert metrics.value("dropped") == dropped + 2
    await buffer.drain()
    assert await redis_client.xlen(stream) == 3


async def test_redis_down_drops_the_batch_and_counts_it_without_raising() -> None:
    client = redis.Redis(port=closed_port(), socket_connect_timeout=0.5, socket_timeout=0.5)
    buffer = UsageBuffer(client, "test:usage:down", maxlen=1000, timeout_s=2.0)
    dropped, published = metrics.value("dropped"), metrics.value("published")
    try:
        for event in EVENTS:
            buffer.emit(event)
        assert await buffer.flush() == 0
    finally:
        await client.aclose()

    assert metrics.value("dropped") == dropped + len(EVENTS)
    assert metrics.value("published") == published
    assert len(buffer) == 0  # dropped, not retried into the next batch
