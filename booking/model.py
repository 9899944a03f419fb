"""Orders and their passengers (docs/api.md "Orders").

`Order` is the whole row as the booking core knows it (owner, connector, offer id included);
what a traveler is shown of it is booking/order_view.py's `OrderView`. Money is `Decimal`
(msgspec writes it as a decimal string); timestamps are UTC.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeAlias

import msgspec

from booking.events import Contact, FlightNote, OrderSnapshot, PassengerNote
from connectors.model import Slice

OrderStatus = Literal["pending", "held", "confirmed", "cancelled", "expired", "failed"]
PaymentStatus = Literal["unpaid", "processing", "paid", "refunded", "failed"]
OrderType = Literal["hold", "instant"]
PassengerType = Literal["adult", "child", "infant"]
Gender = Literal["m", "f", "x"]
# Why a flight change failed, a stable word for clients to choose their words by (the change's
# `failure_reason` and `last_change.detail` are our sentences, for people, and may be reworded):
ChangeFailure = Literal[
    "card_declined",  # the card was declined (`decline_code`); the old flights were put back
    "card_not_charged",  # left half way, settled later: the card was never charged; put back
    "refund_not_possible",  # the difference could not be given back to the order's cards
    "order_moved",  # the trip was cancelled, refunded or changed while the change was made
    "airline_refused",  # the airline said no (sold out, the fare moved): nothing changed
    "fare_not_changeable",  # the airline says the fare allows no change
    "change_unsupported",  # the airline cannot change flights through us
    "airline_kept_new_flights",  # undone by us, refused by the airline: support settles it
    "given_up",  # the traveler gave it up while their bank waited: charge canceled, put back
]

ORDER_STATUSES: tuple[OrderStatus, ...] = (
    "pending",
    "held",
    "confirmed",
    "cancelled",
    "expired",
    "failed",
)
PAYMENT_STATUSES: tuple[PaymentStatus, ...] = ("unpaid", "processing", "paid", "refunded", "failed")
ORDER_TYPES: tuple[OrderType, ...] = ("hold", "instant")
PASSENGER_TYPES: tuple[PassengerType, ...] = ("adult", "child", "infant")
GENDERS: tuple[Gender, ...] = ("m", "f", "x")
# `pending` (the airline not asked or not answered yet) and `failed` (it refused) are internal:
# clients see only these; an order in another status answers 404 and is never listed.
VISIBLE_STATUSES: tuple[OrderStatus, ...] = ("held", "confirmed", "cancelled", "expired")
_CENT = Decimal("0.01")
ORDER_ID_PREFIX = "ord_"
# What `references.new_order_id` mints: the prefix and 96 random bits in lower-case hex.
_ORDER_ID = re.compile(r"ord_[0-9a-f]{24}")


def is_order_id(value: str) -> bool:
    """Whether `value` could name an order: anything else (a NUL byte, non-ASCII, another
    length) is answered 404 without asking the database."""
    return _ORDER_ID.fullmatch(value) is not None


# What the request document says of a passenger's fields. booking/validation.py and
# kernel/contacts.py enforce it (with every bad field named); `extra_json_schema` only documents,
# so stored orders decode as they were written.
_NAME = msgspec.Meta(extra_json_schema={"minLength": 1, "maxLength": 50})
_EMAIL = msgspec.Meta(extra_json_schema={"format": "email", "maxLength": 254})
_PHONE = msgspec.Meta(extra_json_schema={"pattern": r"^\+[1-9][0-9]{7,14}$"})
ORDER_ID_SCHEMA = {"type": "string", "pattern": "^ord_[0-9a-f]{24}$"}


PASSENGER_ID_SCHEMA = {"type": "string", "pattern": "^pas_[1-9][0-9]{0,2}$"}
# `pas_N`: the N-th passenger of the order, as listed (seats name passengers so too).
_INFANT = msgspec.Meta(extra_json_schema=PASSENGER_ID_SCHEMA)


class Passenger(msgspec.Struct, frozen=True):
    """A passenger of an order. `infant_passenger_id` (adults only): the infant on this adult's
    lap, `pas_N`; one infant per adult, one adult per infant. Optional in a request: infants no
    adult names go to the adults who name none, in order; an order's answer names every lap."""

    type: PassengerType
    given_name: Annotated[str, _NAME]
    family_name: Annotated[str, _NAME]
    born_on: dt.date
    gender: Gender
    email: Annotated[str, _EMAIL] | None = None
    phone_number: Annotated[str, _PHONE] | None = None
    infant_passenger_id: Annotated[str, _INFANT] | None = None


