"""`POST /v1/orders` bodies → `CreateOrderRequest`, naming every bad field in one 422 (pure).

msgspec's typed decoding stops at the first error, so the body is decoded loosely and each field
checked on its own. Two stages: `parse_order_body` checks what the body alone can tell (before
the idempotency key is claimed); `check_against_offer` what needs the re-priced offer: the
passenger mix of the offer and ages at departure (infant < 2, child 2–11, adult 12+). Which
adult holds which infant (`infant_passenger_id`) is the body's alone: booking/laps.py.

A passenger given as `traveler_id` (one of the caller's saved travelers) carries its type and
contact fields only: the order service resolves the rest (booking/creation.py) before the second
stage, so ages are checked against the saved traveler's birth date.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import msgspec

from booking.laps import infant_laps
from booking.model import (
    GENDERS,
    ORDER_TYPES,
    PASSENGER_TYPES,
    CreateOrderRequest,
    Passenger,
    PassengerInput,
    PaymentMethod,
    SeatService,
    TravelerPassenger,
)
from booking.seat_pricing import parse_services
from connectors.model import Passengers
from kernel.checks import calendar_date
from kernel.contacts import EMAIL_RULE, PHONE_RULE, is_email, is_phone
from kernel.errors import FieldError, ValidationFailed, absent_or_invalid
from kernel.names import comparable_name, person_name

MAX_PASSENGERS = 18  # 9 seated + one infant on each adult's lap
MAX_NAME = 50
OLDEST = dt.date(1900, 1, 1)
_BODY_FIELDS = frozenset(CreateOrderRequest.__struct_fields__)
_PASSENGER_FIELDS = frozenset(Passenger.__struct_fields__)
_TRAVELER_FIELDS = frozenset(TravelerPassenger.__struct_fields__)
# What a saved traveler supplies: naming it beside `traveler_id` is ambiguous, so refused.
_IDENTITY_FIELDS = frozenset(Passenger.__struct_fields__) - _TRAVELER_FIELDS
_TRAVELER_ID = re.compile(r"trv_[A-Za-z0-9_-]{1,60}")
_PAYMENT_FIELDS = frozenset(PaymentMethod.__struct_fields__)
MISSING: Any = object()


def parse_order_body(data: dict[str, Any], *, today: dt.date) -> CreateOrderRequest:
    """Validate a decoded body; `ValidationFailed` names every bad field."""
    errors: list[FieldError] = []
    _unknown(errors, data, _BODY_FIELDS, "")
    offer_id = data.get("offer_id", MISSING)
    if type(offer_id) is not str or not offer_id:
        message = absent_or_invalid(_absent(offer_id), "an offer id from a search")
        errors.append(FieldError("offer_id", message))
    kind = data.get("type", "hold")
    if kind not in ORDER_TYPES:
        errors.append(FieldError("type", f"must be one of: {', '.join(ORDER_TYPES)}"))
    passengers = _passengers(errors, data.get("passengers", MISSING), today)
    payment = _payment(errors, data.get("payment"), kind)
    services: list[SeatService] = []
    if data.get("services") not in (None, []):  # no seats asked for: none held
        services, problems = parse_services(data["services"])
        errors.extend(problems)
    if errors:
        raise ValidationFailed(errors)
    return CreateOrderRequest(
        offer_id=offer_id,
        type=kind,
        passengers=passengers,
        payment=payment,
        services=tuple(services),
    )


def check_against_offer(
    passengers: tuple[Passenger, ...],
    mix: Passengers,
    departs_on: dt.date,
    last_departs_on: dt.date | None = None,
) -> None:
    """`ValidationFailed` unless the passengers are the offer's mix and their ages fit it
    (`last_departs_on`: the day its last flight leaves, if not `departs_on`)."""
    errors: list[FieldError] = []
    got: dict[str, int] = {t: sum(1 for p in passengers if p.type == t) for t in PASSENGER_TYPES}
    wanted = {"adult": mix.adults, "child": mix.children, "infant": mix.infants}
    if got != wanted:
        errors.append(
            FieldError(
                "passengers",
                f"the offer is for {_mix(wanted)}; the order names {_mix(got)}",
            )
        )
    for i, p in enumerate(passengers):
        message = age_problem(p, departs_on, last_departs_on or departs_on)
        if message is not None:
            errors.append(FieldError(f"passengers[{i}].born_on", message))
    if errors:
        raise ValidationFailed(errors)


SAME_PERSON = (
    "the same person as passengers[{first}] (names and date of birth): one person takes one place"
)


def check_distinct(passengers: tuple[Passenger, ...], inputs: tuple[PassengerInput, ...]) -> None:
    """`ValidationFailed` naming each passenger who is an earlier one again (names as a
    traveler's two spellings of them compare, and the date of birth): a saved traveler chosen
    for two places, or typed twice. An airline takes one person once in a booking; twins
    differ in given name. Named at `traveler_id` for a saved traveler, else at `given_name`."""
    first_at: dict[tuple[str, str, dt.date], int] = {}
    errors = []
    for i, (p, given) in enumerate(zip(passengers, inputs, strict=True)):
        person = (comparable_name(p.given_name), comparable_name(p.family_name), p.born_on)
        first = first_at.setdefault(person, i)
        if first != i:
            name = "given_name" if isinstance(given, Passenger) else "traveler_id"
            errors.append(FieldError(f"passengers[{i}].{name}", SAME_PERSON.format(first=first)))
    if errors:
        raise ValidationFailed(errors)


def age_on(born_on: dt.date, day: dt.date) -> int:
    """Whole years of age on `day`."""
    return day.year - born_on.year - ((day.month, day.day) < (born_on.month, born_on.day))


def age_problem(p: Passenger, departs_on: dt.date, last_departs_on: dt.date) -> str | None:
    """What is wrong with `p`'s age for a trip from `departs_on` to its last flight's day."""
    if p.type == "infant":
        age = age_on(p.born_on, last_departs_on)
        if age < 2:
            return None
        if last_departs_on == departs_on:
            return f"an infant must be under 2 at departure ({departs_on}); this passenger is {age}"
        return (
            f"an infant must be under 2 on every flight (the last leaves {last_departs_on});"
            f" this passenger is {age} then"
        )
    age = age_on(p.born_on, departs_on)
    if p.type == "child" and not 2 <= age < 12:
        return f"a child must be 2 to 11 at departure ({departs_on}); this passenger is {age}"
    if p.type == "adult" and age < 12:
        return f"an adult must be 12 or older at departure ({departs_on}); this passenger is {age}"
    return None


_PLURALS = {"adult": "adults", "child": "children", "infant": "infants"}


def _mix(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {t if n == 1 else _PLURALS[t]}" for t, n in counts.items())


def _unknown(
    errors: list[FieldError], data: dict[str, Any], known: frozenset[str], at: str
) -> None:
    for name in data:
        if name not in known:
            errors.append(FieldError(f"{at}{name}", "unknown field"))


def _passengers(errors: list[FieldError], value: Any, today: dt.date) -> tuple[PassengerInput, ...]:
    if type(value) is not list or not 1 <= len(value) <= MAX_PASSENGERS:
        expected = f"an array of 1 to {MAX_PASSENGERS}"
        errors.append(FieldError("passengers", absent_or_invalid(_absent(value), expected)))
        return ()
    found = []
    for i, item in enumerate(value):
        passenger = _passenger(errors, item, f"passengers[{i}]", today)
        if passenger is not None:
            found.append(passenger)
    laps, problems = infant_laps(value)
    errors.extend(problems)
    if errors:
        return ()
    # Every lap recorded, named or paired in order (booking/laps.py).
    return tuple(
        msgspec.structs.replace(p, infant_passenger_id=_passenger_id(laps.get(i)))
        for i, p in enumerate(found)
    )


def _passenger_id(position: int | None) -> str | None:
    return None if position is None else f"pas_{position + 1}"


def _passenger(
    errors: list[FieldError], item: Any, at: str, today: dt.date
) -> PassengerInput | None:
    if type(item) is not dict:
        errors.append(FieldError(at, "must be an object"))
        return None
    if "traveler_id" in item:
        return _saved_traveler(errors, item, at)
    before = len(errors)
    _unknown(errors, item, _PASSENGER_FIELDS, at + ".")
    get = item.get
    kind = _choice(errors, get("type", MISSING), f"{at}.type", PASSENGER_TYPES)
    given = _name(errors, get("given_name", MISSING), f"{at}.given_name")
    family = _name(errors, get("family_name", MISSING), f"{at}.family_name")
    born_on = _birth_date(errors, get("born_on", MISSING), f"{at}.born_on", today)
    gender = _choice(errors, get("gender", MISSING), f"{at}.gender", GENDERS)
    email = _optional(errors, get("email"), f"{at}.email", is_email, EMAIL_RULE)
    phone = _optional(errors, get("phone_number"), f"{at}.phone_number", is_phone, PHONE_RULE)
    if len(errors) > before:
        return None
    return Passenger(kind, given, family, born_on, gender, email, phone)  # laps: `_passengers`


def _saved_traveler(
    errors: list[FieldError], item: dict[str, Any], at: str
) -> TravelerPassenger | None:
    before = len(errors)
    for name in item:
        if name in _IDENTITY_FIELDS:
            errors.append(
                FieldError(f"{at}.{name}", "not with traveler_id: the saved traveler's is used")
            )
        elif name not in _TRAVELER_FIELDS:
            errors.append(FieldError(f"{at}.{name}", "unknown field"))
    get = item.get
    kind = _choice(errors, get("type", MISSING), f"{at}.type", PASSENGER_TYPES)
    traveler_id: Any = get("traveler_id")
    if type(traveler_id) is not str or _TRAVELER_ID.fullmatch(traveler_id) is None:
        errors.append(FieldError(f"{at}.traveler_id", "must be a saved traveler's id (trv_...)"))
    email = _optional(errors, get("email"), f"{at}.email", is_email, EMAIL_RULE)
    phone = _optional(errors, get("phone_number"), f"{at}.phone_number", is_phone, PHONE_RULE)
    if len(errors) > before:
        return None
    return TravelerPassenger(kind, traveler_id, email, phone)


def _absent(value: Any) -> bool:
    return value is MISSING or value is None


def _choice(errors: list[FieldError], value: Any, at: str, allowed: tuple[str, ...]) -> Any:
    if value not in allowed:
        errors.append(FieldError(at, f"must be one of: {', '.join(allowed)}"))
    return value


def _name(errors: list[FieldError], value: Any, at: str) -> str:
    if type(value) is not str or not value.strip():
        errors.append(FieldError(at, absent_or_invalid(_absent(value), "a non-empty string")))
        return ""
    name, problem = person_name(value)
    if len(name) > MAX_NAME:
        errors.append(FieldError(at, f"at most {MAX_NAME} characters"))
    elif problem is not None:
        errors.append(FieldError(at, problem))
    return name


def _birth_date(errors: list[FieldError], value: Any, at: str, today: dt.date) -> dt.date:
    day = calendar_date(value) if type(value) is str else None
    if day is None:
        errors.append(FieldError(at, absent_or_invalid(_absent(value), "a date, YYYY-MM-DD")))
        return today
    if not OLDEST <= day < today:
        errors.append(FieldError(at, f"must be in the past (and after {OLDEST})"))
    return day


def _optional(
    errors: list[FieldError], value: Any, at: str, valid: Callable[[object], bool], what: str
) -> str | None:
    if value is None:
        return None
    if not valid(value):
        errors.append(FieldError(at, f"must be {what}"))
        return None
    return str(value)


def _payment(errors: list[FieldError], value: Any, kind: Any) -> PaymentMethod | None:
    if value is None:
        if kind == "instant":
            errors.append(FieldError("payment", "required for instant orders"))
        return None
    if kind != "instant":
        errors.append(FieldError("payment", "only instant orders are paid when created"))
        return None
    return payment_method(errors, value)


def payment_method(errors: list[FieldError], value: Any) -> PaymentMethod | None:
    """The `payment` object of an order or a seat change body (`{"card_token": …}`), or None
    with `errors` naming what is wrong: `payment`, each unknown field, `payment.card_token`.

    An unknown field is named whole, as every other body's are (`errors[].field` is a path into
    the request a client can match; the body's size limit bounds what comes back)."""
    if type(value) is not dict:
        errors.append(FieldError("payment", "must be an object"))
        return None
    _unknown(errors, value, _PAYMENT_FIELDS, "payment.")
    token = value.get("card_token")
    if type(token) is not str or not 1 <= len(token) <= 255:
        errors.append(
            FieldError("payment.card_token", absent_or_invalid(token is None, "a card token"))
        )
        return None
    return PaymentMethod(token)
