"""A batch of repeated queries over the fare index in real Redis: each line in place, in order,
the repeats answered from one lookup of each distinct query; a Redis stall under one chunk's
lookup costs that chunk's lines, and the repeats after it are looked up again."""

import datetime as dt
import random
import time
import uuid
from collections.abc import AsyncIterator, Sequence

import msgspec
import pytest
import redis.asyncio as aioredis

from search.bulk import BulkQuery, parse_envelope, validate_query
from search.bulk_service import FIRST_CHUNK, REST_CHUNK, ordered_lines
from search.fare_index import CheapestFare, IndexSlot
from search.fare_index_redis import RedisFareIndex
from tests.integration.search.test_fare_index_redis import TIMEOUT_S, fare, index_of
from tests.support.redis_cluster import client_of, connected
from tests.support.redis_proxy import RedisProxy


@pytest.fixture
async def client(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    client = await connected(client_of(redis_url))
    yield client
    await client.aclose()


async def test_a_thousand_repeated_queries_answer_in_order_from_their_distinct_lookups(
    client: aioredis.Redis,
) -> None:
    today = dt.datetime.now(dt.UTC).date()
    scope = uuid.uuid4().hex[:12]
    index = RedisFareIndex(client, timeout_s=TIMEOUT_S, read_timeout_s=TIMEOUT_S)
    days = [today + dt.timedelta(days=20 + n) for n in range(10)]
    distinct = [
        {"origin": "LHR", "destination": d, "departure_date": day.isoformat()}
        for d in ("JFK", "CDG")
        for day in days
    ]
    for n, q in enumerate(distinct[:10]):  # the JFK days cached, the CDG days not
        parsed = validate_query(q, today)
        assert isinstance(parsed, BulkQuery)
        await index.record(parsed.slot(scope), fare(f"{100 + n}.00"))
    queries = [distinct[i % len(distinct)] for i in range(1000)]
    random.Random(18).shuffle(queries)
    envelope = parse_envelope(msgspec.json.encode({"queries": queries}))
    looked_up: list[int] = []

    async def lookup(slots: Sequence[IndexSlot]) -> list[CheapestFare | None]:
        looked_up.append(len(slots))
        return await index.lookup(slots)

    try:
        chunks = [
            chunk
            async for chunk in ordered_lines(
                envelope.queries, today=today, now=time.time(), max_age_s=3600, scope=scope,
                lookup=lookup, first_chunk=10, keys=envelope.keys,
            )
        ]  # fmt: skip
    finally:
        await client.delete(*{_slot(q, today, scope).key for q in distinct[:10]})

    lines = [msgspec.json.decode(line) for chunk in chunks for line in chunk.splitlines()]
    assert [line["index"] for line in lines] == list(range(1000))
    for q, line in zip(queries, lines, strict=True):
        if q["destination"] == "JFK":
            day = dt.date.fromisoformat(q["departure_date"])
            assert line["status"] == "ok"
            assert line["cheapest"]["amount"] == f"{100 + (day - days[0]).days}.00"
        else:
            assert line == {"index": line["index"], "status": "not_cached"}
    assert sum(looked_up) == len(distinct)


def _slot(q: dict[str, str], today: dt.date, scope: str) -> IndexSlot:
    parsed = validate_query(q, today)
    assert isinstance(parsed, BulkQuery)
    return parsed.slot(scope)


async def test_a_redis_stall_costs_one_chunk_and_a_repeat_after_it_is_answered_from_the_cache(
    redis_url: str, client: aioredis.Redis
) -> None:
    # The rest of the batch after its first 10 queries used to be one lookup: one stall made
    # every later line an `error`, and a repeat of a query the stall failed reused that error.
    today = dt.datetime.now(dt.UTC).date()
    scope = uuid.uuid4().hex[:12]
    days = [today + dt.timedelta(days=20 + n) for n in range(40)]
    queries = [
        {"origin": "LHR", "destination": "JFK", "departure_date": days[n % 40].isoformat()}
        for n in range(750)  # three chunks after the first: the stalled one, two more
    ]
    cached = [_slot(q, today, scope) for q in queries[:40]]
    for n, s in enumerate(cached):
        await index_of(client).record(s, fare(f"{100 + n}.00"))
    envelope = parse_envelope(msgspec.json.encode({"queries": queries}))
    async with RedisProxy(redis_url) as proxy:
        through = client_of(proxy.url)
        patient = RedisFareIndex(through, timeout_s=TIMEOUT_S, read_timeout_s=TIMEOUT_S)
        # The stall lasts until its lookup gave up: that lookup fails however slow the machine.
        hasty = RedisFareIndex(through, timeout_s=TIMEOUT_S, read_timeout_s=0.05)
        calls = 0

        async def stalls_second(slots: Sequence[IndexSlot]) -> list[CheapestFare | None]:
            nonlocal calls
            calls += 1
            if calls != 2:
                proxy.resume()
                return await patient.lookup(slots)
            proxy.stall()
            return await hasty.lookup(slots)

        try:
            lines = [
                msgspec.json.decode(line)
                async for chunk in ordered_lines(
                    envelope.queries, today=today, now=time.time(), max_age_s=3600, scope=scope,
                    lookup=stalls_second, first_chunk=FIRST_CHUNK, chunk=REST_CHUNK,
                    keys=envelope.keys,
                )
                for line in chunk.splitlines()
            ]  # fmt: skip
        finally:
            proxy.resume()
            await through.aclose()
            await client.delete(*{s.key for s in cached})

    assert [line["index"] for line in lines] == list(range(len(queries)))
    stalled = range(10, 260)  # the first chunk after the first 10 lines, 250 lines
    for n, line in enumerate(lines):
        if n in stalled and n % 40 >= FIRST_CHUNK:  # its query first asked in the stalled chunk
            assert line["status"] == "error", n
        else:  # the first chunk's queries and their repeats; every line after the stall
            assert line["cheapest"]["amount"] == f"{100 + n % 40}.00", n
