"""The details of a history step written before its writer stored them (booking/sql/0154), read
back from its reason, by the step's code, as the release that wrote it worded it (pure).

Only for those rows (`order_history.details` NULL): a step written since stores its details
(booking/history_details.py), and its reason may be worded anew without a reader here. (A
`change_failed` row whose change offer has a `failure_code` was given its details, the code
beside the note read here, by booking/sql/0156; the others are still read here.) A reason
that does not read as its code's writer worded it gets no details: clients show its reason as
written. The readers are as fragile as reading sentences is (a corrected name with " to " in it
splits at the wrong " to "); they stay as they were, for the rows they were written for.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence

from booking.history_details import (
    CHARGES,
    HistoryAmount,
    HistoryDetails,
    HistoryFlight,
    HistoryName,
    HistorySeat,
    SeatChange,
)
from booking.model import Passenger

# payment/ledger.py `describe`, and `describe_given`'s share the gateway gave back itself.
_MONEY = re.compile(
    r"(-?\d+(?:\.\d+)?) ([A-Z]{3}) to ([a-z]{2,4})_[0-9a-z]+"
    r"(?: \((\d+(?:\.\d+)?) [A-Z]{3} of it by the gateway\))?"
)
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
        HistoryAmount(amount, currency, CHARGES.get(prefix, "other"), by_gateway or None)
        for amount, currency, prefix, by_gateway in _MONEY.findall(text)
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


# The codes whose steps hold details.
DETAILED_CODES = frozenset(_READERS)


def read_details(
    code: str | None, reason: str, passengers: Sequence[Passenger]
) -> HistoryDetails | None:
    """The fields of a step with `code` whose reason is `reason`, on an order with `passengers`;
    None for a code whose steps hold none, or a reason not worded as its code's writer words it."""
    reader = _READERS.get(code or "")
    if reader is None:
        return None
    found = reader[0].match(reason)
    return reader[1](found, passengers) if found else None
