"""`UsageBuffer` against a real Redis: cached hits handed over as their stamp, time and `took_ms`
land in the stream as one `hits` entry per search and answer, which expands to the very events
`SearchUsage` encodes, among whole events."""

from __future__ import annotations

import msgspec
import redis.asyncio as redis

from analytics import metrics
from analytics.publisher import UsageBuffer
from cache.model import FareEntry
from kernel.usage import BreakerEvent, HitsEvent, SearchEvent, decode_usage, expand
from search.usage import SearchUsage
from tests.unit.analytics.test_search_usage import ENTRY, REQUEST, ListSink

# The production bound on a batch is 1 s; a busy machine's Redis (Cluster) can take longer,
# and these tests are about what is published, not how fast.
PATIENT_S = 30.0

OTHER_ENTRY = msgspec.structs.replace(
    ENTRY, offers=b'[{"id":"off_2","total_amount":"12.00","total_currency":"EUR"}]'
)


async def test_stamped_hits_round_trip_among_whole_events(
    redis_client: redis.Redis, stream: str
) -> None:
    buffer = UsageBuffer(redis_client, stream, maxlen=1000, timeout_s=PATIENT_S)
    now = [1_800_000_000.0]
    usage = SearchUsage(buffer, wall_clock=lambda: now[0])
    answers: list[tuple[FareEntry, int]] = [(ENTRY, 0), (OTHER_ENTRY, 3), (ENTRY, 300)]
    for entry, took_ms in answers:
        usage.answer(REQUEST, entry, channel="get", cache="hit", took_ms=took_ms)
        now[0] += 0.25
    buffer.emit(BreakerEvent(at=now[0], connector="ndc-crimson", state="open"))
    usage.answer(REQUEST, OTHER_ENTRY, channel="post", cache="hit", took_ms=1)

    assert await buffer.flush() == 5

    entries = [decode_usage(fields[b"event"]) for _, fields in await redis_client.xrange(stream)]
    breaker, *grouped = entries
    assert isinstance(breaker, BreakerEvent)  # whole events first, then a `hits` entry a stamp
    assert [type(e) for e in grouped] == [HitsEvent] * 3  # two answers on get, one on post
    hits = sorted((e for entry in grouped for e in expand(entry)), key=lambda e: e.at)
    assert all(isinstance(e, SearchEvent) for e in hits)
    assert [(e.at, e.channel, e.took_ms, e.cheapest_amount) for e in hits] == [  # type: ignore[union-attr]
        (1_800_000_000.0, "get", 0, "918273645.50"),
        (1_800_000_000.25, "get", 3, "12.00"),
        (1_800_000_000.5, "get", 300, "918273645.50"),
        (1_800_000_000.75, "post", 1, "12.00"),
    ]
    direct = SearchUsage(ListSink(), wall_clock=lambda: 1_800_000_000.5)
    direct.answer(REQUEST, ENTRY, channel="get", cache="hit", took_ms=300)
    assert hits[2] == direct.sink.events[0]  # type: ignore[attr-defined]


async def test_waiting_hits_count_against_the_buffers_capacity(
    redis_client: redis.Redis, stream: str
) -> None:
    buffer = UsageBuffer(redis_client, stream, maxlen=1000, capacity=3, timeout_s=PATIENT_S)
    usage = SearchUsage(buffer, wall_clock=lambda: 1_800_000_000.0)
    dropped = metrics.value("dropped")

    buffer.emit(BreakerEvent(at=1_800_000_000.0, connector="ndc-crimson", state="open"))
    for took_ms in range(4):
        usage.fast_hit(REQUEST, ENTRY, took_ms)

    assert len(buffer) == 3
    assert metrics.value("dropped") - dropped == 2
    assert await buffer.flush() == 3
    assert len(buffer) == 0
    entries = [decode_usage(fields[b"event"]) for _, fields in await redis_client.xrange(stream)]
    assert [len(expand(e)) for e in entries] == [1, 2]  # the breaker, then two hits in one entry


async def test_repeats_of_one_hit_take_what_room_is_left_and_count_the_rest_dropped(
    redis_client: redis.Redis, stream: str
) -> None:
    buffer = UsageBuffer(redis_client, stream, maxlen=1000, capacity=5, timeout_s=PATIENT_S)
    now = [1_800_000_000.0]
    usage = SearchUsage(buffer, wall_clock=lambda: now[0])
    stamp = usage.fare_stamp(REQUEST, None, channel="bulk", cache="miss", partner="meta")
    dropped = metrics.value("dropped")

    usage.emit_stamp(stamp, 3)  # a partner's query asked 3 times in one chunk of lines
    now[0] += 0.001
    usage.emit_stamp(stamp, 4)  # 2 of 4 fit

    assert len(buffer) == 5
    assert metrics.value("dropped") - dropped == 2
    assert await buffer.flush() == 5
    (entry,) = [decode_usage(fields[b"event"]) for _, fields in await redis_client.xrange(stream)]
    events = expand(entry)
    assert [e.at for e in events] == [1_800_000_000.0] * 3 + [1_800_000_000.001] * 2
    assert {(e.channel, e.partner) for e in events} == {("bulk", "meta")}  # type: ignore[union-attr]
