"""What a trip cost, as the payment ledger knows it: the order's `money`.

An order's `total_amount` is its fare (and the seats chosen with it) as last priced; it leaves
out seats bought after booking and the differences flight changes charged, each its own card
charge. `OrderMoney` adds every captured charge up and says how much of each went back, so a
traveler (and an API client) reads what was paid, what came back and what the fare kept. The
payment module computes it (payment/order_money.py) behind the `MoneyLedger` port.

Names follow the order's own (`total_amount` / `total_currency`) and Duffel's `*_amount`
habit: `paid_amount`, `refunded_amount`, `refund_pending_amount`; a charge's `type` is what it
paid for, as an order's services are typed.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Literal

import msgspec

if TYPE_CHECKING:  # booking/model.py shows an order's money: imported there at run time
    from booking.model import Order

# `booking`: the order's own payment; `seats`: seats bought after booking; `flight_change`: the
# difference a change to a dearer flight charged.
ChargeType = Literal["booking", "seats", "flight_change"]

NOTHING = Decimal("0.00")


class ChargeMoney(msgspec.Struct, frozen=True, kw_only=True):
    """One card charge captured for the order (`id`: `pay_…`, `sch_…` or `och_…`, as a
    cancellation's `refunds` name them) and how much of it went back (`refunded_amount`) or is
    on its way back (`refund_pending_amount`)."""

    id: str
    type: ChargeType
    amount: Decimal
    refunded_amount: Decimal
    refund_pending_amount: Decimal
    created_at: dt.datetime


class OrderMoney(msgspec.Struct, frozen=True, kw_only=True):
    """Every charge of the order, oldest first, and their sums: `paid_amount` all the card was
    charged, `refunded_amount` what came back so far, `refund_pending_amount` what is owed back
    and not through yet. What the traveler keeps paid for: `paid_amount` less both."""

    currency: str
    paid_amount: Decimal
    refunded_amount: Decimal
    refund_pending_amount: Decimal
    charges: tuple[ChargeMoney, ...]

    @classmethod
    def of(cls, currency: str, charges: tuple[ChargeMoney, ...]) -> OrderMoney:
        return cls(
            currency=currency,
            paid_amount=sum((c.amount for c in charges), NOTHING),
            refunded_amount=sum((c.refunded_amount for c in charges), NOTHING),
            refund_pending_amount=sum((c.refund_pending_amount for c in charges), NOTHING),
            charges=charges,
        )


def nothing_charged(order: Order) -> OrderMoney:
    """The money of an order no charge was captured for yet (a new order, an unpaid hold)."""
    return OrderMoney.of(order.total_currency, ())
