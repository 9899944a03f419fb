"""Giving a captured payment's money back: once, whoever asks, however often.

A cancel of a paid order, a ticketing failure, money that arrived for an order already over, a
`charge.refunded` webhook and the reconciler may all ask at the same time. Each step is guarded:

1. `succeeded → refunding` (the refund is now owed, durably, before the gateway is asked);
2. the gateway refund, with the key `refund_key(payment.id, attempt)`: every asker gets the same
   refund; a refusal (nothing moved) counts an attempt, so the next ask is a new request; so
   does a key that already moved money with other figures (`idempotency_error`): a new ask
   reads the gateway first and asks only what it has not given back of the charge yet. The
   refund names the payment (payment/named_refunds.py), so what the gateway's dashboard gave
   back of it is told from ours and recorded as the gateway's (`by_gateway`, 0218);
3. `refunding → refunded` and, in the same transaction, the order `paid → refunded` (emitting
   `payment.refunded`) — only by the payment that made the order `paid`.

A gateway that does not answer leaves the payment `refunding`; the reconciler asks again later.
The payment that paid an order a cancellation ended is not refunded here: the cancellation owes
its refund, split across the order's charges (payment/cancellation_refunds.py). Both decide under
the order's row lock, so exactly one of them gives its money back.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

import asyncpg

from booking.history_details import HistoryStep
from booking.model import OrderStatus
from booking.state import Change
from payment import errors, metrics, named_refunds
from payment.gateway import PaymentGateway
from payment.model import GatewayRefund, Payment, refund_key
from payment.named_refunds import NOTHING, left_to_ask
from payment.refund_notices import note, tell
from payment.refund_steps import refunded_by_gateway, refunded_given
from payment.repository import PgPaymentRepository, orders_in

logger = logging.getLogger(__name__)

# The history step of a payment the order never took (charged after it ended, or after the
# payment had been given up), given back: booking/sql/0140 codes it `late_payment_refunded`.
LATE_PAYMENT_REFUNDED = "the order was no longer waiting for this payment"
ANY_STATUS: tuple[OrderStatus, ...] = ("held", "confirmed", "cancelled", "expired", "failed")


def order_refunded(reason: str, amount: Decimal, **fields: Any) -> Change:
    """The order's `paid → refunded`, whatever its status: `amount` given back; `fields` the
    rest of the `Change` (a failure reason, no events)."""
    return Change(
        from_status=ANY_STATUS,
        from_payment=("paid",),
        to_payment="refunded",
        reason=reason,
        refund_amount=amount,
        **fields,
    )


def owed_of(payment: Payment) -> Decimal:
    """What refunding `payment` gives back: the amount owed when a quote fixed it (kept in
    `refunded_amount` from the moment it is owed: all it has left when nothing fixed it), else
    all of it (a payment owed before that was written)."""
    return payment.amount if payment.refunded_amount is None else payment.refunded_amount


class Refunder:
    def __init__(
        self, payments: PgPaymentRepository, gateway: PaymentGateway, *, timeout_s: float
    ) -> None:
        self._payments = payments
        self._gateway = gateway
        self._timeout_s = timeout_s

    async def refund(
        self, payment: Payment, *, actor: str, reason: str, order_reason: str | None = None
    ) -> Payment:
        """Refund `payment` (`succeeded` or `refunding`); the payment as it is now.

        `reason` goes into the payment and the order's history; `order_reason`, when given,
        becomes the order's `failure_reason` (why the traveler's money went back).
        """
        if payment.status == "succeeded":
            async with self._payments.transaction() as conn:
                if payment.order_paid and await self._payments.split_refund(
                    conn, payment.order_id, lock=True
                ):
                    # A cancellation already owes what goes back of it, by its fare terms
                    # (payment/cancellation_refunds.py): asking for all of it as well would
                    # give back the penalty, or be refused for ever once the parts are paid.
                    return payment
                owed = await self._payments.move(
                    conn,
                    payment.id,
                    ("succeeded",),
                    "refunding",
                    refund_reason=reason,
                    order_failure_reason=order_reason,
                )
            payment = owed or await self._reread(payment)
        if payment.status != "refunding":
            return payment
        if payment.gateway_intent_id is None:  # never charged through the gateway: a bug
            logger.error("payment %s owes a refund but names no intent", payment.id)
            return payment
        try:
            refund, by_gateway = await self._ask(payment, payment.gateway_intent_id)
        except errors.GatewayUnavailable as exc:
            logger.warning("payment %s: refund not confirmed yet (%s)", payment.id, exc)
            return payment
        except errors.IdempotencyKeyReused as exc:
            # The key already moved money with other figures (an older release's ask): the next
            # ask is a new request, for what that one left (`_ask`), so nothing goes back twice.
            logger.warning("payment %s: its refund key was used otherwise: %s", payment.id, exc)
            await self._payments.refund_refused(payment)
            return payment
        except errors.GatewayRejected as exc:  # nothing moved (refused, no such intent, …)
            if exc.code != "charge_already_refunded":
                logger.error("payment %s: the gateway refused the refund: %s", payment.id, exc)
                await self._payments.refund_refused(payment)
                return payment
            refund_id, by_gateway = None, NOTHING  # given back elsewhere (the dashboard)
        else:
            refund_id = None if refund is None else refund.id
        async with self._payments.transaction() as conn:
            done = await self.record_refunded(
                conn,
                payment,
                refund_id=refund_id,
                actor=actor,
                reason=reason,
                order_reason=order_reason,
                say_amount=True,
                given_by_gateway=by_gateway,
            )
        return done or await self._reread(payment)

    async def _ask(self, payment: Payment, intent_id: str) -> tuple[GatewayRefund | None, Decimal]:
        """The gateway refund of what `payment` owes (None when nothing is left to ask), named
        by the payment (payment/named_refunds.py), and how much of what it owes the gateway's
        dashboard gave back. After a refused or key-reused ask (`refund_attempt` > 0) the
        gateway is read first: what it gave back of the charge beyond what we recorded went
        back under a key of ours (ours) or at its dashboard (the gateway's), and is not asked
        again."""
        amount, by_gateway = owed_of(payment), NOTHING
        if payment.refund_attempt > 0:
            given = await self._payments.given_back(payment.id)
            intent = await self._gateway.get_intent(intent_id, timeout=self._timeout_s)
            db = self._payments.db
            amount, by_gateway = await left_to_ask(db, intent, payment.id, amount, given)
        if amount <= 0:
            return None, by_gateway
        refund = await named_refunds.ask(
            self._gateway, intent_id=intent_id, amount=amount, name=payment.id,
            key=refund_key(payment.id, payment.refund_attempt), timeout_s=self._timeout_s,
        )  # fmt: skip
        return refund, by_gateway

    async def owe(
        self,
        conn: asyncpg.Connection,
        order_id: str,
        *,
        reason: str,
        order_reason: str | None = None,
        amount: Decimal | None = None,
    ) -> Payment | None:
        """Step 1 for the payment that paid `order_id`, in the caller's transaction: the one that
        ends the order (a cancel, a failed ticketing). The refund is then owed from the same
        commit that ended the order; `refund` (or the reconciler, after a crash) pays it.
        `amount` (a cancellation quote's refund) is what is owed; None: all of it."""
        return await self._payments.owe_refund(
            conn, order_id, reason=reason, order_reason=order_reason, amount=amount
        )

    async def record_refunded(
        self,
        conn: asyncpg.Connection,
        payment: Payment,
        *,
        refund_id: str | None,
        actor: str,
        reason: str,
        order_reason: str | None = None,
        say_amount: bool = False,
        by_gateway: bool = False,
        given_by_gateway: Decimal = NOTHING,
    ) -> Payment | None:
        """In the caller's transaction: `succeeded | refunding → refunded`, and the order
        `paid → refunded` when this payment paid it. None when the payment was not refundable
        (already refunded, never captured). `say_amount`: the order's history says what went
        back where, `"<reason>: refunded 553.44 USD to pay_…"` (code `refunded`), as a
        cancellation's refund does; `by_gateway`: the gateway gave it back itself (its
        dashboard), `"refunded by the gateway: 612.40 USD to pay_…"` (`refunded_by_gateway`);
        else `reason` alone. `given_by_gateway`: of what it gave back, the money the gateway's
        dashboard gave before our ask (recorded as its `by_gateway`, and said with the amount,
        "… (30.00 USD of it by the gateway)")."""
        done = await self._payments.move(
            conn,
            payment.id,
            ("succeeded", "refunding"),
            "refunded",
            refund_reason=reason,
            refund_id=refund_id,
            # None: what it has left, net of the parts a cheaper change gave back of it
            refunded_amount=payment.refunded_amount,
            by_gateway=given_by_gateway,
        )
        if done is None:
            return None
        # A cancellation's refund is split across the order's charges: the order is refunded
        # once all its parts are (payment/cancellation_refunds.py), not when this one is.
        if not done.order_paid:  # the order never took it: told as given back on its own
            db = self._payments.db
            await tell(conn, db, done.order_id, "payment.returned", owed_of(done), done.card_last4)
            # ... and its history says so (code `late_payment_refunded`), its status unchanged.
            await note(conn, db, done.order_id, HistoryStep(LATE_PAYMENT_REFUNDED), actor)
        elif not await self._payments.split_refund(conn, done.order_id):
            amount = owed_of(done)
            step = HistoryStep(reason)
            if say_amount:
                step = refunded_given(reason, [(done.id, amount, done.by_gateway)], done.currency)
            elif by_gateway:
                step = refunded_by_gateway([(done.id, amount)], done.currency)
            change = order_refunded(
                step.reason[:500],
                amount,
                details=step.details,
                failure_reason=done.order_failure_reason or order_reason,
                refund_card_last4=done.card_last4,
            )
            await orders_in(conn, self._payments.db).transition(done.order_id, change, actor=actor)
        metrics.payment("refunded")
        logger.info("payment %s of order %s refunded: %s", done.id, done.order_id, reason)
        return done

    async def _reread(self, payment: Payment) -> Payment:
        return await self._payments.get(payment.id) or payment
