"""Flight changes a dead process left half way (`confirming`, nobody at it), settled by the change
sweeper over the sim's airlines and card gateway: finished when the money moved, undone at the
airline when it did not, so the order says what happened either way; and never twice."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

import pytest

from booking import change_routes
from booking.change_store import PgChanges
from booking.change_sweeper import ChangeSweeper
from booking.pg import Database
from skyfare.keys import PAYMENT_GATEWAY
from tests.e2e.payment.test_order_changes import (
    FLEX_CABIN,
    airline_changes,
    change_offers,
    confirm,
    dearest,
    held_order,
    history_reasons,
    paid_order,
)
from tests.support.booking import Headers
from tests.support.payment_app import PayEnv

# Each counts what a round of the change sweeper settles, the gateway's webhook for a change's
# charge settling nothing first (test_three_d_secure_change_webhook.py: when it does).
pytestmark = pytest.mark.usefixtures("sweeps_only_this_test", "change_webhooks_unheard")


def sweeper(pay_env: PayEnv) -> ChangeSweeper:
    """The app's own change service, swept at once (no idle time to wait out)."""
    service = pay_env.client.app[change_routes.CHANGES]
    return ChangeSweeper(service, PgChanges(Database(pay_env.pool, timeout_s=5)), idle_s=0)


async def abandon(pay_env: PayEnv, change_id: str) -> None:
    """What a confirmation leaves when its process dies: `confirming`, its claim long over."""
    await pay_env.pool.execute(
        "UPDATE order_changes SET status = 'confirming', confirmed_by = 'x',"
        " claimed_until = now() - interval '1 hour' WHERE id = $1",
        change_id,
    )