TRAVELER_ID_SCHEMA = {"type": "string", "pattern": "^trv_[A-Za-z0-9_-]{1,60}$"}


class TravelerPassenger(msgspec.Struct, frozen=True):
    """A passenger booked as one of the caller's saved travelers (`GET /v1/me/travelers`): the
    names, birth date and gender are the saved traveler's, copied into the order when it is
    created (a later edit of the saved traveler never changes the order). Contact fields and
    `infant_passenger_id`, as for any passenger, come with the request."""

    type: PassengerType
    traveler_id: Annotated[str, msgspec.Meta(extra_json_schema=TRAVELER_ID_SCHEMA)]
    email: Annotated[str, _EMAIL] | None = None
    phone_number: Annotated[str, _PHONE] | None = None
    infant_passenger_id: Annotated[str, _INFANT] | None = None


# A passenger of a request: given in full, or a saved traveler the order service resolves into a
# `Passenger` before the offer check. msgspec describes no union of untagged Structs, so the
# schema is written out: either shape, by reference. Requests are built by booking/validation.py,
# never decoded by msgspec, so this runtime alias is read only for the OpenAPI document.
if TYPE_CHECKING:
    PassengerInput: TypeAlias = Passenger | TravelerPassenger
else:
    PassengerInput = Annotated[
        Any,
        msgspec.Meta(
            extra_json_schema={
                "anyOf": [
                    {"$ref": "#/components/schemas/Passenger"},
                    {"$ref": "#/components/schemas/TravelerPassenger"},
                ]
            }
        ),
    ]


