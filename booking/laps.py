"""Which adult holds which infant on their lap, from a `POST /v1/orders` body (pure).

An adult passenger may name the infant on their lap, `infant_passenger_id: "pas_N"` (the N-th
passenger of the body, as `services[].passenger_id` names them; Duffel's field on the
responsible adult). Airlines ticket each infant on one named adult, one infant per adult. The
infants no adult names go to the adults who name none, in the order given (so a body without
the field pairs the k-th infant with the k-th adult, as orders were always read), and the order
records every pair.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from booking.model import Passenger
from kernel.errors import FieldError
from seats.view import passenger_index

_KINDS = {"adult": "an adult", "child": "a child", "infant": "an infant"}
ONE_PER_ADULT = "no adult is left to hold this infant: each adult holds one infant on their lap"


def infant_laps(items: Sequence[Any]) -> tuple[dict[int, int], list[FieldError]]:
    """The raw passengers' laps, {adult's position: infant's position}, the named ones first and
    then the rest in order; or the problems, each at the field to mend. A passenger whose `type`
    is not one of ours is left to the type's own error."""
    kinds = [item.get("type") if type(item) is dict else None for item in items]
    laps: dict[int, int] = {}
    held_by: dict[int, int] = {}
    errors: list[FieldError] = []
    for i, item in enumerate(items):
        value = item.get("infant_passenger_id") if type(item) is dict else None
        if value is None:
            continue
        at = f"passengers[{i}].infant_passenger_id"
        infant = passenger_index(value) if type(value) is str else None
        problem = _problem(value, infant, kinds[i], kinds, held_by)
        if problem is not None:
            errors.append(FieldError(at, problem))
        elif infant is not None and kinds[i] == "adult":
            laps[i] = infant
            held_by[infant] = i
    if errors:  # pairing the rest around a bad name would only add confusing errors
        return {}, errors
    free = iter([i for i, kind in enumerate(kinds) if kind == "adult" and i not in laps])
    for i, kind in enumerate(kinds):
        if kind == "infant" and i not in held_by:
            adult = next(free, None)
            if adult is None:
                errors.append(FieldError(f"passengers[{i}]", ONE_PER_ADULT))
            else:
                laps[adult] = i
                held_by[i] = adult
    return laps, errors


def _problem(
    value: Any, infant: int | None, kind: Any, kinds: list[Any], held_by: dict[int, int]
) -> str | None:
    if infant is None:
        return "must be a passenger id, pas_N (the N-th passenger of the order)"
    if infant >= len(kinds):
        return f"no passenger {value}: the order names {len(kinds)}"
    if kind not in _KINDS or kinds[infant] not in _KINDS:
        return None  # the type's own error says what is wrong
    if kind != "adult":
        return f"only an adult holds an infant on their lap; this passenger is {_KINDS[kind]}"
    if kinds[infant] != "infant":
        return f"{value} is not an infant: passengers[{infant}] is {_KINDS[kinds[infant]]}"
    if infant in held_by:
        return (
            f"{value} is already on the lap of passengers[{held_by[infant]}]:"
            " one adult holds each infant"
        )
    return None


def lap_holders(passengers: Sequence[Passenger]) -> frozenset[int]:
    """The positions of the adults an order records holding an infant on their lap (every lap
    is recorded: named, paired in order, or backfilled by booking/sql/0157)."""
    return frozenset(i for i, p in enumerate(passengers) if p.infant_passenger_id is not None)
