"""Bodies of the change routes, checked field by field (every bad field is named): the new
search for a slice (`POST /v1/orders/{id}/changes`) and the confirmation's optional card
(`POST /v1/orders/{id}/changes/{cid}/confirm`). The field checks are the search's own."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec

from booking.change_terms import SliceSearch
from booking.model import Order
from booking.validation import age_problem
from connectors.model import CABIN_CLASSES
from kernel.checks import MISSING
from kernel.errors import FieldError, ValidationFailed
from search.checks import Checks

MAX_SLICES = 6
_SEARCH_FIELDS = frozenset(
    {"slice_index", "origin", "destination", "departure_date", "cabin_class"}
)
_CONFIRM_FIELDS = frozenset({"card_token"})
MAX_TOKEN_LENGTH = 255


class ConfirmChange(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A card token from the payment gateway: required when the change costs money on a paid
    order (the difference and the penalty are charged to it); ignored otherwise."""

    card_token: str | None = None


def parse_search(data: dict[str, Any], *, today: dt.date) -> SliceSearch:
    checks = Checks(today)
    checks.unknown(data, _SEARCH_FIELDS)
    index = checks.integer(data.get("slice_index", MISSING), "slice_index", 0, MAX_SLICES - 1)
    origin = checks.airport(data.get("origin", MISSING), "origin")
    destination = checks.airport(data.get("destination", MISSING), "destination")
    if origin is not None and origin == destination:
        checks.fail("destination", "must differ from origin")
    day = checks.date(data.get("departure_date", MISSING), "departure_date")
    cabin = data.get("cabin_class")
    if cabin is not None:
        cabin = checks.choice(cabin, "cabin_class", CABIN_CLASSES)
    if checks.errors:
        raise ValidationFailed(checks.errors)
    assert index is not None
    assert origin is not None
    assert destination is not None
    assert day is not None
    return SliceSearch(
        slice_index=index,
        origin=origin,
        destination=destination,
        departure_date=day,
        cabin_class=cabin,
    )


def check_against_order(search: SliceSearch, order: Order) -> None:
    """`ValidationFailed` for a slice the order does not have, another cabin than booked, or a
    date that puts the slice before the one it follows or after the one that follows it (the
    search's rule for the slices of a trip: a return never leaves before the outbound)."""
    errors = []
    if search.slice_index >= len(order.slices):
        errors.append(
            FieldError("slice_index", f"the order has {len(order.slices)} slice(s), from 0")
        )
    else:
        if search.cabin_class is not None:
            booked = order.slices[search.slice_index].segments[0].cabin_class
            if search.cabin_class != booked:
                errors.append(
                    FieldError("cabin_class", f"a change keeps the booked cabin ({booked})")
                )
        errors.extend(_out_of_order(search, order))
        errors.extend(_ages_on(search, order))
    if errors:
        raise ValidationFailed(errors)


def _out_of_order(search: SliceSearch, order: Order) -> list[FieldError]:
    dates = [piece.segments[0].departing_at.date() for piece in order.slices]
    day, index = search.departure_date, search.slice_index
    if index > 0 and day < dates[index - 1]:
        return [
            FieldError(
                "departure_date",
                f"must not be before slice {index - 1}'s date ({dates[index - 1].isoformat()})",
            )
        ]
    if index + 1 < len(dates) and day > dates[index + 1]:
        return [
            FieldError(
                "departure_date",
                f"must not be after slice {index + 1}'s date ({dates[index + 1].isoformat()})",
            )
        ]
    return []


def _ages_on(search: SliceSearch, order: Order) -> list[FieldError]:
    """The passengers' ages on the trip as changed: an infant on a lap must still be under 2
    on its last flight (a child 2 to 11, an adult 12 or older on its first)."""
    dates = [piece.segments[0].departing_at.date() for piece in order.slices]
    dates[search.slice_index] = search.departure_date
    problems = ((i, age_problem(p, dates[0], max(dates))) for i, p in enumerate(order.passengers))
    return [
        FieldError("departure_date", f"passengers[{i}]: {message}")
        for i, message in problems
        if message is not None
    ]


def parse_confirm(data: dict[str, Any]) -> ConfirmChange:
    errors = [FieldError(name, "unknown field") for name in sorted(set(data) - _CONFIRM_FIELDS)]
    token = data.get("card_token")
    if token is not None and (
        type(token) is not str
        or not 1 <= len(token) <= MAX_TOKEN_LENGTH
        or not token.isprintable()
        or any(c.isspace() for c in token)
    ):
        errors.append(FieldError("card_token", "a card token from the payment gateway"))
    if errors:
        raise ValidationFailed(errors)
    return ConfirmChange(card_token=token)
