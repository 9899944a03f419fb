"""The app's Redis client under more concurrent commands than it has connections."""

from __future__ import annotations

import asyncio

import msgspec
from aiohttp.test_utils import TestClient, TestServer

from skyfare.app import create_app
from skyfare.keys import REDIS
from skyfare.settings import Settings


async def test_commands_beyond_the_pool_size_wait_for_a_connection_instead_of_failing(
    settings: Settings,
) -> None:
    # redis-py's default pool raises "Too many connections" past its size; a burst of searches
    # would then see their cache fail. With a pool of 2, 40 commands at once must all succeed.
    app = create_app(msgspec.structs.replace(settings, redis_pool_max=2))
    async with TestClient(TestServer(app)) as client:
        redis = client.app[REDIS]
        answers = await asyncio.gather(*(redis.ping() for _ in range(40)))
    assert answers == [True] * 40
