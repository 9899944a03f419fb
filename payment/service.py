"""`PaymentService`: paying a held order, and booking's `PaymentStarter`.

`pay` (`POST /v1/orders/{id}/payments`): claim the Idempotency-Key → check the order (the
caller's, `held`, payment `unpaid` or `failed`) → in ONE transaction insert the payment
(`processing`), make it the key's recovery point and move the order's payment status to
`processing` → create the gateway intent (our key: `intent_key(payment.id)`) → 202, stored. The
amount is the order's, never the client's. A gateway that does not answer is a 503 that leaves
the payment `processing`; the client's retry with the same key resumes that very payment (the
gateway replays the intent), so a card is never charged twice; a retry that finds that payment
settled meanwhile (the gateway had charged the card, its webhook came first) is answered with
it, `succeeded` (or since refunded), never a 409 for the order it paid.

An order whose payment waits for the traveler's bank (3-D Secure) may be paid with another card:
the waiting payment is canceled at the gateway first and replaced in the new one's transaction
(payment/bank_wait.py); one the traveler confirmed meanwhile stands (a 409 naming it).

`start` is booking's `PaymentStarter` (instant orders); its `Refunds` (cancelling a paid order)
is payment/cancellation_refunds.py.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging

import msgspec

from booking.idempotency import (
    Completion,
    Fingerprint,
    PgIdempotencyStore,
    Replay,
    StoredResponse,
    stored_error,
)
from booking.model import Order, PaymentMethod, is_order_id
from booking.ports import NextAction
from booking.repository import OrderRepository
from booking.state import Change
from kernel.auth import Principal
from kernel.errors import (
    Conflict,
    DomainError,
    FieldError,
    NotFound,
    ServiceUnavailable,
    ValidationFailed,
)
from payment import errors, metrics
from payment.bank_wait import BankWait
from payment.gateway import PaymentGateway
from payment.model import (
    AUTHENTICATION_REQUIRED,
    GatewayIntent,
    Payment,
    PaymentRequest,
    PaymentView,
    intent_key,
    kept_action_url,
    new_payment_id,
    way_back,
)
from payment.refunds import Refunder
from payment.repository import PaymentInFlight, PgPaymentRepository, orders_in
from payment.settlement import Settlement

logger = logging.getLogger(__name__)

_encoder = msgspec.json.Encoder()
_SET_RECOVERY_POINT = "UPDATE idempotency_keys SET resource_id = $3 WHERE owner = $1 AND key = $2"


class _OrderMoved(Exception):
    """The order changed between our check and our guarded transition."""


def accepted(
    payment: Payment, *, as_now: bool = False, intent: GatewayIntent | None = None
) -> StoredResponse:
    """The 202: the payment `processing`; `as_now`, its status as it is (its outcome known);
    `requires_action` with its `next_action` when the `intent` awaits the traveler's bank."""
    view = PaymentView(
        payment.id, payment.status if as_now else "processing", payment.amount, payment.currency
    )
    if intent is not None and intent.status == "requires_action" and intent.action_url:
        view = msgspec.structs.replace(
            view, status="requires_action", next_action=NextAction(intent.action_url)
        )
    return StoredResponse(202, _encoder.encode(view))


