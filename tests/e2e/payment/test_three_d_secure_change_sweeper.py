"""The change sweeper and a flight change whose charge waits at the traveler's bank (3-D Secure),
over the sim's airlines and gateway: left waiting while the bank may still answer; finished when
the traveler confirmed and closed the page; past SKYFARE_CHANGE_BANK_WAIT_S canceled at the
gateway FIRST, then undone at the airline; confirmed meanwhile, it stands. Charged and undone,
never both: a race of the bank's answer with the sweeper's cancel ends in one of the two."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from booking import change_routes
from booking.change_store import PgChanges
from booking.changes import Settled
from booking.pg import Database
from tests.e2e.payment.test_abandoned_changes import status_of
from tests.e2e.payment.test_order_changes import confirm
from tests.e2e.payment.test_three_d_secure_changes import (
    at_the_bank,
    bank_answers,
    change_intent,
    charged,
)
from tests.support.booking import Headers
from tests.support.payment_app import PayEnv

# What its request, or the change sweeper, makes of a settled charge: the gateway's webhook for
# it does not settle the change first (test_three_d_secure_change_webhook.py: when it does).
pytestmark = pytest.mark.usefixtures("change_webhooks_unheard")


def bank_wait(pay_env: PayEnv, seconds: float) -> None:
    """The app's SKYFARE_CHANGE_BANK_WAIT_S, as this test needs it."""
    pay_env.client.app[change_routes.CHANGES].bank_wait_s = seconds


def holder_wait(pay_env: PayEnv, seconds: float) -> None:
    """How long the app's confirmations and give-ups wait for a change another holds."""
    pay_env.client.app[change_routes.CHANGES].holder_wait_s = seconds


async def swept(pay_env: PayEnv, order_id: str, change_id: str) -> Settled:
    """What the change sweeper does with this change once it finds it unclaimed (its round,
    `ChangeSweeper.sweep_once`, for this offer alone: other tests' changes are not ours)."""
    store = PgChanges(Database(pay_env.pool, timeout_s=5))
    assert await store.claim(change_id, lease_s=60) is not None
    offer = await store.get(order_id, change_id)
    assert offer is not None
    return await pay_env.client.app[change_routes.CHANGES].settle(offer)


async def seats_on(pay_env: PayEnv, chosen: dict[str, Any]) -> int:
    left: int = await pay_env.booking.seats_left({"slices": [chosen["slice"]]})
    return left


async def test_a_change_waiting_at_the_bank_within_the_bound_is_left_as_it_is(
    pay_env: PayEnv, alice: Headers
) -> None:
    order, chosen, _, _ = await at_the_bank(pay_env, alice, days=25)
    held = await seats_on(pay_env, chosen)
    assert await swept(pay_env, order["id"], chosen["id"]) == "at_the_bank"
    assert await status_of(pay_env, chosen["id"]) == "confirming"
    intent = await change_intent(pay_env, order["id"], chosen["id"])
    assert intent["status"] == "requires_action"  # not canceled: the traveler may still answer
    assert await seats_on(pay_env, chosen) == held  # the airline's change kept
    assert (await pay_env.order(alice, order["id"]))["slices"] == order["slices"]
    # Left for the next round, unclaimed: the traveler's resent confirmation may resume it.
    assert await swept(pay_env, order["id"], chosen["id"]) == "at_the_bank"
    await bank_answers(pay_env, order, chosen, "fail")  # nothing left waiting
    assert await swept(pay_env, order["id"], chosen["id"]) == "compensated"


async def test_a_change_the_traveler_confirmed_at_the_bank_then_left_is_completed(
    pay_env: PayEnv, alice: Headers
) -> None:
    order, chosen, _, _ = await at_the_bank(pay_env, alice, days=26)
    await bank_answers(pay_env, order, chosen, "complete")
    assert await swept(pay_env, order["id"], chosen["id"]) == "completed"
    assert await status_of(pay_env, chosen["id"]) == "confirmed"
    after = await pay_env.order(alice, order["id"])
    assert after["slices"][0] == chosen["slice"]
    assert after["last_change"]["status"] == "confirmed"


