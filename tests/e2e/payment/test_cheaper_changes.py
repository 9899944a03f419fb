"""A change to a cheaper slice gives its difference back across the order's charges, latest
first, as a cancellation does. It used to refund only the payment that paid the order: after
changes to dearer slices (each charged on its own intent) that payment had too little left, the
gateway refused, and the traveler's change was undone. Over the sim's airlines and card
gateway; a refusal stays owed, says so on the order's history, and the reconciler finishes it."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from booking import change_routes
from tests.e2e.payment.conftest import PayEnv
from tests.e2e.payment.test_cancel_after_extra_charges import (
    REFUNDABLE,
    buy_a_seat,
    given_back,
    history_reasons,
    refunded,
    taken,
)
from tests.e2e.payment.test_order_changes import change_offers, confirm, dearest, paid_order
from tests.support.booking import Headers, in_days

NEAR, FAR = 3, 99  # fares rise as the day comes closer: near is dear, far is cheap


async def change(
    env: PayEnv, headers: Headers, order: dict[str, Any], days: int
) -> tuple[dict[str, Any], Decimal]:
    """`order` changed to a flight `days` out (the dearest offer near, the cheapest far): the
    order as it is now and what the change cost (negative: given back)."""
    status, offers = await change_offers(env, headers, order, days)
    assert status == 201, offers
    if days == NEAR:
        chosen, card = dearest(offers), {"card_token": "tok_visa"}
    else:
        chosen = min(offers["data"], key=lambda o: Decimal(o["change_total_amount"]))
        card = {}
    cost = Decimal(chosen["change_total_amount"])
    assert (cost > 0) == (days == NEAR), chosen
    status, done = await confirm(env, headers, order["id"], chosen["id"], str(uuid.uuid4()), **card)
    assert status == 200, done
    return done["order"], cost


def by_charge(intents: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The order's intents by the charge of ours that made each (pay_… or och_…)."""
    return {i["metadata"].get("payment_id") or i["metadata"]["change_id"]: i for i in intents}


async def test_cheaper_changes_give_back_from_the_latest_charge_whatever_the_payment_has_left(
    pay_env: PayEnv, alice: Headers
) -> None:
    order = await paid_order(pay_env, alice, 60, **REFUNDABLE)
    [paying] = await pay_env.gateway.intents(order["id"])
    order, dearer = await change(pay_env, alice, order, NEAR)
    order, cheaper = await change(pay_env, alice, order, FAR)

    intents = by_charge(await pay_env.gateway.intents(order["id"]))
    [first_change] = [i for c, i in intents.items() if c.startswith("och_")]
    # the dearer change's own charge goes back first, the payment only for the rest
    assert Decimal(first_change["amount_refunded"]) == min(dearer, -cheaper)
    assert Decimal(intents[paying["metadata"]["payment_id"]]["amount_refunded"]) == max(
        -cheaper - dearer, Decimal(0)
    )

    # Twice more: the payment alone could not give this back any more (it was refused, and the
    # change undone); the latest charge can.
    order, _ = await change(pay_env, alice, order, NEAR)
    order, _ = await change(pay_env, alice, order, FAR)
    intents = list(by_charge(await pay_env.gateway.intents(order["id"])).values())
    assert len(intents) == 3
    assert all(Decimal(i["amount_refunded"]) <= Decimal(i["amount_received"]) for i in intents)
    assert order["payment_status"] == "paid"
    assert taken(intents) - given_back(intents) == Decimal(order["total_amount"])
    reasons = await history_reasons(pay_env, alice, order["id"])
    assert sum("cost" in r and "less: refunded" in r for r in reasons) >= 2, reasons

    # What is left on the charges is what a cancellation of the refundable fare gives back.
    response = await pay_env.client.post(f"/v1/orders/{order['id']}/cancel", headers=alice)
    assert response.status == 200, await response.text()
    await refunded(pay_env, alice, order["id"])
    intents = await pay_env.gateway.intents(order["id"])
    assert all(i["amount_refunded"] == i["amount_received"] for i in intents), intents


