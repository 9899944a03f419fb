"""What the traveler is told when a payment fails or a refund is made, end to end: the gateway
sim's webhook → the payment path → the outbox → the relay → the worker → SMTP sink and SMS."""

from __future__ import annotations

import re
import uuid
from decimal import Decimal
from typing import Any

import aiohttp
import pytest
import redis.asyncio as redis

from skyfare.settings import Settings
from tests.e2e.payment.test_cancel_after_extra_charges import charged_three_times, quote
from tests.e2e.payment.test_cheaper_changes import FAR, change
from tests.e2e.payment.test_order_changes import paid_order
from tests.e2e.payment.test_payment_outcomes import airline_slug
from tests.support.notify import NotifySim
from tests.support.payment_app import PayEnv, nothing_left, notified_app
from tests.support.payment_sim import eventually

# The card, the words its decline reads as, and the gateway's code that must not show.
DECLINES = [
    ("tok_declined", "your bank declined the card", "generic_decline"),
    ("tok_insufficient_funds", "the card has too little money available", "insufficient"),
    ("tok_expired_card", "the card has expired", "expired_card"),
    (
        "tok_3ds_failed",
        "your bank's security check (3-D Secure) was not completed",
        "authentication",
    ),
]
# `01 Dec 2026, 14:00 UTC`: every instant a message names carries its zone.
DEADLINE = re.compile(r"until \d\d [A-Z][a-z]{2} \d{4}, \d\d:\d\d UTC")


