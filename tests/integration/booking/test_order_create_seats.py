"""Seats asked for with a new order (`services`), over real PostgreSQL and a REST sim airline
reached over sockets: priced into the total, held with the order, and nothing half-written when
the airline gives the seat to someone else between the check and the hold."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import msgspec
import pytest

from booking.airline import hold_passenger
from booking.idempotency import PgIdempotencyStore, StoredResponse, fingerprint
from booking.model import CreateOrderRequest, OrderSeat, Passenger, SeatService
from booking.pg import Database
from booking.reconciler import Reconciler
from booking.repository import PgOrderRepository
from booking.service import OrderService
from connectors import offer_ids
from connectors.base import Connector
from connectors.model import Offer, Passengers
from connectors.seat_model import SeatFacts, SeatMaps, SeatSelection, segment_id_of
from kernel.auth import Principal
from kernel.errors import Conflict, NotFound, ValidationFailed
from tests.support.airline_orders import NAME, TIMEOUT_S, AirlineOrders
from tests.support.flights import query
from tests.support.orders import ADA, new_order

ALICE = Principal(subject="alice-seats")
BOB = Principal(subject="bob-seats")
TIM = Passenger("child", "Tim", "Lovelace", dt.date.today() - dt.timedelta(days=8 * 365), "m")
BABY = Passenger("infant", "Ivy", "Lovelace", dt.date.today() - dt.timedelta(days=200), "f")


class TakenMeanwhile:
    """The real connector, with another traveler (`rival`, a booking of the same flight) taking
    `seat` at the airline right after our seat check read the map: the race of two travelers,
    made to happen at one exact moment."""

    def __init__(self, inner: Connector) -> None:
        self.inner = inner
        self.rival = ""
        self.seat = ""
        self.name = inner.name
        self.kind = inner.kind

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    async def seat_maps(self, supplier_offer_id: str, *, timeout: float) -> SeatMaps:
        maps = await self.inner.seat_maps(supplier_offer_id, timeout=timeout)
        await self.inner.select_seats(
            self.rival, [SeatSelection(0, 0, self.seat)], timeout=TIMEOUT_S
        )
        return maps


def _service(
    repository: PgOrderRepository, keys: PgIdempotencyStore, connector: Any
) -> OrderService:
    return OrderService(
        repository, keys, {NAME: connector}, price_timeout_s=2.0, hold_timeout_s=2.0
    )


async def _create(
    service: OrderService,
    offer: Offer,
    services: Sequence[SeatService],
    *,
    principal: Principal = ALICE,
    passengers: tuple[Passenger, ...] = (ADA,),
    key: str = "",
) -> StoredResponse:
    request = CreateOrderRequest(offer_id=offer.id, passengers=passengers, services=tuple(services))
    fp = fingerprint("POST", "/v1/orders", msgspec.to_builtins(request))
    return await service.create(principal, key or str(uuid.uuid4()), request, fp)


async def _offer(airline: AirlineOrders, **mix: int) -> Offer:
    """The cheapest nonstop offer for this passenger mix, on a day of its own."""
    airline._days += 1
    found = query(("LHR", "JFK", airline._days), passengers=Passengers(**mix), stops=0)
    offers = await airline.connector.search(found, timeout=TIMEOUT_S)
    return min(offers, key=lambda o: o.total_amount)


async def _seats(airline: AirlineOrders, offer: Offer) -> list[SeatFacts]:
    maps = await airline.connector.seat_maps(offer_ids.decode(offer.id)[1], timeout=TIMEOUT_S)
    return [
        place.seat
        for cabin in maps.legs[0].cabins
        for row in cabin.rows
        for section in row.sections
        for place in section
        if place.seat is not None and place.seat.available
    ]


def _seat(segment: str, designator: str, passenger: str = "pas_1") -> SeatService:
    return SeatService("seat", segment, passenger, designator)


async def test_a_paid_seat_is_held_with_the_order_and_priced_into_its_total(
    repository: PgOrderRepository, keys: PgIdempotencyStore, airline: AirlineOrders
) -> None:
    service = _service(repository, keys, airline.connector)
    offer = await airline.offer()
    segment = segment_id_of(offer.slices[0].segments[0])
    paid = next(s for s in await _seats(airline, offer) if s.prices.get("adult", 0) > 0)

    answer = msgspec.json.decode(
        (await _create(service, offer, [_seat(segment, paid.designator.lower())])).body
    )

    assert answer["status"] == "held"
    assert Decimal(answer["total_amount"]) == offer.total_amount + paid.prices["adult"]
    assert [(s["passenger_id"], s["designator"]) for s in answer["seats"]] == [
        ("pas_1", paid.designator)
    ]
    order = await repository.get(answer["id"])
    assert order is not None
    assert order.seats[0].total_amount == paid.prices["adult"]
    mine = await airline.connector.booking_seat_maps(order.airline_locator or "", timeout=2.0)
    others = await _seats(airline, offer)
    assert paid.designator not in {s.designator for s in others}  # taken for everyone else
    assert any(
        p.seat is not None and p.seat.designator == paid.designator and p.seat.available
        for c in mine.legs[0].cabins
        for r in c.rows
        for sec in r.sections
        for p in sec
    )  # and shown available to its own booking


async def test_a_seat_taken_after_the_check_releases_the_hold_and_creates_nothing_visible(
    repository: PgOrderRepository, keys: PgIdempotencyStore, airline: AirlineOrders
) -> None:
    racing = TakenMeanwhile(airline.connector)
    service = _service(repository, keys, racing)
    first = await airline.offer()
    rival = await airline.connector.hold(
        offer_ids.decode(first.id)[1],
        [hold_passenger(ADA)],
        reference=f"rival-{uuid.uuid4().hex[:8]}",
        timeout=TIMEOUT_S,
    )
    racing.rival = rival.locator
    # Our offer: the same flight, priced after the rival's hold (so our price holds).
    again = await airline.connector.search(
        query(("LHR", "JFK", airline._days), stops=0), timeout=TIMEOUT_S
    )
    flight = first.slices[0].segments[0].flight_number
    offer = next(o for o in again if o.slices[0].segments[0].flight_number == flight)
    segment = segment_id_of(offer.slices[0].segments[0])
    racing.seat = (await _seats(airline, offer))[0].designator
    key = str(uuid.uuid4())
    left_before = await airline.seats_left(offer)

    with pytest.raises(Conflict) as refused:
        await _create(service, offer, [_seat(segment, racing.seat)], key=key)

    assert racing.seat in refused.value.detail
    assert refused.value.extensions["seats"] == [racing.seat]
    # Our hold went back to the airline: nothing of our order stays.
    assert await airline.seats_left(offer) == left_before
    with pytest.raises(Conflict):  # the key replays the refusal, creating nothing
        await _create(service, offer, [_seat(segment, racing.seat)], key=key)
    listed = await service.list_orders(ALICE, limit=10, after=None)
    assert all(o.offer_id != offer.id for o in listed[0])


async def test_two_travelers_booking_one_seat_at_once_exactly_one_gets_it(
    repository: PgOrderRepository, keys: PgIdempotencyStore, airline: AirlineOrders
) -> None:
    service = _service(repository, keys, airline.connector)
    offer = await airline.offer()
    segment = segment_id_of(offer.slices[0].segments[0])
    seat = (await _seats(airline, offer))[0].designator

    answers = await asyncio.gather(
        _create(service, offer, [_seat(segment, seat)], principal=ALICE),
        _create(service, offer, [_seat(segment, seat)], principal=BOB),
        return_exceptions=True,
    )

    won = [a for a in answers if isinstance(a, StoredResponse)]
    lost = [a for a in answers if isinstance(a, Conflict)]
    # The loser hears 409: the seat taken, or (its hold coming second) the price the
    # winner's hold moved; either way nothing of its order is left.
    assert (len(won), len(lost)) == (1, 1), answers
    winner = msgspec.json.decode(won[0].body)
    assert [s["designator"] for s in winner["seats"]] == [seat]
    assert seat not in {s.designator for s in await _seats(airline, offer)}
    loser = (
        BOB
        if winner["id"]
        in {o.id for o in (await service.list_orders(ALICE, limit=9, after=None))[0]}
        else ALICE
    )
    assert (await service.list_orders(loser, limit=9, after=None))[0] == []


async def test_seats_are_checked_before_anything_is_written(
    repository: PgOrderRepository, keys: PgIdempotencyStore, airline: AirlineOrders
) -> None:
    service = _service(repository, keys, airline.connector)
    offer = await _offer(airline, adults=1, children=1)
    segment = segment_id_of(offer.slices[0].segments[0])
    exit_seat = next(
        s.designator for s in await _seats(airline, offer) if "exit_row_child" in s.restrictions
    )

    with pytest.raises(ValidationFailed) as failed:
        await _create(
            service,
            offer,
            [
                _seat("seg_unknown", "1A"),
                _seat(segment, "1A", "pas_3"),
                _seat(segment, exit_seat, "pas_2"),
            ],
            passengers=(ADA, TIM),
        )

    assert [e.field for e in failed.value.errors] == [
        "services[0].segment_id",
        "services[1].passenger_id",
    ]
    with pytest.raises(ValidationFailed) as rule:
        await _create(service, offer, [_seat(segment, exit_seat, "pas_2")], passengers=(ADA, TIM))
    assert rule.value.errors[0].field == "services[0].designator"
    assert rule.value.errors[0].message.startswith("exit_row_child")
    with pytest.raises(ValidationFailed) as missing:
        await _create(service, offer, [_seat(segment, "99Z")], passengers=(ADA, TIM))
    assert missing.value.errors[0].field == "services[0].designator"
    orders, _ = await service.list_orders(ALICE, limit=10, after=None)
    assert all(o.offer_id != offer.id for o in orders)


async def test_an_exit_row_for_the_adult_carrying_an_infant_is_422_naming_the_rule(
    repository: PgOrderRepository, keys: PgIdempotencyStore, airline: AirlineOrders
) -> None:
    service = _service(repository, keys, airline.connector)
    offer = await _offer(airline, adults=1, infants=1)
    segment = segment_id_of(offer.slices[0].segments[0])
    exit_seat = next(
        s.designator for s in await _seats(airline, offer) if "exit_row_infant" in s.restrictions
    )

    with pytest.raises(ValidationFailed) as failed:
        await _create(service, offer, [_seat(segment, exit_seat)], passengers=(ADA, BABY))
    with pytest.raises(ValidationFailed) as lap:
        await _create(service, offer, [_seat(segment, "1A", "pas_2")], passengers=(ADA, BABY))

    assert failed.value.errors[0].message.startswith("exit_row_infant")
    assert lap.value.errors[0].field == "services[0].passenger_id"
    with pytest.raises(NotFound):
        await service.get(ALICE, "ord_" + "0" * 24)


async def test_the_reconciler_gives_a_pending_order_the_seats_it_asked_for(
    db: Database, repository: PgOrderRepository, airline: AirlineOrders
) -> None:
    offer = await airline.offer()
    segment = segment_id_of(offer.slices[0].segments[0])
    paid = next(s for s in await _seats(airline, offer) if s.prices.get("adult", 0) > 0)
    price = paid.prices["adult"]
    asked = (OrderSeat(segment, "pas_1", paid.designator, price, offer.total_currency),)
    new = new_order(
        ALICE.subject,
        offer_id=offer.id,
        connector=NAME,
        total_amount=offer.total_amount + price,
        slices=offer.slices,
        seats=asked,
    )
    order = await repository.create(new, actor=ALICE.subject)
    hold = await airline.hold(order)  # ... and the process died before the seats were given

    reconciler = Reconciler(db, {NAME: airline.connector}, after_s=0.0, airline_timeout_s=2.0)
    assert await reconciler.reconcile_once() == 1

    held = await repository.get(order.id)
    assert held is not None
    assert (held.status, held.seats) == ("held", asked)
    assert held.total_amount == hold.total_amount + price
    assert paid.designator not in {s.designator for s in await _seats(airline, offer)}
