"""A change confirmation that runs longer than its claim's lease (the airline answering slowly)
keeps its claim: the change sweeper (and a retry) leave it alone until it ends. The lease used
to be fixed, so once it ran out the sweeper resumed the offer beside the request still at it —
two confirmations deciding at once. Over the sim's airlines, with a lease shortened to seconds
and an airline that answers only when the test says so."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest

from booking import change_routes
from booking import routes as order_routes
from booking.change_airline import ChangeAirline
from booking.change_store import PgChanges
from booking.change_sweeper import ChangeSweeper
from booking.change_validation import ConfirmChange
from booking.changes import ChangeService
from booking.idempotency import fingerprint
from booking.model import Order
from booking.pg import Database
from connectors.model import Hold
from kernel.auth import Principal
from skyfare.keys import CONNECTORS
from tests.e2e.payment.test_abandoned_changes import held_with_offer, status_of
from tests.support.booking import Headers
from tests.support.payment_app import PayEnv
from tests.support.payment_sim import eventually

# Each counts what a round of the change sweeper settles.
pytestmark = pytest.mark.usefixtures("sweeps_only_this_test")

LEASE_S = 1.5  # extended every 0.5 s: a busy machine still renews it long before it ends


class AirlineOnCue(ChangeAirline):
    """Changes the flights only once the test says so: the confirmation runs on meanwhile."""

    def __init__(self, env: PayEnv) -> None:
        app = env.client.app
        super().__init__({c.name: c for c in app[CONNECTORS]}, timeout_s=5.0)
        self.asked = asyncio.Event()
        self.cue = asyncio.Event()

    async def change(self, order: Order, slice_index: int, fare_id: str, reference: str) -> Hold:
        self.asked.set()
        await self.cue.wait()
        return await super().change(order, slice_index, fare_id, reference)


async def _asked(airline: AirlineOnCue, confirming: asyncio.Task[Any]) -> None:
    """Until the confirmation asks the airline; a confirmation that fails first says why (it
    would otherwise leave the test waiting for an ask that never comes)."""
    asked = asyncio.create_task(airline.asked.wait())
    await asyncio.wait({asked, confirming}, return_when=asyncio.FIRST_COMPLETED)
    if not asked.done():
        asked.cancel()
        confirming.result()  # raises the confirmation's error
        raise AssertionError("the confirmation ended without asking the airline")


async def claim_of(env: PayEnv, change_id: str) -> Any:
    return await env.pool.fetchval(
        "SELECT claimed_until FROM order_changes WHERE id = $1", change_id
    )


async def test_a_confirmation_outlasting_its_lease_keeps_its_claim_and_is_not_swept(
    pay_env: PayEnv, alice: Headers
) -> None:
    held, chosen = await held_with_offer(pay_env, alice, days=112)
    app = pay_env.client.app
    db = Database(pay_env.pool, timeout_s=5)
    airline = AirlineOnCue(pay_env)
    slow = ChangeService(app[order_routes.ORDER_SERVICE], PgChanges(db), airline, lease_s=LEASE_S)
    path = f"/v1/orders/{held['id']}/changes/{chosen['id']}/confirm"
    owner = await pay_env.pool.fetchval("SELECT owner FROM orders WHERE id = $1", held["id"])
    confirming = asyncio.create_task(
        slow.confirm(
            Principal(owner),
            held["id"],
            chosen["id"],
            str(uuid.uuid4()),
            ConfirmChange(),
            fingerprint("POST", path, {}),
        )
    )
    await _asked(airline, confirming)
    first = await claim_of(pay_env, chosen["id"])

    # the request is still at it, past a lease: its claim was renewed, not left to run out
    await eventually(lambda: claim_of(pay_env, chosen["id"]), lambda c: c > first, timeout=10)
    sweeper = ChangeSweeper(app[change_routes.CHANGES], PgChanges(db), idle_s=0, lease_s=LEASE_S)
    assert await sweeper.sweep_once() == 0
    assert await status_of(pay_env, chosen["id"]) == "confirming"

    airline.cue.set()
    answer = await confirming
    assert answer.status == 200
    assert await status_of(pay_env, chosen["id"]) == "confirmed"
    assert (await pay_env.events(held["id"])).count("order.changed") == 1
