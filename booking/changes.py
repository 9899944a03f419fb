"""Order changes: one slice flown on another date or flight, with the same airline and the same
booking reference.

`quote` asks the order's airline (its connector's reshop) how the slice could be flown instead
and prices each way by the fare conditions (booking/change_terms.py): change offers, kept in
PostgreSQL for `ttl_s`. `confirm` (Idempotency-Key) performs one, in steps that are each
idempotent by the change offer's id, so any retry resumes where the last attempt stopped:

1. `quoted → confirming` (guarded: one confirmation at a time; the recovery point), the offer
   claimed by this request for `lease_s` (a resuming request claims it again), the claim kept
   alive while the steps run (booking/change_claims.py);
2. the airline swaps the slice (its reference: the change offer's id; the locator stays);
3. the money: the difference plus the penalty charged to the card given (a paid order); a
   negative total is owed back in step 4's transaction, split across the order's fare charges
   latest first, seats last (payment/cancellation_refunds.py `owe_change`), and asked of the
   gateway right after its commit (a refusal stays owed, on the order's history, for the
   payment reconciler);
4. ONE transaction: the order's new slices, total, tickets and `last_change`, its history row,
   the `order.changed` outbox event (the traveler's mail and SMS), the offer `confirmed` and
   the stored answer; an unpaid hold's `payment_required_by` set from the changed booking's
   time limit as its hold set it.

A card declined at step 3 after the airline accepted at step 2 is compensated: the airline puts
the old flights back (undo, by the same reference), the offer becomes `failed` and the order
says what happened (`last_change` and a history row). An airline that does not answer leaves
the offer `confirming` and frees its claim: the retry (same key, or a new one) resumes it. A
process that dies half way leaves it claimed until the lease ends; then the change sweeper
(booking/change_sweeper.py) settles it through `settle`, the same steps without a card.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Callable
from typing import Literal, NoReturn

import asyncpg
import msgspec
from prometheus_client import Counter

from booking.cancellation_terms import NOTHING
from booking.change_airline import ChangeAirline
from booking.change_claims import HeldClaim
from booking.change_ports import ChangePayments
from booking.change_store import AlsoInChange, Answer, PgChanges
from booking.change_terms import (
    ChangeOffer,
    SliceSearch,
    check_changeable,
    is_change_id,
    new_change_id,
    price_change,
    seat_credit,
)
from booking.change_validation import ConfirmChange, check_against_order
from booking.change_views import ChangeOfferView
from booking.idempotency import Fingerprint, Replay, StoredResponse, raise_stored, stored_error
from booking.model import Order
from booking.service import OrderService
from connectors.change_model import SliceChangeOffer
from connectors.model import Hold, SliceQuery
from kernel.auth import Principal
from kernel.errors import (
    ChangeUnsupported,
    Conflict,
    DomainError,
    FieldError,
    Gone,
    NotChangeable,
    NotFound,
    ServiceUnavailable,
    ValidationFailed,
)

logger = logging.getLogger(__name__)

# A confirmation's claim on its offer: longer than its steps take (the airline's change, the
# card's settling), so nobody else resumes an offer whose request is still at it.
CLAIM_LEASE_S = 60.0
# The change sweeper's identity: it reads any order, as support does.
SWEEPER = Principal("change-sweeper", frozenset({"support"}))
Settled = Literal["completed", "confirmed", "compensated", "failed", "unsettled"]
OFFER_TTL_S = 300.0  # a few minutes: long enough to choose, short enough to stay true
MAX_OFFERS = 20
CHANGES = Counter(
    "skyfare_order_changes_total",
    "Order changes by outcome: quoted, confirmed, replayed, expired, refused, failed "
    "(nothing changed), compensated (the airline changed, the payment failed, undone), "
    "undo_refused (the airline would not put the original flights back: for support).",
    ["outcome"],
)
_encoder = msgspec.json.Encoder()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class _Final(Exception):
    """An answer to store under the Idempotency-Key (it will not change on a retry)."""

    def __init__(self, error: DomainError, *, undone: bool = True) -> None:
        self.error = error
        self.undone = undone  # False: the airline refused to put the original flights back


class ChangeService:
    """Change offers and their confirmation for an order's owner (or support)."""

    def __init__(
        self,
        orders: OrderService,
        store: PgChanges,
        airline: ChangeAirline,
        *,
        ttl_s: float = OFFER_TTL_S,
        lease_s: float = CLAIM_LEASE_S,
        clock: Callable[[], dt.datetime] = _now,
    ) -> None:
        self._orders = orders
        self._store = store
        self._airline = airline
        self._ttl = dt.timedelta(seconds=ttl_s)
        self._lease = lease_s
        self._clock = clock
        self.payments: ChangePayments | None = None  # None: paid orders change only for free

    async def quote(
        self, principal: Principal, order_id: str, search: SliceSearch
    ) -> tuple[list[ChangeOffer], Order]:
        """New change offers for one slice of the order (none when the airline has nothing)."""
        order = await self._orders.get(principal, order_id)
        check_against_order(search, order)
        self._airline.changer(order)  # an airline that cannot change says so first
        check_changeable(order)
        query = SliceQuery(search.origin, search.destination, search.departure_date)
        try:
            found = await self._airline.reshop(order, search.slice_index, query)
        except DomainError:
            CHANGES.labels("refused").inc()
            raise
        now = self._clock()
        offers = sorted(
            (
                self._offer(order, search.slice_index, f, now)
                for f in found[:MAX_OFFERS]
                if f.currency == order.total_currency
            ),
            key=lambda o: (o.due_amount, o.new_total_amount),
        )
        if offers:
            await self._store.insert(offers, actor=principal.subject)
        CHANGES.labels("quoted").inc()
        return offers, order

    def _offer(
        self, order: Order, index: int, found: SliceChangeOffer, now: dt.datetime
    ) -> ChangeOffer:
        pricing = price_change(order, found.old_total, found.new_total)
        tax = None if order.terms is None else order.terms.tax_amount + found.tax_difference
        return ChangeOffer(
            id=new_change_id(),
            order_id=order.id,
            status="quoted",
            slice_index=index,
            supplier_fare_id=found.supplier_fare_id,
            new_slice=found.slice,
            fare_difference=pricing.difference,
            penalty_amount=pricing.penalty,
            due_amount=pricing.due,
            new_total_amount=max(pricing.new_total - seat_credit(order, index), NOTHING),
            new_tax_amount=None if tax is None else max(tax, NOTHING),
            currency=order.total_currency,
            refundable=found.conditions.refundable,
            changeable=found.conditions.changeable,
            order_status=order.status,
            order_payment_status=order.payment_status,
            order_updated_at=order.updated_at,
            expires_at=min(now + self._ttl, found.expires_at),
            created_at=now,
        )

    async def get(
        self, principal: Principal, order_id: str, change_id: str
    ) -> tuple[ChangeOffer, Order]:
        order = await self._orders.get(principal, order_id)
        return await self._found(order.id, change_id), order

    async def confirm(
        self,
        principal: Principal,
        order_id: str,
        change_id: str,
        key: str,
        request: ConfirmChange,
        fp: Fingerprint,
    ) -> StoredResponse:
        """The answer (200 and the confirmed change with the order), or raises the error."""
        order = await self._orders.get(principal, order_id)
        await self._found(order.id, change_id)
        keys, owner = self._orders.keys, principal.subject
        claim = await keys.claim(owner, key, fp)
        if isinstance(claim, Replay):
            CHANGES.labels("replayed").inc()
            if claim.response.status >= 300:
                raise_stored(claim.response)
            return claim.response
        try:
            return await self._claimed(principal, order, change_id, key, request)
        except _Final as final:
            await keys.complete(owner, key, stored_error(final.error))
            raise final.error from None
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
    ) -> StoredResponse:
        offer = await self._found(order.id, change_id)
        if offer.status == "confirmed":
            CHANGES.labels("replayed").inc()
            return await self._answer(principal, offer, key)
        if offer.status == "failed":
            raise _Final(Conflict(f"this change failed: {offer.failure_reason}; ask again"))
        if offer.status == "quoted":
            self._check_confirmable(order, offer, request)
            claimed = await self._store.begin(
                offer.id, actor=principal.subject, lease_s=self._lease
            )
        else:  # `confirming`: resumed, unless a request or the change sweeper is at it
            claimed = await self._store.claim(offer.id, lease_s=self._lease)
        if claimed is None:
            raise Conflict("this change is being confirmed by another request; retry")
        claim = HeldClaim(self._store, offer.id, claimed, lease_s=self._lease)
        confirmed = msgspec.structs.replace(offer, status="confirmed", confirmed_at=self._clock())

        def answer(changed: Order) -> tuple[str, str, StoredResponse]:
            body = _encoder.encode(ChangeOfferView.of(confirmed, changed))
            return principal.subject, key, StoredResponse(200, body)

        try:
            changed = await claim.run(self._perform(principal, order, offer, request, answer))
        except BaseException:
            # Not settled here: free the offer at once for the traveler's retry.
            await claim.release()
            raise
        if changed is None:
            return await self._answer(principal, await self._found(order.id, offer.id), key)
        return answer(changed)[2]

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
        except _Final as final:  # undone at the airline, or the airline refused the change
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

    def _check_confirmable(self, order: Order, offer: ChangeOffer, request: ConfirmChange) -> None:
        if offer.expired(self._clock()):
            CHANGES.labels("expired").inc()
            raise _Final(Gone("this change offer expired: ask for new change offers"))
        if not offer.describes(order):
            raise _Final(Conflict("the order changed since this change offer: ask again"))
        moves_money = offer.order_payment_status == "paid" and offer.due_amount != 0
        if moves_money and self.payments is None:
            raise _Final(Conflict("this change moves money; payments are not enabled here"))
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
    ) -> Order | None:
        """The steps after `confirming`: the changed order (with `answer` stored in its
        transaction; None: the sweeper's, nobody waits for it), or None when another
        confirmation of the offer committed first."""
        try:
            hold = await self._airline.change(
                order, offer.slice_index, offer.supplier_fare_id, offer.id
            )
        except (Conflict, NotChangeable, ChangeUnsupported) as exc:  # a "no": nothing changed
            await self._fail(principal, order, offer, f"the airline refused: {exc.detail}")
            if isinstance(exc, Conflict):
                raise _Final(exc) from exc
            raise  # a 422 of its own type, not stored: a retry finds the offer failed (409)
        retried = answer is not None
        charge = await self._move_money(principal, order, offer, request, retried=retried)
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
            await self._compensate(principal, order, offer, reason)
        if changed == "confirmed":  # a concurrent confirmation of this offer committed first
            CHANGES.labels("replayed").inc()
            return None
        if changed == "moved":  # cancelled or refunded meanwhile: the change cannot stand
            refused = await self._undo(order, offer)
            reason = "the order changed while the change was confirmed; nothing was changed"
            if refused is not None:
                reason = f"the order changed while the change was confirmed; {refused}"
            if charge is not None and self.payments is not None:
                await self.payments.refund_charge(order, offer.id, charge, offer.due_amount)
                reason += f"; the {offer.due_amount} {offer.currency} charged is refunded"
            await self._fail(principal, order, offer, reason)
            raise _Final(Conflict(reason))
        CHANGES.labels("confirmed").inc()
        if refund is not None and self.payments is not None:
            # Owed from the commit on: a refusal or a lost answer stays owed, the payment
            # reconciler asks again; the traveler's change stands either way.
            try:
                await self.payments.refund(order, offer.id, actor=principal.subject)
            except ServiceUnavailable as exc:
                logger.warning("order %s: change %s refund left owed: %s", order.id, offer.id, exc)
        return changed

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
                await self._compensate(principal, order, offer, reason)
            outcome = found
        else:
            outcome = await payments.charge(
                order, offer.id, due, request.card_token or "", intent_id=offer.payment_intent_id
            )
        if outcome.intent_id and offer.payment_intent_id is None:
            await self._store.set_intent(offer.id, outcome.intent_id)
        if outcome.status == "processing":
            raise ServiceUnavailable(
                "the card payment has not settled yet; retry with the same Idempotency-Key"
            )
        if outcome.status == "failed":
            reason = f"the card payment of {due} {offer.currency} failed ({outcome.reason})"
            await self._compensate(principal, order, offer, reason)
        return outcome.intent_id

    async def _compensate(
        self, principal: Principal, order: Order, offer: ChangeOffer, reason: str
    ) -> NoReturn:
        """The airline changed the flights but the money did not move: put the old flights
        back (a 503 here leaves the offer `confirming`, and the retry compensates again). An
        airline that refuses (the old flights sold out meanwhile) will not say yes on a retry:
        the offer fails all the same, saying what the airline kept, for support to settle."""
        refused = await self._undo(order, offer)
        if refused is None:
            CHANGES.labels("compensated").inc()
            detail = f"{reason}; the airline put the original flights back"
            logger.info("order %s: change %s undone: %s", order.id, offer.id, reason)
        else:
            detail = f"{reason}; {refused}"
        await self._store.fail(offer, order.id, detail, actor=principal.subject)
        error = Conflict(f"the change was not made: {detail}", change_status="failed")
        raise _Final(error, undone=refused is None)

    async def _undo(self, order: Order, offer: ChangeOffer) -> str | None:
        """Put the old flights back: None when done, else what the airline's refusal leaves
        (a `ServiceUnavailable` propagates: asked again later)."""
        try:
            await self._airline.undo(order, offer.id)
        except Conflict as exc:
            CHANGES.labels("undo_refused").inc()
            logger.error("order %s: change %s cannot be undone: %s", order.id, offer.id, exc)
            return (
                f"{exc.detail}: the airline's booking keeps the new flights, unpaid, and "
                "support settles it with the traveler"
            )
        return None

    async def _fail(
        self, principal: Principal, order: Order, offer: ChangeOffer, reason: str
    ) -> None:
        CHANGES.labels("failed").inc()
        await self._store.fail(offer, order.id, reason, actor=principal.subject)

    async def _answer(self, principal: Principal, offer: ChangeOffer, key: str) -> StoredResponse:
        order = await self._orders.get(principal, offer.order_id)
        response = StoredResponse(200, _encoder.encode(ChangeOfferView.of(offer, order)))
        await self._orders.keys.complete(principal.subject, key, response)
        return response

    async def _found(self, order_id: str, change_id: str) -> ChangeOffer:
        offer = await self._store.get(order_id, change_id) if is_change_id(change_id) else None
        if offer is None:
            raise NotFound(f"no change offer {change_id[:64]!r} of this order")
        return offer
