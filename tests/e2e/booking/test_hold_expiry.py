"""An unpaid hold past its deadline, through the whole app: expired, and released at the airline."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import asyncpg
import msgspec
import pytest

from connectors import offer_ids
from skyfare.settings import Settings
from tests.support.airline_orders import until
from tests.support.booking import BookingEnv, booking_app


@pytest.fixture
async def sweeping_env(settings: Settings) -> AsyncIterator[BookingEnv]:
    """The app with a hold sweeper that looks every 50 ms."""
    async with booking_app(msgspec.structs.replace(settings, hold_sweep_interval_s=0.05)) as env:
        yield env


async def _airline_booking(env: BookingEnv, offer: dict[str, Any], order_id: str) -> Any:
    """The booking the offer's (REST) airline keeps for `order_id`."""
    url = f"{env.sim.url}/rest/{offer['source'].removeprefix('rest-')}/bookings"
    async with (
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as http,
        http.get(url, params={"reference": order_id}) as answer,
    ):
        assert answer.status == 200
        return (await answer.json())["booking"]


async def _fall_due(conn: asyncpg.Connection, order_id: str) -> None:
    """As if the order's hold window had ended a second ago."""
    await conn.execute(
        "UPDATE orders SET payment_required_by = now() - interval '1 second' WHERE id = $1",
        order_id,
    )


async def test_an_unpaid_hold_past_its_deadline_expires_and_its_seats_go_back_on_sale(
    sweeping_env: BookingEnv, database_url: str
) -> None:
    env = sweeping_env
    alice = await env.token("alice")
    offer = await env.offer(days=50)
    seats_before = await env.seats_left(offer)
    response = await env.order(alice, offer)
    order = await response.json()
    assert response.status == 201, order
    assert await env.seats_left(offer) == seats_before - 1

    conn = await asyncpg.connect(database_url)
    try:
        await _fall_due(conn, order["id"])

        async def expired() -> Any:
            answer = await env.client.get(f"/v1/orders/{order['id']}", headers=alice)
            body = await answer.json()
            return body if body["status"] == "expired" else None

        body = await until(expired, timeout_s=5)
        actor = await conn.fetchval(
            "SELECT actor FROM order_history WHERE order_id = $1 ORDER BY id DESC LIMIT 1",
            order["id"],
        )
    finally:
        await conn.close()

    assert (body["status"], body["payment_status"]) == ("expired", "unpaid")
    assert actor == "sweeper"
    booking = await _airline_booking(env, offer, order["id"])
    assert booking["status"] == "CANCELLED"
    assert await env.seats_left(offer) == seats_before


async def test_a_hold_another_sim_made_falling_due_releases_no_booking_of_this_one(
    sweeping_env: BookingEnv, settings: Settings, database_url: str
) -> None:
    """The suite keeps one database while each test opens a sim of its own, seeded alike: a hold
    an earlier test left falls due while a later test runs, and the later app's sweeper cancels
    its locator at the later sim. Seeded locators were the same in every sim, so that released
    a booking of the later test (its flight's price moved between a re-price and a hold: the
    browser's "The airline changed this offer"). A real airline never issues a live locator
    twice; neither does the sim now, whatever its seed."""
    env = sweeping_env
    offer = await env.offer(days=50)
    response = await env.order(await env.token("alice"), offer)
    order = await response.json()
    assert response.status == 201, order
    async with booking_app(settings) as other:  # another sim over the same database
        left = await other.order(await other.token("alice"), await other.offer(days=50))
        stale = await left.json()
        assert left.status == 201, stale
    # the same airline, else this sim never saw the stale locator
    assert offer_ids.decode(stale["offer_id"])[0] == offer_ids.decode(order["offer_id"])[0]

    conn = await asyncpg.connect(database_url)
    try:
        await _fall_due(conn, stale["id"])

        async def swept() -> bool:
            status = await conn.fetchval("SELECT status FROM orders WHERE id = $1", stale["id"])
            return bool(status == "expired")

        await until(swept, timeout_s=10)
    finally:
        await conn.close()

    booking = await _airline_booking(env, offer, order["id"])
    assert booking["status"] == "HELD"
