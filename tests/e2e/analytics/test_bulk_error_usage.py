"""A partner's bulk line that ended in `error` reaches analytics as an error, not a miss, and an
`invalid` one as invalid: the whole app in front of simulated airlines that all fail, its usage
events on a real Redis stream, loaded by the consumer into a real DuckDB file, where the reports
count errors as searches never served from the cache, and invalid queries as the partner's usage
but no search."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
HOUR = dt.timedelta(hours=1)


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


@dataclass
class Partner:
    """A partner of the app in front of failing airlines, and the analytics its events reach."""

    client: Client
    key: str
    streams: tuple[str, str]
    redis_url: str
    folder: Path
    since: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC) - HOUR)

    async def lines(self, queries: list[Any], mode: str = "cached") -> list[Any]:
        sent = await self.client.post(
            "/v1/fares/bulk",
            json={"queries": queries, "mode": mode},
            headers={"X-API-Key": self.key},
        )
        return [msgspec.json.decode(line) for line in (await sent.read()).splitlines()]

    async def loaded(self, events: int) -> AnalyticsStore:
        """The store, once the consumer loaded the stream's first `events` search events."""
        store = AnalyticsStore(str(self.folder))
        async with redis.Redis.from_url(self.redis_url) as client:
            await _wait_for(client, self.streams[0], events)
            await AnalyticsConsumer(
                client, store, usage_stream=self.streams[0], event_stream=self.streams[1]
            ).catch_up()
        return store


@pytest.fixture
def partner(
    failing_client: Client,
    streams: tuple[str, str],
    redis_url: str,
    api_key: str,
    tmp_path: Path,
) -> Partner:
    return Partner(failing_client, api_key, streams, redis_url, tmp_path)


def _day(days: int) -> str:
    return (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=days)).isoformat()


async def test_bulk_error_lines_are_stored_and_reported_as_errors(partner: Partner) -> None:
    jfk = {"origin": "LHR", "destination": "JFK", "departure_date": _day(33)}
    cdg = {**jfk, "destination": "CDG"}

    live = await partner.lines([jfk, cdg, jfk], mode="live")
    cached = await partner.lines([cdg])

    assert [line["status"] for line in live] == ["error", "error", "error"]
    assert [line["status"] for line in cached] == ["not_cached"]
    store = await partner.loaded(4)
    _, rows = store.query(
        "SELECT route, cache, count(*) FROM searches WHERE channel = 'bulk' "
        "GROUP BY route, cache ORDER BY route, cache"
    )
    assert rows == [("LHR-CDG", "error", 1), ("LHR-CDG", "miss", 1), ("LHR-JFK", "error", 2)]
    routes = {
        row[0]: row[1:]
        for row in report(store, "routes", partner.since, dt.datetime.now(dt.UTC)).rows
    }
    assert routes == {"LHR-JFK": (2, 0), "LHR-CDG": (2, 0)}  # searched, none from the cache


async def test_bulk_invalid_queries_are_stored_and_reported_as_the_partners_invalid_usage(
    partner: Partner,
) -> None:
    good = {"origin": "LHR", "destination": "JFK", "departure_date": _day(34)}
    bad = {**good, "origin": "XXX"}

    lines = await partner.lines([good, bad, bad, 42])

    assert [line["status"] for line in lines] == ["not_cached", "invalid", "invalid", "invalid"]
    store = await partner.loaded(4)
    _, rows = store.query(
        "SELECT route, cache, slices, count(*) FROM searches WHERE channel = 'bulk' "
        "GROUP BY ALL ORDER BY cache"
    )
    assert rows == [(None, "invalid", 0, 3), ("LHR-JFK", "miss", 1, 1)]  # nothing XXX kept
    since, now = partner.since, dt.datetime.now(dt.UTC)
    # queries, from the cache, misses, errors, invalid
    assert [row[2:] for row in report(store, "partners", since, now).rows] == [(4, 0, 1, 0, 3)]
    # No search: the reports of searches count the one valid query only.
    assert report(store, "routes", since, now).rows == (("LHR-JFK", 1, 0),)
    assert [row[1:] for row in report(store, "searches", since, now).rows] == [("bulk", 1)]
    assert dict(report(store, "funnel", since, now).rows)["search"] == 1
