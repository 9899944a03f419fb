"""A flight change on a paid order whose difference is charged to a card asking for 3-D Secure,
through HTTP with the sim's airlines and gateway: the confirmation answers 202 with the bank's
page (`next_action`), the change `confirming` and the airline's change kept; the same
confirmation resent once the bank answered finishes it (charged once, the order changed) or
undoes it (declined: the old flights back); and while it waits nothing is charged, nothing
stored as the key's answer. (The change sweeper's part: test_three_d_secure_change_sweeper.py.)"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.e2e.payment.test_order_changes import (
    FLEX_CABIN,
    change_offers,
    confirm,
    dearest,
    paid_order,
)
from tests.support.booking import Headers
from tests.support.payment_app import PayEnv
from tests.support.payment_sim import assert_sent_to_the_bank

CARD = "tok_3ds_required"
# The confirmation resent once the bank answered finishes the change: the gateway's webhook for
# its charge does not settle it first (test_three_d_secure_change_webhook.py: when it does).
pytestmark = pytest.mark.usefixtures("change_webhooks_unheard")


async def at_the_bank(
    pay_env: PayEnv, alice: Headers, *, days: int
) -> tuple[dict[str, Any], dict[str, Any], str, dict[str, Any]]:
    """A paid flexible order, its dearest change offer `days` out confirmed with the 3-D Secure
    card: the order, the offer, the confirmation's key and its 202 answer."""
    order = await paid_order(pay_env, alice, days=92, **FLEX_CABIN)
    _, offers = await change_offers(pay_env, alice, order, days=days)
    chosen = dearest(offers)
    key = str(uuid.uuid4())
    status, body = await confirm(pay_env, alice, order["id"], chosen["id"], key, card_token=CARD)
    assert status == 202, body
    return order, chosen, key, body


async def change_intent(pay_env: PayEnv, order_id: str, change_id: str) -> dict[str, Any]:
    [intent] = [
        i
        for i in await pay_env.gateway.intents(order_id)
        if i["metadata"].get("change_id") == change_id
    ]
    return intent


async def bank_answers(
    pay_env: PayEnv, order: dict[str, Any], chosen: dict[str, Any], outcome: str
) -> dict[str, Any]:
    """The change's challenge answered (`complete` or `fail`) as the browser's form would."""
    intent = await change_intent(pay_env, order["id"], chosen["id"])
    answered: dict[str, Any] = await pay_env.gateway.answer_challenge(intent["id"], outcome)
    return answered


async def charged(pay_env: PayEnv, order: dict[str, Any], chosen: dict[str, Any]) -> str:
    """What the change's one charge took from the card."""
    intent = await change_intent(pay_env, order["id"], chosen["id"])
    received: str = intent["amount_received"]
    return received


async def test_a_change_with_a_3ds_card_answers_the_banks_page_and_waits(
    pay_env: PayEnv, alice: Headers
) -> None:
    order, chosen, key, waiting = await at_the_bank(pay_env, alice, days=22)
    assert waiting["status"] == "confirming"
    intent = await change_intent(pay_env, order["id"], chosen["id"])
    # Back to the page the order's payment and a seat change come back to.
    origin = str(pay_env.client.make_url("/"))
    assert_sent_to_the_bank(waiting["next_action"], intent, origin, order["id"])
    # The order flies what it flew, nothing charged, while the change's GET says where it is.
    assert waiting["order"]["slices"] == order["slices"]
    response = await pay_env.client.get(
        f"/v1/orders/{order['id']}/changes/{chosen['id']}", headers=alice
    )
    read = await response.json()
    assert (read["status"], read["next_action"]) == ("confirming", waiting["next_action"])
    # And the order's GET, for a trip page opened again (it knows no change offer).
    trip = await pay_env.order(alice, order["id"])
    assert trip["change_next_action"] == {
        "change_offer_id": chosen["id"],
        "slice_index": 0,
        "url": waiting["next_action"]["url"],
        "type": "redirect_to_url",
    }
    # Resent before the bank answered: the same 202 (nothing was stored under the key).
    again = await confirm(pay_env, alice, order["id"], chosen["id"], key, card_token=CARD)
    assert again[0] == 202, again
    assert again[1]["next_action"] == waiting["next_action"]
    assert [
        i["id"] for i in await pay_env.gateway.intents(order["id"]) if "change_id" in i["metadata"]
    ] == [intent["id"]]


async def test_the_bank_confirmed_the_same_confirmation_changes_the_order_once(
    pay_env: PayEnv, alice: Headers
) -> None:
    order, chosen, key, _ = await at_the_bank(pay_env, alice, days=23)
    await bank_answers(pay_env, order, chosen, "complete")
    status, done = await confirm(pay_env, alice, order["id"], chosen["id"], key, card_token=CARD)
    assert status == 200, done
    assert done["status"] == "confirmed"
    assert "next_action" not in done or done["next_action"] is None
    assert done["order"]["slices"][0] == chosen["slice"]
    assert done["order"]["total_amount"] == chosen["new_total_amount"]
    # The key's answer now: replayed as it was, and the card charged once.
    assert await confirm(pay_env, alice, order["id"], chosen["id"], key, card_token=CARD) == (
        200,
        done,
    )
    assert await charged(pay_env, order, chosen) == chosen["change_total_amount"]
    assert "order.changed" in await pay_env.events(order["id"])
    assert (await pay_env.order(alice, order["id"]))["change_next_action"] is None


async def test_a_page_opened_again_finishes_the_change_with_a_new_key_and_no_card(
    pay_env: PayEnv, alice: Headers
) -> None:
    order, chosen, _, _ = await at_the_bank(pay_env, alice, days=21)
    await bank_answers(pay_env, order, chosen, "complete")
    # The trip reloaded knows the change by the order's `change_next_action`, not its key.
    status, done = await confirm(pay_env, alice, order["id"], chosen["id"], str(uuid.uuid4()))
    assert (status, done["status"]) == (200, "confirmed"), done
    assert await charged(pay_env, order, chosen) == chosen["change_total_amount"]


async def test_the_bank_declined_the_change_is_undone_as_for_a_declined_card(
    pay_env: PayEnv, alice: Headers
) -> None:
    order, chosen, key, _ = await at_the_bank(pay_env, alice, days=24)
    new_flight = {"slices": [chosen["slice"]]}
    seats_before = await pay_env.booking.seats_left(new_flight)  # the change holds one
    await bank_answers(pay_env, order, chosen, "fail")
    status, problem = await confirm(pay_env, alice, order["id"], chosen["id"], key, card_token=CARD)
    assert status == 409, problem
    assert problem["failure_code"] == "card_declined"
    assert problem["decline_code"]
    assert "original flights back" in problem["detail"]
    after = await pay_env.order(alice, order["id"])
    assert after["slices"] == order["slices"]
    assert after["last_change"]["status"] == "failed"
    assert await pay_env.booking.seats_left(new_flight) == seats_before + 1  # put back
    assert await charged(pay_env, order, chosen) == "0.00"