class PaymentMethod(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """How an `instant` order pays: a token from the payment gateway, never a card number."""

    card_token: str


DESIGNATOR_SCHEMA = {"type": "string", "pattern": "^[0-9]{1,3}[A-Za-z]$"}


class SeatService(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A seat asked for: `segment_id` from `GET /v1/seat_maps`, `passenger_id` `pas_N` (the
    N-th passenger of the order, as listed when it was created), `designator` like `14C`."""

    type: Literal["seat"]
    segment_id: str
    passenger_id: Annotated[str, msgspec.Meta(extra_json_schema=PASSENGER_ID_SCHEMA)]
    designator: Annotated[str, msgspec.Meta(extra_json_schema=DESIGNATOR_SCHEMA)]


class OrderSeat(msgspec.Struct, frozen=True):
    """The seat a passenger holds on a segment, and its price (paid with the order, or by a
    seat charge when chosen after payment)."""

    segment_id: str
    passenger_id: str
    designator: str
    total_amount: Decimal
    total_currency: str


class NewOrder(msgspec.Struct, frozen=True, kw_only=True):
    """What `OrderRepository.create` inserts, as a `pending` order (with the seats it asks
    for: held at the airline right after its hold)."""

    id: str
    owner: str
    type: OrderType
    offer_id: str
    connector: str
    total_amount: Decimal
    total_currency: str
    slices: tuple[Slice, ...]
    passengers: tuple[Passenger, ...]
    terms: FareTerms | None = None
    seats: tuple[OrderSeat, ...] = ()


class FareTerms(msgspec.Struct, frozen=True):
    """What the offer was sold under: its taxes and fare conditions (cancellation and change
    penalties follow from them: booking/cancellations.py). None on orders made before they
    were kept."""

    tax_amount: Decimal
    refundable: bool
    changeable: bool


class LastChange(msgspec.Struct, frozen=True):
    """How the order's last flight change ended (`POST /v1/orders/{id}/changes/{cid}/confirm`):
    `confirmed` (the order flies the new slice), or `failed` with what went wrong and what was
    done about it (e.g. the card was declined, so the airline put the old flights back).
    Every change, failed or not, is also in the order's history. `decline_code`: the card
    gateway's code when a declined card failed it (`insufficient_funds`), else null.
    `failure_code`: why a failed one failed (`ChangeFailure`), for clients to word it by; null on
    a confirmed one and on notes written before it existed (booking/sql/0155)."""

    id: str
    status: Literal["confirmed", "failed"]
    detail: str
    at: dt.datetime
    decline_code: str | None = None
    failure_code: ChangeFailure | None = None


class Order(msgspec.Struct, frozen=True, kw_only=True):
    """An order as stored: every column of `orders` and its passengers in position order."""

    id: str
    owner: str
    booking_reference: str
    type: OrderType
    status: OrderStatus
    payment_status: PaymentStatus
    offer_id: str
    connector: str
    airline_locator: str | None
    total_amount: Decimal
    total_currency: str
    payment_required_by: dt.datetime | None
    slices: tuple[Slice, ...]
    passengers: tuple[Passenger, ...]
    ticket_numbers: tuple[str, ...]
    failure_reason: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    terms: FareTerms | None = None
    last_change: LastChange | None = None
    seats: tuple[OrderSeat, ...] = ()
    # The gateway's code of the payment that moved `payment_status` to `failed` (booking/rows.py
    # reads it from the history); None while the payment status is anything else.
    payment_decline_code: str | None = None
    # While `payment_status` is `processing`: the bank's page its payment waits on, the card's
    # bank asking the traveler to confirm it (3-D Secure; booking/rows.py reads it from the
    # payment); None for a payment the gateway is charging, and for any other payment status.
    payment_action_url: str | None = None
    # Its flight change whose charge waits for the traveler at their bank (3-D Secure;
    # booking/rows.py reads it from the change offer `confirming`, booking/sql/0158); else None.
    change_at_the_bank: ChangeNextAction | None = None
    # The row version it was read at (PostgreSQL's `xmin`, booking/rows.py); None: not read.
    version: int | None = None

    @property
    def visible(self) -> bool:
        return self.status in VISIBLE_STATUSES

    def snapshot(self) -> OrderSnapshot:
        """The order as events carry it (booking/events.py)."""
        return OrderSnapshot(
            id=self.id,
            booking_reference=self.booking_reference,
            status=self.status,
            payment_status=self.payment_status,
            total_amount=self.total_amount,
            total_currency=self.total_currency,
            payment_required_by=self.payment_required_by,
            ticket_numbers=self.ticket_numbers,
            failure_reason=self.failure_reason,
            type=self.type,
            route=route_of(self.slices),
            flights=flights_noted(self.slices),
            passengers=tuple(
                PassengerNote(p.given_name, p.family_name, p.type) for p in self.passengers
            ),
        )

    def contact(self) -> Contact | None:
        return contact_of(self.passengers)


def stored_cents(amount: Decimal) -> Decimal:
    """`amount` to the cent, rounded half away from zero, as an order's `numeric(12, 2)` columns
    store it: what the booking core computes in cents (a change penalty) is then what it stores
    and reads back, and what it predicts of a row (booking/rows.py) is the row."""
    return amount.quantize(_CENT, ROUND_HALF_UP)


def route_of(slices: tuple[Slice, ...]) -> str | None:
    """`ORIGIN-DESTINATION` of the first slice, as usage events name a search's route."""
    return f"{slices[0].origin}-{slices[0].destination}" if slices else None


def flights_noted(slices: tuple[Slice, ...]) -> tuple[FlightNote, ...]:
    """Every flight of `slices`, in order, as the traveler's mails list them."""
    return tuple(
        FlightNote(s.flight_number, s.origin, s.destination, s.departing_at, s.arriving_at)
        for slice_ in slices
        for s in slice_.segments
    )


def contact_of(passengers: tuple[Passenger, ...]) -> Contact | None:
    """The first passenger with an email or a phone number: whom notifications go to."""
    for p in passengers:
        if p.email or p.phone_number:
            return Contact(p.given_name, p.family_name, p.email, p.phone_number)
    return None


class ChangeNextAction(msgspec.Struct, frozen=True, kw_only=True):
    """What the traveler must do for the order's flight change to go on: its charge waits for
    them to confirm it with their bank at `url` (3-D Secure), as the confirmation's `202` said in
    its `next_action`; then confirm change offer `change_offer_id` again (its slice
    `slice_index`): the same Idempotency-Key, or, the page reloaded, a new one and no card."""

    change_offer_id: str
    slice_index: int
    url: str
    type: Literal["redirect_to_url"] = "redirect_to_url"


class CreateOrderRequest(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """`POST /v1/orders`: decoded loosely and checked field by field (booking/validation.py);
    this Struct is the validated result and the request schema of the OpenAPI document."""

    offer_id: Annotated[str, msgspec.Meta(extra_json_schema={"minLength": 1})]
    type: OrderType = "hold"
    # 9 seated and an infant on each adult's lap (booking/validation.py's MAX_PASSENGERS)
    passengers: Annotated[
        tuple[PassengerInput, ...],
        msgspec.Meta(extra_json_schema={"minItems": 1, "maxItems": 18}),
    ]
    payment: PaymentMethod | None = None
    # Seats to hold with the order (their prices are added to total_amount)
    services: Annotated[
        tuple[SeatService, ...], msgspec.Meta(extra_json_schema={"maxItems": 36})
    ] = ()
