"""Changing one journey of a booking: reshop (what it could become), change, and undo.

An airline's reservation system does this in one step per call, with no await in between, so
seats are never lost or counted twice: the new journey's seats are taken before the old ones
are given back, and the booking keeps its locator. A change is remembered by the caller's
`reference`: the same reference changes nothing twice, and `undo` puts the booking back as it
was before that change (the caller's compensation when something after the change failed).
Only a fare whose conditions allow changes (`sim.fares.CONDITIONS`) may change.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sim import errors
from sim.airline import Quote, SimAirline
from sim.bookings import Booking
from sim.fares import CONDITIONS, Money
from sim.inventory import leg_key
from sim.schedule import Flight
from sim.wire import JourneyRequest, ShoppingRequest, Travellers

Legs = tuple[tuple[Flight, dt.date], ...]


@dataclass(frozen=True)
class Itinerary:
    """What a change replaces and an undo restores."""

    legs: Legs
    journey_legs: tuple[int, ...]
    journey_prices: tuple[Money, ...]
    price: Money
    tickets: tuple[str, ...]

    @classmethod
    def of(cls, booking: Booking) -> Itinerary:
        return cls(
            booking.legs,
            _journey_legs(booking),
            _journey_prices(booking),
            booking.price,
            booking.tickets,
        )

    def journey(self, index: int) -> Legs:
        start = sum(self.journey_legs[:index])
        return self.legs[start : start + self.journey_legs[index]]


@dataclass
class Swap:
    """One change of a booking, by the caller's reference."""

    journey: int
    before: Itinerary
    after: Itinerary
    undone: bool = False


@dataclass(frozen=True)
class ChangeOption:
    """A fare for the new journey and what the whole booking would cost with it."""

    quote: Quote
    old_total: Money
    new_total: Money


class ChangeDesk:
    """Journey changes of one airline's bookings."""

    def __init__(self, airline: SimAirline) -> None:
        self._airline = airline

    def reshop(
        self, locator: str, journey: int, wanted: JourneyRequest, *, max_stops: int = 1
    ) -> list[ChangeOption]:
        booking = self._changeable(locator, journey)
        before = Itinerary.of(booking)
        request = ShoppingRequest(
            journeys=(wanted,),
            travellers=_travellers(booking),
            cabin=booking.cabin,
            max_stops=max_stops,
            currency=booking.price.currency,
        )
        kept = _without(before, journey)
        return [ChangeOption(q, booking.price, kept + q.price) for q in self._airline.shop(request)]

    def change(self, locator: str, journey: int, fare_id: str, reference: str) -> Booking:
        booking = self._airline.booking(locator)
        if reference in booking.changes:
            return booking  # this change was made (and maybe undone): nothing twice
        booking = self._changeable(locator, journey)
        quote, moved = self._airline.price(fare_id)
        if moved:
            raise errors.AirlineError(
                409, "price_changed", "the fare's price moved", price=quote.price
            )
        self._check_fits(booking, quote)
        before = Itinerary.of(booking)
        new_legs = tuple((leg.flight, leg.date) for leg in quote.journeys[0])
        if not self._airline.inventory.take(new_legs, booking.cabin, booking.seats):
            raise errors.sold_out()
        self._release(booking, before.journey(journey))
        counts = list(before.journey_legs)
        prices = list(before.journey_prices)
        start = sum(counts[:journey])
        legs = before.legs[:start] + new_legs + before.legs[start + counts[journey] :]
        counts[journey], prices[journey] = len(new_legs), quote.price
        booking.legs, booking.journey_legs = legs, tuple(counts)
        booking.journey_prices = tuple(prices)
        booking.price = _without(before, journey) + quote.price
        self._airline.desk.reissue(booking)
        booking.changes[reference] = Swap(journey, before, Itinerary.of(booking))
        return booking

    def undo(self, locator: str, reference: str) -> Booking:
        """Put the booking back as it was before change `reference`; undoing twice is not an
        error. 409 when the old flights sold out meanwhile."""
        booking = self._airline.booking(locator)
        swap = booking.changes.get(reference)
        if swap is None:
            raise errors.AirlineError(404, "change_not_found", f"no change {reference!r}")
        if swap.undone or booking.status == "CANCELLED":
            return booking
        old_legs = swap.before.journey(swap.journey)
        if not self._airline.inventory.take(old_legs, booking.cabin, booking.seats):
            raise errors.AirlineError(409, "sold_out", "the original flights are sold out")
        self._release(booking, swap.after.journey(swap.journey))
        before = swap.before
        booking.legs, booking.journey_legs = before.legs, before.journey_legs
        booking.journey_prices, booking.price = before.journey_prices, before.price
        booking.tickets = before.tickets  # the exchange is voided: the old tickets stand
        swap.undone = True
        return booking

    def _changeable(self, locator: str, journey: int) -> Booking:
        booking = self._airline.booking(locator)
        if booking.status == "CANCELLED":
            raise errors.AirlineError(409, "booking_cancelled", "cancelled or expired")
        if not 0 <= journey < len(_journey_legs(booking)):
            raise errors.bad_request(f"journey: the booking has {len(_journey_legs(booking))}")
        if not CONDITIONS[booking.cabin][1]:
            raise errors.AirlineError(422, "not_changeable", "the fare does not allow changes")
        return booking

    def _check_fits(self, booking: Booking, quote: Quote) -> None:
        key, travellers = quote.key, _travellers(booking)
        fits = (
            len(quote.journeys) == 1
            and key.cabin == booking.cabin
            and (key.adults, key.children, key.infants)
            == (travellers.ADT, travellers.CHD, travellers.INF)
            and key.currency == booking.price.currency
        )
        if not fits:
            raise errors.AirlineError(
                422, "invalid_fare", "the fare is not one journey for this booking's travellers"
            )

    def _release(self, booking: Booking, legs: Legs) -> None:
        self._airline.inventory.give_back(legs, booking.cabin, booking.seats)
        keys = [leg_key(f, d, booking.cabin) for f, d in legs]
        self._airline.inventory.ledger.release(booking.reference, keys)


def _journey_legs(booking: Booking) -> tuple[int, ...]:
    return booking.journey_legs or (len(booking.legs),)


def _journey_prices(booking: Booking) -> tuple[Money, ...]:
    return booking.journey_prices or (booking.price,)


def _without(itinerary: Itinerary, journey: int) -> Money:
    """The price of every journey but `journey`."""
    total = Money(itinerary.price.currency, 0, 0)
    for i, money in enumerate(itinerary.journey_prices):
        if i != journey:
            total = total + money
    return total


def _travellers(booking: Booking) -> Travellers:
    types = booking.passenger_types
    if not types:
        return Travellers(ADT=booking.seats)
    return Travellers(ADT=types.count("ADT"), CHD=types.count("CHD"), INF=types.count("INF"))
