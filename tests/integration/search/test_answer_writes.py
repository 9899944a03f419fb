"""A stored answer's writes in one round trip (search/answer_writes.py), against real Redis: the
entry, its tags and its index fare land as the separate writes left them, a refusal still
evicts, a Redis that lost the scripts still gets them, and it costs one round trip."""

import datetime as dt
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
import redis.asyncio as aioredis

from cache.batch import evalsha
from cache.keys import PREFIX
from cache.memory import InMemoryFareCache
from cache.model import load_entry
from cache.read_through import ReadThroughCache
from cache.redis import RedisFareCache
from cache.tags import RedisTagIndex
from cache.tiered import TieredFareCache
from connectors.model import Passengers, SliceQuery
from connectors.resilience import ResiliencePolicy, ResilientConnector
from search.answer_writes import AnswerWrites
from search.fare_index import slot
from search.fare_index_redis import RedisFareIndex
from search.model import SearchRequest
from search.service import SearchService
from search.stale_fares import StaleFares
from tests.fakes import FakeConnector, offer, segment

# Generous: a busy machine must not turn a write into a dropped one (each is bounded by it).
TIMEOUT_S = 30.0


class CountingRedis(aioredis.Redis):
    """A real client that counts what it sends: commands alone and pipelines executed."""

    round_trips = 0

    async def execute_command(self, *args: Any, **options: Any) -> Any:
        type(self).round_trips += 1
        return await super().execute_command(*args, **options)

    def pipeline(self, transaction: bool = True, shard_hint: Any = None) -> Any:
        pipe = super().pipeline(transaction, shard_hint)
        execute = pipe.execute

        async def counted(raise_on_error: bool = True) -> Any:
            type(self).round_trips += 1
            return await execute(raise_on_error=raise_on_error)

        pipe.execute = counted  # type: ignore[method-assign]
        return pipe


@pytest.fixture
async def client(redis_url: str) -> AsyncIterator[CountingRedis]:
    client = CountingRedis.from_url(redis_url)
    await client.ping()
    yield client
    await client.aclose()


class Wired:
    """A search service wired as skyfare/search_contexts.py wires it for one Redis."""

    def __init__(self, client: aioredis.Redis, *, batched: bool) -> None:
        self.store = TieredFareCache(InMemoryFareCache(10), RedisFareCache(client))
        self.store.shared_confirmed = True  # Redis has answered: the writes follow the answer
        self.fares = ReadThroughCache(self.store)
        self.index = RedisFareIndex(client, timeout_s=TIMEOUT_S, read_timeout_s=TIMEOUT_S)
        self.tags = RedisTagIndex(client)
        stale = StaleFares(
            self.store, self.tags, self.index, timeout_s=TIMEOUT_S, tag_timeout_s=TIMEOUT_S
        )
        writes = AnswerWrites(
            client, self.store, RedisFareCache(client), self.tags, self.index, timeout_s=TIMEOUT_S
        )
        name = f"aw-{uuid.uuid4().hex[:8]}"  # offers of their own: a test's marks outlive it
        connector = FakeConnector(name, offers=[offer("640.00", segment("AA100"), source=name)])
        self.service = SearchService(
            [ResilientConnector(connector, ResiliencePolicy(retries=0))],
            default_deadline_ms=30_000,
            fares=self.fares,
            cache_timeout_s=TIMEOUT_S,
            cache_scope=uuid.uuid4().hex,
            index=self.index,
            stale=stale,
            writes=writes if batched else None,
        )
        self.day = dt.date.today() + dt.timedelta(days=40)
        self.request = SearchRequest(
            slices=(SliceQuery("LHR", "JFK", self.day),), passengers=Passengers(), cache=False
        )
        self.slot = slot(self.service.index_scope, "LHR", "JFK", self.day, None, "economy", 1)

    def key(self) -> str:
        (key,) = [k for k in self.store.l1._entries if k.startswith(PREFIX)]
        return key


async def test_an_answer_is_stored_tagged_and_indexed_in_one_round_trip(
    client: CountingRedis,
) -> None:
    trips = {}
    for batched in (False, True):
        wired = Wired(client, batched=batched)
        await wired.service.search_body(wired.request)  # connections open, scripts loaded
        await wired.fares.settle()
        CountingRedis.round_trips = 0
        await wired.service.search_body(wired.request)
        await wired.fares.settle()
        trips[batched] = CountingRedis.round_trips
        await wired.service.close()

    assert trips == {False: 3, True: 1}  # SET, tags, index: one by one, then at once
    stored = await client.get(wired.key())
    assert stored is not None
    assert load_entry(stored).offer_count == 1
    (fare,) = await wired.index.lookup([wired.slot])
    assert fare is not None
    assert await wired.tags.take(fare.offer_id, timeout=TIMEOUT_S) == {
        "\x1f".join((wired.key(), wired.slot.key, wired.slot.field))
    }


async def test_separate_writes_leave_the_same_redis_state(client: CountingRedis) -> None:
    found = []
    for batched in (False, True):
        wired = Wired(client, batched=batched)
        await wired.service.search_body(wired.request)
        await wired.fares.settle()
        (fare,) = await wired.index.lookup([wired.slot])
        assert fare is not None
        members = await wired.tags.take(fare.offer_id, timeout=TIMEOUT_S)
        stored = await client.get(wired.key())
        ttl = await client.pttl(wired.key())
        found.append((stored is not None, ttl > 0, len(members), fare.amount, fare.offers))
        await wired.service.close()

    assert found[0] == found[1] == (True, True, 1, found[0][3], 1)


async def test_an_answer_whose_offer_was_repriced_wrong_during_its_search_is_evicted(
    client: CountingRedis,
) -> None:
    wired = Wired(client, batched=True)
    # The first search finds the offer's id and the key; a re-pricing then finds the offer
    # wrong, marked as after the next search began (whatever the clocks say).
    await wired.service.search_body(wired.request)
    await wired.fares.settle()
    key = wired.key()
    (fare,) = await wired.index.lookup([wired.slot])
    assert fare is not None
    await wired.tags.take_owed(
        fare.offer_id, at=time.time() + 3600, mark_ttl_s=30, timeout=TIMEOUT_S
    )

    await wired.service.search_body(wired.request)
    await wired.fares.settle()

    assert wired.store.l1.peek(key) is None
    assert await client.get(key) is None
    assert await wired.index.lookup([wired.slot]) == [None]
    assert not await wired.tags.contains(fare.offer_id, timeout=TIMEOUT_S)
    await wired.service.close()


async def test_scripts_redis_no_longer_holds_are_loaded_and_still_run_after_the_entry(
    client: CountingRedis,
) -> None:
    wired = Wired(client, batched=True)
    await client.script_flush()

    await wired.service.search_body(wired.request)
    await wired.fares.settle()

    assert await client.get(wired.key()) is not None
    (fare,) = await wired.index.lookup([wired.slot])
    assert fare is not None
    assert await wired.tags.contains(fare.offer_id, timeout=TIMEOUT_S)
    await wired.service.close()


async def test_a_script_redis_no_longer_holds_is_loaded_and_sent_again_in_three_round_trips(
    client: CountingRedis,
) -> None:
    script = client.register_script("return ARGV[1]")
    await client.script_flush()
    CountingRedis.round_trips = 0

    assert await evalsha(script, [], ["ran"]) == b"ran"

    assert CountingRedis.round_trips == 3  # EVALSHA (NOSCRIPT), SCRIPT LOAD, EVALSHA
