"""What cancelling an order costs and gives back, by its fare conditions (pure).

- Not paid (held, unpaid or its card declined): nothing was taken, nothing to refund.
- Paid, refundable fare: everything paid back (the order's payment, a flight change's
  difference, seats bought after booking), no penalty.
- Paid, non-refundable fare: the taxes of the fare as it is now (the airline owes them: they
  are levied per flown passenger) back; the rest kept as the penalty, seats bought included.
- Paid, terms unknown (an order made before they were kept): everything back, as cancelling
  always did.
A payment in flight cannot be quoted (its outcome decides the answer); an order that is over
(cancelled, expired) has nothing to cancel.
"""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal
from typing import Literal, Protocol

import msgspec

from booking.model import Order, OrderStatus, PaymentStatus
from kernel.errors import Conflict

CANCELLATION_ID_PREFIX = "ocr_"
RefundTo = Literal["original_form_of_payment"]
CancellationStatus = Literal["quoted", "confirmed"]
NOTHING = Decimal("0.00")
QUOTABLE: tuple[OrderStatus, ...] = ("held", "confirmed")


def new_quote_id(prefix: str) -> str:
    """A quote's id: `prefix` and 96 random bits in lower-case hex (cancellations, changes)."""
    return prefix + secrets.token_hex(12)


def is_quote_id(value: str, prefix: str) -> bool:
    body = value.removeprefix(prefix)
    return (
        value.startswith(prefix) and len(body) == 24 and all(c in "0123456789abcdef" for c in body)
    )


def new_cancellation_id() -> str:
    return new_quote_id(CANCELLATION_ID_PREFIX)


def is_cancellation_id(value: str) -> bool:
    return is_quote_id(value, CANCELLATION_ID_PREFIX)


class QuotedOrder(Protocol):
    """What a quote remembers of the order it was made from."""

    @property
    def order_status(self) -> OrderStatus: ...
    @property
    def order_payment_status(self) -> PaymentStatus: ...
    @property
    def order_updated_at(self) -> dt.datetime: ...


class Terms(msgspec.Struct, frozen=True):
    refund_amount: Decimal
    penalty_amount: Decimal
    refund_to: RefundTo | None

    @property
    def paid_amount(self) -> Decimal:
        """What was paid, that the refund and the penalty share."""
        return self.refund_amount + self.penalty_amount


class Quote(msgspec.Struct, frozen=True, kw_only=True):
    """A stored cancellation quote and the order as it was when it was made."""

    id: str
    order_id: str
    status: CancellationStatus
    refund_amount: Decimal
    penalty_amount: Decimal
    currency: str
    refund_to: RefundTo | None
    order_status: OrderStatus
    order_payment_status: PaymentStatus
    order_updated_at: dt.datetime
    expires_at: dt.datetime
    created_at: dt.datetime
    confirmed_at: dt.datetime | None = None

    def expired(self, now: dt.datetime) -> bool:
        return self.status == "quoted" and now >= self.expires_at

    def describes(self, order: Order) -> bool:
        """Whether `order` is still as it was quoted."""
        return describes(self, order)


def check_quotable(order: Order, action: str) -> None:
    """`Conflict` unless the order is live (held or confirmed) with no payment in flight: the
    quote of a cancellation or a change depends on what the payment settles to."""
    if order.status not in QUOTABLE:
        raise Conflict(f"the order is {order.status}: there is nothing to {action}")
    if order.payment_status == "processing":
        raise Conflict("a payment of this order is in progress: ask again once it has settled")


def describes(quote: QuotedOrder, order: Order) -> bool:
    """Whether `order` is still as it was when `quote` was made."""
    return (order.status, order.payment_status, order.updated_at) == (
        quote.order_status,
        quote.order_payment_status,
        quote.order_updated_at,
    )


def terms_for(order: Order, paid: Decimal | None = None) -> Terms:
    """What cancelling `order` now would give back; `Conflict` when it cannot be quoted."""
    check_quotable(order, "cancel")
    return money_back(order, paid)


def money_back(order: Order, paid: Decimal | None = None) -> Terms:
    """What the fare conditions give back of what was paid for `order` (`paid`: all its
    charges net — its payment, a change's difference, seats bought later; None: its total),
    whatever its status now: the one-step cancel reads it off the row it has just cancelled.

    A refundable fare gives back everything paid, seats bought after booking included (they
    were sold with the fare); a non-refundable one its taxes only, the seats kept with the fare.
    """
    if order.payment_status != "paid":
        return Terms(NOTHING, NOTHING, None)
    total = order.total_amount if paid is None else paid
    if order.terms is None or order.terms.refundable:
        return Terms(total, NOTHING, "original_form_of_payment")
    refund = min(order.terms.tax_amount, total)
    return Terms(refund, total - refund, "original_form_of_payment")
