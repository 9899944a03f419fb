"""`PgMoneyLedger`: what an order's card charges add up to (booking/money.py), in one query
for one order (its GET) or for a page of them (a list of orders).

The charges are the ledger's (payment/ledger.py): the order's payment, the differences flight
changes charged and the seats bought after booking, here with those whose money went back as
well (a traveler paid them all the same). What went back of a charge is what the audit
(payment/audit.py) records of it: its refund parts (`order_refunds`: a cheaper change's, a
cancellation's, a change that did not stand's), `owed` ones on their way, plus the charge's own
whole refund when no part stands for it (a payment's late capture or failed ticketing, a seat
charge whose seats the airline refused). A cancellation's part moves its payment or seat charge
`refunded` too: counted once, as the part. A cheaper change's part (`change_id`) on the
payment does not stand for the payment's own later refund, which is added.
"""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg
import msgspec

from booking.model import Order
from booking.money import OrderMoney
from kernel.pg import Database

# What each charge of the orders `ORDERS` picks took and gave back: one text for both
# statements below, so a list of orders and an order's GET count the same way.
# A change is charged once `confirmed` (the ledger's rule), or was if a part of its own gives
# its money back (it did not stand). `whole`: what a charge's own refund gives back.
_CHARGES = """
WITH charges AS (
    SELECT p.order_id, p.id, 'booking' AS type, p.amount, p.created_at, p.status,
           coalesce(p.refunded_amount, p.amount) AS whole, false AS seat
    FROM payments p
    WHERE p.order_id ORDERS AND p.gateway_intent_id IS NOT NULL
      AND p.status IN ('succeeded', 'refunding', 'refunded')
    UNION ALL
    SELECT c.order_id, c.id, 'flight_change', c.due_amount,
           coalesce(c.confirmed_at, c.created_at), 'succeeded', c.due_amount, false
    FROM order_changes c
    WHERE c.order_id ORDERS AND c.due_amount > 0
      AND (c.status = 'confirmed' AND c.payment_intent_id IS NOT NULL
           OR EXISTS (SELECT 1 FROM order_refunds r
                      WHERE r.order_id = c.order_id AND r.charge_id = c.id))
    UNION ALL
    SELECT s.order_id, s.id, 'seats', s.amount, s.created_at, s.status, s.amount, true
    FROM seat_charges s
    WHERE s.order_id ORDERS AND s.gateway_intent_id IS NOT NULL
      AND s.status IN ('succeeded', 'refunding', 'refunded')
), money AS (
    SELECT ch.order_id, ch.id, ch.type, ch.amount, ch.created_at,
       (coalesce(parts.refunded, 0)
        + CASE WHEN ch.status = 'refunded' AND NOT coalesce(parts.standing, false)
               THEN ch.whole ELSE 0 END)::numeric(12, 2) AS refunded_amount,
       (coalesce(parts.owed, 0)
        + CASE WHEN ch.status = 'refunding' AND NOT coalesce(parts.standing, false)
               THEN ch.whole ELSE 0 END)::numeric(12, 2) AS refund_pending_amount
FROM charges ch
LEFT JOIN LATERAL (
    SELECT sum(r.amount) FILTER (WHERE r.status = 'refunded') AS refunded,
           sum(r.amount) FILTER (WHERE r.status = 'owed') AS owed,
           bool_or(ch.seat OR r.change_id IS NULL) AS standing
    FROM order_refunds r WHERE r.order_id = ch.order_id AND r.charge_id = ch.id
) parts ON true
)"""
# An order's money object over its rows `m` of `money`, in `CURRENCY`. Sums are cast to cents:
# a bare 0 would read (and be shown) as "0", not "0.00". An order of a list with no charge has
# one row of NULLs (the LEFT JOIN's), which counts for nothing.
_SUMS = """json_build_object(
    'currency', CURRENCY,
    'paid_amount', coalesce(sum(m.amount), 0)::numeric(12, 2)::text,
    'refunded_amount', coalesce(sum(m.refunded_amount), 0)::numeric(12, 2)::text,
    'refund_pending_amount', coalesce(sum(m.refund_pending_amount), 0)::numeric(12, 2)::text,
    'charges', coalesce(json_agg(json_build_object(
        'id', m.id, 'type', m.type, 'amount', m.amount::text,
        'refunded_amount', m.refunded_amount::text,
        'refund_pending_amount', m.refund_pending_amount::text, 'created_at', m.created_at)
        ORDER BY m.created_at, m.id) FILTER (WHERE m.id IS NOT NULL), '[]'))"""
# One order ($1, its currency $2): an order's GET, where the page's statement's unnest,
# grouping and object of objects cost a fifth more.
_MONEY_OF_ONE = (
    _CHARGES.replace("ORDERS", "= $1")
    + "\nSELECT "
    + _SUMS.replace("CURRENCY", "$2::text")
    + "::text FROM money m"
)
# A page of orders ($1: their ids, $2: each one's currency), by order id: a list of orders is
# one statement, never one per order.
_MONEY_OF_ORDERS = (
    _CHARGES.replace("ORDERS", "= ANY($1::text[])")
    + "\nSELECT coalesce(json_object_agg(order_id, money), '{}')::text FROM (\n"
    + "SELECT a.order_id, "
    + _SUMS.replace("CURRENCY", "a.currency")
    + " AS money\nFROM unnest($1::text[], $2::text[]) AS a(order_id, currency)"
    + "\nLEFT JOIN money m ON m.order_id = a.order_id GROUP BY a.order_id, a.currency\n) each_order"
)


# Built as JSON by PostgreSQL and decoded straight into the Structs: a Record per charge, each
# numeric made a Decimal on the way, cost the order's GET more than the query.
_decode_one = msgspec.json.Decoder(OrderMoney).decode
_decode_many = msgspec.json.Decoder(dict[str, OrderMoney]).decode


class PgMoneyLedger:
    """The `MoneyLedger` port (booking/ports.py) over PostgreSQL."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def money_of(self, order: Order, conn: asyncpg.Connection | None = None) -> OrderMoney:
        if conn is None:
            async with self._db.connection() as own:
                return await self.money_of(order, own)
        text = await conn.fetchval(
            _MONEY_OF_ONE, order.id, order.total_currency, timeout=self._db.timeout_s
        )
        return _decode_one(text)

    async def money_of_orders(
        self, orders: Sequence[Order], conn: asyncpg.Connection | None = None
    ) -> dict[str, OrderMoney]:
        if conn is None:
            async with self._db.connection() as own:
                return await self.money_of_orders(orders, own)
        ids = [order.id for order in orders]
        currencies = [order.total_currency for order in orders]
        text = await conn.fetchval(_MONEY_OF_ORDERS, ids, currencies, timeout=self._db.timeout_s)
        return _decode_many(text)
