"""A batch of repeated queries over the fare index in real Redis: each line in place, in order,
the repeats answered from one lookup of each distinct query."""

import datetime as dt
import random
import time
import uuid
from collections.abc import AsyncIterator, Sequence

import msgspec
import pytest
import redis.asyncio as aioredis

from search.bulk import BulkQuery, parse_envelope, validate_query
from search.bulk_service import ordered_lines
from search.fare_index import CheapestFare, IndexSlot
from search.fare_index_redis import RedisFareIndex
from tests.integration.search.test_fare_index_redis import TIMEOUT_S, fare
from tests.support.redis_cluster import client_of, connected


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
