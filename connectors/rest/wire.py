"""The REST airline's own JSON shapes (sim/REST_API.md), decoding only the fields we map."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

import msgspec

CabinCode = Literal["Y", "W", "C", "F"]
BookingStatus = Literal["HELD", "TICKETED", "CANCELLED"]


class Journey(msgspec.Struct, frozen=True):
    origin: str = msgspec.field(name="from")
    destination: str = msgspec.field(name="to")
    date: dt.date


class Travellers(msgspec.Struct, frozen=True):
    ADT: int = 1
    CHD: int = 0
    INF: int = 0


class ShoppingRequest(msgspec.Struct, frozen=True):
    journeys: tuple[Journey, ...]
    travellers: Travellers
    cabin: CabinCode
    max_stops: int
    currency: str


class Price(msgspec.Struct, frozen=True):
    currency: str
    base: Decimal
    taxes: Decimal
    total: Decimal


class CheckedBags(msgspec.Struct, frozen=True):
    pieces: int
    max_kg: int | None = None


class CabinBags(msgspec.Struct, frozen=True):
    pieces: int


class Baggage(msgspec.Struct, frozen=True):
    """Bags included per traveller on a leg; a part left out is a part not stated."""

    checked: CheckedBags | None = None
    cabin: CabinBags | None = None


class Leg(msgspec.Struct, frozen=True):
    carrier: str
    number: str
    origin: str = msgspec.field(name="from")
    destination: str = msgspec.field(name="to")
    depart_local: dt.datetime
    arrive_local: dt.datetime
    equipment: str
    cabin: CabinCode
    baggage: Baggage | None = None  # sellers that do not know leave it out


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


class BookingPassenger(msgspec.Struct, frozen=True, omit_defaults=True):
    type: Literal["ADT", "CHD", "INF"]
    first_name: str
    last_name: str
    birth_date: dt.date
    gender: Literal["M", "F", "X"]
    lap_infant: int | None = None  # an adult's infant: its 0-based index in `passengers`


class BookingRequest(msgspec.Struct, frozen=True):
    fare_id: str
    reference: str
    passengers: tuple[BookingPassenger, ...]


class Booking(msgspec.Struct, frozen=True):
    locator: str
    reference: str
    status: BookingStatus
    price: Price
    pay_by: dt.datetime
    tickets: tuple[str, ...] = ()


class BookingResponse(msgspec.Struct, frozen=True):
    booking: Booking


class ErrorBody(msgspec.Struct, frozen=True):
    code: str
    message: str = ""
    price: Price | None = None


class ErrorResponse(msgspec.Struct, frozen=True):
    error: ErrorBody
