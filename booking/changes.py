"""Order changes: one slice flown on another date or flight, with the same airline and the same
booking reference.

`quote` (booking/change_quoting.py) prices change offers; `confirm` (Idempotency-Key) performs
one, in steps that are each idempotent by the change offer's id, so any retry resumes where the
last attempt stopped:

1. `quoted → confirming` (guarded: one confirmation at a time; the recovery point), the offer
   claimed by this request for `lease_s` (a resuming request claims it again), the claim kept
   alive while the steps run (booking/change_claims.py);
2. the airline swaps the slice (its reference: the change offer's id; the locator stays);
3. the money (booking/change_money.py): the difference plus the penalty charged to the card
   given (a paid order); a negative total is owed back in step 4's transaction, split across
   the order's fare charges latest first, seats last (payment/cancellation_refunds.py
   `owe_change`), and asked of the gateway right after its commit (a refusal stays owed, on the
   order's history, for the payment reconciler); a card whose bank asks the traveler to confirm
   (3-D Secure) answers 202 with its page (`next_action`), nothing stored under the key and the
   offer freed, `confirming`: the same confirmation resent once the bank answered resumes here,
   unless the gateway's webhook for the charge settled it first (booking/change_sweeper.py
   `charge_settled`): a confirmation finding the change held by another waits for it to let go
   (`holder_wait_s`), then answers how it ended;
4. ONE transaction, guarded on the order as quoted: the order's new slices, total, tickets and
   `last_change`, its history row, the `order.changed` outbox event (the traveler's mail and
   SMS), the offer `confirmed` and the stored answer; an unpaid hold's `payment_required_by`
   set from the changed booking's time limit as its hold set it.

A card declined at step 3 after the airline accepted at step 2, a refund that cannot be owed at
step 4, or an order that moved since the quote (cancelled, refunded, changed by another offer
confirmed at once) is compensated (booking/change_compensation.py): the airline puts the old
flights back (undo, by the same reference), the offer becomes `failed` and the order says what
happened (`last_change` and a history row). An airline that does not answer leaves
the offer `confirming` and frees its claim: the retry (same key, or a new one) resumes it. A
process that dies half way leaves it claimed until the lease ends; then the change sweeper
(booking/change_sweeper.py) settles it through `settle`, the same steps without a card.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from typing import Literal

import msgspec

from booking.change_claims import HeldClaim
from booking.change_compensation import AtTheBank, FinalAnswer
from booking.change_money import ChangeMoney
from booking.change_quoting import CHANGES
from booking.change_store import Answer
from booking.change_terms import (
    ChangeOffer,
)
from booking.change_validation import ConfirmChange
from booking.change_views import ChangeOfferView
from booking.departures import slice_left
from booking.idempotency import Fingerprint, Replay, StoredResponse, stored_error
from booking.model import ChangeFailure, Order
from connectors.model import Hold
from kernel.auth import Principal
from kernel.errors import (
    ChangeUnsupported,
    Conflict,
    DomainError,
    FieldError,
    Gone,
    NotChangeable,
    ServiceUnavailable,
    ValidationFailed,
)

logger = logging.getLogger(__name__)

# The change sweeper's identity: it reads any order, as support does.
SWEEPER = Principal("change-sweeper", frozenset({"support"}))
# How long a confirmation waits for another holder of its change (a request, a sweeper round, its
# charge's webhook: booking/change_sweeper.py) to let go before answering 409 `in_progress`.
# The traveler's page resends once their bank answers, at the moment the gateway's webhook
# settles the change: a second or so of waiting answers them how it ended instead of a retry.
# Giving a change up waits the same way.
HOLDER_WAIT_S = 10.0
HOLDER_POLL_S = 0.05
Settled = Literal["completed", "confirmed", "compensated", "failed", "unsettled", "at_the_bank"]
_encoder = msgspec.json.Encoder()


class ChangeService(ChangeMoney):
    """Change offers (booking/change_quoting.py) and their confirmation for an order's owner (or
    support)."""

    holder_wait_s: float = HOLDER_WAIT_S

    async def confirm(
        self,
        principal: Principal,
        order_id: str,
        change_id: str,
        key: str,
        request: ConfirmChange,
        fp: Fingerprint,
        *,
        origin: str | None = None,
    ) -> StoredResponse:
        """The answer (200 and the confirmed change with the order; 202 and the change still
        `confirming` with `next_action` while the card's bank waits for the traveler), or raises
        the error. `origin`: the scheme and host the request came to (the bank's way back)."""
        order = await self._orders.own(principal, order_id)
        await self._found(order.id, change_id)
        keys, owner = self._orders.keys, principal.subject
        claim = await keys.claim(owner, key, fp)
        if isinstance(claim, Replay):
            CHANGES.labels("replayed").inc()
            return claim.answer()
        try:
            return await self._claimed(principal, order, change_id, key, request, origin)
        except FinalAnswer as final:
            await keys.complete(owner, key, stored_error(final.error))
            raise final.error from None
        except AtTheBank:
            # Not final: the same confirmation, resent once the bank answered, resumes it.
            with contextlib.suppress(ServiceUnavailable):
                await keys.release(owner, key)
            CHANGES.labels("at_the_bank").inc()
            return await self._waiting(principal, order.id, change_id)
        except BaseException:
            # Nothing stored: forget the key, so the same request resumes the change offer.
            with contextlib.suppress(ServiceUnavailable):
                await keys.release(owner, key)
            raise

    async def _claimed(
        self,
        principal: Principal,
        order: Order,
        change_id: str,
        key: str,
        request: ConfirmChange,
        origin: str | None,
        *,
        wait: bool = True,
    ) -> StoredResponse:
        """`wait`: a change another holds is waited for once (`holder_wait_s`), then resumed."""
        offer = await self._found(order.id, change_id)
        if offer.status == "confirmed":
            CHANGES.labels("replayed").inc()
            return await self._answer(principal, offer, key)
        if offer.status == "failed":
            failed = Conflict(
                f"this change failed: {offer.failure_reason}; ask again",
                decline_code=offer.decline_code,
                failure_code=offer.failure_code,
            )
            raise FinalAnswer(failed)
        if offer.status == "quoted":
            self._check_confirmable(order, offer, request)
            claimed = await self._store.begin(
                offer.id, actor=principal.subject, lease_s=self._lease
            )
        else:  # `confirming`: resumed, unless a request, the sweeper or a webhook is at it
            claimed = await self._store.claim(offer.id, lease_s=self._lease)
        held = claimed is None and offer.status == "confirming"
        if held and wait and await self._let_go(offer.id):
            return await self._claimed(
                principal, order, change_id, key, request, origin, wait=False
            )
        if claimed is None:
            raise Conflict(
                "this change, or another change of this order, is being confirmed; retry",
                in_progress=True,
            )
        claim = HeldClaim(self._store, offer.id, claimed, lease_s=self._lease)
        confirmed = msgspec.structs.replace(offer, status="confirmed", confirmed_at=self._clock())

        def answer(changed: Order) -> tuple[str, str, StoredResponse]:
            body = _encoder.encode(ChangeOfferView.of(confirmed, changed))
            return principal.subject, key, StoredResponse(200, body)

        try:
            work = self._perform(principal, order, offer, request, answer, origin=origin)
            changed = await claim.run(work)
        except BaseException:
            # Not settled here: free the offer at once for the traveler's retry.
            await claim.release()
            raise
        if changed is None:
            return await self._answer(principal, await self._found(order.id, offer.id), key)
        return answer(changed)[2]

    async def _let_go(self, change_id: str) -> bool:
        """Whether the change's holder let go of it within `holder_wait_s`."""
        CHANGES.labels("waited").inc()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.holder_wait_s
        while loop.time() < deadline:
            await asyncio.sleep(HOLDER_POLL_S)
            if await self._store.free(change_id):
                return True
        return False

    async def settle(self, offer: ChangeOffer) -> Settled:
        """Finish `offer`, `confirming` but abandoned half way (its process died), as its own
        request would have: the airline's change by the same reference (made now if it never
        was), the money as the gateway says it went, then the order changed; or undone at the
        airline when the card was never charged or was declined. The caller claimed it."""
        order = await self._orders.get(SWEEPER, offer.order_id)
        token = await self._store.claim_of(offer.id)
        if token is None:
            return "confirmed"  # settled since it was claimed
        claim = HeldClaim(self._store, offer.id, token, lease_s=self._lease)
        try:
            changed = await claim.run(self._perform(SWEEPER, order, offer, ConfirmChange(), None))
        except AtTheBank:  # the traveler may still answer their bank: left for the next round
            await claim.release()
            return "at_the_bank"
        except FinalAnswer as final:  # undone at the airline, or the airline refused the change
            compensated = "change_status" in final.error.extensions and final.undone
            return "compensated" if compensated else "failed"
        except (NotChangeable, ChangeUnsupported):
            return "failed"
        except DomainError as exc:  # unreachable (503), or an unexpected refusal
            if not isinstance(exc, ServiceUnavailable):
                logger.error("order %s: change %s cannot be settled: %s", order.id, offer.id, exc)
            await claim.release()
            return "unsettled"
        return "completed" if changed is not None else "confirmed"

    async def give_up(
        self, principal: Principal, order_id: str, change_id: str, *, wait: bool = True
    ) -> tuple[ChangeOffer, Order]:
        """The traveler gives up a change whose charge waits at their bank (3-D Secure): the
        charge canceled at the gateway FIRST, as the change sweeper does past `bank_wait_s`,
        then the old flights put back (the offer `failed`, `given_up`). A charge the bank
        confirmed meanwhile stands: the change completes. The offer and order as they end;
        asked again once it ended, the same. 409 when it does not wait at the bank (or a
        request, the sweeper or its charge's webhook still holds it after `holder_wait_s`, as
        a confirmation waits: `in_progress`, retry); 503 with nothing changed when the gateway
        cannot cancel it now."""
        order = await self._orders.own(principal, order_id)
        offer = await self._found(order.id, change_id)
        if offer.status in ("confirmed", "failed") and offer.bank_asked_at is not None:
            return offer, order  # it ended after waiting at the bank: how it ended
        if offer.status != "confirming" or offer.action_url is None:
            raise Conflict(
                f"this change does not wait at the bank ({offer.status}): "
                "only a change whose card payment waits at the bank can be given up",
                change_status=offer.status,
            )
        claimed = await self._store.claim(offer.id, lease_s=self._lease)
        if claimed is None and wait and await self._let_go(offer.id):
            return await self.give_up(principal, order_id, change_id, wait=False)  # as it is now
        if claimed is None:
            raise Conflict("this change is being confirmed or settled now; retry", in_progress=True)
        claim = HeldClaim(self._store, offer.id, claimed, lease_s=self._lease)
        offer = await self._found(order.id, change_id)  # as it is once claimed
        work = self._perform(principal, order, offer, ConfirmChange(), None, give_up=True)
        try:
            await claim.run(work)
        except FinalAnswer:
            pass  # undone (given up, or declined at the bank meanwhile): the offer says so
        except BaseException:
            await claim.release()  # nothing settled (the gateway down): the traveler retries
            raise
        return await self.get(principal, order.id, offer.id)

    def _check_confirmable(self, order: Order, offer: ChangeOffer, request: ConfirmChange) -> None:
        if offer.expired(self._clock()):
            CHANGES.labels("expired").inc()
            raise FinalAnswer(Gone("this change offer expired: ask for new change offers"))
        if not offer.describes(order):
            raise FinalAnswer(Conflict("the order changed since this change offer: ask again"))
        left = slice_left(order, offer.slice_index, self._clock())
        if left is not None:
            raise FinalAnswer(left)
        moves_money = offer.order_payment_status == "paid" and offer.due_amount != 0
        if moves_money and self.payments is None:
            raise FinalAnswer(Conflict("this change moves money; payments are not enabled here"))
        if offer.order_payment_status == "paid" and offer.due_amount > 0 and not request.card_token:
            amount = f"{offer.due_amount} {offer.currency}"
            raise ValidationFailed(
                [FieldError("card_token", f"required: this change costs {amount}")]
            )

    async def _perform(
        self,
        principal: Principal,
        order: Order,
        offer: ChangeOffer,
        request: ConfirmChange,
        answer: Answer | None,
        *,
        origin: str | None = None,
        give_up: bool = False,
    ) -> Order | None:
        """The steps after `confirming`: the changed order (with `answer` stored in its
        transaction; None: the sweeper's, nobody waits for it), or None when another
        confirmation of the offer committed first. `give_up`: a charge waiting at the
        traveler's bank is canceled instead (`give_up`)."""
        try:
            hold = await self._airline.change(
                order, offer.slice_index, offer.supplier_fare_id, offer.id
            )
        except (Conflict, NotChangeable, ChangeUnsupported) as exc:  # a "no": nothing changed
            # Each detail already says it is the airline's answer (booking/change_airline.py:
            # "the airline refused to change the flights: …"); a prefix said it twice.
            code = _refusal(exc)
            await self._fail(principal, order, offer, exc.detail, code)
            if isinstance(exc, Conflict):
                said_no = Conflict(exc.detail, **exc.extensions, failure_code=code)
                raise FinalAnswer(said_no) from exc
            raise  # a 422 of its own type, not stored: a retry finds the offer failed (409)
        retried = answer is not None
        charge = await self._move_money(
            principal, order, offer, request, retried=retried, origin=origin, give_up=give_up
        )
        deadline = self._payment_deadline(order, offer, hold)
        refund = self._refund_owed(offer)
        try:
            changed = await self._store.apply(
                offer,
                order,
                hold,
                actor=principal.subject,
                answer=answer,
                payment_required_by=deadline,
                also=refund,
            )
        except Conflict as exc:  # the refund cannot be owed (`owe_change`): nothing was written
            reason = f"the {-offer.due_amount} {offer.currency} cannot be given back: {exc.detail}"
            await self._compensate(principal, order, offer, reason, "refund_not_possible")
        if changed == "confirmed":  # a concurrent confirmation of this offer committed first
            CHANGES.labels("replayed").inc()
            return None
        if changed == "moved":  # cancelled or refunded meanwhile: the change cannot stand
            refused = await self._undo(order, offer)
            reason = "the order changed while the change was confirmed; nothing was changed"
            failure: ChangeFailure = "order_moved"
            if refused is not None:
                reason = f"the order changed while the change was confirmed; {refused}"
                failure = "airline_kept_new_flights"
            if charge is not None and self.payments is not None:
                await self.payments.refund_charge(
                    order, offer.id, charge, offer.due_amount, actor=principal.subject
                )
                reason += f"; the {offer.due_amount} {offer.currency} charged is refunded"
            await self._fail(principal, order, offer, reason, failure)
            raise FinalAnswer(Conflict(reason, failure_code=failure))
        CHANGES.labels("confirmed").inc()
        if refund is not None and self.payments is not None:
            # Owed from the commit on: a refusal or a lost answer stays owed, the payment
            # reconciler asks again; the traveler's change stands either way.
            try:
                await self.payments.refund(order, offer.id, actor=principal.subject)
            except ServiceUnavailable as exc:
                logger.warning("order %s: change %s refund left owed: %s", order.id, offer.id, exc)
        return changed

    def _payment_deadline(self, order: Order, offer: ChangeOffer, hold: Hold) -> dt.datetime | None:
        """An unpaid hold's new `payment_required_by`, set as its hold set it: the airline's time
        limit for the changed booking, within the hold window and before the (new) first
        departure. None (kept) on an order that is paid."""
        if offer.order_status != "held" or offer.order_payment_status == "paid":
            return None
        slices = list(order.slices)
        slices[offer.slice_index] = offer.new_slice
        changed = msgspec.structs.replace(order, slices=tuple(slices))
        return self._orders.payment_deadline(changed, hold.payment_required_by)

    async def _waiting(self, principal: Principal, order_id: str, change_id: str) -> StoredResponse:
        """The 202 of a change whose charge waits at the traveler's bank: the offer
        (`confirming`, its `next_action`) and the order as it is; stored under no key."""
        offer = await self._found(order_id, change_id)
        order = await self._orders.get(principal, order_id)
        return StoredResponse(202, _encoder.encode(ChangeOfferView.of(offer, order)))

    async def _answer(self, principal: Principal, offer: ChangeOffer, key: str) -> StoredResponse:
        order = await self._orders.get(principal, offer.order_id)
        response = StoredResponse(200, _encoder.encode(ChangeOfferView.of(offer, order)))
        await self._orders.keys.complete(principal.subject, key, response)
        return response


def _refusal(exc: DomainError) -> ChangeFailure:
    """The airline's "no" to the change itself (booking/change_airline.py) as the offer's
    failure."""
    if isinstance(exc, NotChangeable):
        return "fare_not_changeable"
    if isinstance(exc, ChangeUnsupported):
        return "change_unsupported"
    return "airline_refused"
