"""A partner's bulk line that ended in `error` reaches analytics as an error, not a miss: the
whole app in front of simulated airlines that all fail, its usage events on a real Redis stream,
loaded by the consumer into a real DuckDB file, where the reports count them as searches never
served from the cache."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import msgspec
import pytest
import redis.asyncio as redis
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from analytics.consumer import AnalyticsConsumer
from analytics.reports import report
from analytics.store import AnalyticsStore
from kernel.usage import decode_usage, expand
from skyfare.app import create_app
from skyfare.settings import Settings
from tests.support.sim import fast_profiles, running_sim

Client = TestClient[web.Request, web.Application]
BOUND_S = 30.0


@pytest.fixture
def streams() -> tuple[str, str]:
    return (f"test:{uuid.uuid4().hex}:usage", f"test:{uuid.uuid4().hex}:events")


@pytest.fixture
async def failing_client(
    settings: Settings, streams: tuple[str, str], redis_url: str
) -> AsyncIterator[Client]:
    """The app in front of airlines that all answer errors (no retry, no breaker opening)."""
    profiles = fast_profiles()
    for profile in profiles.values():
        profile["error_rate"] = 1.0
    async with running_sim(profiles=profiles) as sim:
        configured = msgspec.structs.replace(
            settings,
            connectors=sim.connector_settings(),
            max_body_bytes=Settings().max_body_bytes,
            usage_stream=streams[0],
            event_stream=streams[1],
        )
        async with TestClient(TestServer(create_app(configured))) as client:
            yield client
    async with redis.Redis.from_url(redis_url) as cleanup:
        await cleanup.delete(*streams)


async def _wait_for(client: redis.Redis, stream: str, events: int) -> None:
    """Until the stream holds `events` search events (a `hits` entry holds several)."""
    deadline = time.monotonic() + BOUND_S
    while time.monotonic() < deadline:
        entries = await client.xrange(stream)
        if sum(len(expand(decode_usage(f[b"event"]))) for _, f in entries) >= events:
            return
        await asyncio.sleep(0.05)


async def test_bulk_error_lines_are_stored_and_reported_as_errors(
    failing_client: Client,
    streams: tuple[str, str],
    redis_url: str,
    api_key: str,
    tmp_path: Path,
) -> None:
    day = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=33)).isoformat()
    since = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    jfk = {"origin": "LHR", "destination": "JFK", "departure_date": day}
    cdg = {**jfk, "destination": "CDG"}
    key = {"X-API-Key": api_key}

    live = await failing_client.post(
        "/v1/fares/bulk", json={"queries": [jfk, cdg, jfk], "mode": "live"}, headers=key
    )
    cached = await failing_client.post("/v1/fares/bulk", json={"queries": [cdg]}, headers=key)

    live_lines = [msgspec.json.decode(line) for line in (await live.read()).splitlines()]
    assert [line["status"] for line in live_lines] == ["error", "error", "error"]
    assert msgspec.json.decode(await cached.read())["status"] == "not_cached"
    store = AnalyticsStore(str(tmp_path))
    async with redis.Redis.from_url(redis_url) as client:
        await _wait_for(client, streams[0], 4)
        await AnalyticsConsumer(
            client, store, usage_stream=streams[0], event_stream=streams[1]
        ).catch_up()

    _, rows = store.query(
        "SELECT route, cache, count(*) FROM searches WHERE channel = 'bulk' "
        "GROUP BY route, cache ORDER BY route, cache"
    )
    assert rows == [("LHR-CDG", "error", 1), ("LHR-CDG", "miss", 1), ("LHR-JFK", "error", 2)]
    routes = {row[0]: row[1:] for row in report(store, "routes", since).rows}
    assert routes == {"LHR-JFK": (2, 0), "LHR-CDG": (2, 0)}  # searched, none from the cache


async def test_bulk_invalid_queries_are_stored_and_reported_as_the_partners_invalid_usage(
    failing_client: Client,
    streams: tuple[str, str],
    redis_url: str,
    api_key: str,
    tmp_path: Path,
) -> None:
    day = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=34)).isoformat()
    since = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    good = {"origin": "LHR", "destination": "JFK", "departure_date": day}
    bad = {**good, "origin": "XXX"}

    sent = await failing_client.post(
        "/v1/fares/bulk",
        json={"queries": [good, bad, bad, 42]},
        headers={"X-API-Key": api_key},
    )

    statuses = [msgspec.json.decode(line)["status"] for line in (await sent.read()).splitlines()]
    assert statuses == ["not_cached", "invalid", "invalid", "invalid"]
    store = AnalyticsStore(str(tmp_path))
    async with redis.Redis.from_url(redis_url) as client:
        await _wait_for(client, streams[0], 4)
        await AnalyticsConsumer(
            client, store, usage_stream=streams[0], event_stream=streams[1]
        ).catch_up()

    _, rows = store.query(
        "SELECT route, cache, slices, count(*) FROM searches WHERE channel = 'bulk' "
        "GROUP BY ALL ORDER BY cache"
    )
    assert rows == [(None, "invalid", 0, 3), ("LHR-JFK", "miss", 1, 1)]  # nothing XXX kept
    partners = report(store, "partners", since).rows
    # queries, from the cache, misses, errors, invalid
    assert [row[2:] for row in partners] == [(4, 0, 1, 0, 3)]
    # No search: the reports of searches count the one valid query only.
    assert report(store, "routes", since).rows == (("LHR-JFK", 1, 0),)
    assert [row[1:] for row in report(store, "searches", since).rows] == [("bulk", 1)]
    assert dict(report(store, "funnel", since).rows)["search"] == 1
