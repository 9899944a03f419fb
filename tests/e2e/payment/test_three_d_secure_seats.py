"""A seat change on a confirmed order paid with a card whose bank asks the traveler to confirm
(3-D Secure), through HTTP with the sim gateway: the 202 carries the charge `processing` and the
bank's page (`next_action`); the sim's challenge answered (by its control API, as the browser's
form would) settles the charge by webhook as any other: the seat given, or nothing changed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from booking.seat_routes import SEAT_DESK
from payment.seat_charges import SeatCharges
from tests.e2e.payment.test_paid_seat_change import (
    _confirmed_with_seat,
    _seats,
    _two_prices,
    choose_seat,
)
from tests.support.booking import Headers
from tests.support.payment_app import PayEnv
from tests.support.payment_sim import assert_sent_to_the_bank, eventually

CARD = "tok_3ds_required"


async def _awaiting_bank(
    pay_env: PayEnv, alice: Headers, *, days: int
) -> tuple[dict[str, Any], str, str, dict[str, Any]]:
    """A confirmed order holding its cheapest paid seat, a dearer one bought with the 3-D
    Secure card: the order, the seat it holds, the seat bought, and the 202's charge."""
    order, seat_map, priced = await _confirmed_with_seat(pay_env, alice, days=days)
    dear = _two_prices(priced)[1][1]
    response = await choose_seat(pay_env, alice, order["id"], seat_map["segment_id"], dear, CARD)
    body = await response.json()
    assert response.status == 202, body
    return order, priced[0][1], dear, body["seat_charge"]


async def _seat_intent(pay_env: PayEnv, charge_id: str, order_id: str) -> dict[str, Any]:
    [intent] = [
        i
        for i in await pay_env.gateway.intents(order_id)
        if i["metadata"].get("payment_id") == charge_id
    ]
    return intent


async def _bank_answers(
    pay_env: PayEnv, alice: Headers, order_id: str, charge_id: str, outcome: str
) -> dict[str, Any]:
    """The charge's challenge answered (`complete` or `fail`) as the browser's form would: the
    order's seats once the charge is settled."""
    intent = await _seat_intent(pay_env, charge_id, order_id)
    await pay_env.gateway.answer_challenge(intent["id"], outcome)
    seats: dict[str, Any] = await eventually(
        lambda: _seats(pay_env, alice, order_id),
        lambda s: s["seat_charge"]["status"] != "processing",
    )
    return seats


async def test_a_seat_change_with_a_3ds_card_answers_the_banks_page_and_waits(
    pay_env: PayEnv, alice: Headers
) -> None:
    order, held, dear, charge = await _awaiting_bank(pay_env, alice, days=50)
    assert charge["status"] == "processing"
    intent = await _seat_intent(pay_env, charge["id"], order["id"])
    # Back to the same page as the order's own payment: on the app the traveler paid through.
    origin = str(pay_env.client.make_url("/"))
    assert_sent_to_the_bank(charge["next_action"], intent, origin, order["id"])
    # Nothing moves while the bank waits: the seat is the one held, the charge in progress (a
    # second seat change is refused as while any charge is), and its GET says the bank's page
    # again (a reloaded trip shows it).
    seats = await _seats(pay_env, alice, order["id"])
    assert [s["designator"] for s in seats["seats"]] == [held]
    assert seats["seat_charge"]["status"] == "processing"
    assert seats["seat_charge"]["next_action"] == charge["next_action"]
    segment = seats["seats"][0]["segment_id"]
    again = await choose_seat(pay_env, alice, order["id"], segment, dear, card="tok_visa")
    assert again.status == 409, await again.text()
    assert (await again.json())["refusal"] == "seat_charge_in_progress"


async def test_a_completed_challenge_gives_the_seat_bought(pay_env: PayEnv, alice: Headers) -> None:
    order, _, dear, charge = await _awaiting_bank(pay_env, alice, days=51)
    seats = await _bank_answers(pay_env, alice, order["id"], charge["id"], "complete")
    assert seats["seat_charge"]["status"] == "succeeded"
    assert [s["designator"] for s in seats["seats"]] == [dear]
    assert (await pay_env.events(order["id"])).count("order.seats_changed") == 1


async def test_a_failed_challenge_changes_no_seat_and_frees_the_way_for_another_card(
    pay_env: PayEnv, alice: Headers
) -> None:
    order, held, dear, charge = await _awaiting_bank(pay_env, alice, days=52)
    seats = await _bank_answers(pay_env, alice, order["id"], charge["id"], "fail")
    assert seats["seat_charge"]["status"] == "failed"
    assert seats["seat_charge"]["decline_code"] == "payment_intent_authentication_failure"
    assert seats["seat_charge"]["next_action"] is None  # settled: no bank's page any more
    assert [s["designator"] for s in seats["seats"]] == [held]
    segment = seats["seats"][0]["segment_id"]
    retried = await choose_seat(pay_env, alice, order["id"], segment, dear, card="tok_visa")
    assert retried.status == 202, await retried.text()
    assert (await retried.json())["seat_charge"]["next_action"] is None


async def test_the_reconciler_leaves_a_charge_awaiting_the_bank_waiting(
    pay_env: PayEnv, alice: Headers
) -> None:
    order, held, dear, charge = await _awaiting_bank(pay_env, alice, days=53)
    charges = pay_env.client.app[SEAT_DESK].payments
    assert isinstance(charges, SeatCharges)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)

    assert await charges.reconcile_once(later) >= 1  # it read the intent: requires_action

    seats = await _seats(pay_env, alice, order["id"])
    assert seats["seat_charge"]["status"] == "processing"
    assert [s["designator"] for s in seats["seats"]] == [held]
    # The bank answers after the round: the charge settles as it would have.
    seats = await _bank_answers(pay_env, alice, order["id"], charge["id"], "complete")
    assert seats["seat_charge"]["status"] == "succeeded"
    assert [s["designator"] for s in seats["seats"]] == [dear]
