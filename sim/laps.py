"""Which adult holds which infant on their lap in a booking request (pure).

Every protocol names the pairing its own way (REST `lap_infant` on the adult, the adult's RPH
in the infant's OTA `TravelerRefNumber`, NDC's `PaxRefID` on the infant's Pax); each front
reads it into `BookingPassenger.lap_infant`, and the airline records the pairs. An infant
nobody names sits on the lap of the first adult who names none, in order, so callers that
never say (older ones) book as before: the k-th infant on the k-th adult.
"""

from __future__ import annotations

from sim import errors
from sim.wire import BookingRequest


def lap_pairs(request: BookingRequest) -> tuple[tuple[int, int], ...]:
    """(adult, infant) passenger indexes, every infant on one adult's lap, one per adult;
    422 `invalid_passengers` naming the first pairing that cannot be."""
    types = [p.type for p in request.passengers]
    held_by: dict[int, int] = {}
    for adult, passenger in enumerate(request.passengers):
        infant = passenger.lap_infant
        if infant is None:
            continue
        if types[adult] != "ADT":
            raise _invalid(f"passenger {adult}: only an adult (ADT) holds an infant")
        if infant >= len(types) or types[infant] != "INF":
            raise _invalid(f"passenger {adult}: lap_infant {infant} is not an infant (INF)")
        if infant in held_by:
            raise _invalid(f"infant {infant} is on the lap of passenger {held_by[infant]} already")
        held_by[infant] = adult
    holders = set(held_by.values())
    free = iter([i for i, t in enumerate(types) if t == "ADT" and i not in holders])
    for infant, kind in enumerate(types):
        if kind == "INF" and infant not in held_by:
            spare = next(free, None)
            if spare is None:
                raise _invalid(f"infant {infant}: no adult is left to hold them")
            held_by[infant] = spare
    return tuple(sorted((adult, infant) for infant, adult in held_by.items()))


def holders(laps: tuple[tuple[int, int], ...]) -> frozenset[int]:
    """The passengers (indexes) who hold an infant on their lap."""
    return frozenset(adult for adult, _ in laps)


def _invalid(message: str) -> errors.AirlineError:
    return errors.AirlineError(422, "invalid_passengers", message)
