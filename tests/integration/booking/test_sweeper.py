"""The hold sweeper against real PostgreSQL and a real sim airline: expiry, guards, races."""

from __future__ import annotations

import asyncio
import datetime as dt

import asyncpg
import pytest

from booking.idempotency import PgIdempotencyStore
from booking.model import PaymentStatus
from booking.pg import Database
from booking.repository import PgOrderRepository
from booking.state import Change
from booking.sweeper import HoldSweeper
from tests.support.airline_orders import (
    NAME,
    SLUG,
    AirlineOrders,
    events,
    history,
    until,
)
from tests.support.sim import SimHandle

PAST = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
FUTURE = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)


def sweeper(db: Database, airline: AirlineOrders) -> HoldSweeper:
    return HoldSweeper(db, {NAME: airline.connector}, airline_timeout_s=1.0)


async def test_an_unpaid_hold_past_its_deadline_is_released_at_the_airline_and_expires(
    db: Database,
    repository: PgOrderRepository,
    keys: PgIdempotencyStore,
    airline: AirlineOrders,
    booking_pool: asyncpg.Pool,
) -> None:
    order, offer = await airline.held(repository, keys, pay_by=PAST)
    seats_while_held = await airline.seats_left(offer)

    assert await sweeper(db, airline).sweep_once() == 1

    expired = await repository.get(order.id)
    assert expired is not None
    assert (expired.status, expired.payment_status) == ("expired", "unpaid")
    booking = await airline.booking(order)
    assert booking is not None
    assert booking.status == "cancelled"
    assert await airline.seats_left(offer) == seats_while_held + 1
    assert await history(booking_pool, order.id) == [
        ("pending", "alice"),
        ("held", "booking"),
        ("expired", "sweeper"),
    ]
    assert (await events(booking_pool, order.id))[-1] == "order.expired"


@pytest.mark.parametrize(("payment", "expires"), [("failed", True), ("processing", False)])
async def test_a_hold_expires_only_while_no_payment_is_processing(
    db: Database,
    repository: PgOrderRepository,
    keys: PgIdempotencyStore,
    airline: AirlineOrders,
    payment: PaymentStatus,
    expires: bool,
) -> None:
    order, _ = await airline.held(repository, keys, pay_by=PAST)
    paying = Change(
        from_status=("held",), from_payment=("unpaid",), to_payment=payment, reason="test"
    )
    assert await repository.transition(order.id, paying, actor="payments") is not None

    assert await sweeper(db, airline).sweep_once() == int(expires)

    after = await repository.get(order.id)
    assert after is not None
    assert (after.status, after.payment_status) == ("expired" if expires else "held", payment)
    booking = await airline.booking(order)
    assert booking is not None
    assert booking.status == ("cancelled" if expires else "held")


async def test_a_paid_order_past_its_deadline_is_never_expired(
    db: Database,
    repository: PgOrderRepository,
    keys: PgIdempotencyStore,
    airline: AirlineOrders,
) -> None:
    order, _ = await airline.held(repository, keys, pay_by=PAST)
    paid = Change(from_status=("held",), from_payment=("unpaid",), to_payment="paid", reason="t")
    assert await repository.transition(order.id, paid, actor="payments") is not None

    assert await sweeper(db, airline).sweep_once() == 0

    after = await repository.get(order.id)
    assert after is not None
    assert (after.status, after.payment_status) == ("held", "paid")
    assert await airline.calls("cancel") == 0


async def test_a_hold_before_its_deadline_is_left_alone(
    db: Database,
    repository: PgOrderRepository,
    keys: PgIdempotencyStore,
    airline: AirlineOrders,
) -> None:
    order, _ = await airline.held(repository, keys, pay_by=FUTURE)

    assert await sweeper(db, airline).sweep_once() == 0

    assert await repository.get(order.id) == order
    assert await airline.calls("cancel") == 0


async def test_a_hold_stays_held_while_the_airline_cannot_cancel_it_and_expires_after(
    db: Database,
    repository: PgOrderRepository,
    keys: PgIdempotencyStore,
    airline: AirlineOrders,
    sim: SimHandle,
    booking_pool: asyncpg.Pool,
) -> None:
    order, _ = await airline.held(repository, keys, pay_by=PAST)
    await sim.set_profile(SLUG, error_rate=1.0)

    assert await sweeper(db, airline).sweep_once() == 0

    assert await repository.get(order.id) == order
    assert [status for status, _ in await history(booking_pool, order.id)][-1] == "held"

    await sim.set_profile(SLUG, error_rate=0.0)
    assert await sweeper(db, airline).sweep_once() == 1
    expired = await repository.get(order.id)
    assert expired is not None
    assert expired.status == "expired"


async def test_two_sweepers_at_once_cancel_at_the_airline_once_and_expire_once(
    db: Database,
    repository: PgOrderRepository,
    keys: PgIdempotencyStore,
    airline: AirlineOrders,
    sim: SimHandle,
    booking_pool: asyncpg.Pool,
) -> None:
    order, _ = await airline.held(repository, keys, pay_by=PAST)
    await sim.set_profile(SLUG, latency_ms=100)  # both rounds overlap the airline call

    expired = await asyncio.gather(
        sweeper(db, airline).sweep_once(), sweeper(db, airline).sweep_once()
    )

    assert sorted(expired) == [0, 1]
    assert await airline.calls("cancel") == 1
    assert (await history(booking_pool, order.id))[-2:] == [
        ("held", "booking"),
        ("expired", "sweeper"),
    ]
    assert (await events(booking_pool, order.id)).count("order.expired") == 1


async def test_a_payment_starting_while_its_hold_is_swept_finds_the_order_expired(
    db: Database,
    repository: PgOrderRepository,
    keys: PgIdempotencyStore,
    airline: AirlineOrders,
    sim: SimHandle,
) -> None:
    order, _ = await airline.held(repository, keys, pay_by=PAST)
    await sim.set_profile(SLUG, latency_ms=200)  # the sweep holds the order's row meanwhile
    sweep = asyncio.create_task(sweeper(db, airline).sweep_once())
    await until(lambda: airline.calls("cancel"))  # the sweep has claimed the order

    paying = Change(
        from_status=("held",), from_payment=("unpaid",), to_payment="processing", reason="t"
    )
    started = await repository.transition(order.id, paying, actor="payments")

    assert started is None  # it waited for the sweep, then its guard failed
    assert await sweep == 1
    after = await repository.get(order.id)
    assert after is not None
    assert (after.status, after.payment_status) == ("expired", "unpaid")
