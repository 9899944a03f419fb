"""Stale fares leave the cache: a re-pricing that finds another price or no seats evicts the
cached answers holding the offer (every process's L1, Redis) and their bulk/calendar fare."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import msgspec
import pytest
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client import REGISTRY

from skyfare.app import create_app
from skyfare.keys import FARE_CACHE
from skyfare.settings import Settings
from tests.support.booking import BookingEnv, Client, adult, booking_app, in_days, trusting_sim

NAMES = ("Ada", "Bea", "Cyd", "Dot", "Eve", "Flo", "Gus", "Hal", "Ivy")


@pytest.fixture
async def env(settings: Settings) -> AsyncIterator[BookingEnv]:
    # A Redis call gets a generous timeout: on a busy machine a 50 ms one could fail, and a
    # failed write is (by design) only a missed tag, which these tests would read as a bug.
    async with booking_app(_patient(settings)) as env:
        yield env


def _patient(settings: Settings) -> Settings:
    return msgspec.structs.replace(settings, cache_redis_timeout_ms=2000)


def _query(days: int, **extra: str) -> dict[str, str]:
    return {"origin": "LHR", "destination": "JFK", "departure_date": in_days(days), **extra}


async def _search(client: Client, days: int, **extra: str) -> tuple[str, dict[str, Any]]:
    response = await client.get("/v1/search", params=_query(days, **extra))
    body = await response.json()
    assert response.status == 200, body
    # The answer's entry, tags and index fare are written behind it: what the test does next
    # (a booking's eviction, a bulk or calendar read) must find them there.
    await client.app[FARE_CACHE].settle()
    return response.headers["X-Cache"], body


async def _cached(client: Client, days: int) -> dict[str, Any]:
    """The cheapest offer of a search answered from the fare cache."""
    await _search(client, days)
    state, body = await _search(client, days)
    assert state == "HIT"
    offer: dict[str, Any] = body["offers"][0]
    return offer


def _flights(offer: dict[str, Any]) -> tuple[str, ...]:
    return tuple(seg["flight_number"] for s in offer["slices"] for seg in s["segments"])


def _same_flights(offers: list[dict[str, Any]], like: dict[str, Any]) -> list[dict[str, Any]]:
    return [o for o in offers if o["source"] == like["source"] and _flights(o) == _flights(like)]


async def _sell_nine_seats(env: BookingEnv, like: dict[str, Any], days: int) -> None:
    """Nine travelers book `like`'s flights from the same seller: its price moves."""
    _, body = await _search(env.client, days, adults="9", cache="false")
    [party] = _same_flights(body["offers"], like)
    headers = await env.token("stale-fares-party")
    response = await env.order(headers, party, passengers=[adult(name) for name in NAMES])
    assert response.status == 201, await response.json()


async def _bulk_cheapest(env: BookingEnv, key: str, days: int) -> dict[str, Any]:
    query = {**_query(days), "adults": 1}
    response = await env.client.post(
        "/v1/fares/bulk",
        json={"queries": [query], "mode": "cached"},
        headers={"X-API-Key": key},
    )
    assert response.status == 200
    [line] = [msgspec.json.decode(raw) for raw in (await response.read()).splitlines()]
    assert line["status"] == "ok", line
    cheapest: dict[str, Any] = line["cheapest"]
    return cheapest


async def _calendar_day(env: BookingEnv, key: str, days: int) -> dict[str, Any] | None:
    date = in_days(days)
    response = await env.client.get(
        "/v1/fares/calendar",
        params={"origin": "LHR", "destination": "JFK", "month": date[:7]},
        headers={"X-API-Key": key},
    )
    body = await response.json()
    assert response.status == 200, body
    day: dict[str, Any] | None = body["days"][date]
    return day


def _checks(outcome: str) -> float:
    value = REGISTRY.get_sample_value("skyfare_cache_price_checks_total", {"outcome": outcome})
    return value or 0.0


