"""What the booking core needs from the payment module, as ports it implements (payment/).

The order flow calls them at the right moment; the payment module owns how money moves. Until
the composition root provides them (`OrderService.use_payments`), `instant` orders are refused
(422 naming `type`) and paid orders cannot be cancelled (409). `PriceChecks` is the fare cache's
(search/stale_fares.py), told what each re-pricing found (`OrderService.use_price_checks`).
`SavedTravelers` is the user service's (users/), which resolves a passenger given as
`traveler_id` (`OrderService.use_saved_travelers`); without it such a passenger is refused (422).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Literal, Protocol

import asyncpg
import msgspec

from booking.idempotency import Completion
from booking.model import Gender, Order, OrderSeat, PaymentMethod
from booking.money import OrderMoney


class PaymentStarter(Protocol):
    """Starts paying an `instant` order right after its seats were held."""

    async def start(
        self, order: Order, method: PaymentMethod, *, actor: str, completion: Completion
    ) -> Order:
        """Start the payment of `order` (status `held`, payment `unpaid`) with `method`.

        Must move the payment status (e.g. unpaid → processing) with
        `OrderRepository.transition(..., completion=completion)`, so the answer to the
        traveler's `POST /v1/orders` is stored with that change, and return the changed order.
        Called again for the same order when the traveler retries after a failure: it must be
        idempotent per order (use the order id as the gateway's idempotency key). Raises
        `kernel.errors` (e.g. `ServiceUnavailable`) when the payment cannot be started.
        """


class PaidChanged(Exception):
    """`Refunds.owe` found the order's charges holding another amount than its refund was
    priced on (a seat charge captured meanwhile): the cancel rolls back and looks again."""


class RefundPart(msgspec.Struct, frozen=True):
    """One part of a cancelled order's refund: `amount` back to the card of one charge
    (`charge_id`: `pay_…` the order's payment, `och_…` a change's difference, `sch_…` seats
    bought later); `owed` until the gateway confirms it (`detail`: its last refusal).
    `by_gateway`: how much of `amount` the card gateway gave back itself (a refund made at its
    dashboard, found when the part was asked), not our refund: all of it for a part that found
    nothing left to ask; `amount` less it is what we refunded."""

    charge_id: str
    amount: Decimal
    currency: str
    status: Literal["owed", "refunded"]
    detail: str | None = None
    by_gateway: Decimal = Decimal("0.00")


class Refunds(Protocol):
    """Gives the money back when a paid order is cancelled: all of its charges are one set (its
    own payment, the differences its flight changes charged, the seats bought after booking)."""

    async def paid(self, order: Order) -> Decimal:
        """What the traveler paid for `order`, net: every captured charge of it minus what was
        given back already (e.g. a change to a cheaper slice). The fare conditions decide how
        much of it a cancellation gives back (booking/cancellation_terms.py `money_back`)."""

    async def card(self, order_id: str) -> str | None:
        """The last four digits of the one card the money of order `order_id` is on, for its
        cancellation's mail to name where the refund goes; None when a charge names none (made
        before its card was kept) or they are on more than one card."""

    async def owe(
        self,
        conn: asyncpg.Connection,
        order: Order,
        *,
        reason: str,
        amount: Decimal | None = None,
        paid: Decimal | None = None,
    ) -> None:
        """Record, in the transaction `conn` is in, that the money of `order` — just ended
        (cancelled) while `paid` — is owed back: `amount` of it (a cancellation quote's refund,
        the fare's penalty kept), or all of it when None, split across its charges.

        Called inside the very transaction that ends the order, so no committed state ever
        holds an ended order whose money nobody owes back: a crash right after the commit
        leaves a refund owed, which the payment reconciler finishes. Raises `PaidChanged` when
        the charges no longer hold `paid` (what `amount` was priced on).
        """

    async def parts(self, order_id: str) -> tuple[RefundPart, ...]:
        """Where a cancelled order's refund went (or goes): one part per charge refunded."""

    async def refund(self, order: Order, *, actor: str, reason: str) -> Order:
        """Refund `order`, which was just cancelled with payment status `paid`.

        Moves the payment status paid → refunded through `OrderRepository.transition` (emitting
        `payment.refunded`) once every part is confirmed by the gateway, and returns the order
        as it is now (still `paid` while a part is pending). Must be idempotent per order.
        """


class MoneyLedger(Protocol):
    """What an order's card charges add up to (the payment module's ledger)."""

    async def money_of(self, order: Order, conn: asyncpg.Connection | None = None) -> OrderMoney:
        """Every captured charge of `order` and what went back of it, read in one query: on
        `conn` (the one the order was just read on), else on a connection of its own. Raises
        `kernel.errors.ServiceUnavailable` when the database cannot answer."""

    async def money_of_orders(
        self, orders: Sequence[Order], conn: asyncpg.Connection | None = None
    ) -> dict[str, OrderMoney]:
        """`money_of` for each of `orders` (by order id), all read in ONE query: a page of
        orders costs one statement, never one per order. Raises as `money_of`."""


class PriceChecks(Protocol):
    """Hears what re-pricing an offer with its airline found, so a cache can correct itself."""

    async def checked(self, offer_id: str, outcome: Literal["held", "changed", "gone"]) -> None:
        """`held`: the price quoted is the price; `changed`: another price; `gone`: sold out or
        expired. Must not raise: the order flow goes on whatever it does."""

    async def sold(self, offer_id: str) -> None:
        """The airline just held seats of `offer_id` for an order. Must not raise."""


class TravelerDetails(msgspec.Struct, frozen=True):
    """What an order copies from a saved traveler: the passenger's identity as on the passport."""

    given_name: str
    family_name: str
    born_on: dt.date
    gender: Gender


class SavedTravelers(Protocol):
    """The travelers each user keeps on file, looked up when an order names one."""

    async def traveler(self, owner: str, traveler_id: str) -> TravelerDetails | None:
        """`owner`'s saved traveler `traveler_id`; None when unknown or another user's (the
        two are not told apart). Raises `kernel.errors.ServiceUnavailable` when the lookup
        cannot be made now."""


class NextAction(msgspec.Struct, frozen=True):
    """What the traveler must do for a card payment to go on: open `url` in the browser (their
    bank's 3-D Secure challenge), which then sends the browser back to the app's `/bank-return`
    page for the order (skyfare/bank_return.py). A held order's payment and a seat change's
    charge answer it alike."""

    url: str
    type: Literal["redirect_to_url"] = "redirect_to_url"


class SeatChargeView(msgspec.Struct, frozen=True):
    """A seat change paid on a confirmed order: `processing` until the card gateway answers,
    then `succeeded` (the seats are the traveler's), `failed` (nothing changed), or
    `refunded` (the airline gave the seat away meanwhile; the money went back).
    `decline_code`: when `failed`, the card gateway's code for why (null when it gave none).
    `next_action`: while the charge is `processing` because the card's bank asks the traveler
    to confirm it (3-D Secure), the bank's page, in the answer that started it and in every
    `GET` until it is settled (a reloaded trip shows the page again); null otherwise."""

    id: str
    # `refunded` also once the order's cancellation (or the gateway) gave the money back.
    status: Literal["processing", "succeeded", "failed", "refunding", "refunded"]
    amount: Decimal
    currency: str
    seats: tuple[OrderSeat, ...]
    decline_code: str | None = None
    next_action: NextAction | None = None


class SeatPayments(Protocol):
    """Charges the difference of a seat change on a paid order (the payment module's)."""

    async def charge(
        self,
        order: Order,
        seats: tuple[OrderSeat, ...],
        amount: Decimal,
        method: PaymentMethod,
        *,
        origin: str | None = None,
    ) -> SeatChargeView:
        """Start charging `amount` for `seats`; the seats are given (booking/seats.py's
        `OrderSeatDesk.apply_paid`) once the card is charged. A card whose bank asks the
        traveler to confirm (3-D Secure) answers `next_action`; its bank sends them back to the
        web app, at `origin` (the scheme and host the request came to) unless its address is
        configured. Raises `Conflict` while another seat charge of the order is in flight,
        `ValidationFailed` naming `payment.card_token` for a refused card,
        `ServiceUnavailable` when the gateway cannot be reached."""

    async def latest(self, order_id: str) -> SeatChargeView | None:
        """The order's most recent seat charge, if any."""
