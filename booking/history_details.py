"""The details of an order's history step, as fields: what a client words a step by, beside its
`code` and its `reason` (pure).

A step's reason is our sentence for people; its details (the amounts refunded and what each had
paid for, the seats and whose they are, the flight a change moved to, a name before and after)
are in it because its writer put them there (payment/ledger.py `describe`, booking/seat_history.py,
booking/change_terms.py `summary`, booking/amendments.py). They are read back here, by the step's
code, once, beside the writers, so that no client parses our sentences (the web app did). A
reason that does not read as its code's writer words it (a row from before that wording) gets no
details: clients show its reason as written.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from typing import Literal

import msgspec

from booking.model import Passenger

Charge = Literal["booking", "flight_change", "seats", "other"]
SeatChange = Literal["chosen", "kept", "replaced"]

# Where money went, by the charge's id prefix (payment/ledger.py): a booking's payment, a flight
# change's difference, seats bought later.
_CHARGES: dict[str, Charge] = {"pay": "booking", "och": "flight_change", "sch": "seats"}


class HistoryAmount(msgspec.Struct, frozen=True):
    """An amount refunded (or owed, or refused) and what it had paid for."""

    amount: str
    currency: str
    charge: Charge


class HistorySeat(msgspec.Struct, frozen=True, omit_defaults=True):
    """A seat given to a passenger (their name as booked). `change`, on a step that both chose
    and replaced seats only: `chosen` (new), `kept` (asked again as held) or `replaced` (in
    place of `replaced`)."""

    designator: str
    passenger: str
    change: SeatChange | None = None
    replaced: str | None = None


class HistoryFlight(msgspec.Struct, frozen=True, omit_defaults=True):
    """The flight a change moved a slice to: `slice` counts from 1, as the reason does; the
    first flight's day and local time; `released_seats`, the seats the airline let go with the
    old flights."""

    slice: int
    origin: str
    destination: str
    departure_date: dt.date
    departure_time: str
    flights: tuple[str, ...]
    released_seats: tuple[str, ...] = ()


class HistoryName(msgspec.Struct, frozen=True):
    """A passenger's name corrected: `passenger` counts from 1."""

    passenger: int
    was: str
    now: str


class HistoryDetails(msgspec.Struct, frozen=True, omit_defaults=True):
    """What a step's reason holds, as fields (absent when the step has none of the kind).

    `note`: words the reason quotes from elsewhere, kept as written: the airline's answer to a
    failed ticketing, why a change or a seat change failed, what the reconciler found, why there
    was nothing to refund, what a refund followed ("the order was cancelled")."""

    amounts: tuple[HistoryAmount, ...] = ()
    seats: tuple[HistorySeat, ...] = ()
    flight: HistoryFlight | None = None
    name: HistoryName | None = None
    note: str | None = None


_MONEY = re.compile(r"(-?\d+(?:\.\d+)?) ([A-Z]{3}) to ([a-z]{2,4})_[0-9a-z]+")
# booking/change_terms.py summary(): "LHR → JFK on 21 Dec 2026 (BA117, BA4 at 08:25)";
# "; seats 14C, 14D released" after it (booking/change_store.py), then the change's id.
_FLIGHT = re.compile(
    r"^slice (\d+) changed to ([A-Z]{3}) → ([A-Z]{3})"
    r" on (\d{1,2} [A-Z][a-z]{2} \d{4}|\d{4}-\d{2}-\d{2})"
    r" \(([^()]+) at (\d{2}:\d{2})\)(?:; seats (.*) released)?(?: \([a-z]+_[0-9a-z]+\))?$"
)
_SEAT = re.compile(r"(\w+) \(([^()]+)\)(?: (chosen|kept|in place of) ?(\w*))?")
_PAX = re.compile(r"^pas_(\d+)$")


def _money(text: str) -> tuple[HistoryAmount, ...]:
    return tuple(
        HistoryAmount(amount, currency, _CHARGES.get(prefix, "other"))
        for amount, currency, prefix in _MONEY.findall(text)
    )


