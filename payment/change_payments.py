"""booking's `ChangePayments` over the card gateway: a flight change's difference charged, or
refunded across the order's fare charges, latest first, seats bought later last
(payment/cancellation_refunds.py `owe_change`: owed in the change's transaction, paid after its
commit, a refusal retried by the payment reconciler).

The gateway answers a charge `processing` at once and settles it moments later: a change must
know the outcome before it commits, so `charge` reads the intent until it settles, within
`wait_s` (its webhook, naming the change, finds the change held by its request, or ended:
booking/change_sweeper.py `charge_settled`; it settles one whose request let go, as one waiting
at the traveler's bank has).
Idempotency keys derive from the change id, so a retried confirmation never charges or refunds
twice; one retried with another card after a lost answer gets the charge the first card made
(found by the change's id), not a second. A card whose bank asks the traveler to confirm (3-D
Secure) is asked with the same `return_url` as a payment's (payment/model.py `way_back`): the
charge answers `requires_action` with the bank's page, the change waits for it (booking/
change_money.py), and `cancel_charge` cancels it (our key `<change id>:cancel`) when the change
sweeper gives up on it. A charge made for a change that then could not stand
(the order ended meanwhile) is owed back as a refund part of its own (`refund_charge`), paid
like every other part.
"""

from __future__ import annotations

import asyncio
import logging
from decimal import Decimal

import asyncpg

from booking.change_ports import ChargeOutcome
from booking.model import Order
from kernel.errors import ServiceUnavailable
from payment import errors
from payment.cancellation_refunds import CancellationRefunds
from payment.gateway import PaymentGateway, cancel_or_read
from payment.model import (
    AUTHENTICATION_REQUIRED,
    GatewayIntent,
    cancel_key,
    kept_action_url,
    way_back,
)
from payment.repository import PgPaymentRepository

logger = logging.getLogger(__name__)


class GatewayChangePayments:
    def __init__(
        self,
        gateway: PaymentGateway,
        payments: PgPaymentRepository,
        refunds: CancellationRefunds,
        *,
        timeout_s: float,
        wait_s: float = 10.0,
        poll_s: float = 0.05,
        web_url: str | None = None,
    ) -> None:
        self._gateway = gateway
        # The web app's address (SKYFARE_WEB_URL), where a card's bank sends the traveler back;
        # None: the origin their request came to (payment/model.py `way_back`).
        self._web_url = web_url
        self._payments = payments
        self.refunds = refunds
        self._timeout_s = timeout_s
        self._wait_s = wait_s
        self._poll_s = poll_s

    async def charge(
        self,
        order: Order,
        change_id: str,
        amount: Decimal,
        card_token: str,
        *,
        intent_id: str | None,
        origin: str | None = None,
    ) -> ChargeOutcome:
        try:
            if intent_id is None:
                intent = await self._gateway.create_intent(
                    amount=amount,
                    currency=order.total_currency,
                    card_token=card_token,
                    metadata={"order_id": order.id, "change_id": change_id},
                    idempotency_key=f"{change_id}:intent",
                    timeout=self._timeout_s,
                    return_url=way_back(self._web_url, origin, order.id),
                )
            else:
                intent = await self._gateway.get_intent(intent_id, timeout=self._timeout_s)
            return await self._settled(intent)
        except errors.GatewayUnavailable as exc:
            raise ServiceUnavailable(
                "the payment gateway cannot be reached; retry with the same Idempotency-Key"
            ) from exc
        except errors.IdempotencyKeyReused as exc:
            # The change's charge was made already, with another card (its answer was lost and
            # the traveler retried with a new one): that charge is the change's, whatever it
            # comes to. Read as a declined card, the change was undone and the money kept.
            found = await self.find_charge(order, change_id)
            if found is None:  # the gateway's search has not indexed it yet
                raise ServiceUnavailable(
                    "this change's card payment is being looked up; retry"
                ) from exc
            return found
        except errors.GatewayRejected as exc:
            # The card token itself was refused: no charge exists, nothing to wait for.
            return ChargeOutcome(intent_id or "", "failed", exc.code or "card_rejected")

    async def find_charge(self, order: Order, change_id: str) -> ChargeOutcome | None:
        try:
            found = await self._gateway.search_intents(
                "change_id", change_id, timeout=self._timeout_s
            )
        except errors.GatewayUnavailable as exc:
            raise ServiceUnavailable("the payment gateway cannot be reached; retry") from exc
        ours = [i for i in found if i.currency == order.total_currency]
        return None if not ours else await self._settled(ours[0])

    async def _settled(self, intent: GatewayIntent) -> ChargeOutcome:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._wait_s
        while intent.status == "processing" and loop.time() < deadline:
            await asyncio.sleep(self._poll_s)
            intent = await self._gateway.get_intent(intent.id, timeout=self._timeout_s)
        if intent.status == "requires_action":
            # Its bank asks the traveler to confirm (3-D Secure): the change waits for them at
            # its page. One naming no page we can keep and show (another kind of next action)
            # charged nothing: refused as a declined card is.
            page = kept_action_url(intent.action_url)
            if page is None:
                return ChargeOutcome(
                    intent.id, "failed", AUTHENTICATION_REQUIRED, intent.card_last4
                )
            return ChargeOutcome(
                intent.id, "requires_action", card_last4=intent.card_last4, action_url=page
            )
        return ChargeOutcome(intent.id, intent.status, intent.failure_reason, intent.card_last4)

    async def cancel_charge(self, order: Order, change_id: str, intent_id: str) -> ChargeOutcome:
        try:
            intent = await cancel_or_read(
                self._gateway, intent_id, cancel_key(change_id), timeout_s=self._timeout_s
            )
            return await self._settled(intent)
        except errors.GatewayError as exc:  # nothing changed (or refused): the next round asks
            logger.warning("order %s: change %s charge not canceled: %s", order.id, change_id, exc)
            raise ServiceUnavailable("the payment gateway did not cancel the charge yet") from exc

    async def owe_refund(
        self,
        conn: asyncpg.Connection,
        order: Order,
        change_id: str,
        amount: Decimal,
        *,
        resumed: bool = False,
    ) -> None:
        await self.refunds.owe_change(
            conn,
            order.id,
            change_id,
            amount,
            order.total_currency,
            actor="booking",
            as_before=resumed,
        )

    async def refund(self, order: Order, change_id: str, *, actor: str) -> None:
        reason = f"the flight change {change_id} cost less"
        await self.refunds.settle(order.id, actor=actor, reason=reason)

    async def refund_charge(
        self, order: Order, change_id: str, intent_id: str, amount: Decimal, *, actor: str
    ) -> None:
        # Owed first, in its own commit, then asked: a refusal or no answer stays owed for the
        # payment reconciler, which asks anew after a refusal (a fixed key was refused for ever).
        refunds = self.refunds
        await refunds.owe_charge_back(
            order.id, change_id, intent_id, amount, order.total_currency, actor=actor
        )
        # `reason` words the order's own refund, should this finish it: the cancellation that
        # moved the order (its parts, owed with it, may be paid by this very call).
        await refunds.settle(order.id, actor=actor, reason="the order was cancelled")
