"""A flight change's money (booking/changes.py step 3): the difference plus the penalty charged
to the card given (a paid order), or a negative total owed back in the change's own transaction
(`owe_refund`: split across the order's fare charges latest first, seats last; a resumed
confirmation as the release before 0204 would have refunded it, so that refund is replayed)."""

from __future__ import annotations

import asyncpg

from booking.change_compensation import ChangeCompensation
from booking.change_store import AlsoInChange
from booking.change_terms import (
    ChangeOffer,
)
from booking.change_validation import ConfirmChange
from booking.model import Order
from kernel.auth import Principal
from kernel.errors import (
    FieldError,
    ServiceUnavailable,
    ValidationFailed,
)


class ChangeMoney(ChangeCompensation):
    """Charges and refunds of a change; a charge that fails is compensated."""

    def _refund_owed(self, offer: ChangeOffer) -> AlsoInChange | None:
        """What a change to a cheaper slice of a paid order writes with the change: its
        difference owed back across the order's charges (None: nothing goes back). A resumed
        confirmation (`offer` read `confirming`) may have been begun by a process of the
        release before 0204, which refunded before its commit: owed so that refund is replayed."""
        payments = self.payments
        if offer.order_payment_status != "paid" or offer.due_amount >= 0 or payments is None:
            return None
        resumed = offer.status == "confirming"

        async def owe(conn: asyncpg.Connection, changed: Order) -> None:
            await payments.owe_refund(conn, changed, offer.id, -offer.due_amount, resumed=resumed)

        return owe

    async def _move_money(
        self,
        principal: Principal,
        order: Order,
        offer: ChangeOffer,
        request: ConfirmChange,
        *,
        retried: bool,
    ) -> str | None:
        """The charge's intent once it succeeded (None: nothing was charged). `retried`: a
        traveler's request, who may retry with the card; the sweeper has no card to charge."""
        payments, due = self.payments, offer.due_amount
        if offer.order_payment_status != "paid" or due == 0 or payments is None:
            return None
        if due < 0:  # owed in the change's own transaction (`_refund_owed`), paid after it
            return None
        if request.card_token is None and offer.payment_intent_id is None:
            if retried:  # a confirmation resumed by another request than the one that started it
                raise ValidationFailed(
                    [FieldError("card_token", f"required: this change costs {due}")]
                )
            # The sweeper has no card: a charge made whose answer was lost is found by the
            # change's id; none means the card was never charged.
            found = await payments.find_charge(order, offer.id)
            if found is None:
                reason = f"the card payment of {due} {offer.currency} was never made"
                await self._compensate(principal, order, offer, reason, "card_not_charged")
            outcome = found
        else:
            outcome = await payments.charge(
                order, offer.id, due, request.card_token or "", intent_id=offer.payment_intent_id
            )
        if outcome.intent_id and offer.payment_intent_id in (None, outcome.intent_id):
            # Its card too, when the charge was recorded without it: the gateway's answer that
            # found it names it.
            await self._store.set_intent(offer.id, outcome.intent_id, outcome.card_last4)
        if outcome.status == "processing":
            raise ServiceUnavailable(
                "the card payment has not settled yet; retry with the same Idempotency-Key"
            )
        if outcome.status == "failed":
            code = outcome.reason or "payment_failed"
            reason = f"the card payment of {due} {offer.currency} failed ({code})"
            await self._compensate(
                principal, order, offer, reason, "card_declined", decline_code=code
            )
        return outcome.intent_id
