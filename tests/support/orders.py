"""A valid passenger, new orders and stored ones for the booking and payment suites (no I/O)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from booking.model import NewOrder, Order, Passenger
from booking.references import new_order_id
from booking.state import Change
from tests.fakes import offer

ADA = Passenger(
    type="adult",
    given_name="Ada",
    family_name="Lovelace",
    born_on=dt.date(1990, 12, 10),
    gender="f",
    email="ada@example.com",
    phone_number="+442071838750",
)

# An order held at the airline: the `pending → held` change the repository suites apply.
HOLD = Change(
    from_status=("pending",),
    to_status="held",
    reason="held at the airline",
    airline_locator="ABC123",
    payment_required_by=dt.datetime(2030, 1, 1, tzinfo=dt.UTC),
)


def new_order(owner: str = "alice", **changes: object) -> NewOrder:
    fields: dict[str, object] = {
        "id": new_order_id(),
        "owner": owner,
        "type": "hold",
        "offer_id": "off_test",
        "connector": "fake",
        "total_amount": Decimal("612.40"),
        "total_currency": "USD",
        "slices": offer().slices,
        "passengers": (ADA,),
    }
    fields.update(changes)
    return NewOrder(**fields)  # type: ignore[arg-type]


def stored_order(**changes: object) -> Order:
    """An order as read from its row: a pending hold of 612.40 USD made on 2026-12-01, no
    passengers or flights; `changes` replace any field."""
    created = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    fields: dict[str, object] = {
        "id": "ord_" + "a" * 24,
        "owner": "alice",
        "booking_reference": "K7Q2MZ",
        "type": "hold",
        "status": "pending",
        "payment_status": "unpaid",
        "offer_id": "off_x",
        "connector": "rest-ba",
        "airline_locator": None,
        "total_amount": Decimal("612.40"),
        "total_currency": "USD",
        "payment_required_by": None,
        "slices": (),
        "passengers": (),
        "ticket_numbers": (),
        "failure_reason": None,
        "created_at": created,
        "updated_at": created,
    }
    fields.update(changes)
    return Order(**fields)  # type: ignore[arg-type]
