"""An order's `money`: every card charge the trip took and what went back, as the gateway's
own intents record them. `total_amount` is the fare as last priced: a seat bought after
booking and a change's difference are charges of their own that it leaves out, so a trip page
reading it said "Total $1,973.60" after 45.00 of seats, and "You paid $2,126.00" of 2,171.00."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from skyfare.keys import PG_POOL
from tests.e2e.payment.conftest import PayEnv
from tests.e2e.payment.test_cancel_after_extra_charges import (
    NON_REFUNDABLE,
    buy_a_seat,
    charged_three_times,
    given_back,
    refunded,
    taken,
)
from tests.e2e.payment.test_order_changes import held_order, paid_order
from tests.support.booking import Headers
from tests.support.database import record_statements_of

KIND_OF_METADATA = {"pay_": "booking", "sch_": "seats", "och_": "flight_change"}


def by_intent(intents: list[dict[str, Any]]) -> dict[str, tuple[str, Decimal, Decimal]]:
    """Each intent as the charge it is: id → (type, amount received, amount refunded)."""
    charges = {}
    for intent in intents:
        charge = intent["metadata"].get("payment_id") or intent["metadata"]["change_id"]
        charges[charge] = (
            KIND_OF_METADATA[charge[:4]],
            Decimal(intent["amount_received"]),
            Decimal(intent["amount_refunded"]),
        )
    return charges


def as_charges(money: dict[str, Any]) -> dict[str, tuple[str, Decimal, Decimal]]:
    return {
        c["id"]: (c["type"], Decimal(c["amount"]), Decimal(c["refunded_amount"]))
        for c in money["charges"]
    }


def assert_adds_up(money: dict[str, Any], intents: list[dict[str, Any]]) -> None:
    amounts = [v for c in money["charges"] for k, v in c.items() if k.endswith("_amount")]
    assert all(re.fullmatch(r"\d+\.\d\d", a) for a in amounts), money  # "0.00", never "0"
    assert as_charges(money) == by_intent(intents)
    assert Decimal(money["paid_amount"]) == taken(intents)
    assert Decimal(money["refunded_amount"]) == given_back(intents)
    assert Decimal(money["refund_pending_amount"]) == 0


async def test_a_seat_bought_after_booking_counts_in_what_the_order_says_was_paid(
    pay_env: PayEnv, alice: Headers
) -> None:
    order = await paid_order(pay_env, alice, 61)
    await buy_a_seat(pay_env, alice, order["id"])

    now = await pay_env.order(alice, order["id"])
    intents = await pay_env.gateway.intents(order["id"])
    money = now["money"]
    assert money["currency"] == now["total_currency"]
    assert [c["type"] for c in money["charges"]] == ["booking", "seats"]  # oldest first
    assert_adds_up(money, intents)
    assert Decimal(money["paid_amount"]) > Decimal(now["total_amount"])


async def test_after_cancelling_the_order_says_all_it_was_paid_and_what_came_back(
    pay_env: PayEnv, alice: Headers
) -> None:
    order = await charged_three_times(pay_env, alice, (93, 8), NON_REFUNDABLE)
    assert [c["type"] for c in order["money"]["charges"]] == ["booking", "seats", "flight_change"]
    assert_adds_up(order["money"], await pay_env.gateway.intents(order["id"]))

    response = await pay_env.client.post(f"/v1/orders/{order['id']}/cancel", headers=alice)
    cancelled = await response.json()
    assert response.status == 200, cancelled
    money = cancelled["money"]  # the cancel's answer says it too, refunds owed or through
    back = Decimal(money["refunded_amount"]) + Decimal(money["refund_pending_amount"])
    assert 0 < back < Decimal(money["paid_amount"])  # a non-refundable fare keeps some

    done = await refunded(pay_env, alice, order["id"])
    intents = await pay_env.gateway.intents(order["id"])
    assert_adds_up(done["money"], intents)
    assert Decimal(done["money"]["refunded_amount"]) == back


async def test_an_unpaid_hold_was_charged_nothing(pay_env: PayEnv, alice: Headers) -> None:
    order = await held_order(pay_env, alice, 62)
    money = (await pay_env.order(alice, order["id"]))["money"]
    assert money == {
        "currency": order["total_currency"],
        "paid_amount": "0.00",
        "refunded_amount": "0.00",
        "refund_pending_amount": "0.00",
        "charges": [],
    }


def reads_money(statement: str) -> bool:
    """The ledger's statement: the one that builds an order's money (payment/order_money.py)."""
    return "'paid_amount'" in statement


async def test_a_list_of_orders_says_each_ones_money_as_its_own_get_in_one_query(
    pay_env: PayEnv, alice: Headers
) -> None:
    """Lists showed `money: null`, so the traveler's trips said nothing paid nor refunded."""
    cancelled = await paid_order(pay_env, alice, 64, **NON_REFUNDABLE)
    response = await pay_env.client.post(f"/v1/orders/{cancelled['id']}/cancel", headers=alice)
    assert response.status == 200, await response.text()
    await refunded(pay_env, alice, cancelled["id"])
    with_seat = await paid_order(pay_env, alice, 65)
    await buy_a_seat(pay_env, alice, with_seat["id"])
    hold = await held_order(pay_env, alice, 66)
    own = {
        o["id"]: (await pay_env.order(alice, o["id"]))["money"]
        for o in (cancelled, with_seat, hold)
    }
    refund = Decimal(own[cancelled["id"]]["refunded_amount"])
    assert 0 < refund < Decimal(own[cancelled["id"]]["paid_amount"])  # a payment and a refund
    assert len(own[with_seat["id"]]["charges"]) == 2

    statements: list[str] = []
    await record_statements_of(pay_env.client.app[PG_POOL], statements)
    response = await pay_env.client.get("/v1/orders", headers=alice)
    listed = await response.json()

    assert response.status == 200, listed
    assert {o["id"]: o["money"] for o in listed["data"]} == own
    # Two orders with charges to read (the hold has none): one statement for the page.
    assert sum(map(reads_money, statements)) == 1, statements