async def test_a_repriced_offer_whose_price_moved_leaves_the_cache_and_the_fare_index(
    env: BookingEnv, api_key: str
) -> None:
    days = 41
    stale = await _cached(env.client, days)
    assert (await _bulk_cheapest(env, api_key, days))["offer_id"] == stale["id"]
    await _sell_nine_seats(env, stale, days)
    changed = _checks("changed")

    response = await env.client.get(f"/v1/offers/{stale['id']}")
    repriced = await response.json()
    assert response.status == 200, repriced
    assert repriced["price_changed"] is True

    state, body = await _search(env.client, days)
    assert state == "MISS"
    assert stale["id"] not in [o["id"] for o in body["offers"]]
    [now] = _same_flights(body["offers"], stale)
    assert now["total_amount"] == repriced["total_amount"] != stale["total_amount"]
    cheapest = await _bulk_cheapest(env, api_key, days)
    assert cheapest["offer_id"] == body["offers"][0]["id"]
    assert cheapest["amount"] == body["offers"][0]["total_amount"]
    day = await _calendar_day(env, api_key, days)
    assert day is not None
    assert day["cheapest"]["offer_id"] == body["offers"][0]["id"]
    assert _checks("changed") == changed + 1


async def test_an_offer_sold_out_at_booking_leaves_the_cache(env: BookingEnv, api_key: str) -> None:
    days = 43
    stale = await _cached(env.client, days)
    await env.set_seats_left(stale, 0)
    gone = _checks("gone")

    response = await env.order(await env.token("stale-fares-late"), stale)
    assert response.status == 409, await response.json()

    state, body = await _search(env.client, days)
    assert state == "MISS"
    assert not _same_flights(body["offers"], stale)
    cheapest = await _bulk_cheapest(env, api_key, days)
    assert cheapest["offer_id"] != stale["id"]
    assert _checks("gone") == gone + 1


async def test_a_price_that_held_changes_nothing(env: BookingEnv) -> None:
    days = 45
    offer = await _cached(env.client, days)
    held = _checks("held")

    response = await env.client.get(f"/v1/offers/{offer['id']}")
    assert response.status == 200
    assert (await response.json())["price_changed"] is False

    state, body = await _search(env.client, days)
    assert state == "HIT"
    assert body["offers"][0]["id"] == offer["id"]
    assert _checks("held") == held + 1


async def test_another_process_stops_serving_an_evicted_answer(
    env: BookingEnv, settings: Settings
) -> None:
    days = 47
    configured = trusting_sim(_patient(settings), env.sim)
    async with TestClient(TestServer(create_app(configured))) as other:
        stale = await _cached(env.client, days)
        assert (await _cached(other, days))["id"] == stale["id"]  # in the other's L1 too
        await env.set_seats_left(stale, 0)

        response = await env.client.get(f"/v1/offers/{stale['id']}")
        assert response.status == 410

        # The other process hears of it through Redis, a moment later.
        for _ in range(100):
            state, body = await _search(other, days)
            if state != "HIT":
                break
            await asyncio.sleep(0.05)
        assert state == "MISS"
        assert not _same_flights(body["offers"], stale)


async def test_our_own_sale_evicts_the_answers_quoting_the_old_price(env: BookingEnv) -> None:
    days = 49
    sold = await _cached(env.client, days)

    response = await env.order(await env.token("stale-fares-first"), sold)
    assert response.status == 201, await response.json()

    # The next traveler is shown the price after the sale, not a 409 when booking the old one:
    # once the eviction, which runs after the hold answered, has reached Redis.
    for _ in range(100):
        state, body = await _search(env.client, days)
        if state != "HIT":
            break
        await asyncio.sleep(0.05)
    assert state == "MISS"
    [now] = _same_flights(body["offers"], sold)
    repriced = await env.client.get(f"/v1/offers/{now['id']}")
    assert repriced.status == 200
    assert (await repriced.json())["price_changed"] is False
    response = await env.order(await env.token("stale-fares-next"), now)
    assert response.status == 201, await response.json()
