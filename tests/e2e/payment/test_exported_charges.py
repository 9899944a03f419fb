"""The traveler's data export (`GET /v1/me/export`) gives every card charge of an order: its
payments, and (they were missing) the seats bought after booking and the difference a flight
change put to the card, each as stored but for what is left out on purpose
(payment/exported_charges.py)."""

from __future__ import annotations

import re
from decimal import Decimal

from tests.e2e.payment.conftest import PayEnv
from tests.e2e.payment.test_cancel_after_extra_charges import NON_REFUNDABLE, charged_three_times
from tests.support.booking import Headers


async def test_the_export_gives_an_orders_seat_and_change_charges_beside_its_payment(
    pay_env: PayEnv, alice: Headers
) -> None:
    order = await charged_three_times(pay_env, alice, (94, 9), NON_REFUNDABLE)
    charged = {c["type"]: c for c in order["money"]["charges"]}

    response = await pay_env.client.get("/v1/me/export", headers=alice)
    export = await response.json()

    assert response.status == 200, export
    [exported] = export["orders"]
    [payment] = exported["payments"]
    [seats] = exported["seat_charges"]
    [change] = exported["change_charges"]
    # The very charges the order's money counts, no more.
    assert [payment["id"], seats["id"], change["id"]] == [
        charged[kind]["id"] for kind in ("booking", "seats", "flight_change")
    ]
    assert (seats["status"], Decimal(seats["amount"])) == (
        "succeeded",
        Decimal(charged["seats"]["amount"]),
    )
    [seat] = seats["seats"]  # released since with the flight it was on: the charge keeps it
    assert (seat["passenger_id"], Decimal(seat["total_amount"])) == (
        "pas_1",
        Decimal(seats["amount"]),
    )
    assert (change["status"], Decimal(change["due_amount"])) == (
        "confirmed",
        Decimal(charged["flight_change"]["amount"]),
    )
    assert change["new_slice"] == order["slices"][change["slice_index"]]
    intents = await pay_env.gateway.intents(order["id"])
    named = [payment["gateway_intent_id"], seats["gateway_intent_id"], change["payment_intent_id"]]
    assert sorted(named) == sorted(i["id"] for i in intents)
    assert {c["card_last4"] for c in (payment, seats, change)} == {payment["card_last4"]}
    assert re.fullmatch(r"\d{4}", payment["card_last4"])
    assert change["actor"] == change["confirmed_by"]
    for left_out in ("owner", "asked_at", "audited_at", "refund_attempt"):
        assert left_out not in seats
    for left_out in ("supplier_fare_id", "order_status", "claimed_until", "audited_at"):
        assert left_out not in change


async def test_the_erasure_names_the_seat_and_change_charges_it_keeps_beside_the_payments(
    pay_env: PayEnv, alice: Headers
) -> None:
    await charged_three_times(pay_env, alice, (96, 8), NON_REFUNDABLE)

    response = await pay_env.client.delete("/v1/me", headers=alice)
    report = await response.json()

    assert response.status == 200, report
    assert [(k["what"], k["count"]) for k in report["kept"]] == [
        ("orders", 1),
        ("payments", 1),
        ("seat_charges", 1),
        ("change_charges", 1),
    ]
    why = {k["what"]: k["why"] for k in report["kept"]}
    assert "seats bought after booking" in why["seat_charges"]
    assert "flight change" in why["change_charges"]
