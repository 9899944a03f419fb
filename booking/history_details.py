"""The details of an order's history step, as fields: what a client words a step by, beside its
`code` and its `reason` (pure).

A step's reason is our sentence for people; its details (the amounts refunded and what each had
paid for, the seats and whose they are, the flight a change moved to, a name before and after)
are what that sentence says, as fields. The code that writes a step builds both from the same
values and stores the details with it (`order_history.details`, booking/sql/0154), in the same
statement: payment/refund_steps.py, booking/seat_history.py, booking/change_terms.py
`changed_flight`, booking/amendments.py, booking/creation.py, booking/reconciler.py. So no
client parses our sentences (the web app did), and nor do we: a name with " to " in it, or a
reworded sentence, loses nothing.

A row written before 0154 stores none: its details are read back from its reason, as the
release that wrote it worded it (booking/history_reasons.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Literal, NamedTuple

import msgspec

from booking.model import ChangeFailure

Charge = Literal["booking", "flight_change", "seats", "other"]
SeatChange = Literal["chosen", "kept", "replaced"]

# Where money went, by the charge's id prefix (payment/ledger.py): a booking's payment, a flight
# change's difference, seats bought later.
CHARGES: dict[str, Charge] = {"pay": "booking", "och": "flight_change", "sch": "seats"}


class HistoryAmount(msgspec.Struct, frozen=True, omit_defaults=True):
    """An amount refunded (or owed, or refused) and what it had paid for; `by_gateway`, on a
    cancellation's `refunded` step, how much of it the card gateway gave back itself (at its
    dashboard), not our refund (absent when none: payment/sql/0214)."""

    amount: str
    currency: str
    charge: Charge
    by_gateway: str | None = None


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
    was nothing to refund, what a refund followed ("the order was cancelled").
    `failure_code`, on a failed flight change's step: why it failed, the stable word its change
    offer carries (`ChangeFailure`), for clients to word the step by rather than by `note`."""

    amounts: tuple[HistoryAmount, ...] = ()
    seats: tuple[HistorySeat, ...] = ()
    flight: HistoryFlight | None = None
    name: HistoryName | None = None
    note: str | None = None
    failure_code: ChangeFailure | None = None


class HistoryStep(NamedTuple):
    """A step as its writer words it: the reason, our sentence, and its details as fields."""

    reason: str
    details: HistoryDetails | None = None


# As long as a note may be: the longest reason a writer keeps (a gateway's or an airline's
# words may be longer).
NOTE_MAX = 500


def noted(words: str) -> HistoryDetails:
    """Details that are a note alone: words quoted from elsewhere, kept as written."""
    return HistoryDetails(note=words[:NOTE_MAX])


def charge_of(charge_id: str) -> Charge:
    """What a charge paid for, by its id's prefix (`pay_…`, `och_…`, `sch_…`)."""
    return CHARGES.get(charge_id.partition("_")[0], "other")


def amounts_of(parts: Iterable[tuple[str, Decimal]], currency: str) -> tuple[HistoryAmount, ...]:
    """`(charge id, amount)` pairs as fields, written as payment/ledger.py `describe` words
    them."""
    return tuple(
        HistoryAmount(str(amount), currency, charge_of(charge)) for charge, amount in parts
    )


_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(HistoryDetails)


def details_json(details: HistoryDetails | None) -> str | None:
    """`details` as `order_history.details` stores them (a `::jsonb` parameter); None: none."""
    return None if details is None else _encoder.encode(details).decode()


def stored_details(text: str) -> HistoryDetails:
    """`order_history.details` as read (asyncpg gives jsonb as its text)."""
    return _decoder.decode(text)
