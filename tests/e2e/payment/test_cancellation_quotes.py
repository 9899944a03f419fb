"""Cancellation quotes and the order's history through HTTP, with the sim's airline and gateway:
quote → confirm performs exactly the quote; expired → 410; the order changed since → 409."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import uuid
from decimal import Decimal
from typing import Any

import pytest

from booking.airline import Airline
from booking.model import Order
from tests.support.booking import Headers
from tests.support.payment_app import PayEnv
from tests.support.payment_sim import eventually


async def paid_order(pay_env: PayEnv, headers: Headers, days: int) -> tuple[dict[str, Any], Any]:
    """A confirmed, paid order and the offer it was booked from (economy: non-refundable)."""
    offer = await pay_env.booking.offer(days=days)
    response = await pay_env.booking.order(headers, offer)
    order = await response.json()
    assert response.status == 201, order
    assert (await pay_env.pay(headers, order["id"])).status == 202
    paid = await pay_env.settled(headers, order["id"])
    assert (paid["status"], paid["payment_status"]) == ("confirmed", "paid"), paid
    return paid, offer


async def quote(pay_env: PayEnv, headers: Headers, order_id: str) -> tuple[int, dict[str, Any]]:
    response = await pay_env.client.post(f"/v1/orders/{order_id}/cancellations", headers=headers)
    return response.status, await response.json()


async def confirm(
    pay_env: PayEnv, headers: Headers, order_id: str, quote_id: str
) -> tuple[int, dict[str, Any]]:
    response = await pay_env.client.post(
        f"/v1/orders/{order_id}/cancellations/{quote_id}/confirm", headers=headers
    )
    return response.status, await response.json()


async def test_a_non_refundable_paid_order_is_cancelled_with_exactly_the_quoted_refund(
    pay_env: PayEnv, alice: Headers
) -> None:
    order, offer = await paid_order(pay_env, alice, days=41)
    assert offer["conditions"]["refundable"] is False

    status, quoted = await quote(pay_env, alice, order["id"])
    assert status == 201, quoted
    assert quoted["id"].startswith("ocr_")
    assert quoted["status"] == "quoted"
    assert (quoted["refund_amount"], quoted["refund_currency"]) == (
        offer["tax_amount"],
        order["total_currency"],
    )
    penalty = Decimal(order["total_amount"]) - Decimal(offer["tax_amount"])
    assert Decimal(quoted["penalty_amount"]) == penalty
    assert quoted["refund_to"] == "original_form_of_payment"
    assert quoted["order"]["status"] == "confirmed"  # a quote changes nothing

    status, done = await confirm(pay_env, alice, order["id"], quoted["id"])
    assert status == 200, done
    assert (done["status"], done["order"]["status"]) == ("confirmed", "cancelled")
    again_status, again = await confirm(pay_env, alice, order["id"], quoted["id"])
    assert (again_status, again["confirmed_at"]) == (200, done["confirmed_at"])

    told = await pay_env.pool.fetchval(
        "SELECT payload->'order' FROM outbox WHERE order_id = $1 AND type = 'order.cancelled'",
        order["id"],
    )
    told_amounts = (json.loads(told)["refund_amount"], json.loads(told)["penalty_amount"])
    assert told_amounts == (offer["tax_amount"], str(penalty))  # what the traveler's mail says
    assert json.loads(told)["refund_card_last4"] == "4242"  # and to which card (tok_visa's)

    final = await pay_env.until(alice, order["id"], lambda o: o["payment_status"] == "refunded")
    assert final["status"] == "cancelled"
    [intent] = await pay_env.gateway.intents(order["id"])
    assert intent["amount_refunded"] == offer["tax_amount"]  # the fare kept as the penalty
    assert len(intent["refunds"]) == 1


async def test_an_unpaid_hold_is_quoted_nothing_to_refund_and_cancelled_at_the_airline(
    pay_env: PayEnv, alice: Headers
) -> None:
    order = await pay_env.held_order(alice, days=42)
    status, quoted = await quote(pay_env, alice, order["id"])
    assert status == 201, quoted
    assert (quoted["refund_amount"], quoted["penalty_amount"], quoted["refund_to"]) == (
        "0.00",
        "0.00",
        None,
    )
    status, done = await confirm(pay_env, alice, order["id"], quoted["id"])
    assert status == 200, done
    assert (done["order"]["status"], done["order"]["payment_status"]) == ("cancelled", "unpaid")
    assert await pay_env.events(order["id"]) == ["order.created", "order.held", "order.cancelled"]


async def test_an_expired_quote_is_gone_and_changes_nothing(
    pay_env: PayEnv, alice: Headers
) -> None:
    order = await pay_env.held_order(alice, days=43)
    _, quoted = await quote(pay_env, alice, order["id"])
    await pay_env.pool.execute(
        "UPDATE order_cancellations SET expires_at = now() - interval '1 second' WHERE id = $1",
        quoted["id"],
    )
    status, problem = await confirm(pay_env, alice, order["id"], quoted["id"])
    assert status == 410, problem
    assert (await pay_env.order(alice, order["id"]))["status"] == "held"


async def test_a_quote_for_an_order_that_changed_since_is_a_conflict(
    pay_env: PayEnv, alice: Headers
) -> None:
    order = await pay_env.held_order(alice, days=44)
    _, quoted = await quote(pay_env, alice, order["id"])  # nothing to refund: unpaid
    assert (await pay_env.pay(alice, order["id"])).status == 202
    await pay_env.settled(alice, order["id"])

    status, problem = await confirm(pay_env, alice, order["id"], quoted["id"])
    assert status == 409, problem
    after = await pay_env.order(alice, order["id"])
    assert (after["status"], after["payment_status"]) == ("confirmed", "paid")


async def test_another_travelers_order_and_unknown_quotes_are_not_found(
    pay_env: PayEnv, alice: Headers
) -> None:
    order = await pay_env.held_order(alice, days=45)
    mallory = await pay_env.booking.token(f"mallory-{uuid.uuid4().hex[:8]}")
    assert (await quote(pay_env, mallory, order["id"]))[0] == 404
    _, quoted = await quote(pay_env, alice, order["id"])
    assert (await confirm(pay_env, mallory, order["id"], quoted["id"]))[0] == 404
    assert (await confirm(pay_env, alice, order["id"], "ocr_" + "0" * 24))[0] == 404
    response = await pay_env.client.get(f"/v1/orders/{order['id']}/history", headers=mallory)
    assert response.status == 404


async def test_the_history_says_who_changed_the_order_when_and_why(
    pay_env: PayEnv, alice: Headers
) -> None:
    order, _ = await paid_order(pay_env, alice, days=46)
    agent = await pay_env.booking.token(f"agent-{uuid.uuid4().hex[:8]}", roles=["support"])
    cancel = await pay_env.client.post(f"/v1/orders/{order['id']}/cancel", headers=agent)
    assert cancel.status == 200, await cancel.json()

    async def history(headers: Headers) -> list[dict[str, Any]]:
        response = await pay_env.client.get(f"/v1/orders/{order['id']}/history", headers=headers)
        body = await response.json()
        assert response.status == 200, body
        assert body["order_id"] == order["id"]
        rows: list[dict[str, Any]] = body["data"]
        return rows

    rows = await eventually(
        lambda: history(alice), lambda rs: rs[-1]["to_payment_status"] == "refunded"
    )
    moves = [(r["to_status"], r["to_payment_status"], r["actor"]["type"]) for r in rows]
    assert moves[:2] == [("pending", "unpaid", "traveler"), ("held", "unpaid", "system")]
    assert ("held", "processing", "traveler") in moves
    assert ("confirmed", "paid", "system") in moves
    [cancelled] = [
        r for r in rows if r["to_status"] == "cancelled" and r["from_status"] != r["to_status"]
    ]
    assert cancelled["actor"] == {"type": "support"}  # the agent's name is support's to see
    assert cancelled["reason"] == "cancelled by support"
    assert cancelled["code"] == "cancelled_by_support"
    # Every step of a booking paid, then cancelled and refunded has a code beside its reason.
    codes = [r["code"] for r in rows]
    assert None not in codes, rows
    assert codes[:3] == ["created", "held", "payment_started"]
    assert {"ticketed", "refunded"} <= set(codes)
    assert [r["at"] for r in rows] == sorted(r["at"] for r in rows)
    # What went back, as fields: no client reads it out of the reason's sentence.
    [refund] = [r for r in rows if r["code"] == "refunded"]
    [intent] = await pay_env.gateway.intents(order["id"])
    assert refund["details"]["amounts"] == [
        {
            "amount": intent["amount_refunded"],
            "currency": order["total_currency"],
            "charge": "booking",
        }
    ], refund
    assert refund["details"]["note"] == "the order was cancelled"
    assert cancelled["details"] is None

    seen_by_support = await history(agent)
    [by_agent] = [r for r in seen_by_support if r["reason"] == "cancelled by support"]
    assert by_agent["actor"]["type"] == "support"
    assert by_agent["actor"]["name"].startswith("agent-")


async def test_two_confirms_of_one_quote_at_once_cancel_once_and_refund_once(
    pay_env: PayEnv, alice: Headers
) -> None:
    order, offer = await paid_order(pay_env, alice, days=47)
    _, quoted = await quote(pay_env, alice, order["id"])

    answers = await asyncio.gather(
        *(confirm(pay_env, alice, order["id"], quoted["id"]) for _ in range(4))
    )
    assert [status for status, _ in answers] == [200] * 4, answers
    assert len({body["confirmed_at"] for _, body in answers}) == 1

    await pay_env.until(alice, order["id"], lambda o: o["payment_status"] == "refunded")
    [intent] = await pay_env.gateway.intents(order["id"])
    assert (intent["amount_refunded"], len(intent["refunds"])) == (offer["tax_amount"], 1)
    events = await pay_env.events(order["id"])
    assert (events.count("order.cancelled"), events.count("payment.refunded")) == (1, 1)


async def test_the_one_step_cancel_refunds_what_a_quote_would_have_said(
    pay_env: PayEnv, alice: Headers
) -> None:
    """`/cancel` is a quote confirmed at once: a non-refundable fare gives back its taxes only
    (it refunded everything before, whatever the fare)."""
    order, offer = await paid_order(pay_env, alice, days=44)
    assert offer["conditions"]["refundable"] is False
    response = await pay_env.client.post(f"/v1/orders/{order['id']}/cancel", headers=alice)
    assert response.status == 200, await response.text()

    final = await pay_env.until(alice, order["id"], lambda o: o["payment_status"] == "refunded")
    assert final["status"] == "cancelled"
    [intent] = await pay_env.gateway.intents(order["id"])
    assert intent["amount_refunded"] == offer["tax_amount"]
    assert len(intent["refunds"]) == 1
    told = await pay_env.pool.fetchval(
        "SELECT payload->'order'->>'refund_card_last4' FROM outbox"
        " WHERE order_id = $1 AND type = 'order.cancelled'",
        order["id"],
    )
    assert told == "4242"  # the cancellation's mail names the card, as the refund's does


async def test_a_payment_captured_while_an_unpaid_holds_quote_is_confirmed_all_goes_back(
    pay_env: PayEnv, alice: Headers, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The quote said nothing is kept (nothing was paid); the traveler's payment, captured
    while the confirmation was at the airline, must not be kept by the fare (all but taxes)."""
    order = await pay_env.held_order(alice, days=49)
    status, quoted = await quote(pay_env, alice, order["id"])
    assert (status, quoted["penalty_amount"]) == (201, "0.00"), quoted
    release = Airline.cancel
    payments_landed: list[str] = []

    async def paid_meanwhile(self: Airline, at_airline: Order) -> None:
        if not payments_landed:  # the confirmation's own call: the payment lands before it
            assert (await pay_env.pay(alice, at_airline.id)).status == 202
            paid = await pay_env.settled(alice, at_airline.id)
            payments_landed.append(paid["payment_status"])
        await release(self, at_airline)

    monkeypatch.setattr(Airline, "cancel", paid_meanwhile)
    status, problem = await confirm(pay_env, alice, order["id"], quoted["id"])

    assert payments_landed == ["paid"]
    assert status == 409, problem  # not as quoted: the order changed
    final = await pay_env.until(alice, order["id"], lambda o: o["payment_status"] == "refunded")
    assert final["status"] == "cancelled"
    assert await pay_env.stated_penalty(order["id"]) == 0
    [intent] = [i for i in await pay_env.gateway.intents(order["id"]) if i["status"] == "succeeded"]
    assert (
        Decimal(intent["amount_refunded"])
        == Decimal(intent["amount"])
        == Decimal(order["total_amount"])
    )


