"""The booking row's floor (`bench.bare_hold`) against real PostgreSQL, Redis and sim airlines:
it holds at the airline and writes the raw loop's rows, answers a moved fare with 409 naming
the new one, as Skyfare does, and leaves no rows once its owner's are deleted."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import asyncpg
import msgspec
import pytest
import redis.asyncio as redis
from aiohttp.test_utils import TestServer

from bench import booking_sql
from bench.bare_hold import BareHold, airline_origin, make_app
from booking.order_view import OrderView
from skyfare.ratelimit import RateLimiter
from tests.support.database import migrated_pool
from tests.support.flights import day
from tests.support.sim import SimHandle

PASSENGER = {"given_name": "Ada", "family_name": "Lovelace", "born_on": "1990-12-10"}
HOLDS_FOR_A_MOVE = 30  # every sale raises the leg's load; its price moves within a few


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    async with migrated_pool(database_url, prefix="bare") as pool:
        yield pool


@pytest.fixture
async def orders(
    pool: asyncpg.Pool, redis_url: str, sim: SimHandle
) -> AsyncIterator[tuple[aiohttp.ClientSession, str, BareHold]]:
    client = redis.Redis.from_url(redis_url)
    airline = airline_origin(sim.airlines_url)
    hold = BareHold(pool, RateLimiter(client), airline, f"test-bare-{uuid.uuid4().hex[:8]}")
    async with TestServer(make_app(hold)) as server, aiohttp.ClientSession() as session:
        yield session, str(server.make_url("/v1/orders")), hold
    await airline.close()
    await client.aclose()


async def _nonstop_fare(session: aiohttp.ClientSession, sim: SimHandle) -> str:
    shopping = {
        "journeys": [{"from": "LHR", "to": "JFK", "date": day(90).isoformat()}],
        "travellers": {"ADT": 1, "CHD": 0, "INF": 0},
        **{"cabin": "Y", "max_stops": 0, "currency": "USD"},
    }
    async with session.post(f"{sim.airlines_url}/rest/britannia/shopping", json=shopping) as r:
        fares = (await r.json())["fares"]
    return f"britannia:{fares[0]['fare_id']}"


async def _hold(session: aiohttp.ClientSession, url: str, offer: str) -> tuple[int, Any]:
    body = {"offer_id": offer, "type": "hold", "passengers": [PASSENGER]}
    headers = {"Idempotency-Key": uuid.uuid4().hex, "Authorization": "Bearer t"}
    async with session.post(url, json=body, headers=headers) as response:
        return response.status, await response.json()


async def test_a_hold_is_held_at_the_airline_and_written_as_the_raw_loop_writes_it(
    orders: tuple[aiohttp.ClientSession, str, BareHold], pool: asyncpg.Pool, sim: SimHandle
) -> None:
    session, url, hold = orders
    status, answer = await _hold(session, url, await _nonstop_fare(session, sim))

    assert status == 201, answer
    row = await pool.fetchrow(
        "SELECT o.status, o.airline_locator, o.booking_reference, o.offer_id,"
        " k.response_status, k.response_body"
        " FROM orders o JOIN idempotency_keys k ON k.resource_id = o.id WHERE o.id = $1",
        answer["id"],
    )
    assert row is not None
    assert (row["status"], row["response_status"]) == ("held", 201)
    assert row["airline_locator"]  # the sim's locator, not a made-up one
    # The key's answer is the held order's public view, as wide as the one a hold stores.
    stored = msgspec.json.decode(row["response_body"], type=OrderView)
    assert (stored.id, stored.status, stored.offer_id) == (answer["id"], "held", row["offer_id"])
    assert (stored.booking_reference, stored.airline_locator) == (
        row["booking_reference"],
        row["airline_locator"],
    )
    assert (await sim.stats())["britannia"]["bookings"] == 1
    events = await pool.fetch("SELECT type FROM outbox WHERE order_id = $1", answer["id"])
    assert sorted(e["type"] for e in events) == ["order.created", "order.held"]

    await booking_sql.delete_owner(pool, hold.owner, timeout_s=10.0)
    assert await pool.fetchval("SELECT count(*) FROM orders WHERE owner = $1", hold.owner) == 0


async def test_a_moved_fare_is_answered_409_naming_the_new_one_which_then_holds(
    orders: tuple[aiohttp.ClientSession, str, BareHold], sim: SimHandle
) -> None:
    session, url, _ = orders
    fare = await _nonstop_fare(session, sim)
    for _ in range(HOLDS_FOR_A_MOVE):
        status, answer = await _hold(session, url, fare)
        if status == 409:
            break
        assert status == 201, answer
    assert status == 409, f"the fare did not move in {HOLDS_FOR_A_MOVE} sales"

    moved = answer["offer_id"]
    assert moved.startswith("britannia:")
    assert moved != fare
    assert (await _hold(session, url, moved))[0] == 201


async def test_a_fare_the_airline_never_issued_is_refused_not_held(
    orders: tuple[aiohttp.ClientSession, str, BareHold], sim: SimHandle
) -> None:
    session, url, _ = orders
    status, answer = await _hold(session, url, "britannia:no-such-fare")

    assert (status, answer) == (409, {"detail": "fare_not_found"})
    assert (await sim.stats()).get("britannia", {}).get("bookings", 0) == 0
