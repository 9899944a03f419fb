"""The 409s of choosing seats say which refusal each is, as a stable `refusal` member beside our
sentence (booking/seat_refusals.py), over HTTP against the real stack: clients word them by it."""

from __future__ import annotations

from typing import Any

from tests.support.api_seat_maps import seat_elements
from tests.support.booking import Headers
from tests.support.payment_app import PayEnv
from tests.support.payment_sim import eventually


async def _a_seat(env: PayEnv, order: dict[str, Any]) -> dict[str, Any]:
    """A service asking the order's first passenger an available seat on its first flight."""
    response = await env.client.get("/v1/seat_maps", params={"offer_id": order["offer_id"]})
    seat_map = (await response.json())["seat_maps"][0]
    seat = next(e["designator"] for e in seat_elements(seat_map) if e.get("available_services"))
    return {"services": [{"type": "seat", "segment_id": seat_map["segment_id"],
                          "passenger_id": "pas_1", "designator": seat}]}  # fmt: skip


async def _refusal(response: Any) -> Any:
    problem = await response.json()
    assert response.status == 409, problem
    assert problem["type"].endswith("/conflict")
    return problem["refusal"]


async def test_seats_on_a_cancelled_order_are_refused_as_order_closed(
    pay_env: PayEnv, alice: Headers
) -> None:
    order = await pay_env.held_order(alice, days=61)
    seat = await _a_seat(pay_env, order)
    cancelled = await pay_env.client.post(f"/v1/orders/{order['id']}/cancel", headers=alice)
    assert cancelled.status == 200, await cancelled.text()

    chosen = await pay_env.client.post(f"/v1/orders/{order['id']}/seats", json=seat, headers=alice)
    maps = await pay_env.client.get(
        "/v1/seat_maps", params={"order_id": order["id"]}, headers=alice
    )

    assert await _refusal(chosen) == "order_closed"
    assert await _refusal(maps) == "order_closed"


async def test_seats_on_a_hold_being_paid_are_refused_as_payment_in_progress(
    pay_env: PayEnv, alice: Headers
) -> None:
    order = await pay_env.held_order(alice, days=62)
    seat = await _a_seat(pay_env, order)
    await pay_env.gateway.set_timing(settle_ms=5, slow_ms=1500)
    paying = await pay_env.pay(alice, order["id"], "tok_slow")
    assert paying.status == 202, await paying.text()

    chosen = await pay_env.client.post(f"/v1/orders/{order['id']}/seats", json=seat, headers=alice)

    assert await _refusal(chosen) == "payment_in_progress"
    paid = await eventually(
        lambda: pay_env.order(alice, order["id"]), lambda o: o["payment_status"] == "paid"
    )
    assert paid["seats"] == []  # the refused choice took nothing