def _name(who: str, passengers: Sequence[Passenger]) -> str:
    """A seat's passenger as written; older rows name them by id (`pas_N`): their name then."""
    found = _PAX.match(who)
    if found is None:
        return who
    index = int(found[1]) - 1
    if 0 <= index < len(passengers):
        return f"{passengers[index].given_name} {passengers[index].family_name}"
    return who


_CHANGES: dict[str, SeatChange] = {"chosen": "chosen", "kept": "kept", "in place of": "replaced"}


def _seats(text: str, passengers: Sequence[Passenger]) -> tuple[HistorySeat, ...]:
    return tuple(
        HistorySeat(
            designator,
            _name(who, passengers),
            _CHANGES.get(change) if change else None,
            replaced or None,
        )
        for designator, who, change, replaced in _SEAT.findall(text)
    )


def _day(words: str) -> dt.date:
    if "-" in words:
        return dt.date.fromisoformat(words)
    return dt.datetime.strptime(words, "%d %b %Y").date()


def _flight(found: re.Match[str]) -> HistoryDetails:
    n, origin, destination, day, flights, time, released = found.groups()
    flight = HistoryFlight(
        int(n),
        origin,
        destination,
        _day(day),
        time,
        tuple(flights.split(", ")),
        tuple(released.split(", ")) if released else (),
    )
    return HistoryDetails(flight=flight)


Reader = Callable[[re.Match[str], Sequence[Passenger]], HistoryDetails]


def _note(found: re.Match[str], _: Sequence[Passenger]) -> HistoryDetails:
    return HistoryDetails(note=found[1])


# By code (booking/history_codes.py): the reason's shape as its writer words it, and its fields.
_READERS: dict[str, tuple[re.Pattern[str], Reader]] = {
    "found_by_reconciler": (re.compile(r"^(.*) \(found by the reconciler\)$"), _note),
    "ticketing_failed_refunded": (
        re.compile(r"^ticketing failed after payment \((.*)\); the payment was refunded$"),
        _note,
    ),
    "airline_refused": (re.compile(r"^the airline refused (.*)$"), _note),
    "refund_owed": (
        re.compile(r"^(?:.*: )?refund owed: (.*)$"),
        lambda f, _: HistoryDetails(amounts=_money(f[1])),
    ),
    "refund_retrying": (
        re.compile(r"^refund of (.*) refused by the payment gateway \(.+\); it is retried$"),
        lambda f, _: HistoryDetails(amounts=_money(f[1])),
    ),
    "nothing_to_refund": (re.compile(r"^.*: nothing to refund \((.*)\)$"), _note),
    "refunded": (
        re.compile(r"^(.*): refunded (.*)$"),
        lambda f, _: HistoryDetails(amounts=_money(f[2]), note=f[1]),
    ),
    "flight_changed": (_FLIGHT, lambda f, _: _flight(f)),
    "change_failed": (re.compile(r"^change [a-z]+_[0-9a-z]+ failed: (.*)$"), _note),
    "seat_change_refunded": (
        re.compile(r"^seat change refused after payment, refunded: (.*)$"),
        _note,
    ),
    "seats_chosen": (
        re.compile(r"^seats chosen: (.*)$"),
        lambda f, p: HistoryDetails(seats=_seats(f[1], p)),
    ),
    "seats_chosen_and_changed": (
        re.compile(r"^seats chosen and changed: (.*)$"),
        lambda f, p: HistoryDetails(seats=_seats(f[1], p)),
    ),
    "seats_changed": (
        re.compile(r"^seats (.*)$"),
        lambda f, p: HistoryDetails(seats=_seats(f[1], p)),
    ),
    "name_corrected": (
        re.compile(r"^passenger (\d+) name corrected from (.*) to (.*)$"),
        lambda f, _: HistoryDetails(name=HistoryName(int(f[1]), f[2], f[3])),
    ),
}


def details_of(
    code: str | None, reason: str, passengers: Sequence[Passenger]
) -> HistoryDetails | None:
    """The fields of a step with `code` whose reason is `reason`, on an order with `passengers`;
    None for a code whose steps hold none, or a reason not worded as its code's writer words it."""
    reader = _READERS.get(code or "")
    if reader is None:
        return None
    found = reader[0].match(reason)
    return reader[1](found, passengers) if found else None
