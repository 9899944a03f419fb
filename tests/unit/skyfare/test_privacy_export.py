"""The export's order and payment are the stored ones minus what it leaves out: a field added to
`Order` or `Payment` and forgotten in the export (or the other way round) fails here, not in a
traveler's export."""

from __future__ import annotations

import msgspec

from booking.model import Order
from booking.order_view import OrderView
from payment.model import Payment
from skyfare.privacy_documents import (
    ORDER_FIELDS_NOT_EXPORTED,
    PAYMENT_FIELDS_NOT_EXPORTED,
    ExportedOrder,
    PaymentRecord,
)

Field = tuple[str, object, object]

# The order view's fields read from stored fields of other names: `conditions` is the
# refundable/changeable part of `terms`; `money` adds up the order's charges: its payments,
# seats bought after booking and flight changes' differences (payment/order_money.py);
# `payment_next_action` is the `action_url` of its payment in flight (booking/rows.py);
# `change_next_action` the bank's page of its flight change waiting there (booking/rows.py).
VIEW_FIELDS_DERIVED = {
    "conditions": ("terms",),
    "money": ("payments", "seat_charges", "change_charges"),
    "payment_next_action": ("payments",),
    "change_next_action": ("change_charges",),
}


def _fields(struct: type[msgspec.Struct], leaving_out: tuple[str, ...] = ()) -> set[Field]:
    return {
        (f.name, f.type, f.default)
        for f in msgspec.structs.fields(struct)
        if f.name not in leaving_out
    }


def test_an_exported_order_is_every_stored_field_but_those_it_leaves_out() -> None:
    added = {"history", "payments", "seat_charges", "change_charges"}
    own = {field for field in _fields(ExportedOrder) if field[0] not in added}

    assert own == _fields(Order, ORDER_FIELDS_NOT_EXPORTED)
    assert {name for name, _, _ in _fields(ExportedOrder)} >= added
    assert set(ORDER_FIELDS_NOT_EXPORTED) <= {name for name, _, _ in _fields(Order)}


def test_an_exported_order_carries_every_field_the_api_shows_of_it() -> None:
    """What it leaves out is internal: `version` (the row's `xmin`, a concurrency guard) is not
    shown by the API either, nor is it data about the traveler. A field the API derives from a
    stored one is exported as the stored one it is read from."""
    shown = {field.name for field in msgspec.structs.fields(OrderView)}
    exported = {field.name for field in msgspec.structs.fields(ExportedOrder)}
    assert shown - set(VIEW_FIELDS_DERIVED) <= exported
    assert {stored for read in VIEW_FIELDS_DERIVED.values() for stored in read} <= exported
    assert not shown & set(ORDER_FIELDS_NOT_EXPORTED)


def test_an_exported_payment_is_every_stored_field_but_those_it_leaves_out() -> None:
    # Types too: `status` was a plain string, so the export's schema named no status, and the
    # type checker let any string through `PaymentRecord.of`.
    assert _fields(PaymentRecord) == _fields(Payment, PAYMENT_FIELDS_NOT_EXPORTED)
    assert set(PAYMENT_FIELDS_NOT_EXPORTED) <= {name for name, _, _ in _fields(Payment)}
