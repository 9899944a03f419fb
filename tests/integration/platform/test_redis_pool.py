"""Skyfare's blocking Redis pool (skyfare/redis_pool.py) against a real Redis, beside redis-py's
`BlockingConnectionPool`: the same cap, wait, timeout error and care for a broken connection;
and its waiters are served first come, first served."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable

import pytest
import redis.asyncio as aioredis
from redis.asyncio.connection import BlockingConnectionPool
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError

from skyfare.redis_client import is_cluster
from skyfare.redis_pool import FifoBlockingConnectionPool
from skyfare.settings import load_settings
from tests.support.notify import eventually

POOLS = {"redis-py": BlockingConnectionPool, "skyfare": FifoBlockingConnectionPool}
LONG_S = 30.0  # a bound the tests never reach: what they wait for comes first
MakeClient = Callable[..., aioredis.Redis]


@pytest.fixture
async def admin(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    """A client outside the pools under test: it watches them (CLIENT LIST) and feeds them."""
    if is_cluster(load_settings(), redis_url):
        pytest.skip("the cluster client does not use these pools (skyfare/redis_client.py)")
    client = aioredis.Redis.from_url(redis_url, socket_timeout=LONG_S)
    yield client
    await client.aclose()


@pytest.fixture
async def make_client(redis_url: str, admin: aioredis.Redis) -> AsyncIterator[MakeClient]:
    """`make_client(pool_class, size, timeout)`: a client of a pool of that class, without
    redis-py's retries (a broken connection must be the pool's to fix), whose connections have
    a name of their own in CLIENT LIST."""
    clients: list[aioredis.Redis] = []

    def make(pool_class: type[BlockingConnectionPool], size: int, timeout: float) -> aioredis.Redis:
        name = f"test-pool-{uuid.uuid4().hex[:12]}"
        pool = pool_class.from_url(
            redis_url,
            max_connections=size,
            timeout=timeout,
            socket_timeout=LONG_S,
            client_name=name,
            retry=Retry(NoBackoff(), 0),
        )
        client = aioredis.Redis.from_pool(pool)
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()


async def connections_of(admin: aioredis.Redis, client: aioredis.Redis) -> list[dict[str, str]]:
    """The server's view of `client`'s connections."""
    listed: list[dict[str, str]] = await admin.client_list()
    name = client.connection_pool.connection_kwargs["client_name"]
    return [c for c in listed if c["name"] == name]


async def let_the_others_run() -> None:
    for _ in range(10):
        await asyncio.sleep(0)


@pytest.mark.parametrize("pool_class", POOLS.values(), ids=POOLS.keys())
async def test_fifty_concurrent_commands_use_at_most_four_connections(
    make_client: MakeClient, admin: aioredis.Redis, pool_class: type[BlockingConnectionPool]
) -> None:
    client = make_client(pool_class, 4, LONG_S)
    key = f"test:pool:{uuid.uuid4().hex}"
    # 50 BLPOPs hold their connections in Redis until fed: 4 block there, 46 wait in the pool.
    pops = [asyncio.create_task(client.blpop([key], timeout=LONG_S)) for _ in range(50)]

    async def four_blocked() -> bool:
        return [c["cmd"] for c in await connections_of(admin, client)] == ["blpop"] * 4

    await eventually(four_blocked)
    await let_the_others_run()
    assert len(await connections_of(admin, client)) == 4
    assert not any(pop.done() for pop in pops)
    await admin.rpush(key, *range(50))
    answers = await asyncio.gather(*pops)
    assert sorted(int(value) for _, value in answers) == list(range(50))
    assert len(await connections_of(admin, client)) == 4


@pytest.mark.parametrize("pool_class", POOLS.values(), ids=POOLS.keys())
async def test_commands_and_pipelines_beyond_the_size_all_run_on_its_connections(
    make_client: MakeClient, admin: aioredis.Redis, pool_class: type[BlockingConnectionPool]
) -> None:
    client = make_client(pool_class, 4, LONG_S)
    key = f"test:pool:{uuid.uuid4().hex}"

    async def pipelined(transaction: bool) -> list[object]:
        async with client.pipeline(transaction=transaction) as pipe:
            pipe.incr(key).exists(key)
            return await pipe.execute()

    calls = [client.incr(key) for _ in range(20)]
    calls += [pipelined(transaction=n % 2 == 0) for n in range(30)]
    await asyncio.gather(*calls)
    assert int(await admin.get(key)) == 50
    assert len(await connections_of(admin, client)) == 4
    await admin.delete(key)


@pytest.mark.parametrize("pool_class", POOLS.values(), ids=POOLS.keys())
async def test_a_command_past_the_size_gets_the_connection_released(
    make_client: MakeClient, pool_class: type[BlockingConnectionPool]
) -> None:
    client = make_client(pool_class, 1, LONG_S)
    held = await client.connection_pool.get_connection()
    waiting = asyncio.create_task(client.ping())
    await let_the_others_run()
    assert not waiting.done()
    await client.connection_pool.release(held)
    assert await waiting is True


async def test_a_command_that_waits_too_long_fails_as_with_redis_pys_pool(
    make_client: MakeClient,
) -> None:
    failures = {}
    for name, pool_class in POOLS.items():
        client = make_client(pool_class, 1, 0.05)
        held = await client.connection_pool.get_connection()
        with pytest.raises(RedisConnectionError) as failed:
            await client.ping()
        failures[name] = (type(failed.value), str(failed.value), type(failed.value.__cause__))
        # The command that gave up left nothing behind: the next one is served at once.
        await client.connection_pool.release(held)
        assert await client.ping() is True
    assert failures["skyfare"] == failures["redis-py"]
    assert failures["skyfare"] == (RedisConnectionError, "No connection available.", TimeoutError)


@pytest.mark.parametrize(
    "pool_class",
    [
        FifoBlockingConnectionPool,
        pytest.param(
            BlockingConnectionPool,
            marks=pytest.mark.xfail(
                strict=True,
                reason="redis-py's Condition lets a newcomer take the connection just released "
                "ahead of the waiter it woke",
            ),
        ),
    ],
    ids=["skyfare", "redis-py"],
)
async def test_waiters_are_served_first_come_first_served(
    make_client: MakeClient, admin: aioredis.Redis, pool_class: type[BlockingConnectionPool]
) -> None:
    client = make_client(pool_class, 1, LONG_S)
    key = f"test:pool:{uuid.uuid4().hex}"
    pool = client.connection_pool
    held = await pool.get_connection()
    waiters = []
    for _ in range(5):
        waiters.append(asyncio.create_task(client.incr(key)))
        await let_the_others_run()  # each is in line before the next comes
    await pool.release(held)
    # One pool, one connection: INCR's answer is the order in which the commands were served.
    newcomer = await client.incr(key)  # arrives while the first waiter is being handed over
    assert [await w for w in waiters] == [1, 2, 3, 4, 5]
    assert newcomer == 6
    await admin.delete(key)


@pytest.mark.parametrize("pool_class", POOLS.values(), ids=POOLS.keys())
async def test_a_connection_the_server_closed_is_reconnected_before_it_is_handed_out(
    make_client: MakeClient, admin: aioredis.Redis, pool_class: type[BlockingConnectionPool]
) -> None:
    client = make_client(pool_class, 1, LONG_S)
    assert await client.ping() is True
    [before] = await connections_of(admin, client)
    await admin.client_kill_filter(_id=before["id"])
    # No retries: the pool must find the dead connection and hand out a fresh one.
    assert await client.ping() is True
    [after] = await connections_of(admin, client)
    assert after["id"] != before["id"]


@pytest.mark.parametrize("pool_class", POOLS.values(), ids=POOLS.keys())
async def test_a_command_cut_off_before_its_reply_leaves_no_reply_for_the_next(
    make_client: MakeClient, admin: aioredis.Redis, pool_class: type[BlockingConnectionPool]
) -> None:
    client = make_client(pool_class, 1, LONG_S)
    key, other = f"test:pool:{uuid.uuid4().hex}", f"test:pool:{uuid.uuid4().hex}"
    await admin.set(other, "mine")
    pop = asyncio.create_task(client.blpop([key], timeout=LONG_S))

    async def blocked() -> bool:
        return [c["cmd"] for c in await connections_of(admin, client)] == ["blpop"]

    await eventually(blocked)
    pop.cancel()
    await admin.rpush(key, "the BLPOP's")  # its reply, on the connection it was sent on
    assert await client.get(other) == b"mine"
    await admin.delete(key, other)
