"""The worker's gauges, read from a real Redis before each scrape of its /metrics: Redis failing
is logged as it starts and as it ends. The deployments probe that port for liveness and
readiness (deploy/k8s), and a warning per scrape was several a minute per worker all through
an outage the worker's own loop already reports."""

from __future__ import annotations

import logging

import pytest
import redis.asyncio as redis

from notify.stream import EventStream
from skyfare.notify_runner import gauge_refresher


async def test_a_redis_failing_under_scrapes_is_logged_once_and_its_end_once(
    redis_client: redis.Redis, stream: str, caplog: pytest.LogCaptureFixture
) -> None:
    await redis_client.set(stream, "not a stream")  # every read of the group fails: WRONGTYPE
    events = EventStream(redis_client, stream, group="notify", consumer="c1", timeout_s=1.0)
    refresh = gauge_refresher(events)

    with caplog.at_level(logging.WARNING, logger="skyfare.notify_runner"):
        for _ in range(5):
            await refresh()
        await redis_client.delete(stream)
        await redis_client.xgroup_create(stream, "notify", id="0", mkstream=True)
        for _ in range(2):
            await refresh()

    lines = [r.getMessage() for r in caplog.records if r.name == "skyfare.notify_runner"]
    assert [line.split(":")[0:2] for line in lines] == [
        ["notify metrics", " group state unavailable"],
        ["notify metrics", " group state available again"],
    ]
