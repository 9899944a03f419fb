"""Change offers: how one slice of an order could be flown instead, priced.

`quote` asks the order's airline (its connector's reshop) how the slice could be flown instead
and prices each way by the fare conditions (booking/change_terms.py): change offers, kept in
PostgreSQL for `ttl_s`. Confirming one is booking/changes.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Literal, get_args

from prometheus_client import Counter

from booking.cancellation_terms import NOTHING
from booking.change_airline import ChangeAirline
from booking.change_ports import ChangePayments
from booking.change_store import PgChanges
from booking.change_terms import (
    ChangeOffer,
    SliceSearch,
    check_changeable,
    is_change_id,
    new_change_id,
    price_change,
    same_flights,
    seat_credit,
)
from booking.change_validation import check_against_order
from booking.departures import check_slice_not_left
from booking.model import Order
from booking.service import OrderService
from connectors.change_model import SliceChangeOffer
from connectors.model import SliceQuery
from kernel.auth import Principal
from kernel.counters import start_series
from kernel.errors import (
    DomainError,
    NotFound,
)

# A confirmation's claim on its offer: longer than its steps take (the airline's change, the
# card's settling), so nobody else resumes an offer whose request is still at it.
CLAIM_LEASE_S = 60.0
OFFER_TTL_S = 300.0  # a few minutes: long enough to choose, short enough to stay true
MAX_OFFERS = 20
ChangeOutcome = Literal[
    "quoted",
    "confirmed",
    "replayed",
    "expired",
    "refused",
    "failed",
    "compensated",
    "undo_refused",
    "at_the_bank",
    "bank_canceled",
    "given_up",
    "waited",
]
CHANGES = Counter(
    "skyfare_order_changes_total",
    "Order changes by outcome: quoted, confirmed, replayed, expired, refused, failed "
    "(nothing changed), compensated (the airline changed, the payment failed, undone), "
    "undo_refused (the airline would not put the original flights back: for support), "
    "at_the_bank (a confirmation answered 202: the card's bank asks the traveler to confirm, "
    "3-D Secure), bank_canceled (left at the bank past SKYFARE_CHANGE_BANK_WAIT_S: its charge "
    "canceled at the gateway, then undone), given_up (the traveler gave it up while their bank "
    "waited: its charge canceled at the gateway, then undone), waited (a confirmation found the "
    "change held by another request, the change sweeper or its charge's webhook, and waited for "
    "it: counted each time, whatever it then answered).",
    ["outcome"],
)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class ChangeQuoting:
    """Change offers for an order's owner (or support), and what confirming them works with."""

    def __init__(
        self,
        orders: OrderService,
        store: PgChanges,
        airline: ChangeAirline,
        *,
        ttl_s: float = OFFER_TTL_S,
        lease_s: float = CLAIM_LEASE_S,
        clock: Callable[[], dt.datetime] = _now,
    ) -> None:
        self._orders = orders
        self._store = store
        self._airline = airline
        self._ttl = dt.timedelta(seconds=ttl_s)
        self._lease = lease_s
        self._clock = clock
        self.payments: ChangePayments | None = None  # None: paid orders change only for free
        # This process changes flights: its series at 0 from now on, so a rate() sees the first.
        start_series(CHANGES, get_args(ChangeOutcome))

    async def quote(
        self, principal: Principal, order_id: str, search: SliceSearch
    ) -> tuple[list[ChangeOffer], Order]:
        """New change offers for one slice of the order (none when the airline has nothing)."""
        order = await self._orders.own(principal, order_id)
        check_against_order(search, order)
        check_slice_not_left(order, search.slice_index, self._clock())
        self._airline.changer(order)  # an airline that cannot change says so first
        check_changeable(order)
        query = SliceQuery(search.origin, search.destination, search.departure_date)
        try:
            found = await self._airline.reshop(order, search.slice_index, query)
        except DomainError:
            CHANGES.labels("refused").inc()
            raise
        now = self._clock()
        booked = order.slices[search.slice_index]
        offers = sorted(
            (
                self._offer(order, search.slice_index, f, now)
                for f in found[:MAX_OFFERS]
                if f.currency == order.total_currency and not same_flights(f.slice, booked)
            ),
            key=lambda o: (o.due_amount, o.new_total_amount),
        )
        if offers:
            await self._store.insert(offers, actor=principal.subject)
        CHANGES.labels("quoted").inc()
        return offers, order

    def _offer(
        self, order: Order, index: int, found: SliceChangeOffer, now: dt.datetime
    ) -> ChangeOffer:
        pricing = price_change(order, found.old_total, found.new_total)
        tax = None if order.terms is None else order.terms.tax_amount + found.tax_difference
        return ChangeOffer(
            id=new_change_id(),
            order_id=order.id,
            status="quoted",
            slice_index=index,
            supplier_fare_id=found.supplier_fare_id,
            new_slice=found.slice,
            fare_difference=pricing.difference,
            penalty_amount=pricing.penalty,
            due_amount=pricing.due,
            new_total_amount=max(pricing.new_total - seat_credit(order, index), NOTHING),
            new_tax_amount=None if tax is None else max(tax, NOTHING),
            currency=order.total_currency,
            refundable=found.conditions.refundable,
            changeable=found.conditions.changeable,
            order_status=order.status,
            order_payment_status=order.payment_status,
            order_updated_at=order.updated_at,
            expires_at=min(now + self._ttl, found.expires_at),
            created_at=now,
        )

    async def get(
        self, principal: Principal, order_id: str, change_id: str
    ) -> tuple[ChangeOffer, Order]:
        order = await self._orders.get(principal, order_id)
        return await self._found(order.id, change_id), order

    async def _found(self, order_id: str, change_id: str) -> ChangeOffer:
        offer = await self._store.get(order_id, change_id) if is_change_id(change_id) else None
        if offer is None:
            raise NotFound(f"no change offer {change_id[:64]!r} of this order")
        return offer
