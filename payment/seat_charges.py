"""Seat changes paid on confirmed orders: booking's `SeatPayments` port (booking/ports.py).

`charge` writes the charge (`processing`, with the seats it buys) BEFORE the gateway is asked,
so a crash or a timeout leaves a row the reconciler finishes; one charge of an order may be in
flight at a time (seat_charges_one_live_per_order), so a retried request never charges twice.
The gateway's key is `<charge id>:intent`, and the intent's metadata `payment_id` names the
charge: the webhook finds it even before we stored the intent id. A card whose bank asks the
traveler to confirm (3-D Secure) is asked as a held order's payment is (payment/service.py): the
intent gets the same `return_url` (payment/model.py `way_back`), the answer the bank's page as
`next_action`, and the charge stays `processing` until the challenge's outcome comes, by webhook
or the reconciler, as any other's (which reads `requires_action` as still waiting).

Outcome (webhook, or the reconciler reading the intent): `succeeded` → under the charge's row
lock, the seats are given at the airline and recorded (booking/seats.py `apply_paid`), and the
charge is `succeeded` in the same transaction; if the airline refuses (someone took the seat
while the card was charged, or the order was cancelled meanwhile) the money goes back:
`refunding` (with an `order.seat_change_refunded` event) → gateway refund (`<id>:refund`; a new
key after each refusal, `refund_key`; named by the charge, so one asked anew after its key moved
other money records the dashboard's money in it as the gateway's, payment/named_refunds.py)
→ `refunded`. `failed` → `failed`, the seats unchanged.
A charge the reconciler gave up on
(`failed`: the gateway never answered its creation) whose card was charged after all is
refunded the same way when its success arrives, the seats unchanged; the intent id the event
names is kept, so the refund can name it.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from decimal import Decimal
from typing import Literal, NoReturn

import asyncpg
import msgspec

from booking.model import Order, OrderSeat, PaymentMethod
from booking.pg import Database
from booking.ports import NextAction, SeatChargeView
from booking.seat_refusals import CHARGE_IN_FLIGHT, seat_conflict
from booking.seats import OrderSeatDesk, record_seat_refund
from kernel.errors import Conflict, FieldError, ServiceUnavailable, ValidationFailed
from payment import errors, metrics, named_refunds
from payment.asked_in_turn import asked_in_turn
from payment.gateway import PaymentGateway, cancel_or_read
from payment.model import (
    AUTHENTICATION_REQUIRED,
    CANCELED,
    GatewayEvent,
    GatewayIntent,
    cancel_key,
    kept_action_url,
    refund_key,
    way_back,
)
from payment.named_refunds import NOTHING, left_to_ask
from payment.refund_notices import card_of, tell

logger = logging.getLogger(__name__)

PREFIX = "sch_"
ACTOR = "payments"
_COLUMNS = (
    "id, order_id, status, amount, currency, seats, gateway_intent_id, failure_reason,"
    " refund_attempt, created_at, action_url"
)
# How long a charge may wait for the traveler's answer at their bank (3-D Secure) before the
# reconciler cancels its intent (SKYFARE_SEAT_CHARGE_BANK_WAIT_S): as long as a Stripe Checkout
# session lives at the least.
BANK_WAIT_S = 30 * 60.0
_STALE = asked_in_turn(
    "seat_charges",
    _COLUMNS,
    "status IN ('processing', 'refunding') AND updated_at < $1",
    limit="$2",
)
_seats = msgspec.json.Decoder(tuple[OrderSeat, ...])
_encode = msgspec.json.Encoder().encode


ChargeStatus = Literal["processing", "succeeded", "failed", "refunding", "refunded"]


class _Charge(msgspec.Struct, frozen=True):
    id: str
    order_id: str
    status: ChargeStatus
    amount: Decimal
    currency: str
    seats: tuple[OrderSeat, ...]
    gateway_intent_id: str | None
    failure_reason: str | None = None  # a failed charge's: the gateway's code (or ours for it)
    refund_attempt: int = 0  # refunds the gateway refused (payment/model.py `refund_key`)
    created_at: dt.datetime | None = None  # when its intent was asked, give or take
    # The page of the card's bank asking the traveler to confirm it (3-D Secure; 0220).
    action_url: str | None = None

    def view(self) -> SeatChargeView:
        declined = self.failure_reason if self.status == "failed" else None
        # Still waiting for the traveler's bank: its page, in every answer (a reloaded trip
        # shows it again); gone once the charge is settled.
        at_the_bank = self.action_url if self.status == "processing" else None
        bank = None if at_the_bank is None else NextAction(at_the_bank)
        return SeatChargeView(
            self.id, self.status, self.amount, self.currency, self.seats, declined, bank
        )


def _charge(row: asyncpg.Record) -> _Charge:
    return _Charge(**{**dict(row), "seats": _seats.decode(row["seats"])})


class SeatCharges:
    def __init__(
        self,
        db: Database,
        gateway: PaymentGateway,
        desk: OrderSeatDesk,
        *,
        timeout_s: float,
        web_url: str | None = None,
        bank_wait_s: float = BANK_WAIT_S,
    ) -> None:
        self._db = db
        self._gateway = gateway
        self._desk = desk
        self._timeout_s = timeout_s
        # A charge still waiting for the traveler's bank this long after it was asked is given
        # up (`reconcile_once`): the trip's seats could not change meanwhile.
        self._bank_wait = dt.timedelta(seconds=bank_wait_s)
        # The web app's address (SKYFARE_WEB_URL), where a card's bank sends the traveler back;
        # None: the origin their request came to (payment/model.py `way_back`).
        self._web_url = web_url
        metrics.start_seat_charges()  # this process charges seats: its series from now on

    async def charge(
        self,
        order: Order,
        seats: tuple[OrderSeat, ...],
        amount: Decimal,
        method: PaymentMethod,
        *,
        origin: str | None = None,
    ) -> SeatChargeView:
        charge_id = PREFIX + secrets.token_hex(12)
        try:
            row = await self._one(
                "INSERT INTO seat_charges (id, order_id, owner, amount, currency, seats, status)"
                f" VALUES ($1, $2, $3, $4, $5, $6::jsonb, 'processing') RETURNING {_COLUMNS}",
                charge_id, order.id, order.owner, amount, order.total_currency,
                _encode(seats).decode(),
            )  # fmt: skip
        except asyncpg.UniqueViolationError as exc:
            raise seat_conflict(CHARGE_IN_FLIGHT, "seat_charge_in_progress") from exc
        assert row is not None
        charge = _charge(row)
        back = way_back(self._web_url, origin, order.id)  # the order payment's, the same page
        intent = await self._create_intent(charge, method, back)
        bank = None
        if intent.status == "requires_action":
            if intent.action_url is None:
                await self._no_page_for_bank(charge_id)
            # Its bank asks the traveler to confirm (3-D Secure): the charge stays
            # `processing`, as for any intent not settled yet, until the challenge's answer
            # comes by webhook (the reconciler reads `requires_action` as still waiting, for
            # `bank_wait_s` at most); the bank's page is kept for the seats' GET.
            bank = intent.action_url
        await self._one(
            "UPDATE seat_charges SET gateway_intent_id = $2, card_last4 = $3, action_url = $4"
            " WHERE id = $1 RETURNING id",
            charge_id,
            intent.id,
            intent.card_last4,
            kept_action_url(bank),
        )
        metrics.seat_charge("started")
        return msgspec.structs.replace(charge, action_url=bank).view()

    async def _create_intent(
        self, charge: _Charge, method: PaymentMethod, return_url: str | None
    ) -> GatewayIntent:
        """The charge's gateway intent; a refusal fails the charge and raises its answer."""
        try:
            return await self._gateway.create_intent(
                amount=charge.amount,
                currency=charge.currency,
                card_token=method.card_token,
                metadata={"order_id": charge.order_id, "payment_id": charge.id},
                idempotency_key=f"{charge.id}:intent",
                timeout=self._timeout_s,
                return_url=return_url,
            )
        except errors.CardRejected as exc:
            metrics.seat_charge("rejected")
            reason = exc.code or "card_rejected"
            await self._move(charge.id, ("processing",), "failed", reason=reason, counted=True)
            refused = "the card was refused by the payment gateway; nothing was charged"
            raise ValidationFailed(
                [FieldError("payment.card_token", refused)], decline_code=reason
            ) from exc
        except errors.GatewayRejected as exc:
            await self._move(charge.id, ("processing",), "failed", reason="gateway_refused")
            raise ServiceUnavailable("payments are unavailable right now") from exc
        except errors.GatewayUnavailable as exc:  # left processing: the reconciler settles it
            raise ServiceUnavailable("the payment gateway did not answer; retry later") from exc

    async def _no_page_for_bank(self, charge_id: str) -> NoReturn:
        """The card's bank asks the traveler to confirm in a way that names no page to show
        them (another kind of `next_action` than a redirect): nothing is charged, the card is
        refused as a decline is."""
        metrics.seat_charge("rejected")
        reason = AUTHENTICATION_REQUIRED
        await self._move(charge_id, ("processing",), "failed", reason=reason, counted=True)
        refused = (
            "this card asks to confirm the payment with the bank in a way seat changes do not"
            " support; nothing was charged: use another card"
        )
        raise ValidationFailed([FieldError("payment.card_token", refused)], decline_code=reason)

    async def latest(self, order_id: str) -> SeatChargeView | None:
        row = await self._one(
            f"SELECT {_COLUMNS} FROM seat_charges WHERE order_id = $1"
            " ORDER BY created_at DESC LIMIT 1",
            order_id,
        )
        return None if row is None else _charge(row).view()

    async def settle(self, event: GatewayEvent) -> bool:
        """Apply a gateway event about a seat charge; False when it names none of ours."""
        row = await self._one(
            f"SELECT {_COLUMNS} FROM seat_charges WHERE id = $1"
            " OR ($1::text IS NULL AND gateway_intent_id = $2)",
            event.payment_id,
            event.intent_id,
        )
        if row is None:
            return False
        charge = _charge(row)
        if event.kind == "succeeded":
            await self.succeeded(charge.id, intent_id=event.intent_id, card_last4=event.card_last4)
        elif event.kind == "failed":
            await self._move(charge.id, ("processing",), "failed", reason=event.failure_reason)
        # Refunded in full: by us (owed: told here), or by a cancellation's part (which tells
        # its own), or by hand.
        elif event.fully_refunded and not await self._refunded(charge):
            await self._move(charge.id, ("succeeded",), "refunded", reason=None)
        return True

    async def succeeded(
        self, charge_id: str, *, intent_id: str | None = None, card_last4: str | None = None
    ) -> None:
        """The card was charged: give the seats, or give the money back. `intent_id` and
        `card_last4`: the charged intent and its card, kept when the charge does not know them
        yet (its creation's answer was lost), so a refund and its mail can name them."""
        try:
            async with self._db.transaction() as conn:
                row = await conn.fetchrow(
                    f"SELECT {_COLUMNS} FROM seat_charges WHERE id = $1 FOR UPDATE",
                    charge_id,
                    timeout=self._db.timeout_s,
                )
                if row is None or row["status"] not in ("processing", "failed"):
                    return  # a redelivery, or the reconciler got there first
                charge = _charge(row)
                if charge.status == "failed":
                    # Given up (the gateway never answered its creation), charged after all:
                    # no seat was given for it, so the money goes back, as a payment's does.
                    logger.warning("seat charge %s: charged after it was given up", charge.id)
                    status: ChargeStatus = "refunding"
                else:
                    status = await self._give_seats(conn, charge)
                intent_id = charge.gateway_intent_id or intent_id
                await conn.execute(
                    "UPDATE seat_charges SET status = $2, gateway_intent_id = $3,"
                    " card_last4 = coalesce(card_last4, $4), updated_at = now() WHERE id = $1",
                    charge.id, status, intent_id, card_last4, timeout=self._db.timeout_s,
                )  # fmt: skip
        except asyncpg.UniqueViolationError as exc:  # seat_charges_one_live_per_order
            raise ServiceUnavailable(
                "another seat change of this order is being paid; deliver this event later"
            ) from exc
        if status == "succeeded":
            metrics.seat_charge("succeeded")
        else:
            if charge.status == "failed":
                metrics.seat_charge("late")
            owed = msgspec.structs.replace(charge, status=status, gateway_intent_id=intent_id)
            await self._refund(owed)

    async def _give_seats(self, conn: asyncpg.Connection, charge: _Charge) -> ChargeStatus:
        """Give the seats the charge paid for, in `conn`'s transaction: `succeeded`, or
        `refunding` when the airline refused them (the order's history says so)."""
        try:
            await self._desk.apply_paid(
                conn, charge.order_id, charge.seats, charge.amount, actor=ACTOR
            )
        except (Conflict, ValidationFailed) as exc:
            logger.info("seat charge %s: the airline refused: %s", charge.id, exc.detail)
            await record_seat_refund(
                conn, charge.order_id, charge.amount, exc.detail, timeout=self._db.timeout_s
            )
            return "refunding"
        return "succeeded"

    async def reconcile_once(
        self, before: dt.datetime, *, limit: int = 50, now: dt.datetime | None = None
    ) -> int:
        """Finish charges unchanged since `before`, the least recently asked first (0208: those
        the gateway never answers or keeps refusing must not starve the others): read the
        intent of one still processing (its webhook never came), cancel one left waiting for
        the traveler's bank too long (as of `now`), refund one still owed. How many it looked
        at."""
        now = now or dt.datetime.now(dt.UTC)
        rows = await self._many(_STALE, before, limit)
        for charge in map(_charge, rows):
            if charge.status == "refunding":
                await self._refund(charge)
            elif charge.gateway_intent_id is None:
                await self._move(charge.id, ("processing",), "failed", reason="gateway_unreachable")
            else:
                try:
                    intent = await self._gateway.get_intent(
                        charge.gateway_intent_id, timeout=self._timeout_s
                    )
                except errors.GatewayError as exc:
                    logger.warning("seat charge %s: cannot read its intent: %s", charge.id, exc)
                    continue
                if intent.status == "succeeded":
                    await self.succeeded(charge.id, card_last4=intent.card_last4)
                elif intent.status == "failed":
                    reason = intent.failure_reason or "payment_failed"  # as its webhook says
                    await self._move(charge.id, ("processing",), "failed", reason=reason)
                elif intent.status == "requires_action" and self._left_too_long(charge, now):
                    await self._cancel_at_the_bank(charge)
        return len(rows)

    def _left_too_long(self, charge: _Charge, now: dt.datetime) -> bool:
        return charge.created_at is not None and now - charge.created_at >= self._bank_wait

    async def _cancel_at_the_bank(self, charge: _Charge) -> None:
        """A charge left waiting for the traveler's bank (they closed its page and left): its
        intent canceled at the gateway, so it can never charge, and the charge `failed`
        (`canceled`), the seats as they were; the trip's seats may change again. One the
        traveler confirmed meanwhile (the cancel refused) settles as any."""
        assert charge.gateway_intent_id is not None
        try:
            intent = await cancel_or_read(
                self._gateway,
                charge.gateway_intent_id,
                cancel_key(charge.id),
                timeout_s=self._timeout_s,
            )
        except errors.GatewayError as exc:  # nothing changed: the next round asks again
            logger.warning("seat charge %s: its intent was not canceled: %s", charge.id, exc)
            return
        if intent.status == "succeeded":  # confirmed at the bank meanwhile: it stands
            await self.succeeded(charge.id, card_last4=intent.card_last4)
        elif intent.status == "failed":
            logger.info("seat charge %s: left at the bank's page too long: canceled", charge.id)
            reason = intent.failure_reason or CANCELED
            await self._move(charge.id, ("processing",), "failed", reason=reason)
        # `processing`: charging after the traveler's answer; its webhook or a round settles it

    async def _refund(self, charge: _Charge) -> None:
        if charge.gateway_intent_id is None:
            logger.error("seat charge %s owes a refund but names no intent", charge.id)
            return
        by_gateway = NOTHING
        try:
            amount = charge.amount
            if charge.refund_attempt > 0:  # after a refusal or a reused key: what is left
                intent = await self._gateway.get_intent(
                    charge.gateway_intent_id, timeout=self._timeout_s
                )
                amount, by_gateway = await left_to_ask(
                    self._db, intent, charge.id, charge.amount, NOTHING
                )
            if amount > 0:
                await named_refunds.ask(
                    self._gateway, intent_id=charge.gateway_intent_id, amount=amount,
                    key=refund_key(charge.id, charge.refund_attempt), name=charge.id,
                    timeout_s=self._timeout_s,
                )  # fmt: skip
        except errors.GatewayUnavailable as exc:  # still owed: the reconciler asks again
            logger.warning("seat charge %s: refund not confirmed yet (%s)", charge.id, exc)
            return
        except errors.GatewayRejected as exc:  # nothing moved (refused, no such intent, …)
            # ... or the key moved money with other figures (an older release's ask): the next
            # ask is a new request for what that one left, as after a refusal.
            if exc.code != "charge_already_refunded":
                logger.error("seat charge %s: the gateway refused the refund: %s", charge.id, exc)
                await self._one(  # nothing moved: the next ask is a new request
                    "UPDATE seat_charges SET refund_attempt = refund_attempt + 1,"
                    " updated_at = now() WHERE id = $1 AND status = 'refunding'"
                    " AND refund_attempt = $2 RETURNING id",
                    charge.id, charge.refund_attempt,
                )  # fmt: skip
                return
        await self._refunded(charge, by_gateway)

    async def _refunded(self, charge: _Charge, by_gateway: Decimal = NOTHING) -> bool:
        """`refunding → refunded`, and the traveler told the money is back (the refusal's
        `order.seat_change_refunded` only said it is on its way), in one transaction;
        False when the charge was not owing a refund (already refunded: told once).
        `by_gateway`: of it, the money the gateway's dashboard gave back before our ask."""
        async with self._db.transaction() as conn:
            moved = await conn.fetchval(
                "UPDATE seat_charges SET status = 'refunded', by_gateway = $2, updated_at = now()"
                " WHERE id = $1 AND status = 'refunding' RETURNING id",
                charge.id, by_gateway, timeout=self._db.timeout_s,
            )  # fmt: skip
            if moved is None:
                return False
            card = await card_of(conn, [charge.id], timeout=self._db.timeout_s)
            await tell(conn, self._db, charge.order_id, "order.seat_charge_returned",
                       charge.amount, card)  # fmt: skip
        metrics.seat_charge("refunded")
        return True

    async def _move(
        self,
        charge_id: str,
        from_status: tuple[str, ...],
        to: Literal["failed", "refunded"],
        *,
        reason: str | None,
        counted: bool = False,
    ) -> None:
        moved = await self._one(
            "UPDATE seat_charges SET status = $3, updated_at = now(),"
            " failure_reason = coalesce($4, failure_reason)"
            " WHERE id = $1 AND status = ANY($2::text[]) RETURNING id",
            charge_id, list(from_status), to, reason,
        )  # fmt: skip
        if moved is not None and not counted:
            # Canceled (left at the bank's page), by us or as its webhook says: counted apart.
            metrics.seat_charge("canceled" if reason == CANCELED else to)

    async def _one(self, query: str, *args: object) -> asyncpg.Record | None:
        async with self._db.connection() as conn:
            row: asyncpg.Record | None = await conn.fetchrow(
                query, *args, timeout=self._db.timeout_s
            )
            return row

    async def _many(self, query: str, *args: object) -> list[asyncpg.Record]:
        async with self._db.connection() as conn:
            rows: list[asyncpg.Record] = await conn.fetch(query, *args, timeout=self._db.timeout_s)
            return rows
