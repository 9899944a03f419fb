"""`POST /v1/payments/webhook`: verify, decode, then hand the outcome to `Settlement` (an order's
payment), `SeatCharges` (seats bought after booking) or `changes` (a flight change's own charge:
the change finished at once, booking/change_sweeper.py `charge_settled`); a `charge.refunded`
has its charge audited against the gateway at once (payment/audit.py).

Nothing is read or written before the signature and its timestamp check out: a forged, altered,
stale or unsigned delivery is a 400 and changes nothing. The answer is 2xx only once the event
has been applied (or was applied before): an airline that cannot ticket yet answers 503, so the
gateway delivers again later and the redelivery finishes the work.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import Protocol

import msgspec

from kernel.errors import BadRequest, ServiceUnavailable, ValidationFailed, clipped
from kernel.http import refuse_byte_order_mark, refuse_repeated_names
from payment import metrics
from payment.audit import PaymentAudit
from payment.model import GatewayEvent
from payment.repository import PgPaymentRepository
from payment.seat_charges import SeatCharges
from payment.settlement import Settlement
from payment.ticketing import TicketingUnavailable
from payment.webhooks import TOLERANCE_S, WebhookRejected, verify
from payment.wire import decode_event, event_from_wire, ids_with_nul

logger = logging.getLogger(__name__)

REFUNDED = "charge.refunded"


class ChangeCharges(Protocol):
    async def charge_settled(self, change_id: str) -> bool:
        """The gateway says the charge of flight change `change_id` succeeded or failed: the
        change finished by it now, as far as it can be. False when no change of ours has that
        id. Raises `ServiceUnavailable` when it cannot be finished yet (deliver again later)."""
        ...


class WebhookReceiver:
    def __init__(
        self,
        payments: PgPaymentRepository,
        settlement: Settlement,
        secrets: Sequence[str],
        *,
        seat_charges: SeatCharges | None = None,
        audit: PaymentAudit | None = None,
        clock: Callable[[], float] = time.time,
        tolerance_s: float = TOLERANCE_S,
    ) -> None:
        if not secrets:
            raise ValueError("a webhook secret is required")
        self._payments = payments
        self._settlement = settlement
        self._seat_charges = seat_charges
        self._audit = audit
        self._secrets = tuple(secrets)
        self._clock = clock
        self._tolerance_s = tolerance_s
        # Flight changes, once their context has started (skyfare/booking_contexts.py): it
        # starts after this one, whose gateway it charges through.
        self.changes: ChangeCharges | None = None
        metrics.start_webhooks()  # this process verifies webhooks: its series from now on

    async def receive(self, body: bytes, signature: str | None) -> GatewayEvent | None:
        """Apply one delivery; the event (None for one we do not act on).

        Raises `BadRequest` (not from the gateway, or not an event), `ValidationFailed` (an event
        repeating a member name, or starting with a byte order mark) and `ServiceUnavailable`
        (the database or the airline cannot be reached: deliver again later).
        """
        event = self._authentic(body, signature)
        applied = None if event.kind == "ignored" else await self._apply(event)
        if event.type == REFUNDED and event.intent_id and self._audit is not None:
            # Money went back of the charge (a flight change's too, whose webhook moves nothing
            # here), maybe at the gateway's dashboard where no refund of ours stands for it:
            # compared now, as the audit's round would within hours.
            await self._audit.audit_intent(event.intent_id)
        return applied

    async def _apply(self, event: GatewayEvent) -> GatewayEvent | None:
        if event.change_id is not None:
            return await self._change_charge(event, event.change_id)
        payment = await self._payments.find(payment_id=event.payment_id, intent_id=event.intent_id)
        charges = self._seat_charges
        if payment is None and charges is not None and await charges.settle(event):
            return event  # a seat change paid after booking
        if payment is None:
            # Not ours (another integration on the same account): acknowledged, or the gateway
            # would retry it for days.
            # The id is the sender's, signed but unbounded: clipped, as any client-supplied
            # value (the type is one we act on, so one of ours).
            logger.warning(
                "webhook %s (%s) names no payment of ours", clipped(event.id), event.type
            )
            return None
        dedup = (event.id, event.type)
        try:
            if event.kind == "succeeded":
                await self._settlement.succeeded(
                    payment, intent_id=event.intent_id, event=dedup, card_last4=event.card_last4
                )
            elif event.kind == "failed":
                reason = event.failure_reason or "payment_failed"
                await self._settlement.failed(payment, reason=reason, event=dedup)
            elif event.fully_refunded:
                await self._settlement.refunded(payment, event=dedup)
        except TicketingUnavailable as exc:
            logger.warning("payment %s: ticketing must wait: %s", payment.id, exc)
            raise ServiceUnavailable(
                "the airline cannot issue tickets right now; deliver this event again later"
            ) from exc
        return event

    async def _change_charge(self, event: GatewayEvent, change_id: str) -> GatewayEvent | None:
        if self.changes is None:  # flight changes not running here: as before the webhook
            return None  # was acted on, the change's request or the change sweeper finishes it
        if not await self.changes.charge_settled(change_id):
            logger.warning(
                "webhook %s (%s) names no flight change of ours", clipped(event.id), event.type
            )
            return None
        return event

    def _authentic(self, body: bytes, signature: str | None) -> GatewayEvent:
        try:
            verify(body, signature, self._secrets, now=self._clock(), tolerance_s=self._tolerance_s)
        except WebhookRejected as exc:
            metrics.webhook_rejected(exc.reason)
            logger.warning("webhook rejected (%s): %s", exc.reason, exc.detail)
            raise BadRequest(f"webhook rejected: {exc.detail}", reason=exc.reason) from exc
        try:
            # A member name repeated in a signed body (`"type"` twice) is read last-one-wins by
            # msgspec and first-one-wins by other parsers (the gateway's logs, ours): refused,
            # naming it, as every JSON body of the API is (kernel/json_body.py).
            refuse_byte_order_mark(body)
            refuse_repeated_names(body)
            event = decode_event(body)
            refused = ids_with_nul(event)
            if refused:
                raise ValidationFailed(refused)
            return event_from_wire(event)
        except (BadRequest, ValidationFailed):
            metrics.webhook_rejected("undecodable")
            raise
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            metrics.webhook_rejected("undecodable")
            raise BadRequest(f"not a gateway event: {exc}") from exc
