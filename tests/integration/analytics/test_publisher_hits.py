"""`UsageBuffer` against a real Redis: a cached hit handed over as its stamp, time and `took_ms`
lands in the stream as the very event `SearchUsage` encodes, one entry each, in order, among
whole events."""

from __future__ import annotations

import msgspec
import redis.asyncio as redis

from analytics.publisher import UsageBuffer
from cache.model import FareEntry
from kernel.usage import BreakerEvent, SearchEvent, UsageEvent, decode_usage
from search.usage import SearchUsage
from tests.unit.analytics.test_search_usage import ENTRY, REQUEST

OTHER_ENTRY = msgspec.structs.replace(
    ENTRY, offers=b'[{"id":"off_2","total_amount":"12.00","total_currency":"EUR"}]'
)


async def test_stamped_hits_round_trip_among_whole_events(
    redis_client: redis.Redis, stream: str
) -> None:
    buffer = UsageBuffer(redis_client, stream, maxlen=1000)
    now = [1_800_000_000.0]
    usage = SearchUsage(buffer, wall_clock=lambda: now[0])
    answers: list[tuple[FareEntry, int]] = [(ENTRY, 0), (OTHER_ENTRY, 3), (ENTRY, 300)]
    for entry, took_ms in answers:
        usage.answer(REQUEST, entry, channel="get", cache="hit", took_ms=took_ms)
        now[0] += 0.25
    buffer.emit(BreakerEvent(at=now[0], connector="ndc-crimson", state="open"))
    usage.answer(REQUEST, OTHER_ENTRY, channel="post", cache="hit", took_ms=1)

    assert await buffer.flush() == 5

    events: list[UsageEvent] = [
        decode_usage(fields[b"event"]) for _, fields in await redis_client.xrange(stream)
    ]
    hits = [e for e in events if isinstance(e, SearchEvent)]
    assert [(e.at, e.channel, e.took_ms, e.cheapest_amount) for e in hits] == [
        (1_800_000_000.0, "get", 0, "918273645.50"),
        (1_800_000_000.25, "get", 3, "12.00"),
        (1_800_000_000.5, "get", 300, "918273645.50"),
        (1_800_000_000.75, "post", 1, "12.00"),
    ]
    assert all((e.cache, e.adults, e.infants, e.cabin) == ("hit", 2, 1, "business") for e in hits)
    assert isinstance(events[3], BreakerEvent)