async def test_past_the_bound_the_charge_is_canceled_at_the_gateway_then_the_change_undone(
    pay_env: PayEnv, alice: Headers
) -> None:
    order, chosen, key, _ = await at_the_bank(pay_env, alice, days=27)
    held = await seats_on(pay_env, chosen)
    bank_wait(pay_env, 0)
    assert await swept(pay_env, order["id"], chosen["id"]) == "compensated"
    intent = await change_intent(pay_env, order["id"], chosen["id"])
    assert (intent["status"], intent["amount_received"]) == ("canceled", "0.00")
    assert await status_of(pay_env, chosen["id"]) == "failed"
    assert await seats_on(pay_env, chosen) == held + 1  # the old flights back
    after = await pay_env.order(alice, order["id"])
    assert after["slices"] == order["slices"]
    last = after["last_change"]
    assert (last["status"], last["failure_code"], last["decline_code"]) == (
        "failed",
        "card_declined",
        "canceled",
    )
    assert "not confirmed with the bank in time" in last["detail"]
    # The traveler's page resends the confirmation: the change failed, said as such.
    response = await pay_env.client.post(
        f"/v1/orders/{order['id']}/changes/{chosen['id']}/confirm",
        json={"card_token": "tok_3ds_required"},
        headers={**alice, "Idempotency-Key": key},
    )
    problem = await response.json()
    assert (response.status, problem["decline_code"]) == (409, "canceled")


async def test_past_the_bound_a_change_confirmed_at_the_bank_meanwhile_stands(
    pay_env: PayEnv, alice: Headers
) -> None:
    order, chosen, _, _ = await at_the_bank(pay_env, alice, days=28)
    await bank_answers(pay_env, order, chosen, "complete")  # charging: not cancelable
    bank_wait(pay_env, 0)
    assert await swept(pay_env, order["id"], chosen["id"]) == "completed"
    assert await charged(pay_env, order, chosen) == chosen["change_total_amount"]
    assert await status_of(pay_env, chosen["id"]) == "confirmed"
    assert (await pay_env.order(alice, order["id"]))["slices"][0] == chosen["slice"]


async def test_the_banks_answer_racing_the_sweepers_cancel_is_charged_or_undone_never_both(
    pay_env: PayEnv, alice: Headers
) -> None:
    bank_wait(pay_env, 0)
    for days in (29, 30, 31):
        order, chosen, _, _ = await at_the_bank(pay_env, alice, days=days)
        intent = await change_intent(pay_env, order["id"], chosen["id"])
        answered, _ = await asyncio.gather(
            pay_env.gateway.answer_challenge(intent["id"], "complete"),
            swept(pay_env, order["id"], chosen["id"]),
            return_exceptions=True,
        )
        final = await change_intent(pay_env, order["id"], chosen["id"])
        after = await pay_env.order(alice, order["id"])
        status = await status_of(pay_env, chosen["id"])
        if final["status"] == "succeeded":  # the bank's answer first: the change stands
            assert final["amount_received"] == chosen["change_total_amount"]
            assert status == "confirmed"
            assert after["slices"][0] == chosen["slice"]
        else:  # the cancel first: nothing charged, the old flights back
            assert isinstance(answered, Exception)  # the challenge could not be answered
            assert (final["status"], final["amount_received"]) == ("canceled", "0.00")
            assert status == "failed"
            assert after["slices"] == order["slices"]


async def test_a_confirmation_resent_while_the_sweeper_holds_the_change_is_told_to_retry(
    pay_env: PayEnv, alice: Headers
) -> None:
    order, chosen, key, _ = await at_the_bank(pay_env, alice, days=32)
    store = PgChanges(Database(pay_env.pool, timeout_s=5))
    claim = await store.claim(chosen["id"], lease_s=60)  # a sweeper round at it
    assert claim is not None
    holder_wait(pay_env, 0.2)  # waited for, the round's claim outlasts it
    await bank_answers(pay_env, order, chosen, "complete")
    status, problem = await confirm(pay_env, alice, order["id"], chosen["id"], key)
    assert (status, problem.get("in_progress")) == (409, True), problem
    await store.release(chosen["id"], claim)  # the round ended: the retry finishes it
    status, done = await confirm(pay_env, alice, order["id"], chosen["id"], key)
    assert (status, done["status"]) == (200, "confirmed"), done
    assert await charged(pay_env, order, chosen) == chosen["change_total_amount"]
