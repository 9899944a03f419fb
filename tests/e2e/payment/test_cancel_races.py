"""Cancel racing a payment, with real concurrent requests: whichever wins, an order never ends
cancelled keeping more of the traveler's money than its cancellation stated (the fare's penalty,
when the cancel found it paid) — in our database AND at the gateway AND the airline."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import aiohttp
import pytest

from tests.support.booking import Headers
from tests.support.payment_app import PayEnv
from tests.support.payment_sim import eventually

# Cancels sent this long after the payment request. Across these delays and settle times the
# cancel lands before the payment starts, while the card is charged, while tickets are issued
# (held + paid) and after the order is confirmed: every interleaving shows up in a few runs.
CANCEL_DELAYS_MS = (0, 3, 10, 25, 50, 100)


async def race(pay_env: PayEnv, headers: Headers, order_id: str, delay_ms: float) -> None:
    async def cancel() -> None:
        await asyncio.sleep(delay_ms / 1000)
        response = await pay_env.client.post(f"/v1/orders/{order_id}/cancel", headers=headers)
        assert response.status == 200, await response.text()

    pay = pay_env.pay(headers, order_id)
    paid, _ = await asyncio.gather(pay, cancel())
    assert paid.status in (202, 409), await paid.text()  # 409: the cancel came first


async def settled(pay_env: PayEnv, order_id: str) -> dict[str, Any]:
    """The order's row once nothing about its payment is in flight any more."""

    async def probe() -> dict[str, Any]:
        row = await pay_env.pool.fetchrow(
            "SELECT status, payment_status, failure_reason, ticket_numbers,"
            " (SELECT count(*) FROM payments p WHERE p.order_id = o.id"
            "  AND p.status IN ('processing', 'refunding')) AS in_flight"
            " FROM orders o WHERE id = $1",
            order_id,
        )
        return dict(row or {})

    return await eventually(
        probe,
        lambda o: (
            o["in_flight"] == 0
            and o["payment_status"] != "processing"
            and not (o["status"] == "held" and o["payment_status"] == "paid")
        ),
    )


async def airline_status(pay_env: PayEnv, order_id: str) -> str:
    connector = await pay_env.pool.fetchval("SELECT connector FROM orders WHERE id = $1", order_id)
    url = f"{pay_env.booking.sim.url}/rest/{connector.removeprefix('rest-')}/bookings"
    async with (
        aiohttp.ClientSession() as session,
        session.get(url, params={"reference": order_id}) as response,
    ):
        body = await response.json()
        assert response.status == 200, body
        return str(body["booking"]["status"])


@pytest.mark.parametrize("settle_ms", [0, 8, 25])
async def test_cancel_racing_a_payment_ends_confirmed_then_refunded_or_cancelled_and_refunded(
    pay_env: PayEnv, alice: Headers, settle_ms: int
) -> None:
    await pay_env.gateway.set_timing(settle_ms=settle_ms)
    orders = await asyncio.gather(
        *(pay_env.held_order(alice, days=20 + i) for i in range(len(CANCEL_DELAYS_MS)))
    )
    ids = [order["id"] for order in orders]
    await asyncio.gather(
        *(race(pay_env, alice, i, delay) for i, delay in zip(ids, CANCEL_DELAYS_MS, strict=True))
    )
    await eventually(
        pay_env.gateway.deliveries, lambda ds: all(d["state"] != "pending" for d in ds)
    )

    for order_id in ids:
        final = await settled(pay_env, order_id)
        # Every cancel answered 200: each order ends cancelled, its money back (or never taken)
        # but for the penalty its cancellation stated: only a cancel that found the order paid
        # states one (the fare's, as a quote would); money that arrived meanwhile all goes back.
        assert final["status"] == "cancelled", final
        assert final["payment_status"] in ("unpaid", "refunded"), final
        penalty = await pay_env.stated_penalty(order_id)
        for intent in await pay_env.gateway.intents(order_id):
            if intent["status"] == "succeeded":
                kept = Decimal(intent["amount"]) - Decimal(intent["amount_refunded"])
                assert kept == penalty, (final, intent)
                assert len(intent["refunds"]) == 1, intent  # refunded once, not per asker
        for payment in await pay_env.payments(order_id):
            assert payment["status"] in ("refunded", "failed"), dict(payment)
        assert await airline_status(pay_env, order_id) == "CANCELLED"
