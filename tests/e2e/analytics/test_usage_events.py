"""Usage events through the whole app: every search channel, re-pricing and the breaker each put
their event on the usage stream (a stream of this test's own), decodable as `kernel.usage`."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import msgspec
import pytest
import redis.asyncio as redis
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from connectors import offer_ids
from kernel.usage import RepriceEvent, SearchEvent, UsageEvent, decode_usage, expand
from skyfare.app import create_app
from skyfare.keys import FARE_CACHE
from skyfare.settings import Settings
from tests.support.flights import in_days
from tests.support.sim import fast_profiles, running_sim

Client = TestClient[web.Request, web.Application]


@pytest.fixture
def stream() -> str:
    return f"test:usage:{uuid.uuid4().hex[:8]}"


@pytest.fixture
async def client(settings: Settings, stream: str) -> AsyncIterator[Client]:
    async with running_sim(profiles=fast_profiles()) as sim:
        configured = msgspec.structs.replace(
            settings,
            connectors=sim.connector_settings(),
            max_body_bytes=Settings().max_body_bytes,
            usage_stream=stream,
        )
        async with TestClient(TestServer(create_app(configured))) as client:
            yield client


async def _events(redis_url: str, stream: str, count: int) -> list[UsageEvent]:
    """The stream's events once it holds at least `count` (polled, generously bounded), cached
    hits expanded from their `hits` entries."""
    client = redis.Redis.from_url(redis_url)
    try:
        deadline = time.monotonic() + 30
        while True:
            entries = await client.xrange(stream)
            events = [e for _, f in entries for e in expand(decode_usage(f[b"event"]))]
            if len(events) >= count or time.monotonic() > deadline:
                return events
            await asyncio.sleep(0.05)
    finally:
        await client.delete(stream)
        await client.aclose()


async def _ok(response: Any) -> Any:
    text = await response.text()
    assert response.status == 200, text
    return text


async def test_every_search_channel_and_reprice_publishes_one_event(
    client: Client, redis_url: str, stream: str, api_key: str
) -> None:
    params = {"origin": "LHR", "destination": "JFK", "departure_date": in_days(30)}
    first = msgspec.json.decode(await _ok(await client.get("/v1/search", params=params)))
    await client.app[FARE_CACHE].settle()  # stored and indexed behind the answer: bulk reads it
    await _ok(await client.get("/v1/search", params=params))  # the fast path's hit
    body = {"slices": [{**params}], "passengers": {"adults": 2, "children": 1}}
    await _ok(await client.post("/v1/search", json=body))
    ndjson = {"Accept": "application/x-ndjson"}
    await _ok(await client.post("/v1/search", json=body, headers=ndjson))
    key = {"X-API-Key": api_key}
    bulk = {"queries": [{**params}, {**params, "destination": "CDG"}]}
    await _ok(await client.post("/v1/fares/bulk", json=bulk, headers=key))
    calendar = {"origin": "LHR", "destination": "JFK", "month": in_days(30)[:7]}
    await _ok(await client.get("/v1/fares/calendar", params=calendar, headers=key))
    offer = await client.get(f"/v1/offers/{first['offers'][0]['id']}")
    assert offer.status in (200, 409, 410)

    events = await _events(redis_url, stream, 8)
    assert len(events) == 8

    searches = [e for e in events if isinstance(e, SearchEvent)]
    # Keyed, not ordered: a hit's `at` is kept to the millisecond, so a hit that follows a miss
    # within the same millisecond can sort before it.
    by_kind = {(e.channel, e.cache): e for e in searches}
    assert len(by_kind) == len(searches)
    assert set(by_kind) == {
        ("get", "miss"),
        ("get", "hit"),
        ("post", "miss"),
        ("stream", "live"),
        ("bulk", "hit"),
        ("bulk", "miss"),
        ("calendar", "hit"),
    }
    get_miss, get_hit, post = by_kind["get", "miss"], by_kind["get", "hit"], by_kind["post", "miss"]
    assert get_miss.offers == get_hit.offers == len(first["offers"]) > 0
    assert get_hit.cheapest_amount == first["offers"][0]["total_amount"]
    assert get_miss.connectors
    assert not get_hit.connectors
    assert (post.adults, post.children, post.infants) == (2, 1, 0)
    assert [(s.origin, s.destination) for s in get_miss.slices] == [("LHR", "JFK")]
    partners = {e.partner for e in searches if e.channel in ("bulk", "calendar")}
    assert len(partners) == 1
    assert None not in partners
    assert api_key not in msgspec.json.encode(events).decode()
    (reprice,) = [e for e in events if isinstance(e, RepriceEvent)]
    assert reprice.stage == "offer"
    assert reprice.source == "cache"  # the offer came from a cached answer
    assert reprice.connector == offer_ids.decode(first["offers"][0]["id"])[0]


async def test_a_repeated_bulk_query_publishes_one_event_each_time_it_is_asked(
    client: Client, redis_url: str, stream: str, api_key: str
) -> None:
    params = {"origin": "LHR", "destination": "JFK", "departure_date": in_days(31)}
    await _ok(await client.get("/v1/search", params=params))  # cached: indexed for partners
    await client.app[FARE_CACHE].settle()  # ...behind the answer
    other = {**params, "destination": "CDG"}
    bulk = {"queries": [params, other, params, {"origin": "LHR"}, params, other]}
    key = {"X-API-Key": api_key}
    await _ok(await client.post("/v1/fares/bulk", json=bulk, headers=key))

    events = await _events(redis_url, stream, 7)

    bulk_events = [e for e in events if isinstance(e, SearchEvent) and e.channel == "bulk"]
    # One per query, repeats included, as analytics counts partner demand; the invalid one too,
    # as `invalid`, with nothing it said.
    assert sorted(
        (e.slices[0].destination if e.slices else "", e.cache) for e in bulk_events
    ) == [
        ("", "invalid"), ("CDG", "miss"), ("CDG", "miss"), ("JFK", "hit"), ("JFK", "hit"),
        ("JFK", "hit"),
    ]  # fmt: skip
    hit = next(e for e in bulk_events if e.cache == "hit")
    assert hit.cheapest_amount is not None
    assert hit.offers > 0


async def test_a_calendar_read_records_the_currency_it_was_asked_in(
    client: Client, redis_url: str, stream: str, api_key: str
) -> None:
    # Both calendars take `currency` (USD when left out) and read that currency's fares; the
    # event had `currency: null`, so a month read in euros counted as one in dollars.
    month = in_days(30)[:7]
    await _ok(await client.get("/v1/calendar", params={
        "origin": "LHR", "destination": "JFK", "month": month, "currency": "EUR"}))  # fmt: skip
    partner = {"origin": "LHR", "destination": "CDG", "month": month}
    await _ok(await client.get("/v1/fares/calendar", params=partner,
                               headers={"X-API-Key": api_key}))  # fmt: skip

    events = await _events(redis_url, stream, 2)

    calendars = [e for e in events if isinstance(e, SearchEvent) and e.channel == "calendar"]
    assert sorted((e.slices[0].destination, e.partner is None, e.currency) for e in calendars) == [
        ("CDG", False, "USD"),
        ("JFK", True, "EUR"),
    ]
