"""Paying with a card whose bank asks the traveler to confirm (3-D Secure), through HTTP: the 202
says `requires_action` with where to go; the sim's challenge answered (by its control API, as the
browser's form would) settles the payment by webhook as any other."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from prometheus_client import REGISTRY

from payment.gateway import HttpPaymentGateway
from payment.model import cancel_key
from tests.support.booking import Headers
from tests.support.payment_app import PayEnv
from tests.support.payment_sim import eventually

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


async def test_a_payment_being_charged_blocks_a_second_payment(
    pay_env: PayEnv, alice: Headers
) -> None:
    order = await pay_env.held_order(alice)
    assert (await pay_env.pay(alice, order["id"], "tok_slow")).status == 202
    charging = await pay_env.order(alice, order["id"])
    # In flight at the gateway: nothing for the traveler to do, and no other card.
    assert (charging["payment_status"], charging["payment_next_action"]) == ("processing", None)
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


async def test_an_order_waiting_for_the_bank_says_where_until_the_bank_answers(
    pay_env: PayEnv, alice: Headers
) -> None:
    order, body = await _awaiting_bank(pay_env, alice)
    waiting = await pay_env.order(alice, order["id"])
    assert waiting["payment_next_action"] == body["next_action"]
    listed = await pay_env.client.get("/v1/orders", headers=alice)
    [mine] = [o for o in (await listed.json())["data"] if o["id"] == order["id"]]
    assert mine["payment_next_action"] == body["next_action"]
    intent = await _intent(pay_env, order["id"])
    await pay_env.gateway.answer_challenge(intent["id"], "complete")
    confirmed = await pay_env.settled(alice, order["id"])
    assert (confirmed["status"], confirmed["payment_next_action"]) == ("confirmed", None)


async def test_another_card_replaces_a_payment_waiting_for_the_bank(
    pay_env: PayEnv, alice: Headers
) -> None:
    order, waiting = await _awaiting_bank(pay_env, alice)
    canceled = _canceled_so_far()
    response = await pay_env.pay(alice, order["id"], "tok_visa")
    body = await response.json()
    assert response.status == 202, body
    assert (body["status"], body["amount"]) == ("processing", waiting["amount"])
    assert body["id"] != waiting["id"]
    confirmed = await pay_env.settled(alice, order["id"])
    assert (confirmed["status"], confirmed["payment_status"]) == ("confirmed", "paid")
    # The card waited on was canceled at the gateway before the other was charged: one charge.
    first, second = await pay_env.gateway.intents(order["id"])
    assert (first["status"], first["amount_received"]) == ("canceled", "0.00")
    assert (second["status"], second["amount_received"]) == ("succeeded", waiting["amount"])
    assert [
        (p["id"], p["status"], p["failure_reason"]) for p in await pay_env.payments(order["id"])
    ] == [
        (waiting["id"], "failed", "canceled"),
        (body["id"], "succeeded", None),
    ]
    # The traveler chose it: no "payment failed" is told (counted apart); the history says it.
    assert "payment.failed" not in await pay_env.events(order["id"])
    assert _canceled_so_far() == canceled + 1
    history = await pay_env.client.get(f"/v1/orders/{order['id']}/history", headers=alice)
    steps = [(s["code"], s["decline_code"]) for s in (await history.json())["data"]]
    assert steps[2:5] == [
        ("payment_started", None),
        ("payment_failed", "canceled"),
        ("payment_started", None),
    ]
    # The bank's page, answered late (a tab left open), charges nothing.
    late = await pay_env.client.session.post(
        f"{pay_env.gateway.sim_url}/_sim/payments/intents/{first['id']}/challenge",
        json={"outcome": "complete"},
    )
    assert late.status == 409
    assert (await pay_env.order(alice, order["id"]))["payment_status"] == "paid"


async def test_the_replacing_payment_is_replayed_for_its_key(
    pay_env: PayEnv, alice: Headers
) -> None:
    order, _ = await _awaiting_bank(pay_env, alice)
    key = str(uuid.uuid4())
    first = await pay_env.pay(alice, order["id"], "tok_visa", key=key)
    assert first.status == 202
    again = await pay_env.pay(alice, order["id"], "tok_visa", key=key)
    assert (again.status, await again.json()) == (202, await first.json())
    await pay_env.settled(alice, order["id"])
    assert [i["status"] for i in await pay_env.gateway.intents(order["id"])] == [
        "canceled",
        "succeeded",
    ]


async def test_a_payment_confirmed_at_the_bank_first_stands_and_another_card_is_a_409_naming_it(
    pay_env: PayEnv, alice: Headers
) -> None:
    app_webhook = str(pay_env.client.make_url("/v1/payments/webhook"))
    order, waiting = await _awaiting_bank(pay_env, alice)
    # The bank's success is on its way to us, not here yet: the payment still waits here.
    await pay_env.gateway.configure_webhook(url="http://127.0.0.1:9/held-back")
    try:
        intent = await _intent(pay_env, order["id"])
        await pay_env.gateway.answer_challenge(intent["id"], "complete")
        await eventually(
            lambda: _intent(pay_env, order["id"]), lambda i: i["status"] == "succeeded"
        )
        response = await pay_env.pay(alice, order["id"], "tok_visa")
        problem = await response.json()
        assert response.status == 409, problem
        assert waiting["id"] in problem["detail"]
        assert "succeeded" in problem["detail"]
        assert len(await pay_env.gateway.intents(order["id"])) == 1
    finally:
        await pay_env.gateway.configure_webhook(url=app_webhook)
    confirmed = await pay_env.settled(alice, order["id"])
    assert (confirmed["status"], confirmed["payment_status"]) == ("confirmed", "paid")
    [payment] = await pay_env.payments(order["id"])
    assert (payment["id"], payment["status"]) == (waiting["id"], "succeeded")


async def test_the_banks_answer_racing_another_card_charges_the_order_once(
    pay_env: PayEnv, alice: Headers
) -> None:
    # The bank's answer comes a little later each time: sometimes before the other card's
    # cancel, sometimes after; whichever, the invariant below holds.
    for day in range(6):
        order, _ = await _awaiting_bank_on(pay_env, alice, days=40 + day)
        intent = await _intent(pay_env, order["id"])
        answered, paid = await asyncio.gather(
            _answer_after(pay_env, intent["id"], delay_s=0.01 * day),
            pay_env.pay(alice, order["id"], "tok_visa"),
            return_exceptions=True,
        )
        assert paid.status in (202, 409), await paid.text()  # type: ignore[union-attr]
        final = await pay_env.settled(alice, order["id"])
        assert (final["status"], final["payment_status"]) == ("confirmed", "paid")
        intents = await pay_env.gateway.intents(order["id"])
        charged = [i for i in intents if i["amount_received"] != "0.00"]
        assert len(charged) == 1, intents
        assert all(i["status"] == "canceled" for i in intents if i not in charged)
        if paid.status == 409:  # type: ignore[union-attr]
            assert charged == [intents[0]]  # the bank's answer came first: it stands
        if isinstance(answered, Exception):  # the challenge came second: canceled already
            assert charged == [intents[-1]]
        assert [p["status"] for p in await pay_env.payments(order["id"])].count("succeeded") == 1


async def _awaiting_bank_on(
    pay_env: PayEnv, alice: Headers, *, days: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    order = await pay_env.held_order(alice, days=days)
    response = await pay_env.pay(alice, order["id"], CARD)
    body: dict[str, Any] = await response.json()
    assert (response.status, body["status"]) == (202, "requires_action"), body
    return order, body


async def _answer_after(pay_env: PayEnv, intent_id: str, *, delay_s: float) -> dict[str, Any]:
    await asyncio.sleep(delay_s)
    return await pay_env.gateway.answer_challenge(intent_id, "complete")


async def test_a_cancel_only_the_gateway_recorded_is_settled_by_its_webhook_quietly(
    pay_env: PayEnv, alice: Headers
) -> None:
    """We crashed between the gateway's cancel and our commit: the `payment_intent.canceled`
    webhook fails the payment, tells nobody, and the order may be paid again."""
    order, waiting = await _awaiting_bank(pay_env, alice)
    intent = await _intent(pay_env, order["id"])
    gateway = HttpPaymentGateway(pay_env.gateway.gateway_url, pay_env.gateway.api_key)
    try:
        await gateway.cancel_intent(
            intent["id"], idempotency_key=cancel_key(waiting["id"]), timeout=5
        )
    finally:
        await gateway.close()
    failed = await pay_env.until(alice, order["id"], lambda o: o["payment_status"] == "failed")
    assert (failed["status"], failed["payment_decline_code"]) == ("held", "canceled")
    assert failed["payment_next_action"] is None
    assert "payment.failed" not in await pay_env.events(order["id"])
    assert (await pay_env.pay(alice, order["id"], "tok_visa")).status == 202
    confirmed = await pay_env.settled(alice, order["id"])
    assert (confirmed["status"], confirmed["payment_status"]) == ("confirmed", "paid")


def _canceled_so_far() -> float:
    """`skyfare_payments_total{outcome="canceled"}` of this process (the app under test)."""
    return REGISTRY.get_sample_value("skyfare_payments_total", {"outcome": "canceled"}) or 0.0
