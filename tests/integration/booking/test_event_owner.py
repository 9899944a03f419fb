"""Every event names whose order it is, so consumers (the notification worker's channel
preferences) can apply the owner's choices without reading the orders database, and its route
(analytics counts bookings per route)."""

from __future__ import annotations

import asyncpg

from booking.events import decode_event
from booking.repository import PgOrderRepository
from booking.state import Change
from tests.support.orders import new_order


async def test_the_created_event_and_every_change_event_carry_the_owner(
    repository: PgOrderRepository, booking_pool: asyncpg.Pool
) -> None:
    order = await repository.create(new_order("usr_ada"), actor="usr_ada")
    change = Change(from_status=("pending",), to_status="held", reason="held at the airline")
    await repository.transition(order.id, change, actor="booking")

    rows = await booking_pool.fetch(
        "SELECT payload FROM outbox WHERE order_id = $1 ORDER BY id", order.id
    )

    events = [decode_event(row["payload"]) for row in rows]
    assert [e.type for e in events] == ["order.created", "order.held"]
    assert {e.owner for e in events} == {"usr_ada"}
    route = f"{order.slices[0].origin}-{order.slices[0].destination}"
    assert {e.order.route for e in events} == {route}
