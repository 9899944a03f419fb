"""A card asking for 3-D Secure where no page can send the traveler to their bank: an instant
order refuses it clearly (`authentication_required`), charges nothing, and leaves the order as it
was, neither a 500 nor a charge waiting for ever. (A seat change and a flight change send them to
it: test_three_d_secure_seats.py, test_three_d_secure_changes.py.)"""

from __future__ import annotations

from tests.e2e.payment.test_payment_outcomes import instant_order
from tests.support.booking import Headers
from tests.support.payment_app import PayEnv

CARD = "tok_3ds_required"
CODE = "authentication_required"


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
