"""What the traveler is told when a payment fails or a refund is made, end to end: the gateway
sim's webhook → the payment path → the outbox → the relay → the worker → SMTP sink and SMS."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

from skyfare.settings import Settings
from tests.support.payment_app import nothing_left, notified_app
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
