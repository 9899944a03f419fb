"""Booking's `Refunds` port: a cancelled order's money given back across all of its charges.

1. `owe`, in the transaction that cancels the order: the refund is split over the order's
   captured charges (payment/ledger.py: latest first, each part at most what its charge has
   left) and every part is written `owed` in `order_refunds`, with a history row naming them.
2. `refund` (right after the commit) and the reconciler (after a crash, a timeout, a refusal)
   ask the gateway for each owed part: key `<part id>:refund:<attempt>`. A call that did not
   answer keeps its key (the money may have moved: asking again is the same refund); a refusal
   (nothing moved) is written on the part and on the order's history, and the next attempt is
   a new request, since the gateway replays a refusal for its key. A part asking more than its
   charge has left at the gateway (given back at its dashboard) asks what is left
   (payment/charge_left.py).
3. Once no part is owed, ONE transaction moves the order `paid → refunded` (emitting
   `payment.refunded` with the whole amount), the order's own payment `refunded` and a seat
   charge a part gave back `refunded`.
A change to a cheaper slice owes its difference the same way (`owe_change`, in the
transaction that changes the order; its parts name the change): paid by `settle` and the
reconciler like a cancellation's, each one noted on the order's history once refunded, and never
counted as the cancellation's own (`parts`, `_finish` and the 0204 guard read only those).
A change whose card was charged but which did not stand (the order ended before it committed)
owes that charge back whole the same way (`owe_charge_back`: one part, on the change's own charge,
named by the change): a refusal is asked anew by the reconciler, never replayed for ever.
A cancellation that gives nothing back owes no part: the order is `refunded` (0.00) in the very
transaction that cancels it, the charges kept as the penalty.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from decimal import Decimal

import asyncpg

from booking.history_details import HistoryStep
from booking.model import Order
from booking.ports import PaidChanged, RefundPart
from booking.repository import OrderRepository
from kernel.errors import Conflict
from payment import metrics
from payment.charge_left import ask, settled_elsewhere
from payment.gateway import PaymentGateway
from payment.ledger import (
    NOTHING,
    Charge,
    Part,
    charges_of,
    fare_first,
    held,
    split,
)
from payment.model import PAYMENT_ID_PREFIX
from payment.refund_notices import card_of, lock_change_parts, note, tell_if_all_back
from payment.refund_parts import COLUMNS, OwedPart, read_part
from payment.refund_steps import nothing_to_refund, refund_owed, refunded, refunded_given
from payment.refunds import order_refunded
from payment.repository import PgPaymentRepository, orders_in
from payment.seat_charges import PREFIX as SEAT_CHARGE_PREFIX

logger = logging.getLogger(__name__)

PREFIX = "rfd_"

# The orders a reconciler round settles, with the reason the order's cancellation (if any)
# gives, for its history; their owed parts stamped `asked_at` in the same statement. The same
# turn as payment/asked_in_turn.py's, not its statement: a round settles an order (all its owed
# parts, then finishes it), so this takes up to $2 orders, not rows, each by its least recently
# asked part, ties by order id, and stamps every owed part of them. Grouped, it cannot lock what it
# takes (PostgreSQL has no FOR UPDATE with GROUP BY): two rounds at once may take one order, and
# its parts' idempotency keys make the second ask a replay.
_PICK = """
WITH picked AS (
    SELECT order_id, min(coalesce(asked_at, '-infinity')) AS asked,
           coalesce(min(reason) FILTER (WHERE change_id IS NULL), 'the order was cancelled')
               AS reason
    FROM order_refunds WHERE status = 'owed' AND updated_at < $1
    GROUP BY order_id ORDER BY asked, order_id LIMIT $2
), stamped AS (
    UPDATE order_refunds r SET asked_at = now()
    FROM picked WHERE r.order_id = picked.order_id AND r.status = 'owed'
)
SELECT order_id, reason FROM picked ORDER BY asked, order_id"""


class CancellationRefunds:
    def __init__(
        self,
        payments: PgPaymentRepository,
        orders: OrderRepository,
        gateway: PaymentGateway,
        *,
        timeout_s: float,
    ) -> None:
        self._payments = payments
        self._orders = orders
        self._db = payments.db
        self._gateway = gateway
        self._timeout_s = timeout_s

    async def paid(self, order: Order) -> Decimal:
        async with self._db.connection() as conn:
            return held(await charges_of(conn, order.id, timeout=self._db.timeout_s))

    async def card(self, order_id: str) -> str | None:
        async with self._db.connection() as conn:
            charges = await charges_of(conn, order_id, timeout=self._db.timeout_s)
            if not charges:
                return None
            return await card_of(conn, [c.id for c in charges], timeout=self._db.timeout_s)

    async def owe(
        self,
        conn: asyncpg.Connection,
        order: Order,
        *,
        reason: str,
        amount: Decimal | None = None,
        paid: Decimal | None = None,
    ) -> None:
        charges = await charges_of(conn, order.id, timeout=self._db.timeout_s)
        holding = held(charges)
        if paid is not None and paid != holding:
            raise PaidChanged(f"order {order.id} holds {holding}, priced on {paid}")
        parts = split(charges, holding if amount is None else amount)
        if not parts:
            await self._nothing_back(conn, order, reason=reason, kept=holding)
            return
        await self._write(conn, order.id, parts, order.total_currency, reason, None)
        owed = refund_owed(_named(parts), order.total_currency)
        await self._note(conn, order.id, owed, "booking")

    async def owe_change(
        self,
        conn: asyncpg.Connection,
        order_id: str,
        change_id: str,
        amount: Decimal,
        currency: str,
        *,
        actor: str,
        as_before: bool = False,
    ) -> None:
        """In the transaction that changes the order to a cheaper slice: its difference is owed
        back, split across the order's fare charges latest first (a dearer change's own charge
        before the payment that paid the order), seats bought later only after them, one part
        per charge; `settle` pays them. `Conflict` when the charges hold less than `amount`.

        `as_before` (a resumed confirmation, which a process of the release before 0204 may
        have begun and refunded the old way before dying): all of it on the payment that paid
        the order, first asked with the old key, so the gateway replays that refund rather than
        make a second one (payment/sql/0205_change_refunds_across_versions.sql)."""
        charges = await charges_of(conn, order_id, timeout=self._db.timeout_s)
        first_key = None
        try:
            parts = await self._as_before(conn, order_id, charges, amount) if as_before else []
            if parts:
                first_key = f"{change_id}:refund"  # the key the release before 0204 used
            else:
                parts = split(fare_first(charges), amount)
        except ValueError as exc:
            raise Conflict(f"the order's payments cannot give back {amount}: {exc}") from exc
        reason = f"the flight change {change_id} cost {amount} {currency} less"
        await self._write(conn, order_id, parts, currency, reason, change_id, first_key)
        await self._note(conn, order_id, refund_owed(_named(parts), currency, why=reason), actor)

    async def owe_charge_back(
        self,
        order_id: str,
        change_id: str,
        intent_id: str,
        amount: Decimal,
        currency: str,
        *,
        actor: str,
    ) -> None:
        """A change whose card was charged but which did not stand (the order was cancelled or
        refunded before it committed): its whole charge is owed back, one part on the change's
        own charge, written once however often this is asked (the change sweeper resumes a
        change that died half way); `settle` and the reconciler pay it. Its first ask carries
        the key the release before this one used (`<change id>:charge-refund`), so a refund
        that one made is replayed, never made twice; after a refusal, a new key."""
        reason = f"the flight change {change_id} was not made"
        async with self._db.transaction() as conn:
            written = await conn.fetchval(
                "INSERT INTO order_refunds (id, order_id, charge_id, intent_id, amount, currency,"
                " reason, status, change_id, first_key)"
                " VALUES ($1, $2, $3, $4, $5, $6, $7, 'owed', $3, $8)"
                " ON CONFLICT (change_id, charge_id) WHERE change_id IS NOT NULL DO NOTHING"
                " RETURNING true",
                PREFIX + secrets.token_hex(12), order_id, change_id, intent_id, amount, currency,
                reason, f"{change_id}:charge-refund", timeout=self._db.timeout_s,
            )  # fmt: skip
            if written:
                owed = refund_owed([(change_id, amount)], currency, why=reason)
                await self._note(conn, order_id, owed, actor)

    async def _write(
        self,
        conn: asyncpg.Connection,
        order_id: str,
        parts: list[Part],
        currency: str,
        reason: str,
        change_id: str | None,
        first_key: str | None = None,
    ) -> None:
        for part in parts:
            await conn.execute(
                # clock_timestamp(): the parts keep the split's order (latest charge first)
                "INSERT INTO order_refunds (id, order_id, charge_id, intent_id, amount, currency,"
                " reason, status, change_id, first_key, created_at)"
                " VALUES ($1, $2, $3, $4, $5, $6, $7, 'owed', $8, $9, clock_timestamp())",
                PREFIX + secrets.token_hex(12), order_id, part.charge.id, part.charge.intent_id,
                part.amount, currency, reason, change_id, first_key,
                timeout=self._db.timeout_s,
            )  # fmt: skip

    async def _as_before(
        self, conn: asyncpg.Connection, order_id: str, charges: list[Charge], amount: Decimal
    ) -> list[Part]:
        """`amount` as one part on the payment that paid the order, as the release before 0204
        refunded it; none when that payment has less left (that release's refund was refused
        then: nothing moved under its key)."""
        paying = await conn.fetchval(
            "SELECT id FROM payments WHERE order_id = $1 AND order_paid"
            " ORDER BY created_at DESC LIMIT 1",
            order_id, timeout=self._db.timeout_s,
        )  # fmt: skip
        found = [c for c in charges if c.id == paying and c.left >= amount]
        return [Part(found[0], amount)] if found else []

    async def _nothing_back(
        self, conn: asyncpg.Connection, order: Order, *, reason: str, kept: Decimal
    ) -> None:
        """A cancellation that gives nothing back (a non-refundable fare without taxes, or all
        of it given back already): no part is owed, so the order is settled in the very
        transaction that cancels it — `paid → refunded` with a refund of 0.00 and the charges
        left as they are (what they hold is the penalty, kept). No `payment.refunded` event:
        the `order.cancelled` one already states the refund and the penalty."""
        if kept > 0:
            why = f"the fare keeps the {kept} {order.total_currency} paid as the penalty"
        else:
            why = "everything paid was given back already"
        step = nothing_to_refund(reason, why)
        change = order_refunded(step.reason[:500], NOTHING, details=step.details, events=())
        if await orders_in(conn, self._db).transition(order.id, change, actor="booking") is None:
            raise PaidChanged(f"order {order.id} is no longer paid")

    async def parts(self, order_id: str) -> tuple[RefundPart, ...]:
        async with self._db.connection() as conn:
            rows = await conn.fetch(
                "SELECT charge_id, amount, currency, status, last_error AS detail, by_gateway"
                " FROM order_refunds WHERE order_id = $1 AND change_id IS NULL"
                " ORDER BY created_at, id",
                order_id, timeout=self._db.timeout_s,
            )  # fmt: skip
        return tuple(RefundPart(**dict(row)) for row in rows)

    async def refund(self, order: Order, *, actor: str, reason: str) -> Order:
        await self.settle(order.id, actor=actor, reason=reason)
        return await self._orders.get(order.id) or order

    async def settle(self, order_id: str, *, actor: str, reason: str) -> None:
        """Ask the gateway for every part of the order still owed; finish the order once none
        is left."""
        for part in await self._owed(order_id):
            await self._pay(part, actor)
        await self._finish(order_id, actor=actor, reason=reason)

    async def reconcile_once(self, before: dt.datetime, *, actor: str, limit: int = 50) -> int:
        """Settle the orders whose owed parts are unchanged since `before`, those asked least
        recently first (0207: parts refused or unanswered every round must not starve the
        others), each picked stamped as asked; how many orders."""
        async with self._db.connection() as conn:
            rows = await conn.fetch(_PICK, before, limit, timeout=self._db.timeout_s)
        for row in rows:
            await self.settle(row["order_id"], actor=actor, reason=row["reason"])
        return len(rows)

    async def _pay(self, part: OwedPart, actor: str) -> None:
        asked = await ask(self._db, self._gateway, part, actor=actor, timeout_s=self._timeout_s)
        if asked is None:
            return  # still owed: asked again later
        refund_id, by_gateway = asked
        elsewhere = by_gateway is not None  # nothing left to ask: ends with what it holds
        async with self._db.transaction() as conn:
            if part.change_id is not None:  # its last part refunded tells the traveler
                await lock_change_parts(
                    conn, part.order_id, part.change_id, timeout=self._db.timeout_s
                )
            # `elsewhere`: of what it would have asked, `by_gateway` the gateway's dashboard gave
            done = await conn.fetchval(
                "UPDATE order_refunds SET status = 'refunded', gateway_refund_id = $2,"
                " by_gateway = by_gateway + $3, emptied_charge = emptied_charge OR $4,"
                " refunded_at = now(), updated_at = now() WHERE id = $1 AND status = 'owed'"
                " RETURNING true",
                part.id, refund_id, by_gateway or NOTHING, elsewhere, timeout=self._db.timeout_s,
            )  # fmt: skip
            if done and by_gateway is not None:  # nothing was asked: who gave it back
                await settled_elsewhere(conn, self._db, part, by_gateway, actor)
            elif done and part.change_id is not None:  # a cancellation's says it when it ends
                step = refunded(part.reason, [(part.charge_id, part.ours())], part.currency)
                await self._note(conn, part.order_id, step, actor)
            if done and part.change_id is not None and part.charge_id != part.change_id:
                # a change that stood: its difference
                await tell_if_all_back(conn, self._db, part.order_id, part.change_id)

    async def _finish(self, order_id: str, *, actor: str, reason: str) -> None:
        async with self._db.transaction() as conn:
            rows = await conn.fetch(
                f"SELECT {COLUMNS} FROM order_refunds WHERE order_id = $1 AND change_id IS NULL"
                " ORDER BY created_at, id FOR UPDATE",
                order_id, timeout=self._db.timeout_s,
            )  # fmt: skip
            parts = [read_part(row) for row in rows]
            if not parts or any(p.status == "owed" for p in parts):
                return
            total = sum((p.amount for p in parts), Decimal(0))
            step = refunded_given(
                reason, [(p.charge_id, p.amount, p.by_gateway) for p in parts], parts[0].currency
            )
            card = await card_of(conn, [p.charge_id for p in parts], timeout=self._db.timeout_s)
            change = order_refunded(
                step.reason[:500], total, details=step.details, refund_card_last4=card
            )
            done = await orders_in(conn, self._db).transition(order_id, change, actor=actor)
            if done is None:
                return  # already refunded: another asker finished it
            for part in (p for p in parts if p.charge_id.startswith(PAYMENT_ID_PREFIX)):
                await self._payments.move(
                    conn, part.charge_id, ("succeeded",), "refunded",
                    refund_reason=reason, refunded_amount=part.amount,
                )  # fmt: skip
            # A seat bought after booking whose money went back (all or the part the fare
            # gives) reads `refunded`, as a seat charge the airline refused does.
            seats = [p.charge_id for p in parts if p.charge_id.startswith(SEAT_CHARGE_PREFIX)]
            if seats:
                await conn.execute(
                    "UPDATE seat_charges SET status = 'refunded', updated_at = now()"
                    " WHERE id = ANY($1::text[]) AND status = 'succeeded'",
                    seats, timeout=self._db.timeout_s,
                )  # fmt: skip
        metrics.payment("refunded")
        logger.info("order %s refunded: %s", order_id, step.reason)

    async def _owed(self, order_id: str) -> list[OwedPart]:
        async with self._db.connection() as conn:
            rows = await conn.fetch(
                f"SELECT {COLUMNS} FROM order_refunds WHERE order_id = $1 AND status = 'owed'"
                " ORDER BY created_at, id",
                order_id, timeout=self._db.timeout_s,
            )  # fmt: skip
        return [read_part(row) for row in rows]

    async def _note(
        self, conn: asyncpg.Connection, order_id: str, step: HistoryStep, actor: str
    ) -> None:
        await note(conn, self._db, order_id, step, actor)


def _named(parts: list[Part]) -> list[tuple[str, Decimal]]:
    return [(p.charge.id, p.amount) for p in parts]
