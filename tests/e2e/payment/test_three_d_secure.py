"""Paying with a card whose bank asks the traveler to confirm (3-D Secure), through HTTP: the 202
says `requires_action` with where to go; the sim's challenge answered (by its control API, as the
browser's form would) settles the payment by webhook as any other."""

from __future__ import annotations

import uuid
from typing import Any

from tests.support.booking import Headers
from tests.support.payment_app import PayEnv

CARD = "tok_3ds_required"


async def _awaiting_bank(
    pay_env: PayEnv, alice: Headers, *, key: str = ""
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A held order paid with the 3-D Secure card, and the 202's body."""
    order = await pay_env.held_order(alice)
    response = await pay_env.pay(alice, order["id"], CARD, key=key)
    body: dict[str, Any] = await response.json()
    assert response.status == 202, body
    return order, body


async def _intent(pay_env: PayEnv, order_id: str) -> dict[str, Any]:
    [intent] = await pay_env.gateway.intents(order_id)
    return intent


async def test_a_card_asking_for_3ds_answers_requires_action_with_the_banks_page(
    pay_env: PayEnv, alice: Headers
) -> None:
    order, body = await _awaiting_bank(pay_env, alice)
    assert body["status"] == "requires_action"
    assert body["next_action"]["type"] == "redirect_to_url"
    intent = await _intent(pay_env, order["id"])
    assert body["next_action"]["url"] == intent["next_action"]["redirect_to_url"]["url"]
    assert body["next_action"]["url"].startswith(f"{pay_env.gateway.gateway_url}/challenge/")
    # Back to the order's trip page on the app the traveler paid through.
    origin = str(pay_env.client.make_url("/")).rstrip("/")
    return_url = intent["next_action"]["redirect_to_url"]["return_url"]
    assert return_url == f"{origin}/bank-return?order={order['id']}"
    # The payment stays open: the order's payment is in progress until the bank answers.
    now = await pay_env.order(alice, order["id"])
    assert (now["status"], now["payment_status"]) == ("held", "processing")


async def test_a_completed_challenge_confirms_and_pays_the_order(
    pay_env: PayEnv, alice: Headers
) -> None:
    order, _ = await _awaiting_bank(pay_env, alice)
    intent = await _intent(pay_env, order["id"])
    answered = await pay_env.gateway.answer_challenge(intent["id"], "complete")
    assert answered["next_action"] is None
    confirmed = await pay_env.settled(alice, order["id"])
    assert (confirmed["status"], confirmed["payment_status"]) == ("confirmed", "paid")
    assert len(confirmed["ticket_numbers"]) == len(order["passengers"])


async def test_a_failed_challenge_leaves_the_order_held_with_its_payment_failed(
    pay_env: PayEnv, alice: Headers
) -> None:
    order, body = await _awaiting_bank(pay_env, alice)
    intent = await _intent(pay_env, order["id"])
    await pay_env.gateway.answer_challenge(intent["id"], "fail")
    failed = await pay_env.until(alice, order["id"], lambda o: o["payment_status"] == "failed")
    assert failed["status"] == "held"
    [payment] = await pay_env.payments(order["id"])
    assert (payment["id"], payment["status"]) == (body["id"], "failed")
    assert payment["failure_reason"] == "payment_intent_authentication_failure"


async def test_the_same_key_replays_the_same_next_action_and_creates_one_intent(
    pay_env: PayEnv, alice: Headers
) -> None:
    key = str(uuid.uuid4())
    order, first = await _awaiting_bank(pay_env, alice, key=key)
    again = await pay_env.pay(alice, order["id"], CARD, key=key)
    assert again.status == 202
    assert await again.json() == first
    assert len(await pay_env.gateway.intents(order["id"])) == 1


async def test_a_payment_awaiting_the_bank_blocks_a_second_payment_as_one_processing_does(
    pay_env: PayEnv, alice: Headers
) -> None:
    order, _ = await _awaiting_bank(pay_env, alice)
    response = await pay_env.pay(alice, order["id"])
    problem = await response.json()
    assert response.status == 409, problem
    assert "processing" in problem["detail"]
    assert len(await pay_env.gateway.intents(order["id"])) == 1


async def test_a_challenge_completed_after_the_order_was_cancelled_is_refunded(
    pay_env: PayEnv, alice: Headers
) -> None:
    order, _ = await _awaiting_bank(pay_env, alice)
    cancel = await pay_env.client.post(f"/v1/orders/{order['id']}/cancel", headers=alice)
    assert cancel.status == 200, await cancel.text()
    assert (await cancel.json())["payment_status"] == "processing"
    intent = await _intent(pay_env, order["id"])
    await pay_env.gateway.answer_challenge(intent["id"], "complete")
    refunded = await pay_env.until(alice, order["id"], lambda o: o["payment_status"] == "refunded")
    assert refunded["status"] == "cancelled"
    intent = await _intent(pay_env, order["id"])
    assert intent["amount_refunded"] == intent["amount"]
