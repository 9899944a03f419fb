"""Payments and applied webhook events in PostgreSQL (`payment/sql/0200_payments.sql`).

Every change of a payment is a guarded UPDATE (`... WHERE id = $1 AND status = ANY($2)`): a
change whose guard fails writes nothing and returns None, so the caller lost a race and re-reads.
Writes take the connection of the caller's transaction (`Tx`), so a payment change, the order
change it causes (booking's repository, bound to the same connection by `orders_in`) and the
webhook event's dedup row commit together or not at all.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import AsyncIterator, Sequence
from decimal import Decimal

import asyncpg

from booking.pg import BoundDatabase, Database
from booking.repository import PgOrderRepository
from payment.asked_in_turn import asked_in_turn
from payment.model import Payment, PaymentStatus

_COLUMNS = (
    "id, order_id, owner, amount, currency, status, gateway_intent_id, failure_reason,"
    " refund_reason, order_failure_reason, gateway_refund_id, refunded_amount, order_paid,"
    " created_at, updated_at, refunded_at, refund_attempt, card_last4, by_gateway, action_url"
)
_STALE = asked_in_turn("payments", _COLUMNS, "status = $1 AND updated_at < $2", limit="$3")

# What the payment still holds once the parts given back of it are taken off (payment/ledger.py:
# a change to a cheaper slice refunds part of it as an `order_refunds` row): the most the
# whole-payment refund path may ask of it. NULL when nothing is left (the gateway then says
# `charge_already_refunded`), as `refunded_amount` must be positive.
_LEFT = (
    "NULLIF(payments.amount - coalesce((SELECT sum(r.amount) FROM order_refunds r"
    " WHERE r.charge_id = payments.id), 0), 0)"
)


class PaymentInFlight(Exception):
    """The order already has a payment in flight or captured (payments_one_live_per_order)."""


def orders_in(conn: asyncpg.Connection, db: Database) -> PgOrderRepository:
    """Booking's order repository, writing inside the transaction `conn` is in."""
    return PgOrderRepository(BoundDatabase(conn, db))


def _payment(row: asyncpg.Record) -> Payment:
    return Payment(**{name: row[name] for name in row.keys()})  # noqa: SIM118


