"""The auto-pipeline against real Redis: commands asked for together share one pipeline, and
each caller still gets its own answer, or its own error."""

from __future__ import annotations

import asyncio

import pytest
import redis.asyncio as redis
from redis.exceptions import ResponseError

from notify.pipeline import AutoPipeline
from tests.support.redis_cluster import client_of
from tests.support.redis_proxy import RedisProxy


async def test_concurrent_commands_each_get_their_own_answer_or_error(
    redis_client: redis.Redis, stream: str
) -> None:
    pipeline = AutoPipeline(redis_client, timeout_s=2.0)
    await redis_client.set(f"{stream}:text", "a string")

    answers = await asyncio.gather(
        pipeline.execute("SET", f"{stream}:a", "1"),
        pipeline.execute("INCR", f"{stream}:text"),  # not a number: refused
        pipeline.execute("GET", f"{stream}:a"),
        return_exceptions=True,
    )

    assert answers[0] is True
    assert isinstance(answers[1], ResponseError)
    assert answers[2] == b"1"  # in order: the SET before it took effect
    assert await pipeline.execute("GET", f"{stream}:a") == b"1"  # and the next turn's works


async def test_when_redis_is_unreachable_every_caller_of_the_pipeline_fails(
    redis_url: str, stream: str
) -> None:
    async with RedisProxy(redis_url) as proxy:
        client = client_of(proxy.url, socket_timeout=1.0, socket_connect_timeout=1.0)
        pipeline = AutoPipeline(client, timeout_s=2.0)
        assert await pipeline.execute("SET", f"{stream}:b", "1") is True
        await proxy.cut()

        answers = await asyncio.gather(
            pipeline.execute("GET", f"{stream}:b"),
            pipeline.execute("SET", f"{stream}:b", "2"),
            return_exceptions=True,
        )

        assert all(isinstance(answer, Exception) for answer in answers), answers
        await proxy.restore()
        assert await pipeline.execute("GET", f"{stream}:b") == b"1"  # the SET never ran
        await client.aclose()


@pytest.mark.parametrize("callers", [1, 50])
async def test_a_caller_that_gives_up_leaves_the_others_their_answers(
    redis_client: redis.Redis, stream: str, callers: int
) -> None:
    pipeline = AutoPipeline(redis_client, timeout_s=2.0)
    gone = pipeline.execute("SET", f"{stream}:gone", "1")
    rest = [pipeline.execute("SET", f"{stream}:k{i}", str(i)) for i in range(callers)]
    gone.cancel()

    assert await asyncio.gather(*rest) == [True] * callers
    assert await redis_client.get(f"{stream}:gone") == b"1"  # it went out all the same
