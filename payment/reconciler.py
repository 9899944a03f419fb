"""The payment reconciler: finishes what webhooks alone may leave unfinished.

Every `interval_s`, for payments unchanged for `after_s`:

- `refunding`: the gateway did not confirm the refund (it was down, we crashed) → ask again,
  with the same idempotency key, so it is one refund however often we ask.
- `processing` with an intent: its webhook never came (the gateway gave up delivering) → read
  the intent and apply its outcome as the webhook would have.
- a cancellation's refund part still `owed` (payment/cancellation_refunds.py): asked again, with
  the same key after no answer, a new one after a refusal.
- captured payments, a batch a round in turn: audited against the gateway's intent (what it
  captured and has refunded: a partial refund at its dashboard, another amount captured); a
  difference is recorded and counted, never evened out by moving money (payment/audit.py); a
  `charge.refunded` webhook has its charge audited at once (payment/receiver.py), this round is
  the safety net for a webhook that never came.
- `processing` waiting for the traveler's bank (3-D Secure, `requires_action`) past its order's
  `payment_required_by`: its intent is canceled at the gateway (payment/bank_wait.py) and the
  payment `failed` (`canceled`, quietly), so the hold sweeper can release the seats; the hold
  sweeper never expires an order whose payment is `processing`, so a bank's page left
  unanswered kept the seats held past their deadline. One the traveler confirmed meanwhile
  (the gateway refuses the cancel) settles as any.
- a seat charge `processing` waiting for the traveler's bank (3-D Secure) longer than its
  bound (SKYFARE_SEAT_CHARGE_BANK_WAIT_S): canceled at the gateway and `failed` (`canceled`),
  the seats as they were (payment/seat_charges.py); the trip's seats could not change while it
  waited. One confirmed meanwhile (the cancel refused) settles as any.
- `processing` without an intent: the gateway never answered the charge → give up (`failed`,
  `payment.failed`; the traveler may pay again). Were the card charged after all, its webhook
  finds the payment given up and the money is refunded (`Settlement`).

Every API process runs one; the guarded transitions make concurrent reconcilers harmless.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

from kernel.errors import Conflict, ServiceUnavailable
from payment import errors
from payment.audit import PaymentAudit
from payment.bank_wait import BankWait
from payment.cancellation_refunds import CancellationRefunds
from payment.gateway import PaymentGateway
from payment.model import CANCELED, Payment
from payment.refunds import Refunder
from payment.repository import PgPaymentRepository
from payment.seat_charges import SeatCharges
from payment.settlement import Settlement
from payment.ticketing import TicketingUnavailable

logger = logging.getLogger(__name__)

ACTOR = "reconciler"


class PaymentReconciler:
    def __init__(
        self,
        payments: PgPaymentRepository,
        gateway: PaymentGateway,
        settlement: Settlement,
        refunder: Refunder,
        bank_wait: BankWait,
        *,
        after_s: float,
        gateway_timeout_s: float,
        batch: int = 50,
        seat_charges: SeatCharges | None = None,
        cancellations: CancellationRefunds | None = None,
        audit: PaymentAudit | None = None,
    ) -> None:
        self._payments = payments
        self._gateway = gateway
        self._settlement = settlement
        self._refunder = refunder
        self._after = dt.timedelta(seconds=after_s)
        self._timeout_s = gateway_timeout_s
        self._batch = batch
        self._seat_charges = seat_charges
        self._cancellations = cancellations
        self._audit = audit
        self._bank_wait = bank_wait

    async def run(self, interval_s: float) -> None:
        """Reconcile every `interval_s` until cancelled."""
        while True:
            await asyncio.sleep(interval_s)
            try:
                await self.once()
            except ServiceUnavailable:
                continue  # the database is down: logged by booking.pg, next round
            except Exception:
                logger.exception("payment reconciliation failed")

    async def once(self, now: dt.datetime | None = None) -> int:
        """One pass; how many payments it looked at."""
        before = (now or dt.datetime.now(dt.UTC)) - self._after
        owed = await self._payments.stale("refunding", before, limit=self._batch)
        for payment in owed:
            reason = payment.refund_reason or "refund owed"
            await self._refunder.refund(payment, actor=ACTOR, reason=reason)
        waiting = await self._payments.stale("processing", before, limit=self._batch)
        for payment in waiting:
            await self._settle(payment)
        charges = 0
        if self._seat_charges is not None:  # seat changes paid after booking, the same way
            charges = await self._seat_charges.reconcile_once(before, limit=self._batch, now=now)
        parts = 0
        if self._cancellations is not None:  # cancellations' refunds split across charges
            parts = await self._cancellations.reconcile_once(before, actor=ACTOR, limit=self._batch)
        audited = 0
        if self._audit is not None:
            audited = await self._audit.audit_once(before, limit=self._batch)
        return len(owed) + len(waiting) + charges + parts + audited

    async def _settle(self, payment: Payment) -> None:
        if payment.gateway_intent_id is None:
            logger.warning("payment %s: the gateway never answered; giving up", payment.id)
            await self._settlement.failed(payment, reason="gateway_unreachable")
            return
        try:
            intent = await self._gateway.get_intent(
                payment.gateway_intent_id, timeout=self._timeout_s
            )
        except errors.GatewayError as exc:
            logger.warning("payment %s: cannot read its intent: %s", payment.id, exc)
            return
        try:
            if intent.status == "succeeded":
                await self._settlement.succeeded(
                    payment, intent_id=intent.id, card_last4=intent.card_last4
                )
            elif intent.status == "failed":
                reason = intent.failure_reason or "payment_failed"
                await self._settlement.failed(payment, reason=reason)
            elif intent.status == "requires_action":
                await self._left_at_the_bank(payment)
        except TicketingUnavailable as exc:
            logger.warning("payment %s: ticketing must wait: %s", payment.id, exc)

    async def _left_at_the_bank(self, payment: Payment) -> None:
        """A payment still waiting for the traveler's bank: given up once its hold's deadline
        has passed (the seats go then), left waiting until then."""
        deadline = await self._payments.hold_deadline(payment.order_id)
        if deadline is None or deadline > dt.datetime.now(dt.UTC):
            return
        try:
            await self._bank_wait.cancel(payment)
        except (Conflict, ServiceUnavailable) as exc:  # confirmed meanwhile, or no answer
            logger.info("payment %s: not canceled past its hold: %s", payment.id, exc)
            return
        logger.info("payment %s: left at the bank past its hold's deadline: canceled", payment.id)
        await self._settlement.failed(payment, reason=CANCELED)