class PgPaymentRepository:
    """Payments on asyncpg; every method may raise `ServiceUnavailable` (booking/pg.py)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[asyncpg.Connection]:
        async with self.db.transaction() as conn:
            yield conn

    async def get(self, payment_id: str) -> Payment | None:
        async with self.db.connection() as conn:
            row = await conn.fetchrow(
                f"SELECT {_COLUMNS} FROM payments WHERE id = $1",
                payment_id,
                timeout=self.db.timeout_s,
            )
        return None if row is None else _payment(row)

    async def find(self, *, payment_id: str | None, intent_id: str | None) -> Payment | None:
        """By our id (the intent's metadata), else by the gateway's intent id."""
        async with self.db.connection() as conn:
            row = await conn.fetchrow(
                f"SELECT {_COLUMNS} FROM payments WHERE id = $1"
                " OR ($1::text IS NULL AND gateway_intent_id = $2) LIMIT 1",
                payment_id,
                intent_id,
                timeout=self.db.timeout_s,
            )
        return None if row is None else _payment(row)

    async def live_for_order(self, order_id: str) -> Payment | None:
        """The order's payment in flight or captured, if any (there is at most one)."""
        async with self.db.connection() as conn:
            row = await conn.fetchrow(
                f"SELECT {_COLUMNS} FROM payments"
                " WHERE order_id = $1 AND status IN ('processing', 'succeeded')",
                order_id,
                timeout=self.db.timeout_s,
            )
        return None if row is None else _payment(row)

    async def of_orders(self, order_ids: list[str]) -> list[Payment]:
        """Every payment of these orders, oldest first (a traveler's data export)."""
        async with self.db.connection() as conn:
            rows = await conn.fetch(
                f"SELECT {_COLUMNS} FROM payments WHERE order_id = ANY($1::text[])"
                " ORDER BY created_at, id",
                order_ids,
                timeout=self.db.timeout_s,
            )
        return [_payment(row) for row in rows]

    async def paying(self, order_id: str) -> Payment | None:
        """The payment that made the order `paid` (the one to refund when it is cancelled)."""
        async with self.db.connection() as conn:
            row = await conn.fetchrow(
                f"SELECT {_COLUMNS} FROM payments WHERE order_id = $1 AND order_paid"
                " ORDER BY created_at DESC LIMIT 1",
                order_id,
                timeout=self.db.timeout_s,
            )
        return None if row is None else _payment(row)

    async def insert(
        self,
        conn: asyncpg.Connection,
        *,
        payment_id: str,
        order_id: str,
        owner: str,
        amount: Decimal,
        currency: str,
    ) -> Payment:
        """A new `processing` payment; raises PaymentInFlight when the order has a live one."""
        try:
            async with conn.transaction():  # a savepoint: the caller's transaction survives
                row = await conn.fetchrow(
                    "INSERT INTO payments (id, order_id, owner, amount, currency, status)"
                    f" VALUES ($1, $2, $3, $4, $5, 'processing') RETURNING {_COLUMNS}",
                    payment_id, order_id, owner, amount, currency,
                    timeout=self.db.timeout_s,
                )  # fmt: skip
        except asyncpg.UniqueViolationError as exc:
            if exc.constraint_name == "payments_one_live_per_order":
                raise PaymentInFlight(order_id) from exc
            raise
        assert row is not None
        return _payment(row)

    async def move(
        self,
        conn: asyncpg.Connection,
        payment_id: str,
        from_status: Sequence[PaymentStatus],
        to_status: PaymentStatus,
        *,
        intent_id: str | None = None,
        failure_reason: str | None = None,
        refund_reason: str | None = None,
        order_failure_reason: str | None = None,
        refund_id: str | None = None,
        refunded_amount: Decimal | None = None,
        order_paid: bool | None = None,
        card_last4: str | None = None,
        by_gateway: Decimal | None = None,
    ) -> Payment | None:
        """The guarded change; fields given as None keep their value. A payment that starts
        giving its money back (`refunding`, `refunded`) without `refunded_amount` owes what it
        has left, net of the parts refunded of it already (`_LEFT`). `intent_id` and
        `card_last4` fill what the payment does not know yet (its creation's answer was lost)."""
        row = await conn.fetchrow(
            "UPDATE payments SET status = $3, updated_at = now(),"
            " gateway_intent_id = COALESCE(gateway_intent_id, $4),"
            " failure_reason = COALESCE($5, failure_reason),"
            " refund_reason = COALESCE(refund_reason, $6),"  # the first reason stays
            " gateway_refund_id = COALESCE($7, gateway_refund_id),"
            " refunded_amount = COALESCE($8, refunded_amount,"
            f" CASE WHEN $3 IN ('refunding', 'refunded') THEN {_LEFT} END),"
            " order_paid = COALESCE($9, order_paid),"
            " order_failure_reason = COALESCE(order_failure_reason, $10),"
            " refunded_at = CASE WHEN $3 = 'refunded' THEN now() ELSE refunded_at END,"
            " card_last4 = COALESCE(card_last4, $11),"
            " by_gateway = COALESCE($12, by_gateway)"
            f" WHERE id = $1 AND status = ANY($2) RETURNING {_COLUMNS}",
            payment_id, list(from_status), to_status, intent_id, failure_reason,
            refund_reason, refund_id, refunded_amount, order_paid, order_failure_reason,
            card_last4, by_gateway, timeout=self.db.timeout_s,
        )  # fmt: skip
        return None if row is None else _payment(row)

    async def owe_refund(
        self,
        conn: asyncpg.Connection,
        order_id: str,
        *,
        reason: str,
        order_reason: str | None,
        amount: Decimal | None = None,
    ) -> Payment | None:
        """In the caller's transaction: the payment that paid `order_id`, if its money is still
        kept (`succeeded`), becomes `refunding`; that payment, or None. `amount` (less than
        all, e.g. a fare's penalty kept) is written as `refunded_amount` at once: what the
        refund will give back, whoever pays it; None: what the payment has left (`_LEFT`: a
        cheaper change may have given part of it back already)."""
        row = await conn.fetchrow(
            "UPDATE payments SET status = 'refunding', updated_at = now(),"
            " refund_reason = COALESCE(refund_reason, $2),"
            " order_failure_reason = COALESCE(order_failure_reason, $3),"
            f" refunded_amount = COALESCE(refunded_amount, $4, {_LEFT})"
            f" WHERE order_id = $1 AND order_paid AND status = 'succeeded' RETURNING {_COLUMNS}",
            order_id,
            reason,
            order_reason,
            amount,
            timeout=self.db.timeout_s,
        )
        return None if row is None else _payment(row)

    async def split_refund(
        self, conn: asyncpg.Connection, order_id: str, *, lock: bool = False
    ) -> bool:
        """Whether the order's cancellation refund is split across its charges (order_refunds),
        which then decides when the order is refunded. `lock`: hold the order's row until the
        caller's commit first, as a cancel does while it owes the parts, so the answer stays
        true."""
        if lock:
            await conn.execute(
                "SELECT 1 FROM orders WHERE id = $1 FOR UPDATE", order_id, timeout=self.db.timeout_s
            )
        found = await conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM order_refunds WHERE order_id = $1 AND change_id IS NULL)",
            order_id,
            timeout=self.db.timeout_s,
        )
        return bool(found)

    async def refund_refused(self, payment: Payment) -> None:
        """The gateway refused `payment`'s refund (nothing moved), or its key had moved money
        with other figures: the next ask is a new request (`refund_key`), and the reconciler's
        after `updated_at` has aged again. Guarded by the attempt read, so concurrent askers
        refused together count one refusal."""
        async with self.db.connection() as conn:
            await conn.execute(
                "UPDATE payments SET refund_attempt = refund_attempt + 1, updated_at = now()"
                " WHERE id = $1 AND status = 'refunding' AND refund_attempt = $2",
                payment.id,
                payment.refund_attempt,
                timeout=self.db.timeout_s,
            )

    async def hold_deadline(self, order_id: str) -> dt.datetime | None:
        """The order's `payment_required_by` (None: none, or no such order)."""
        async with self.db.connection() as conn:
            deadline: dt.datetime | None = await conn.fetchval(
                "SELECT payment_required_by FROM orders WHERE id = $1",
                order_id,
                timeout=self.db.timeout_s,
            )
        return deadline

    async def given_back(self, payment_id: str) -> Decimal:
        """What the parts refunded of `payment_id` (a cheaper change's) gave back of it."""
        async with self.db.connection() as conn:
            given = await conn.fetchval(
                "SELECT coalesce(sum(amount), 0) FROM order_refunds"
                " WHERE charge_id = $1 AND status = 'refunded'",
                payment_id,
                timeout=self.db.timeout_s,
            )
        return Decimal(given)

    async def set_intent(
        self,
        payment_id: str,
        intent_id: str,
        *,
        card_last4: str | None = None,
        action_url: str | None = None,
    ) -> None:
        """Remember the gateway's intent and the card it charges (once: a replayed answer names
        the same intent). The intent's webhook may have recorded the intent first (it names no
        card): the card is still kept, on that intent only. `action_url`: the bank's page the
        intent waits on (3-D Secure), kept while the payment is `processing` (0219)."""
        async with self.db.connection() as conn:
            await conn.execute(
                "UPDATE payments SET gateway_intent_id = $2,"
                " card_last4 = COALESCE(card_last4, $3), updated_at = now(),"
                " action_url = CASE WHEN status = 'processing' THEN COALESCE($4, action_url)"
                " ELSE action_url END"
                " WHERE id = $1 AND (gateway_intent_id IS NULL OR gateway_intent_id = $2)",
                payment_id,
                intent_id,
                card_last4,
                action_url,
                timeout=self.db.timeout_s,
            )

    async def record_event(
        self, conn: asyncpg.Connection, event_id: str, type: str, payment_id: str | None
    ) -> bool:
        """Record a gateway event as applied; False if it already was (a redelivery)."""
        inserted = await conn.fetchval(
            "INSERT INTO webhook_events (id, type, payment_id) VALUES ($1, $2, $3)"
            " ON CONFLICT (id) DO NOTHING RETURNING true",
            event_id,
            type,
            payment_id,
            timeout=self.db.timeout_s,
        )
        return bool(inserted)

    async def stale(
        self, status: PaymentStatus, before: dt.datetime, *, limit: int
    ) -> list[Payment]:
        """Payments in `status` unchanged since `before`, the least recently asked first, each
        stamped as asked (the reconciler's work; payment/asked_in_turn.py)."""
        async with self.db.connection() as conn:
            rows = await conn.fetch(
                _STALE,
                status,
                before,
                limit,
                timeout=self.db.timeout_s,
            )
        return [_payment(row) for row in rows]
