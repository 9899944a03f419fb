"""Bulk batches and calendars while the Redis holding the fare index hangs (connected, never
answering): the first two chunks' lookups wait out the index's timeout and open its breaker;
every later chunk, and the next batch, answers `error` without sending anything; once Redis
answers again and the breaker's cool-down has passed, one probe closes it and the fares come
back. The calendar answers 503 meanwhile, whose `Retry-After` counts down to that probe
(search/fare_index_breaker.py).

The hang is a real one: a TCP proxy in front of the test Redis holds every byte both ways
(tests/support/redis_proxy.py); the shared Redis itself is never paused. Nothing here reads a
clock: the lookups that reached the hung server are counted, and the breaker's cool-down runs
on a clock the test moves.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from typing import Any

import msgspec
import pytest
import redis.asyncio as aioredis
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client import REGISTRY

from search.bulk import BulkQuery, parse_envelope, validate_query
from search.bulk_routes import add_routes
from search.bulk_service import FIRST_CHUNK, REST_CHUNK, Lookup, ordered_lines
from search.fare_index import IndexSlot
from search.fare_index_breaker import FAILURES, OPEN_S, ReadBreaker, read_policy
from search.fare_index_redis import RedisFareIndex
from search.routes import SEARCH_SERVICE
from search.service import SearchService
from skyfare.plumbing import install_plumbing
from tests.integration.search.test_fare_index_redis import TIMEOUT_S, fare, index_of
from tests.support.redis_cluster import client_of, connected
from tests.support.redis_proxy import RedisProxy

DAYS = 40
SIZE = 750  # chunks of 10, 250, 250 and 240: four lookups (two time out, two are not sent)
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
            assert (len(sent), breaker.state) == (FAILURES, "open")
            second = await _batch(queries, today, scope, hung.lookup)  # another partner's
            assert len(sent) == FAILURES

            proxy.resume()
            clock.now += OPEN_S * 1.25  # past the cool-down and its jitter
            after = await _batch(queries, today, scope, patient.lookup)
        finally:
            proxy.resume()
            await through.aclose()
            await client.delete(*{s.key for s in slots})

    for line in first + second:
        assert (line["status"], line["detail"]) == ("error", "the fare index is unavailable")
    assert (_reads("timeout") - timeouts, _reads("circuit_open") - refused) == (2, 2 + 4)
    # The probe (the first chunk) answered: closed, and every chunk read again.
    assert breaker.state == "closed"
    assert sent[FAILURES:] == [FIRST_CHUNK, DAYS - FIRST_CHUNK]
    for n, line in enumerate(after):
        assert line["cheapest"]["amount"] == f"{100 + n % DAYS}.00", n


async def test_the_calendar_answers_503_with_retry_after_until_the_probe_over_a_hung_redis(
    redis_url: str,
) -> None:
    open_s = 10.0  # ± 20 %: a Retry-After far from the 1 s of a read that just failed
    clock = FakeClock()
    breaker = ReadBreaker(policy=read_policy(open_s=open_s), clock=clock, rng=random.Random(5))
    month = (dt.datetime.now(dt.UTC).date().replace(day=1) + dt.timedelta(days=40)).strftime(
        "%Y-%m"
    )
    params = {"origin": "LHR", "destination": "JFK", "month": month}
    async with RedisProxy(redis_url) as proxy:
        through = await connected(client_of(proxy.url))  # connected before it hangs
        index = RedisFareIndex(
            through, timeout_s=TIMEOUT_S, read_timeout_s=HUNG_TIMEOUT_S, breaker=breaker
        )
        app = web.Application()
        install_plumbing(app)
        app[SEARCH_SERVICE] = SearchService([], default_deadline_ms=1000, index=index)
        add_routes(app.router)
        try:
            async with TestClient(TestServer(app)) as http:
                proxy.stall()
                timed_out = [await http.get("/v1/calendar", params=params) for _ in range(2)]
                assert breaker.state == "open"
                refused = await http.get("/v1/calendar", params=params)
                problem = await refused.json()
                wait = breaker.probe_in_s()
                clock.now += 5.0
                later = await http.get("/v1/calendar", params=params)

                proxy.resume()
                clock.now += open_s  # past the cool-down and its jitter
                answered = await http.get("/v1/calendar", params=params)
        finally:
            proxy.resume()
            await through.aclose()

    for response in timed_out:  # read, and failed: try again in a second
        assert (response.status, response.headers["Retry-After"]) == (503, "1")
    assert 8.0 <= wait <= 12.0
    assert refused.status == later.status == 503
    assert problem["detail"] == "the fare index cannot be read right now"
    assert refused.headers["Retry-After"] == str(math.ceil(wait))
    assert later.headers["Retry-After"] == str(math.ceil(wait - 5.0))
    assert answered.status == 200
    assert breaker.state == "closed"
