"""What a gateway outcome does to a payment and its order (from a webhook or the reconciler).

- succeeded: `processing → succeeded` and the order `processing → paid`, in one transaction with
  the event's dedup row; then (`drive`) ticket with the airline → `confirmed` (+ tickets,
  `order.confirmed`). Ticketing refused → the order is `cancelled` with a `failure_reason` and
  the payment refunded (`payment.refunded`). An order already over (cancelled, expired) → the
  refund is owed in the capture's own commit, and paid at once. Money for a payment we had
  given up → refunded, the order untouched.
- failed: `processing → failed`; a `held` order's payment status becomes `failed`
  (`payment.failed`), and it may be paid again. A payment `canceled` (its intent canceled: the
  traveler left it at their bank's page for another card, payment/bank_wait.py) tells nobody.
- refunded: the gateway refunded in full (by us, or from its dashboard) → `refunded`.

Every change is a guarded transition, so whichever of a cancel, a redelivery, a concurrent
delivery or the reconciler comes first, the order ends confirmed-then-refunded or
cancelled-and-refunded, never cancelled-and-charged. `drive` is idempotent: a redelivered event
re-runs it, finishing what a crash or an airline outage interrupted.
"""

from __future__ import annotations

import logging

import asyncpg

from booking.model import Order, OrderStatus
from booking.repository import OrderRepository
from booking.state import Change
from payment import metrics
from payment.model import CANCELED, Payment
from payment.refund_steps import BY_GATEWAY
from payment.refunds import LATE_PAYMENT_REFUNDED, Refunder
from payment.repository import PgPaymentRepository, orders_in
from payment.ticketing import Ticketing, TicketingRefused

logger = logging.getLogger(__name__)

ACTOR = "payments"
OVER: tuple[OrderStatus, ...] = ("cancelled", "expired", "failed")


