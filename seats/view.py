"""The traveler-facing seat map (API.md "Second wave"), shaped from a connector's `SeatMaps`.

One map per segment: cabins → rows → sections → elements. A seat element lists what each
passenger may buy (`available_services`: one per passenger allowed to sit there, with its price);
a seat that is taken, blocked or forbidden to everyone has none. Passengers are `pas_1`, `pas_2`…
in the order of the offer (adults, children, infants) or of the order's passengers; a service id
names the segment, the seat and the passenger, so choosing it needs no stored state.
"""

from __future__ import annotations

import base64
import binascii
from decimal import Decimal
from typing import Literal, NamedTuple

import msgspec
from msgspec import UNSET, UnsetType

from connectors.model import CabinClass
from connectors.seat_model import LegSeatMap, PaxType, Place, SeatMaps

ElementType = Literal["seat", "empty", "exit_row", "lavatory", "galley", "bassinet"]
SERVICE_PREFIX = "ase_"
# What each airline restriction means for a traveler, as the map's disclosures say it.
RULES: dict[str, str] = {
    "exit_row_child": "Exit row seats cannot be given to children.",
    "exit_row_infant": "Exit row seats cannot be given to a passenger travelling with an infant.",
}
PRICE_DISCLOSURE = "Seat prices are per passenger and per flight; a seat is held with the order."


class SeatService(msgspec.Struct, frozen=True):
    id: str
    passenger_id: str
    total_amount: Decimal
    total_currency: str


class Element(msgspec.Struct, frozen=True, omit_defaults=True):
    """A place in a row. A seat carries every field, its lists empty when nothing applies (a
    taken seat's `available_services` is `[]`); any other place carries only its `type`."""

    # Unset fields are left out of the JSON: `_element` sets them all for a seat, so only
    # another place's are left out (an empty tuple default was left out too, on seats).
    type: ElementType
    designator: str | UnsetType = UNSET
    available: bool | UnsetType = UNSET
    characteristics: tuple[str, ...] | UnsetType = UNSET
    disclosures: tuple[str, ...] | UnsetType = UNSET
    available_services: tuple[SeatService, ...] | UnsetType = UNSET


class Section(msgspec.Struct, frozen=True):
    elements: tuple[Element, ...]


class Row(msgspec.Struct, frozen=True):
    sections: tuple[Section, ...]


class Wings(msgspec.Struct, frozen=True):
    first_row_index: int
    last_row_index: int


class Cabin(msgspec.Struct, frozen=True):
    cabin_class: CabinClass
    deck: int
    aisles: int
    wings: Wings | None
    rows: tuple[Row, ...]


class SeatMap(msgspec.Struct, frozen=True):
    segment_id: str
    marketing_carrier: str
    flight_number: str
    origin: str
    destination: str
    departure_date: str
    aircraft: str
    cabins: tuple[Cabin, ...]
    disclosures: tuple[str, ...]


class SeatMapsResponse(msgspec.Struct, frozen=True):
    seat_maps: tuple[SeatMap, ...]


class BookingOfOrder(NamedTuple):
    """Where a traveler's order is booked, and who in it holds an infant on their lap."""

    connector: str
    locator: str
    carriers: frozenset[int]  # the order's passengers (positions) recorded holding an infant


def passenger_id(index: int) -> str:
    return f"pas_{index + 1}"


def passenger_index(value: str) -> int | None:
    """The position `pas_N` names, or None for anything else."""
    number = value.removeprefix("pas_")
    if value == number or not number.isdigit() or len(number) > 3 or int(number) < 1:
        return None
    return int(number) - 1


def service_id(segment_id: str, designator: str, passenger: str) -> str:
    raw = f"{segment_id}|{designator}|{passenger}".encode()
    return SERVICE_PREFIX + base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def parse_service_id(value: str) -> tuple[str, str, str] | None:
    """(segment_id, designator, passenger_id) of a service id, or None if it is not one."""
    token = value.removeprefix(SERVICE_PREFIX)
    if token == value or len(token) > 200:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    parts = raw.split("|")
    return (parts[0], parts[1], parts[2]) if len(parts) == 3 else None


def infant_carriers(passengers: tuple[PaxType, ...]) -> frozenset[int]:
    """The adults who will carry an infant on their lap when nobody says which: the first ones,
    one infant each (how an order pairs them by default, booking/laps.py). An offer's map has
    no one to ask; an order's carriers are the ones it recorded."""
    adults = [i for i, p in enumerate(passengers) if p == "adult"]
    return frozenset(adults[: passengers.count("infant")])


def shape(maps: SeatMaps, carriers: frozenset[int] | None = None) -> SeatMapsResponse:
    """The traveler's maps; `carriers`: the passengers holding an infant on their lap (an
    order's record), by default the first adults (an offer's)."""
    if carriers is None:
        carriers = infant_carriers(maps.passengers)
    return SeatMapsResponse(
        seat_maps=tuple(_seat_map(leg, maps.passengers, carriers) for leg in maps.legs)
    )


def forbidding_rule(
    restrictions: tuple[str, ...], passenger: PaxType, carries_infant: bool
) -> str | None:
    if passenger == "child" and "exit_row_child" in restrictions:
        return "exit_row_child"
    if carries_infant and "exit_row_infant" in restrictions:
        return "exit_row_infant"
    return None


def _seat_map(
    leg: LegSeatMap, passengers: tuple[PaxType, ...], carriers: frozenset[int]
) -> SeatMap:
    segment = leg.segment_id
    rules: set[str] = set()
    cabins = []
    for cabin in leg.cabins:
        rows = []
        for row in cabin.rows:
            sections = []
            for section in row.sections:
                elements = []
                for place in section:
                    element = _element(place, segment, leg.currency, passengers, carriers)
                    if place.seat is not None:
                        rules.update(r for r in place.seat.restrictions if r in RULES)
                    elements.append(element)
                sections.append(Section(tuple(elements)))
            rows.append(Row(tuple(sections)))
        wings = None if cabin.wings is None else Wings(*cabin.wings)
        cabins.append(Cabin(cabin.cabin_class, 0, cabin.aisles, wings, tuple(rows)))
    return SeatMap(
        segment_id=segment,
        marketing_carrier=leg.carrier,
        flight_number=leg.flight_number,
        origin=leg.origin,
        destination=leg.destination,
        departure_date=leg.departure_date.isoformat(),
        aircraft=leg.aircraft,
        cabins=tuple(cabins),
        disclosures=(PRICE_DISCLOSURE, *(RULES[r] for r in sorted(rules))),
    )


def _element(
    place: Place,
    segment: str,
    currency: str,
    passengers: tuple[PaxType, ...],
    carriers: frozenset[int],
) -> Element:
    seat = place.seat
    if seat is None:
        return Element(place.type)
    services = []
    if seat.available:
        for index, pax in enumerate(passengers):
            if pax == "infant":
                continue
            if forbidding_rule(seat.restrictions, pax, index in carriers) is not None:
                continue
            price = seat.prices.get(pax)
            if price is None:
                continue
            pid = passenger_id(index)
            services.append(
                SeatService(service_id(segment, seat.designator, pid), pid, price, currency)
            )
    return Element(
        "seat",
        designator=seat.designator,
        available=seat.available,
        characteristics=seat.characteristics,
        disclosures=tuple(RULES[r] for r in seat.restrictions if r in RULES),
        available_services=tuple(services),
    )
