"""An airline that records the hold and then never answers, in a process that stays up: the
traveler's request gives up with a 503 and `Retry-After`, the order stays `pending`, and the
process's own reconciler (booking/recovery.py) settles it with the airline — `held`, one hold at
the airline, one `order.held` event — before the traveler retries, whose retry answers 201.

(tests/e2e/booking/test_crash_recovery.py is the same airline with the process SIGKILLed while
it waits; there the next process's reconciler completes the order.)
"""

from __future__ import annotations

import uuid

import asyncpg
import msgspec
import pytest

from skyfare.settings import Settings
from tests.support.airline_orders import until
from tests.support.booking import booking_app
from tests.support.faults import report

pytestmark = pytest.mark.slow

_HELD_AFTER_S = """
SELECT extract(epoch FROM h.at - o.created_at)::float8
FROM orders o JOIN order_history h ON h.order_id = o.id AND h.to_status = 'held'
WHERE o.id = $1"""


async def test_an_order_whose_airline_hangs_after_the_hold_is_reconciled_in_the_same_process(
    settings: Settings,
) -> None:
    fast = msgspec.structs.replace(
        settings,
        reconcile_after_s=0.2,
        reconcile_interval_s=0.1,
        # The hung request's claim on its key lapses after this; until then the reconciler
        # leaves the order to that request.
        idempotency_lease_s=1.0,
    )
    traveler = f"hang-{uuid.uuid4().hex[:8]}"
    assert settings.database_url is not None
    async with (
        booking_app(fast) as env,
        asyncpg.create_pool(settings.database_url, min_size=0, max_size=1) as db,
    ):
        alice = await env.token(traveler)
        offer = await env.offer()
        slug = offer["source"].removeprefix("rest-")
        await env.sim.set_profile(slug, commit_then_delay_ms=60_000)  # holds, then hangs
        key = str(uuid.uuid4())

        gave_up = await env.order(alice, offer, key=key)
        problem = await gave_up.json()
        order_id = await db.fetchval("SELECT id FROM orders WHERE owner = $1", traveler)
        held = "SELECT status = 'held' FROM orders WHERE id = $1"
        await until(lambda: db.fetchval(held, order_id), timeout_s=10)
        await env.sim.set_profile(slug, commit_then_delay_ms=0)
        retried = await env.order(alice, offer, key=key)
        order = await retried.json()
        actors = await db.fetch(
            "SELECT to_status, actor FROM order_history WHERE order_id = $1 ORDER BY id", order_id
        )
        # From the order's creation to the reconciler's hold, on PostgreSQL's clock.
        recover_s = await db.fetchval(_HELD_AFTER_S, order_id)
        events = await db.fetch("SELECT type FROM outbox WHERE order_id = $1", order_id)
        stats = await env.sim.stats()

    assert (gave_up.status, problem["status"]) == (503, 503), problem
    assert "did not confirm the hold" in problem["detail"]  # the airline's silence, not the DB
    assert int(gave_up.headers["Retry-After"]) >= 1
    assert retried.status == 201, order
    assert (order["id"], order["status"]) == (order_id, "held")
    assert [tuple(r.values()) for r in actors][-1] == ("held", "reconciler")
    assert [e["type"] for e in events].count("order.held") == 1
    assert stats[slug]["bookings"] == 1  # one hold asked of the airline
    report(
        "airline-hang",
        requests=2,
        answers={"order": {str(gave_up.status): 1, str(retried.status): 1}},
        errors={str(gave_up.status): 1},
        orders_created=1,
        orders_lost=int(order["id"] != order_id),
        airline_holds=stats[slug]["bookings"],
        held_events=[e["type"] for e in events].count("order.held"),
        recover_s=recover_s,
    )
