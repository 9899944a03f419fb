"""Cross-process single-flight against real Redis: two caches, each with its own client, play two
worker processes searching the same key at once."""

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from cache.flight_lock import RedisFlightLock, lock_key
from cache.keys import PREFIX
from cache.memory import InMemoryFareCache
from cache.model import FareEntry
from cache.read_through import Loaded, ReadThroughCache
from cache.redis import RedisFareCache
from cache.tiered import TieredFareCache
from tests.support.redis_cluster import client_of

TIMEOUT = 0.5


class Loader:
    """A search that takes `delay` seconds: counts its runs, fails with `fail_with` if set."""

    def __init__(self, *, delay: float = 0.1, fail_with: Exception | None = None) -> None:
        self.calls = 0
        self.delay = delay
        self.fail_with = fail_with
        self.started = asyncio.Event()  # set once running: its worker holds the lock by then

    async def __call__(self, background: bool) -> Loaded:
        self.calls += 1
        self.started.set()
        await asyncio.sleep(self.delay)
        if self.fail_with is not None:
            raise self.fail_with
        now = time.time()
        return FareEntry(uuid.uuid4().bytes, b"[]", False, 1, now, now + 60, now + 240), True


@pytest.fixture
async def clients(redis_url: str) -> AsyncIterator[list[aioredis.Redis]]:
    clients = [client_of(redis_url) for _ in range(2)]
    yield clients
    for client in clients:
        await client.aclose()


def worker(client: aioredis.Redis, *, ttl_s: float = 2.0, wait: float = 1.0) -> ReadThroughCache:
    store = TieredFareCache(InMemoryFareCache(10), RedisFareCache(client))
    lock = RedisFlightLock(client, ttl_s=ttl_s)
    return ReadThroughCache(store, lock=lock, lock_wait_s=wait, poll_s=0.01)


def key() -> str:
    return PREFIX + uuid.uuid4().hex


async def test_concurrent_misses_across_workers_run_one_search(
    clients: list[aioredis.Redis],
) -> None:
    workers, k, loader = [worker(c) for c in clients], key(), Loader()

    results = await asyncio.gather(
        *(workers[i % 2].fetch(k, loader, timeout=TIMEOUT) for i in range(20))
    )

    assert loader.calls == 1
    assert len({found for found, _ in results}) == 1
    assert sorted({state for _, state in results}) == ["hit", "miss"]
    assert await clients[0].exists(lock_key(k)) == 0  # released once stored


async def test_when_the_winner_fails_another_worker_searches_within_its_wait(
    clients: list[aioredis.Redis],
) -> None:
    k = key()
    failing, own = Loader(fail_with=RuntimeError("fan-out broke")), Loader(delay=0.01)
    winner = asyncio.create_task(worker(clients[0]).fetch(k, failing, timeout=TIMEOUT))
    await failing.started.wait()

    start = time.perf_counter()
    _, state = await worker(clients[1], wait=30.0).fetch(k, own, timeout=TIMEOUT)

    assert (state, own.calls) == ("miss", 1)
    # The failed winner's ~0.1 s, then its own search; not the 30 s wait (wide margin for load).
    assert time.perf_counter() - start < 10
    with pytest.raises(RuntimeError):
        await winner


async def test_a_hung_winner_holds_the_others_no_longer_than_the_lock_ttl(
    clients: list[aioredis.Redis],
) -> None:
    k = key()
    hung, own = Loader(delay=30.0), Loader(delay=0.01)
    first = worker(clients[0], ttl_s=0.2)
    winner = asyncio.create_task(first.fetch(k, hung, timeout=TIMEOUT))
    await hung.started.wait()

    start = time.perf_counter()
    _, state = await worker(clients[1], wait=30.0).fetch(k, own, timeout=TIMEOUT)

    assert (state, own.calls) == ("miss", 1)
    # The lock's 0.2 s TTL, not the hung winner's 30 s nor the 30 s wait (wide margin for load).
    assert time.perf_counter() - start < 10
    winner.cancel()
    await first.close()


async def test_an_expired_holder_does_not_release_the_next_holders_lock(
    clients: list[aioredis.Redis],
) -> None:
    k = key()
    first, second = (RedisFlightLock(c, ttl_s=30.0) for c in clients)
    stale_token = await first.acquire(k, timeout=TIMEOUT)
    assert stale_token is not None
    assert await second.acquire(k, timeout=TIMEOUT) is None
    # The first holder's lock runs out: its key goes, as an expiry removes it (done at once:
    # with a short TTL for both, a busy machine let the second holder's lock run out too).
    await clients[0].delete(lock_key(k))
    assert await second.acquire(k, timeout=TIMEOUT) is not None

    await first.release(k, stale_token, timeout=TIMEOUT)

    assert await clients[0].exists(lock_key(k)) == 1


async def test_with_redis_down_each_worker_searches_for_itself_at_once(tmp_path: Path) -> None:
    down = [aioredis.Redis.from_url(f"unix://{tmp_path / 'nobody.sock'}") for _ in range(2)]
    workers, k, loader = [worker(c, wait=30.0) for c in down], key(), Loader(delay=0.01)

    start = time.perf_counter()
    results = await asyncio.gather(
        *(workers[i % 2].fetch(k, loader, timeout=0.05) for i in range(10))
    )

    assert loader.calls == 2  # one per worker: in-process single-flight still holds
    assert {state for _, state in results} == {"miss"}
    assert time.perf_counter() - start < 10  # not the 30 s lock wait
    for client in down:
        await client.aclose()
