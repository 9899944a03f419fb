"""A seat bought after booking whose money went back reads `refunded` in
`GET /v1/orders/{id}/seats`, whoever gave it back: a cancellation's refund part, or the gateway
(its dashboard) refunding the charge in full. Both used to leave it `succeeded`."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.e2e.payment.conftest import PayEnv
from tests.e2e.payment.test_cancel_after_extra_charges import REFUNDABLE, buy_a_seat, refunded
from tests.e2e.payment.test_order_changes import paid_order
from tests.support.booking import Headers
from tests.support.payment_sim import eventually


async def seat_charge(env: PayEnv, headers: Headers, order_id: str) -> dict[str, Any]:
    response = await env.client.get(f"/v1/orders/{order_id}/seats", headers=headers)
    body = await response.json()
    assert response.status == 200, body
    charge: dict[str, Any] = body["seat_charge"]
    return charge


async def test_a_seat_charge_a_cancellation_refunded_reads_refunded(
    pay_env: PayEnv, alice: Headers
) -> None:
    order = await paid_order(pay_env, alice, 86, **REFUNDABLE)
    await buy_a_seat(pay_env, alice, order["id"])

    response = await pay_env.client.post(f"/v1/orders/{order['id']}/cancel", headers=alice)
    assert response.status == 200, await response.text()
    await refunded(pay_env, alice, order["id"])

    charge = await seat_charge(pay_env, alice, order["id"])
    assert charge["status"] == "refunded", charge
    intents = await pay_env.gateway.intents(order["id"])
    seat = next(i for i in intents if i["metadata"]["payment_id"] == charge["id"])
    assert Decimal(seat["amount_refunded"]) == Decimal(charge["amount"])


async def test_a_seat_charge_the_gateway_refunded_in_full_reads_refunded(
    pay_env: PayEnv, alice: Headers
) -> None:
    order = await paid_order(pay_env, alice, 90, **REFUNDABLE)
    await buy_a_seat(pay_env, alice, order["id"])
    charge = await seat_charge(pay_env, alice, order["id"])
    intents = await pay_env.gateway.intents(order["id"])
    seat = next(i for i in intents if i["metadata"]["payment_id"] == charge["id"])
    await pay_env.gateway.refund_by_hand(seat["id"])

    async def read() -> dict[str, Any]:
        return await seat_charge(pay_env, alice, order["id"])

    await eventually(read, lambda c: c["status"] == "refunded")
