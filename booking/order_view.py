"""What a traveler (or support) is shown of an order (docs/api.md "Orders"): `OrderView`, which
never names the owner, and a page of them. `Order` (booking/model.py) is the whole row."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

import msgspec

from booking.model import (
    ChangeNextAction,
    LastChange,
    Order,
    OrderSeat,
    OrderStatus,
    OrderType,
    Passenger,
    PaymentStatus,
)
from booking.money import OrderMoney
from connectors.model import Conditions, Slice
from kernel.cursors import ListMeta


class PaymentNextAction(msgspec.Struct, frozen=True, kw_only=True):
    """What the traveler must do for the order's payment to go on: confirm it with their bank
    at `url` (3-D Secure), as the payment's `202` said in its `next_action`."""

    url: str
    type: Literal["redirect_to_url"] = "redirect_to_url"


class OrderView(msgspec.Struct, frozen=True, kw_only=True):
    """An order as docs/api.md shows it to its traveler (or to support); never names the owner.

    `airline_locator` is the airline's own booking reference (its PNR) once the seats are held;
    `booking_reference` is ours, the one to quote to support. `seats`: each passenger's seat
    per segment (`passenger_id` `pas_N` is the N-th of `passengers`). `payment_decline_code`:
    while `payment_status` is `failed`, the card gateway's code for why (`generic_decline`,
    `insufficient_funds`; null when it gave none), else null. `conditions`: the fare conditions
    the order flies under (the offer's at booking, the new offer's after a flight change), as
    an offer states them; null on orders made before they were kept (the airline decides).
    `money`: every card charge of the order and what went back of it, read from
    the payment ledger: for one order (its GET, cancel and cancellation answers) and for each
    order of a list (`GET /v1/orders`, the same values, a page read in one query); null in a
    flight change's answer. `payment_next_action`: while `payment_status` is `processing`, set
    when the payment waits for the traveler to confirm it with their bank (3-D Secure: open
    `url`; or pay with another card, which cancels it); null while the gateway is charging the
    card, and for every other payment status. `change_next_action`: while a flight change of the
    order waits for the traveler to confirm its charge with their bank (3-D Secure), the change
    offer, its slice and the bank's page; null otherwise (the order flies what it flew until
    the change is confirmed).
    """

    id: str
    booking_reference: str
    type: OrderType
    status: OrderStatus
    payment_status: PaymentStatus
    payment_required_by: dt.datetime | None
    total_amount: Decimal
    total_currency: str
    slices: tuple[Slice, ...]
    passengers: tuple[Passenger, ...]
    airline_locator: str | None
    ticket_numbers: tuple[str, ...]
    offer_id: str
    created_at: dt.datetime
    updated_at: dt.datetime
    last_change: LastChange | None = None
    seats: tuple[OrderSeat, ...] = ()
    payment_decline_code: str | None = None
    conditions: Conditions | None = None
    money: OrderMoney | None = None
    payment_next_action: PaymentNextAction | None = None
    change_next_action: ChangeNextAction | None = None

    @classmethod
    def of(cls, order: Order, money: OrderMoney | None = None) -> OrderView:
        return cls(
            id=order.id,
            booking_reference=order.booking_reference,
            type=order.type,
            status=order.status,
            payment_status=order.payment_status,
            payment_required_by=order.payment_required_by,
            total_amount=order.total_amount,
            total_currency=order.total_currency,
            slices=order.slices,
            passengers=order.passengers,
            airline_locator=order.airline_locator,
            ticket_numbers=order.ticket_numbers,
            offer_id=order.offer_id,
            created_at=order.created_at,
            updated_at=order.updated_at,
            last_change=order.last_change,
            seats=order.seats,
            payment_decline_code=order.payment_decline_code,
            conditions=None
            if order.terms is None
            else Conditions(refundable=order.terms.refundable, changeable=order.terms.changeable),
            money=money,
            payment_next_action=None
            if order.payment_action_url is None
            else PaymentNextAction(url=order.payment_action_url),
            change_next_action=order.change_at_the_bank,
        )


class OrderList(msgspec.Struct, frozen=True):
    data: tuple[OrderView, ...]
    meta: ListMeta