class PaymentService:
    """Raises `kernel.errors` for the views."""

    def __init__(
        self,
        payments: PgPaymentRepository,
        orders: OrderRepository,
        keys: PgIdempotencyStore,
        gateway: PaymentGateway,
        refunder: Refunder,
        settlement: Settlement,
        bank_wait: BankWait,
        *,
        gateway_timeout_s: float,
        web_url: str | None = None,
    ) -> None:
        self._payments = payments
        self._orders = orders
        self._keys = keys
        self._gateway = gateway
        self._refunder = refunder
        self._settlement = settlement
        self._timeout_s = gateway_timeout_s
        # The web app's address (SKYFARE_WEB_URL); None: the origin the traveler's request
        # came to, which serves the app. Never an address the client names.
        self._web_url = web_url
        self._bank_wait = bank_wait
        metrics.start_payments()  # this process takes payments: its series from now on

    # -- POST /v1/orders/{id}/payments -----------------------------------------------------------

    async def pay(
        self,
        principal: Principal,
        order_id: str,
        key: str,
        request: PaymentRequest,
        fp: Fingerprint,
        *,
        origin: str | None = None,
    ) -> StoredResponse:
        """The answer (202), or raises the error answer. `origin`: the scheme and host the
        request came to, where a 3-D Secure challenge sends the traveler back unless the web
        app's address is configured; with neither (a caller that is no HTTP request), the
        gateway is given no way back and a card asking for 3-D Secure cannot be confirmed."""
        if not is_order_id(order_id):
            raise NotFound(f"no order {order_id[:64]!r}")  # no key claimed for an impossible id
        owner = principal.subject
        claim = await self._keys.claim(owner, key, fp)
        if isinstance(claim, Replay):
            return claim.answer()
        back = way_back(self._web_url, origin, order_id)
        try:
            return await self._claimed(owner, order_id, key, request, claim.resource_id, back)
        except BaseException:
            # A stored answer stays; otherwise the key is forgotten (nothing started) or keeps
            # its payment (the lease lapses and a retry resumes it).
            with contextlib.suppress(ServiceUnavailable):
                await self._keys.release(owner, key)
            raise

    async def _claimed(
        self,
        owner: str,
        order_id: str,
        key: str,
        request: PaymentRequest,
        resource_id: str | None,
        back: str | None,
    ) -> StoredResponse:
        if resource_id is not None:
            earlier = await self._payments.get(resource_id)
            if earlier is not None and earlier.status == "processing":
                return await self._charge(earlier, request.card_token, owner, key, back)
            if earlier is not None and earlier.status != "failed":
                # The gateway charged the card although its answer never reached us (a 503),
                # and the webhook settled the payment first: the retry learns that payment, not
                # the 409 the order, paid now, would give a new one. (A failed one charged
                # nothing: the retry tries again, as a 503 invites.)
                response = accepted(earlier, as_now=True)
                await self._keys.complete(owner, key, response)
                return response
        try:
            payment = await self._begin(await self._payable(owner, order_id), owner, key)
        except (NotFound, Conflict) as exc:
            await self._keys.complete(owner, key, stored_error(exc))
            raise
        return await self._charge(payment, request.card_token, owner, key, back)

    async def _payable(self, owner: str, order_id: str) -> Order:
        """The order, if it may be paid now: held, in time, its payment `unpaid`, `failed` or
        waiting for the traveler's bank (which the new payment replaces)."""
        order = await self._orders.get(order_id) if is_order_id(order_id) else None
        if order is None or order.owner != owner or not order.visible:
            raise NotFound(f"no order {order_id[:64]!r}")
        if order.status != "held":
            raise Conflict(f"the order is {order.status}: only a held order can be paid")
        at_bank = order.payment_status == "processing" and order.payment_action_url is not None
        if order.payment_status not in ("unpaid", "failed") and not at_bank:
            raise Conflict(f"the order's payment is already {order.payment_status}")
        _check_in_time(order)
        return order

    async def _begin(self, order: Order, owner: str, key: str) -> Payment:
        for _ in range(3):
            waiting = None
            if order.payment_status == "processing":
                waiting = await self._bank_wait.waiting(order.id)
                if waiting is None:  # settled, or charging, since the order was read
                    order = await self._payable(owner, order.id)
                    continue
                await self._bank_wait.cancel(waiting)  # raises unless it can never charge
            try:
                payment, _ = await self._insert(order, actor=owner, key=key, replacing=waiting)
                return payment
            except (_OrderMoved, Conflict) as exc:
                if waiting is None and isinstance(exc, Conflict):
                    raise
                if waiting is not None:  # canceled at the gateway: failed here too, now
                    await self._bank_wait.abandoned(waiting)
                order = await self._payable(owner, order.id)  # raises what the order is now
        raise Conflict("the order kept changing while its payment was starting; retry")

    async def _insert(
        self,
        order: Order,
        *,
        actor: str,
        key: str | None,
        completion: Completion | None = None,
        replacing: Payment | None = None,
    ) -> tuple[Payment, Order]:
        """The payment, its recovery point and the order's `processing`, in one transaction;
        `replacing`: the payment that waited for the traveler's bank, whose intent the gateway
        has canceled, failed in the same transaction."""
        change = Change(
            from_status=("held",),
            from_payment=("unpaid", "failed"),
            to_payment="processing",
            reason="payment started",
        )
        async with self._payments.transaction() as conn:
            if replacing is not None:
                await self._bank_wait.give_up(conn, replacing)
            try:
                payment = await self._payments.insert(
                    conn,
                    payment_id=new_payment_id(),
                    order_id=order.id,
                    owner=order.owner,
                    amount=order.total_amount,
                    currency=order.total_currency,
                )
            except PaymentInFlight:
                raise Conflict("a payment of this order is already in progress") from None
            if key is not None:
                timeout = self._payments.db.timeout_s
                await conn.execute(_SET_RECOVERY_POINT, actor, key, payment.id, timeout=timeout)
            moved = await orders_in(conn, self._payments.db).transition(
                order.id, change, actor=actor, completion=completion
            )
            # The amount is the total we read before this transaction; a seat chosen or a
            # flight changed on the hold since (each rewrites the total under the row lock the
            # transition just took) would leave the card charged for the order as it was.
            if moved is None or (moved.total_amount, moved.total_currency) != (
                payment.amount,
                payment.currency,
            ):
                raise _OrderMoved  # rolls the payment back
            _check_in_time(moved)  # its deadline passed since we read it: rolls it back too
        return payment, moved

    async def _charge(
        self, payment: Payment, card_token: str, owner: str, key: str, back: str | None
    ) -> StoredResponse:
        try:
            intent = await self._create_intent(payment, card_token, return_url=back, bank=True)
        except errors.CardRejected as exc:
            error = _card_refused(exc)
            await self._give_up(payment, exc.code or "card_rejected", notify=False)
            await self._keys.complete(owner, key, stored_error(error))
            raise error from exc
        except errors.GatewayRejected as exc:
            logger.error("payment %s: the gateway refused our request: %s", payment.id, exc)
            await self._give_up(payment, "gateway_refused", notify=False)
            raise ServiceUnavailable("payments are unavailable right now") from exc
        except errors.GatewayUnavailable as exc:
            raise ServiceUnavailable(
                "the payment gateway did not answer; retry with the same Idempotency-Key"
            ) from exc
        # Awaiting the traveler's bank (3-D Secure), the payment stays `processing`: the order
        # is as busy as with any payment in flight (no second payment, cancel waits for its
        # outcome), and the webhook settles it once the challenge is answered.
        response = accepted(payment, intent=intent)
        await self._keys.complete(owner, key, response)
        return response

    async def _create_intent(
        self, payment: Payment, card_token: str, *, return_url: str | None, bank: bool = False
    ) -> GatewayIntent:
        """Create the payment's intent. `bank`: the traveler can be shown their bank's page, so
        an intent that waits on it keeps it (the order's `payment_next_action`)."""
        intent = await self._gateway.create_intent(
            amount=payment.amount,
            currency=payment.currency,
            card_token=card_token,
            metadata={"order_id": payment.order_id, "payment_id": payment.id},
            idempotency_key=intent_key(payment.id),
            timeout=self._timeout_s,
            return_url=return_url,
        )
        waits = bank and intent.status == "requires_action"
        action_url = kept_action_url(intent.action_url) if waits else None  # the 202 names it
        await self._payments.set_intent(
            payment.id, intent.id, card_last4=intent.card_last4, action_url=action_url
        )
        metrics.payment("started")
        logger.info("payment %s of order %s started", payment.id, payment.order_id)
        return intent

    async def _give_up(self, payment: Payment, reason: str, *, notify: bool) -> None:
        metrics.payment("rejected")
        if notify:
            await self._settlement.failed(payment, reason=reason)
            return
        async with self._payments.transaction() as conn:
            if await self._payments.move(
                conn, payment.id, ("processing",), "failed", failure_reason=reason
            ):
                change = Change(
                    from_status=("held",),
                    from_payment=("processing",),
                    to_payment="failed",
                    reason=f"card refused: {reason}",
                    decline_code=reason,
                    events=(),  # the traveler is told by the 422 answer
                )
                await orders_in(conn, self._payments.db).transition(
                    payment.order_id, change, actor="payments"
                )

    # -- booking.ports.PaymentStarter ----------------------------------------------------------

    async def start(
        self, order: Order, method: PaymentMethod, *, actor: str, completion: Completion
    ) -> Order:
        """Pay an `instant` order just held; the order's answer is stored with `processing`,
        and the order is returned as that answer shows it (its outcome comes later).

        A card the gateway refuses fails the payment (`payment.failed`; the traveler may pay
        again); a gateway that does not answer leaves it `processing` for the reconciler.
        """
        try:
            payment, moved = await self._insert(order, actor=actor, key=None, completion=completion)
        except (_OrderMoved, Conflict):
            current = await self._orders.get(order.id) or order
            await self._keys.complete(completion.owner, completion.key, completion.render(current))
            return current
        try:
            intent = await self._create_intent(payment, method.card_token, return_url=None)
        except errors.GatewayRejected as exc:
            await self._give_up(payment, exc.code or "card_rejected", notify=True)
        except errors.GatewayUnavailable as exc:
            logger.warning("payment %s: gateway did not answer: %s", payment.id, exc)
        else:
            if intent.status == "requires_action":
                # An instant order's answer has no room to send the traveler to their bank:
                # the payment fails (nothing was charged), and they pay the held order, which
                # does (docs/payments.md "3-D Secure").
                await self._give_up(payment, AUTHENTICATION_REQUIRED, notify=True)
        return moved


def _card_refused(exc: errors.GatewayError) -> DomainError:
    message = "the card was refused by the payment gateway"
    if exc.code == "invalid_card_token":
        message = "unknown card token"
    return ValidationFailed(
        [FieldError("card_token", message)],
        f"{message}; nothing was charged",
        decline_code=exc.code or "card_rejected",
    )


def _check_in_time(order: Order) -> None:
    """`Conflict` once the hold's `payment_required_by` has passed: the hold sweeper releases
    it at the airline (whose own time limit, or the departure, may have set it), however many
    seconds (or, with the airline unreachable, minutes) it takes to come by."""
    deadline = order.payment_required_by
    if deadline is not None and deadline <= dt.datetime.now(dt.UTC):
        raise Conflict(
            f"the hold's payment_required_by ({deadline.isoformat()}) has passed: its seats are"
            " being released; search again to book"
        )
