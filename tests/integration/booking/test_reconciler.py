"""The reconciler against real PostgreSQL and a real sim airline: each fate of a pending order."""

from __future__ import annotations

import asyncio

import asyncpg
import msgspec
import pytest

from booking.idempotency import Claimed, PgIdempotencyStore, Replay, raise_stored
from booking.pg import Database
from booking.reconciler import NOT_FOUND, RELEASED, Reconciler
from booking.repository import PgOrderRepository
from kernel.errors import Conflict, Gone
from tests.support.airline_orders import (
    NAME,
    SLUG,
    AirlineOrders,
    events,
    history,
    request_fingerprint,
)
from tests.support.orders import new_order
from tests.support.sim import SimHandle


def reconciler(db: Database, airline: AirlineOrders, *, after_s: float = 0.0) -> Reconciler:
    return Reconciler(db, {NAME: airline.connector}, after_s=after_s, airline_timeout_s=1.0)


async def test_a_pending_order_held_at_the_airline_becomes_held_and_its_key_answers_201(
    db: Database,
    repository: PgOrderRepository,
    keys: PgIdempotencyStore,
    airline: AirlineOrders,
    booking_pool: asyncpg.Pool,
) -> None:
    order, key, offer = await airline.pending(repository, keys)
    hold = await airline.hold(order)  # ... and the process died before writing it down

    assert await reconciler(db, airline).reconcile_once() == 1

    held = await repository.get(order.id)
    assert held is not None
    assert (held.status, held.airline_locator) == ("held", hold.locator)
    assert held.payment_required_by == hold.payment_required_by
    assert await history(booking_pool, order.id) == [
        ("pending", "alice"),
        ("held", "reconciler"),
    ]
    assert await events(booking_pool, order.id) == ["order.created", "order.held"]
    replay = await keys.claim("alice", key, request_fingerprint(offer.id))
    assert isinstance(replay, Replay)
    assert replay.response.status == 201
    body = msgspec.json.decode(replay.response.body)
    assert (body["id"], body["status"], body["airline_locator"]) == (order.id, "held", hold.locator)


async def test_a_pending_order_the_airline_never_held_fails_and_its_key_answers_409(
    db: Database,
    repository: PgOrderRepository,
    keys: PgIdempotencyStore,
    airline: AirlineOrders,
    booking_pool: asyncpg.Pool,
) -> None:
    order, key, offer = await airline.pending(repository, keys)

    assert await reconciler(db, airline).reconcile_once() == 1

    failed = await repository.get(order.id)
    assert failed is not None
    assert (failed.status, failed.failure_reason) == ("failed", NOT_FOUND)
    assert await history(booking_pool, order.id) == [("pending", "alice"), ("failed", "reconciler")]
    assert await events(booking_pool, order.id) == ["order.created", "order.failed"]
    replay = await keys.claim("alice", key, request_fingerprint(offer.id))
    assert isinstance(replay, Replay)
    with pytest.raises(Conflict, match="the airline refused the hold"):
        raise_stored(replay.response)
    assert await airline.booking(order) is None  # and nothing was held by asking


async def test_a_pending_order_whose_hold_the_airline_released_fails_with_410(
    db: Database,
    repository: PgOrderRepository,
    keys: PgIdempotencyStore,
    airline: AirlineOrders,
) -> None:
    order, key, offer = await airline.pending(repository, keys)
    hold = await airline.hold(order)
    await airline.connector.cancel(hold.locator, timeout=2.0)

    assert await reconciler(db, airline).reconcile_once() == 1

    failed = await repository.get(order.id)
    assert failed is not None
    assert (failed.status, failed.failure_reason) == ("failed", RELEASED)
    replay = await keys.claim("alice", key, request_fingerprint(offer.id))
    assert isinstance(replay, Replay)
    with pytest.raises(Gone):
        raise_stored(replay.response)


