"""The analytics consumer waits out a Redis it cannot reach, at its start, and then loads what
came meanwhile: it used to exit with a traceback, and came back only when restarted (by the
supervisor, or by Kubernetes' back-off, up to 5 minutes after Redis did)."""

from __future__ import annotations

import asyncio
import logging
import uuid
from pathlib import Path

import pytest
import redis.asyncio as redis

from analytics.consumer import GROUP, AnalyticsConsumer
from analytics.store import AnalyticsStore
from skyfare.analytics_runner import consume_through_outages
from tests.support.analytics import publish
from tests.support.payment_sim import eventually
from tests.support.redis_proxy import RedisProxy

LOGGER = "skyfare.analytics_runner"


async def _all_loaded(client: redis.Redis, streams: tuple[str, str]) -> bool:
    for stream in streams:
        newest = await client.xrevrange(stream, count=1) or []
        groups = {g["name"]: g for g in await client.xinfo_groups(stream)}
        group = groups.get(GROUP) or groups.get(GROUP.encode())
        if not newest or group is None or group["pending"]:
            return False
        if group["last-delivered-id"] != newest[0][0]:
            return False
    return True


async def _said(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage().split(":")[1].strip() for r in caplog.records if r.name == LOGGER]


async def test_a_consumer_that_starts_without_redis_waits_and_then_loads_it_all(
    redis_url: str, redis_client: redis.Redis, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    streams = (f"test:{uuid.uuid4().hex}:usage", f"test:{uuid.uuid4().hex}:events")
    store = AnalyticsStore(str(tmp_path))
    stopped = asyncio.Event()
    async with RedisProxy(redis_url) as proxy:
        client = redis.Redis.from_url(proxy.url, socket_timeout=2.0, socket_connect_timeout=1.0)
        consumer = AnalyticsConsumer(
            client, store, usage_stream=streams[0], event_stream=streams[1],
            batch_size=7, block_ms=50, traveler_key=b"test-traveler-key",
        )  # fmt: skip
        await proxy.cut()
        with caplog.at_level(logging.INFO, logger=LOGGER):
            consuming = asyncio.create_task(
                consume_through_outages(
                    consumer, client, stopped, first_retry_s=0.01, max_retry_s=0.05
                )
            )
            await publish(redis_client, streams)  # while the consumer cannot reach Redis
            await eventually(lambda: _said(caplog), bool)  # it found Redis away, and did not exit
            await proxy.restore()
            await eventually(lambda: _all_loaded(redis_client, streams), bool)
            consumer.stop()
            stopped.set()
            await consuming
        await client.aclose()
    store.close()
    await redis_client.delete(*streams)

    assert await _said(caplog) == [
        "Redis unreachable, loading paused until it answers",
        "Redis answers again, loading resumed",
    ]
