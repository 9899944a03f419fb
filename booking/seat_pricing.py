"""Seat requests checked against an order (or offer) and priced from a seat map (pure, no I/O).

Shared by seats chosen with a new order (`POST /v1/orders` `services`, booking/seat_booking.py)
and after booking (`POST /v1/orders/{id}/seats`, booking/seats.py), so both name the same fields
and the same rules: `services[i].segment_id` not a segment of the trip, `services[i].passenger_id`
not one of its passengers (`pas_N`: the N-th passenger as listed in the order), an infant (who
sits on a lap), a second seat for one passenger on one segment, `services[i].designator` not a
seat of the cabin, asked for two passengers, or closed to the passenger by a rule
(`exit_row_child`; `exit_row_infant`, for the adult the order records holding an infant).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from booking.model import SeatService
from connectors.model import Slice
from connectors.seat_model import PaxType, SeatFacts, SeatMaps, SeatSelection, segment_id_of
from kernel.errors import FieldError, ValidationFailed, absent_or_invalid
from seats.view import forbidding_rule, passenger_index

MAX_SERVICES = 36  # 9 seated passengers on 4 segments
DESIGNATOR = re.compile(r"[0-9]{1,3}[A-Z]")
_FIELDS = ("type", "segment_id", "passenger_id", "designator")


def parse_services(
    value: object, at: str = "services"
) -> tuple[list[SeatService], list[FieldError]]:
    """The seat services of a request body and the problems of each bad field (pure)."""
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_SERVICES:
        return [], [FieldError(at, f"a list of 1 to {MAX_SERVICES} seat services")]
    found: list[SeatService] = []
    problems: list[FieldError] = []
    for i, item in enumerate(value):
        service = _service(f"{at}[{i}]", item, problems)
        if service is not None:
            found.append(service)
    return found, problems


def _service(field: str, item: object, problems: list[FieldError]) -> SeatService | None:
    if not isinstance(item, dict):
        problems.append(FieldError(field, "must be an object"))
        return None
    before = len(problems)
    values: dict[str, Any] = {}
    for name in _FIELDS:
        value = item.get(name)
        if isinstance(value, str) and 1 <= len(value) <= 200:
            values[name] = value
        else:
            problems.append(
                FieldError(f"{field}.{name}", absent_or_invalid(value is None, "a string"))
            )
    problems.extend(
        FieldError(f"{field}.{name}", "unknown field") for name in item if name not in _FIELDS
    )
    if values.get("type", "seat") != "seat":
        problems.append(FieldError(f"{field}.type", "must be `seat`"))
    if "passenger_id" in values and passenger_index(values["passenger_id"]) is None:
        problems.append(FieldError(f"{field}.passenger_id", "must be a passenger id (`pas_N`)"))
    if "designator" in values:
        values["designator"] = values["designator"].upper()
        if DESIGNATOR.fullmatch(values["designator"]) is None:
            problems.append(
                FieldError(f"{field}.designator", "must be a seat like `14C` (row, then letter)")
            )
    return SeatService(**values) if len(problems) == before else None


def selections_of(
    slices: Sequence[Slice], passengers: Sequence[PaxType], services: Sequence[SeatService]
) -> list[SeatSelection]:
    """Each service as the airline's (leg, passenger, seat); `ValidationFailed` naming every
    service that is not a seat for a seated passenger on a segment of the trip."""
    legs = [segment_id_of(s) for sl in slices for s in sl.segments]
    problems: list[FieldError] = []
    found: list[SeatSelection] = []
    wanted: set[tuple[int, int]] = set()
    seats: set[tuple[int, str]] = set()
    for i, service in enumerate(services):
        leg = legs.index(service.segment_id) if service.segment_id in legs else None
        pax = passenger_index(service.passenger_id)
        if leg is None:
            problems.append(FieldError(f"services[{i}].segment_id", "not a segment of the order"))
        if pax is None or pax >= len(passengers):
            problems.append(
                FieldError(f"services[{i}].passenger_id", "not a passenger of the order")
            )
            pax = None
        elif passengers[pax] == "infant":
            problems.append(FieldError(f"services[{i}].passenger_id", "an infant sits on a lap"))
        if leg is not None and pax is not None:
            if (leg, pax) in wanted:
                problems.append(FieldError(f"services[{i}]", "a second seat for this passenger"))
            wanted.add((leg, pax))
            if (leg, service.designator.upper()) in seats:
                problems.append(
                    FieldError(f"services[{i}].designator", "asked for another passenger too")
                )
            seats.add((leg, service.designator.upper()))
            found.append(SeatSelection(leg, pax, service.designator.upper()))
    if problems:
        raise ValidationFailed(problems)
    return found


def priced(
    passengers: Sequence[PaxType],
    maps: SeatMaps,
    selections: Sequence[SeatSelection],
    carriers: frozenset[int],
) -> tuple[list[Decimal], list[str]]:
    """Each selection's price from `maps` and the designators shown taken there;
    `ValidationFailed` naming `services[i].designator` for a seat that does not exist or that a
    rule closes to the passenger (the rule's name first in the message). `carriers`: the
    passengers who hold an infant on their lap, as the order records them (booking/laps.py
    `lap_holders`), so the exit row is closed to the adult who holds one, not to the first."""
    types = tuple(passengers)
    prices: list[Decimal] = []
    taken: list[str] = []
    problems: list[FieldError] = []
    for i, selection in enumerate(selections):
        seat = seat_of(maps, selection)
        field = f"services[{i}].designator"
        if seat is None:
            problems.append(FieldError(field, f"{selection.designator}: no such seat"))
            prices.append(Decimal(0))
            continue
        pax = types[selection.passenger]
        rule = forbidding_rule(seat.restrictions, pax, selection.passenger in carriers)
        if rule is not None:
            problems.append(
                FieldError(field, f"{rule}: {selection.designator} is not for this passenger")
            )
        if not seat.available:
            taken.append(selection.designator)
        prices.append(seat.prices.get(pax, Decimal(0)) if pax != "infant" else Decimal(0))
    if problems:
        raise ValidationFailed(problems)
    return prices, taken


def seat_of(maps: SeatMaps, selection: SeatSelection) -> SeatFacts | None:
    if selection.leg >= len(maps.legs):
        return None
    for cabin in maps.legs[selection.leg].cabins:
        for row in cabin.rows:
            for section in row.sections:
                for place in section:
                    if place.seat is not None and place.seat.designator == selection.designator:
                        return place.seat
    return None
