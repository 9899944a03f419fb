"""A flight change's money (booking/changes.py step 3): the difference plus the penalty charged
to the card given (a paid order), or a negative total owed back in the change's own transaction
(`owe_refund`: split across the order's fare charges latest first, seats last; a resumed
confirmation as the release before 0204 would have refunded it, so that refund is replayed).

A card whose bank asks the traveler to confirm the charge (3-D Secure) leaves the change
`confirming`, the airline's change kept, its bank's page noted (`AtTheBank`: the confirmation
answers 202 with it); the same confirmation resent reads the charge again. The change sweeper
leaves it waiting for `bank_wait_s` since it was first asked, then cancels the charge at the
gateway FIRST (one confirmed meanwhile stands, and the change completes) and only then puts the
old flights back: never both charged and undone."""

from __future__ import annotations

import datetime as dt

import asyncpg
import msgspec

from booking.change_compensation import AtTheBank, ChangeCompensation
from booking.change_ports import ChargeOutcome
from booking.change_quoting import CHANGES
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

# How long a change's charge may wait for the traveler's answer at their bank (3-D Secure)
# before the change sweeper cancels it (SKYFARE_CHANGE_BANK_WAIT_S): as a seat charge's.
BANK_WAIT_S = 30 * 60.0
# Why the charge failed when the sweeper canceled it at the gateway: Stripe's intent status.
CANCELED = "canceled"


class ChangeMoney(ChangeCompensation):
    """Charges and refunds of a change; a charge that fails is compensated."""

    bank_wait_s: float = BANK_WAIT_S

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
        origin: str | None = None,
        give_up: bool = False,
    ) -> str | None:
        """The charge's intent once it succeeded (None: nothing was charged). `retried`: a
        traveler's request, who may retry with the card; the sweeper has no card to charge.
        `origin`: where the request came to (the bank's way back). Raises `AtTheBank` while the
        traveler's bank waits for their answer; `give_up`: the traveler gives the change up
        instead (`ChangeService.give_up`), its charge canceled at the gateway at once."""
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
                order,
                offer.id,
                due,
                request.card_token or "",
                intent_id=offer.payment_intent_id,
                origin=origin,
            )
        if outcome.intent_id and offer.payment_intent_id in (None, outcome.intent_id):
            # Its card too, when the charge was recorded without it: the gateway's answer that
            # found it names it.
            await self._store.set_intent(offer.id, outcome.intent_id, outcome.card_last4)
        if outcome.status == "requires_action":
            outcome = await self._at_the_bank(
                order, offer, outcome, swept=not retried, give_up=give_up
            )
        if outcome.status == "processing":
            raise ServiceUnavailable(
                "the card payment has not settled yet; retry with the same Idempotency-Key"
            )
        if outcome.status == "failed":
            code = outcome.reason or "payment_failed"
            if code == CANCELED and give_up:
                reason = (
                    f"the traveler gave the change up while their bank asked them to confirm the"
                    f" card payment of {due} {offer.currency}; nothing was charged"
                )
                await self._compensate(principal, order, offer, reason, "given_up")
            if code == CANCELED:
                reason = (
                    f"the card payment of {due} {offer.currency} was not confirmed with the bank"
                    " in time and was canceled; nothing was charged"
                )
            else:
                reason = f"the card payment of {due} {offer.currency} failed ({code})"
            await self._compensate(
                principal, order, offer, reason, "card_declined", decline_code=code
            )
        return outcome.intent_id

    async def _at_the_bank(
        self,
        order: Order,
        offer: ChangeOffer,
        outcome: ChargeOutcome,
        *,
        swept: bool,
        give_up: bool = False,
    ) -> ChargeOutcome:
        """The charge waits for the traveler at their bank's page: `AtTheBank`, its page noted
        for the change's GET; or, `swept` past `bank_wait_s` since it first waited, the charge
        canceled at the gateway first: its outcome then (`failed`: canceled, undone by the
        caller; `succeeded`: the traveler confirmed meanwhile, the change completes). `give_up`:
        the traveler gives it up, so it is canceled now, as past the bound."""
        assert outcome.action_url is not None  # `requires_action` names its page
        asked = offer.bank_asked_at
        waited = asked is not None and self._clock() - asked >= dt.timedelta(
            seconds=self.bank_wait_s
        )
        if not (swept and waited) and not give_up:
            await self._store.at_the_bank(offer.id, outcome.action_url)
            raise AtTheBank(outcome.action_url)
        assert self.payments is not None  # only a charge waits at a bank
        canceled = await self.payments.cancel_charge(order, offer.id, outcome.intent_id)
        if canceled.status == "failed":
            CHANGES.labels("given_up" if give_up else "bank_canceled").inc()
            return msgspec.structs.replace(canceled, reason=canceled.reason or CANCELED)
        if canceled.status == "requires_action":  # not canceled: the next round asks again
            raise ServiceUnavailable("the change's charge at the bank was not canceled yet")
        return canceled
