"""A change to a cheaper slice whose refund cannot stand after the airline swapped the flights
is undone at the airline. Over the sim's airlines and card gateway.

- Two change offers of one slice confirmed at once, each quoted from the order as it was: both
  used to apply, each giving back its difference from flights it no longer replaced (the
  traveler got both back and flew the second), and the airline's undo of one could drop the
  other's flights. One change of an order is confirmed at a time now (booking/sql/0132): the
  second is a 409 before the airline is asked; a change whose order moved since its quote is
  undone at the airline and gives nothing back.
- A difference the order's charges no longer hold (`owe_change` answers 409): the confirmation
  used to answer 409 with the airline keeping the new flights and the offer `confirming`, which
  every retry and sweeper round answered the same way, for ever. Now it is compensated as a
  declined card is: the original flights back, the offer failed."""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal
from typing import Any

from tests.e2e.payment.test_cancel_after_extra_charges import REFUNDABLE
from tests.e2e.payment.test_order_changes import (
    change_offers,
    confirm,
    order_airline,
    paid_order,
)
from tests.support.booking import Headers
from tests.support.payment_app import PayEnv

NEAR, FAR = 3, 99  # fares rise as the day comes closer: near is dear, far is cheap


async def test_two_cheaper_changes_of_one_slice_at_once_leave_one_change_paid_back_once(
    pay_env: PayEnv, alice: Headers
) -> None:
    order = await paid_order(pay_env, alice, NEAR, **REFUNDABLE)
    cheaper = []
    for days in (FAR, FAR - 1):  # two flights, each quoted from the order as it is now
        status, offers = await change_offers(pay_env, alice, order, days)
        assert status == 201, offers
        cheaper.append(min(offers["data"], key=lambda o: Decimal(o["change_total_amount"])))
    assert all(Decimal(o["change_total_amount"]) < 0 for o in cheaper), cheaper
    before = {o["id"]: await seats_left(pay_env, o) for o in cheaper}
    slug = order_airline(pay_env, order).removeprefix("rest-")
    await pay_env.booking.sim.set_profile(slug, latency_ms=300.0)  # both swap before either commits
    try:
        answers = await asyncio.gather(
            *(confirm(pay_env, alice, order["id"], o["id"], str(uuid.uuid4())) for o in cheaper)
        )
    finally:
        await pay_env.booking.sim.set_profile(slug, latency_ms=0.0)

    assert sorted(status for status, _ in answers) == [200, 409], answers
    [(stood, done)] = [(o, a) for o, (s, a) in zip(cheaper, answers, strict=True) if s == 200]
    [(lost, problem)] = [(o, a) for o, (s, a) in zip(cheaper, answers, strict=True) if s == 409]
    # Refused before the airline is asked: while the first is confirming, or (had it come only
    # after the first committed) because the order changed since it was quoted.
    assert any(
        why in problem["detail"]
        for why in ("another change of this order, is being confirmed", "changed since")
    ), problem
    now = await pay_env.order(alice, order["id"])
    assert now["slices"][0] == stood["slice"] == done["order"]["slices"][0]
    assert now["total_amount"] == stood["new_total_amount"]
    given_back = -Decimal(stood["change_total_amount"])
    [intent] = await pay_env.gateway.intents(order["id"])
    assert Decimal(intent["amount_refunded"]) == given_back, intent
    response = await pay_env.client.get(
        f"/v1/orders/{order['id']}/changes/{lost['id']}", headers=alice
    )
    assert (await response.json())["status"] == "quoted"  # it may be confirmed no more
    # The airline flies what the order says: the other change was never made there.
    assert await seats_left(pay_env, lost) == before[lost["id"]]
    assert await seats_left(pay_env, stood) == before[stood["id"]] - 1


async def seats_left(pay_env: PayEnv, offer: dict[str, Any]) -> int:
    return await pay_env.booking.seats_left({"slices": [offer["slice"]]})


async def test_a_cheaper_change_whose_refund_cannot_be_owed_puts_the_flights_back(
    pay_env: PayEnv, alice: Headers
) -> None:
    order = await paid_order(pay_env, alice, NEAR + 1, **REFUNDABLE)
    status, offers = await change_offers(pay_env, alice, order, FAR - 2)
    assert status == 201, offers
    chosen = min(offers["data"], key=lambda o: Decimal(o["change_total_amount"]))
    refund = -Decimal(chosen["change_total_amount"])
    assert refund > 0, chosen
    seats_before = await seats_left(pay_env, chosen)
    # Most of the payment went back meanwhile, by a part the ledger counts (as support's or
    # an older process's refund would leave it), without the order itself changing.
    pay_id, intent_id, paid = await pay_env.pool.fetchrow(
        "SELECT id, gateway_intent_id, amount FROM payments WHERE order_id = $1", order["id"]
    )
    await pay_env.pool.execute(
        "INSERT INTO order_refunds (id, order_id, charge_id, intent_id, amount, currency, reason,"
        " status, change_id) VALUES ($1, $2, $3, $4, $5, 'USD', 'given back', 'refunded', $6)",
        "rfd_" + uuid.uuid4().hex[:24], order["id"], pay_id, intent_id, paid - refund / 2,
        "och_" + uuid.uuid4().hex[:24],
    )  # fmt: skip

    status, problem = await confirm(pay_env, alice, order["id"], chosen["id"], str(uuid.uuid4()))

    assert status == 409, problem
    assert "original flights back" in problem["detail"], problem
    assert problem["failure_code"] == "refund_not_possible"
    after = await pay_env.order(alice, order["id"])
    assert (after["slices"], after["total_amount"]) == (order["slices"], order["total_amount"])
    assert after["last_change"]["status"] == "failed"
    assert await seats_left(pay_env, chosen) == seats_before  # the airline undid it
    response = await pay_env.client.get(
        f"/v1/orders/{order['id']}/changes/{chosen['id']}", headers=alice
    )
    failed = await response.json()
    assert (failed["status"], failed["failure_code"]) == ("failed", "refund_not_possible")
    [intent] = await pay_env.gateway.intents(order["id"])
    assert Decimal(intent["amount_refunded"]) == 0  # nothing given back for a change not made
