"""Domain types shared by every connector: the query an airline receives and the offers it returns.

They are frozen msgspec Structs so that one encoder turns them into the API's public JSON and
nothing re-shapes them on the way out. Money is `Decimal` (msgspec encodes it as a string); segment
times are the airport's local time without offset, as airlines print them; `expires_at` is UTC.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

import msgspec

CabinClass = Literal["economy", "premium_economy", "business", "first"]
ConnectorKind = Literal["rest", "soap", "ndc"]
CABIN_CLASSES: tuple[CabinClass, ...] = ("economy", "premium_economy", "business", "first")

# How an airport code looks in a request: three ASCII letters, any case. Validators enforce it
# with their own messages (naming every bad field); this is what the OpenAPI document says, its
# `format` naming the vocabulary (a fuzzer draws real airports for it).
AIRPORT_CODE_SCHEMA: dict[str, Any] = {
    "type": "string",
    "pattern": "^[A-Za-z]{3}$",
    "format": "iata-airport",
}
AirportCode = Annotated[str, msgspec.Meta(extra_json_schema=AIRPORT_CODE_SCHEMA)]


def count_schema(low: int, high: int) -> Any:
    """An int documented as `low`..`high` (enforced by the validators, not by decoding)."""
    return msgspec.Meta(extra_json_schema={"minimum": low, "maximum": high})


class Passengers(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """At most 9 seated (adults + children); infants travel on a lap, at most one per adult."""

    adults: Annotated[int, count_schema(1, 9)] = 1
    children: Annotated[int, count_schema(0, 8)] = 0
    infants: Annotated[int, count_schema(0, 9)] = 0

    @property
    def seated(self) -> int:
        """Passengers who take a seat: infants travel on a lap."""
        return self.adults + self.children

    @property
    def total(self) -> int:
        return self.adults + self.children + self.infants


class SliceQuery(msgspec.Struct, frozen=True):
    origin: AirportCode
    destination: AirportCode
    departure_date: dt.date


class FlightQuery(msgspec.Struct, frozen=True):
    """A validated, normalized search as every connector receives it (codes upper-cased)."""

    slices: tuple[SliceQuery, ...]
    passengers: Passengers
    cabin_class: CabinClass = "economy"
    max_connections: int = 1
    currency: str = "USD"


BaggageType = Literal["checked", "carry_on"]


class BaggageAllowance(msgspec.Struct, frozen=True, omit_defaults=True):
    """Bags of one kind included for each passenger on a segment (Duffel's `baggages`);
    `max_weight_kg` only when the airline states a weight."""

    type: BaggageType
    quantity: int
    max_weight_kg: int | None = None


# omit_defaults: `baggages` is left out when the airline does not say (None), so answers from
# airlines without baggage data and cache entries written before the field look the same.
class Segment(msgspec.Struct, frozen=True, omit_defaults=True):
    marketing_carrier: str
    flight_number: str
    origin: str
    destination: str
    departing_at: dt.datetime  # airport-local, naive
    arriving_at: dt.datetime  # airport-local, naive
    aircraft: str
    cabin_class: CabinClass
    # What the fare includes per passenger; () = nothing included, None = not reported.
    baggages: tuple[BaggageAllowance, ...] | None = None


class Slice(msgspec.Struct, frozen=True):
    origin: str
    destination: str
    duration: str  # ISO 8601, e.g. PT8H10M: elapsed time, across time zones
    segments: tuple[Segment, ...]


class Owner(msgspec.Struct, frozen=True):
    iata_code: str
    name: str


class Conditions(msgspec.Struct, frozen=True):
    refundable: bool
    changeable: bool


class Offer(msgspec.Struct, frozen=True):
    id: str
    total_amount: Decimal
    total_currency: str
    base_amount: Decimal
    tax_amount: Decimal
    owner: Owner
    source: str  # the connector's name
    expires_at: dt.datetime  # UTC
    seats_remaining: int
    conditions: Conditions
    slices: tuple[Slice, ...]
    passengers: Passengers


class PricedOffer(Offer, frozen=True):
    """An offer re-priced with its airline; `price_changed` when its total moved."""

    price_changed: bool = False


class HoldPassenger(msgspec.Struct, frozen=True):
    """A passenger of a hold. `lap_infant` (adults only): the index, in the same list, of the
    infant on this adult's lap; each connector tells the airline in its protocol's own way."""

    type: Literal["adult", "child", "infant"]
    given_name: str
    family_name: str
    born_on: dt.date
    gender: Literal["m", "f", "x"]
    email: str | None = None
    phone_number: str | None = None
    lap_infant: int | None = None


class Hold(msgspec.Struct, frozen=True):
    """Seats held at an airline for one of our orders (`reference` is our order id)."""

    locator: str
    reference: str
    status: Literal["held", "ticketed", "cancelled"]
    total_amount: Decimal
    total_currency: str
    payment_required_by: dt.datetime  # UTC
    ticket_numbers: tuple[str, ...] = ()


def serves_route(airports: frozenset[str] | None, query: FlightQuery) -> bool:
    """Whether an airline selling `airports` serves every slice of `query`.

    None means its route network is not known (it could not be learned at start-up): then it is
    asked for everything rather than silently left out of every search.
    """
    if airports is None:
        return True
    return all(s.origin in airports and s.destination in airports for s in query.slices)


def iso_duration(minutes: int) -> str:
    """Format elapsed minutes as an ISO 8601 duration (PT8H10M, P1DT2H)."""
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    out = f"P{days}D" if days else "P"
    if hours or mins or not days:
        out += "T"
        if hours:
            out += f"{hours}H"
        if mins or not hours:
            out += f"{mins}M"
    return out


def parse_iso_duration(value: str) -> int:
    """Minutes in an ISO 8601 duration written by `iso_duration`."""
    days = hours = mins = 0
    number = ""
    for ch in value:
        if ch.isdigit():
            number += ch
        elif ch == "D":
            days, number = int(number), ""
        elif ch == "H":
            hours, number = int(number), ""
        elif ch == "M":
            mins, number = int(number), ""
    return days * 1440 + hours * 60 + mins