async def held_with_offer(
    pay_env: PayEnv, alice: Headers, *, days: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A held flexible order `days` out and its cheapest change offer, 70 days sooner."""
    held = await held_order(pay_env, alice, days=days, **FLEX_CABIN)
    _, offers = await change_offers(pay_env, alice, held, days=days - 70)
    return held, offers["data"][0]


async def charged_for(pay_env: PayEnv, order: dict[str, Any], chosen: dict[str, Any]) -> Any:
    """The card charged for change offer `chosen` as its confirmation does (the change's key),
    by a request whose answer never came back; the gateway's intent."""
    return await pay_env.client.app[PAYMENT_GATEWAY].create_intent(
        amount=Decimal(chosen["change_total_amount"]),
        currency=chosen["change_total_currency"],
        card_token="tok_visa",
        metadata={"order_id": order["id"], "change_id": chosen["id"]},
        idempotency_key=f"{chosen['id']}:intent",
        timeout=5,
    )


async def status_of(pay_env: PayEnv, change_id: str) -> str:
    status: str = await pay_env.pool.fetchval(
        "SELECT status FROM order_changes WHERE id = $1", change_id
    )
    return status


async def test_an_airline_change_never_paid_for_is_undone_and_the_order_says_so(
    pay_env: PayEnv, alice: Headers
) -> None:
    order = await paid_order(pay_env, alice, days=101, **FLEX_CABIN)
    _, offers = await change_offers(pay_env, alice, order, days=31)
    chosen = dearest(offers)
    new_flight = {"slices": [chosen["slice"]]}
    seats_before = await pay_env.booking.seats_left(new_flight)
    await abandon(pay_env, chosen["id"])
    await airline_changes(pay_env, order, chosen["id"])  # then the process died: no card charged
    assert await pay_env.booking.seats_left(new_flight) == seats_before - 1

    assert await sweeper(pay_env).sweep_once() == 1
    after = await pay_env.order(alice, order["id"])
    assert after["slices"] == order["slices"]
    assert (after["total_amount"], after["ticket_numbers"]) == (
        order["total_amount"],
        order["ticket_numbers"],
    )
    assert after["last_change"]["status"] == "failed"
    assert "never made" in after["last_change"]["detail"]
    assert after["last_change"]["failure_code"] == "card_not_charged"
    assert "original flights back" in after["last_change"]["detail"]
    assert await pay_env.booking.seats_left(new_flight) == seats_before  # released
    assert await status_of(pay_env, chosen["id"]) == "failed"
    assert any("failed" in r for r in await history_reasons(pay_env, alice, order["id"]))
    assert "order.changed" not in await pay_env.events(order["id"])
    assert len(await pay_env.gateway.intents(order["id"])) == 1  # the order's payment only

    assert await sweeper(pay_env).sweep_once() == 0  # settled once: nothing left to sweep
    status, _ = await confirm(
        pay_env, alice, order["id"], chosen["id"], str(uuid.uuid4()), card_token="tok_visa"
    )
    assert status == 409  # failed stays failed


@pytest.mark.parametrize(("recorded", "days"), [(True, 102), (False, 110)])
async def test_a_change_charged_but_never_committed_is_finished_and_charged_once(
    pay_env: PayEnv, alice: Headers, recorded: bool, days: int
) -> None:
    """The process died after the card was charged: with the charge's id recorded (its card's
    digits not yet: an older release, which kept none), or before it was (the gateway's answer
    was lost): the sweeper finds the charge by the change's id."""
    order = await paid_order(pay_env, alice, days=days, **FLEX_CABIN)
    _, offers = await change_offers(pay_env, alice, order, days=days - 70)
    chosen = dearest(offers)
    await abandon(pay_env, chosen["id"])
    await airline_changes(pay_env, order, chosen["id"])
    intent = await charged_for(pay_env, order, chosen)
    if recorded:
        await pay_env.pool.execute(
            "UPDATE order_changes SET payment_intent_id = $2 WHERE id = $1", chosen["id"], intent.id
        )  # then the process died before its commit

    swept = sweeper(pay_env)
    for _ in range(100):  # the card settles within moments; until it did, the round leaves it
        if await swept.sweep_once():
            break
        await abandon(pay_env, chosen["id"])
        await asyncio.sleep(0.05)
    changed = await pay_env.order(alice, order["id"])
    assert changed["slices"][0] == chosen["slice"]
    assert changed["booking_reference"] == order["booking_reference"]
    assert changed["total_amount"] == chosen["new_total_amount"]
    assert changed["last_change"]["status"] == "confirmed"
    assert await status_of(pay_env, chosen["id"]) == "confirmed"
    # The charge and its card, as the gateway's answer that found it names them (a refund's
    # mail names the card, booking/sql/0153).
    found = await pay_env.pool.fetchrow(
        "SELECT payment_intent_id, card_last4 FROM order_changes WHERE id = $1", chosen["id"]
    )
    assert tuple(found.values()) == (intent.id, "4242")
    assert (await pay_env.events(order["id"]))[-1] == "order.changed"
    charges = [i for i in await pay_env.gateway.intents(order["id"]) if i["id"] == intent.id]
    assert [c["status"] for c in charges] == ["succeeded"]
    assert len(await pay_env.gateway.intents(order["id"])) == 2  # the order's and this one
    response = await pay_env.client.get(f"/v1/orders/{order['id']}/history", headers=alice)
    last = (await response.json())["data"][-1]
    assert last["actor"] == {"type": "system", "name": "change-sweeper"}
    assert "changed to" in last["reason"]


async def test_a_free_change_of_a_hold_the_airline_made_is_finished(
    pay_env: PayEnv, alice: Headers
) -> None:
    held, chosen = await held_with_offer(pay_env, alice, days=103)
    await abandon(pay_env, chosen["id"])
    await airline_changes(pay_env, held, chosen["id"])

    assert await sweeper(pay_env).sweep_once() == 1
    changed = await pay_env.order(alice, held["id"])
    assert changed["slices"][0] == chosen["slice"]
    assert (changed["status"], changed["payment_status"]) == ("held", "unpaid")
    assert await pay_env.gateway.intents(held["id"]) == []


async def test_a_change_being_confirmed_is_not_swept_and_the_sweeper_claim_holds_off_a_retry(
    pay_env: PayEnv, alice: Headers
) -> None:
    held, chosen = await held_with_offer(pay_env, alice, days=104)
    await pay_env.pool.execute(
        "UPDATE order_changes SET status = 'confirming', confirmed_by = 'x',"
        " claimed_until = now() + interval '1 hour' WHERE id = $1",
        chosen["id"],
    )  # a request is at it
    try:
        assert await sweeper(pay_env).sweep_once() == 0
        status, problem = await confirm(pay_env, alice, held["id"], chosen["id"], str(uuid.uuid4()))
        assert status == 409, problem  # nor does a second request take it over
        assert await status_of(pay_env, chosen["id"]) == "confirming"
    finally:
        # That request ends: left claimed, the offer became sweepable an hour later and threw
        # off the sweep counts of a later run on the same database.
        await pay_env.pool.execute(
            "UPDATE order_changes SET status = 'failed', claimed_until = now() WHERE id = $1",
            chosen["id"],
        )


async def test_two_sweepers_at_once_settle_each_abandoned_change_once(
    pay_env: PayEnv, alice: Headers
) -> None:
    pairs = [await held_with_offer(pay_env, alice, days=d) for d in (105, 106)]
    held, chosen = [order for order, _ in pairs], [offer for _, offer in pairs]
    for order, offer in pairs:
        await abandon(pay_env, offer["id"])
        await airline_changes(pay_env, order, offer["id"])

    first, second = sweeper(pay_env), sweeper(pay_env)  # two processes' rounds, side by side
    settled = await asyncio.gather(first.sweep_once(), second.sweep_once())
    assert sum(settled) == 2, settled
    for order, offer in zip(held, chosen, strict=True):
        assert await status_of(pay_env, offer["id"]) == "confirmed"
        reasons = await history_reasons(pay_env, alice, order["id"])
        assert sum("changed to" in r for r in reasons) == 1
        assert (await pay_env.events(order["id"])).count("order.changed") == 1


async def test_a_change_the_airline_never_made_and_now_refuses_fails_with_nothing_changed(
    pay_env: PayEnv, alice: Headers
) -> None:
    held, chosen = await held_with_offer(pay_env, alice, days=111)
    await abandon(pay_env, chosen["id"])  # died before asking the airline; its fare is gone
    await pay_env.pool.execute(
        "UPDATE order_changes SET supplier_fare_id = 'no-such-fare' WHERE id = $1", chosen["id"]
    )

    assert await sweeper(pay_env).sweep_once() == 1
    after = await pay_env.order(alice, held["id"])
    assert after["slices"] == held["slices"]
    assert after["last_change"]["status"] == "failed"
    # Said once ("the airline refused: the airline refused to change the flights: …" before).
    assert after["last_change"]["detail"].startswith("the airline refused to change the flights: ")
    assert after["last_change"]["detail"].count("refused") == 1
    assert after["last_change"]["failure_code"] == "airline_refused"
    assert await status_of(pay_env, chosen["id"]) == "failed"


async def test_a_change_the_airline_will_not_undo_fails_clearly_instead_of_staying_confirming(
    pay_env: PayEnv, alice: Headers
) -> None:
    """Never paid for, and the original flights sold out since: the airline refuses to put them
    back. The offer used to stay `confirming`, swept again every round for ever."""
    order = await paid_order(pay_env, alice, days=113, **FLEX_CABIN)
    _, offers = await change_offers(pay_env, alice, order, days=43)
    chosen = dearest(offers)
    await abandon(pay_env, chosen["id"])
    await airline_changes(pay_env, order, chosen["id"])  # then the process died: no card charged
    await pay_env.booking.set_seats_left({"slices": order["slices"]}, 0)

    assert await sweeper(pay_env).sweep_once() == 1
    assert await status_of(pay_env, chosen["id"]) == "failed"
    after = await pay_env.order(alice, order["id"])
    assert after["last_change"]["status"] == "failed"
    detail = after["last_change"]["detail"]
    assert all(w in detail for w in ("never made", "sold out", "support")), detail
    # What the traveler must act on comes first: the airline's booking kept the new flights.
    assert after["last_change"]["failure_code"] == "airline_kept_new_flights"
    assert any("sold out" in r for r in await history_reasons(pay_env, alice, order["id"]))
    assert after["payment_status"] == "paid"
    assert len(await pay_env.gateway.intents(order["id"])) == 1  # the order's own payment only
    assert await sweeper(pay_env).sweep_once() == 0  # settled: nothing left to sweep


async def test_a_change_charged_for_an_order_cancelled_meanwhile_is_refunded_once_after_a_refusal(
    pay_env: PayEnv, alice: Headers
) -> None:
    """The card was charged for a change, then the order was cancelled before the change
    committed: the change cannot stand, and its charge goes back. The gateway refused that
    refund once: it used to be asked again under the same key at every sweep (the gateway
    replays a refusal for its key) and the offer stayed `confirming`, the money kept. Now the
    refund is owed as a part of its own (its history says so), the change fails, and the
    reconciler asks anew: given back once."""
    order = await paid_order(pay_env, alice, days=111, **FLEX_CABIN)
    _, offers = await change_offers(pay_env, alice, order, days=41)
    chosen = dearest(offers)
    due = Decimal(chosen["change_total_amount"])
    await abandon(pay_env, chosen["id"])
    await airline_changes(pay_env, order, chosen["id"])
    intent = await charged_for(pay_env, order, chosen)
    await pay_env.pool.execute(
        "UPDATE order_changes SET payment_intent_id = $2 WHERE id = $1", chosen["id"], intent.id
    )  # then the process died before its commit
    cancelled = await pay_env.client.post(f"/v1/orders/{order['id']}/cancel", headers=alice)
    assert cancelled.status == 200, await cancelled.text()
    await pay_env.gateway.refuse_refunds(intent.id)  # once: a charge disputed for a while

    swept = sweeper(pay_env)
    for _ in range(100):  # the card settles within moments; until it did, the round leaves it
        if await swept.sweep_once() and await status_of(pay_env, chosen["id"]) != "confirming":
            break
        await abandon(pay_env, chosen["id"])
        await asyncio.sleep(0.05)
    assert await status_of(pay_env, chosen["id"]) == "failed"
    refunds = pay_env.client.app[change_routes.CHANGES].payments.refunds  # type: ignore[union-attr]
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    for _ in range(2):  # the second round finds nothing owed
        await refunds.reconcile_once(later, actor="reconciler")

    [charge] = [i for i in await pay_env.gateway.intents(order["id"]) if i["id"] == intent.id]
    assert (Decimal(charge["amount_refunded"]), len(charge["refunds"])) == (due, 1)
    reasons = await history_reasons(pay_env, alice, order["id"])
    assert any("refund owed" in r and chosen["id"] in r for r in reasons), reasons
    assert any("refused by the payment gateway" in r for r in reasons), reasons
    assert any(
        r.endswith(f"refunded {due} {chosen['change_total_currency']} to {chosen['id']}")
        for r in reasons
    ), reasons
    response = await pay_env.client.get(
        f"/v1/orders/{order['id']}/changes/{chosen['id']}", headers=alice
    )
    assert (await response.json())["failure_code"] == "order_moved"


async def test_a_retry_with_another_card_after_a_lost_charge_keeps_that_charge_and_the_change(
    pay_env: PayEnv, alice: Headers
) -> None:
    """The card was charged for the change but the answer was lost (the traveler saw a 503),
    and the traveler retried with another card: the gateway refuses the change's key with
    other parameters, which read as a declined card, so the flights were put back and the
    charge made was kept, never given back. The charge made is the change's: it stands, and
    the second card is not charged."""
    order = await paid_order(pay_env, alice, days=112, **FLEX_CABIN)
    _, offers = await change_offers(pay_env, alice, order, days=42)
    chosen = dearest(offers)
    await abandon(pay_env, chosen["id"])
    await airline_changes(pay_env, order, chosen["id"])
    intent = await charged_for(pay_env, order, chosen)  # the first request's, answer lost

    for _ in range(100):  # the card settles within moments: until then, a 503 to retry
        status, answer = await confirm(
            pay_env, alice, order["id"], chosen["id"], str(uuid.uuid4()), card_token="tok_slow"
        )
        if status != 503:
            break
        await asyncio.sleep(0.05)

    assert status == 200, answer
    assert answer["order"]["slices"][0] == chosen["slice"]
    assert await status_of(pay_env, chosen["id"]) == "confirmed"
    charges = [
        i for i in await pay_env.gateway.intents(order["id"]) if "change_id" in i["metadata"]
    ]
    assert [(c["id"], c["status"]) for c in charges] == [(intent.id, "succeeded")]
