"""Skyfare's Redis client (skyfare/redis_client.py): each command bounded by the socket timeout,
in the caller's own task."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Coroutine, Generator
from typing import Any

import pytest
import redis.asyncio as redis
import redis.exceptions

from skyfare.redis_client import redis_client
from skyfare.settings import load_settings


def _client(url: str, timeout: float) -> redis.Redis:
    return redis_client(
        load_settings({}, redis_url=url),
        max_connections=4,
        pool_timeout=timeout,
        socket_timeout=timeout,
        connect_timeout=timeout,
    )


@pytest.fixture
async def silent_server() -> AsyncIterator[str]:
    """A TCP server that accepts and never answers: a Redis that hangs."""
    held: list[asyncio.StreamWriter] = []

    async def accept(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    yield f"redis://127.0.0.1:{port}/0"
    for writer in held:
        writer.close()
    server.close()
    await server.wait_closed()


async def test_a_command_runs_in_the_callers_task_without_one_of_its_own(redis_url: str) -> None:
    if redis_url.startswith("redis+cluster://"):
        pytest.skip("the cluster client keeps redis-py's connections")
    client = _client(redis_url, 1.0)
    loop = asyncio.get_running_loop()
    created: list[str] = []

    def factory(
        loop: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, Any] | Generator[Any, None, Any]
    ) -> asyncio.Task[Any]:
        created.append(getattr(coro, "__qualname__", repr(coro)))
        return asyncio.Task(coro, loop=loop)

    try:
        await client.ping()  # connected before counting
        loop.set_task_factory(factory)
        await client.set("skyfare:test:redis-client", b"x" * 10_000, px=10_000)
        assert await client.get("skyfare:test:redis-client") == b"x" * 10_000
    finally:
        loop.set_task_factory(None)
        await client.delete("skyfare:test:redis-client")
        await client.aclose()
    assert created == []  # redis-py's own wait_for took one task per command


async def test_a_redis_that_does_not_answer_costs_the_socket_timeout(silent_server: str) -> None:
    client = _client(silent_server, 0.2)
    try:
        async with asyncio.timeout(5):  # the test's own bound, far over the client's
            with pytest.raises(redis.exceptions.TimeoutError):
                await client.get("anything")
    finally:
        await client.aclose()
