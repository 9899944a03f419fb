"""A payment left waiting at the traveler's bank (3-D Secure), given up for another card.

A card whose bank asks the traveler to confirm leaves its payment `processing` until they do
(docs/payments.md "3-D Secure"); one who closed the bank's page, or whose bank's page never
works, pays with another card instead: `POST /v1/orders/{id}/payments` again. That new payment
takes the waiting one's place only once the gateway has canceled its intent (Stripe's
`POST /v1/payment_intents/{id}/cancel`), so the card waited on can never be charged as well:

1. the gateway cancels the intent (our key `cancel_key`: a retry replays the one cancel), or
   refuses because the traveler confirmed it meanwhile: the intent has charged or is charging,
   its success stands (its webhook settles it) and the new payment is a 409 naming it;
2. in ONE transaction with the new payment (payment/service.py `_insert`), the waiting one
   becomes `failed` (`canceled`) and the order's payment `processing → failed → processing`:
   no reader sees the order without a payment in flight, and the order's history says both.

The gateway's `payment_intent.canceled` webhook (or the reconciler reading the intent) may come
first: it fails the waiting payment as quietly (`Settlement.failed`, `canceled` tells nobody:
the traveler chose it), and the new payment starts from `failed` as after any declined card.
"""

from __future__ import annotations

import logging

import asyncpg

from kernel.errors import Conflict, ServiceUnavailable
from payment import errors
from payment.gateway import PaymentGateway, cancel_or_read
from payment.model import CANCELED, Payment, cancel_key
from payment.repository import PgPaymentRepository
from payment.settlement import Settlement

logger = logging.getLogger(__name__)


class BankWait:
    """The order's payment waiting for the traveler's bank, and giving it up."""

    def __init__(
        self,
        payments: PgPaymentRepository,
        gateway: PaymentGateway,
        settlement: Settlement,
        *,
        gateway_timeout_s: float,
    ) -> None:
        self._payments = payments
        self._gateway = gateway
        self._settlement = settlement
        self._timeout_s = gateway_timeout_s

    async def waiting(self, order_id: str) -> Payment | None:
        """The order's payment in flight when it waits for the traveler's bank, else None (no
        payment in flight, or one the gateway is charging)."""
        live = await self._payments.live_for_order(order_id)
        if live is None or live.status != "processing" or live.action_url is None:
            return None
        return live if live.gateway_intent_id is not None else None

    async def cancel(self, waiting: Payment) -> None:
        """Cancel `waiting`'s intent at the gateway; returns once it can never charge. Raises
        `Conflict` naming the payment when the traveler confirmed it with their bank meanwhile
        (it charged or is charging: its success stands), `ServiceUnavailable` when the gateway
        cannot say (nothing of ours changed: retry)."""
        intent_id = waiting.gateway_intent_id
        assert intent_id is not None  # `waiting` only names payments with an intent
        try:
            intent = await cancel_or_read(
                self._gateway, intent_id, cancel_key(waiting.id), timeout_s=self._timeout_s
            )
        except errors.GatewayUnavailable as exc:
            raise ServiceUnavailable(
                "the payment gateway did not answer; retry with the same Idempotency-Key"
            ) from exc
        except errors.GatewayRejected as exc:
            logger.error("payment %s: its intent cannot be canceled: %s", waiting.id, exc)
            raise ServiceUnavailable("payments are unavailable right now") from exc
        if intent.status == "failed":  # canceled (or declined): it never charges now
            logger.info("payment %s: canceled at the bank's step for another card", waiting.id)
            return
        state = "has succeeded" if intent.status == "succeeded" else "is being completed"
        raise Conflict(
            f"the order's payment {waiting.id} was confirmed with the bank and {state}: it"
            " stands, and no other card is charged"
        )

    async def give_up(self, conn: asyncpg.Connection, waiting: Payment) -> None:
        """In the caller's transaction, once the gateway canceled its intent: `waiting` is
        `failed` (`canceled`), and the order's payment with it, told to nobody (the traveler
        is paying with another card in this very transaction). Already settled (its webhook
        came first): nothing to do; `Conflict` if that settlement was a success."""
        if await self._settlement.fail_in(conn, waiting, reason=CANCELED, actor=waiting.owner):
            return
        now = await conn.fetchval(
            "SELECT status FROM payments WHERE id = $1",
            waiting.id,
            timeout=self._payments.db.timeout_s,
        )
        if now != "failed":
            raise Conflict(f"the order's payment {waiting.id} is {now}: it stands")

    async def abandoned(self, waiting: Payment) -> None:
        """The gateway canceled `waiting`'s intent but the new payment could not start (the
        order moved meanwhile): record it `failed` now, quietly, so the order may be paid."""
        await self._settlement.failed(waiting, reason=CANCELED)
