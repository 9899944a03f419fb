"""Skyfare's Redis connections (skyfare/redis_connections.py) against a real Redis and a real
Redis Cluster: no Task of their own per command, and a Redis that hangs still ends a command or
a pipeline with redis' TimeoutError after `socket_timeout`, its connection never used again.

The client under test is patient, and its `socket_timeout` is TIMEOUT_S only while the server
hangs (`socket_timeout(...)`): its connect, PING and keys, and the commands that check it after,
are ordinary commands, which a busy machine (load 24 on two cores) can keep past 0.3 s."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Coroutine, Iterator
from typing import Any

import pytest
import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import TimeoutError as RedisTimeoutError

from skyfare.redis_client import redis_client
from skyfare.redis_connections import bound_writes_without_task
from skyfare.settings import load_settings
from tests.support.notify import eventually
from tests.support.redis_cluster import RedisClusterHandle, client_of, connected, socket_timeout
from tests.support.redis_proxy import RedisProxy

TIMEOUT_S = 0.3  # the bound under test, set only while the server hangs
PATIENT_TIMEOUT_S = 10.0  # a bound on a reply the test waits for, far above what one takes
# Past what a socket that does not read takes in (both kernels' buffers, a few MB on loopback),
# so the write has to wait.
LARGER_THAN_THE_BUFFERS = b"x" * (24 * 1024 * 1024)


class HangableRedis:
    """A Redis (through a proxy that can stall) or a cluster (whose node can be stopped)."""

    def __init__(self, url: str, proxy: RedisProxy | None, cluster: RedisClusterHandle | None):
        self.url = url
        self._proxy = proxy
        self._cluster = cluster
        self.is_cluster = cluster is not None

    @contextlib.contextmanager
    def hung(self, key: str) -> Iterator[None]:
        """The server of `key` accepts bytes and answers nothing for the block."""
        if self._cluster is not None:
            with self._cluster.hung(self._cluster.master_of(key)):
                yield
            return
        assert self._proxy is not None
        self._proxy.stall()
        try:
            yield
        finally:
            self._proxy.resume()


@pytest.fixture(params=["redis", "cluster"])
async def server(request: pytest.FixtureRequest, redis_url: str) -> AsyncIterator[HangableRedis]:
    if request.param == "cluster":
        cluster: RedisClusterHandle = request.getfixturevalue("redis_cluster")
        yield HangableRedis(cluster.url, None, cluster)
        return
    async with RedisProxy(redis_url) as proxy:
        yield HangableRedis(proxy.url, proxy, None)


@pytest.fixture
async def client(server: HangableRedis) -> AsyncIterator[aioredis.Redis]:
    """Skyfare's connections, without redis-py's retries: one attempt, one timeout. Patient:
    a test bounds the commands to a hung server by TIMEOUT_S itself (`socket_timeout`)."""
    no_retries = Retry(NoBackoff(), 0)
    plain = client_of(
        server.url, socket_timeout=PATIENT_TIMEOUT_S, socket_connect_timeout=3.0, retry=no_retries
    )
    yield await connected(bound_writes_without_task(plain))
    await plain.aclose()


@pytest.fixture
async def keys(client: aioredis.Redis) -> AsyncIterator[tuple[str, str]]:
    """Two keys of one slot (one hash tag), holding "1" and "2"."""
    tag = uuid.uuid4().hex
    first, second = f"test:{{{tag}}}:first", f"test:{{{tag}}}:second"
    await client.mset({first: "1", second: "2"})
    yield first, second
    with contextlib.suppress(aioredis.RedisError):
        await client.delete(first, second)


async def pipelined(client: aioredis.Redis, *commands: tuple[Any, ...]) -> list[Any]:
    async with client.pipeline(transaction=False) as pipe:
        for command in commands:
            pipe.execute_command(*command)
        return await pipe.execute()


def count_tasks_started(loop: asyncio.AbstractEventLoop) -> list[str]:
    started: list[str] = []

    def factory(
        loop: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, Any], **kwargs: Any
    ) -> asyncio.Task[Any]:
        started.append(coro.__qualname__)
        return asyncio.Task(coro, loop=loop, **kwargs)

    loop.set_task_factory(factory)
    return started


async def test_commands_and_pipelines_start_no_task_of_their_own(
    server: HangableRedis, keys: tuple[str, str]
) -> None:
    client = redis_client(
        load_settings({}), url=server.url, socket_timeout=PATIENT_TIMEOUT_S, connect_timeout=3.0
    )
    loop = asyncio.get_running_loop()
    previous = loop.get_task_factory()
    try:
        await connected(client)
        started = count_tasks_started(loop)
        for _ in range(10):
            assert await client.get(keys[0]) == b"1"
        async with client.pipeline(transaction=False) as pipe:
            pipe.get(keys[0]).get(keys[1])
            assert await pipe.execute() == [b"1", b"2"]
        # redis-py's own connection started one Task per command, to bound its write. A cluster
        # pipeline sends to its nodes side by side, a Task per node (here one: a single slot).
        fan_out = ["ClusterNode.execute_pipeline"] if server.is_cluster else []
        assert started == fan_out
    finally:
        loop.set_task_factory(previous)
        await client.aclose()


async def test_a_command_to_a_hung_redis_times_out_and_its_connection_is_not_used_again(
    server: HangableRedis, client: aioredis.Redis, keys: tuple[str, str]
) -> None:
    first, second = keys
    with (
        server.hung(first),
        socket_timeout(client, TIMEOUT_S),
        pytest.raises(RedisTimeoutError, match="Timeout reading"),
    ):
        await client.get(first)
    # The reply to the GET that timed out comes later; on its connection, it would be read as
    # this one's.
    assert await client.get(second) == b"2"


async def test_a_pipeline_to_a_hung_redis_times_out_and_its_connection_is_not_used_again(
    server: HangableRedis, client: aioredis.Redis, keys: tuple[str, str]
) -> None:
    first, second = keys
    with server.hung(first), socket_timeout(client, TIMEOUT_S), pytest.raises(RedisTimeoutError):
        await pipelined(client, ("GET", first), ("GET", second))
    assert await pipelined(client, ("GET", second), ("GET", first)) == [b"2", b"1"]


@pytest.mark.parametrize("how", ["command", "pipeline"])
async def test_a_write_a_hung_redis_does_not_take_times_out_and_its_connection_is_not_used_again(
    server: HangableRedis, client: aioredis.Redis, keys: tuple[str, str], how: str
) -> None:
    first, second = keys
    big_set = ("SET", first, LARGER_THAN_THE_BUFFERS)
    write = client.execute_command(*big_set) if how == "command" else pipelined(client, big_set)
    with (
        server.hung(first),
        socket_timeout(client, TIMEOUT_S),
        pytest.raises(RedisTimeoutError, match="Timeout writing to socket"),
    ):
        await write

    # redis-py closes the connection without dropping what its transport still holds (as it
    # did with `wait_for`): the SET lands once the server reads again. Wait for it, so that
    # the transport has finished before the test's event loop does. Asked by a client of its
    # own, so that the GET below is the client under test's first command after the one that
    # timed out, as in the tests above.
    patient = client_of(server.url, socket_timeout=PATIENT_TIMEOUT_S)

    async def landed() -> bool:
        return bool(await patient.strlen(first) == len(LARGER_THAN_THE_BUFFERS))

    try:
        await eventually(landed)
    finally:
        await patient.aclose()
    # Only now, the server idle again: the SET's reply waits on the closed connection, and a
    # client that used it again would read it as this GET's.
    assert await client.get(second) == b"2"
