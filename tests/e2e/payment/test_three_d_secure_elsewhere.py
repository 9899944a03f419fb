"""A card asking for 3-D Secure where no page can send the traveler to their bank: a flight change
and an instant order refuse it clearly (`authentication_required`), charge nothing, and leave the
order as it was, neither a 500 nor a charge waiting for ever. (A seat change sends them to it:
test_three_d_secure_seats.py.)"""

from __future__ import annotations

import uuid

from tests.e2e.payment.test_order_changes import (
    FLEX_CABIN,
    change_offers,
    confirm,
    dearest,
    paid_order,
)
from tests.e2e.payment.test_payment_outcomes import instant_order
from tests.support.booking import Headers
from tests.support.payment_app import PayEnv

CARD = "tok_3ds_required"
CODE = "authentication_required"


async def test_a_flight_change_paid_with_a_3ds_card_is_refused_and_undone(
    pay_env: PayEnv, alice: Headers
) -> None:
    order = await paid_order(pay_env, alice, days=92, **FLEX_CABIN)
    _, offers = await change_offers(pay_env, alice, order, days=22)
    chosen = dearest(offers)
    status, problem = await confirm(
        pay_env, alice, order["id"], chosen["id"], str(uuid.uuid4()), card_token=CARD
    )
    assert status == 409, problem
    assert problem["decline_code"] == CODE
    after = await pay_env.order(alice, order["id"])
    assert after["slices"] == order["slices"]
    assert after["total_amount"] == order["total_amount"]
    change_intents = [
        i for i in await pay_env.gateway.intents(order["id"]) if "change_id" in i["metadata"]
    ]
    assert [i["amount_received"] for i in change_intents] == ["0.00"]


async def test_an_instant_order_with_a_3ds_card_stays_held_with_its_payment_failed(
    pay_env: PayEnv, alice: Headers
) -> None:
    order = await instant_order(pay_env, alice, CARD)
    failed = await pay_env.order(alice, order["id"])
    assert (failed["status"], failed["payment_status"]) == ("held", "failed")
    assert failed["payment_decline_code"] == CODE
    # Paying the held order does send the traveler to their bank.
    paying = await pay_env.pay(alice, order["id"], CARD)
    assert (await paying.json())["status"] == "requires_action"