async def test_a_pending_order_is_left_untouched_while_its_airline_is_unreachable(
    db: Database,
    repository: PgOrderRepository,
    keys: PgIdempotencyStore,
    airline: AirlineOrders,
    sim: SimHandle,
    booking_pool: asyncpg.Pool,
) -> None:
    order, key, _ = await airline.pending(repository, keys)
    hold = await airline.hold(order)
    await sim.set_profile(SLUG, error_rate=1.0)

    assert await reconciler(db, airline).reconcile_once() == 0

    assert await repository.get(order.id) == order
    assert await history(booking_pool, order.id) == [("pending", "alice")]
    assert await _answer_status(booking_pool, key) is None  # the key is still unanswered

    await sim.set_profile(SLUG, error_rate=0.0)  # back: the next round settles it
    assert await reconciler(db, airline).reconcile_once() == 1
    held = await repository.get(order.id)
    assert held is not None
    assert (held.status, held.airline_locator) == ("held", hold.locator)


async def test_orders_pending_for_less_than_after_s_are_not_asked_about(
    db: Database,
    repository: PgOrderRepository,
    keys: PgIdempotencyStore,
    airline: AirlineOrders,
) -> None:
    order, _, _ = await airline.pending(repository, keys)
    await airline.hold(order)

    assert await reconciler(db, airline, after_s=60).reconcile_once() == 0

    assert await repository.get(order.id) == order
    assert await airline.calls("retrieve") == 0


async def test_an_order_a_retry_is_resuming_is_left_to_that_retry(
    db: Database,
    repository: PgOrderRepository,
    keys: PgIdempotencyStore,
    airline: AirlineOrders,
) -> None:
    order, _, _ = await airline.pending(repository, keys, in_progress=True)  # the lease is live
    await airline.hold(order)

    assert await reconciler(db, airline).reconcile_once() == 0

    assert await repository.get(order.id) == order
    assert await airline.calls("retrieve") == 0


async def test_orders_of_a_connector_this_process_lacks_are_left_alone(
    db: Database, repository: PgOrderRepository, airline: AirlineOrders
) -> None:
    order = await repository.create(new_order(connector="elsewhere"), actor="alice")

    assert await reconciler(db, airline).reconcile_once() == 0

    assert await repository.get(order.id) == order


async def test_an_instant_order_held_by_the_reconciler_leaves_its_answer_to_the_retry(
    db: Database,
    repository: PgOrderRepository,
    keys: PgIdempotencyStore,
    airline: AirlineOrders,
    booking_pool: asyncpg.Pool,
) -> None:
    order, key, offer = await airline.pending(repository, keys, order_type="instant")
    await airline.hold(order)

    assert await reconciler(db, airline).reconcile_once() == 1

    held = await repository.get(order.id)
    assert held is not None
    assert (held.status, held.payment_status) == ("held", "unpaid")
    # No 201 stored: the retry resumes the order and starts its payment.
    claim = await keys.claim("alice", key, request_fingerprint(offer.id))
    assert claim == Claimed(order.id)


async def test_two_reconcilers_at_once_ask_the_airline_once_and_hold_the_order_once(
    db: Database,
    repository: PgOrderRepository,
    keys: PgIdempotencyStore,
    airline: AirlineOrders,
    sim: SimHandle,
    booking_pool: asyncpg.Pool,
) -> None:
    order, _, _ = await airline.pending(repository, keys)
    await airline.hold(order)
    await sim.set_profile(SLUG, latency_ms=100)  # both rounds overlap the airline call

    settled = await asyncio.gather(
        reconciler(db, airline).reconcile_once(), reconciler(db, airline).reconcile_once()
    )

    assert sorted(settled) == [0, 1]
    assert await airline.calls("retrieve") == 1
    assert await history(booking_pool, order.id) == [("pending", "alice"), ("held", "reconciler")]
    assert await events(booking_pool, order.id) == ["order.created", "order.held"]


async def _answer_status(pool: asyncpg.Pool, key: str) -> int | None:
    status: int | None = await pool.fetchval(
        "SELECT response_status FROM idempotency_keys WHERE key = $1", key
    )
    return status