async def has_left(pay_env: PayEnv, order_id: str) -> None:
    """The order's first flight left yesterday (the traveler flew it, or did not show up)."""
    slices = json.loads(
        await pay_env.pool.fetchval("SELECT slices FROM orders WHERE id = $1", order_id)
    )
    first = slices[0]["segments"][0]
    for name in ("departing_at", "arriving_at"):
        first[name] = (dt.datetime.now() - dt.timedelta(days=1)).replace(microsecond=0).isoformat()
    await pay_env.pool.execute(
        "UPDATE orders SET slices = $2::jsonb WHERE id = $1", order_id, json.dumps(slices)
    )


async def test_an_order_whose_first_flight_has_left_can_no_longer_be_cancelled(
    pay_env: PayEnv, alice: Headers
) -> None:
    # Cancelled after its flight, a refundable fare gave everything back for a flight flown.
    order, _ = await paid_order(pay_env, alice, days=45)
    status, early = await quote(pay_env, alice, order["id"])  # asked before it left
    assert status == 201, early
    await has_left(pay_env, order["id"])

    status, problem = await quote(pay_env, alice, order["id"])
    assert status == 409, problem
    assert "has left" in problem["detail"]
    # When it left, in UTC: what tells this 409 from the order's others (the web words it).
    departed_at = dt.datetime.fromisoformat(problem["departed_at"])
    assert departed_at.tzinfo is not None
    assert departed_at < dt.datetime.now(dt.UTC)
    status, problem = await confirm(pay_env, alice, order["id"], early["id"])
    assert status == 409, problem
    assert problem["departed_at"] == departed_at.isoformat().replace("+00:00", "Z")
    response = await pay_env.client.post(f"/v1/orders/{order['id']}/cancel", headers=alice)
    assert response.status == 409, await response.text()
    assert (await response.json())["departed_at"] == problem["departed_at"]

    after = await pay_env.order(alice, order["id"])
    assert (after["status"], after["payment_status"]) == ("confirmed", "paid")
    [intent] = await pay_env.gateway.intents(order["id"])
    assert intent["amount_refunded"] in (0, "0.00", None), intent
    # Support settles what a trip that has begun is owed: an agent still may cancel it.
    agent = await pay_env.booking.token("agent-7", roles=["support"])
    status, quoted = await quote(pay_env, agent, order["id"])
    assert status == 201, quoted
