"""Bulk batches while the Redis holding the fare index hangs (connected, never answering): the
first chunk's lookup waits out the index's timeout and opens its breaker; every later chunk, and
the next batch, answers `error` without sending anything; once Redis answers again and the
breaker's cool-down has passed, one probe closes it and the fares come back
(search/fare_index_breaker.py).

The hang is a real one: a TCP proxy in front of the test Redis holds every byte both ways
(tests/support/redis_proxy.py); the shared Redis itself is never paused. Nothing here reads a
clock: the lookups that reached the hung server are counted, and the breaker's cool-down runs
on a clock the test moves.
"""

from __future__ import annotations

import datetime as dt
import random
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from typing import Any

import msgspec
import pytest
import redis.asyncio as aioredis
from prometheus_client import REGISTRY

from search.bulk import BulkQuery, parse_envelope, validate_query
from search.bulk_service import FIRST_CHUNK, REST_CHUNK, Lookup, ordered_lines
from search.fare_index import IndexSlot
from search.fare_index_breaker import OPEN_S, ReadBreaker
from search.fare_index_redis import RedisFareIndex
from tests.integration.search.test_fare_index_redis import TIMEOUT_S, fare, index_of
from tests.support.redis_cluster import client_of, connected
from tests.support.redis_proxy import RedisProxy

DAYS = 40
SIZE = 750  # chunks of 10, 250, 250 and 240: four lookups
HUNG_TIMEOUT_S = 0.1  # the hung lookup's own bound; the lookups that answer get TIMEOUT_S


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Counted(RedisFareIndex):
    """The index, counting the reads it sends to Redis (those the breaker let through)."""

    def __init__(
        self, client: aioredis.Redis, breaker: ReadBreaker, read_timeout_s: float, sent: list[int]
    ) -> None:
        super().__init__(
            client, timeout_s=TIMEOUT_S, read_timeout_s=read_timeout_s, breaker=breaker
        )
        self._sent = sent

    async def _raw(self, slots: Sequence[IndexSlot], timeout: float) -> list[bytes | None]:
        self._sent.append(len(slots))
        return await super()._raw(slots, timeout)


@pytest.fixture
async def client(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    client = await connected(client_of(redis_url))
    yield client
    await client.aclose()


def _reads(outcome: str) -> float:
    found = REGISTRY.get_sample_value(
        "skyfare_fare_index_reads_total", {"operation": "lookup", "outcome": outcome}
    )
    return found or 0.0


async def _batch(queries: list[dict[str, str]], today: dt.date, scope: str, lookup: Lookup) -> Any:
    envelope = parse_envelope(msgspec.json.encode({"queries": queries}))
    lines = [
        msgspec.json.decode(line)
        async for chunk in ordered_lines(
            envelope.queries, today=today, now=time.time(), max_age_s=3600, scope=scope,
            lookup=lookup, first_chunk=FIRST_CHUNK, chunk=REST_CHUNK, keys=envelope.keys,
        )
        for line in chunk.splitlines()
    ]  # fmt: skip
    assert [line["index"] for line in lines] == list(range(len(queries)))
    return lines


async def test_a_hung_redis_costs_one_lookup_timeout_then_fails_fast_until_it_answers_again(
    redis_url: str, client: aioredis.Redis
) -> None:
    today = dt.datetime.now(dt.UTC).date()
    scope = uuid.uuid4().hex[:12]
    days = [today + dt.timedelta(days=20 + n) for n in range(DAYS)]
    queries = [
        {"origin": "LHR", "destination": "JFK", "departure_date": days[n % DAYS].isoformat()}
        for n in range(SIZE)
    ]
    slots = []
    for n, q in enumerate(queries[:DAYS]):
        parsed = validate_query(q, today)
        assert isinstance(parsed, BulkQuery)
        slots.append(parsed.slot(scope))
        await index_of(client).record(slots[-1], fare(f"{100 + n}.00"))
    clock = FakeClock()
    breaker = ReadBreaker(clock=clock, rng=random.Random(5))
    sent: list[int] = []
    timeouts, refused = _reads("timeout"), _reads("circuit_open")
    async with RedisProxy(redis_url) as proxy:
        through = await connected(client_of(proxy.url))  # connected before it hangs
        # One breaker for both: the hung reads give up soon, the others wait as long as needed.
        hung = Counted(through, breaker, HUNG_TIMEOUT_S, sent)
        patient = Counted(through, breaker, TIMEOUT_S, sent)
        try:
            proxy.stall()
            first = await _batch(queries, today, scope, hung.lookup)
            assert (len(sent), breaker.state) == (1, "open")
            second = await _batch(queries, today, scope, hung.lookup)  # another partner's
            assert len(sent) == 1

            proxy.resume()
            clock.now += OPEN_S * 1.25  # past the cool-down and its jitter
            after = await _batch(queries, today, scope, patient.lookup)
        finally:
            proxy.resume()
            await through.aclose()
            await client.delete(*{s.key for s in slots})

    for line in first + second:
        assert (line["status"], line["detail"]) == ("error", "the fare index is unavailable")
    assert (_reads("timeout") - timeouts, _reads("circuit_open") - refused) == (1, 3 + 4)
    # The probe (the first chunk) answered: closed, and every chunk read again.
    assert breaker.state == "closed"
    assert sent == [FIRST_CHUNK, FIRST_CHUNK, DAYS - FIRST_CHUNK]
    for n, line in enumerate(after):
        assert line["cheapest"]["amount"] == f"{100 + n % DAYS}.00", n
