"""The REST airline's JSON shapes (REST_API.md), server side, and the mapping onto them.

They mirror `connectors/rest/wire.py` on purpose and share nothing with it: the sim is the
airline, an independent implementation of REST_API.md, so a wire mistake in the connector shows
up as a failing integration test instead of being agreed to by both sides through one Struct.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

import msgspec

from sim.baggage import allowance
from sim.catalog import Cabin
from sim.fares import Money, decimal_amount
from sim.journeys import duration_minutes
from sim.schedule import LegInstance

Code = Annotated[str, msgspec.Meta(pattern="^[A-Z]{3}$")]
Count = Annotated[int, msgspec.Meta(ge=0, le=99)]


class JourneyRequest(msgspec.Struct, frozen=True):
    origin: Code = msgspec.field(name="from")
    destination: Code = msgspec.field(name="to")
    date: dt.date


class Travellers(msgspec.Struct, frozen=True):
    ADT: Count = 1
    CHD: Count = 0
    INF: Count = 0

    @property
    def seated(self) -> int:
        return self.ADT + self.CHD


class ShoppingRequest(msgspec.Struct, frozen=True):
    journeys: Annotated[tuple[JourneyRequest, ...], msgspec.Meta(min_length=1, max_length=6)]
    travellers: Travellers = Travellers()
    cabin: Cabin = "Y"
    max_stops: Annotated[int, msgspec.Meta(ge=0)] = 1
    currency: str = "USD"


class PricingRequest(msgspec.Struct, frozen=True):
    fare_id: str


class BookingPassenger(msgspec.Struct, frozen=True):
    type: Literal["ADT", "CHD", "INF"]
    first_name: Annotated[str, msgspec.Meta(min_length=1)]
    last_name: Annotated[str, msgspec.Meta(min_length=1)]
    birth_date: dt.date
    gender: Literal["M", "F", "X"]
    # An adult's infant on their lap: the infant's 0-based index in the request's passengers.
    # Infants no adult names sit on the laps of the adults who name none, in order.
    lap_infant: Annotated[int, msgspec.Meta(ge=0)] | None = None


class BookingRequest(msgspec.Struct, frozen=True):
    fare_id: str
    reference: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    passengers: Annotated[tuple[BookingPassenger, ...], msgspec.Meta(min_length=1)]


class Price(msgspec.Struct, frozen=True):
    currency: str
    base: Decimal
    taxes: Decimal
    total: Decimal


class CheckedBags(msgspec.Struct, frozen=True, omit_defaults=True):
    pieces: int
    max_kg: int | None = None  # per piece; none stated when no piece is included


class CabinBags(msgspec.Struct, frozen=True):
    pieces: int


class Baggage(msgspec.Struct, frozen=True):
    """Included per traveller on the leg; a zero-piece `checked` is "no checked bag"."""

    checked: CheckedBags
    cabin: CabinBags


class Leg(msgspec.Struct, frozen=True):
    carrier: str
    number: str
    origin: str = msgspec.field(name="from")
    destination: str = msgspec.field(name="to")
    depart_local: dt.datetime
    arrive_local: dt.datetime
    depart_utc: dt.datetime
    arrive_utc: dt.datetime
    equipment: str
    cabin: Cabin
    # The sim's sellers always state it (the consolidator passes on the operating carrier's);
    # REST_API.md lets a seller that does not know leave it out.
    baggage: Baggage


class FareJourney(msgspec.Struct, frozen=True):
    duration_minutes: int
    legs: tuple[Leg, ...]


class Fare(msgspec.Struct, frozen=True):
    fare_id: str
    valid_until: dt.datetime
    price: Price
    seats_left: int
    travellers: Travellers
    refundable: bool
    changeable: bool
    journeys: tuple[FareJourney, ...]


class ShoppingResponse(msgspec.Struct, frozen=True):
    fares: tuple[Fare, ...]


class PricingResponse(msgspec.Struct, frozen=True):
    fare: Fare
    price_changed: bool


class Carrier(msgspec.Struct, frozen=True):
    code: str
    name: str


class NetworkResponse(msgspec.Struct, frozen=True):
    carrier: Carrier
    airports: tuple[str, ...]


class Booking(msgspec.Struct, frozen=True):
    locator: str
    reference: str
    status: Literal["HELD", "TICKETED", "CANCELLED"]
    price: Price
    pay_by: dt.datetime
    tickets: tuple[str, ...]


class BookingResponse(msgspec.Struct, frozen=True):
    booking: Booking


class ErrorBody(msgspec.Struct, frozen=True, omit_defaults=True):
    code: str
    message: str
    price: Price | None = None


class ErrorResponse(msgspec.Struct, frozen=True):
    error: ErrorBody


def price(money: Money) -> Price:
    return Price(
        currency=money.currency,
        base=decimal_amount(money.base),
        taxes=decimal_amount(money.taxes),
        total=decimal_amount(money.total),
    )


def baggage(carrier: str, cabin: Cabin) -> Baggage:
    bags = allowance(carrier, cabin)
    checked = CheckedBags(bags.checked, bags.checked_kg if bags.checked else None)
    return Baggage(checked, CabinBags(bags.carry_on))


def journey(legs: tuple[LegInstance, ...], cabin: Cabin) -> FareJourney:
    return FareJourney(
        duration_minutes=duration_minutes(legs),
        legs=tuple(
            Leg(
                carrier=leg.flight.carrier,
                number=leg.flight.number,
                origin=leg.flight.origin,
                destination=leg.flight.destination,
                depart_local=leg.depart_local,
                arrive_local=leg.arrive_local,
                depart_utc=leg.depart_utc,
                arrive_utc=leg.arrive_utc,
                equipment=leg.flight.equipment,
                cabin=cabin,
                baggage=baggage(leg.flight.carrier, cabin),
            )
            for leg in legs
        ),
    )