async def test_a_cheaper_return_gives_back_fare_money_not_the_charge_of_a_seat_kept(
    pay_env: PayEnv, alice: Headers
) -> None:
    """A paid round trip, a seat bought afterwards on the outbound (the latest charge), then the
    return changed to a cheaper flight: the difference comes back from the order's payment. It
    used to come from the seat's charge first, latest first, and the seat the traveler still
    holds read as refunded."""
    order = await paid_order(pay_env, alice, 60, return_date=in_days(67), **REFUNDABLE)
    [paying] = await pay_env.gateway.intents(order["id"])
    await buy_a_seat(pay_env, alice, order["id"])
    status, offers = await change_offers(pay_env, alice, order, FAR, slice_index=1)
    assert status == 201, offers
    chosen = min(offers["data"], key=lambda o: Decimal(o["change_total_amount"]))
    cheaper = -Decimal(chosen["change_total_amount"])
    assert cheaper > 0, chosen
    status, done = await confirm(pay_env, alice, order["id"], chosen["id"], str(uuid.uuid4()))
    assert status == 200, done

    await pay_env.until(alice, order["id"], lambda o: o["payment_status"] == "paid")
    intents = by_charge(await pay_env.gateway.intents(order["id"]))
    payment_id = paying["metadata"]["payment_id"]
    [seat] = [i for charge, i in intents.items() if charge != payment_id]
    assert Decimal(intents[payment_id]["amount_refunded"]) == cheaper, intents
    assert Decimal(seat["amount_refunded"]) == 0, seat
    response = await pay_env.client.get(f"/v1/orders/{order['id']}/seats", headers=alice)
    seats = await response.json()
    assert seats["seat_charge"]["status"] == "succeeded", seats


async def test_a_change_refund_the_gateway_refuses_stays_owed_and_is_finished_later(
    pay_env: PayEnv, alice: Headers
) -> None:
    order = await paid_order(pay_env, alice, 62, **REFUNDABLE)
    order, dearer = await change(pay_env, alice, order, NEAR)
    [charged] = [
        i for c, i in by_charge(await pay_env.gateway.intents(order["id"])).items() if "och_" in c
    ]
    await pay_env.gateway.refuse_refunds(charged["id"])

    order, cheaper = await change(pay_env, alice, order, FAR)  # the change stands all the same

    owed = await pay_env.pool.fetch(
        "SELECT charge_id, status, attempt, last_error FROM order_refunds WHERE order_id = $1"
        " ORDER BY created_at",
        order["id"],
    )
    assert owed[0]["charge_id"] == charged["metadata"]["change_id"]
    assert (owed[0]["status"], owed[0]["attempt"], owed[0]["last_error"]) == (
        "owed",
        1,
        "charge_disputed",
    )
    reasons = await history_reasons(pay_env, alice, order["id"])
    assert any("refused by the payment gateway (charge_disputed)" in r for r in reasons), reasons
    response = await pay_env.client.get(f"/v1/orders/{order['id']}/history", headers=alice)
    steps = (await response.json())["data"]
    # The refusal's code as a field of its own, for clients that must not read our sentences.
    assert [s["decline_code"] for s in steps if s["code"] == "refund_retrying"] == [
        "charge_disputed"
    ]

    refunds = pay_env.client.app[change_routes.CHANGES].payments.refunds  # type: ignore[union-attr]
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    assert await refunds.reconcile_once(later, actor="payments") == 1

    statuses = await pay_env.pool.fetch(
        "SELECT status FROM order_refunds WHERE order_id = $1", order["id"]
    )
    assert {r["status"] for r in statuses} == {"refunded"}
    intents = await pay_env.gateway.intents(order["id"])
    assert given_back(intents) == -cheaper
    assert (await pay_env.order(alice, order["id"]))["payment_status"] == "paid"
    assert dearer > 0