class Settlement:
    def __init__(
        self,
        payments: PgPaymentRepository,
        orders: OrderRepository,
        refunder: Refunder,
        ticketing: Ticketing,
    ) -> None:
        self._payments = payments
        self._orders = orders
        self._refunder = refunder
        self._ticketing = ticketing

    async def succeeded(
        self,
        payment: Payment,
        *,
        intent_id: str | None,
        event: tuple[str, str] | None = None,
        card_last4: str | None = None,
    ) -> None:
        """The card was charged. `event` (id, type) dedups a webhook; `card_last4`: the card, as
        the gateway's answer names it (kept when the payment's creation answered nobody);
        raises `TicketingUnavailable` when the airline could not be asked (try again later)."""
        async with self._payments.transaction() as conn:
            if await self._first(conn, payment, event):
                await self._capture(conn, payment, intent_id, card_last4)
        await self.drive(payment.id)

    async def failed(
        self, payment: Payment, *, reason: str, event: tuple[str, str] | None = None
    ) -> None:
        """The card was not charged (declined, capture failed, or we gave up waiting)."""
        async with self._payments.transaction() as conn:
            if not await self._first(conn, payment, event):
                return
            await self.fail_in(conn, payment, reason=reason)

    async def fail_in(
        self, conn: asyncpg.Connection, payment: Payment, *, reason: str, actor: str = ACTOR
    ) -> bool:
        """In the caller's transaction: `payment` `processing → failed` (`reason`), and a
        `held` order's payment with it (`payment.failed`, told to nobody when `canceled`); an
        order already over records the failure quietly. False: the payment was not
        `processing` (settled already), nothing changed."""
        moved = await self._payments.move(
            conn, payment.id, ("processing",), "failed", failure_reason=reason
        )
        if moved is None:
            return False
        metrics.payment("canceled" if reason == CANCELED else "failed")
        history = f"payment failed: {reason}"
        orders = orders_in(conn, self._payments.db)
        change = Change(
            from_status=("held",),
            from_payment=("processing",),
            to_payment="failed",
            reason=history,
            decline_code=reason,
            # Canceled: the traveler chose to pay with another card; no "payment failed".
            events=() if reason == CANCELED else None,
        )
        if await orders.transition(payment.order_id, change, actor=actor) is None:
            # The order is over: record the failure, tell nobody.
            quiet = Change(
                from_status=OVER,
                from_payment=("processing",),
                to_payment="failed",
                reason=history,
                decline_code=reason,
                events=(),
            )
            await orders.transition(payment.order_id, quiet, actor=actor)
        return True

    async def refunded(self, payment: Payment, *, event: tuple[str, str]) -> None:
        """The gateway reports the charge refunded in full."""
        async with self._payments.transaction() as conn:
            if await self._first(conn, payment, event):
                await self._refunder.record_refunded(
                    conn, payment, refund_id=None, actor="gateway", reason=BY_GATEWAY,
                    by_gateway=True,
                )  # fmt: skip

    async def _first(
        self, conn: asyncpg.Connection, payment: Payment, event: tuple[str, str] | None
    ) -> bool:
        """Record the event as applied; False for a redelivery (nothing is applied again)."""
        if event is None:
            return True
        return await self._payments.record_event(conn, event[0], event[1], payment.id)

    async def _capture(
        self,
        conn: asyncpg.Connection,
        payment: Payment,
        intent_id: str | None,
        card_last4: str | None,
    ) -> None:
        captured = await self._payments.move(
            conn,
            payment.id,
            ("processing",),
            "succeeded",
            intent_id=intent_id,
            card_last4=card_last4,
        )
        if captured is None:
            late = await self._payments.move(
                conn,
                payment.id,
                ("failed",),
                "refunding",
                intent_id=intent_id,
                refund_reason="charged after the payment had been given up",
                card_last4=card_last4,
            )
            if late is not None:
                metrics.payment("late")
            return
        metrics.payment("succeeded")
        orders = orders_in(conn, self._payments.db)
        paid = Change(
            from_status=("held",),
            from_payment=("processing",),
            to_payment="paid",
            reason="payment captured",
        )
        order = await orders.transition(payment.order_id, paid, actor=ACTOR)
        if order is not None:
            await self._payments.move(
                conn, payment.id, ("succeeded",), "succeeded", order_paid=True
            )
            return
        # The order ended while the card was being charged: it is paid, and in the same
        # commit the money is owed back, so no reader ever sees an ended order keeping it.
        after_end = Change(
            from_status=OVER,
            from_payment=("processing",),
            to_payment="paid",
            reason="payment captured after the order ended",
            events=(),
        )
        ended = await orders.transition(payment.order_id, after_end, actor=ACTOR)
        if ended is not None:
            await self._payments.move(
                conn,
                payment.id,
                ("succeeded",),
                "refunding",
                order_paid=True,
                refund_reason=f"the order was {ended.status}",
                order_failure_reason=_why_refunded(ended),
            )

    async def drive(self, payment_id: str) -> None:
        """Finish whatever follows the payment's state: ticket, or give the money back."""
        payment = await self._payments.get(payment_id)
        if payment is None:
            return
        if payment.status == "refunding":
            reason = payment.refund_reason or "refund owed"
            await self._refunder.refund(payment, actor=ACTOR, reason=reason)
            return
        if payment.status != "succeeded":
            return
        order = await self._orders.get(payment.order_id)
        if order is None:
            return
        if not payment.order_paid:
            await self._refunder.refund(payment, actor=ACTOR, reason=LATE_PAYMENT_REFUNDED)
        elif order.status == "held" and order.payment_status == "paid":
            await self._ticket(order, payment)
        elif order.status in OVER:
            await self._refund_over(order, payment)

    async def _ticket(self, order: Order, payment: Payment) -> None:
        try:
            numbers = await self._ticketing.ticket(order)
        except TicketingRefused as exc:
            await self._ticketing_failed(order, payment, str(exc))
            return
        change = Change(
            from_status=("held",),
            from_payment=("paid",),
            to_status="confirmed",
            reason="paid and ticketed",
            ticket_numbers=numbers,
        )
        if await self._orders.transition(order.id, change, actor=ACTOR) is not None:
            metrics.payment("confirmed")
            logger.info("order %s confirmed: %d tickets", order.id, len(numbers))
            return
        now = await self._orders.get(order.id)
        if now is not None and now.status in OVER:
            # Cancelled or expired while we ticketed: void the tickets, give the money back.
            await self._ticketing.release(now)
            await self._refund_over(now, payment)

    async def _ticketing_failed(self, order: Order, payment: Payment, why: str) -> None:
        metrics.payment("ticketing_failed")
        logger.warning("order %s: ticketing failed after payment: %s", order.id, why)
        reason = f"ticketing failed after payment ({why}); the payment was refunded"
        await self._ticketing.release(order)
        cancel = Change(
            from_status=("held",),
            to_status="cancelled",
            reason="ticketing failed",
            failure_reason=reason,
            refund_card_last4=payment.card_last4,  # its mail names the card, as the refund's
        )

        async def owe(conn: asyncpg.Connection, cancelled: Order) -> None:
            await self._refunder.owe(
                conn, cancelled.id, reason="ticketing failed", order_reason=reason
            )

        await self._orders.transition(order.id, cancel, actor=ACTOR, also=owe)
        await self._refunder.refund(
            payment, actor=ACTOR, reason="ticketing failed", order_reason=reason
        )

    async def _refund_over(self, order: Order, payment: Payment) -> None:
        await self._refunder.refund(
            payment,
            actor=ACTOR,
            reason=f"the order was {order.status}",
            order_reason=_why_refunded(order),
        )


def _why_refunded(order: Order) -> str | None:
    """The failure_reason an ended order gets when its money goes back (None keeps its own)."""
    if order.failure_reason is not None:
        return None
    return f"the order was {order.status}; the payment was refunded"
