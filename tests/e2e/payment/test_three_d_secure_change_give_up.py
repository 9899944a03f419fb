"""Giving up a flight change whose charge waits at the traveler's bank (3-D Secure), through HTTP
with the sim's airlines and gateway (`POST /v1/orders/{id}/changes/{cid}/cancel`): the charge is
canceled at the gateway FIRST, then the old flights are put back, nothing charged, and another
change may be made; a charge the bank confirmed first stands; a change that does not wait at the
bank cannot be given up; a gateway that cannot cancel changes nothing."""

from __future__ import annotations

import socket
import uuid
from typing import Any

import pytest

from booking import change_routes
from booking.change_store import PgChanges
from booking.pg import Database
from payment.gateway import HttpPaymentGateway
from tests.e2e.payment.test_order_changes import FLEX_CABIN, change_offers, confirm, paid_order
from tests.e2e.payment.test_three_d_secure_change_sweeper import holder_wait, seats_on
from tests.e2e.payment.test_three_d_secure_changes import (
    at_the_bank,
    bank_answers,
    change_intent,
    charged,
)
from tests.support.booking import Headers
from tests.support.payment_app import PayEnv

# Giving up with the charge as the bank left it: the gateway's webhook for the charge does not
# settle the change first (test_three_d_secure_change_webhook.py: when it does).
pytestmark = pytest.mark.usefixtures("change_webhooks_unheard")


async def give_up(
    pay_env: PayEnv, alice: Headers, order: dict[str, Any], change_id: str
) -> tuple[int, dict[str, Any]]:
    response = await pay_env.client.post(
        f"/v1/orders/{order['id']}/changes/{change_id}/cancel", headers=alice
    )
    body: dict[str, Any] = await response.json()
    return response.status, body


async def test_a_change_given_up_at_the_bank_charges_nothing_and_puts_the_old_flights_back(
    pay_env: PayEnv, alice: Headers
) -> None:
    order, chosen, _, _ = await at_the_bank(pay_env, alice, days=33)
    held = await seats_on(pay_env, chosen)  # the airline's change holds one

    status, given_up = await give_up(pay_env, alice, order, chosen["id"])
    assert status == 200, given_up
    assert (given_up["status"], given_up["failure_code"]) == ("failed", "given_up")
    assert "nothing was charged" in given_up["failure_reason"]
    intent = await change_intent(pay_env, order["id"], chosen["id"])
    assert (intent["status"], intent["amount_received"]) == ("canceled", "0.00")
    assert await seats_on(pay_env, chosen) == held + 1  # put back at the airline
    trip = await pay_env.order(alice, order["id"])
    assert trip["slices"] == order["slices"]
    assert trip["change_next_action"] is None
    assert (trip["last_change"]["status"], trip["last_change"]["failure_code"]) == (
        "failed",
        "given_up",
    )
    # Asked again: the same outcome.
    assert await give_up(pay_env, alice, order, chosen["id"]) == (200, given_up)
    # And the trip may change again.
    _, offers = await change_offers(pay_env, alice, order, days=34)
    again = offers["data"][0]
    done = await confirm(
        pay_env, alice, order["id"], again["id"], str(uuid.uuid4()), card_token="tok_visa"
    )
    assert (done[0], done[1]["status"]) == (200, "confirmed"), done


async def test_a_change_the_bank_confirmed_first_stands_when_given_up(
    pay_env: PayEnv, alice: Headers
) -> None:
    order, chosen, _, _ = await at_the_bank(pay_env, alice, days=35)
    await bank_answers(pay_env, order, chosen, "complete")

    status, stood = await give_up(pay_env, alice, order, chosen["id"])
    assert (status, stood["status"]) == (200, "confirmed"), stood
    assert stood["order"]["slices"][0] == chosen["slice"]
    assert await charged(pay_env, order, chosen) == chosen["change_total_amount"]
    assert await give_up(pay_env, alice, order, chosen["id"]) == (200, stood)


async def test_a_change_not_waiting_at_the_bank_cannot_be_given_up(
    pay_env: PayEnv, alice: Headers
) -> None:
    order = await paid_order(pay_env, alice, days=93, **FLEX_CABIN)
    _, offers = await change_offers(pay_env, alice, order, days=36)
    quoted = offers["data"][0]
    status, problem = await give_up(pay_env, alice, order, quoted["id"])
    assert (status, problem["change_status"]) == (409, "quoted"), problem
    assert "does not wait at the bank" in problem["detail"]
    done = await confirm(
        pay_env, alice, order["id"], quoted["id"], str(uuid.uuid4()), card_token="tok_visa"
    )
    assert done[0] == 200, done
    status, problem = await give_up(pay_env, alice, order, quoted["id"])
    assert (status, problem["change_status"]) == (409, "confirmed"), problem
    assert (await give_up(pay_env, alice, order, "och_" + "0" * 24))[0] == 404


async def test_a_change_held_by_the_sweeper_is_told_to_retry(
    pay_env: PayEnv, alice: Headers
) -> None:
    order, chosen, _, _ = await at_the_bank(pay_env, alice, days=37)
    store = PgChanges(Database(pay_env.pool, timeout_s=5))
    claim = await store.claim(chosen["id"], lease_s=60)
    assert claim is not None
    holder_wait(pay_env, 0.2)  # waited for, the sweeper's claim outlasts it
    status, problem = await give_up(pay_env, alice, order, chosen["id"])
    assert (status, problem.get("in_progress")) == (409, True), problem
    await store.release(chosen["id"], claim)
    assert (await give_up(pay_env, alice, order, chosen["id"]))[0] == 200


async def test_a_gateway_that_cannot_cancel_leaves_the_change_waiting(
    pay_env: PayEnv, alice: Headers
) -> None:
    order, chosen, _, waiting = await at_the_bank(pay_env, alice, days=38)
    payments = pay_env.client.app[change_routes.CHANGES].payments
    assert payments is not None
    with socket.socket() as closed:  # a port nothing listens on: the gateway refuses at once
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    working = payments._gateway  # type: ignore[attr-defined]
    down = HttpPaymentGateway(f"http://127.0.0.1:{port}", "sk_test", attempts=1)
    payments._gateway = down  # type: ignore[attr-defined]
    try:
        status, problem = await give_up(pay_env, alice, order, chosen["id"])
    finally:
        payments._gateway = working  # type: ignore[attr-defined]
        await down.close()
    assert status == 503, problem
    # Nothing changed: still waiting at the bank, which may still be answered or given up.
    response = await pay_env.client.get(
        f"/v1/orders/{order['id']}/changes/{chosen['id']}", headers=alice
    )
    read = await response.json()
    assert (read["status"], read["next_action"]) == ("confirming", waiting["next_action"])
    intent = await change_intent(pay_env, order["id"], chosen["id"])
    assert intent["status"] == "requires_action"
    status, given_up = await give_up(pay_env, alice, order, chosen["id"])
    assert (status, given_up["failure_code"]) == (200, "given_up"), given_up
