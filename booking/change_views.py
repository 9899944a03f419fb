"""What the change routes answer: change offers as a traveler reads them (Duffel's order change
offers: what to pay or get back, the penalty the fare conditions set, the new total)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import msgspec

from booking.change_terms import ChangeOffer, ChangeStatus
from booking.model import ChangeFailure, Order
from booking.order_view import OrderView
from booking.ports import NextAction
from connectors.model import Conditions, Slice


class ChangeOfferView(msgspec.Struct, frozen=True, kw_only=True):
    """One way to fly slice `slice_index` of the order instead (`slice`), valid until
    `expires_at`. `change_total_amount` is what confirming moves now: charged to the card
    given (> 0) or refunded to the card that paid (< 0); it is the airline's
    `fare_difference_amount` plus the `penalty_total_amount` the fare conditions set (0 on an
    unpaid hold, which pays `new_total_amount` when it pays); every amount comes with its
    currency (all in the order's). `status`: quoted → confirming →
    confirmed, or failed (`failure_reason` says why and what was undone; `decline_code` is the
    card gateway's code when a declined card failed it, else null; `failure_code` says why in a
    stable word, booking.model.ChangeFailure, null on offers failed before it existed). `order`
    is the order as it is now, on the answers about one change offer. `next_action`: while the
    offer is `confirming` and the card's bank asks the traveler to confirm the charge (3-D
    Secure), the bank's page to open; confirm again (same Idempotency-Key) once they have."""

    id: str
    order_id: str
    status: ChangeStatus
    slice_index: int
    slice: Slice
    conditions: Conditions
    fare_difference_amount: Decimal
    fare_difference_currency: str
    penalty_total_amount: Decimal
    penalty_total_currency: str
    change_total_amount: Decimal
    change_total_currency: str
    new_total_amount: Decimal
    new_total_currency: str
    expires_at: dt.datetime
    created_at: dt.datetime
    confirmed_at: dt.datetime | None
    failure_reason: str | None
    order: OrderView | None = None
    decline_code: str | None = None
    failure_code: ChangeFailure | None = None
    next_action: NextAction | None = None

    @classmethod
    def of(cls, offer: ChangeOffer, order: Order | None = None) -> ChangeOfferView:
        return cls(
            id=offer.id,
            order_id=offer.order_id,
            status=offer.status,
            slice_index=offer.slice_index,
            slice=offer.new_slice,
            conditions=Conditions(refundable=offer.refundable, changeable=offer.changeable),
            fare_difference_amount=offer.fare_difference,
            fare_difference_currency=offer.currency,
            penalty_total_amount=offer.penalty_amount,
            penalty_total_currency=offer.currency,
            change_total_amount=offer.due_amount,
            change_total_currency=offer.currency,
            new_total_amount=offer.new_total_amount,
            new_total_currency=offer.currency,
            expires_at=offer.expires_at,
            created_at=offer.created_at,
            confirmed_at=offer.confirmed_at,
            failure_reason=offer.failure_reason,
            decline_code=offer.decline_code,
            failure_code=offer.failure_code,
            next_action=_at_the_bank(offer),
            order=None if order is None else OrderView.of(order),
        )


def _at_the_bank(offer: ChangeOffer) -> NextAction | None:
    """The bank's page the change's charge waits on, while it does (gone once settled)."""
    if offer.status != "confirming" or offer.action_url is None:
        return None
    return NextAction(offer.action_url)


class ChangeOffers(msgspec.Struct, frozen=True):
    """The change offers for one slice, cheapest first (none when the airline has no seats
    that day)."""

    order_id: str
    slice_index: int
    data: tuple[ChangeOfferView, ...]
