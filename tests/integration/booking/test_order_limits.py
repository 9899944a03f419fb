"""A traveler's open-hold caps under real concurrent creates on real PostgreSQL: however many
requests race, exactly as many orders as the cap allows are held (booking/limits.py)."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import msgspec
import pytest

from booking.idempotency import PgIdempotencyStore, fingerprint
from booking.limits import OrderLimits
from booking.model import CreateOrderRequest
from booking.pg import Database
from booking.repository import PgOrderRepository
from booking.service import OrderService
from connectors.model import Offer, Passengers
from kernel.auth import Principal
from kernel.errors import LimitReached
from tests.fakes import FakeConnector, offer, segment
from tests.support.orders import ADA

ALICE = Principal("alice")
SUPPORT = Principal("agent-7", frozenset({"support"}))
# Ten flights, and one offer of four adults on the first of them.
OFFERS = [offer("500.00", segment(f"BA{100 + i}")) for i in range(10)]
FAMILY = msgspec.structs.replace(
    offer("900.00", segment("BA100"), supplier_id="family"), passengers=Passengers(adults=4)
)
LIMITS = OrderLimits(max_open_holds=5, max_held_seats=18, max_held_seats_per_flight=9)


@pytest.fixture
def repository(booking_pool: asyncpg.Pool) -> PgOrderRepository:
    # Ten creates of one traveler queue for its lock: on a busy machine the last one waits for
    # nine transactions, so a query timeout far above the usual one.
    return PgOrderRepository(Database(booking_pool, timeout_s=15.0))


@pytest.fixture
def service(repository: PgOrderRepository, booking_pool: asyncpg.Pool) -> OrderService:
    # Slow holds: every request's order is still `pending` while the others insert theirs.
    airline = FakeConnector(offers=[*OFFERS, FAMILY], delay=0.05)
    keys = PgIdempotencyStore(Database(booking_pool, timeout_s=15.0), lease_s=30.0)
    return OrderService(
        repository, keys, {"fake": airline}, price_timeout_s=5.0, hold_timeout_s=5.0, limits=LIMITS
    )


async def _create(service: OrderService, principal: Principal, key: str, for_offer: Offer) -> Any:
    # As many people as places: one person twice in one booking is refused (check_distinct).
    passengers = tuple(
        msgspec.structs.replace(ADA, given_name=f"Ada {chr(ord('A') + i)}")
        for i in range(for_offer.passengers.adults)
    )
    request = CreateOrderRequest(offer_id=for_offer.id, passengers=passengers)
    fp = fingerprint("POST", "/v1/orders", msgspec.to_builtins(request))
    try:
        return await service.create(principal, key, request, fp)
    except LimitReached as exc:
        return exc


async def _open_holds(repository: PgOrderRepository, owner: str) -> int:
    orders = await repository.list_orders(owner=owner, limit=100)
    return sum(o.status == "held" and o.payment_status == "unpaid" for o in orders)


async def test_ten_concurrent_holds_of_one_traveler_hold_exactly_the_cap(
    service: OrderService, repository: PgOrderRepository
) -> None:
    results = await asyncio.gather(
        *(_create(service, ALICE, f"k{i}", o) for i, o in enumerate(OFFERS))
    )

    refused = [r for r in results if isinstance(r, LimitReached)]
    assert sum(not isinstance(r, LimitReached) and r.status == 201 for r in results) == 5
    assert len(refused) == 5
    assert {(r.limit, r.extensions["maximum"]) for r in refused} == {("open_holds", 5)}
    assert await _open_holds(repository, "alice") == 5


async def test_concurrent_holds_on_one_flight_stop_at_its_seat_cap(
    service: OrderService, repository: PgOrderRepository
) -> None:
    results = await asyncio.gather(*(_create(service, ALICE, f"f{i}", FAMILY) for i in range(3)))

    refused = [r for r in results if isinstance(r, LimitReached)]
    assert [r.limit for r in refused] == ["held_seats_per_flight"]  # 4 + 4 held; 4 more is 12
    assert refused[0].extensions == {"limit": "held_seats_per_flight", "maximum": 9, "current": 8}
    assert await _open_holds(repository, "alice") == 2


async def test_a_paid_or_cancelled_hold_frees_its_place(
    service: OrderService, repository: PgOrderRepository
) -> None:
    for i in range(5):
        await _create(service, ALICE, f"k{i}", OFFERS[i])
    assert isinstance(await _create(service, ALICE, "k5", OFFERS[5]), LimitReached)
    [newest, *_] = await repository.list_orders(owner="alice", limit=1)

    await service.cancel(ALICE, newest.id)

    assert (await _create(service, ALICE, "k6", OFFERS[6])).status == 201


async def test_support_agents_are_not_held_to_the_traveler_caps(service: OrderService) -> None:
    results = await asyncio.gather(
        *(_create(service, SUPPORT, f"s{i}", o) for i, o in enumerate(OFFERS[:7]))
    )

    assert [r.status for r in results] == [201] * 7


async def test_a_hold_under_limits_makes_three_round_trips_to_postgresql(
    service: OrderService, statements: list[str]
) -> None:
    # The key's look-up (a read); the traveler's lock, the count of open holds under it, the
    # key's claim and the insert in one statement (booking/sql/0141_open_holds_under_lock.sql);
    # `held` in one statement. Issue 18: it was six (BEGIN with the lock, the count, the insert,
    # COMMIT), then three with the claim a commit of its own.
    response = await _create(service, ALICE, "k-trips", OFFERS[0])

    assert response.status == 201
    assert len(statements) == 3, statements