def _about(reference: str, word: str, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The messages about booking `reference` whose subject (a mail's) or body (an SMS's)
    says `word`."""
    return [
        m
        for m in messages
        if reference in (said := str(m.get("subject", m["body"]))) and word in said
    ]


@pytest.mark.parametrize(("card", "words", "code"), DECLINES)
async def test_a_failed_payment_says_why_in_words_and_until_when_to_try_another_card(
    settings: Settings, stream: str, redis_url: str, card: str, words: str, code: str
) -> None:
    async with notified_app(settings, stream, redis_url) as (env, sim, client):
        alice = await env.booking.token(f"alice-{uuid.uuid4().hex[:8]}")
        order = await env.held_order(alice)
        paid = await env.pay(alice, order["id"], card)
        assert paid.status == 202, await paid.text()
        failed = await env.until(alice, order["id"], lambda o: o["payment_status"] == "failed")
        reference = failed["booking_reference"]
        await eventually(lambda: nothing_left(env, client, stream), lambda done: done)

        [mail] = _about(reference, "failed", await sim.mails())
        [text] = _about(reference, "failed", await sim.sms())
    assert mail["subject"] == f"Payment for booking {reference} failed"
    body = str(mail["body"])
    assert f"did not go through: {words}." in body
    assert DEADLINE.search(body), body
    assert words in text["body"]
    for message in (body, text["body"]):
        assert code not in message.lower()
        assert "tok_" not in message


# Whose cancellation gives everything back (tests/e2e/payment/test_cancel_after_extra_charges.py).
REFUNDABLE = {"cabin_class": "first", "destination": "LAX"}


async def _refund_messages(
    env: PayEnv, sim: NotifySim, client: redis.Redis, stream: str, reference: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The one refund mail and the one refund SMS of booking `reference`, once everything
    published was delivered (a second one would have gone out by then)."""
    await eventually(sim.mails, lambda ms: _about(reference, "we've refunded", ms) != [])
    await eventually(lambda: nothing_left(env, client, stream), lambda done: done)
    [mail] = _about(reference, "we've refunded", await sim.mails())
    [text] = _about(reference, "we've refunded", await sim.sms())
    return mail, text


async def test_a_cancelled_paid_order_tells_the_traveler_once_the_money_is_refunded(
    settings: Settings, stream: str, redis_url: str
) -> None:
    async with notified_app(settings, stream, redis_url) as (env, sim, client):
        alice = await env.booking.token(f"alice-{uuid.uuid4().hex[:8]}")
        paid = await paid_order(env, alice, 30, **REFUNDABLE)
        reference, total = paid["booking_reference"], paid["total_amount"]
        cancel = await env.client.post(f"/v1/orders/{paid['id']}/cancel", headers=alice)
        assert (await cancel.json())["payment_status"] == "refunded"  # refunded synchronously

        mail, text = await _refund_messages(env, sim, client, stream, reference)
    amount = f"{Decimal(total):,.2f} {paid['total_currency']}"
    assert mail["subject"] == f"Booking {reference}: we've refunded {amount}"
    assert f"We've refunded {amount} to your card ending 4242" in mail["body"]  # tok_visa's
    assert "5 to 10 business days" in mail["body"]
    assert "fare conditions" not in mail["body"]  # all of it came back
    assert f"we've refunded {amount} to your card ending 4242" in text["body"]


async def test_a_partial_refund_names_what_came_back_of_what_was_paid(
    settings: Settings, stream: str, redis_url: str
) -> None:
    async with notified_app(settings, stream, redis_url) as (env, sim, client):
        alice = await env.booking.token(f"alice-{uuid.uuid4().hex[:8]}")
        paid = await paid_order(env, alice, 43)  # economy: the fare keeps all but the taxes
        reference = paid["booking_reference"]
        quote = await env.client.post(f"/v1/orders/{paid['id']}/cancellations", headers=alice)
        quoted = await quote.json()
        assert quote.status == 201, quoted
        confirm = f"/v1/orders/{paid['id']}/cancellations/{quoted['id']}/confirm"
        assert (await env.client.post(confirm, headers=alice)).status == 200

        mail, text = await _refund_messages(env, sim, client, stream, reference)
    currency = paid["total_currency"]
    refund = f"{Decimal(quoted['refund_amount']):,.2f} {currency}"
    total = f"{Decimal(paid['total_amount']):,.2f} {currency}"
    assert Decimal(quoted["refund_amount"]) < Decimal(paid["total_amount"])
    assert f"We've refunded {refund} to your card ending 4242" in mail["body"]
    assert f"fare conditions give back of the {total} you paid" in mail["body"]
    assert refund in text["body"]


async def test_a_refund_made_at_the_gateway_is_told_once_though_its_webhook_comes_twice(
    settings: Settings, stream: str, redis_url: str
) -> None:
    async with notified_app(settings, stream, redis_url) as (env, sim, client):
        alice = await env.booking.token(f"alice-{uuid.uuid4().hex[:8]}")
        paid = await paid_order(env, alice, 30)
        [intent] = await env.gateway.intents(paid["id"])
        await env.gateway.refund_by_hand(intent["id"])
        refunded = await eventually(
            env.gateway.events, lambda es: [e for e in es if e["type"] == "charge.refunded"]
        )
        await env.until(alice, paid["id"], lambda o: o["payment_status"] == "refunded")
        await env.gateway.redeliver(refunded[-1]["id"])  # the webhook, delivered again

        mail, text = await _refund_messages(env, sim, client, stream, paid["booking_reference"])
    assert "to your card ending 4242" in mail["body"]
    assert "to your card ending 4242" in text["body"]


async def test_a_booking_the_airline_would_not_ticket_says_so_in_words_then_refunds(
    settings: Settings, stream: str, redis_url: str
) -> None:
    async with notified_app(settings, stream, redis_url) as (env, sim, client):
        alice = await env.booking.token(f"alice-{uuid.uuid4().hex[:8]}")
        order = await env.held_order(alice)
        reference = order["booking_reference"]
        # The airline drops the booking behind our back: ticketing will be refused.
        slug = await airline_slug(env, order["id"])
        dropped = f"/rest/{slug}/bookings/{order['airline_locator']}/cancel"
        async with (
            aiohttp.ClientSession() as session,
            session.post(env.booking.sim.url + dropped) as response,
        ):
            assert response.status == 200, await response.text()
        assert (await env.pay(alice, order["id"])).status == 202
        await env.until(alice, order["id"], lambda o: o["payment_status"] == "refunded")
        reason = await env.pool.fetchval(
            "SELECT failure_reason FROM orders WHERE id = $1", order["id"]
        )

        await _refund_messages(env, sim, client, stream, reference)
        [mail] = _about(reference, "could not be completed", await sim.mails())
    body = str(mail["body"])
    assert "because the airline could not issue your tickets." in body
    assert "is being refunded to your card ending 4242." in body  # as the refund's mail will
    assert "ticketing failed" in reason  # the stored reason, for support: not the traveler's
    assert reason not in body
    assert "ticketing failed" not in body


async def test_a_cheaper_changes_difference_is_told_once_it_is_back_on_the_card(
    settings: Settings, stream: str, redis_url: str
) -> None:
    async with notified_app(settings, stream, redis_url) as (env, sim, client):
        alice = await env.booking.token(f"alice-{uuid.uuid4().hex[:8]}")
        paid = await paid_order(env, alice, 60, **REFUNDABLE)
        changed, cost = await change(env, alice, paid, FAR)
        assert cost < 0  # given back
        mail, text = await _refund_messages(env, sim, client, stream, paid["booking_reference"])
    amount = f"{-cost:,.2f} {paid['total_currency']}"
    assert changed["payment_status"] == "paid"
    assert f"We've refunded {amount} to your card ending 4242" in mail["body"]
    assert "the difference your cheaper new flights left" in mail["body"]
    assert amount in text["body"]


async def test_a_refund_split_over_a_changes_and_a_seats_charges_names_the_card(
    settings: Settings, stream: str, redis_url: str
) -> None:
    # Paid, a seat bought after booking and a change to dearer flights, all with tok_visa:
    # the cancellation's refund comes back from three charges, each on that card.
    async with notified_app(settings, stream, redis_url) as (env, sim, client):
        alice = await env.booking.token(f"alice-{uuid.uuid4().hex[:8]}")
        order = await charged_three_times(env, alice, (90, 10), REFUNDABLE)
        offered = await quote(env, alice, order["id"])
        confirm = f"/v1/orders/{order['id']}/cancellations/{offered['id']}/confirm"
        confirmed = await env.client.post(confirm, headers=alice)
        assert confirmed.status == 200, await confirmed.text()
        assert len((await confirmed.json())["refunds"]) == 3

        mail, text = await _refund_messages(env, sim, client, stream, order["booking_reference"])
    assert "to your card ending 4242 for booking" in mail["body"]
    assert "to your card ending 4242 for booking" in text["body"]
