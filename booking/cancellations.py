"""Cancellation quotes: what cancelling an order gives back, then doing exactly that.

`quote` prices the cancellation by the order's fare conditions (booking/cancellation_terms.py)
and keeps it for `ttl_s`. `confirm` performs it as quoted: the airline releases the booking,
then ONE transaction moves the order to `cancelled` (guarded on the status and payment status
it was quoted in), marks the quote confirmed and, for a paid order, owes the quoted refund
(`Refunds.owe`, amount fixed, split across the order's charges: its payment, a change's
difference, seats bought later), so no commit ever holds a cancelled order whose money nobody
owes back. Confirming again answers the confirmed quote (idempotent); an expired quote is 410;
an order that changed since the quote (paid, cancelled, expired meanwhile) is 409: ask again.
The quote prices all the order's charges (`Refunds.paid`): a seat charge captured between the
quote and its confirmation is a 409 too (the order is then cancelled the one-step way).
`POST /v1/orders/{id}/cancel` stays the one-step cancel (booking/service.py): it gives back
what a quote confirmed at once would (`money_back`), without keeping a quote.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Literal, get_args

import asyncpg
from prometheus_client import Counter

from booking.cancellation_store import PgCancellations
from booking.cancellation_terms import Quote, is_cancellation_id, new_cancellation_id, terms_for
from booking.departures import check_not_begun
from booking.model import Order
from booking.ports import PaidChanged, RefundPart
from booking.service import OrderService
from booking.state import Change
from kernel.auth import Principal
from kernel.counters import start_series
from kernel.errors import Conflict, Gone, NotFound

logger = logging.getLogger(__name__)

QUOTE_TTL_S = 300.0  # a few minutes: long enough to read it, short enough to stay true
QuoteOutcome = Literal["quoted", "confirmed", "replayed", "expired", "changed"]
QUOTES = Counter(
    "skyfare_cancellation_quotes_total",
    "Cancellation quotes by outcome: quoted, confirmed, replayed, expired, changed.",
    ["outcome"],
)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class _AlreadyConfirmed(Exception):
    """Another confirm of the same quote committed first: this transaction rolls back."""


class CancellationService:
    """Cancellation quotes for an order's owner (or support); raises `kernel.errors`."""

    def __init__(
        self,
        orders: OrderService,
        store: PgCancellations,
        *,
        ttl_s: float = QUOTE_TTL_S,
        clock: Callable[[], dt.datetime] = _now,
    ) -> None:
        self._orders = orders
        self._store = store
        self._ttl = dt.timedelta(seconds=ttl_s)
        self._clock = clock
        # This process quotes cancellations: its series at 0 from now on (a rate() sees the first).
        start_series(QUOTES, get_args(QuoteOutcome))

    async def quote(self, principal: Principal, order_id: str) -> tuple[Quote, Order]:
        """A new quote for cancelling the order now, and the order it was made from."""
        order = await self._orders.get(principal, order_id)
        refunds = self._orders.refunds
        paid = None
        if order.payment_status == "paid" and refunds is not None:
            paid = await refunds.paid(order)
        terms = terms_for(order, paid)
        now = self._clock()
        check_not_begun(principal, order, now)
        quote = Quote(
            id=new_cancellation_id(),
            order_id=order.id,
            status="quoted",
            refund_amount=terms.refund_amount,
            penalty_amount=terms.penalty_amount,
            currency=order.total_currency,
            refund_to=terms.refund_to,
            order_status=order.status,
            order_payment_status=order.payment_status,
            order_updated_at=order.updated_at,
            expires_at=now + self._ttl,
            created_at=now,
        )
        await self._store.insert(quote, actor=principal.subject)
        QUOTES.labels("quoted").inc()
        return quote, order

    async def confirm(
        self, principal: Principal, order_id: str, quote_id: str
    ) -> tuple[Quote, Order]:
        """The confirmed quote and the order as it is now."""
        order = await self._orders.get(principal, order_id)
        quote = await self._found(order.id, quote_id)
        if quote.status == "confirmed":
            QUOTES.labels("replayed").inc()
            return quote, order
        if quote.expired(self._clock()):
            QUOTES.labels("expired").inc()
            raise Gone("this cancellation quote expired: ask for a new one")
        if not quote.describes(order):
            QUOTES.labels("changed").inc()
            raise Conflict("the order changed since this quote: ask for a new one")
        check_not_begun(principal, order, self._clock())
        refunds = self._orders.refunds
        if quote.order_payment_status == "paid" and refunds is None:
            raise Conflict("this order is paid and refunds are not enabled on this deployment")
        await self._orders.airline.cancel(order)
        cancelled = await self._cancel(principal, quote)
        if cancelled is None:
            return await self._lost(principal, order, quote_id)
        QUOTES.labels("confirmed").inc()
        if cancelled.payment_status == "paid" and refunds is not None:
            cancelled = await refunds.refund(
                cancelled, actor=principal.subject, reason="the order was cancelled"
            )
        return await self._found(order.id, quote_id), cancelled

    async def refunds_of(self, quote: Quote) -> tuple[RefundPart, ...]:
        """Where a confirmed quote's refund went, part by part (none before it is confirmed)."""
        refunds = self._orders.refunds
        if quote.status != "confirmed" or refunds is None:
            return ()
        return await refunds.parts(quote.order_id)

    async def _cancel(self, principal: Principal, quote: Quote) -> Order | None:
        who = "support" if principal.is_support else "traveler"
        change = Change(
            from_status=(quote.order_status,),
            from_payment=(quote.order_payment_status,),
            to_status="cancelled",
            reason=f"cancelled by {who} as quoted ({quote.id})",
            refund_amount=quote.refund_amount if quote.refund_to else None,
            penalty_amount=quote.penalty_amount if quote.refund_to else None,
            # its mail names the card the refund goes to, as the refund's own mail does
            refund_card_last4=(
                await self._orders.refund_card(quote.order_id) if quote.refund_to else None
            ),
        )

        async def confirm_and_owe(conn: asyncpg.Connection, cancelled: Order) -> None:
            if not await self._store.confirm(conn, quote.id, actor=principal.subject):
                raise _AlreadyConfirmed
            refunds = self._orders.refunds
            if cancelled.payment_status == "paid" and refunds is not None:
                await refunds.owe(
                    conn,
                    cancelled,
                    reason="the order was cancelled",
                    amount=quote.refund_amount,
                    paid=quote.refund_amount + quote.penalty_amount,
                )

        try:
            return await self._orders.repository.transition(
                quote.order_id, change, actor=principal.subject, also=confirm_and_owe
            )
        except (_AlreadyConfirmed, PaidChanged):  # PaidChanged: a seat charge since the quote
            return None

    async def _lost(self, principal: Principal, order: Order, quote_id: str) -> tuple[Quote, Order]:
        """The guard failed after the airline released the booking: a concurrent confirm of
        this quote won (answer it), or the order moved meanwhile (a payment captured): finish
        the cancel the one-step way — by the fare conditions of the order as it is now — and say
        it was not as quoted. A quote of an unpaid order said nothing is kept: the money of a
        payment captured since goes back whole, not by the fare (which keeps all but taxes)."""
        quote = await self._found(order.id, quote_id)
        current = await self._orders.get(principal, order.id)
        if quote.status == "confirmed":
            QUOTES.labels("replayed").inc()
            return quote, current
        QUOTES.labels("changed").inc()
        logger.info("order %s changed while quote %s was confirmed", order.id, quote_id)
        if current.status != "cancelled":
            asked_unpaid = quote.order_payment_status != "paid"
            await self._orders.cancel(principal, order.id, asked_unpaid=asked_unpaid)
        raise Conflict(
            "the order changed while this quote was being confirmed; it is cancelled, and "
            "refunded by its fare conditions as it stood then (all of it, when the quote found "
            "nothing paid)"
        )

    async def _found(self, order_id: str, quote_id: str) -> Quote:
        quote = await self._store.get(order_id, quote_id) if is_cancellation_id(quote_id) else None
        if quote is None:
            raise NotFound(f"no cancellation {quote_id[:64]!r} of this order")
        return quote
