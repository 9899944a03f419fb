"""Concurrency claims of the booking core, with real concurrent HTTP requests and real PostgreSQL:
no double booking, one order per Idempotency-Key, one cancellation per order."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import asyncpg

from skyfare.settings import Settings
from tests.support.booking import BookingEnv, Headers


async def _post_order(env: BookingEnv, headers: Headers, offer: Any, key: str) -> tuple[int, Any]:
    response = await env.order(headers, offer, key=key)
    return response.status, await response.read()


async def test_fifty_travelers_racing_for_three_seats_get_three_orders(
    booking_env: BookingEnv, alice: Headers, alice_sub: str, settings: Settings
) -> None:
    offer = await booking_env.offer()
    await booking_env.set_seats_left(offer, 3)

    results = await asyncio.gather(
        *(_post_order(booking_env, alice, offer, f"race-{i}") for i in range(50))
    )

    statuses = sorted(status for status, _ in results)
    assert statuses == [201] * 3 + [409] * 47
    assert await booking_env.seats_left(offer) == 0
    held_ids = {_id(body) for status, body in results if status == 201}
    assert len(held_ids) == 3
    listed = await booking_env.client.get("/v1/orders?limit=100", headers=alice)
    assert {o["id"] for o in (await listed.json())["data"]} == held_ids
    # Late arrivals were refused at re-pricing (no order) or at the hold (a `failed` order).
    stored = await _statuses_of(settings, alice_sub)
    assert stored["held"] == 3
    assert set(stored) <= {"held", "failed"}


async def test_twenty_concurrent_requests_with_one_key_make_one_order(
    booking_env: BookingEnv, alice: Headers, alice_sub: str, settings: Settings
) -> None:
    offer = await booking_env.offer()

    results = await asyncio.gather(
        *(_post_order(booking_env, alice, offer, "one-key") for _ in range(20))
    )
    replay = await _post_order(booking_env, alice, offer, "one-key")

    created = [body for status, body in results if status == 201]
    assert {status for status, _ in results} <= {201, 409}
    assert created
    assert len(set(created)) == 1
    assert replay == (201, created[0])
    assert await _orders_of(settings, alice_sub) == 1


async def test_two_concurrent_cancels_cancel_once(
    booking_env: BookingEnv, alice: Headers, settings: Settings
) -> None:
    response = await booking_env.order(alice, await booking_env.offer())
    order = await response.json()
    path = f"/v1/orders/{order['id']}/cancel"

    answers = await asyncio.gather(
        *(booking_env.client.post(path, headers=alice) for _ in range(2))
    )

    assert [a.status for a in answers] == [200, 200]
    assert [(await a.json())["status"] for a in answers] == ["cancelled", "cancelled"]
    assert await _history(settings, order["id"]) == ["pending", "held", "cancelled"]


def _id(body: bytes) -> str:
    order_id: str = json.loads(body)["id"]
    return order_id


async def _orders_of(settings: Settings, owner: str) -> int:
    assert settings.database_url is not None
    conn = await asyncpg.connect(settings.database_url)
    try:
        count: int = await conn.fetchval("SELECT count(*) FROM orders WHERE owner = $1", owner)
    finally:
        await conn.close()
    return count


async def _statuses_of(settings: Settings, owner: str) -> dict[str, int]:
    assert settings.database_url is not None
    conn = await asyncpg.connect(settings.database_url)
    try:
        rows = await conn.fetch(
            "SELECT status, count(*) FROM orders WHERE owner = $1 GROUP BY status", owner
        )
    finally:
        await conn.close()
    return {row["status"]: row["count"] for row in rows}


async def _history(settings: Settings, order_id: str) -> list[str]:
    assert settings.database_url is not None
    conn = await asyncpg.connect(settings.database_url)
    try:
        rows = await conn.fetch(
            "SELECT to_status FROM order_history WHERE order_id = $1 ORDER BY id", order_id
        )
    finally:
        await conn.close()
    return [row["to_status"] for row in rows]
