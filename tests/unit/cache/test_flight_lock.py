"""Cross-process single-flight with the fake lock: two caches over one shared L2 are two workers."""

import asyncio
import math
import time

import pytest
from prometheus_client import REGISTRY

from cache.flight_lock import InMemoryFlightLock, lock_ttl
from cache.memory import InMemoryFareCache
from cache.model import CacheError, FareEntry
from cache.read_through import Loaded, ReadThroughCache
from cache.tiered import TieredFareCache

KEY = "skyfare:fares:v1:test"
TIMEOUT = 0.05


def entry(offers: bytes = b"[1]") -> FareEntry:
    now = time.time()
    return FareEntry(offers, b"[]", False, 1, now, now + 60, now + 240)


def worker(lock: InMemoryFlightLock, *, wait: float = math.inf) -> ReadThroughCache:
    """A worker that waits for another's entry as long as that takes, unless told otherwise: when
    it stops waiting, the behaviour under test made it, not a bound a busy machine ran out."""
    store = TieredFareCache(InMemoryFareCache(10), lock.shared)
    return ReadThroughCache(store, lock=lock, lock_wait_s=wait, poll_s=0.001)


class Loader:
    """Counts its calls; holds each until `release` is set, then answers or raises `fail_with`."""

    def __init__(self, offers: bytes = b"[1]", *, fail_with: Exception | None = None) -> None:
        self.calls = 0
        self.started = asyncio.Event()  # set once running: its worker holds the lock by then
        self.release = asyncio.Event()
        self.offers = offers
        self.fail_with = fail_with

    async def __call__(self, background: bool) -> Loaded:
        self.calls += 1
        self.started.set()
        await self.release.wait()
        if self.fail_with is not None:
            raise self.fail_with
        return entry(self.offers), True


class CountingLock(InMemoryFlightLock):
    """Counts the peeks of waiting workers: how long they waited, told without a clock; `peeked`
    is set at the first (a worker is waiting on the holder)."""

    def __init__(self, shared: InMemoryFareCache) -> None:
        super().__init__(shared)
        self.peeks = 0
        self.peeked = asyncio.Event()

    async def peek(self, key: str, *, timeout: float) -> tuple[FareEntry | None, bool]:
        self.peeks += 1
        self.peeked.set()
        return await super().peek(key, timeout=timeout)


class BrokenLock(InMemoryFlightLock):
    async def acquire(self, key: str, *, timeout: float) -> str | None:
        raise CacheError("down")


def shared_count() -> float:
    sample = REGISTRY.get_sample_value(
        "skyfare_cache_requests_total", {"layer": "redis", "outcome": "shared"}
    )
    return sample or 0.0


async def test_a_second_worker_waits_for_the_entry_the_first_one_loads() -> None:
    lock = CountingLock(InMemoryFareCache(10))
    first, second = worker(lock), worker(lock)
    loader = Loader()
    before = shared_count()

    winner = asyncio.create_task(first.fetch(KEY, loader, timeout=TIMEOUT))
    loser = asyncio.create_task(second.fetch(KEY, loader, timeout=TIMEOUT))
    await asyncio.gather(loader.started.wait(), lock.peeked.wait())
    assert lock.holders  # the winner holds the lock while it loads, the other waits on it
    loader.release.set()

    (won, won_state), (lost, lost_state) = await asyncio.gather(winner, loser)
    assert loader.calls == 1
    assert (won_state, lost_state) == ("miss", "hit")
    assert won == lost
    assert shared_count() == before + 1
    assert not lock.holders
    assert second.store.peek_fresh(KEY) == lost  # copied into the loser's L1


async def test_when_the_winner_fails_the_waiting_worker_loads_itself() -> None:
    lock = CountingLock(InMemoryFareCache(10))
    failing, own = Loader(fail_with=RuntimeError("fan-out broke")), Loader(b"[2]")
    own.release.set()

    winner = asyncio.create_task(worker(lock).fetch(KEY, failing, timeout=TIMEOUT))
    await failing.started.wait()
    loser = asyncio.create_task(worker(lock).fetch(KEY, own, timeout=TIMEOUT))
    await lock.peeked.wait()  # it waits on the winner, without a bound: only the failure ends it
    failing.release.set()

    with pytest.raises(RuntimeError):
        await winner
    found, state = await loser
    assert (found.offers, state, own.calls) == (b"[2]", "miss", 1)
    assert not lock.holders


async def test_a_worker_stops_waiting_after_its_wait_and_loads_itself() -> None:
    lock = CountingLock(InMemoryFareCache(10))
    await lock.acquire(KEY, timeout=TIMEOUT)  # a holder that never stores nor releases
    own = Loader()
    own.release.set()

    _, state = await worker(lock, wait=0.02).fetch(KEY, own, timeout=TIMEOUT)

    assert (state, own.calls) == ("miss", 1)
    assert lock.peeks >= 2  # it looked again after a poll before giving up on the holder


async def test_a_per_fetch_wait_overrides_the_default() -> None:
    lock = CountingLock(InMemoryFareCache(10))
    await lock.acquire(KEY, timeout=TIMEOUT)
    own = Loader()
    own.release.set()

    await worker(lock, wait=30.0).fetch(KEY, own, timeout=TIMEOUT, wait=0.0)

    assert own.calls == 1
    assert lock.peeks == 1  # one look, no poll: the default's 30 s wait did not apply


async def test_a_lock_that_cannot_answer_means_loading_locally() -> None:
    lock = BrokenLock(InMemoryFareCache(10))
    loader = Loader()
    loader.release.set()

    _, state = await worker(lock).fetch(KEY, loader, timeout=TIMEOUT)

    assert (state, loader.calls) == ("miss", 1)


def test_the_lock_ttl_is_bounded() -> None:
    assert (lock_ttl(0.01), lock_ttl(2.5), lock_ttl(60.0)) == (0.1, 2.5, 10.0)


def test_a_lock_shares_its_entrys_redis_cluster_slot() -> None:
    from redis.crc import key_slot

    from cache.flight_lock import lock_key

    # (A key with a brace but no tag, "x{}y", has no lock in its slot: fare keys are hex.)
    for key in (KEY, "skyfare:fares:v1:{abc}", "a{b}c{d}"):
        assert key_slot(lock_key(key).encode()) == key_slot(key.encode()), key
