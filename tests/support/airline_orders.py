"""Orders at a real sim airline, for the reconciler and hold sweeper tests.

`async with running_airline(sim) as airline:` gives Britannia's connector (the production one:
resilience layer included) with the moves these tests repeat: a fresh offer, a pending order for
it (its Idempotency-Key claimed, as `POST /v1/orders` leaves it), a hold made at the airline under
the order's id, a held order, and what the airline says about its seats and bookings.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import aiohttp
import asyncpg

from booking.airline import hold_passenger
from booking.idempotency import Fingerprint, PgIdempotencyStore, fingerprint
from booking.model import Order, OrderType
from booking.repository import PgOrderRepository
from booking.state import Change
from connectors import errors, offer_ids
from connectors.base import Connector
from connectors.model import Hold, Offer
from connectors.registry import build_connectors
from tests.support.flights import query
from tests.support.orders import new_order
from tests.support.sim import SimHandle
from tests.support.waits import WAIT_S

SLUG = "britannia"
NAME = f"rest-{SLUG}"
TIMEOUT_S = 2.0
CABIN_CODES = {"economy": "Y", "premium_economy": "W", "business": "C", "first": "F"}
T = TypeVar("T")


async def until(probe: Callable[[], Awaitable[T]], *, timeout_s: float = WAIT_S) -> T:
    """Poll `probe` until it answers something truthy; that answer (TimeoutError after
    `timeout_s`)."""
    async with asyncio.timeout(timeout_s):
        while True:
            if value := await probe():
                return value
            await asyncio.sleep(0.01)


def request_fingerprint(offer_id: str) -> Fingerprint:
    return fingerprint("POST", "/v1/orders", {"offer_id": offer_id})


class AirlineOrders:
    """Britannia (a REST sim airline) and the orders of these tests at it."""

    def __init__(self, sim: SimHandle, connector: Connector, session: aiohttp.ClientSession):
        self.sim = sim
        self.connector = connector
        self._session = session
        self._days = 20

    async def offer(self) -> Offer:
        """The cheapest nonstop LHR→JFK offer, each call on another day: an order moves its
        flight's price, and the next order must not meet a changed price."""
        self._days += 1
        offers = await self.connector.search(
            query(("LHR", "JFK", self._days), stops=0), timeout=TIMEOUT_S
        )
        assert offers, f"no Britannia offer {self._days} days ahead"
        return min(offers, key=lambda o: o.total_amount)

    async def pending(
        self,
        repository: PgOrderRepository,
        keys: PgIdempotencyStore,
        *,
        owner: str = "alice",
        order_type: OrderType = "hold",
        in_progress: bool = False,
    ) -> tuple[Order, str, Offer]:
        """A `pending` order for a fresh offer, created as `POST /v1/orders` creates it; its
        request is over (the key's lease released, as after a crash once the lease lapsed)
        unless `in_progress`."""
        offer = await self.offer()
        key = str(uuid.uuid4())
        await keys.claim(owner, key, request_fingerprint(offer.id))
        new = new_order(
            owner,
            type=order_type,
            offer_id=offer.id,
            connector=NAME,
            total_amount=offer.total_amount,
            slices=offer.slices,
        )
        order = await repository.create(new, actor=owner, idempotency_key=key)
        if not in_progress:
            await keys.release(owner, key)
        return order, key, offer

    async def hold(self, order: Order) -> Hold:
        """Hold the order's seats at the airline under its id, as the order request does."""
        passengers = [hold_passenger(p) for p in order.passengers]
        return await self.connector.hold(
            offer_ids.decode(order.offer_id)[1],
            passengers,
            reference=order.id,
            timeout=TIMEOUT_S,
        )

    async def held(
        self,
        repository: PgOrderRepository,
        keys: PgIdempotencyStore,
        *,
        pay_by: dt.datetime,
    ) -> tuple[Order, Offer]:
        """A `held` order (held at the airline too) whose deadline is `pay_by`."""
        order, _, offer = await self.pending(repository, keys)
        hold = await self.hold(order)
        change = Change(
            from_status=("pending",),
            to_status="held",
            reason="held at the airline",
            airline_locator=hold.locator,
            payment_required_by=pay_by,
        )
        held = await repository.transition(order.id, change, actor="booking")
        assert held is not None
        return held, offer

    async def booking(self, order: Order) -> Hold | None:
        """The airline's booking for `order`, None when it has none."""
        try:
            return await self.connector.retrieve(order.id, timeout=TIMEOUT_S)
        except errors.HoldNotFound:
            return None

    async def seats_left(self, offer: Offer) -> int:
        """Seats the airline has left on the fullest leg of the offer's flights."""
        left = []
        for leg in _legs(offer):
            async with self._session.get(self.sim.url + "/_sim/inventory", params=leg) as answer:
                answer.raise_for_status()
                left.append(int((await answer.json())["seats_left"]))
        return min(left)

    async def calls(self, endpoint: str) -> int:
        """How many `endpoint` calls (retrieve, cancel, bookings, ...) the airline received."""
        return (await self.sim.stats())[SLUG][endpoint]


def _legs(offer: Offer) -> list[dict[str, Any]]:
    return [
        {
            "carrier": segment.marketing_carrier,
            "number": segment.flight_number[2:],
            "date": segment.departing_at.date().isoformat(),
            "cabin": CABIN_CODES[segment.cabin_class],
        }
        for piece in offer.slices
        for segment in piece.segments
    ]


@asynccontextmanager
async def running_airline(sim: SimHandle) -> AsyncIterator[AirlineOrders]:
    [settings] = [s for s in sim.connector_settings() if s.name == NAME]
    [connector] = build_connectors([settings])
    await connector.start()
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
            yield AirlineOrders(sim, connector, session)
    finally:
        await connector.close()


async def history(pool: asyncpg.Pool, order_id: str) -> list[tuple[str, str]]:
    """The order's history as (to_status, actor) pairs, oldest first."""
    rows = await pool.fetch(
        "SELECT to_status, actor FROM order_history WHERE order_id = $1 ORDER BY id", order_id
    )
    return [(row["to_status"], row["actor"]) for row in rows]


async def events(pool: asyncpg.Pool, order_id: str) -> list[str]:
    rows = await pool.fetch("SELECT type FROM outbox WHERE order_id = $1 ORDER BY id", order_id)
    return [row["type"] for row in rows]
