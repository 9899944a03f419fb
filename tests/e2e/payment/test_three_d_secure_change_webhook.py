"""The gateway's webhook for a flight change's own charge, over the sim's airlines and gateway: a
change whose charge waited at the traveler's bank (3-D Secure) is settled the moment the bank
answers, with nobody coming back to resend it and long before the change sweeper's round: made
(charged once, the order changed, its mail's event written) or undone (declined: the old flights
back); one that cannot be settled yet is answered 503 and settled by the redelivery; a
confirmation resent meanwhile waits for it and answers how it ended; an event naming no change
of ours is acknowledged."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import msgspec
from prometheus_client import REGISTRY

from booking import change_routes
from booking.change_store import PgChanges
from booking.pg import Database
from sim.payments import DEV_WEBHOOK_SECRET
from sim.payments.signing import HEADER, signature_header
from tests.e2e.payment.test_abandoned_changes import status_of
from tests.e2e.payment.test_order_changes import confirm, order_airline
from tests.e2e.payment.test_three_d_secure_change_sweeper import holder_wait, seats_on
from tests.e2e.payment.test_three_d_secure_changes import (
    CARD,
    at_the_bank,
    bank_answers,
    change_intent,
    charged,
)
from tests.e2e.payment.test_webhooks import WEBHOOK
from tests.support.booking import Headers
from tests.support.payment_app import PayEnv
from tests.support.payment_sim import eventually


async def ended(pay_env: PayEnv, change_id: str) -> str:
    """The change's status once it is no longer `confirming`."""
    return await eventually(lambda: status_of(pay_env, change_id), lambda s: s != "confirming")


async def test_the_bank_confirmed_and_nobody_came_back_the_webhook_makes_the_change(
    pay_env: PayEnv, alice: Headers
) -> None:
    order, chosen, key, _ = await at_the_bank(pay_env, alice, days=40)
    await bank_answers(pay_env, order, chosen, "complete")
    # No confirmation resent, no sweeper round (120 s idle): the charge's webhook alone.
    assert await ended(pay_env, chosen["id"]) == "confirmed"
    after = await pay_env.order(alice, order["id"])
    assert after["slices"][0] == chosen["slice"]
    assert after["total_amount"] == chosen["new_total_amount"]
    assert after["change_next_action"] is None
    assert await charged(pay_env, order, chosen) == chosen["change_total_amount"]
    assert (await pay_env.events(order["id"])).count("order.changed") == 1  # the mail and SMS
    # The traveler's page, opened again, resends the confirmation: how it ended, once.
    status, done = await confirm(pay_env, alice, order["id"], chosen["id"], key, card_token=CARD)
    assert (status, done["status"]) == (200, "confirmed"), done
    assert await charged(pay_env, order, chosen) == chosen["change_total_amount"]


async def test_the_bank_declined_and_nobody_came_back_the_webhook_undoes_the_change(
    pay_env: PayEnv, alice: Headers
) -> None:
    order, chosen, _, _ = await at_the_bank(pay_env, alice, days=41)
    held = await seats_on(pay_env, chosen)  # the airline's change holds one
    await bank_answers(pay_env, order, chosen, "fail")
    assert await ended(pay_env, chosen["id"]) == "failed"
    after = await pay_env.order(alice, order["id"])
    assert after["slices"] == order["slices"]
    assert after["last_change"]["status"] == "failed"
    assert after["last_change"]["failure_code"] == "card_declined"
    assert after["last_change"]["decline_code"]
    assert await seats_on(pay_env, chosen) == held + 1  # put back at the airline
    assert await charged(pay_env, order, chosen) == "0.00"


async def test_a_change_that_cannot_be_settled_yet_is_answered_503_and_settled_when_redelivered(
    pay_env: PayEnv, alice: Headers
) -> None:
    order, chosen, _, _ = await at_the_bank(pay_env, alice, days=42)
    slug = order_airline(pay_env, order).removeprefix("rest-")
    await pay_env.booking.sim.set_profile(slug, error_rate=1.0)  # the airline does not answer
    try:
        await bank_answers(pay_env, order, chosen, "complete")
        intent = await change_intent(pay_env, order["id"], chosen["id"])
        [event] = await eventually(  # the charge settles moments after the bank's answer
            lambda: succeeded_events(pay_env, intent["id"]), lambda events: len(events) == 1
        )
        # Delivered, refused with 503, and delivered again: the change still waits for it.
        await eventually(
            lambda: pay_env.gateway.deliveries(event["id"]),
            lambda d: [a["status"] for a in d[0]["attempts"]][:2] == [503, 503],
        )
        assert await status_of(pay_env, chosen["id"]) == "confirming"
    finally:
        await pay_env.booking.sim.set_profile(slug, error_rate=0.0)
    assert await ended(pay_env, chosen["id"]) == "confirmed"  # a redelivery, once it could
    [delivery] = await pay_env.gateway.deliveries(event["id"])
    assert delivery["attempts"][-1]["status"] == 200
    assert (await pay_env.order(alice, order["id"]))["slices"][0] == chosen["slice"]


async def succeeded_events(pay_env: PayEnv, intent_id: str) -> list[dict[str, Any]]:
    events = await pay_env.gateway.events(intent_id)
    return [e for e in events if e["type"] == "payment_intent.succeeded"]


async def waits_counted() -> float:
    """The app's count of confirmations that waited for a change another held."""
    return REGISTRY.get_sample_value("skyfare_order_changes_total", {"outcome": "waited"}) or 0.0


async def test_a_confirmation_resent_while_the_webhook_settles_the_change_waits_and_answers_it(
    pay_env: PayEnv, alice: Headers
) -> None:
    order, chosen, key, _ = await at_the_bank(pay_env, alice, days=43)
    holder_wait(pay_env, 60)  # far longer than the settling below: this test never times it
    store = PgChanges(Database(pay_env.pool, timeout_s=5))
    assert await store.claim(chosen["id"], lease_s=60) is not None  # the webhook at it
    await bank_answers(pay_env, order, chosen, "complete")  # its own delivery finds it held
    waits = await waits_counted()
    resent = asyncio.create_task(
        confirm(pay_env, alice, order["id"], chosen["id"], key, card_token=CARD)
    )
    await eventually(waits_counted, lambda n: n > waits)  # the confirmation waits
    offer = await store.get(order["id"], chosen["id"])
    assert offer is not None
    service = pay_env.client.app[change_routes.CHANGES]
    assert await service.settle(offer) == "completed"  # what the webhook holding it does
    status, done = await resent
    assert (status, done["status"]) == (200, "confirmed"), done
    assert done["order"]["slices"][0] == chosen["slice"]
    assert await charged(pay_env, order, chosen) == chosen["change_total_amount"]


async def test_an_event_naming_no_change_of_ours_is_acknowledged(pay_env: PayEnv) -> None:
    body = msgspec.json.encode(
        {
            "id": "evt_not_our_change",
            "type": "payment_intent.succeeded",
            "created": int(time.time()),
            "data": {
                "object": {
                    "id": "pi_elsewhere",
                    "object": "payment_intent",
                    "metadata": {"order_id": "ord_elsewhere", "change_id": "och_elsewhere"},
                }
            },
        }
    )
    signed = {HEADER: signature_header([DEV_WEBHOOK_SECRET], int(time.time()), body)}
    response = await pay_env.client.post(
        WEBHOOK, data=body, headers={"Content-Type": "application/json", **signed}
    )
    assert response.status == 200, await response.text()
