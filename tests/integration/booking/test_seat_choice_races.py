"""A seat chosen on a held order while the order moves on (real PostgreSQL, a REST sim airline over
sockets). The choice was priced for a hold on its flights: paid and ticketed meanwhile, the seat's
price would be in no payment; its flights changed meanwhile, the seat would be on a flight the
order no longer has. The choice is refused (409), nothing is recorded and the airline is not
asked for the seat."""

from __future__ import annotations

import asyncio
import datetime as dt
from decimal import Decimal

import pytest

from booking.idempotency import PgIdempotencyStore
from booking.model import Order, SeatService
from booking.pg import Database
from booking.repository import PgOrderRepository
from booking.seats import ChooseSeatsRequest, OrderSeatDesk
from booking.service import OrderService
from connectors.model import Offer
from connectors.seat_model import SeatFacts, segment_id_of
from kernel.auth import Principal
from kernel.errors import Conflict
from tests.support.airline_orders import NAME, TIMEOUT_S, AirlineOrders, until
from tests.support.flights import supplier_id

ALICE = Principal(subject="alice")
# What the payment's capture and ticketing leave (payment/settlement.py), as one write.
PAID_AND_TICKETED = (
    "UPDATE orders SET status = 'confirmed', payment_status = 'paid', updated_at = now()"
    " WHERE id = $1"
)
# What a flight change of the hold leaves (booking/change_store.py): its first flight moved.
FLIGHTS_CHANGED = (
    "UPDATE orders SET slices = jsonb_set(slices, '{0,segments,0,flight_number}', '\"XX1\"'),"
    " updated_at = now() WHERE id = $1"
)
WAITING_ON = "SELECT count(*) FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))"


def _desk(
    db: Database, repository: PgOrderRepository, keys: PgIdempotencyStore, airline: AirlineOrders
) -> OrderSeatDesk:
    orders = OrderService(
        repository, keys, {NAME: airline.connector}, price_timeout_s=2.0, hold_timeout_s=2.0
    )
    return OrderSeatDesk(db, orders, {NAME: airline.connector}, timeout_s=TIMEOUT_S)


async def _priced_seat(airline: AirlineOrders, offer: Offer) -> SeatFacts:
    """A free seat of the offer's first leg that costs an adult something."""
    maps = await airline.connector.seat_maps(supplier_id(offer), timeout=TIMEOUT_S)
    return next(
        place.seat
        for cabin in maps.legs[0].cabins
        for row in cabin.rows
        for section in row.sections
        for place in section
        if place.seat is not None
        and place.seat.available
        and place.seat.prices.get("adult", Decimal(0)) > 0
    )


async def _still_free(airline: AirlineOrders, offer: Offer, designator: str) -> bool:
    maps = await airline.connector.seat_maps(supplier_id(offer), timeout=TIMEOUT_S)
    return any(
        place.seat.designator == designator and place.seat.available
        for cabin in maps.legs[0].cabins
        for row in cabin.rows
        for section in row.sections
        for place in section
        if place.seat is not None
    )


@pytest.mark.parametrize("meanwhile", [PAID_AND_TICKETED, FLIGHTS_CHANGED])
async def test_a_seat_chosen_on_a_hold_that_moves_on_meanwhile_is_refused_not_given_free(
    meanwhile: str,
    db: Database,
    repository: PgOrderRepository,
    keys: PgIdempotencyStore,
    airline: AirlineOrders,
) -> None:
    desk = _desk(db, repository, keys, airline)
    order, offer = await airline.held(
        repository, keys, pay_by=dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    )
    seat = await _priced_seat(airline, offer)
    segment = segment_id_of(order.slices[0].segments[0])
    request = ChooseSeatsRequest((SeatService("seat", segment, "pas_1", seat.designator),))

    async with db.pool.acquire() as payment:
        async with payment.transaction():
            # The payment's settlement (or a change) holds the order's row while it writes...
            await payment.execute("SELECT 1 FROM orders WHERE id = $1 FOR UPDATE", order.id)
            choosing = asyncio.create_task(desk.choose(ALICE, order.id, request))
            # ...once the seat desk has read the order as a hold, unpaid.
            me = await payment.fetchval("SELECT pg_backend_pid()")
            await until(lambda: db.pool.fetchval(WAITING_ON, me))
            await payment.execute(meanwhile, order.id)
        with pytest.raises(Conflict):
            await choosing

    after = await repository.get(order.id)
    assert isinstance(after, Order)
    assert after.seats == ()
    assert after.total_amount == order.total_amount
    assert await _still_free(airline, offer, seat.designator)


async def test_a_seat_chosen_on_a_paid_order_while_a_seat_charge_is_in_flight_is_refused(
    db: Database,
    repository: PgOrderRepository,
    keys: PgIdempotencyStore,
    airline: AirlineOrders,
) -> None:
    """The charged change lands once its card is charged, over whatever was chosen meanwhile:
    a free seat chosen then was answered 200, then silently replaced by the seat being paid."""
    desk = _desk(db, repository, keys, airline)
    order, offer = await airline.held(
        repository, keys, pay_by=dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    )
    await db.pool.execute(PAID_AND_TICKETED, order.id)
    segment = segment_id_of(order.slices[0].segments[0])
    seat = await _priced_seat(airline, offer)
    # Paid with the order: choosing another seat at that price or less charges nothing.
    kept = (order.id, segment, "pas_1", "99K", seat.prices["adult"], order.total_currency)
    await db.pool.execute(
        "INSERT INTO order_seats (order_id, segment_id, passenger_id, designator, amount,"
        " currency) VALUES ($1, $2, $3, $4, $5, $6)",
        *kept,
    )
    await db.pool.execute(  # as payment/seat_charges.py starts one, before the card is charged
        "INSERT INTO seat_charges (id, order_id, owner, amount, currency, seats, status)"
        " VALUES ('sch_inflight', $1, 'alice', 12.00, $2, '[]', 'processing')",
        order.id, order.total_currency,
    )  # fmt: skip
    request = ChooseSeatsRequest((SeatService("seat", segment, "pas_1", seat.designator),))

    with pytest.raises(Conflict, match="being paid"):
        await desk.choose(ALICE, order.id, request)

    after = await repository.get(order.id)
    assert isinstance(after, Order)
    assert [s.designator for s in after.seats] == ["99K"]
    assert await _still_free(airline, offer, seat.designator)
