"""Cancelling a paid order that was charged more than once, over the sim's airlines and card
gateway: book and pay, buy a seat on the confirmed order (its own charge), change a slice to a
dearer one paying the difference (another charge), then cancel. The refund the fare conditions
give is split across the charges (each never refunded more than it took) and the order says
where it went; a refusal half way leaves the rest owed, and asking again finishes it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.e2e.payment.conftest import PayEnv
from tests.e2e.payment.test_order_changes import change_offers, confirm, dearest, paid_order
from tests.support.api_seat_maps import price_of, seat_elements
from tests.support.booking import Headers
from tests.support.payment_sim import eventually

REFUNDABLE = {"cabin_class": "first", "destination": "LAX"}  # refundable, changeable (a 777)
NON_REFUNDABLE = {"cabin_class": "premium_economy"}  # changeable, not refundable


async def charged_three_times(
    env: PayEnv, headers: Headers, days: tuple[int, int], cabin: dict[str, str]
) -> dict[str, Any]:
    """A paid order with a seat bought after booking and a change to a dearer slice (fares rise
    as the day comes closer: `days[0]` out, then `days[1]`): three captured charges."""
    order = await paid_order(env, headers, days[0], **cabin)
    await buy_a_seat(env, headers, order["id"])
    status, offers = await change_offers(env, headers, order, days[1])
    assert status == 201, offers
    chosen = dearest(offers)
    status, changed = await confirm(
        env, headers, order["id"], chosen["id"], f"chg-{order['id']}", card_token="tok_visa"
    )
    assert status == 200, changed
    intents = await env.gateway.intents(order["id"])
    assert len(intents) == 3
    assert all(i["status"] == "succeeded" for i in intents), intents
    return await env.order(headers, order["id"])


async def buy_a_seat(env: PayEnv, headers: Headers, order_id: str) -> None:
    response = await env.client.get("/v1/seat_maps", params={"order_id": order_id}, headers=headers)
    body = await response.json()
    assert response.status == 200, body
    seat_map = body["seat_maps"][0]
    paid = next(e for e in seat_elements(seat_map) if (price_of(e) or 0) > 0)
    service = {
        "type": "seat",
        "segment_id": seat_map["segment_id"],
        "passenger_id": "pas_1",
        "designator": paid["designator"],
    }
    response = await env.client.post(
        f"/v1/orders/{order_id}/seats",
        json={"services": [service], "payment": {"card_token": "tok_visa"}},
        headers=headers,
    )
    assert response.status == 202, await response.text()

    async def seats() -> Any:
        answer = await env.client.get(f"/v1/orders/{order_id}/seats", headers=headers)
        return await answer.json()

    await eventually(seats, lambda s: s["seat_charge"]["status"] == "succeeded")


def taken(intents: list[dict[str, Any]]) -> Decimal:
    return sum((Decimal(i["amount_received"]) for i in intents), Decimal(0))


def given_back(intents: list[dict[str, Any]]) -> Decimal:
    return sum((Decimal(i["amount_refunded"]) for i in intents), Decimal(0))


async def quote(env: PayEnv, headers: Headers, order_id: str) -> dict[str, Any]:
    response = await env.client.post(f"/v1/orders/{order_id}/cancellations", headers=headers)
    body: dict[str, Any] = await response.json()
    assert response.status == 201, body
    return body


async def refunded(env: PayEnv, headers: Headers, order_id: str) -> dict[str, Any]:
    return await env.until(headers, order_id, lambda o: o["payment_status"] == "refunded")


async def history_reasons(env: PayEnv, headers: Headers, order_id: str) -> list[str]:
    response = await env.client.get(f"/v1/orders/{order_id}/history", headers=headers)
    assert response.status == 200
    return [item["reason"] for item in (await response.json())["data"]]


async def test_a_refundable_fare_gives_back_everything_paid_across_its_three_charges(
    pay_env: PayEnv, alice: Headers
) -> None:
    order = await charged_three_times(pay_env, alice, (90, 10), REFUNDABLE)
    paid = taken(await pay_env.gateway.intents(order["id"]))
    assert paid > Decimal(order["total_amount"])  # the seat is beyond the fare's new total

    offered = await quote(pay_env, alice, order["id"])
    assert Decimal(offered["refund_amount"]) == paid
    assert Decimal(offered["penalty_amount"]) == 0
    response = await pay_env.client.post(
        f"/v1/orders/{order['id']}/cancellations/{offered['id']}/confirm", headers=alice
    )
    confirmed = await response.json()
    assert response.status == 200, confirmed
    parts = confirmed["refunds"]  # where it went: latest charge first, each all it took
    assert [p["charge_id"][:4] for p in parts] == ["och_", "sch_", "pay_"]
    assert sum(Decimal(p["amount"]) for p in parts) == paid
    assert {p["status"] for p in parts} == {"refunded"}

    done = await refunded(pay_env, alice, order["id"])
    assert done["status"] == "cancelled"
    intents = await pay_env.gateway.intents(order["id"])
    assert all(i["amount_refunded"] == i["amount_received"] for i in intents), intents
    assert all(len(i["refunds"]) == 1 for i in intents)
    assert given_back(intents) == paid
    [where] = [r for r in await history_reasons(pay_env, alice, order["id"]) if "refunded" in r]
    assert all(
        (i["metadata"].get("payment_id") or i["metadata"]["change_id"]) in where for i in intents
    )


async def test_a_non_refundable_fare_gives_back_its_taxes_from_the_latest_charge_on(
    pay_env: PayEnv, alice: Headers
) -> None:
    order = await charged_three_times(pay_env, alice, (94, 9), NON_REFUNDABLE)
    intents = await pay_env.gateway.intents(order["id"])
    paid = taken(intents)
    offered = await quote(pay_env, alice, order["id"])
    refund = Decimal(offered["refund_amount"])
    assert 0 < refund < paid
    assert refund + Decimal(offered["penalty_amount"]) == paid

    response = await pay_env.client.post(f"/v1/orders/{order['id']}/cancel", headers=alice)
    assert response.status == 200, await response.text()

    await refunded(pay_env, alice, order["id"])
    intents = await pay_env.gateway.intents(order["id"])
    assert given_back(intents) == refund  # what the quote said, the one-step way too
    for intent in intents:
        assert Decimal(intent["amount_refunded"]) <= Decimal(intent["amount_received"])
    assert await pay_env.stated_penalty(order["id"]) == paid - refund


async def test_a_quote_states_what_its_confirmation_pays_after_a_change_to_a_dearer_slice(
    pay_env: PayEnv, alice: Headers
) -> None:
    order = await paid_order(pay_env, alice, 98, **REFUNDABLE)
    status, offers = await change_offers(pay_env, alice, order, 8)
    assert status == 201, offers
    chosen = dearest(offers)
    status, _ = await confirm(
        pay_env, alice, order["id"], chosen["id"], f"c-{order['id']}", card_token="tok_visa"
    )
    assert status == 200

    offered = await quote(pay_env, alice, order["id"])
    response = await pay_env.client.post(
        f"/v1/orders/{order['id']}/cancellations/{offered['id']}/confirm", headers=alice
    )
    assert response.status == 200, await response.text()
    await refunded(pay_env, alice, order["id"])
    intents = await pay_env.gateway.intents(order["id"])
    assert given_back(intents) == Decimal(offered["refund_amount"]) == taken(intents)


async def test_a_refund_refused_half_way_stays_owed_says_so_and_is_finished_when_asked_again(
    pay_env: PayEnv, alice: Headers
) -> None:
    order = await paid_order(pay_env, alice, 86, **REFUNDABLE)
    await buy_a_seat(pay_env, alice, order["id"])
    intents = await pay_env.gateway.intents(order["id"])
    own = next(i for i in intents if i["metadata"]["payment_id"].startswith("pay_"))
    await pay_env.gateway.refuse_refunds(own["id"])

    response = await pay_env.client.post(f"/v1/orders/{order['id']}/cancel", headers=alice)
    body = await response.json()
    assert response.status == 200, body
    assert (body["status"], body["payment_status"]) == ("cancelled", "paid")  # not all back yet
    by_id = {i["id"]: i for i in await pay_env.gateway.intents(order["id"])}
    assert by_id[own["id"]]["amount_refunded"] == "0.00"
    seat = next(i for i in by_id.values() if i["id"] != own["id"])
    assert seat["amount_refunded"] == seat["amount_received"]  # the other part went through
    assert any("refused" in r for r in await history_reasons(pay_env, alice, order["id"]))

    again = await pay_env.client.post(f"/v1/orders/{order['id']}/cancel", headers=alice)
    assert again.status == 200
    done = await refunded(pay_env, alice, order["id"])
    assert done["status"] == "cancelled"
    by_id = {i["id"]: i for i in await pay_env.gateway.intents(order["id"])}
    assert all(i["amount_refunded"] == i["amount_received"] for i in by_id.values())
    assert len(by_id[seat["id"]]["refunds"]) == 1  # asking again refunded nothing twice
