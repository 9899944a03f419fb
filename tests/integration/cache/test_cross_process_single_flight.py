"""Cross-process single-flight against real Redis: two caches, each with its own client, play two
worker processes searching the same key at once.

No outcome here hangs on the machine's speed: the workers wait for each other without a bound
(`lock_wait_s=inf`), a winner's search answers on an event rather than after a sleep, and the
bounds left (each Redis call's, the lock TTL of a winner that finishes) are far beyond what a
loaded machine takes. A broken behaviour hangs instead, and pytest-timeout fails the test.
"""

import asyncio
import math
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from cache.flight_lock import FlightLock, RedisFlightLock, lock_key
from cache.keys import PREFIX
from cache.memory import InMemoryFareCache
from cache.model import FareEntry
from cache.read_through import Loaded, ReadThroughCache
from cache.redis import RedisFareCache
from cache.tiered import TieredFareCache
from tests.support.redis_cluster import client_of

# Per Redis call. No test here is about a slow Redis: a call that ran out would make its worker
# search uncached (two searches where one is expected), so with 0.5 s a busy machine, not the
# lock, decided the outcome of the cluster variant (it failed so in CI).
TIMEOUT = 30.0
# The lock TTL of a winner that does finish (the most `lock_ttl` allows): it must not run out
# while a loaded machine stores the entry, or a waiting worker takes the lock and searches again.
LONG_TTL_S = 10.0


class WatchedLock:
    """A `RedisFlightLock` that sets `waited_on` once a worker waits on another's lock (`peek`)."""

    def __init__(self, client: aioredis.Redis, waited_on: asyncio.Event) -> None:
        self.inner = RedisFlightLock(client, ttl_s=LONG_TTL_S)
        self.waited_on = waited_on

    async def acquire(self, key: str, *, timeout: float) -> str | None:
        return await self.inner.acquire(key, timeout=timeout)

    async def release(self, key: str, token: str, *, timeout: float) -> None:
        await self.inner.release(key, token, timeout=timeout)

    async def peek(self, key: str, *, timeout: float) -> tuple[FareEntry | None, bool]:
        found = await self.inner.peek(key, timeout=timeout)
        self.waited_on.set()
        return found


class Loader:
    """A search that answers once `until` is set (never, when it never is): counts its runs,
    fails with `fail_with` if set."""

    def __init__(
        self, *, until: asyncio.Event | None = None, fail_with: Exception | None = None
    ) -> None:
        self.calls = 0
        self.until = until
        self.fail_with = fail_with
        self.started = asyncio.Event()  # set once running: its worker holds the lock by then

    async def __call__(self, background: bool) -> Loaded:
        self.calls += 1
        self.started.set()
        if self.until is not None:
            await self.until.wait()
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


def worker(
    client: aioredis.Redis, *, ttl_s: float = LONG_TTL_S, lock: FlightLock | None = None
) -> ReadThroughCache:
    """A worker that waits for another's search as long as that takes: when it stops waiting, the
    behaviour under test made it stop, not a bound the machine's load ran out."""
    store = TieredFareCache(InMemoryFareCache(10), RedisFareCache(client))
    flight_lock = lock or RedisFlightLock(client, ttl_s=ttl_s)
    return ReadThroughCache(store, lock=flight_lock, lock_wait_s=math.inf, poll_s=0.01)


def key() -> str:
    return PREFIX + uuid.uuid4().hex


async def test_concurrent_misses_across_workers_run_one_search(
    clients: list[aioredis.Redis],
) -> None:
    # The search answers only once the other worker waits on the winner's lock: both workers have
    # missed by then, so the other must share the winner's answer rather than search again.
    waiting = asyncio.Event()
    workers = [worker(c, lock=WatchedLock(c, waiting)) for c in clients]
    k, loader = key(), Loader(until=waiting)

    results = await asyncio.gather(
        *(workers[i % 2].fetch(k, loader, timeout=TIMEOUT) for i in range(20))
    )

    assert loader.calls == 1
    assert len({found for found, _ in results}) == 1
    assert sorted({state for _, state in results}) == ["hit", "miss"]
    # The winner releases after its answer, once the entry is stored (the others waited on that).
    await asyncio.gather(*(w.settle() for w in workers))
    assert await clients[0].exists(lock_key(k)) == 0


async def test_when_the_winner_fails_the_worker_waiting_on_it_searches_itself(
    clients: list[aioredis.Redis],
) -> None:
    k, waiting = key(), asyncio.Event()
    # The winner fails only once the other worker waits on its lock.
    failing, own = Loader(until=waiting, fail_with=RuntimeError("fan-out broke")), Loader()
    winner = asyncio.create_task(worker(clients[0]).fetch(k, failing, timeout=TIMEOUT))
    await failing.started.wait()

    second = worker(clients[1], lock=WatchedLock(clients[1], waiting))
    _, state = await second.fetch(k, own, timeout=TIMEOUT)

    # It waited without a bound: only the failed winner's lock going let it search for itself.
    assert (state, own.calls) == ("miss", 1)
    with pytest.raises(RuntimeError):
        await winner


async def test_a_hung_winner_holds_the_others_no_longer_than_the_lock_ttl(
    clients: list[aioredis.Redis],
) -> None:
    k = key()
    hung, own = Loader(until=asyncio.Event()), Loader()  # the winner's search never answers
    first = worker(clients[0], ttl_s=0.2)
    winner = asyncio.create_task(first.fetch(k, hung, timeout=TIMEOUT))
    await hung.started.wait()

    _, state = await worker(clients[1]).fetch(k, own, timeout=TIMEOUT)

    # It waited without a bound while the winner hangs: only the lock's TTL let it search.
    assert (state, own.calls) == ("miss", 1)
    assert not winner.done()
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
    workers, k, loader = [worker(c) for c in down], key(), Loader()

    # The workers would wait for each other without a bound: they search because the lock store
    # failed, whether the refused connection or the 0.05 s bound ends each Redis call.
    results = await asyncio.gather(
        *(workers[i % 2].fetch(k, loader, timeout=0.05) for i in range(10))
    )

    assert loader.calls == 2  # one per worker: in-process single-flight still holds
    assert {state for _, state in results} == {"miss"}
    for client in down:
        await client.aclose()
