"""A cheaper change begun by a process of the release before 0204 (payment/sql/0205_…), while
that release and this one run side by side in a rolling deploy: that process refunded the
difference at once (one refund of the paying payment, key `<change id>:refund`) and died before
its commit. The change sweeper of a new process finishes the change; it used to owe the
difference again as new parts with new keys, and the gateway gave it back twice. Over the sim's
airlines and card gateway."""

from __future__ import annotations

from decimal import Decimal

import pytest

from skyfare.keys import PAYMENT_GATEWAY
from tests.e2e.payment.test_abandoned_changes import abandon, sweeper
from tests.e2e.payment.test_cancel_after_extra_charges import REFUNDABLE
from tests.e2e.payment.test_order_changes import airline_changes, change_offers, paid_order
from tests.support.booking import Headers
from tests.support.payment_app import PayEnv

# Each counts what a round of the change sweeper settles.
pytestmark = pytest.mark.usefixtures("sweeps_only_this_test")


async def test_a_cheaper_change_an_older_process_refunded_before_dying_is_refunded_once(
    pay_env: PayEnv, alice: Headers
) -> None:
    order = await paid_order(pay_env, alice, 40, **REFUNDABLE)
    _, offers = await change_offers(pay_env, alice, order, 97)
    chosen = min(offers["data"], key=lambda o: Decimal(o["change_total_amount"]))
    refund = -Decimal(chosen["change_total_amount"])
    assert refund > 0, chosen
    # The older process: confirming, the airline swapped, the paying payment refunded its way…
    await abandon(pay_env, chosen["id"])
    await airline_changes(pay_env, order, chosen["id"])
    [paying] = await pay_env.gateway.intents(order["id"])
    gateway = pay_env.client.app[PAYMENT_GATEWAY]
    await gateway.refund(
        intent_id=paying["id"],
        amount=refund,
        idempotency_key=f"{chosen['id']}:refund",
        timeout=5,
    )
    # … and then it died, before its commit.

    assert await sweeper(pay_env).sweep_once() == 1

    after = await pay_env.until(alice, order["id"], lambda o: o["last_change"] is not None)
    assert after["last_change"]["status"] == "confirmed", after["last_change"]
    assert after["slices"][0] == chosen["slice"]
    [intent] = await pay_env.gateway.intents(order["id"])
    assert Decimal(intent["amount_refunded"]) == refund, intent["refunds"]  # once
    assert len(intent["refunds"]) == 1
    [part] = await pay_env.pool.fetch(
        "SELECT amount, status FROM order_refunds WHERE change_id = $1", chosen["id"]
    )
    assert tuple(part.values()) == (refund, "refunded")

    # What a cancellation of the refundable fare gives back is what is left: all of it, once.
    response = await pay_env.client.post(f"/v1/orders/{order['id']}/cancel", headers=alice)
    assert response.status == 200, await response.text()
    await pay_env.until(alice, order["id"], lambda o: o["payment_status"] == "refunded")
    [intent] = await pay_env.gateway.intents(order["id"])
    assert intent["amount_refunded"] == intent["amount_received"], intent
